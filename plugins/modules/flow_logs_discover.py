#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_logs_discover
short_description: Check and discover one target of the flowlogs.aws.flow_logs role (read-only)
version_added: 2.0.0
description:
  - >-
    The first task of the P(flowlogs.aws.flow_logs#role) role, tagged C(flow_logs_preflight) and C(flow_logs_discover),
    read-only: every C(flow_logs_*) variable of the target checked before any AWS call, the account checked
    (C(flow_logs_account_id)), then the target's resources of every covered type listed, their flow logs read once,
    and for each resource and destination a verdict - V(compliant), V(missing), V(mismatched) (which field),
    V(delivery_failed) (with a likely cause), V(not_owned) - and what the converge would do.
  - >-
    The role registers the result as C(flow_logs_discovery), so that a task of your own between the discovery and
    the converge can look at it (an approval gate on the number of replacements, say): C(plan) counts what the
    converge would create, replace, update and delete - over every target of the batch in the role, for the one target
    without C(run_once) - C(plan.replacing) lists the resources whose flow log would be replaced, and C(by_target) has
    each target's plan.
  - >-
    In the role it is C(run_once): this one task runs the phase for every target of the play's batch
    (C(ansible_play_batch)) whose C(when) holds, with each target's own variables and task C(environment), in threads
    of one worker, as many at a time as C(--forks); it returns the batch's summary (RV(targets), RV(targets_changed),
    RV(targets_failed), RV(targets_left)), and each target's result comes with the role's last task,
    M(flowlogs.aws.flow_logs_result), per host. A target with another connection than local, or
    C(flow_logs_batch=false), is left to that task. Without C(run_once), or in a play whose strategy is not
    linear (there Ansible runs a C(run_once) task on every host), it runs for the target of its own host and
    returns that target's result.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  variables:
    description:
      - The role's variables, already converted. Set by the role's action on the controller when the module runs on a
        remote host; not for use in playbooks.
    type: dict
    required: true
  target:
    description: Name of the target in the result (the inventory host).
    type: str
  carried:
    description: What the target's previous task of the role left for this one. Set by the role's action.
    type: dict
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: >-
      One diff per step that changes something (delivery role, log group, flow logs, alarms, analysis), each with a
      header.
  idempotent:
    description: When run twice in a row with the same arguments, the second invocation indicates no change.
    support: full
notes:
  - Runs on the controller when the connection is local (as in the role), in the worker process; what the target's
    previous task left for this one is kept in the run's temporary directory. Otherwise the module runs on the host
    with O(variables) and O(carried).
  - Reads the target's C(flow_logs_*) variables itself, converts them as the role's argument specification says (so
    C(-e flow_logs_retention_in_days=30) is the number 30) and refuses a C(flow_logs_*) variable the role does not
    know, naming the closest known one; a problem fails the target in V(preflight), before any AWS call.
seealso:
  - module: flowlogs.aws.flow_logs_delivery
  - module: flowlogs.aws.flow_logs_converge
  - module: flowlogs.aws.flow_logs_monitor
  - module: flowlogs.aws.fleet_report
"""

EXAMPLES = r"""
# The flowlogs.aws.flow_logs role runs it first, once for the play's batch. A gate of your own between the discovery
# and the converge:
- name: Discover the resources and flow logs of every target (read-only)
  flowlogs.aws.flow_logs_discover:
  run_once: true
  register: flow_logs_discovery

- name: Replace at most 10 flow logs in this run without a human
  ansible.builtin.assert:
    that: flow_logs_discovery.plan.replaced <= 10
    fail_msg: >-
      {{ flow_logs_discovery.plan.replaced }} flow logs would be replaced: {{ flow_logs_discovery.plan.replacing }}
  run_once: true
"""

RETURN = r"""
plan:
  description:
    - What the converge would do to the target's resources, counted over every resource type and destination
      (C(created), C(replaced), C(updated), C(deleted), C(unchanged)), and C(replacing), the resources whose flow log
      would be replaced (a drifted setting AWS cannot change in place).
  returned: always
  type: dict
  sample: {created: 2, replaced: 1, updated: 0, deleted: 0, unchanged: 0, replacing: [vpc-0a1b2c3d4e5f60718]}
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
targets:
  description: With C(run_once) (as in the role), how many targets of the play's batch this task ran the phase for.
  returned: with run_once
  type: int
  sample: 340
targets_changed:
  description: With C(run_once), how many of them the phase changed (would change in check mode).
  returned: with run_once
  type: int
  sample: 12
targets_failed:
  description:
    - With C(run_once), the targets that failed (in this phase or before); each fails its host in the role's last task.
  returned: with run_once
  type: list
  elements: str
  sample: [prod-ap-east-1]
targets_left:
  description:
    - With C(run_once), the hosts of the batch left to their own result task (another connection than local,
      C(flow_logs_batch=false)).
  returned: with run_once
  type: list
  elements: str
  sample: []
by_target:
  description:
    - With C(run_once), the discovery only - each target's C(plan) (and C(msg) when it failed), by inventory host;
      empty, with C(compact) saying so, above C(flow_logs_result_max_bytes) of JSON.
  returned: with run_once, discovery
  type: dict
  sample: {prod-eu-west-1: {plan: {created: 2, replaced: 0, updated: 0, deleted: 0, unchanged: 5, replacing: []},
           failed: false}}
"""

from ansible_collections.flowlogs.aws.plugins.module_utils._role.task import MODULE_ARGUMENT_SPEC, run_module

ARGUMENT_SPEC = MODULE_ARGUMENT_SPEC


def main():
    run_module("discover")


if __name__ == "__main__":
    main()
