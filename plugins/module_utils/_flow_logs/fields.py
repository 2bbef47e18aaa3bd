# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What AWS accepts in a flow log: resource types and their id patterns, traffic types, destinations, file formats,
record fields by version, and the ARN forms messages show. Private: may change in any release."""

from __future__ import annotations

import re

RESOURCE_ID_PATTERNS = {
    "VPC": re.compile(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$"),
    "Subnet": re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$"),
    "NetworkInterface": re.compile(r"^eni-[0-9a-f]{8}([0-9a-f]{9})?$"),
    "TransitGateway": re.compile(r"^tgw-[0-9a-f]{8}([0-9a-f]{9})?$"),
    "TransitGatewayAttachment": re.compile(r"^tgw-attach-[0-9a-f]{8}([0-9a-f]{9})?$"),
    "RegionalNatGateway": re.compile(r"^nat-[0-9a-f]{8}([0-9a-f]{9})?$"),
}
RESOURCE_TYPES = tuple(RESOURCE_ID_PATTERNS)
TRANSIT_GATEWAY_TYPES = ("TransitGateway", "TransitGatewayAttachment")
#: In EC2's FlowLogsResourceType enum, with the transit gateways' constraints, not supported here yet.
CLOUD_WAN_TYPES = ("CoreNetwork", "CoreNetworkEdge", "CoreNetworkAttachment")
TRAFFIC_TYPES = ("ACCEPT", "REJECT", "ALL")
DESTINATION_TYPES = ("cloud-watch-logs", "s3", "kinesis-data-firehose")
AGGREGATION_INTERVALS = (60, 600)
#: EC2's DestinationFileFormat, as AWS spells it in requests and in DescribeFlowLogs.
FILE_FORMATS = ("plain-text", "parquet")
#: What 1.0.0 documented for plain text; still accepted, sent as plain-text.
FILE_FORMAT_ALIASES = {"plain": "plain-text"}
#: VPC flow log record fields by the version that introduced them ("Available fields", Amazon VPC User Guide,
#: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html#flow-logs-fields).
VPC_FIELDS_BY_VERSION = {
    2: "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
    "log-status",
    3: "vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr",
    4: "region az-id sublocation-type sublocation-id",
    5: "pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path",
    7: "ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id "
    "ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id",
    8: "reject-reason",
    9: "resource-id",
    10: "encryption-status",
    11: "interface-type next-hop-interface-id next-hop-subnet-id next-hop-az-id next-hop-vpc-id "
    "next-hop-interface-type",
}
FLOW_LOG_FIELDS = tuple(f for fields in VPC_FIELDS_BY_VERSION.values() for f in fields.split())
#: Transit gateway flow log record fields, in the order of the Transit Gateway Guide's table; the default
#: format of a transit gateway flow log has them all (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html).
_TRANSIT_GATEWAY_FIELDS = (
    "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id "
    "tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id "
    "tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
    "log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded "
    "packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service"
)
TRANSIT_GATEWAY_FIELDS = tuple(_TRANSIT_GATEWAY_FIELDS.split())
#: The resources whose EC2 tags a VPC flow log record can carry (CreateFlowLogs' TagFieldSpecifications
#: ResourceType) -> the record field that shows the 1st tag key; ``<field>-2`` shows the 2nd (at most 2 keys).
TAG_FIELD_RESOURCES = {
    "network-interface": "interface-tag",
    "instance": "instance-tag",
    "auto-scaling-group": "asg-tag",
}
TAG_FIELD_KEYS = 2
TAG_KEY_LENGTH = 128
#: Fields that carry EC2 tags; they need CreateFlowLogs' TagFieldSpecifications.
TAG_FIELDS = tuple("{}{}".format(prefix, suffix) for prefix in TAG_FIELD_RESOURCES.values() for suffix in ("", "-2"))
DEFAULT_LOG_FORMAT = " ".join("${{{}}}".format(f) for f in VPC_FIELDS_BY_VERSION[2].split())
TRANSIT_GATEWAY_DEFAULT_LOG_FORMAT = " ".join("${{{}}}".format(f) for f in TRANSIT_GATEWAY_FIELDS)
IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
S3_ARN = re.compile(r"^arn:aws[a-z\-]*:s3:::([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(/.*)?$")
FIREHOSE_ARN = re.compile(r"^arn:aws[a-z\-]*:firehose:[a-z0-9\-]+:\d{12}:deliverystream/[\w.\-]+$")
LOG_GROUP_NAME = re.compile(r"^[\.\-_/#A-Za-z0-9]{1,512}$")
LOG_FORMAT = re.compile(r"^\$\{[a-z0-9\-]+\}( \$\{[a-z0-9\-]+\})*$")
LOG_FORMAT_FIELD = re.compile(r"\$\{([a-z0-9\-]+)\}")
S3_FORM = "an S3 bucket ARN (arn:<partition>:s3:::bucket or arn:<partition>:s3:::bucket/prefix)"
FIREHOSE_FORM = "a Firehose delivery stream ARN (arn:<partition>:firehose:<region>:<account>:deliverystream/<name>)"
ROLE_FORM = "an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)"
#: Every ARN form in a message says <partition>: aws, aws-cn (China) or aws-us-gov (GovCloud).
#: Settings AWS cannot change on an existing flow log: a difference means replacing it.
IMMUTABLE_FIELDS = (
    "traffic_type",
    "deliver_logs_role_arn",
    "deliver_cross_account_role",
    "max_aggregation_interval",
    "log_format",
    "destination_options",
    "tag_fields",
)
VERDICTS = ("compliant", "missing", "mismatched", "delivery_failed")
#: EC2 accepts 200 filter values per Describe call, all filters together.
FILTER_VALUES_PER_CALL = 200
