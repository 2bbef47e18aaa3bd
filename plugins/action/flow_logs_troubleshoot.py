# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""flowlogs.aws.flow_logs_troubleshoot: the one task of the flowlogs.aws.flow_logs role's troubleshoot entry point.

Reads the target's ``flow_logs_*`` variables, converts and checks them as the entry point's argument spec says
(unknown ones refused), then answers the question in this worker process (local connection, with the task's
``environment`` set: see plugins/plugin_utils/_task_environment.py) or runs the module the classic way on the
remote host. See plugins/module_utils/_troubleshoot/target.py.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import HAS_BOTO3, Clients, preload
from ansible_collections.flowlogs.aws.plugins.module_utils._role import variables as rv
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.target import troubleshoot_target
from ansible_collections.flowlogs.aws.plugins.plugin_utils._role_task import role_variables, runs_here
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
        variables, problems, warnings = role_variables(self._templar, task_vars, "troubleshoot")
        target = task_vars.get("inventory_hostname")
        if problems or runs_here(self._connection, HAS_BOTO3):  # with problems, nothing is called
            with task_environment(self) as environment:
                clients = Clients(rv.connection_options(variables))
                found = environment.scrub(troubleshoot_target(clients, variables, target, problems))
        else:
            found = self._execute_module(
                module_name="flowlogs.aws.flow_logs_troubleshoot",
                module_args=dict(variables=variables, target=target),
                task_vars=task_vars,
            )
        result.update(found)
        if warnings:
            result["warnings"] = result.get("warnings", []) + warnings
        return result
