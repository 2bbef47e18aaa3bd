# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flowlogs.aws.flow_logs role's variables: conversion, checks, and the module options they set.

Private to the collection: not a public API, it may change in any release. One table per step maps
each module option to the role variable that sets it; the same table builds the options the steps
run with and names the variable in every message about an option. Pure: no AWS call.
"""

from __future__ import annotations

import difflib
import os
import re

from ansible_collections.flowlogs.aws.plugins.module_utils import _role_analysis as ra
from ansible_collections.flowlogs.aws.plugins.module_utils import _role_destinations as rd
from ansible_collections.flowlogs.aws.plugins.module_utils._alarm_rules import alarm_param_errors
from ansible_collections.flowlogs.aws.plugins.module_utils._connection import aws_config_problem, config_settings
from ansible_collections.flowlogs.aws.plugins.module_utils._errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_log_spec import (
    CONVERGE,
    IAM_ROLE_ARN,
    ROLE_FORM,
    flow_log_problems,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_query import query_problems
from ansible_collections.flowlogs.aws.plugins.module_utils._iam_role_rules import role_problems
from ansible_collections.flowlogs.aws.plugins.module_utils._log_groups import log_group_name_problem, log_group_problems
from ansible_collections.flowlogs.aws.plugins.module_utils._variable_conversion import convert

REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
#: Tag every resource the role makes carries, so disable and audits can tell them apart.
MANAGED_TAG = rd.MANAGED_TAG
#: Known names that are not the role's inputs: the playbooks' host pattern, what the role leaves, and what
#: the flowlogs.aws.accounts inventory plugin sets besides the role's own variables.
PLAYBOOK_VARIABLES = (
    "flow_logs_hosts",
    "flow_logs_fail_on_noncompliant",
    "flow_logs_result",
    "flow_logs_troubleshoot_result",
    "flow_logs_account_name",
    "flow_logs_account_tags",
)

#: Connection option -> role variable (every step's client).
CONNECTION = dict(
    region="flow_logs_region",
    endpoint_url="flow_logs_endpoint_url",
    aws_ca_bundle="flow_logs_aws_ca_bundle",
    validate_certs="flow_logs_validate_certs",
    aws_config="flow_logs_aws_config",
    profile="flow_logs_profile",
    assume_role_arn="flow_logs_assume_role_arn",
    assume_role_external_id="flow_logs_assume_role_external_id",
    expected_account_id="flow_logs_account_id",
)
#: flow_log_group option -> role variable.
LOG_GROUP = dict(
    name="flow_logs_log_group_name",
    retention_in_days="flow_logs_retention_in_days",
    kms_key_id="flow_logs_kms_key_id",
    log_group_class="flow_logs_log_group_class",
    tags="flow_logs_tags",
)
#: flow_log_role option -> role variable.
DELIVERY_ROLE = dict(
    name="flow_logs_role_name",
    log_group_names="flow_logs_log_group_name",
    purge_policies="flow_logs_role_purge_policies",
    tags="flow_logs_tags",
)
#: flow_log_alarms option -> role variable.
ALARMS = dict(
    log_group_name="flow_logs_log_group_name",
    rules="flow_logs_alarm_rules",
    sns_topic_arn="flow_logs_alarm_sns_topic_arn",
    threshold="flow_logs_alarm_threshold",
    period="flow_logs_alarm_period",
    evaluation_periods="flow_logs_alarm_period",
    log_format="flow_logs_log_format",
    region="flow_logs_region",
    tags="flow_logs_tags",
)


def _namer(table, v):
    del v
    return lambda option: table.get(option, option)


def error_namer(v):
    """A connection or flow log option in an error raised while converging -> the variable that sets it."""
    flow_log = rd.unit_namer(rd.destinations(v)[0])
    return lambda option: CONNECTION.get(option) or flow_log(option)


def managed_tags(v):
    return dict(v.get("flow_logs_tags") or {}, **MANAGED_TAG)


def connection_options(v):
    return {option: v.get(var) for option, var in CONNECTION.items()}


def flow_log_options(v, role_arn=None, resource_ids=None, dest=None, resource_type="VPC"):
    """vpc_flow_log's options (and vpc_flow_log_info's, which share the spec) for one unit of this target: the
    first destination and VPCs unless said otherwise."""
    dest = dest or rd.destinations(v)[0]
    ids = resource_ids if resource_ids is not None else (v.get("flow_logs_vpc_ids") if resource_type == "VPC" else [])
    return rd.unit_options(v, dest, resource_type, role_arn, ids or [], managed_tags(v))


def discovery_options(v, role_arn=None, dest=None):
    """vpc_flow_log_info's options: the VPCs to cover and the same desired flow log as the converge."""
    options = flow_log_options(v, role_arn, dest=dest)
    filters = {"tag:{}".format(k): value for k, value in (v.get("flow_logs_vpc_tag_filters") or {}).items()}
    return dict(
        vpc_ids=v.get("flow_logs_vpc_ids") or None,
        filters=filters or None,
        exclude_vpc_ids=v.get("flow_logs_exclude_vpc_ids") or [],
        destination_type=options["destination_type"],
        log_group_name=options["log_group_name"],
        log_destination=options["log_destination"],
        deliver_logs_role_arn=options["deliver_logs_role_arn"],
        traffic_type=options["traffic_type"],
        max_aggregation_interval=options["max_aggregation_interval"],
        log_format=options["log_format"],
        check_role_privileges=False,  # the delivery role step reads and reports the role itself
    )


def log_group_options(v, state="present", dest=None):
    """flow_log_group's options for a CloudWatch Logs destination (the first one unless said otherwise)."""
    dest = dest or (rd.cloudwatch_destinations(v) or rd.destinations(v))[0]
    options = dict(
        name=dest["log_group_name"],
        retention_in_days=dest["retention_in_days"],
        kms_key_id=dest["kms_key_id"],
        log_group_class=dest["log_group_class"],
        state=state,
        tags=managed_tags(v),
        purge_tags=False,
    )
    if options["kms_key_id"] is None:
        options.pop("kms_key_id")
    return options


def delivery_role_options(v, state="present"):
    groups = [d["log_group_name"] for d in rd.cloudwatch_destinations(v)] or [v.get("flow_logs_log_group_name")]
    return dict(
        name=v.get("flow_logs_role_name"),
        log_group_names=groups,
        purge_policies=v.get("flow_logs_role_purge_policies"),
        tags=managed_tags(v),
        purge_tags=False,
        state=state,
    )


def alarm_options(v):
    options = {option: v.get(var) for option, var in ALARMS.items() if option != "evaluation_periods"}
    dest = rd.alarm_destination(v)
    if dest is not None:
        options.update(log_group_name=dest["log_group_name"], log_format=dest["log_format"])
    options.update(tags=managed_tags(v), purge_tags=False)
    return options


def delivery_role_arn(v, identity):
    """The ARN the delivery role has (or will have): known before any IAM call."""
    return "arn:{}:iam::{}:role/{}".format(identity["partition"], identity["account"], v.get("flow_logs_role_name"))


def _named(problems, name):
    return ["{}: {}".format(name(p.option), p.detail) for p in problems]


def _unit_problems(v):
    """The flow log rules of every unit (resource type x destination), and each log group's, named as set."""
    problems = []
    for dest in rd.destinations(v):
        name = rd.unit_namer(dest)
        cwl = dest["type"] == "cloud-watch-logs"
        for resource_type in rd.resource_types(v):
            options = flow_log_options(v, dest=dest, resource_type=resource_type)
            if resource_type == "VPC":
                options.update(
                    exclude_vpc_ids=v.get("flow_logs_exclude_vpc_ids"), filters=discovery_options(v)["filters"]
                )
            problems += _named(flow_log_problems(options, CONVERGE, name, role_managed=cwl), name)
        if cwl:
            group = log_group_options(v, dest=dest)
            problems += _named(log_group_problems(group), rd.log_group_namer(dest))
    return problems


def target_problems(v):
    """Problems with the variables that say which account and region a target is, and how it is reached."""
    problems = []
    region = v.get("flow_logs_region")
    if not isinstance(region, str) or not REGION.match(region):
        problems.append("flow_logs_region: {!r} is not an AWS region name (for example eu-west-1)".format(region))
    account = v.get("flow_logs_account_id")
    if account not in (None, "") and not ACCOUNT_ID.match(str(account)):
        problems.append("flow_logs_account_id: {!r} is not a 12-digit AWS account id".format(account))
    assume = v.get("flow_logs_assume_role_arn")
    if assume and not IAM_ROLE_ARN.match(assume):
        problems.append("flow_logs_assume_role_arn: {!r} is not {}".format(assume, ROLE_FORM))
    aws_config = aws_config_problem(v.get("flow_logs_aws_config"), config_settings())
    if aws_config:
        problems.append("flow_logs_aws_config: " + aws_config)
    return problems


def variable_problems(v):
    """Problems with the role's (converted) variables, each naming the variable and what it accepts."""
    problems = target_problems(v)
    shape = rd.destination_problems(v)
    problems += shape
    if not shape:
        problems += _unit_problems(v) + rd.tag_field_problems(v)
        if rd.cloudwatch_destinations(v):
            problems += _named(role_problems(delivery_role_options(v)), _namer(DELIVERY_ROLE, v))
        if v.get("flow_logs_alarms") and v.get("flow_logs_state") != "absent":
            problems += _alarm_problems(v)
        if v.get("flow_logs_state") != "absent":
            problems += ra.analysis_problems(v)
    # One variable, one message: rules of two steps may find the same thing.
    return sorted(set(problems), key=problems.index)


def _alarm_problems(v):
    if rd.alarm_destination(v) is None:
        return []  # no alarms without a CloudWatch Logs destination (the target warns), as in 1.0.0
    return _named(alarm_param_errors(alarm_options(v)), _namer(ALARMS, v))


def troubleshoot_problems(v):
    """Problems with the variables of the role's troubleshoot entry point: the target and the question."""
    problems = target_problems(v)
    group = v.get("flow_logs_log_group_name")
    if group not in (None, "") and log_group_name_problem(group):
        problems.append("flow_logs_log_group_name: {}".format(log_group_name_problem(group)))
    return problems + query_problems(v)


#: Each entry point of meta/argument_specs.yml and the rules its variables follow once converted.
ENTRY_POINT_RULES = dict(main=variable_problems, troubleshoot=troubleshoot_problems)


# ---------------------------------------------------------------- conversion, as meta/argument_specs.yml says

SPEC_PATH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "roles",
    "flow_logs",
    "meta",
    "argument_specs.yml",
)
_SPECS = {}


def role_argument_specs():
    """The role's meta/argument_specs.yml (read once per process), or None where the collection's files are
    not at hand (a module shipped to a remote host: the controller converted the variables already)."""
    if "specs" not in _SPECS:
        try:
            import yaml

            with open(SPEC_PATH, encoding="utf-8") as handle:
                _SPECS["specs"] = yaml.safe_load(handle)["argument_specs"]
        except (ImportError, OSError):
            _SPECS["specs"] = None
    return _SPECS["specs"]


def merge_problems(*groups):
    """Problems of several checks, at most one per variable (the first found)."""
    seen, merged = set(), []
    for problem in (p for group in groups for p in group):
        name = problem.split(":", 1)[0]
        if name not in seen:
            seen.add(name)
            merged.append(problem)
    return merged


def check_variables(raw, names=None, entry_point="main"):
    """(converted variables, problems, warnings) of the role's variables as a target sees them: converted
    as the argument spec of ``entry_point`` says, every rule of it checked, unknown ``flow_logs_*`` names
    refused (or warned about, with ``flow_logs_unknown_variables: warn``); a variable another entry point
    documents is known, and left out. ``names``: every flow_logs_* name the target has."""
    specs = role_argument_specs()
    rules = ENTRY_POINT_RULES[entry_point]
    if specs is None:
        return dict(raw), rules(raw), []
    variables, problems = convert(raw, specs[entry_point]["options"])
    unknown = unknown_variable_problems(names if names is not None else raw, known_variables(specs))
    warnings = []
    if variables.get("flow_logs_unknown_variables") == "warn":
        warnings, unknown = unknown, []
    options = specs[entry_point]["options"]
    # A variable that did not convert is reported once, and the other rules see its default instead.
    bad = {p.split(":", 1)[0] for p in problems}
    sane = {k: (options[k].get("default") if k in bad and k in options else value) for k, value in variables.items()}
    order = {name: index for index, name in enumerate(options)}
    checked = sorted(merge_problems(problems, rules(sane)), key=lambda p: order.get(p.split(":", 1)[0], -1))
    return variables, unknown + checked, warnings


def known_variables(argument_specs):
    """Every variable any entry point of the role's argument specs documents, and the playbooks' own."""
    known = set(PLAYBOOK_VARIABLES)
    for entry in (argument_specs or {}).values():
        known.update((entry or {}).get("options") or {})
    return known


def unknown_variable_problems(names, known):
    """A ``flow_logs_*`` name the role does not know is almost always a typo: name the closest known one."""
    problems = []
    # Every name shares the prefix: compare what follows it, or everything looks alike.
    suffixes = {k[len("flow_logs_") :]: k for k in known}
    for name in sorted(set(names) - set(known)):
        close = difflib.get_close_matches(name[len("flow_logs_") :], sorted(suffixes), n=1, cutoff=0.6)
        hint = (
            "did you mean {}?".format(suffixes[close[0]]) if close else "see ansible-doc -t role flowlogs.aws.flow_logs"
        )
        problems.append("{}: not a variable of the flowlogs.aws.flow_logs role; {}".format(name, hint))
    return problems


class RoleVariablesError(ParameterError):
    """The role's variables have problems; the message lists them all, each naming its variable."""

    def __init__(self, problems):
        super().__init__(problems[0].split(":", 1)[0], "")
        self.problems = list(problems)
        self.args = ("; ".join(self.problems),)

    def __str__(self):
        return self.args[0]


def flow_logs_problems(role_vars):
    """Problems with the role's variables (flow_logs_preflight, the flow_logs_problems filter): the checks the
    role's task runs, each naming the variable and what it accepts."""
    return check_variables({k: v for k, v in dict(role_vars).items() if k.startswith("flow_logs_")})[1]


def converge_preflight(clients, params, check_mode=False):
    """flowlogs.aws.flow_logs_preflight: fail listing every problem of the role's variables (no AWS call)."""
    del clients, check_mode
    problems = flow_logs_problems(params["variables"])
    if problems:
        raise RoleVariablesError(problems)
    return dict(changed=False, problems=[])
