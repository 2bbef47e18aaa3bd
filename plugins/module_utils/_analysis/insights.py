# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Analysis on a flow-log group: saved Logs Insights queries and Contributor Insights rules - plan and converge.
Private: may change in any release.

The module owns the saved queries and rules named after the group (see insights_definitions): it creates,
updates and deletes those names only. AWS lets several saved queries share a name; the module keeps one.
"""

from __future__ import annotations

import copy
import json

from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.insights_definitions import (
    DEFAULT_PREFIX,
    RULE_ENABLED,
    query_names,
    query_string,
    rule_body,
    rule_definition,
    rule_names,
    same_definition,
    validate_insights_params,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import cloudwatch as cloudwatch_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.converge import Resource, StepType, converge
from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import (
    apply_tag_changes,
    normalize_tags,
    tag_changes,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.record_format import record_fields

CREATE_QUERY = "create_query_definition"
UPDATE_QUERY = "update_query_definition"
DELETE_QUERY = "delete_query_definition"
CREATE_RULE = "create_insight_rule"
UPDATE_RULE = "update_insight_rule"
TAG_RULE = "tag_insight_rule"
UNTAG_RULE = "untag_insight_rule"
DELETE_RULES = "delete_insight_rules"


def _present(params):
    return params.get("state", "present") != "absent"


def desired_insights(params):
    """The saved queries and rules ``params`` ask for, by name. Pure."""
    fields = record_fields(params.get("log_format"))
    group = params["log_group_name"]
    queries, rules = {}, {}
    if _present(params) and params.get("queries", True):
        for question, name in query_names(params).items():
            queries[name] = dict(name=name, log_group_names=[group], query_string=query_string(question, fields))
    if _present(params) and params.get("contributor_insights"):
        for rule, name in rule_names(params).items():
            definition = rule_definition(rule_body(rule, group, fields))
            rules[name] = dict(name=name, state=RULE_ENABLED, definition=definition)
    return dict(query_definitions=queries, insight_rules=rules)


def plan_insights(params, current):
    """Steps turning ``current`` ({query_definitions: [...], insight_rules: [...]}, only the module's names) into
    what ``params`` ask. Pure. A kind the task does not manage (``queries`` / ``contributor_insights`` false) is
    left as it is."""
    wanted = desired_insights(params)
    plan = []
    if params.get("queries", True):
        plan += _plan_queries(current["query_definitions"], wanted["query_definitions"])
    if params.get("contributor_insights"):
        plan += _plan_rules(params, current["insight_rules"], wanted["insight_rules"])
    return plan


def _plan_queries(found, wanted):
    plan, copies = [], {}
    for query in sorted(found, key=lambda q: (q["name"], q.get("query_definition_id") or "")):
        copies.setdefault(query["name"], []).append(query)
    for name, desired in sorted(wanted.items()):
        kept, *extra = copies.pop(name, None) or [None]
        if kept is None:
            plan.append(dict(action=CREATE_QUERY, name=name, query=desired))
        elif _query_differs(kept, desired):
            plan.append(
                dict(action=UPDATE_QUERY, name=name, query_definition_id=kept["query_definition_id"], query=desired)
            )
        plan.extend(_delete_query(q) for q in extra)
    for name in sorted(copies):
        plan.extend(_delete_query(q) for q in copies[name])
    return plan


def _delete_query(query):
    return dict(action=DELETE_QUERY, name=query["name"], query_definition_id=query["query_definition_id"])


def _query_differs(found, desired):
    return found.get("query_string") != desired["query_string"] or sorted(found.get("log_group_names") or []) != sorted(
        desired["log_group_names"]
    )


def _plan_rules(params, found, wanted):
    plan, tags = [], normalize_tags(params.get("tags"))
    by_name = {r["name"]: r for r in found}
    for name, desired in sorted(wanted.items()):
        rule = by_name.get(name)
        if rule is None:
            plan.append(dict(action=CREATE_RULE, name=name, rule=desired, tags=tags or {}))
            continue
        if rule.get("state") != desired["state"] or not same_definition(rule.get("definition"), desired["definition"]):
            plan.append(dict(action=UPDATE_RULE, name=name, rule=desired))
        plan += _plan_rule_tags(rule, tags, params.get("purge_tags", True))
    stale = sorted(n for n in by_name if n not in wanted)
    if stale:
        plan.append(dict(action=DELETE_RULES, names=stale))
    return plan


def _plan_rule_tags(rule, tags, purge_tags):
    plan = []
    to_set, to_remove = tag_changes(rule.get("tags"), tags, purge_tags)
    if to_set:
        plan.append(dict(action=TAG_RULE, name=rule["name"], arn=rule.get("arn"), tags=to_set))
    if to_remove:
        plan.append(dict(action=UNTAG_RULE, name=rule["name"], arn=rule.get("arn"), keys=to_remove))
    return plan


# ---------------------------------------------------------------- step types: state is {queries: [...], rules: {}}


def _put_query(services, step, _current):
    q = step["query"]
    logs_api.put_query_definition(
        services.logs, q["name"], q["query_string"], q["log_group_names"], step.get("query_definition_id")
    )


def _with_query(state, step, _context):
    query = dict(copy.deepcopy(step["query"]), query_definition_id=step.get("query_definition_id"))
    kept = [q for q in state["queries"] if not (step.get("query_definition_id") and _same_id(q, step))]
    return dict(state, queries=[*kept, query])


def _same_id(query, step):
    return query.get("query_definition_id") == step.get("query_definition_id")


def _new_rule(state, step, _context):
    rule = dict(copy.deepcopy(step["rule"]), arn=None, tags=dict(step["tags"]))
    return dict(state, rules=dict(state["rules"], **{step["name"]: rule}))


def _updated_rule(state, step, _context):
    found = state["rules"][step["name"]]
    rule = dict(copy.deepcopy(step["rule"]), arn=found.get("arn"), tags=found.get("tags", {}))
    return dict(state, rules=dict(state["rules"], **{step["name"]: rule}))


def _retagged(to_set, to_remove):
    def predict_step(state, step, _context):
        rule = state["rules"][step["name"]]
        tags = apply_tag_changes(rule.get("tags"), to_set(step), to_remove(step))
        return dict(state, rules=dict(state["rules"], **{step["name"]: dict(rule, tags=tags)}))

    return predict_step


def _put_rule(with_tags):
    def apply_step(services, step, _current):
        rule = step["rule"]
        tags = step["tags"] if with_tags else None
        cloudwatch_api.put_insight_rule(services.cloudwatch, rule["name"], rule["definition"], rule["state"], tags)

    return apply_step


STEP_TYPES = {
    CREATE_QUERY: StepType(_put_query, _with_query),
    UPDATE_QUERY: StepType(_put_query, _with_query),
    DELETE_QUERY: StepType(
        lambda services, step, _c: logs_api.delete_query_definition(
            services.logs, step["query_definition_id"], step["name"]
        ),
        lambda state, step, _c: dict(state, queries=[q for q in state["queries"] if not _same_id(q, step)]),
    ),
    CREATE_RULE: StepType(_put_rule(with_tags=True), _new_rule),
    UPDATE_RULE: StepType(_put_rule(with_tags=False), _updated_rule),
    TAG_RULE: StepType(
        lambda services, step, _c: cloudwatch_api.tag_insight_rule(services.cloudwatch, step["arn"], step["tags"]),
        _retagged(lambda step: step["tags"], lambda _step: []),
    ),
    UNTAG_RULE: StepType(
        lambda services, step, _c: cloudwatch_api.untag_insight_rule(services.cloudwatch, step["arn"], step["keys"]),
        _retagged(lambda _step: {}, lambda step: step["keys"]),
    ),
    DELETE_RULES: StepType(
        lambda services, step, _c: cloudwatch_api.delete_insight_rules(services.cloudwatch, step["names"]),
        lambda state, step, _c: dict(state, rules={k: v for k, v in state["rules"].items() if k not in step["names"]}),
    ),
}


# ---------------------------------------------------------------- read, normalize, converge


def read_insights(services, params):
    """The module's saved queries (every copy) and rules (with their tags when they are wanted), of the kinds the
    task manages: a kind it leaves alone costs no call."""
    queries = _read_queries(services, params) if params.get("queries", True) else []
    rules = _read_rules(services, params) if params.get("contributor_insights") else []
    return dict(query_definitions=queries, insight_rules=rules)


def _read_queries(services, params):
    names = set(query_names(params).values())
    prefix = "{}/{}/".format(params.get("name_prefix") or DEFAULT_PREFIX, params["log_group_name"])
    return [q for q in logs_api.describe_query_definitions(services.logs, prefix) if q["name"] in names]


def _read_rules(services, params):
    ours = set(rule_names(params).values())
    rules = [r for r in cloudwatch_api.describe_insight_rules(services.cloudwatch) if r["name"] in ours]
    wanted = _present(params)
    for rule in rules:
        # ARN and tags matter only for rules that stay: a rule about to be deleted costs no extra call.
        rule["arn"] = services.rule_arn(rule["name"]) if wanted else None
        rule["tags"] = cloudwatch_api.list_insight_rule_tags(services.cloudwatch, rule["arn"]) if wanted else {}
    return rules


def normalized_insights(queries, rules):
    """Saved queries and rules sorted by name, rule definitions as data: what diff and return values show."""
    return dict(
        query_definitions=sorted(
            (dict(q) for q in queries), key=lambda q: (q["name"], q.get("query_definition_id") or "")
        ),
        insight_rules=sorted(
            (dict(r, definition=_as_data(r.get("definition"))) for r in rules), key=lambda r: r["name"]
        ),
    )


def _as_data(definition):
    try:
        return json.loads(definition)
    except (TypeError, ValueError):
        return definition


class Services:
    """Clients made on first use (a kind the task leaves alone needs none), and the rules' ARNs."""

    def __init__(self, clients):
        self._clients = clients

    @property
    def logs(self):
        return self._clients("logs")

    @property
    def cloudwatch(self):
        return self._clients("cloudwatch")

    def rule_arn(self, name):
        found = self._clients.identity()
        return cloudwatch_api.insight_rule_arn(found["partition"], self._clients.region, found["account"], name)


class Insights(Resource):
    """The module's saved queries and Contributor Insights rules on one flow-log group."""

    step_types = STEP_TYPES

    def validate(self, params):
        validate_insights_params(params)

    def client(self, clients):
        return Services(clients)

    def read(self, client, params):
        return read_insights(client, params)

    def plan(self, params, current, context):
        return plan_insights(params, current)

    def predict_state(self, before, plan, context):
        state = dict(queries=list(before["query_definitions"]), rules={r["name"]: r for r in before["insight_rules"]})
        state = super().predict_state(state, plan, context)
        return normalized_insights(state["queries"], state["rules"].values())

    def read_after(self, client, params):
        found = self.read(client, params)
        return normalized_insights(found["query_definitions"], found["insight_rules"])

    def result(self, params, before, after, plan, context):
        return dict(
            changed=bool(plan),
            query_definitions=after["query_definitions"],
            insight_rules=after["insight_rules"],
            actions=[step["action"] for step in plan],
            before=normalized_insights(before["query_definitions"], before["insight_rules"]),
            after=after,
        )


def converge_flow_log_insights(clients, params, check_mode=False, read_after=True, validated=False):
    """Make the saved queries and Contributor Insights rules of a flow-log group match ``params``.

    Returns changed, query_definitions, insight_rules, actions, before, after."""
    params = dict(params)
    params["queries"] = params.get("queries") is not False
    params["contributor_insights"] = bool(params.get("contributor_insights"))
    params["name_prefix"] = params.get("name_prefix") or DEFAULT_PREFIX
    return converge(Insights(), clients, params, check_mode, read_after, validated)
