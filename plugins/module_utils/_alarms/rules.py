# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alarms on rejected traffic: the rules of their options (what CloudWatch and CloudWatch Logs accept), and the
filter pattern and names derived from them. Private: may change in any release. Pure: no AWS call."""

from __future__ import annotations

import re

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError, raise_first, run_checks
from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import (
    tag_problem,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.log_groups import validate_log_group_name

DEFAULT_RULES = (dict(name="ssh", port=22, protocol="tcp"), dict(name="rdp", port=3389, protocol="tcp"))
#: IANA protocol numbers, as flow log records carry them.
PROTOCOLS = {"tcp": 6, "udp": 17}
#: The fields of the default flow log record format (version 2), in order.
DEFAULT_FORMAT_FIELDS = (
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
)
DEFAULT_NAMESPACE = "VPCFlowLogs"
STATISTIC = "Sum"
COMPARISON = "GreaterThanOrEqualToThreshold"
TREAT_MISSING_DATA = "notBreaching"
#: How far an alarm may look back (period x evaluation periods): one day, or 7 days for periods of an hour
#: or more (PutMetricAlarm, CloudWatch API Reference).
MAX_WINDOW_SECONDS = 86400
MAX_WINDOW_SECONDS_HOURLY = 7 * 86400
#: Metric filter, metric and alarm names are <name_prefix>-rejected-<rule>; AWS allows 255 characters.
MAX_NAME = 255
RULE_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z\-]*:sns:[a-z0-9\-]+:\d{12}:[A-Za-z0-9_\-]{1,256}$")
#: Letters, digits and . - _ / # : and spaces, not starting with ':' (PutMetricData / MetricTransformation).
NAMESPACE = re.compile(r"^[0-9A-Za-z._\-/# ][0-9A-Za-z._\-/#: ]{0,254}$")
FORMAT_FIELD = re.compile(r"\$\{([a-z0-9\-]+)\}")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def format_fields(log_format):
    """Field names of a flow log record format (``${field}`` tokens); the default format when unset."""
    if not log_format:
        return list(DEFAULT_FORMAT_FIELDS)
    return FORMAT_FIELD.findall(log_format)


def validate_rules(rules, option="rules"):
    if not rules:
        raise ParameterError(option, "give at least one rule ({name, port, protocol}), for example ssh on port 22")
    seen = set()
    for rule in rules:
        if not isinstance(rule, dict):
            raise ParameterError(option, "{!r} is not a rule; use {{name: ssh, port: 22, protocol: tcp}}".format(rule))
        name = rule.get("name")
        if not isinstance(name, str) or not RULE_NAME.match(name):
            raise ParameterError(
                option, "rule name {!r} is not valid: 1 to 64 characters from a-z A-Z 0-9 _ -".format(name)
            )
        if name in seen:
            raise ParameterError(option, "rule name {!r} is used twice; rule names must be unique".format(name))
        seen.add(name)
        _check_traffic(rule, name, option)


def _check_traffic(rule, name, option):
    """The port and protocol a rule alarms on."""
    port, protocol = rule.get("port"), rule.get("protocol") or "tcp"
    if not _is_int(port) or not 0 <= port <= 65535:
        raise ParameterError(option, "port {!r} of rule {} is not a port number (0 to 65535)".format(port, name))
    if protocol not in PROTOCOLS:
        raise ParameterError(
            option,
            "protocol {!r} of rule {} is not allowed; use one of {}".format(protocol, name, ", ".join(PROTOCOLS)),
        )


def _check_topic(params, region=None):
    topic = params.get("sns_topic_arn")
    if topic and not SNS_TOPIC_ARN.match(topic):
        raise ParameterError(
            "sns_topic_arn",
            "{!r} is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<topic>)".format(topic),
        )
    region = region or params.get("region")
    if topic and region and topic.split(":")[3] != region:
        raise ParameterError(
            "sns_topic_arn",
            "{topic} is in region {other}; CloudWatch alarms in {region} can only notify SNS topics in {region}".format(
                topic=topic, other=topic.split(":")[3], region=region
            ),
        )


def _check_threshold(params):
    threshold = params.get("threshold", 1)
    if not _is_int(threshold) or threshold < 1:
        raise ParameterError(
            "threshold", "{!r} is not allowed; use a number of rejected records, 1 or more".format(threshold)
        )


def _check_periods(params):
    period, evaluation_periods = params.get("period", 300), params.get("evaluation_periods", 1)
    if not _is_int(period) or period < 60 or period % 60:
        raise ParameterError(
            "period",
            "{!r} is not allowed; use a multiple of 60 seconds (metric filters publish per minute)".format(period),
        )
    if not _is_int(evaluation_periods) or evaluation_periods < 1:
        raise ParameterError("evaluation_periods", "{!r} is not allowed; use 1 or more".format(evaluation_periods))
    window, limit = period * evaluation_periods, MAX_WINDOW_SECONDS
    if period >= 3600:
        limit = MAX_WINDOW_SECONDS_HOURLY
    if window > limit:
        raise ParameterError(
            "evaluation_periods",
            "period x evaluation_periods is {} seconds; CloudWatch allows at most {} seconds ({})".format(
                window, limit, "7 days" if limit == MAX_WINDOW_SECONDS_HOURLY else "one day"
            ),
        )


def _check_namespace(params):
    namespace = params.get("metric_namespace") or DEFAULT_NAMESPACE
    if not NAMESPACE.match(namespace):
        raise ParameterError(
            "metric_namespace",
            "{!r} is not a CloudWatch namespace: 1 to 255 of letters, digits, spaces and . - _ / # :, not starting "
            "with :".format(namespace[:60]),
        )
    if namespace.startswith("AWS/"):
        raise ParameterError("metric_namespace", "{!r}: the prefix AWS/ is reserved for AWS".format(namespace))


def _check_names(params):
    prefix = params.get("name_prefix")
    if prefix and re.search(r"[:*]", prefix):
        raise ParameterError("name_prefix", "{!r}: metric filter names may not contain : or *".format(prefix))
    longest = max((len(r.get("name") or "") for r in params.get("rules") or [] if isinstance(r, dict)), default=0)
    length = len(name_prefix(params)) + longest
    if length > MAX_NAME:
        option = "name_prefix" if params.get("name_prefix") else "log_group_name"
        hint = "" if params.get("name_prefix") else "; set name_prefix to a shorter prefix"
        raise ParameterError(
            option,
            "the filter, metric and alarm names <prefix>-rejected-<rule> would be {} characters; "
            "AWS allows {}{}".format(length, MAX_NAME, hint),
        )


def _check_log_format(params):
    fields = format_fields(params.get("log_format"))
    missing = [f for f in ("dstport", "protocol", "action") if f not in fields]
    if missing:
        raise ParameterError(
            "log_format",
            "the record format has no {} field; alarms on rejected traffic need dstport, protocol and action".format(
                ", ".join(missing)
            ),
        )


def _check_tags(params):
    problem = tag_problem(params.get("tags"), "cloudwatch")
    if problem:
        raise ParameterError("tags", problem)


def alarm_param_errors(params):
    """Every problem with ``params``, one ParameterError per option (the role's preflight lists them all)."""
    checks = [lambda p: validate_log_group_name(p.get("log_group_name"), "log_group_name")]
    if params.get("state", "present") != "absent":
        checks += [
            lambda p: validate_rules(p.get("rules")),
            _check_topic,
            _check_threshold,
            _check_periods,
            _check_namespace,
            _check_names,
            _check_log_format,
            _check_tags,
        ]
    return run_checks(checks, params)


def validate_alarm_params(params):
    """Reject what CloudWatch would reject (or what would alarm on nothing), before any call."""
    raise_first(alarm_param_errors(params))


def filter_pattern(port, protocol="tcp", log_format=None):
    """Space-delimited filter pattern matching REJECT records to ``port`` over ``protocol``.

    With the default format and port 22:
    ``[version, account_id, ..., dstport="22", protocol="6", ..., action="REJECT", log_status]``.
    """
    conditions = dict(dstport=str(port), protocol=str(PROTOCOLS[protocol]), action="REJECT")
    parts = []
    for field in format_fields(log_format):
        name = field.replace("-", "_")
        parts.append('{}="{}"'.format(name, conditions[field]) if field in conditions else name)
    return "[{}]".format(", ".join(parts))


def name_prefix(params):
    return "{}-rejected-".format(params.get("name_prefix") or params["log_group_name"])
