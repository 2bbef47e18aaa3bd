# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's phase tasks run once for the play's batch of targets (``run_once: true``), in threads of one worker.

Private: may change in any release. Ansible forks a worker process per task and host: with four phases that is
four forks, four variable computations and four results processed per target, more CPU than the AWS calls
themselves. A phase task of the role is therefore ``run_once``: its worker runs the phase for every target of
``ansible_play_batch`` that would have run it (the task's ``when`` true for that host, a local connection,
``flow_logs_batch`` not false), with each target's own variables and task ``environment``, as many at a time as the
run's ``--forks``. What each target's phase found is kept in the run's cache; the role's last task
(flowlogs.aws.flow_logs_result) runs per host: it registers the target's ``flow_logs_result``, fails a failed target,
and runs there any phase the batch did not (another connection, a ``when`` false on the batch's first host). With
another strategy than linear, Ansible runs a ``run_once`` task on every host: each runs the phase for itself.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from ansible import constants as C
from ansible import context
from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.flowlogs.aws.plugins.module_utils._report.compact import json_size
from ansible_collections.flowlogs.aws.plugins.module_utils._role.target import plan_totals
from ansible_collections.flowlogs.aws.plugins.plugin_utils._task_environment import applied_environment

LOCAL = ("local", "ansible.builtin.local")
LINEAR = ("linear", "ansible.builtin.linear")
#: Targets one batch converges at a time when the run's forks are not known.
DEFAULT_CONCURRENCY = 5


def play_of(task):
    return getattr(getattr(task, "_parent", None), "_play", None)


def play_id(task):
    play = play_of(task)
    return getattr(play, "_uuid", None) or "play"


def state_key(task, name):
    """The run's cache key of what the role's tasks did on target ``name`` in this play."""
    return ["target", play_id(task), name]


def batching(action, task_vars):
    """Why this task runs for its own host only (text), or None when it runs for the play's batch."""
    task = action._task  # pylint: disable=protected-access
    if not action._templar.template(task.run_once):  # pylint: disable=protected-access
        return "not run_once"
    play = play_of(task)
    strategy = action._templar.template(getattr(play, "strategy", None) or C.DEFAULT_STRATEGY)  # pylint: disable=protected-access
    if strategy not in LINEAR:
        return "strategy {} (a batch needs every host at the same task: linear)".format(strategy)
    if task.delegate_to:
        return "delegate_to"
    hostvars = task_vars.get("hostvars")
    if not all(hasattr(hostvars, a) for a in ("_variable_manager", "_inventory")):
        return "this ansible-core gives no access to the other hosts' variables"
    return None


class BatchHost:
    """One host of the batch: its name, variables (as its own task would have them) and templar."""

    def __init__(self, name, variables, templar):
        self.name, self.variables, self.templar = name, variables, templar


def batch_hosts(action, task_vars):
    """The hosts of ``ansible_play_batch`` this task runs for here: those whose ``when`` holds, with a local connection
    and ``flow_logs_batch`` not false. The others are left to the role's last task, per host."""
    from ansible.template import Templar

    task = action._task  # pylint: disable=protected-access
    hostvars = task_vars["hostvars"]
    manager, inventory = hostvars._variable_manager, hostvars._inventory  # pylint: disable=protected-access
    play = play_of(task)
    batch = list(task_vars.get("ansible_play_batch") or [task_vars.get("inventory_hostname")])
    everyone = list(task_vars.get("ansible_play_hosts_all") or batch)
    found = []
    for name in batch:
        host = inventory.get_host(name)
        if host is None:
            continue
        if name == task_vars.get("inventory_hostname"):
            variables = task_vars
        else:
            variables = manager.get_vars(play=play, host=host, task=task, _hosts=batch, _hosts_all=everyone)
        templar = Templar(loader=action._loader, variables=variables)  # pylint: disable=protected-access
        if _runs_in_batch(task, templar, variables):
            found.append(BatchHost(name, variables, templar))
    return found


def _runs_in_batch(task, templar, variables):
    try:
        if task.when and not _when(task, templar, variables):
            return False
        connection = templar.template(variables.get("ansible_connection") or task.connection or C.DEFAULT_TRANSPORT)
        wanted = templar.template(variables.get("flow_logs_batch"))
        wanted = True if wanted in (None, "") else boolean(wanted, strict=False)  # null: unset, the default
    except AnsibleError:
        return False  # its own task says what is wrong
    return connection in LOCAL and wanted


def _when(task, templar, variables):
    """Whether the task's ``when`` (with its blocks', roles' and imports') holds for a host, as its own worker
    would judge it."""
    resolve = getattr(task, "_resolve_conditional", None)  # ansible-core 2.19 and later
    if resolve is not None:
        return resolve(task.when, variables)
    return task.evaluate_conditional(templar, variables)


def concurrency():
    """The run's --forks: as many targets at a time as Ansible would have run in workers."""
    forks = (context.CLIARGS or {}).get("forks") or C.DEFAULT_FORKS or DEFAULT_CONCURRENCY
    return max(1, int(forks))


def run_batch(hosts, run_one, environment_of):
    """``run_one(host, scrub)`` for every host, ``concurrency()`` at a time, hosts of the same ``environment_of(host)``
    together: os.environ is the process's, so each environment is applied around its own group (``scrub`` masks its
    secret values in a result). Returns {name: run_one's answer}, in the batch's order."""
    groups = {}
    for host in hosts:
        environment = environment_of(host)
        groups.setdefault(json.dumps(environment, sort_keys=True), (environment, []))[1].append(host)
    answers = {}
    with ThreadPoolExecutor(max_workers=min(concurrency(), len(hosts) or 1)) as pool:
        for environment, members in groups.values():
            with applied_environment(environment) as applied:
                answers.update(zip((h.name for h in members), pool.map(lambda h: run_one(h, applied.scrub), members)))
    return {host.name: answers[host.name] for host in hosts}


def batch_summary(task, results, hosts_left, max_bytes):
    """The batch task's own result: counts of the targets it ran and, for the discovery, the plan of them all and of
    each (``by_target``, left out above ``max_bytes`` of JSON). ``hosts_left``: hosts of the batch left to their own
    task (another connection, flow_logs_batch false)."""
    failed = sorted(name for name, found in results.items() if found.get("failed"))
    changed = sorted(name for name, found in results.items() if found.get("changed"))
    summary = dict(
        changed=bool(changed),
        targets=len(results),
        targets_changed=len(changed),
        targets_failed=failed,
        targets_left=sorted(hosts_left),
        msg="{}: {} target(s), {} changed, {} failed{}".format(
            task,
            len(results),
            len(changed),
            len(failed),
            "; {} left to their own host's task".format(len(hosts_left)) if hosts_left else "",
        ),
    )
    if task == "discover":
        summary.update(plan=plan_totals(results.values()), by_target=_by_target(results))
        if max_bytes and json_size(summary) > max_bytes:
            summary["by_target"] = {}
            summary["compact"] = dict(
                note="by_target left out: {} bytes of JSON, over flow_logs_result_max_bytes ({}); each target's "
                "flow_logs_result has its own".format(json_size(summary), max_bytes)
            )
    return summary


def _by_target(results):
    brief = {}
    for name, found in results.items():
        entry = dict(plan=found.get("plan"), failed=bool(found.get("failed")))
        if found.get("failed"):
            entry["msg"] = found.get("msg")
        brief[name] = entry
    return brief
