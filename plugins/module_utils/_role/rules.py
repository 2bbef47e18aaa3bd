# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of a target's variables: every rule the modules the role drives would check, checked once, before any
AWS call, each problem a ``Problem`` naming the variable it is about (and the module option a module's rule found it
as). Private to the collection: not a public API, it may change in any release. Pure: no AWS call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.flowlogs.aws.plugins.module_utils._alarms.rules import alarm_param_errors
from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.rules import arrival_problems
from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import aws_config_problem, config_settings
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.log_groups import log_group_problems
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.role_rules import role_problems
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import (
    CONVERGE,
    IAM_ROLE_ARN,
    ROLE_FORM,
    flow_log_problems,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._role import destinations as rd
from ansible_collections.flowlogs.aws.plugins.module_utils._role.model import (
    ALARM_VARIABLES,
    ARRIVAL_VARIABLES,
    ROLE_VARIABLES,
    target_of,
)

REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one variable, in words; ``option``: the module option a module's rule found it as."""

    variable: str
    detail: str
    option: str = None

    def __str__(self):
        return "{}: {}".format(self.variable, self.detail)


def named(errors, name):
    """ParameterErrors of a module's rules as Problems, each option named back to its variable by ``name``."""
    return [Problem(name(e.option), e.detail, e.option) for e in errors]


def place_problems(v):
    """Problems with the variables that say which account and region a target is, and how it is reached."""
    problems = []
    region = v.get("flow_logs_region")
    if not isinstance(region, str) or not REGION.match(region):
        problems.append(
            Problem("flow_logs_region", "{!r} is not an AWS region name (for example eu-west-1)".format(region))
        )
    account = v.get("flow_logs_account_id")
    if account not in (None, "") and not ACCOUNT_ID.match(str(account)):
        problems.append(Problem("flow_logs_account_id", "{!r} is not a 12-digit AWS account id".format(account)))
    assume = v.get("flow_logs_assume_role_arn")
    if assume and not IAM_ROLE_ARN.match(assume):
        problems.append(Problem("flow_logs_assume_role_arn", "{!r} is not {}".format(assume, ROLE_FORM)))
    aws_config = aws_config_problem(v.get("flow_logs_aws_config"), config_settings())
    if aws_config:
        problems.append(Problem("flow_logs_aws_config", aws_config))
    return problems


def _unit_problems(target, v):
    """The flow log rules of every unit, and each CloudWatch Logs destination's log group rules."""
    problems = []
    for unit in target.units:
        options = target.flow_log_options(unit)
        if unit.resource_type == "VPC":
            selection = target.vpc_selection()
            options.update(exclude_vpc_ids=v.get("flow_logs_exclude_vpc_ids"), filters=selection["filters"])
        errors = flow_log_problems(options, CONVERGE, unit.variable_of, role_managed=unit.destination.cloudwatch)
        problems += named(errors, unit.variable_of)
    for dest in target.cloudwatch_destinations:
        errors = log_group_problems(target.log_group_options(dest))
        problems += named(
            errors,
            lambda o, d=dest: "flow_logs_tags" if o == "tags" else d.variable({"name": "log_group_name"}.get(o, o)),
        )
    return problems


def _delivery_problems(target):
    problems = []
    if target.cloudwatch_destinations:
        problems += named(role_problems(target.role_options()), lambda o: ROLE_VARIABLES.get(o, o))
    if target.alarms and target.present and target.alarm_destination is not None:
        problems += named(alarm_param_errors(target.alarm_options()), lambda o: ALARM_VARIABLES.get(o, o))
    return problems


def _arrival_problems(target):
    """The arrival check's window and price table, and a required arrival nobody may check."""
    arrival = target.arrival
    options = dict(delivery_window=arrival.window, price_table=arrival.prices)
    problems = named(arrival_problems(options), lambda o: ARRIVAL_VARIABLES.get(o, o))
    if arrival.require and arrival.check is False:
        problems.append(
            Problem(
                "flow_logs_require_arrival",
                "is true, but flow_logs_check_arrival is false: arrival cannot be required without checking it; set "
                "flow_logs_check_arrival to true or leave it unset",
            )
        )
    return problems


def target_problems(v, analysis_problems):
    """Every problem of the converted variables ``v`` (``analysis_problems(target)``: the analysis rules)."""
    problems = place_problems(v)
    shape = [Problem(name, detail) for name, detail in rd.destination_problems(v)]
    if shape:
        return problems + shape
    target = target_of(v)
    problems += _unit_problems(target, v)
    problems += [Problem(n, d) for n, d in rd.tag_field_problems(target.tag_fields, target.destinations)]
    problems += _delivery_problems(target)
    problems += _arrival_problems(target)
    problems += _result_size_problems(v)
    if target.present:
        problems += analysis_problems(target)
    return unique(problems)


def _result_size_problems(v):
    limit = v.get("flow_logs_result_max_bytes")
    if limit is not None and limit < 0:
        return [Problem("flow_logs_result_max_bytes", "is {}; allowed: 0 (never compact) or more bytes".format(limit))]
    return []


def unique(problems):
    """At most one problem per variable (the first found): rules of two steps may find the same thing."""
    seen, found = set(), []
    for problem in problems:
        if problem.variable not in seen:
            seen.add(problem.variable)
            found.append(problem)
    return found
