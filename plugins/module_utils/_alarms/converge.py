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

from ansible_collections.flowlogs.aws.plugins.module_utils._alarms.rules import (
    COMPARISON,
    DEFAULT_NAMESPACE,
    DEFAULT_RULES,
    STATISTIC,
    TREAT_MISSING_DATA,
    _check_topic,
    _is_int,
    filter_pattern,
    name_prefix,
    validate_alarm_params,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import cloudwatch as cloudwatch_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.converge import (
    Resource,
    StepType,
    apply,
    converge,
    predict,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import (
    apply_tag_changes,
    normalize_tags,
    tag_changes,
)


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


#: The actions of an alarms plan.
CREATE_METRIC_FILTER = "create_metric_filter"
UPDATE_METRIC_FILTER = "update_metric_filter"
DELETE_METRIC_FILTER = "delete_metric_filter"
CREATE_ALARM = "create_alarm"
UPDATE_ALARM = "update_alarm"
TAG_ALARM = "tag_alarm"
UNTAG_ALARM = "untag_alarm"
DELETE_ALARMS = "delete_alarms"


def plan_alarms(params, current):
    """Steps that turn ``current`` ({metric_filters: [...], alarms: [...]}) into what ``params`` ask. Pure.

    ``current`` holds only the module's own filters and alarms (``<name_prefix>-rejected-*``). Alarms come
    with their tags.
    """
    filters, copies = index_filters(current.get("metric_filters") or [])
    alarms = {a["name"]: a for a in current.get("alarms") or []}
    absent = params.get("state", "present") == "absent"
    wanted = dict(metric_filters={}, alarms={}) if absent else desired_state(params)
    plan = _plan_filters(params, filters, wanted) + _plan_alarms(params, alarms, wanted)
    if absent or params.get("purge_rules", True):
        plan += _plan_stale(params["log_group_name"], filters, copies, alarms, wanted)
    return plan


def _plan_stale(log_group_name, filters, copies, alarms, wanted):
    """Deleting the alarms, then the metric filters (every copy), no longer wanted."""
    plan = []
    stale_alarms = sorted(n for n in alarms if n not in wanted["alarms"])
    if stale_alarms:
        plan.append(dict(action=DELETE_ALARMS, names=stale_alarms))
    for name in sorted(n for n in filters if n not in wanted["metric_filters"]):
        plan.append(dict(action=DELETE_METRIC_FILTER, name=name, log_group_name=log_group_name, copies=copies[name]))
    return plan


def _plan_filters(params, filters, wanted):
    plan, group = [], params["log_group_name"]
    for name, desired in sorted(wanted["metric_filters"].items()):
        found = filters.get(name)
        if found is None:
            plan.append(dict(action=CREATE_METRIC_FILTER, name=name, log_group_name=group, metric_filter=desired))
            continue
        changed = _differs(found, desired, FILTER_FIELDS)
        if changed:
            plan.append(
                dict(
                    action=UPDATE_METRIC_FILTER, name=name, log_group_name=group, metric_filter=desired, fields=changed
                )
            )
    return plan


def _plan_alarms(params, alarms, wanted):
    plan, tags = [], normalize_tags(params.get("tags"))
    for name, desired in sorted(wanted["alarms"].items()):
        found = alarms.get(name)
        if found is None:
            plan.append(dict(action=CREATE_ALARM, name=name, alarm=desired, tags=tags or {}))
            continue
        changed = _differs(found, desired, ALARM_FIELDS)
        if changed:
            # PutMetricAlarm overwrites the whole alarm: keep the actions this module does not manage.
            kept = dict(
                ok_actions=found.get("ok_actions") or [],
                insufficient_data_actions=found.get("insufficient_data_actions") or [],
            )
            alarm = dict(desired, **kept)
            plan.append(dict(action=UPDATE_ALARM, name=name, arn=found.get("arn"), alarm=alarm, fields=changed))
        to_set, to_remove = tag_changes(found.get("tags"), tags, params.get("purge_tags", True))
        if to_set:
            plan.append(dict(action=TAG_ALARM, name=name, arn=found.get("arn"), tags=to_set))
        if to_remove:
            plan.append(dict(action=UNTAG_ALARM, name=name, arn=found.get("arn"), keys=to_remove))
    return plan


# ---------------------------------------------------------------- step types: {filters, alarms} by name


def _put_filter(clients, step, _current):
    f = step["metric_filter"]
    logs_api.put_metric_filter(
        clients[0],
        step["log_group_name"],
        f["name"],
        f["pattern"],
        f["metric_name"],
        f["metric_namespace"],
        f["metric_value"],
        f["default_value"],
    )


def _delete_filter(clients, step, _current):
    for _copy in range(step["copies"]):  # moto keeps a copy per put (see index_filters)
        logs_api.delete_metric_filter(clients[0], step["log_group_name"], step["name"])


def _set_filter(state, step, _context):
    return dict(state, filters=dict(state["filters"], **{step["name"]: copy.deepcopy(step["metric_filter"])}))


def _new_alarm(state, step, _context):
    alarm = dict(copy.deepcopy(step["alarm"]), arn=None, ok_actions=[], insufficient_data_actions=[], tags=step["tags"])
    return dict(state, alarms=dict(state["alarms"], **{step["name"]: alarm}))


def _updated_alarm(state, step, _context):
    tags = state["alarms"][step["name"]].get("tags", {})
    alarm = dict(copy.deepcopy(step["alarm"]), arn=step["arn"], tags=tags)
    return dict(state, alarms=dict(state["alarms"], **{step["name"]: alarm}))


def _retagged(to_set, to_remove):
    def predict_step(state, step, _context):
        alarm = state["alarms"][step["name"]]
        tags = apply_tag_changes(alarm.get("tags"), to_set(step), to_remove(step))
        return dict(state, alarms=dict(state["alarms"], **{step["name"]: dict(alarm, tags=tags)}))

    return predict_step


STEP_TYPES = {
    CREATE_METRIC_FILTER: StepType(_put_filter, _set_filter),
    UPDATE_METRIC_FILTER: StepType(_put_filter, _set_filter),
    DELETE_METRIC_FILTER: StepType(
        _delete_filter,
        lambda state, step, _c: dict(state, filters={k: v for k, v in state["filters"].items() if k != step["name"]}),
    ),
    CREATE_ALARM: StepType(
        lambda clients, step, _c: cloudwatch_api.put_metric_alarm(clients[1], step["alarm"], step["tags"]), _new_alarm
    ),
    UPDATE_ALARM: StepType(
        lambda clients, step, _c: cloudwatch_api.put_metric_alarm(clients[1], step["alarm"]), _updated_alarm
    ),
    TAG_ALARM: StepType(
        lambda clients, step, _c: cloudwatch_api.tag_alarm(clients[1], step["arn"], step["tags"]),
        _retagged(lambda step: step["tags"], lambda _step: []),
    ),
    UNTAG_ALARM: StepType(
        lambda clients, step, _c: cloudwatch_api.untag_alarm(clients[1], step["arn"], step["keys"]),
        _retagged(lambda _step: {}, lambda step: step["keys"]),
    ),
    DELETE_ALARMS: StepType(
        lambda clients, step, _c: cloudwatch_api.delete_alarms(clients[1], step["names"]),
        lambda state, step, _c: dict(
            state, alarms={k: v for k, v in state["alarms"].items() if k not in step["names"]}
        ),
    ),
}


def _by_name(current):
    return dict(
        filters={f["name"]: f for f in current.get("metric_filters") or []},
        alarms={a["name"]: a for a in current.get("alarms") or []},
    )


def predict_alarms(current, plan):
    """The filters and alarms as they will be after ``plan`` (for check mode and diff). Pure."""
    state = predict(STEP_TYPES, _by_name(current), plan)
    return normalized_state(state["filters"].values(), state["alarms"].values())


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
    apply(STEP_TYPES, (logs, cloudwatch), plan, None)


def _normalized(found):
    return normalized_state(index_filters(found["metric_filters"])[0].values(), found["alarms"])


class Alarms(Resource):
    """The module's metric filters and alarms on one log group."""

    step_types = STEP_TYPES

    def validate(self, params):
        validate_alarm_params(params)

    def client(self, clients):
        return clients("logs"), clients("cloudwatch")

    def context(self, clients, params):
        if params.get("state", "present") == "present":
            _check_topic(params, clients.region)  # the region may come from the environment or a profile

    def read(self, client, params):
        return read_alarm_state(client[0], client[1], params)

    def plan(self, params, current, context):
        return plan_alarms(params, current)

    def predict_state(self, before, plan, context):
        return predict_alarms(before, plan)

    def read_after(self, client, params):
        return _normalized(self.read(client, params))

    def result(self, params, before, after, plan, context):
        return dict(
            changed=bool(plan),
            metric_filters=after["metric_filters"],
            alarms=after["alarms"],
            actions=[step["action"] for step in plan],
            before=_normalized(before),
            after=after,
        )


def converge_flow_log_alarms(clients, params, check_mode=False, read_after=True, validated=False):
    """Make the filters and alarms match ``params``. Returns changed, metric_filters, alarms, actions, before, after."""
    params = dict(params)
    if params.get("rules") is None:
        params["rules"] = [dict(r) for r in DEFAULT_RULES]
    return converge(Alarms(), clients, params, check_mode, read_after, validated)
