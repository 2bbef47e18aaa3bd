#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: flow_logs_preflight
short_description: Check the variables of the flowlogs.aws.flow_logs role before any AWS call
version_added: 1.0.0
description:
  - Checks the variables of the P(flowlogs.aws.flow_logs#role) role with the same rules the modules apply (regions,
    account IDs, ARNs, retention, traffic type, interval, log format, destinations, VPC ids, alarms) and fails
    listing every problem at once, each naming the variable and what it accepts.
  - The role runs it first on every target. Run it yourself to check an inventory without touching AWS.
  - Makes no AWS call. Not part of the C(flowlogs.aws.flowlogs) action group.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  variables:
    description:
      - The role variables, as a dictionary of C(flow_logs_*) names to values, as the role would see them
        (its defaults included) - a variable the chosen destination needs is a problem when it is missing.
    type: dict
    required: true
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description: When run twice in a row with the same arguments, the second invocation indicates no change.
    support: full
notes:
  - Runs on the controller when the connection is local (as in the role), in the worker process.
seealso:
  - plugin: flowlogs.aws.flow_logs_problems
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Check every target of an inventory without any AWS call
  flowlogs.aws.flow_logs_preflight:
    variables:
      flow_logs_region: "{{ flow_logs_region }}"
      flow_logs_state: present
      flow_logs_account_id: "{{ flow_logs_account_id | default(none) }}"
      flow_logs_assume_role_arn: "{{ flow_logs_assume_role_arn | default(none) }}"
      flow_logs_retention_in_days: 90
      flow_logs_traffic_type: ALL
"""

RETURN = r"""
problems:
  description: Problems found (none when the module succeeds; on failure C(msg) lists them, joined by C(; )).
  returned: success
  type: list
  elements: str
  sample: []
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.flowlogs.aws.plugins.module_utils._role_variables import converge_preflight, flow_logs_problems

ARGUMENT_SPEC = dict(
    variables=dict(type="dict", required=True),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    problems = flow_logs_problems(module.params["variables"])
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)
    module.exit_json(**converge_preflight(None, module.params))


if __name__ == "__main__":
    main()
