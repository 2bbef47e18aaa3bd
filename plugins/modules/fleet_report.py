#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_report
short_description: Write the fleet report of the flowlogs.aws.flow_logs role
version_added: 1.0.0
description:
  - Turns the result of every target of the P(flowlogs.aws.flow_logs#role) role (its C(flow_logs_result)) into one
    report - per target and per VPC, the state before, the action taken, the state after, delivery status and
    errors - with totals.
  - Writes C(flowlogs-report.json) (machine-readable), C(flowlogs-report.html) (self-contained, an account by region
    grid coloured by status) and C(flowlogs-report.txt) (the summary table) into O(dest), prints the summary table
    and returns it.
  - Without O(targets), the report covers exactly the hosts of the play it runs in that ran the role - what
    C(--limit), the host pattern and C(serial) kept - and every host of the play that failed before the role could
    record a result. Run it once (C(run_once)) in the C(always) section of a block around the role, as the
    C(enable_flowlogs), C(audit_flowlogs) and C(disable_flowlogs) playbooks do, so that it is written whatever failed;
    the failed targets fail their own hosts, so the run exits non-zero.
  - It makes no AWS call and is not part of the C(flowlogs.aws.flowlogs) action group.
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  targets:
    description:
      - The entries to report on instead of the play's hosts, each with keys C(target) (inventory host), C(region),
        C(account_id) and C(result) - the host's C(flow_logs_result), or null for a host that stopped before the role
        recorded one.
      - A C(result) without C(result_version) (the layout of 1.x, for one) is reported as a target without a result.
    type: list
    elements: dict
  merge:
    description:
      - Paths (or glob patterns) of C(flowlogs-report.json) files of the slices of one run - AWX job slicing, or any
        run split by C(--limit) - to merge into one fleet report instead of reporting on the play's hosts. The
        merged report has the same rows and totals as one run over every host would have had, and C(merged_from)
        naming each slice's report. The C(flowlogs.aws.merge_reports) playbook runs this.
      - The reports must have the same C(report_version), C(mode) and C(check_mode), and each target may be in one
        report only; otherwise the task fails naming what differs and where. A pattern matching no file fails too.
      - With O(merge), O(mode) and O(predicted) are those of the reports. Mutually exclusive with O(targets).
    type: list
    elements: path
    version_added: 2.0.0
  result_max_bytes:
    description:
      - Above this many bytes of JSON, the RV(report) this task returns (its event in AWX) keeps the totals, the
        compliance and the targets that fit without their rows, failed ones first, and says so in
        C(report.compact); the files always have all of it. V(0) never makes it compact.
      - AWX and Ansible Automation Platform drop the result data of a job event over 700,000 bytes.
    type: int
    default: 250000
    version_added: 2.0.0
  mode:
    description: Which playbook made the report.
    type: str
    choices: [enable, audit, disable]
    default: enable
  predicted:
    description:
      - The targets ran in check mode, so the report predicts instead of recording (audit). Defaults to whether this
        task runs in check mode.
    type: bool
  dest:
    description: Directory for the report files. Defaults to the current directory.
    type: path
  print_summary:
    description: Print the summary table.
    type: bool
    default: true
    version_added: 1.1.0
  fail_on_noncompliant:
    description:
      - Fail (after writing the report) when a resource in scope is not compliant or a target failed, so that a
        pipeline can gate on an audit. A prediction (O(predicted), as C(audit_flowlogs.yml) and C(--check) make)
        judges the resources as they are now; a real run judges them as the run left them. Not for O(mode=disable).
      - The playbooks set it from C(flow_logs_fail_on_noncompliant).
    type: bool
    default: false
    version_added: 2.0.0
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
requirements:
  - jinja2 where the report is written - always on the controller (ansible-core depends on it); on a remote host,
    install it there
notes:
  - Runs on the controller when the connection is local (as in the playbooks), in the worker process. With another
    connection the module writes the files on that host, and fails naming jinja2 when that host's Python cannot
    import it - the HTML page is rendered from a Jinja2 template, with autoescaping.
seealso:
  - module: flowlogs.aws.vpc_flow_log_info
"""

EXAMPLES = r"""
- name: Converge every target, then report on the targets of this play whatever failed
  hosts: all
  gather_facts: false
  tasks:
    - name: Converge, then report
      block:
        - name: Flow logs on this target
          ansible.builtin.import_role:
            name: flowlogs.aws.flow_logs
      always:
        - name: Fleet report
          flowlogs.aws.fleet_report:
            mode: enable
            dest: /var/tmp/flowlogs
          run_once: true
          tags: [always]

- name: One fleet report from the reports of the four slices of an AWX sliced job
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Merged fleet report
      flowlogs.aws.fleet_report:
        merge:
          - /shared/flowlogs/slices/*/flowlogs-report.json
        dest: /shared/flowlogs/fleet
"""

RETURN = r"""
report:
  description:
    - The report, as written to C(flowlogs-report.json) - compact above O(result_max_bytes), see C(compact).
  returned: always
  type: dict
  contains:
    totals:
      description:
        - Counts over the fleet (targets changed/unchanged/failed, VPCs, compliant before and after, actions).
        - >-
          C(arrival) (null when no target checked it) - C(targets_checked), C(judged) (rows with an arrival verdict),
          how many are V(delivering), V(silent), V(failed) and V(unreadable), C(silent_by_cause), C(problems),
          C(window_minutes), and the targets' C(bytes_per_day), C(monthly_cost) and C(s3_parquet_monthly_cost)
          summed (C(currency)).
      type: dict
    targets:
      description: Per target - status, error, delivery notes, counts, and per VPC before, action, after and error.
      type: list
      elements: dict
    compliance:
      description:
        - The resources in scope judged as they are now (a prediction) or as the run left them, null for a disable
          report. A resource is compliant when it is at every destination.
        - C(judged) (V(current state) or V(after the run)), C(resources), C(compliant), C(noncompliant),
          C(by_verdict) (verdict of each non-compliant resource, counted), C(targets_failed).
        - With the role variable C(flow_logs_require_arrival), a compliant flow log whose arrival is V(silent) for a
          cause that is a problem (or V(failed)) counts by that arrival verdict.
      type: dict
      version_added: 2.0.0
    merged_from:
      description: With O(merge) only - per slice report, its C(path), C(generated_at) and number of C(targets).
      type: list
      elements: dict
      returned: with O(merge)
      version_added: 2.0.0
    compact:
      description:
        - Only in a report returned above O(result_max_bytes) (never in the files) - C(bytes) (of the whole report),
          C(max_bytes), C(targets), C(targets_kept) and a C(note); C(targets) then lists the targets kept, failed
          ones first, each without its C(vpcs) rows.
      type: dict
      returned: above O(result_max_bytes)
      version_added: 2.0.0
table:
  description: The summary table, one line per element.
  returned: always
  type: list
  elements: str
files:
  description: The files written (none in check mode).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import converge_report
from ansible_collections.flowlogs.aws.plugins.module_utils._report.html import JINJA2_IMPORT_ERROR

ARGUMENT_SPEC = dict(
    targets=dict(type="list", elements="dict"),
    mode=dict(type="str", choices=["enable", "audit", "disable"], default="enable"),
    predicted=dict(type="bool"),
    dest=dict(type="path"),
    print_summary=dict(type="bool", default=True),
    fail_on_noncompliant=dict(type="bool", default=False),
    merge=dict(type="list", elements="path"),
    result_max_bytes=dict(type="int", default=250000),
)
MUTUALLY_EXCLUSIVE = [("targets", "merge")]


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    if JINJA2_IMPORT_ERROR is not None:
        module.fail_json(
            msg=missing_required_lib("jinja2", reason="to write flowlogs-report.html"), exception=JINJA2_IMPORT_ERROR
        )
    params = dict(module.params, targets=module.params["targets"] or [])
    if params["predicted"] is None:
        params["predicted"] = module.check_mode
    found = converge_report(None, params, check_mode=module.check_mode)
    if found.get("failed"):
        module.fail_json(**found)
    module.exit_json(**found)


if __name__ == "__main__":
    main()
