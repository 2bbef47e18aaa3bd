#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_logs_result
short_description: The result of one target of the flowlogs.aws.flow_logs role
version_added: 2.0.0
description:
  - >-
    The last task of the P(flowlogs.aws.flow_logs#role) role and of each of its entry points, per host (tagged
    C(always) and C(flow_logs_result)): the result of the target - one AWS account in one region - after the role's
    phases, which the role registers as C(flow_logs_result) and M(flowlogs.aws.fleet_report) turns into the fleet
    report. A target that failed in a phase fails its host here, with the phase and the cause.
  - >-
    The role's phase tasks (M(flowlogs.aws.flow_logs_discover), M(flowlogs.aws.flow_logs_delivery),
    M(flowlogs.aws.flow_logs_converge), M(flowlogs.aws.flow_logs_monitor)) are C(run_once) - each runs its phase for
    every target of the play's batch, in threads of one worker, as many at a time as C(--forks) - and keep what each
    target's phase found in the run's temporary directory. This task reads it, and shows each target's warnings and
    diffs.
  - >-
    A phase the run's tags select that did not run on this target - a host with another connection than local, with
    C(flow_logs_batch=false), a C(when) false on the first host of the batch - runs here first, for this target
    alone, as the phase task would have.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  tasks:
    description:
      - The role's phases this task reports on, in order; those missing on the target run here first. The role's main
        entry point has all four; the entry points C(discover), C(converge), C(monitor) their own.
    type: list
    elements: str
    choices: [discover, delivery, converge, monitor]
    default: [discover, delivery, converge, monitor]
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The diffs of every phase of the target, each with a header.
  idempotent:
    description: When run twice in a row with the same arguments, the second invocation indicates no change.
    support: full
notes:
  - Runs on the controller only, in Ansible's worker process; a phase run here for a host with another connection
    runs the phase's module on the host.
seealso:
  - module: flowlogs.aws.flow_logs_discover
  - module: flowlogs.aws.flow_logs_delivery
  - module: flowlogs.aws.flow_logs_converge
  - module: flowlogs.aws.flow_logs_monitor
  - module: flowlogs.aws.fleet_report
"""

EXAMPLES = r"""
# The flowlogs.aws.flow_logs role runs it last, per host:
- name: Result of the target
  flowlogs.aws.flow_logs_result:
  register: flow_logs_result
"""

RETURN = r"""
result_version:
  description: Version of this result's layout; it changes only when a key changes meaning or goes away.
  returned: always
  type: int
  sample: 1
target:
  description: The inventory host.
  returned: always
  type: str
  sample: prod-eu-west-1
account_id:
  description:
    - The account the target is configured for (its C(flow_logs_account_id) variable), else the account its
      credentials resolve to. A target whose credentials reached another account names both in its error.
  returned: always
  type: str
  sample: "111111111111"
region:
  description: The target's region.
  returned: always
  type: str
  sample: eu-west-1
state:
  description: V(present) (enable, audit) or V(absent) (disable).
  returned: always
  type: str
check_mode:
  description: True when nothing was changed (check mode) - the actions are predictions.
  returned: always
  type: bool
phases:
  description: The phases that ran, over the target's tasks so far.
  returned: always
  type: list
  elements: str
status:
  description:
    - V(changed), V(unchanged), V(failed), or V(denied) - a guardrail of the organisation (an explicit deny of a
      service control policy, a region not enabled for the account) refuses the target by design; see C(denial) and
      the role variable C(flow_logs_on_denied).
  returned: always
  type: str
  sample: changed
denial:
  description: For a V(denied) target, the C(cause) (which guardrail, in AWS's words) and the C(fix); null otherwise.
  returned: always
  type: dict
  version_added: 2.0.0
  sample: {cause: "ec2:DescribeVpcs denied by a service control policy of the organisation", fix: "..."}
error:
  description: Why the target failed (null when it did not), naming the variable or the AWS call, account and region.
  returned: always
  type: str
aws_error:
  description:
    - When an AWS call failed the target - the call (C(operation)), AWS's C(code) and C(message), the C(account) and
      C(region), and what AWS's answer says - C(cause), C(fix), C(missing_permission) (only the one AWS named),
      C(denied). An encoded authorization failure message is left out (the modules, M(flowlogs.aws.vpc_flow_log)
      for one, keep it). Null otherwise.
  returned: always
  type: dict
  version_added: 2.0.0
  sample: {operation: "ec2:CreateFlowLogs", code: UnauthorizedOperation, missing_permission: "iam:PassRole"}
failed_phase:
  description:
    - The phase that failed - V(preflight), V(connect) (credentials, assume role, account check), V(discover),
      V(delivery), V(converge), V(alarms), V(analysis) - or null.
  returned: always
  type: str
delivery:
  description:
    - What happened to the delivery role, the log group and the alarms, with C(notes) in words.
    - C(analysis) (when the analysis phase ran) - C(saved_queries), C(insight_rules), C(athena_tables)
      (C(database.table)), C(changed) and C(actions).
    - C(buckets) (with S3 destinations) - per bucket, C(bucket), C(policy_read) (whether these credentials could
      read its policy) and C(problems) (why delivery would likely fail, in words; empty when nothing was found).
  returned: always
  type: dict
  sample:
    role:
      name: vpc-flow-logs-delivery
      changed: true
      actions: [update_trust_policy]
      principals_before: [ec2.amazonaws.com]
    log_group: {name: vpc-flow-logs, retention_in_days: 90, changed: true, actions: [put_retention_policy]}
    notes: ["role trust fixed (ec2.amazonaws.com -> vpc-flow-logs.amazonaws.com)", "retention set to 90 days"]
vpcs:
  description:
    - Per resource and destination - the verdict before, the action, the verdict after, and the error of a failed one.
    - Each row has C(vpc_id) (the resource's id, whatever its type), C(resource_id), C(resource_type) and
      C(destination) (for example C(logs:vpc-flow-logs) or C(s3:central-flow-logs/network)).
    - In a compact result (see C(compact)) only the rows that fit, failed ones first.
  returned: always
  type: list
  elements: dict
arrival:
  description:
    - >-
      The target's proof of delivery, read in the discovery (role variable C(flow_logs_check_arrival); unset, only in
      check mode - an audit - or with C(flow_logs_require_arrival)); null when it was not checked.
    - >-
      C(counts) (flow logs by verdict - V(delivering), V(silent), V(failed), V(unreadable) - C(silent_by_cause),
      C(problems), C(total)), C(destinations) (each with C(bytes_per_day), C(days_sampled), C(source),
      C(monthly_cost) and C(s3_parquet_monthly_cost)), C(bytes_per_day), C(monthly_cost),
      C(s3_parquet_monthly_cost), C(prices) (the price table's region, currency, date, sources and notes),
      C(window_minutes), C(require_arrival), C(api_calls) and C(errors).
    - >-
      Each row of C(vpcs) has C(arrival) - the verdict of its flow log to the row's destination (C(verdict),
      C(cause), C(problem), C(reason), C(last_record_at), C(minutes_ago), C(source), C(readable_by),
      C(window_minutes)), null when not checked or when there is none there - and each flow log of its
      C(before.flow_logs) its own.
  returned: always
  type: dict
  version_added: 2.0.0
  sample:
    counts: {delivering: 3, silent: 1, failed: 0, unreadable: 0, total: 4, silent_by_cause: {no_interfaces: 1},
             problems: 0}
    bytes_per_day: 1288490188
    monthly_cost: 18.41
    s3_parquet_monthly_cost: 10.5
    window_minutes: 30
    require_arrival: false
counts:
  description:
    - Rows per action; C(resources) and C(vpcs) (distinct resources, and VPCs among them); C(compliant_before) and
      C(compliant_after) (resources compliant at every destination); the AWS API calls (and botocore retries) made.
    - C(role_waits) and C(role_wait_seconds) - the CreateFlowLogs retries, and the seconds slept, while VPC Flow Logs
      could not assume a new delivery role yet (IAM propagation); 0 when nothing waited.
  returned: always
  type: dict
  sample: {resources: 3, vpcs: 3, created: 2, replaced: 1, updated: 0, deleted: 0, unchanged: 0, failed: 0, not_run: 0,
           compliant_before: 0, compliant_after: 3, api_calls: 12, api_retries: 0, role_waits: 2, role_wait_seconds: 6}
compact:
  description:
    - >-
      Only when the result as the role registers it would be over the role variable C(flow_logs_result_max_bytes) of
      JSON (AWX drops the result data of an event over 700,000 bytes) - then C(vpcs) has only the rows that fit,
      failed ones first, a big C(diff) is left out, and this says so - C(bytes) (of the whole result), C(max_bytes),
      C(rows), C(rows_kept), C(rows_key) and a C(note). C(counts) and every other key count and say everything.
    - >-
      The rows left out stay on the controller until the end of the run: M(flowlogs.aws.fleet_report) in the same run
      reports every row.
  returned: when compact
  type: dict
  version_added: 2.0.0
  sample: {bytes: 1666054, max_bytes: 250000, rows: 1500, rows_kept: 223, rows_key: [result-rows, t-1-us-east-1, 5f0c],
           note: "223 of 1500 rows (vpcs) kept: ..."}
"""

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    tasks=dict(
        type="list",
        elements="str",
        choices=["discover", "delivery", "converge", "monitor"],
        default=["discover", "delivery", "converge", "monitor"],
    )
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="flowlogs.aws.flow_logs_result runs on the controller only, as the last task of the role")


if __name__ == "__main__":
    main()
