# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One of the role's tasks on one target: what the role's action plugins run on the controller and its modules run
on a remote host. Private to the collection: not a public API, it may change in any release."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import Clients
from ansible_collections.flowlogs.aws.plugins.module_utils._core.sessions import SessionStore
from ansible_collections.flowlogs.aws.plugins.module_utils._role.target import (
    TASKS,
    TargetRun,
    problems_result,
    run_task,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._role.variables import connection_options

#: The role's tasks, as the modules name them.
TASK_NAMES = tuple(TASKS)


def role_task(task, read, name, check_mode=False, diff=False, carried=None, shared=None):
    """(task result, what to carry to the next task) of ``task`` on a target.

    ``read``: what variables.read_target returned for the target's variables - (Target or None, converted variables,
    problems, warnings). With problems, the task fails in preflight, before any AWS call. ``carried``: what the
    target's previous task carried (the discover task starts afresh). ``shared``: the run's cache, when there is one;
    the target's assumed-role session is kept there between its tasks."""
    target, variables, problems, _warnings = read
    if problems:
        return problems_result(name, problems, variables), carried
    sessions = SessionStore(shared, name) if shared is not None else None
    clients = Clients(connection_options(variables), sessions=sessions)
    carried = None if task == "discover" else carried
    return run_task(task, TargetRun(clients, target, name, check_mode, diff, shared, carried))


#: The options of the role's task modules (flow_logs_discover, flow_logs_delivery, flow_logs_converge,
#: flow_logs_monitor).
MODULE_ARGUMENT_SPEC = dict(
    variables=dict(type="dict", required=True),
    target=dict(type="str"),
    carried=dict(type="dict"),
)


def run_module(task):
    """main() of the module of one of the role's tasks, on a remote host: the variables the controller converted
    are checked again here, and what the next task needs goes back in ``carried``."""
    import traceback

    from ansible.module_utils.basic import AnsibleModule, missing_required_lib

    from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import BOTO3_IMPORT_ERROR, HAS_BOTO3
    from ansible_collections.flowlogs.aws.plugins.module_utils._role.variables import read_target

    module = AnsibleModule(argument_spec=MODULE_ARGUMENT_SPEC, supports_check_mode=True)
    if not HAS_BOTO3:
        module.fail_json(
            msg=missing_required_lib("boto3 and botocore"),
            exception="".join(traceback.format_exception(BOTO3_IMPORT_ERROR)),
        )
    params = module.params
    found, carried = role_task(
        task, read_target(params["variables"]), params["target"], module.check_mode, module._diff, params["carried"]
    )
    found["carried"] = carried
    if found.get("failed"):
        module.fail_json(**found)
    module.exit_json(**found)
