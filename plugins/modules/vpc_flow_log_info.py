#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_flow_log_info
short_description: Find VPCs, their flow logs and delivery status, and judge each against a desired spec
version_added: 1.0.0
description:
  - Lists the VPCs of a region (all of them, or by ids or EC2 filters such as tags) with their flow logs,
    C(deliver_logs_status) and C(deliver_logs_error_message).
  - Gives each VPC a verdict against the desired flow log described by the options -
    V(compliant), V(missing), V(mismatched) (with the fields that differ), or V(delivery_failed) with a likely
    cause, for example a delivery role that trusts C(ec2.amazonaws.com) instead of C(vpc-flow-logs.amazonaws.com),
    a log group that does not exist, or a bucket policy that does not let the account deliver.
  - Only reads; never changes anything.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  vpc_ids:
    description: Only these VPCs. When unset, every VPC that matches O(filters).
    type: list
    elements: str
  filters:
    description:
      - 'EC2 DescribeVpcs filters, for example C({"tag:environment": "prod"}) or C({"is-default": "false"}).'
      - A value may be a string or a list of strings.
    type: dict
  exclude_vpc_ids:
    description: VPCs to leave out.
    type: list
    elements: str
  destination_type:
    description: Destination type of the desired flow log.
    type: str
    choices: [cloud-watch-logs, s3, kinesis-data-firehose]
    default: cloud-watch-logs
  log_group_name:
    description: Log group of the desired flow log. When unset, any log group counts.
    type: str
  log_destination:
    description: ARN of the desired S3 or Firehose destination. When unset, any destination of the type counts.
    type: str
  traffic_type:
    description: Traffic type of the desired flow log.
    type: str
    choices: [ACCEPT, REJECT, ALL]
    default: ALL
  deliver_logs_role_arn:
    description: Delivery role of the desired flow log. When unset, not compared.
    type: str
  max_aggregation_interval:
    description: Aggregation interval of the desired flow log. When unset, not compared.
    type: int
    choices: [60, 600]
  log_format:
    description: Log format of the desired flow log. When unset, not compared.
    type: str
  destination_options:
    description:
      - Options of the desired V(s3) flow log, as M(flowlogs.aws.vpc_flow_log) takes them. When unset, not compared;
        when set, a flow log with other options is V(mismatched), as vpc_flow_log would replace it.
    type: dict
    version_added: 1.1.0
    suboptions:
      file_format:
        description: Format of the log files (V(plain) is read as V(plain-text)).
        type: str
        choices: [plain-text, parquet, plain]
        default: plain-text
      hive_compatible_partitions:
        description: Hive-compatible prefixes.
        type: bool
        default: false
      per_hour_partition:
        description: Partitions per hour instead of per day.
        type: bool
        default: false
  check_delivery:
    description:
      - For flow logs whose delivery failed, look up their delivery role and log group (same account only) to name
        the likely cause. Needs C(iam:GetRole) (the role), and C(logs:DescribeLogGroups) and
        C(logs:ListTagsForResource) (the log group); without them the reason is AWS's own error message.
      - For flow logs to S3, read the bucket policy and object ownership of the bucket (C(s3:GetBucketPolicy),
        C(s3:GetBucketOwnershipControls)) and name what in them stands in the way - no statement for
        C(delivery.logs.amazonaws.com), the account outside the C(aws:SourceAccount) / C(aws:SourceOrgID) scope, a
        prefix the policy does not cover, an C(s3:x-amz-acl) condition on a bucket with ACLs disabled, an explicit
        Deny. Only the bucket owner's account may read a bucket policy; for a bucket in another account the reason
        says it could not be read.
    type: bool
    default: true
  check_role_privileges:
    description:
      - Read the delivery roles (this account's) of the flow logs to the desired destination and report in
        RV(delivery_roles) - and in a warning - what each grants beyond delivery (a hand-made role often has C(logs:*)
        on C(*)). Needs C(iam:ListRolePolicies), C(iam:GetRolePolicy) and C(iam:ListAttachedRolePolicies).
    type: bool
    default: true
    version_added: 1.1.0
extends_documentation_fragment:
  - flowlogs.aws.connection
  - flowlogs.aws.attributes.INFO_MODULE
seealso:
  - module: flowlogs.aws.vpc_flow_log
"""

EXAMPLES = r"""
- name: Audit every VPC of the region against the fleet standard
  flowlogs.aws.vpc_flow_log_info:
    region: eu-west-1
    log_group_name: vpc-flow-logs
    traffic_type: ALL
  register: audit

- name: Show the VPCs that are not compliant
  ansible.builtin.debug:
    msg: "{{ item.vpc_id }}: {{ item.verdict }} ({{ item.reason }})"
  loop: "{{ audit.vpcs | rejectattr('verdict', 'eq', 'compliant') }}"

- name: Production VPCs only, except one
  flowlogs.aws.vpc_flow_log_info:
    filters:
      "tag:environment": prod
    exclude_vpc_ids: [vpc-0a1b2c3d4e5f60718]
"""

RETURN = r"""
aws_stats:
  description: AWS API calls this task made, and how many retries (throttling, transient errors) botocore needed.
  returned: always
  type: dict
  sample: {calls: 4, retries: 0}
vpcs:
  description: The VPCs found, sorted by id, each with its flow logs and verdict.
  returned: always
  type: list
  elements: dict
  contains:
    vpc_id:
      description: VPC id.
      type: str
      sample: vpc-0a1b2c3d4e5f60718
    name:
      description: Value of the C(Name) tag.
      type: str
    cidr_block:
      description: Primary IPv4 CIDR block.
      type: str
    is_default:
      description: Whether this is the region's default VPC.
      type: bool
    owner_id:
      description: Account that owns the VPC.
      type: str
    state:
      description: VPC state.
      type: str
    tags:
      description: Tags of the VPC.
      type: dict
    flow_logs:
      description: Every flow log of the VPC, any destination, with its delivery status and error message.
      type: list
      elements: dict
    verdict:
      description:
        - V(compliant), V(missing), V(mismatched), V(delivery_failed), or V(not_owned) for a VPC another account
          shares into this one (AWS RAM) - only its owner can create flow logs on it, so it is never converged.
      type: str
      sample: delivery_failed
    reason:
      description: Why, in words.
      type: str
      sample: delivery role flowlogsRole trusts ec2.amazonaws.com, not vpc-flow-logs.amazonaws.com
    mismatched_fields:
      description: For V(mismatched), the settings that differ from the desired ones.
      type: list
      elements: str
      sample: [traffic_type]
account_id:
  description: The account the credentials resolve to (after O(assume_role_arn)).
  returned: always
  type: str
  sample: "111111111111"
region:
  description: The region that was read.
  returned: always
  type: str
  sample: eu-west-1
counts:
  description: How many VPCs got each verdict, and C(total).
  returned: always
  type: dict
  sample: {compliant: 3, missing: 1, mismatched: 1, delivery_failed: 0, not_owned: 0, total: 5}
delivery_roles:
  description: With O(check_role_privileges), each delivery role of this account the flow logs use, and what it grants
    beyond delivery (empty for a least-privilege role).
  returned: when O(check_role_privileges=true)
  type: list
  elements: dict
  sample:
    - arn: arn:aws:iam::111111111111:role/flowlogsRole
      excess_privileges: ["inline policy p allows logs:* on *"]
  version_added: 1.1.0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import CONNECTION_ARGSPEC
from ansible_collections.flowlogs.aws.plugins.module_utils._core.module_runner import run_module
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import audit_vpcs

ARGUMENT_SPEC = dict(
    CONNECTION_ARGSPEC,
    vpc_ids=dict(type="list", elements="str"),
    filters=dict(type="dict"),
    exclude_vpc_ids=dict(type="list", elements="str"),
    destination_type=dict(
        type="str", choices=["cloud-watch-logs", "s3", "kinesis-data-firehose"], default="cloud-watch-logs"
    ),
    log_group_name=dict(type="str"),
    log_destination=dict(type="str"),
    traffic_type=dict(type="str", choices=["ACCEPT", "REJECT", "ALL"], default="ALL"),
    deliver_logs_role_arn=dict(type="str"),
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
    check_delivery=dict(type="bool", default=True),
    check_role_privileges=dict(type="bool", default=True),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, audit_vpcs)


if __name__ == "__main__":
    main()
