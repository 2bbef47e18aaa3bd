# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EC2: VPCs, flow logs and their tags, regions. Private: may change in any release."""

from __future__ import annotations

import uuid

from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import (
    call,
    chunks,
    iso,
    paginate,
    tag_dict,
    tag_list,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.tag_fields import tag_fields_from_aws

#: CreateFlowLogs limits per call, by resource type (300 for the others).
CREATE_CHUNK = {"TransitGateway": 25, "TransitGatewayAttachment": 25}
CREATE_CHUNK_DEFAULT = 300
#: Filter values EC2 accepts in one Describe call, all filters together (FilterLimitExceeded beyond).
FILTER_CHUNK = 200
DELETE_CHUNK = 1000


def create_chunk_size(resource_type):
    return CREATE_CHUNK.get(resource_type, CREATE_CHUNK_DEFAULT)


def vpc_from_aws(vpc):
    tags = tag_dict(vpc.get("Tags"))
    return dict(
        vpc_id=vpc["VpcId"],
        name=tags.get("Name"),
        cidr_block=vpc.get("CidrBlock"),
        is_default=bool(vpc.get("IsDefault")),
        state=vpc.get("State"),
        owner_id=vpc.get("OwnerId"),
        tags=tags,
    )


def _filter_value(value):
    """EC2 filter values are strings; YAML gives booleans and numbers too (is-default: true)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe_vpcs(ec2, vpc_ids=None, filters=None):
    """VPCs by id and/or EC2 filters (``{"tag:env": "prod"}``); all VPCs of the region when neither."""
    ec2_filters = [
        {"Name": k, "Values": [_filter_value(x) for x in (v if isinstance(v, list) else [v])]}
        for k, v in (filters or {}).items()
    ]
    if not vpc_ids:
        found = paginate(ec2, "describe_vpcs", "Vpcs", "ec2:DescribeVpcs", Filters=ec2_filters)
        return [vpc_from_aws(v) for v in found]
    # EC2 counts every filter's values against one limit per call: the ids get what the others leave.
    budget = FILTER_CHUNK - sum(len(f["Values"]) for f in ec2_filters)
    found = []
    for part in chunks(vpc_ids, budget):
        found.extend(
            paginate(
                ec2,
                "describe_vpcs",
                "Vpcs",
                "ec2:DescribeVpcs",
                ", ".join(part),
                Filters=[*ec2_filters, {"Name": "vpc-id", "Values": part}],
            )
        )
    return [vpc_from_aws(v) for v in found]


def flow_log_from_aws(fl):
    options = fl.get("DestinationOptions")
    return dict(
        flow_log_id=fl["FlowLogId"],
        resource_id=fl.get("ResourceId"),
        traffic_type=fl.get("TrafficType"),
        log_destination_type=fl.get("LogDestinationType", "cloud-watch-logs"),
        log_group_name=fl.get("LogGroupName"),
        log_destination=fl.get("LogDestination"),
        deliver_logs_role_arn=fl.get("DeliverLogsPermissionArn"),
        deliver_cross_account_role=fl.get("DeliverCrossAccountRole"),
        max_aggregation_interval=fl.get("MaxAggregationInterval"),
        log_format=fl.get("LogFormat"),
        destination_options=None
        if not options
        else dict(
            file_format=options.get("FileFormat"),
            hive_compatible_partitions=options.get("HiveCompatiblePartitions"),
            per_hour_partition=options.get("PerHourPartition"),
        ),
        tag_fields=tag_fields_from_aws(fl.get("TagFieldSpecifications")),
        flow_log_status=fl.get("FlowLogStatus"),
        deliver_logs_status=fl.get("DeliverLogsStatus"),
        deliver_logs_error_message=fl.get("DeliverLogsErrorMessage"),
        creation_time=iso(fl.get("CreationTime")),
        tags=tag_dict(fl.get("Tags")),
    )


def describe_flow_logs(ec2, resource_ids=None):
    """Flow logs on the given resources (all flow logs of the region when None), in few pages."""
    if resource_ids is None or len(set(resource_ids)) > FILTER_CHUNK:
        # Past one filter's worth of ids, one unfiltered page (1,000 flow logs) beats several filtered ones.
        found = paginate(ec2, "describe_flow_logs", "FlowLogs", "ec2:DescribeFlowLogs", MaxResults=1000)
        if resource_ids is None:
            return [flow_log_from_aws(f) for f in found]
        wanted = set(resource_ids)
        return [flow_log_from_aws(f) for f in found if f.get("ResourceId") in wanted]
    found = []
    for part in chunks(sorted(set(resource_ids)), FILTER_CHUNK):
        found.extend(
            paginate(
                ec2,
                "describe_flow_logs",
                "FlowLogs",
                "ec2:DescribeFlowLogs",
                Filters=[{"Name": "resource-id", "Values": part}],
                MaxResults=1000,
            )
        )
    wanted = set(resource_ids)
    return [flow_log_from_aws(f) for f in found if f.get("ResourceId") in wanted]


def create_flow_logs(ec2, request, resource_ids, tags=None):
    """One CreateFlowLogs call (the caller chunks). Returns (flow_log_ids, unsuccessful).

    The call carries a new idempotency token; botocore's retries resend it, so a retry after a lost
    answer gets the first answer back instead of creating the flow logs twice."""
    kwargs = dict(request, ResourceIds=list(resource_ids), ClientToken=str(uuid.uuid4()))
    if tags:
        kwargs["TagSpecifications"] = [{"ResourceType": "vpc-flow-log", "Tags": tag_list(tags)}]
    answer = call(ec2, "create_flow_logs", "ec2:CreateFlowLogs", ", ".join(resource_ids), **kwargs)
    unsuccessful = [
        dict(
            resource_id=item.get("ResourceId"),
            code=item.get("Error", {}).get("Code"),
            message=item.get("Error", {}).get("Message"),
        )
        for item in answer.get("Unsuccessful") or []
    ]
    return answer.get("FlowLogIds") or [], unsuccessful


def delete_flow_logs(ec2, flow_log_ids):
    """Delete flow logs; ids already gone count as deleted. Returns per-id failures."""
    failures = []
    for part in chunks(flow_log_ids, DELETE_CHUNK):
        answer = call(
            ec2,
            "delete_flow_logs",
            "ec2:DeleteFlowLogs",
            ", ".join(part),
            gone="InvalidFlowLogId.NotFound",
            default={},
            FlowLogIds=part,
        )
        for item in answer.get("Unsuccessful") or []:
            code = item.get("Error", {}).get("Code")
            if code != "InvalidFlowLogId.NotFound":
                failures.append(
                    dict(flow_log_id=item.get("ResourceId"), code=code, message=item["Error"].get("Message"))
                )
    return failures


def create_tags(ec2, resource_ids, tags):
    call(
        ec2, "create_tags", "ec2:CreateTags", ", ".join(resource_ids), Resources=list(resource_ids), Tags=tag_list(tags)
    )


def delete_tags(ec2, resource_ids, keys):
    call(
        ec2,
        "delete_tags",
        "ec2:DeleteTags",
        ", ".join(resource_ids),
        Resources=list(resource_ids),
        Tags=[{"Key": k} for k in sorted(keys)],
    )


def describe_regions(ec2):
    """Regions of the caller's account, each with its opt-in status."""
    found = call(ec2, "describe_regions", "ec2:DescribeRegions").get("Regions", [])
    return [dict(region=r["RegionName"], opt_in_status=r.get("OptInStatus")) for r in found]


def probe_vpcs(ec2):
    """One page of at most 5 VPCs (DescribeVpcs' smallest): the cheapest read that says whether the caller may work in
    this account and region at all. Raises AwsError when AWS refuses it."""
    found = call(ec2, "describe_vpcs", "ec2:DescribeVpcs", MaxResults=5).get("Vpcs", [])
    return [vpc_from_aws(v) for v in found]


#: States of a resource that can carry a flow log (the others are going or gone).
LIVE_STATES = ("pending", "available", "modifying")


def _resource(resource_type, resource_id, owner_id, state, tags):
    tags = tag_dict(tags)
    return dict(
        resource_type=resource_type,
        resource_id=resource_id,
        name=tags.get("Name"),
        owner_id=owner_id,
        state=state,
        tags=tags,
    )


def describe_transit_gateways(ec2):
    """The region's transit gateways this account sees that can carry a flow log."""
    found = paginate(ec2, "describe_transit_gateways", "TransitGateways", "ec2:DescribeTransitGateways")
    return [
        _resource("TransitGateway", t["TransitGatewayId"], t.get("OwnerId"), t.get("State"), t.get("Tags"))
        for t in found
        if t.get("State") in LIVE_STATES
    ]


def describe_transit_gateway_attachments(ec2):
    """The region's transit gateway attachments that can carry a flow log; their owner is the transit gateway's."""
    found = paginate(
        ec2,
        "describe_transit_gateway_attachments",
        "TransitGatewayAttachments",
        "ec2:DescribeTransitGatewayAttachments",
    )
    return [
        _resource(
            "TransitGatewayAttachment",
            a["TransitGatewayAttachmentId"],
            a.get("TransitGatewayOwnerId"),
            a.get("State"),
            a.get("Tags"),
        )
        for a in found
        if a.get("State") in LIVE_STATES
    ]


def describe_regional_nat_gateways(ec2):
    """The region's regional NAT gateways (AvailabilityMode regional) that can carry a flow log. Zonal NAT gateways
    are logged through their VPC's network interfaces; the owner is the caller's account (NAT gateways are not
    shared)."""
    found = paginate(ec2, "describe_nat_gateways", "NatGateways", "ec2:DescribeNatGateways")
    return [
        _resource("RegionalNatGateway", n["NatGatewayId"], None, n.get("State"), n.get("Tags"))
        for n in found
        if n.get("AvailabilityMode") == "regional" and n.get("State") in LIVE_STATES
    ]


def describe_subnets(ec2):
    """Every subnet of the region, with its IPv4 CIDR."""
    found = paginate(ec2, "describe_subnets", "Subnets", "ec2:DescribeSubnets")
    return [dict(subnet_id=s["SubnetId"], vpc_id=s.get("VpcId"), cidr_block=s.get("CidrBlock")) for s in found]


def describe_network_interfaces(ec2, filter_name, values):
    """The network interfaces whose ``filter_name`` (``vpc-id``, ``subnet-id``) is one of ``values``:
    ``[{network_interface_id, vpc_id, subnet_id}]``, read 200 values (EC2's filter values per call) and 1,000
    interfaces a page at a time."""
    found = []
    for part in chunks(sorted(set(values)), FILTER_CHUNK):
        found.extend(
            paginate(
                ec2,
                "describe_network_interfaces",
                "NetworkInterfaces",
                "ec2:DescribeNetworkInterfaces",
                ", ".join(part),
                Filters=[{"Name": filter_name, "Values": part}],
                MaxResults=1000,
            )
        )
    return [
        dict(network_interface_id=n["NetworkInterfaceId"], vpc_id=n.get("VpcId"), subnet_id=n.get("SubnetId"))
        for n in found
    ]
