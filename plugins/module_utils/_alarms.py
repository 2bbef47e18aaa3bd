# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alarms on rejected traffic to sensitive ports (SSH, RDP) seen in VPC flow logs: rules, plan and converge.

Per rule, one CloudWatch Logs metric filter on the flow-log group counts REJECT records to the port, and one
CloudWatch alarm on that metric notifies an SNS topic. Every name is ``<name_prefix>-rejected-<rule>``, so
the module knows which filters and alarms are its own.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import cloudwatch as cloudwatch_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._log_groups import validate_log_group_name
from ansible_collections.flowlogs.aws.plugins.module_utils._tags import (
    apply_tag_changes,
    normalize_tags,
    tag_changes,
    tag_problem,
)

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
        name, port = rule.get("name"), rule.get("port")
        protocol = rule.get("protocol") or "tcp"
        if not isinstance(name, str) or not RULE_NAME.match(name):
            raise ParameterError(
                option, "rule name {!r} is not valid: 1 to 64 characters from a-z A-Z 0-9 _ -".format(name)
            )
        if name in seen:
            raise ParameterError(option, "rule name {!r} is used twice; rule names must be unique".format(name))
        seen.add(name)
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
    errors = []
    for check in checks:
        try:
            check(params)
        except ParameterError as exc:
            errors.append(exc)
    return errors


def validate_alarm_params(params):
    """Reject what CloudWatch would reject (or what would alarm on nothing), before any call."""
    errors = alarm_param_errors(params)
    if errors:
        raise errors[0]


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


def desired_state(params):
    """The metric filters and alarms ``params`` ask for, keyed by name. Pure."""
    prefix = name_prefix(params)
    namespace = params.get("metric_namespace") or DEFAULT_NAMESPACE
    topic = params.get("sns_topic_arn")
    filters, alarms = {}, {}
    for rule in params["rules"]:
        protocol = rule.get("protocol") or "tcp"
        name = prefix + rule["name"]
        filters[name] = dict(
            name=name,
            log_group_name=params["log_group_name"],
            pattern=filter_pattern(rule["port"], protocol, params.get("log_format")),
            metric_name=name,
            metric_namespace=namespace,
            metric_value="1",
            default_value=0.0,
        )
        alarms[name] = dict(
            name=name,
            description="Rejected {}/{} ({}) traffic in the VPC flow logs of log group {}".format(
                protocol, rule["port"], rule["name"], params["log_group_name"]
            ),
            metric_name=name,
            namespace=namespace,
            statistic=STATISTIC,
            period=params.get("period", 300),
            evaluation_periods=params.get("evaluation_periods", 1),
            threshold=float(params.get("threshold", 1)),
            comparison_operator=COMPARISON,
            treat_missing_data=TREAT_MISSING_DATA,
            actions_enabled=True,
            alarm_actions=[topic] if topic else [],
        )
    return dict(metric_filters=filters, alarms=alarms)


def index_filters(found):
    """Filters by name, with how many AWS holds under that name.

    Real AWS replaces a filter put again under its name; moto keeps the old copy too, so the last one is
    the current one and a delete must be repeated per copy.
    """
    by_name, copies = {}, {}
    for item in found:
        by_name[item["name"]] = item
        copies[item["name"]] = copies.get(item["name"], 0) + 1
    return by_name, copies


FILTER_FIELDS = ("pattern", "metric_name", "metric_namespace", "metric_value", "default_value")
ALARM_FIELDS = (
    "description",
    "metric_name",
    "namespace",
    "statistic",
    "period",
    "evaluation_periods",
    "threshold",
    "comparison_operator",
    "treat_missing_data",
    "actions_enabled",
    "alarm_actions",
)


def _differs(current, desired, fields):
    return [f for f in fields if _normal(current.get(f)) != _normal(desired.get(f))]


def _normal(value):
    if _is_int(value):
        return float(value)
    if isinstance(value, list):
        return sorted(value)
    return value


def plan_alarms(params, current):
    """Steps that turn ``current`` ({metric_filters: [...], alarms: [...]}) into what ``params`` ask. Pure.

    ``current`` holds only the module's own filters and alarms (``<name_prefix>-rejected-*``). Alarms come
    with their tags.
    """
    filters, copies = index_filters(current.get("metric_filters") or [])
    alarms = {a["name"]: a for a in current.get("alarms") or []}
    group = params["log_group_name"]
    absent = params.get("state", "present") == "absent"
    wanted = dict(metric_filters={}, alarms={}) if absent else desired_state(params)
    purge = absent or params.get("purge_rules", True)
    tags = normalize_tags(params.get("tags"))
    plan = []

    for name, desired in sorted(wanted["metric_filters"].items()):
        found = filters.get(name)
        changed = None if found is None else _differs(found, desired, FILTER_FIELDS)
        if found is None:
            plan.append(dict(action="create_metric_filter", name=name, log_group_name=group, metric_filter=desired))
        elif changed:
            plan.append(
                dict(
                    action="update_metric_filter",
                    name=name,
                    log_group_name=group,
                    metric_filter=desired,
                    fields=changed,
                )
            )
    for name, desired in sorted(wanted["alarms"].items()):
        found = alarms.get(name)
        if found is None:
            plan.append(dict(action="create_alarm", name=name, alarm=desired, tags=tags or {}))
            continue
        changed = _differs(found, desired, ALARM_FIELDS)
        if changed:
            # PutMetricAlarm overwrites the whole alarm: keep the actions this module does not manage.
            kept = dict(
                ok_actions=found.get("ok_actions") or [],
                insufficient_data_actions=found.get("insufficient_data_actions") or [],
            )
            plan.append(
                dict(
                    action="update_alarm", name=name, arn=found.get("arn"), alarm=dict(desired, **kept), fields=changed
                )
            )
        to_set, to_remove = tag_changes(found.get("tags"), tags, params.get("purge_tags", True))
        if to_set:
            plan.append(dict(action="tag_alarm", name=name, arn=found.get("arn"), tags=to_set))
        if to_remove:
            plan.append(dict(action="untag_alarm", name=name, arn=found.get("arn"), keys=to_remove))

    if purge:
        stale_alarms = sorted(n for n in alarms if n not in wanted["alarms"])
        if stale_alarms:
            plan.append(dict(action="delete_alarms", names=stale_alarms))
        for name in sorted(n for n in filters if n not in wanted["metric_filters"]):
            plan.append(dict(action="delete_metric_filter", name=name, log_group_name=group, copies=copies[name]))
    return plan


def predict_alarms(current, plan):
    """The filters and alarms as they will be after ``plan`` (for check mode and diff). Pure."""
    filters = {f["name"]: copy.deepcopy(f) for f in current.get("metric_filters") or []}
    alarms = {a["name"]: copy.deepcopy(a) for a in current.get("alarms") or []}
    for step in plan:
        action = step["action"]
        if action in ("create_metric_filter", "update_metric_filter"):
            filters[step["name"]] = copy.deepcopy(step["metric_filter"])
        elif action == "delete_metric_filter":
            filters.pop(step["name"], None)
        elif action == "create_alarm":
            alarms[step["name"]] = dict(
                copy.deepcopy(step["alarm"]),
                arn=None,
                ok_actions=[],
                insufficient_data_actions=[],
                tags=dict(step["tags"]),
            )
        elif action == "update_alarm":
            alarms[step["name"]] = dict(
                copy.deepcopy(step["alarm"]), arn=step["arn"], tags=alarms[step["name"]].get("tags", {})
            )
        elif action == "tag_alarm":
            alarms[step["name"]]["tags"] = apply_tag_changes(alarms[step["name"]].get("tags"), step["tags"], [])
        elif action == "untag_alarm":
            alarms[step["name"]]["tags"] = apply_tag_changes(alarms[step["name"]].get("tags"), {}, step["keys"])
        elif action == "delete_alarms":
            for name in step["names"]:
                alarms.pop(name, None)
    return normalized_state(filters.values(), alarms.values())


def normalized_state(filters, alarms):
    """Filters and alarms sorted by name, alarm actions sorted: what diff and return values show."""
    return dict(
        metric_filters=sorted((dict(f) for f in filters), key=lambda f: f["name"]),
        alarms=sorted(
            (dict(a, alarm_actions=sorted(a.get("alarm_actions") or [])) for a in alarms), key=lambda a: a["name"]
        ),
    )


def read_alarm_state(logs, cloudwatch, params):
    """The module's own filters (with duplicate copies, see index_filters) and alarms (with tags)."""
    prefix = name_prefix(params)
    filters = logs_api.describe_metric_filters(logs, params["log_group_name"], prefix)
    filters = [f for f in filters if f["name"].startswith(prefix)]
    alarms = [a for a in cloudwatch_api.describe_alarms(cloudwatch, prefix) if a["name"].startswith(prefix)]
    for alarm in alarms:
        alarm["tags"] = cloudwatch_api.list_alarm_tags(cloudwatch, alarm["arn"])
    return dict(metric_filters=filters, alarms=alarms)


def apply_alarm_plan(logs, cloudwatch, plan):
    for step in plan:
        action = step["action"]
        if action in ("create_metric_filter", "update_metric_filter"):
            f = step["metric_filter"]
            logs_api.put_metric_filter(
                logs,
                step["log_group_name"],
                f["name"],
                f["pattern"],
                f["metric_name"],
                f["metric_namespace"],
                f["metric_value"],
                f["default_value"],
            )
        elif action == "delete_metric_filter":
            for _copy in range(step["copies"]):
                logs_api.delete_metric_filter(logs, step["log_group_name"], step["name"])
        elif action == "create_alarm":
            cloudwatch_api.put_metric_alarm(cloudwatch, step["alarm"], step["tags"])
        elif action == "update_alarm":
            cloudwatch_api.put_metric_alarm(cloudwatch, step["alarm"])
        elif action == "tag_alarm":
            cloudwatch_api.tag_alarm(cloudwatch, step["arn"], step["tags"])
        elif action == "untag_alarm":
            cloudwatch_api.untag_alarm(cloudwatch, step["arn"], step["keys"])
        elif action == "delete_alarms":
            cloudwatch_api.delete_alarms(cloudwatch, step["names"])


def converge_flow_log_alarms(clients, params, check_mode=False):
    """Make the filters and alarms match ``params``. Returns changed, metric_filters, alarms, actions, before, after."""
    params = dict(params)
    if params.get("rules") is None:
        params["rules"] = [dict(r) for r in DEFAULT_RULES]
    validate_alarm_params(params)
    if params.get("state", "present") == "present":
        _check_topic(params, clients.region)  # the region may come from the environment or a profile
    logs, cloudwatch = clients("logs"), clients("cloudwatch")
    current = read_alarm_state(logs, cloudwatch, params)
    before = normalized_state(index_filters(current["metric_filters"])[0].values(), current["alarms"])
    plan = plan_alarms(params, current)
    after = predict_alarms(current, plan)
    if plan and not check_mode:
        apply_alarm_plan(logs, cloudwatch, plan)
        found = read_alarm_state(logs, cloudwatch, params)
        after = normalized_state(index_filters(found["metric_filters"])[0].values(), found["alarms"])
    return dict(
        changed=bool(plan),
        metric_filters=after["metric_filters"],
        alarms=after["alarms"],
        actions=[step["action"] for step in plan],
        before=before,
        after=after,
    )
