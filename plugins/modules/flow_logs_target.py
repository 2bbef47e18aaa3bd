#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_logs_target
short_description: Converge one target of the flowlogs.aws.flow_logs role in one task
version_added: 1.1.0
description:
  - The one task of the P(flowlogs.aws.flow_logs#role) role. It converges one target - one AWS account in one
    region - from the role's C(flow_logs_*) variables, in the order the role documents - preflight (every variable
    checked before any AWS call), discovery of the VPCs with a verdict for each, delivery role and log group, one
    batched flow-log converge, alarms - and returns the target's result, which the role registers as
    C(flow_logs_result) and the P(flowlogs.aws.fleet_report#module) module turns into the fleet report.
  - Each step is the converge of the module of the same name (M(flowlogs.aws.vpc_flow_log_info),
    M(flowlogs.aws.flow_log_role), M(flowlogs.aws.flow_log_group), M(flowlogs.aws.vpc_flow_log),
    M(flowlogs.aws.flow_log_alarms)), with the same rules and messages.
  - Run by the role without options - it reads the target's variables itself, converts them as the role's argument
    specification says (so C(-e flow_logs_retention_in_days=30) is the number 30) and refuses a C(flow_logs_*)
    variable the role does not know, naming the closest known one. A variable whose value has the wrong type or is
    not allowed fails the target before any AWS call, named by the variable.
  - The phase tags select or skip its phases - C(flow_logs_preflight), C(flow_logs_discover), C(flow_logs_delivery),
    C(flow_logs_converge), C(flow_logs_alarms), C(flow_logs_analysis); C(flow_logs) selects them all.
  - With a non-local connection the variables are converted on the controller and the module runs on the remote host
    with O(variables).
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  variables:
    description:
      - The role's variables, already converted. Set by the action on the controller; not for use in playbooks.
    type: dict
    required: true
  target:
    description: Name of the target in the result (the inventory host).
    type: str
  phases:
    description: The phases to run, in their fixed order.
    type: list
    elements: str
    choices: [preflight, discover, delivery, converge, alarms, analysis]
    default: [preflight, discover, delivery, converge, alarms, analysis]
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
  - Runs on the controller when the connection is local (as in the role), in the worker process.
seealso:
  - module: flowlogs.aws.fleet_report
  - module: flowlogs.aws.vpc_flow_log
"""

EXAMPLES = r"""
# The flowlogs.aws.flow_logs role runs it as its one task; in a play of your own:
- name: Converge this target from its flow_logs_* variables
  flowlogs.aws.flow_logs_target:
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
  description: The phases that ran.
  returned: always
  type: list
  elements: str
status:
  description: V(changed), V(unchanged) or V(failed).
  returned: always
  type: str
  sample: changed
error:
  description: Why the target failed (null when it did not), naming the variable or the AWS call, account and region.
  returned: always
  type: str
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
  returned: always
  type: list
  elements: dict
counts:
  description:
    - Rows per action; C(resources) and C(vpcs) (distinct resources, and VPCs among them); C(compliant_before) and
      C(compliant_after) (resources compliant at every destination); the AWS API calls (and botocore retries) made.
  returned: always
  type: dict
  sample: {resources: 3, vpcs: 3, created: 2, replaced: 1, updated: 0, deleted: 0, unchanged: 0, failed: 0, not_run: 0,
           compliant_before: 0, compliant_after: 3, api_calls: 12, api_retries: 0}
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.flowlogs.aws.plugins.module_utils._connection import BOTO3_IMPORT_ERROR, HAS_BOTO3, Clients
from ansible_collections.flowlogs.aws.plugins.module_utils._role_variables import connection_options
from ansible_collections.flowlogs.aws.plugins.module_utils._target import PHASES, converge_target

ARGUMENT_SPEC = dict(
    variables=dict(type="dict", required=True),
    target=dict(type="str"),
    phases=dict(type="list", elements="str", choices=list(PHASES), default=list(PHASES)),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    if not HAS_BOTO3:
        module.fail_json(
            msg=missing_required_lib("boto3 and botocore"),
            exception="".join(traceback.format_exception(BOTO3_IMPORT_ERROR)),
        )
    variables = module.params["variables"]
    phases = tuple(p for p in PHASES if p in module.params["phases"])
    result = converge_target(
        Clients(connection_options(variables)),
        variables,
        module.params["target"],
        module.check_mode,
        phases,
        module._diff,
    )
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
