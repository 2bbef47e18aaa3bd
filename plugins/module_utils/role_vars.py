# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight of the flowlogs.aws.flow_logs role: its variables checked with the modules' own rules (pure).

Every problem is reported at once, named by the role variable, before the role makes any AWS call.
"""

from __future__ import annotations

import re

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.flowlogs.aws.plugins.module_utils.alarms import alarm_param_errors
from ansible_collections.flowlogs.aws.plugins.module_utils.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils.flow_logs import RESOURCE_ID_PATTERNS, desired_spec
from ansible_collections.flowlogs.aws.plugins.module_utils.log_groups import validate_log_group_params
from ansible_collections.flowlogs.aws.plugins.module_utils.roles import validate_role_params

REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
ASSUME_ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
#: A role ARN that passes validation; the real one only exists once the role step ran.
PLACEHOLDER_ROLE_ARN = "arn:aws:iam::000000000000:role/placeholder"


def _collect(problems, names, check):
    try:
        check()
    except ParameterError as exc:
        var = names.get(exc.option, exc.option)
        detail = exc.detail
        # A detail may name another module option ("required when destination_type is s3"): name the variable.
        for option, role_var in names.items():
            if "_" not in option:  # "name" is also an English word
                continue
            detail = re.sub(r"(?<![\w.]){}(?![\w])".format(re.escape(option)), role_var, detail)
        problems.append("{}: {}".format(var, detail))


#: Options of flowlogs.aws.flow_log_alarms -> the role variables that set them.
ALARM_VARS = dict(
    log_group_name="flow_logs_log_group_name",
    rules="flow_logs_alarm_rules",
    sns_topic_arn="flow_logs_alarm_sns_topic_arn",
    threshold="flow_logs_alarm_threshold",
    period="flow_logs_alarm_period",
    evaluation_periods="flow_logs_alarm_period",
    log_format="flow_logs_log_format",
)


def _as_int(value):
    """Numbers given as strings (-e key=value) are numbers, as the module's argument spec will make them."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _alarm_params(v):
    rules = v.get("flow_logs_alarm_rules")
    if isinstance(rules, list):
        rules = [dict(r, port=_as_int(r.get("port"))) if isinstance(r, dict) else r for r in rules]
    return dict(
        log_group_name=v.get("flow_logs_log_group_name"),
        rules=rules,
        sns_topic_arn=v.get("flow_logs_alarm_sns_topic_arn"),
        threshold=_as_int(v.get("flow_logs_alarm_threshold", 1)),
        period=_as_int(v.get("flow_logs_alarm_period", 300)),
        log_format=v.get("flow_logs_log_format"),
        region=v.get("flow_logs_region"),
    )


def flow_logs_problems(role_vars):
    """Problems with the role's variables, each naming the variable and what it accepts."""
    v = dict(role_vars)
    problems = []
    region = v.get("flow_logs_region")
    if not isinstance(region, str) or not REGION.match(region):
        problems.append("flow_logs_region: {!r} is not an AWS region name (for example eu-west-1)".format(region))
    if v.get("flow_logs_state") not in ("present", "absent"):
        problems.append(
            "flow_logs_state: {!r} is not allowed; use one of present, absent".format(v.get("flow_logs_state"))
        )
    account = v.get("flow_logs_account_id")
    if account not in (None, "") and not ACCOUNT_ID.match(str(account)):
        problems.append("flow_logs_account_id: {!r} is not a 12-digit AWS account id".format(account))
    assume = v.get("flow_logs_assume_role_arn")
    if assume and not ASSUME_ROLE_ARN.match(assume):
        problems.append(
            "flow_logs_assume_role_arn: {!r} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)".format(assume)
        )
    bad = [x for x in v.get("flow_logs_exclude_vpc_ids") or [] if not RESOURCE_ID_PATTERNS["VPC"].match(str(x))]
    if bad:
        problems.append("flow_logs_exclude_vpc_ids: {} not VPC ids (vpc-0123abcd...)".format(", ".join(map(repr, bad))))

    destination_type = v.get("flow_logs_destination_type") or "cloud-watch-logs"
    cwl = destination_type == "cloud-watch-logs"
    destination_var = {"s3": "flow_logs_s3_bucket_arn", "kinesis-data-firehose": "flow_logs_firehose_arn"}.get(
        destination_type, "flow_logs_s3_bucket_arn"
    )
    names = dict(
        resource_ids="flow_logs_vpc_ids",
        traffic_type="flow_logs_traffic_type",
        destination_type="flow_logs_destination_type",
        log_group_name="flow_logs_log_group_name",
        log_destination=destination_var,
        max_aggregation_interval="flow_logs_max_aggregation_interval",
        log_format="flow_logs_log_format",
        name="flow_logs_log_group_name",
        retention_in_days="flow_logs_retention_in_days",
        kms_key_id="flow_logs_kms_key_id",
        log_group_class="flow_logs_log_group_class",
    )
    spec = dict(
        state=v.get("flow_logs_state"),
        resource_type="VPC",
        resource_ids=v.get("flow_logs_vpc_ids") or [],
        traffic_type=v.get("flow_logs_traffic_type"),
        destination_type=destination_type,
        log_group_name=v.get("flow_logs_log_group_name") if cwl else None,
        log_destination=None if cwl else v.get(destination_var),
        deliver_logs_role_arn=PLACEHOLDER_ROLE_ARN if cwl else None,
        max_aggregation_interval=v.get("flow_logs_max_aggregation_interval"),
        log_format=v.get("flow_logs_log_format"),
    )
    _collect(problems, names, lambda: desired_spec(spec))
    if cwl:
        group = dict(
            name=v.get("flow_logs_log_group_name"),
            retention_in_days=v.get("flow_logs_retention_in_days"),
            kms_key_id=v.get("flow_logs_kms_key_id"),
            log_group_class=v.get("flow_logs_log_group_class"),
        )
        _collect(problems, names, lambda: validate_log_group_params(group))
        role = dict(name=v.get("flow_logs_role_name"), log_group_names=[v.get("flow_logs_log_group_name") or "x"])
        role_names = dict(name="flow_logs_role_name", log_group_names="flow_logs_log_group_name")
        _collect(problems, role_names, lambda: validate_role_params(role))
    if cwl and boolean(v.get("flow_logs_alarms") or False, strict=False):
        for error in alarm_param_errors(_alarm_params(v)):
            problems.append("{}: {}".format(ALARM_VARS.get(error.option, error.option), error.detail))
    # One variable, one message: validators may find the same thing twice.
    return sorted(set(problems), key=problems.index)


class RoleVariablesError(ParameterError):
    """The role's variables have problems; the message lists them all, each naming its variable."""

    def __init__(self, problems):
        super().__init__(problems[0].split(":", 1)[0], "")
        self.problems = list(problems)
        self.args = ("; ".join(self.problems),)

    def __str__(self):
        return self.args[0]


def converge_preflight(clients, params, check_mode=False):
    """flowlogs.aws.flow_logs_preflight: fail listing every problem of the role's variables (no AWS call)."""
    del clients, check_mode
    problems = flow_logs_problems(params["variables"])
    if problems:
        raise RoleVariablesError(problems)
    return dict(changed=False, problems=[])
