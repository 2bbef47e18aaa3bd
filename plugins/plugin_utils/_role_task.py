# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flowlogs.aws.flow_logs role's one-task entry points on the controller: a target's ``flow_logs_*`` variables,
templated, converted and checked as the entry point's argument spec says. Private: may change in any release."""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.flowlogs.aws.plugins.module_utils import _role_variables as rv


def role_variables(templar, task_vars, entry_point="main"):
    """(converted variables, problems, warnings) from the target's ``flow_logs_*`` variables."""
    names = [k for k in task_vars if k.startswith("flow_logs_") and k not in rv.PLAYBOOK_VARIABLES]
    raw, problems = {}, []
    for name in names:
        try:
            raw[name] = templar.template(task_vars[name])
        except AnsibleError as exc:
            problems.append("{}: cannot be templated: {}".format(name, to_text(exc).splitlines()[0]))
    variables, found, warnings = rv.check_variables(raw, names, entry_point)
    return variables, rv.merge_problems(problems, found), warnings


def runs_here(connection, has_boto3):
    """Whether the task runs in this worker: a local connection and boto3 on the controller."""
    return has_boto3 and getattr(connection, "transport", None) in ("local", "ansible.builtin.local")
