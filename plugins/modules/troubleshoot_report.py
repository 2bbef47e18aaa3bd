#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: troubleshoot_report
short_description: Write the troubleshooting report of the flowlogs.aws.flow_logs role's troubleshoot entry point
version_added: 1.1.0
description:
  - Turns the answer of every target of the C(troubleshoot) entry point of the P(flowlogs.aws.flow_logs#role) role
    (its C(flow_logs_troubleshoot_result), see M(flowlogs.aws.flow_logs_troubleshoot)) into one report - the
    question, per target the verdict, the flows and the reasons - with one verdict for all, the most telling of the
    targets' (V(rejected) > V(accepted_no_reply) > V(accepted) > V(no_records)).
  - Writes C(flowlogs-troubleshoot.json) (machine-readable) and C(flowlogs-troubleshoot.txt) (the table) into
    O(dest), prints the table and returns it.
  - Without O(targets), the report covers exactly the hosts of the play it runs in that ran the entry point, and
    every host of the play that failed before it could record an answer. Run it once (C(run_once)) in the C(always)
    section of a block around the role, as the C(troubleshoot_flowlogs) playbook does, so that it is written
    whatever failed.
  - It makes no AWS call and is not part of the C(flowlogs.aws.flowlogs) action group.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  targets:
    description:
      - The entries to report on instead of the play's hosts, each with keys C(target) (inventory host), C(region),
        C(account_id) and C(result) - the host's C(flow_logs_troubleshoot_result), or null for a host that stopped
        before it recorded one.
    type: list
    elements: dict
  dest:
    description: Directory for the report files. Defaults to the current directory.
    type: path
  print_summary:
    description: Print the table.
    type: bool
    default: true
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: In check mode the report is built and returned but no file is written.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description: When run twice in a row with the same arguments, the second invocation indicates no change.
    support: full
    details: The files are rewritten (with a new timestamp) on every run; that is never reported as a change.
notes:
  - Runs on the controller when the connection is local (as in the playbook), in the worker process.
seealso:
  - module: flowlogs.aws.flow_logs_troubleshoot
  - module: flowlogs.aws.fleet_report
"""

EXAMPLES = r"""
- name: Why can't 10.0.1.25 reach 52.219.204.42 on port 443? Every target, then one report
  hosts: all
  gather_facts: false
  tasks:
    - name: Read the flow logs, then report
      block:
        - name: Flow-log records of this target
          ansible.builtin.import_role:
            name: flowlogs.aws.flow_logs
            tasks_from: troubleshoot
            rolespec_validate: false
          vars:
            flow_logs_query_src: 10.0.1.25
            flow_logs_query_dst: 52.219.204.42
            flow_logs_query_port: 443
      always:
        - name: Troubleshooting report
          flowlogs.aws.troubleshoot_report:
            dest: /var/tmp/flowlogs
          run_once: true
          tags: [always]
"""

RETURN = r"""
report:
  description: The report, as written to C(flowlogs-troubleshoot.json).
  returned: always
  type: dict
  contains:
    query:
      description: The question (of the first target that recorded one).
      type: dict
    verdict:
      description: The most telling verdict of the targets' (V(rejected) > V(accepted_no_reply) > V(accepted) >
        V(no_records)).
      type: str
    targets:
      description:
        - Per target - C(target), C(account_id), C(region), C(verdict), C(records), C(flows), C(reasons),
          C(log_groups), C(error), as M(flowlogs.aws.flow_logs_troubleshoot) returns them.
      type: list
      elements: dict
    totals:
      description: Targets, failed targets, matched records and AWS API calls over all targets.
      type: dict
verdict:
  description: The report's verdict.
  returned: always
  type: str
  sample: accepted_no_reply
table:
  description: The table, one line per element.
  returned: always
  type: list
  elements: str
files:
  description: The files written (none in check mode).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.report import write_report

ARGUMENT_SPEC = dict(
    targets=dict(type="list", elements="dict"),
    dest=dict(type="path"),
    print_summary=dict(type="bool", default=True),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    found = write_report(module.params["targets"] or [], module.params["dest"], check_mode=module.check_mode)
    module.exit_json(**found)


if __name__ == "__main__":
    main()
