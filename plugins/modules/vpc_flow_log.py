#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_flow_log
short_description: Flow logs on many VPCs, subnets, network interfaces or transit gateways in one task
version_added: 1.0.0
description:
  - Makes every resource in O(resource_ids) carry exactly one flow log to the given destination, with the given
    settings, or none with O(state=absent). Hundreds of resources are handled in one invocation with batched calls.
  - A flow log on a resource I(matches) when it goes to the same destination (log group, bucket or delivery stream).
    Traffic type, role, aggregation interval, log format and destination options of a flow log can never be
    edited, so a matching flow log whose settings differ is B(replaced) - the new one is created first and the old
    one deleted after, so logging never stops. Only where AWS refuses a second flow log to the same destination
    is the old one deleted first.
  - Flow logs on the same resources to B(other) destinations are never touched. Several matching flow logs on one
    resource (duplicates) are collapsed to one.
  - Existing flow logs are read with as few DescribeFlowLogs calls as possible; CreateFlowLogs is sent in chunks of
    up to 300 resources (25 for transit gateway types).
  - A resource that fails (for example a VPC that does not exist) is reported by id with AWS's error code and
    message; all other resources still converge, and the task fails at the end listing the failures.
  - A delivery role created moments before can be refused by AWS (I(Unable to assume given IAM role)) until IAM has
    propagated it; that error alone is retried with backoff for up to two minutes.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  state:
    description:
      - V(present) creates or replaces flow logs so that each resource has the desired one.
      - V(absent) deletes the flow logs of these resources that go to the given destination, and only those.
    type: str
    choices: [present, absent]
    default: present
  resource_type:
    description: Type of the resources in O(resource_ids).
    type: str
    choices: [VPC, Subnet, NetworkInterface, TransitGateway, TransitGatewayAttachment, RegionalNatGateway]
    default: VPC
  resource_ids:
    description:
      - IDs of the resources to log, all of O(resource_type). Any number; an empty list does nothing.
    type: list
    elements: str
    required: true
  traffic_type:
    description:
      - Traffic to log. Defaults to V(ALL) for VPCs, subnets and network interfaces.
      - Not used for transit gateway types, which always log all traffic.
    type: str
    choices: [ACCEPT, REJECT, ALL]
  destination_type:
    description: Where flow log records go.
    type: str
    choices: [cloud-watch-logs, s3, kinesis-data-firehose]
    default: cloud-watch-logs
  log_group_name:
    description:
      - CloudWatch Logs group to deliver to. Required with O(destination_type=cloud-watch-logs).
      - Create it with M(flowlogs.aws.flow_log_group) so it has a retention policy.
    type: str
  deliver_logs_role_arn:
    description:
      - ARN of the IAM role VPC Flow Logs assumes to write to the log group. Required with
        O(destination_type=cloud-watch-logs); see M(flowlogs.aws.flow_log_role). Not used with V(s3).
    type: str
  log_destination:
    description:
      - ARN of the destination for V(s3) (C(arn:aws:s3:::bucket) or C(arn:aws:s3:::bucket/prefix); the prefix may not
        contain a folder called C(AWSLogs)) or for V(kinesis-data-firehose) (a delivery stream ARN).
    type: str
  deliver_cross_account_role:
    description: ARN of the IAM role that delivers flow logs to a destination in another account.
    type: str
  max_aggregation_interval:
    description:
      - Maximum seconds over which a flow log record aggregates packets.
      - Defaults to V(600) for VPCs, subnets and network interfaces; transit gateway types only allow V(60).
    type: int
    choices: [60, 600]
  log_format:
    description:
      - Fields of each record, as space-separated C(${field}) tokens. When unset, new flow logs use the AWS default
        format and the format of existing flow logs is not compared.
      - Every field must be one AWS documents for the resource type (VPC flow log fields of versions 2 to 11, or the
        transit gateway fields); an unknown field fails before any AWS call, naming it.
    type: str
  destination_options:
    description:
      - Options for the V(s3) destination. When unset, they are not compared.
    type: dict
    suboptions:
      file_format:
        description:
          - Format of the log files, as AWS spells it. V(plain) (accepted by 1.0.0) is still accepted and sent as
            V(plain-text).
        type: str
        choices: [plain-text, parquet, plain]
        default: plain-text
      hive_compatible_partitions:
        description: Use Hive-compatible prefixes.
        type: bool
        default: false
      per_hour_partition:
        description: Partition the files per hour instead of per day.
        type: bool
        default: false
  tag_fields:
    description:
      - EC2 tags the records carry (TagFieldSpecifications), up to two tag keys per resource. C(${instance-tag}) and
        C(${instance-tag-2}) in O(log_format) show the instance's tags named in O(tag_fields.instance), and so on.
      - A O(log_format) with a tag field whose tag key is not given here fails before any AWS call, as do tag keys no
        field of O(log_format) shows. Not for transit gateway types.
      - Like O(log_format), it cannot change on an existing flow log, so a difference replaces it. When AWS does not
        report it for a flow log, it is not compared.
    type: dict
    version_added: 1.1.0
    suboptions:
      instance:
        description: Tag keys of the instance, shown by C(${instance-tag}) and C(${instance-tag-2}).
        type: list
        elements: str
      network_interface:
        description: Tag keys of the network interface, shown by C(${interface-tag}) and C(${interface-tag-2}).
        type: list
        elements: str
      auto_scaling_group:
        description: Tag keys of the Auto Scaling group, shown by C(${asg-tag}) and C(${asg-tag-2}).
        type: list
        elements: str
  tags:
    description:
      - Tags of the flow logs. New flow logs get them at creation; on existing ones they are updated in place.
      - When unset, the tags of existing flow logs are left as they are.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
extends_documentation_fragment:
  - flowlogs.aws.connection
  - flowlogs.aws.attributes
notes:
  - Destination options are compared only when the endpoint reports them (AWS does for S3; some test servers do not).
seealso:
  - module: flowlogs.aws.flow_log_role
  - module: flowlogs.aws.flow_log_group
  - module: flowlogs.aws.vpc_flow_log_info
"""

EXAMPLES = r"""
- name: All traffic of three VPCs to CloudWatch Logs
  flowlogs.aws.vpc_flow_log:
    resource_ids: [vpc-0a1b2c3d4e5f60718, vpc-0b1b2c3d4e5f60718, vpc-0c1b2c3d4e5f60718]
    log_group_name: vpc-flow-logs
    deliver_logs_role_arn: "{{ delivery_role.role.arn }}"
    tags:
      managed-by: flowlogs.aws

- name: Every VPC of the region, found with the info module, in one call
  flowlogs.aws.vpc_flow_log:
    resource_ids: "{{ found.vpcs | map(attribute='vpc_id') | list }}"
    log_group_name: vpc-flow-logs
    deliver_logs_role_arn: arn:aws:iam::111111111111:role/vpc-flow-logs-delivery
    max_aggregation_interval: 60

- name: Subnets to a central S3 bucket, Parquet, partitioned per hour
  flowlogs.aws.vpc_flow_log:
    resource_type: Subnet
    resource_ids: [subnet-0123456789abcdef0]
    destination_type: s3
    log_destination: arn:aws:s3:::central-flow-logs/network
    destination_options:
      file_format: parquet
      per_hour_partition: true

- name: Records that say which instance and team sent the traffic (EC2 tags in the records)
  flowlogs.aws.vpc_flow_log:
    resource_ids: [vpc-0a1b2c3d4e5f60718]
    log_group_name: vpc-flow-logs-tagged
    deliver_logs_role_arn: "{{ delivery_role.role.arn }}"
    log_format: "${version} ${interface-id} ${srcaddr} ${dstaddr} ${action} ${instance-tag} ${instance-tag-2}"
    tag_fields:
      instance: [Name, team]

- name: Stop logging these VPCs to the group (flow logs to other destinations stay)
  flowlogs.aws.vpc_flow_log:
    state: absent
    resource_ids: [vpc-0a1b2c3d4e5f60718]
    log_group_name: vpc-flow-logs
"""

RETURN = r"""
aws_stats:
  description: AWS API calls this task made, and how many retries (throttling, transient errors) botocore needed.
  returned: always
  type: dict
  sample: {calls: 4, retries: 0}
flow_logs:
  description: One entry per resource, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    resource_id:
      description: The resource.
      type: str
      sample: vpc-0a1b2c3d4e5f60718
    action:
      description:
        - V(created), V(replaced), V(unchanged), V(updated) (tags changed or duplicates removed),
          V(deleted), or V(failed) (see RV(flow_logs[].error)).
      type: str
      sample: replaced
    flow_log_id:
      description: ID of the resource's flow log to the destination after the run (null in check mode for a new one).
      type: str
      sample: fl-0123456789abcdef0
    before:
      description: The resource's flow logs to this destination before the run.
      type: list
      elements: dict
    after:
      description: The resource's flow log to this destination after the run (predicted in check mode).
      type: dict
    removed_flow_log_ids:
      description: Flow logs deleted (or to be deleted in check mode) on this resource.
      type: list
      elements: str
    changed_fields:
      description: For V(replaced), the settings that differed.
      type: list
      elements: str
      sample: [traffic_type]
    error:
      description: For V(failed), AWS's error code and message.
      type: dict
      returned: on failure
counts:
  description: How many resources got each action, and C(total).
  returned: always
  type: dict
  sample: {created: 2, replaced: 1, updated: 0, unchanged: 5, deleted: 0, failed: 0, total: 8}
failures:
  description: The resources that failed, with AWS's error code and message.
  returned: always
  type: list
  elements: dict
  sample: [{resource_id: vpc-0a1b2c3d4e5f60718, code: InvalidVpcID.NotFound, message: "The vpc ID does not exist"}]
role_retries:
  description: How many times creation waited for the delivery role to become assumable.
  returned: always
  type: int
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import CONNECTION_ARGSPEC
from ansible_collections.flowlogs.aws.plugins.module_utils._core.module_runner import run_module
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.converge import converge_flow_logs

ARGUMENT_SPEC = dict(
    CONNECTION_ARGSPEC,
    state=dict(type="str", choices=["present", "absent"], default="present"),
    resource_type=dict(
        type="str",
        choices=[
            "VPC",
            "Subnet",
            "NetworkInterface",
            "TransitGateway",
            "TransitGatewayAttachment",
            "RegionalNatGateway",
        ],
        default="VPC",
    ),
    resource_ids=dict(type="list", elements="str", required=True),
    traffic_type=dict(type="str", choices=["ACCEPT", "REJECT", "ALL"]),
    destination_type=dict(
        type="str", choices=["cloud-watch-logs", "s3", "kinesis-data-firehose"], default="cloud-watch-logs"
    ),
    log_group_name=dict(type="str"),
    deliver_logs_role_arn=dict(type="str"),
    log_destination=dict(type="str"),
    deliver_cross_account_role=dict(type="str"),
    max_aggregation_interval=dict(type="int", choices=[60, 600]),
    log_format=dict(type="str"),
    destination_options=dict(
        type="dict",
        options=dict(
            file_format=dict(type="str", choices=["plain-text", "parquet", "plain"], default="plain-text"),
            hive_compatible_partitions=dict(type="bool", default=False),
            per_hour_partition=dict(type="bool", default=False),
        ),
    ),
    tag_fields=dict(
        type="dict",
        options=dict(
            instance=dict(type="list", elements="str"),
            network_interface=dict(type="list", elements="str"),
            auto_scaling_group=dict(type="list", elements="str"),
        ),
    ),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, converge_flow_logs)


if __name__ == "__main__":
    main()
