# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""flowlogs.aws.flow_logs_target: the flowlogs.aws.flow_logs role's one task.

Reads the target's ``flow_logs_*`` variables, converts them as the role's argument spec says, refuses
unknown (misspelt) ones, then converges the target in this worker process (local connection, with the task's
``environment`` set: see plugins/plugin_utils/_task_environment.py) or runs the module the classic way on the
remote host. See plugins/module_utils/_target.py.
"""

from __future__ import annotations

from ansible import constants as C
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.flowlogs.aws.plugins.module_utils import _role_variables as rv
from ansible_collections.flowlogs.aws.plugins.module_utils._connection import HAS_BOTO3, Clients, preload
from ansible_collections.flowlogs.aws.plugins.module_utils._target import converge_target, selected_phases
from ansible_collections.flowlogs.aws.plugins.plugin_utils._role_task import role_variables, runs_here
from ansible_collections.flowlogs.aws.plugins.plugin_utils._run_cache import RunCache
from ansible_collections.flowlogs.aws.plugins.plugin_utils._task_environment import task_environment

for _level, _note in preload():  # on the controller, before Ansible forks its workers
    (Display().warning if _level == "warning" else Display().vvv)("flowlogs.aws: " + _note)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        phases = selected_phases(self._task.tags, task_vars.get("ansible_run_tags"), task_vars.get("ansible_skip_tags"))
        if not phases:
            result.update(skipped=True, skip_reason="no phase of the flow_logs role selected by --tags/--skip-tags")
            return result
        variables, problems, warnings = role_variables(self._templar, task_vars)
        target = task_vars.get("inventory_hostname")
        check_mode = bool(self._play_context.check_mode)
        if problems or runs_here(self._connection, HAS_BOTO3):  # with problems, nothing is called: no need to go remote
            with task_environment(self) as environment:
                found = environment.scrub(
                    converge_target(
                        Clients(rv.connection_options(variables)),
                        variables,
                        target,
                        check_mode,
                        phases,
                        diff=bool(self._play_context.diff),
                        problems=problems,
                        shared=RunCache(C.DEFAULT_LOCAL_TMP),
                    )
                )
        else:
            found = self._execute_module(
                module_name="flowlogs.aws.flow_logs_target",
                module_args=dict(variables=variables, target=target, phases=list(phases)),
                task_vars=task_vars,
            )
        result.update(found)
        if warnings:
            result["warnings"] = result.get("warnings", []) + warnings
        return result
