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
from ansible_collections.flowlogs.aws.plugins.plugin_utils._role_batch import (
    batch_hosts,
    batch_summary,
    batching,
    run_batch,
    state_key,
)
from ansible_collections.flowlogs.aws.plugins.plugin_utils._run_cache import RunCache
from ansible_collections.flowlogs.aws.plugins.plugin_utils._task_environment import (
    effective_environment,
    task_environment,
)

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


def selected(tags, only_tags, skip_tags):
    """Whether a task with ``tags`` runs under --tags ``only_tags`` and --skip-tags ``skip_tags`` (Ansible's rules)."""
    tags = set(tags)
    return _chosen(tags, set(only_tags or ())) and not _skipped(tags, set(skip_tags or ()))


def _chosen(tags, only):
    if not only or "always" in tags:
        return True
    if "never" in tags:
        return bool(tags & only)
    return "all" in only or bool(tags & only) or ("tagged" in only and bool(tags))


def _skipped(tags, skip):
    if "all" in skip:
        return "always" not in tags or "always" in skip
    return bool(tags & skip) or ("tagged" in skip and bool(tags))


#: The earlier tasks a task does itself when they did not run (target.TargetRun: the converge discovers and does the
#: delivery first, the delivery discovers first).
DOES_TOO = dict(discover=(), delivery=("discover",), converge=("discover", "delivery"), monitor=())


def _done_after(done, task):
    """The tasks done on a target once ``task`` ran: those before, those ``task`` does itself, and ``task``."""
    return list(done) + [t for t in (*DOES_TOO[task], task) if t not in done]


def _next_state(state, task, carried, found, shown):
    """What a target's tasks did so far, after ``task``: what it carries, the tasks done, whether any changed the
    target, its result, and the warnings and diffs not ``shown`` yet."""
    return dict(
        carried=carried,
        done=_done_after(state.get("done") or [], task),
        changed=bool(state.get("changed") or found.get("changed")),
        result=found,
        warnings=list(state.get("warnings") or []) + ([] if shown else list(found.get("warnings") or [])),
        diffs=list(state.get("diffs") or []) + ([] if shown else list(found.get("diff") or [])),
    )


def _result_max_bytes(reads):
    """flow_logs_result_max_bytes as the batch's first target with valid variables has it (its default without one)."""
    valid = (read[1] for read in reads if not isinstance(read, Exception) and not read[2])
    found = next((v.get("flow_logs_result_max_bytes") for v in valid), None)
    return RESULT_MAX_BYTES if found is None else found


class RoleTaskAction(ActionBase):
    """A phase task of the role (``TASK``: discover, delivery, converge, monitor).

    With ``run_once: true`` (the role's tasks) it runs the phase for every target of the play's batch, in threads of
    this worker (see _role_batch.py); else for the target of this host: in this worker with a local connection (the
    task's ``environment`` applied), else the module of the same name on the host. What each target's tasks did is
    kept in the run's cache, per play, for its next task and for the role's last one (flow_logs_result)."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False
    TASK = None

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        shared = RunCache(C.DEFAULT_LOCAL_TMP)
        why = batching(self, task_vars) if HAS_BOTO3 else "no boto3 on the controller"
        if why is None:
            result.update(self._batch(task_vars, shared))
            return result
        read = read_target(self._templar, task_vars, shared)
        found = self.run_here(self.TASK, read, task_vars, shared)
        result.update(compact(found, read[1], shared, task_vars.get("inventory_hostname")))
        if read[3]:
            result["warnings"] = result.get("warnings", []) + read[3]
        return result

    def run_here(self, task, read, task_vars, shared):
        """``task`` on the target of this host, in this worker or on the host; its result."""
        name = task_vars.get("inventory_hostname")
        shown = self.TASK is not None  # a phase task shows its own warnings and diffs; the role's last task, those kept
        if read[2] or runs_here(self._connection, HAS_BOTO3):  # with problems, nothing is called: no need to go remote
            with task_environment(self) as environment:
                return self._target_task(task, read, name, shared, environment.scrub, shown=shown)
        return self._target_task(task, read, name, shared, None, task_vars, shown=shown)

    def _target_task(self, task, read, name, shared, scrub, task_vars=None, shown=False):
        """``task`` on target ``name``, after what its earlier tasks did (a target that failed is not run again);
        what it did kept for its next tasks, and its warnings and diffs for the role's last task unless ``shown``.
        ``task_vars``: run the module on the host instead of here."""
        key = state_key(self._task, name)
        state = (shared.load(key) or {}) if task != "discover" else {}
        if (state.get("result") or {}).get("failed"):
            return state["result"]
        if task_vars is None:
            found, carried = role_task(
                task,
                read,
                name,
                bool(self._play_context.check_mode),
                bool(self._play_context.diff),
                state.get("carried"),
                shared,
            )
            found = scrub(found)
        else:
            found, carried = self._module_task(task, read, name, state.get("carried"), task_vars)
        shared.save(key, _next_state(state, task, carried, found, shown))
        return found

    def _module_task(self, task, read, name, carried, task_vars):
        """(result, carried) of the task's module run on the host."""
        found = self._execute_module(
            module_name="flowlogs.aws.flow_logs_" + task,
            module_args=dict(variables=read[1], target=name, carried=carried),
            task_vars=task_vars,
        )
        return found, found.pop("carried", carried)

    def _batch(self, task_vars, shared):
        """The phase for every target of the play's batch that would have run it; the batch's summary."""
        hosts = batch_hosts(self, task_vars)
        names = {host.name for host in hosts}
        left = [n for n in task_vars.get("ansible_play_batch") or () if n not in names]

        # Templated here, one host after the other: Ansible's templating (its plugin loader) is not thread-safe.
        reads = {host.name: self._read(host, shared) for host in hosts}

        def run_one(host, scrub):
            try:
                if isinstance(reads[host.name], Exception):
                    raise reads[host.name]
                return self._target_task(self.TASK, reads[host.name], host.name, shared, scrub)
            except Exception as exc:  # pylint: disable=broad-exception-caught
                # A bug met on one target fails that target (in its result task), never the batch's other targets.
                return self._unexpected(host.name, shared, exc)

        results = run_batch(hosts, run_one, self._environment_of)
        return batch_summary(self.TASK, results, left, _result_max_bytes(reads.values()))

    @staticmethod
    def _read(host, shared):
        try:
            return read_target(host.templar, host.variables, shared)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            return exc

    def _unexpected(self, name, shared, exc):
        import traceback

        found = dict(
            failed=True,
            changed=False,
            msg="{} failed on this target: {}: {}".format(self.TASK, type(exc).__name__, exc),
            exception="".join(traceback.format_exception(exc)),
        )
        key = state_key(self._task, name)
        shared.save(key, dict(shared.load(key) or {}, result=found))
        return found

    def _environment_of(self, host):
        """The task's ``environment`` as ``host``'s own task would have it."""
        if not self._task.environment:
            return {}
        own = self._templar
        self._templar = host.templar
        try:
            return effective_environment(self)
        finally:
            self._templar = own
