# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of a report module (fleet_report, troubleshoot_report): the report of the hosts of its play.

Private to the collection: not a public API, it may change in any release. Without ``targets``, the entries are the
play's hosts (``ansible_play_hosts_all``: what ``--limit`` and the host pattern kept, failed hosts included) and the
result each registered as the first of ``RESULT_VARS``. The table is printed with ``print_summary``. With a local
connection the report is written here, with the task's ``environment`` set (see _task_environment); otherwise the
entries are gathered here and the module writes the files where it runs.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import report_entries
from ansible_collections.flowlogs.aws.plugins.plugin_utils._task_environment import task_environment

display = Display()


def host_facts(hostvars, result_vars):
    """host -> (its registered result, region, account id), as report_entries wants them. ``result_vars``: where the
    result is, in order (a target that failed in the role's discovery has only ``flow_logs_discovery``)."""

    def facts(host):
        found = hostvars[host]
        result = next((found[k] for k in result_vars if _ran(found.get(k))), None)
        return result, found.get("flow_logs_region"), found.get("flow_logs_account_id")

    return facts


def _ran(result):
    return isinstance(result, dict) and not result.get("skipped")


class ReportAction(ActionBase):
    """Subclasses set ARGUMENT_SPEC and RESULT_VARS, and write the report in ``write(params, check_mode)``."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False
    ARGUMENT_SPEC = {}
    MUTUALLY_EXCLUSIVE = ()
    RESULT_VARS = ()

    def prepare(self, params):
        """Fill in the report's own defaults before it is written; nothing by default."""

    def from_play(self, params):
        """Whether the entries are the play's hosts (no ``targets`` given)."""
        return params.get("targets") is None

    def write(self, params, check_mode):
        raise NotImplementedError

    def _report(self, params, task_vars):
        """The report written here (local connection, the task's environment set), or by the module where it runs."""
        if getattr(self._connection, "transport", None) in ("local", "ansible.builtin.local"):
            with task_environment(self) as environment:
                return environment.scrub(self.write(params, bool(self._play_context.check_mode)))
        # Unset options stay unset: the module sees null as given (targets and merge exclude each other).
        return self._execute_module(
            module_name=self._task.resolved_action,
            module_args={k: v for k, v in params.items() if v is not None},
            task_vars=task_vars,
        )

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        try:
            _validation, params = self.validate_argument_spec(
                argument_spec=self.ARGUMENT_SPEC, mutually_exclusive=list(self.MUTUALLY_EXCLUSIVE)
            )
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc.message))
            return result
        if self.from_play(params):
            params["targets"] = report_entries(
                task_vars.get("ansible_play_hosts_all") or [],
                task_vars.get("ansible_play_hosts") or [],
                host_facts(task_vars["hostvars"], self.RESULT_VARS),
            )
        self.prepare(params)
        found = self._report(params, task_vars)
        if found.get("failed"):
            result.update(found)
            return result
        if params.get("print_summary") and found.get("table"):
            display.display("\n".join(found["table"]))
        result.update(found)
        return result
