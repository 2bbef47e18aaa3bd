#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_log_alarms
short_description: CloudWatch alarms on rejected SSH, RDP (or other port) traffic seen in VPC flow logs
version_added: 1.0.0
description:
  - For each rule (by default C(ssh) on TCP port 22 and C(rdp) on TCP port 3389), creates on the flow-log
    group a CloudWatch Logs metric filter counting the C(REJECT) records to that port, and a CloudWatch alarm
    on that metric that notifies an SNS topic.
  - The metric filter, its metric and the alarm are all named C(<name_prefix>-rejected-<rule name>), for
    example C(vpc-flow-logs-rejected-ssh). Filters and alarms under that prefix belong to this module - see
    O(purge_rules).
  - The filter pattern follows the record format of the flow logs, the AWS default format unless
    O(log_format) names a custom one.
  - Every option is validated before any AWS call.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  log_group_name:
    description: The CloudWatch Logs group VPC flow logs deliver to. It must exist for O(state=present).
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the filters and alarms of O(rules).
      - V(absent) deletes every metric filter and alarm named C(<name_prefix>-rejected-*) for this group.
    type: str
    choices: [present, absent]
    default: present
  rules:
    description:
      - The ports to watch. Each rule gets one metric filter and one alarm.
      - When unset, C(ssh) (TCP 22) and C(rdp) (TCP 3389).
    type: list
    elements: dict
    suboptions:
      name:
        description: Short name of the rule, part of the filter, metric and alarm names (a-z A-Z 0-9 _ -).
        type: str
        required: true
      port:
        description: Destination port (0 to 65535).
        type: int
        required: true
      protocol:
        description: Transport protocol.
        type: str
        choices: [tcp, udp]
        default: tcp
  purge_rules:
    description:
      - Delete the filters and alarms named C(<name_prefix>-rejected-*) whose rule is not in O(rules) any more.
    type: bool
    default: true
  sns_topic_arn:
    description:
      - SNS topic the alarms notify when they go into C(ALARM), for example
        C(arn:aws:sns:eu-west-1:111111111111:security-alerts).
      - When unset, the alarms have no action (their state still shows in CloudWatch).
    type: str
  threshold:
    description: Alarm when at least this many rejected records are counted in one period.
    type: int
    default: 1
  period:
    description: Length of one period in seconds, a multiple of 60.
    type: int
    default: 300
  evaluation_periods:
    description: How many consecutive periods must breach the threshold before the alarm fires.
    type: int
    default: 1
  metric_namespace:
    description: CloudWatch namespace of the metrics the filters publish.
    type: str
    default: VPCFlowLogs
  name_prefix:
    description: Prefix of the filter, metric and alarm names. Defaults to O(log_group_name).
    type: str
  log_format:
    description:
      - Record format of the flow logs delivering to the group (space-separated C(${field}) tokens), when not
        the AWS default. It must contain C(${dstport}), C(${protocol}) and C(${action}).
    type: str
  tags:
    description: Tags of the alarms (metric filters have none). When unset, tags are left as they are.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove alarm tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
    type: bool
    default: true
notes:
  - CloudWatch alarms live in the region of the log group; the SNS topic must be in that region too, and its
    access policy must let C(cloudwatch.amazonaws.com) publish.
  - The alarms treat missing data as not breaching, so a quiet network keeps them in C(OK).
extends_documentation_fragment:
  - flowlogs.aws.connection
  - flowlogs.aws.attributes
seealso:
  - module: flowlogs.aws.flow_log_group
  - module: flowlogs.aws.vpc_flow_log
"""

EXAMPLES = r"""
- name: Alarm on rejected SSH and RDP traffic, notify the security team
  flowlogs.aws.flow_log_alarms:
    log_group_name: vpc-flow-logs
    sns_topic_arn: arn:aws:sns:eu-west-1:111111111111:security-alerts

- name: Also watch Telnet and SMB, alarm after 10 rejected records in 5 minutes
  flowlogs.aws.flow_log_alarms:
    log_group_name: vpc-flow-logs
    sns_topic_arn: arn:aws:sns:eu-west-1:111111111111:security-alerts
    threshold: 10
    rules:
      - {name: ssh, port: 22}
      - {name: rdp, port: 3389}
      - {name: telnet, port: 23}
      - {name: smb, port: 445}

- name: Flow logs with a custom record format
  flowlogs.aws.flow_log_alarms:
    log_group_name: vpc-flow-logs
    log_format: "${srcaddr} ${dstaddr} ${dstport} ${protocol} ${action}"

- name: Remove the filters and alarms
  flowlogs.aws.flow_log_alarms:
    log_group_name: vpc-flow-logs
    state: absent
"""

RETURN = r"""
aws_stats:
  description: AWS API calls this task made, and how many retries (throttling, transient errors) botocore needed.
  returned: always
  type: dict
  sample: {calls: 8, retries: 0}
metric_filters:
  description: The module's metric filters on the group after the run (predicted in check mode), by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Filter name, also the metric name.
      type: str
      sample: vpc-flow-logs-rejected-ssh
    log_group_name:
      description: The log group.
      type: str
    pattern:
      description: The filter pattern.
      type: str
      sample: '[version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport="22", protocol="6", packets,
        bytes, start, end, action="REJECT", log_status]'
    metric_name:
      description: Metric the filter publishes.
      type: str
    metric_namespace:
      description: Namespace of the metric.
      type: str
      sample: VPCFlowLogs
    metric_value:
      description: Value published per matching record.
      type: str
      sample: "1"
    default_value:
      description: Value published when no record matches.
      type: float
      sample: 0.0
alarms:
  description: The module's alarms after the run (predicted in check mode), by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Alarm name.
      type: str
      sample: vpc-flow-logs-rejected-ssh
    arn:
      description: Alarm ARN (null for an alarm check mode would create).
      type: str
    description:
      description: Alarm description.
      type: str
    metric_name:
      description: The metric watched.
      type: str
    namespace:
      description: Namespace of the metric.
      type: str
    statistic:
      description: Always C(Sum).
      type: str
    period:
      description: Period in seconds.
      type: int
    evaluation_periods:
      description: Periods evaluated.
      type: int
    threshold:
      description: Threshold, in rejected records per period.
      type: float
    comparison_operator:
      description: Always C(GreaterThanOrEqualToThreshold).
      type: str
    treat_missing_data:
      description: Always C(notBreaching).
      type: str
    actions_enabled:
      description: Whether the alarm runs its actions.
      type: bool
    alarm_actions:
      description: ARNs notified on C(ALARM).
      type: list
      elements: str
    ok_actions:
      description: ARNs notified on C(OK) (kept as they are).
      type: list
      elements: str
    insufficient_data_actions:
      description: ARNs notified on C(INSUFFICIENT_DATA) (kept as they are).
      type: list
      elements: str
    tags:
      description: Tags of the alarm.
      type: dict
actions:
  description: What the run did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [create_metric_filter, create_metric_filter, create_alarm, create_alarm]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.flowlogs.aws.plugins.module_utils._alarms.converge import (
    DEFAULT_NAMESPACE,
    converge_flow_log_alarms,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import CONNECTION_ARGSPEC
from ansible_collections.flowlogs.aws.plugins.module_utils._core.module_runner import run_module

ARGUMENT_SPEC = dict(
    CONNECTION_ARGSPEC,
    log_group_name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    rules=dict(
        type="list",
        elements="dict",
        options=dict(
            name=dict(type="str", required=True),
            port=dict(type="int", required=True),
            protocol=dict(type="str", choices=["tcp", "udp"], default="tcp"),
        ),
    ),
    purge_rules=dict(type="bool", default=True),
    sns_topic_arn=dict(type="str"),
    threshold=dict(type="int", default=1),
    period=dict(type="int", default=300),
    evaluation_periods=dict(type="int", default=1),
    metric_namespace=dict(type="str", default=DEFAULT_NAMESPACE),
    name_prefix=dict(type="str"),
    log_format=dict(type="str"),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, converge_flow_log_alarms)


if __name__ == "__main__":
    main()
