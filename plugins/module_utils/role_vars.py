# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight of the flowlogs.aws.flow_logs role, for the flow_logs_preflight module and the
flow_logs_problems filter: the same checks the role's task runs (see _role_variables.py)."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._role_variables import RoleVariablesError, check_variables


def flow_logs_problems(role_vars):
    """Problems with the role's variables, each naming the variable and what it accepts."""
    return check_variables({k: v for k, v in dict(role_vars).items() if k.startswith("flow_logs_")})[1]


def converge_preflight(clients, params, check_mode=False):
    """flowlogs.aws.flow_logs_preflight: fail listing every problem of the role's variables (no AWS call)."""
    del clients, check_mode
    problems = flow_logs_problems(params["variables"])
    if problems:
        raise RoleVariablesError(problems)
    return dict(changed=False, problems=[])


__all__ = ["RoleVariablesError", "converge_preflight", "flow_logs_problems"]
