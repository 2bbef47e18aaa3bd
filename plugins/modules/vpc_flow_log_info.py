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
  check_deletion_protection:
    description:
      - Read the log group of each CloudWatch Logs flow log (this account's, once each, one
        C(logs:DescribeLogGroups)) and return in RV(log_groups) whether it is protected from deletion - someone who
        deletes a flow-log group erases the audit trail (see
        O(flowlogs.aws.flow_log_group#module:deletion_protection)).
    type: bool
    default: false
    version_added: 2.0.0
  check_arrival:
    description:
      - >-
        Prove that each flow log's records arrive, from its destination, read-only and without reading a record - the
        log streams of a CloudWatch Logs group (named after the network interfaces, newest C(lastIngestionTime)), the
        newest files of the flow log under its S3 prefix (plain, Hive-compatible and per-hour layouts), a Firehose
        stream's C(IncomingRecords) metric - and give it an C(arrival) verdict in RV(vpcs[].flow_logs).
      - >-
        V(delivering) - a record within O(delivery_window). V(silent) - ACTIVE and nothing in the window, with the
        likely cause (C(no_interfaces) and C(new_flow_log) are not problems; C(delivery_problem) names what the
        delivery checks found wrong with the role, the log group or the bucket policy; else C(unknown)).
        V(failed) - C(DeliverLogsStatus) FAILED, with AWS's error. V(unreadable) - another account's destination
        (naming the account that can read it) or a read AWS refused.
      - >-
        Also measures each destination's bytes per day (C(IncomingBytes) of log groups and Firehose streams over the
        last 7 complete days; S3 file sizes of the last complete day) and estimates its monthly cost from the
        collection's price table (see O(price_table)), and what S3 in Parquet would cost instead, in
        RV(arrival).
      - >-
        Needs C(ec2:DescribeNetworkInterfaces), C(logs:DescribeLogStreams), C(s3:ListBucket) on the flow logs'
        buckets and C(cloudwatch:GetMetricData); a refused read makes the flow logs behind it V(unreadable), with a
        warning. The calls per target are listed on the arrival page of the documentation.
    type: bool
    default: false
    version_added: 2.0.0
  delivery_window:
    description:
      - How recent a record must be, in minutes, to prove delivery (10 to 1440). Flow logs aggregate for up to 10
        minutes and take a few more on the way.
    type: int
    default: 30
    version_added: 2.0.0
  price_table:
    description:
      - >-
        Prices merged over the collection's price table (us-east-1, USD, with the date the prices were read and
        their sources, which RV(arrival) repeats under C(prices)), section by section - C(cloudwatch_logs)
        (C(ingestion_tiers), C(storage_per_gb_month), C(stored_fraction)), C(s3) (C(ingestion_tiers),
        C(parquet_per_gb), C(storage_per_gb_month), C(gzip_fraction), C(parquet_fraction)), C(firehose)
        (C(ingestion_tiers)) - and C(region), C(currency), C(read_on), C(notes).
      - C(ingestion_tiers) is a list of C([gigabytes, price per GB]) pairs, the last C([null, price]).
    type: dict
    version_added: 2.0.0
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

- name: Prove that the flow logs deliver, and what they cost
  flowlogs.aws.vpc_flow_log_info:
    region: eu-west-1
    check_arrival: true
    delivery_window: 30
    price_table:
      region: eu-west-1
      s3: {storage_per_gb_month: 0.024}
  register: audit

- name: Fail on a flow log that does not deliver for a reason that needs fixing
  ansible.builtin.assert:
    that: audit.arrival.counts.problems == 0
    fail_msg: >-
      {{ audit.vpcs | map(attribute='flow_logs') | flatten | selectattr('arrival')
         | selectattr('arrival.problem') | map(attribute='arrival.reason') | list }}
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
      description:
        - Every flow log of the VPC, any destination, with its delivery status and error message.
        - >-
          With O(check_arrival), each has C(arrival) - C(verdict) (V(delivering), V(silent), V(failed),
          V(unreadable)), C(cause) (for V(silent) - V(no_interfaces), V(new_flow_log), V(delivery_problem),
          V(unknown); V(aws_error) for V(failed); V(other_account), V(access_denied), V(read_error) for
          V(unreadable)), C(problem) (whether it needs a fix), C(reason) in words, C(last_record_at),
          C(minutes_ago), C(source) (the log stream, S3 object or metric that showed it), C(readable_by) and
          C(window_minutes) - or null for a flow log whose arrival cannot be judged (a transit gateway's to
          CloudWatch Logs, whose streams do not name network interfaces).
      type: list
      elements: dict
      sample:
        - flow_log_id: fl-0a1b2c3d4e5f60718
          log_destination_type: cloud-watch-logs
          log_group_name: vpc-flow-logs
          deliver_logs_status: SUCCESS
          arrival:
            verdict: delivering
            cause: null
            problem: false
            reason: records arrived 4 minutes ago (log stream eni-0a1b2c3d4e5f60718-all)
            last_record_at: "2026-11-22T09:56:00Z"
            minutes_ago: 4
            source: log stream eni-0a1b2c3d4e5f60718-all
            readable_by: null
            window_minutes: 30
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
log_groups:
  description: With O(check_deletion_protection), the log groups the CloudWatch Logs flow logs deliver to.
  returned: when O(check_deletion_protection=true)
  type: list
  elements: dict
  version_added: 2.0.0
  sample: [{name: vpc-flow-logs, exists: true, deletion_protection: true}]
  contains:
    name:
      description: The log group's name.
      type: str
    exists:
      description: Whether the log group exists (a flow log whose group was deleted delivers nowhere).
      type: bool
    deletion_protection:
      description: Whether the log group is protected from deletion; null when it does not exist.
      type: bool
arrival:
  description:
    - >-
      With O(check_arrival) - C(counts) (flow logs by verdict, C(silent_by_cause), C(problems), C(total)),
      C(destinations) (each destination with C(bytes_per_day), C(days_sampled), C(partial), C(source),
      C(monthly_cost) and C(s3_parquet_monthly_cost) as C(ingestion), C(conversion), C(storage) and C(total)),
      C(bytes_per_day), C(monthly_cost) and C(s3_parquet_monthly_cost) over the destinations, C(prices) (the price
      table's C(region), C(currency), C(read_on), C(verified), C(sources) and C(notes)), C(window_minutes),
      C(checked_at), C(api_calls) (the calls the check made) and C(errors) (reads AWS refused, also warned about).
    - Costs are estimates for a 730-hour month; see the notes of the price table.
  returned: when O(check_arrival=true)
  type: dict
  version_added: 2.0.0
  sample:
    counts: {delivering: 3, silent: 1, failed: 0, unreadable: 0, total: 4, silent_by_cause: {no_interfaces: 1},
             problems: 0}
    destinations:
      - destination: logs:vpc-flow-logs
        type: cloud-watch-logs
        bytes_per_day: 1288490188
        days_sampled: 7
        monthly_cost: {ingestion: 18.25, conversion: 0.0, storage: 0.16, total: 18.41}
        s3_parquet_monthly_cost: {ingestion: 9.12, conversion: 1.28, storage: 0.1, total: 10.5}
    bytes_per_day: 1288490188
    monthly_cost: 18.41
    s3_parquet_monthly_cost: 10.5
    window_minutes: 30
    api_calls: 4
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
    check_arrival=dict(type="bool", default=False),
    check_deletion_protection=dict(type="bool", default=False),
    delivery_window=dict(type="int", default=30),
    price_table=dict(type="dict"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, audit_vpcs)


if __name__ == "__main__":
    main()
