# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""flowlogs.aws.troubleshoot_report on the controller: the report of the hosts of the play it runs in.

Without ``targets``, the entries are the play's hosts (``ansible_play_hosts_all``, failed hosts included) and their
``flow_logs_troubleshoot_result``. The table is printed. With a non-local connection the entries are gathered here
and the module writes the files where it runs.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.flowlogs.aws.plugins.module_utils._report import report_entries
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot_report import write_report
from ansible_collections.flowlogs.aws.plugins.modules.troubleshoot_report import ARGUMENT_SPEC

display = Display()


def _host_facts(hostvars):
    def facts(host):
        found = hostvars[host]
        return tuple(
            found.get(k) for k in ("flow_logs_troubleshoot_result", "flow_logs_region", "flow_logs_account_id")
        )

    return facts


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        try:
            _validation, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc.message))
            return result
        if params.get("targets") is None:
            params["targets"] = report_entries(
                task_vars.get("ansible_play_hosts_all") or [],
                task_vars.get("ansible_play_hosts") or [],
                _host_facts(task_vars["hostvars"]),
            )
        if getattr(self._connection, "transport", None) in ("local", "ansible.builtin.local"):
            found = write_report(params["targets"], params.get("dest"), check_mode=bool(self._play_context.check_mode))
        else:  # the files go where the module runs, as with any module
            found = self._execute_module(
                module_name=self._task.resolved_action, module_args=params, task_vars=task_vars
            )
            if found.get("failed"):
                result.update(found)
                return result
        if params.get("print_summary"):
            display.display("\n".join(found["table"]))
        result.update(found)
        return result
