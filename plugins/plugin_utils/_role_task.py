# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flowlogs.aws.flow_logs role's tasks on the controller: a target's ``flow_logs_*`` variables, templated,
converted and checked as the entry point's argument spec says, and the action every task of the main entry point
shares. Private: may change in any release."""

from __future__ import annotations

import hashlib
import json
import uuid

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import HAS_BOTO3
from ansible_collections.flowlogs.aws.plugins.module_utils._report.compact import RESULT_MAX_BYTES, compact_result
from ansible_collections.flowlogs.aws.plugins.module_utils._role import variables as rv
from ansible_collections.flowlogs.aws.plugins.module_utils._role.rules import Problem
from ansible_collections.flowlogs.aws.plugins.module_utils._role.task import role_task
from ansible_collections.flowlogs.aws.plugins.plugin_utils._run_cache import RunCache
from ansible_collections.flowlogs.aws.plugins.plugin_utils._task_environment import task_environment

rv.role_argument_specs()  # read here, in the process that forks the workers, not once per host and task


def _raw_variables(templar, task_vars):
    """The target's ``flow_logs_*`` variables, templated; (names, values, problems of those that cannot be)."""
    names = [k for k in task_vars if k.startswith("flow_logs_") and k not in rv.PLAYBOOK_VARIABLES]
    raw, problems = {}, []
    for name in names:
        try:
            raw[name] = templar.template(task_vars[name])
        except AnsibleError as exc:
            problems.append(Problem(name, "cannot be templated: {}".format(to_text(exc).splitlines()[0])))
    return names, raw, problems


def role_variables(templar, task_vars, entry_point="main"):
    """(converted variables, problems, warnings) from the target's ``flow_logs_*`` variables."""
    names, raw, problems = _raw_variables(templar, task_vars)
    variables, found, warnings = rv.check_variables(raw, names, entry_point)
    return variables, rv.unique(problems + found), warnings


def read_target(templar, task_vars, shared=None):
    """(Target or None, converted variables, problems, warnings) of the main entry point. ``shared``: the run's
    cache, where variables that passed every check are kept by their templated values, so that the target's next
    tasks do not convert and check the same values again."""
    names, raw, problems = _raw_variables(templar, task_vars)
    key = [
        "checked-variables",
        hashlib.sha256(json.dumps([names, raw], sort_keys=True, default=str).encode()).hexdigest(),
    ]
    kept = shared.load(key) if shared is not None and not problems else None
    if kept:
        return rv.target_of(kept["variables"]), kept["variables"], [], kept["warnings"]
    target, variables, found, warnings = rv.read_target(raw, names)
    problems = rv.unique(problems + found)
    if shared is not None and not problems:
        shared.save(key, dict(variables=variables, warnings=warnings))
    return (None if problems else target), variables, problems, warnings


def runs_here(connection, has_boto3):
    """Whether the task runs in this worker: a local connection and boto3 on the controller."""
    return has_boto3 and getattr(connection, "transport", None) in ("local", "ansible.builtin.local")


def compact(found, variables, shared, name):
    """The task's result within flow_logs_result_max_bytes of JSON (AWX drops an event's result data over 700,000
    bytes); the rows a compact result leaves out are kept in the run's cache, where fleet_report reads them."""
    limit = variables.get("flow_logs_result_max_bytes")
    key = ["result-rows", name, uuid.uuid4().hex]
    small = compact_result(found, RESULT_MAX_BYTES if limit is None else limit, rows_key=key)
    if small is not found:
        shared.save(key, found["vpcs"])
    return small


def _play_id(task):
    play = getattr(getattr(task, "_parent", None), "_play", None)
    return getattr(play, "_uuid", None) or "play"


class RoleTaskAction(ActionBase):
    """A task of the role's main entry point (``TASK``: discover, converge, monitor) on the target of this host.

    Runs in this worker with a local connection (the task's ``environment`` applied), else runs the module of the same
    name on the host. What the target's previous task left for this one is kept in the run's cache, per play."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False
    TASK = None
    #: Whether a task of the role comes after this one and needs what it carries (not after the last, monitor).
    CARRIES = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        name = task_vars.get("inventory_hostname")
        shared = RunCache(C.DEFAULT_LOCAL_TMP)
        read = read_target(self._templar, task_vars, shared)
        key = ["target", _play_id(self._task), name]
        carried = shared.load(key)
        if read[2] or runs_here(self._connection, HAS_BOTO3):  # with problems, nothing is called: no need to go remote
            found, carried = self._here(read, name, carried, shared)
        else:
            found = self._remote(read, name, carried, task_vars)
            carried = found.pop("carried", carried)
        if self.CARRIES:
            shared.save(key, carried)
        result.update(compact(found, read[1], shared, name))
        if read[3]:
            result["warnings"] = result.get("warnings", []) + read[3]
        return result

    def _here(self, read, name, carried, shared):
        with task_environment(self) as environment:
            found, carried = role_task(
                self.TASK,
                read,
                name,
                bool(self._play_context.check_mode),
                bool(self._play_context.diff),
                carried,
                shared,
            )
            return environment.scrub(found), carried

    def _remote(self, read, name, carried, task_vars):
        return self._execute_module(
            module_name="flowlogs.aws.flow_logs_" + self.TASK,
            module_args=dict(variables=read[1], target=name, carried=carried),
            task_vars=task_vars,
        )
