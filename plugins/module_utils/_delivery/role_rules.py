# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The delivery role's options checked as IAM checks them (names, path, description, policy size, boundary,
tags), before any call. Private: may change in any release. Pure."""

from __future__ import annotations

import json
import re

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import tag_problem
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.policies import delivery_policy_for
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import log_group_name_problem

ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
#: IAM quotas (IAM User Guide, "IAM and AWS STS quotas") and patterns (IAM API Reference).
POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
DESCRIPTION = re.compile("^[\u0009\u000a\u000d\u0020-\u007e\u00a1-\u00ff]{0,1000}$")
#: Characters of all inline policies of a role together, whitespace not counted.
MAX_INLINE_POLICIES = 10240
ROLE_PATH = re.compile(r"^/([\x21-\x7e]{0,510}/)?$")
POLICY_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::(\d{12}|aws):policy/.+$")
DEFAULT_POLICY_NAME = "flow-logs-delivery"


def role_problems(params):
    """Every rule ``params`` break, one ParameterError per option (IAM refuses more than moto)."""
    problems = []
    for check in (_check_names, _check_log_groups, _check_boundary):
        problems += [ParameterError(option, message) for option, message in check(params)]
    problem = tag_problem(params.get("tags"), "iam")
    if problem:
        problems.append(ParameterError("tags", problem))
    return problems


def _check_names(params):
    name = params.get("name")
    if not name or not ROLE_NAME.match(name):
        yield "name", "{!r} is not a valid IAM role name: 1 to 64 of a-z A-Z 0-9 + = , . @ _ -".format(name)
    path = params.get("path") or "/"
    if not ROLE_PATH.match(path):
        yield "path", "{!r} is not a valid IAM path: it starts and ends with / (for example /service/)".format(path)
    policy_name = params.get("policy_name") or DEFAULT_POLICY_NAME
    if not POLICY_NAME.match(policy_name):
        yield (
            "policy_name",
            "{!r} is not a valid policy name: 1 to 128 of a-z A-Z 0-9 + = , . @ _ -".format(policy_name),
        )
    description = params.get("description")
    if description and not DESCRIPTION.match(description):
        yield "description", "IAM takes at most 1000 characters, printable Latin-1 (no control characters)"


def _check_log_groups(params):
    names = params.get("log_group_names")
    problem = next((log_group_name_problem(g) for g in names or [] if log_group_name_problem(g)), None)
    if problem:
        yield "log_group_names", problem
    elif names is not None and not names and params.get("state", "present") == "present":
        yield "log_group_names", "give at least one log group name; the policy is never granted on '*'"
    elif names:
        # The longest it can be: the longest partition, a 12-digit account.
        size = len(json.dumps(delivery_policy_for("0" * 12, names, "aws-us-gov"), separators=(",", ":")))
        if size > MAX_INLINE_POLICIES:
            yield (
                "log_group_names",
                "the delivery policy for {} log groups would be {} characters; IAM allows {} for a role's inline "
                "policies: use fewer groups (a name prefix is not a wildcard here)".format(
                    len(set(names)), size, MAX_INLINE_POLICIES
                ),
            )


def _check_boundary(params):
    boundary = params.get("permissions_boundary")
    if boundary and not POLICY_ARN.match(boundary):
        yield (
            "permissions_boundary",
            "{!r} is not a managed policy ARN (arn:<partition>:iam::<account>:policy/<name>); use an empty string to "
            "remove the boundary".format(boundary),
        )


def validate_role_params(params):
    problems = role_problems(params)
    if problems:
        raise problems[0]
