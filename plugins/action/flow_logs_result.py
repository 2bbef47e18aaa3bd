# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""flowlogs.aws.flow_logs_result: the last task of the flowlogs.aws.flow_logs role, per host, on the controller.

See plugins/plugin_utils/_role_task.py (RoleTaskAction) and plugins/plugin_utils/_role_batch.py.
"""

from __future__ import annotations

from ansible import constants as C
from ansible import context
from ansible.plugins.action import ActionBase

from ansible_collections.flowlogs.aws.plugins.module_utils._role.task import TASK_NAMES
from ansible_collections.flowlogs.aws.plugins.plugin_utils._role_batch import state_key
from ansible_collections.flowlogs.aws.plugins.plugin_utils._role_task import (
    RoleTaskAction,
    compact,
    read_target,
    selected,
)
from ansible_collections.flowlogs.aws.plugins.plugin_utils._run_cache import RunCache

#: The tags of the role's phase tasks (roles/flow_logs/tasks/*.yml; tests/unit/test_role_tasks.py holds them equal).
TASK_TAGS = dict(
    discover=("flow_logs", "flow_logs_preflight", "flow_logs_discover"),
    delivery=("flow_logs", "flow_logs_delivery"),
    converge=("flow_logs", "flow_logs_converge"),
    monitor=("flow_logs", "flow_logs_alarms", "flow_logs_analysis"),
)
#: This task's own tags; any other tag it has, it inherited (from the play, a block, the role's import).
OWN_TAGS = frozenset(("always", "flow_logs_result")) | frozenset(t for tags in TASK_TAGS.values() for t in tags)


class ActionModule(RoleTaskAction):
    """The target's result: what the role's phase tasks did on it in this play. A phase they did not run on this
    target (left to its own host: another connection, a ``when`` false on the batch's first host,
    flow_logs_batch false) but that the run's tags select runs here first."""

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = ActionBase.run(self, tmp, task_vars)
        name = task_vars.get("inventory_hostname")
        shared = RunCache(C.DEFAULT_LOCAL_TMP)
        read = read_target(self._templar, task_vars, shared)
        for task in self._missing(shared, name):
            self.run_here(task, read, task_vars, shared)
        state = shared.load(state_key(self._task, name)) or {}
        if not state.get("result"):
            result.update(skipped=True, changed=False, msg="no phase of the role ran on this target in this play")
            return result
        found = dict(state["result"])
        found.pop("warnings", None)
        found.pop("diff", None)
        result.update(compact(found, read[1], shared, name))
        result["changed"] = bool(state.get("changed"))
        warnings = read[3] + list(state.get("warnings") or [])
        if warnings:
            result["warnings"] = warnings
        if state.get("diffs"):
            result["diff"] = state["diffs"]
        return result

    def _missing(self, shared, name):
        """The phases of this entry point, in order, that the run's tags select and that did not run on the target."""
        done = (shared.load(state_key(self._task, name)) or {}).get("done") or []
        wanted = self._wanted(self._task.args.get("tasks") or list(TASK_NAMES))
        # From the first one missing on, each runs again: a discovery run again starts the target afresh.
        first = next((i for i, t in enumerate(wanted) if t not in done), len(wanted))
        return wanted[first:]

    def _wanted(self, tasks):
        """Those of ``tasks`` whose phase task the run's tags select (with the tags this task inherited)."""
        inherited = set(self._task.tags or ()) - OWN_TAGS
        only, skip = context.CLIARGS.get("tags") or (), context.CLIARGS.get("skip_tags") or ()
        return [t for t in tasks if selected(set(TASK_TAGS[t]) | inherited, only, skip)]
