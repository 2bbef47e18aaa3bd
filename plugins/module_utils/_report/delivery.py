# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A target's delivery in the fleet report: role, log groups, alarms, analysis and the S3 buckets checked, and the
notes the report shows for them (pure)."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.log_groups import (
    CREATE_LOG_GROUP,
    DELETE_LOG_GROUP,
    PUT_RETENTION_POLICY,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.policies import FLOW_LOGS_PRINCIPAL
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.roles import (
    CREATE_ROLE,
    DELETE_ROLE,
    PUT_ROLE_POLICY,
    UPDATE_TRUST_POLICY,
)

#: Delivery actions that repair a flow log whose delivery FAILED (its role or log group was the cause).
REPAIRS_DELIVERY = (CREATE_ROLE, UPDATE_TRUST_POLICY, PUT_ROLE_POLICY, CREATE_LOG_GROUP)


def registered(value):
    """A step's result, or {} when the step was skipped or never ran."""
    if not isinstance(value, dict) or value.get("skipped"):
        return {}
    return value


def delivery(steps):
    role = registered(steps.get("role"))
    group = registered(steps.get("log_group"))
    alarms = registered(steps.get("alarms"))
    out = {}
    if role:
        out["role"] = dict(
            name=(role.get("role") or {}).get("name"),
            arn=(role.get("role") or {}).get("arn"),
            changed=bool(role.get("changed")),
            actions=role.get("actions") or [],
            principals_before=role.get("principals_before"),
            purged_policies=role.get("purged_policies") or [],
            excess_privileges=role.get("excess_privileges") or [],
        )
    groups = [_log_group(group)] if group else []
    groups += [_log_group(registered(v)) for k, v in sorted(steps.items()) if k.startswith("log_group:")]
    if groups:
        out["log_group"] = groups[0]
    if len(groups) > 1:
        out["log_groups"] = groups
    if alarms:
        out["alarms"] = dict(
            names=[a["name"] for a in alarms.get("alarms") or []],
            changed=bool(alarms.get("changed")),
            actions=alarms.get("actions") or [],
        )
    analysis = _analysis(steps)
    if analysis:
        out["analysis"] = analysis
    buckets = [dict(registered(v)) for k, v in sorted(steps.items()) if k.startswith("bucket:")]
    if buckets:
        out["buckets"] = buckets
    return out


def _analysis(steps):
    """What the analysis phase set up: saved query, rule and Athena table names, and what it did."""
    found = [(k, registered(v)) for k, v in sorted(steps.items()) if k.split(":", 1)[0] in ("insights", "athena")]
    if not found:
        return None
    out = dict(saved_queries=[], insight_rules=[], athena_tables=[], changed=False, actions=[], unavailable=[])
    for key, step in found:
        out["changed"] = out["changed"] or bool(step.get("changed"))
        out["actions"] += step.get("actions") or []
        if step.get("unavailable"):
            out["unavailable"].append(step["unavailable"])
        if key.startswith("insights"):
            out["saved_queries"] += [q["name"] for q in step.get("query_definitions") or []]
            out["insight_rules"] += [r["name"] for r in step.get("insight_rules") or []]
        else:
            table = step.get("table") or {}
            if table.get("name"):
                out["athena_tables"].append("{}.{}".format(table.get("database") or "", table["name"]))
    return out


def _log_group(group):
    lg = group.get("log_group") or {}
    return dict(
        name=lg.get("name"),
        retention_in_days=lg.get("retention_in_days"),
        retention_policy_name=lg.get("retention_policy_name"),
        changed=bool(group.get("changed")),
        actions=group.get("actions") or [],
    )


def _principals(role):
    return ", ".join(role.get("principals_before") or []) or "nothing"


#: (part of the delivery, action it took or key it has, the note in words) - in the order they read best.
DELIVERY_NOTES = (
    ("role", CREATE_ROLE, lambda role: "role created"),
    (
        "role",
        UPDATE_TRUST_POLICY,
        lambda role: "role trust fixed ({} -> {})".format(_principals(role), FLOW_LOGS_PRINCIPAL),
    ),
    ("role", "policy scoped", lambda role: "role policy scoped"),
    ("role", "purged_policies", lambda role: "role policies removed ({})".format(", ".join(role["purged_policies"]))),
    (
        "role",
        "excess_privileges",
        lambda role: "role grants more than delivery: " + "; ".join(role["excess_privileges"]),
    ),
    ("log_group", CREATE_LOG_GROUP, lambda group: "log group created"),
    ("log_group", PUT_RETENTION_POLICY, lambda group: "retention set to {} days".format(group["retention_in_days"])),
    (
        "log_group",
        "retention_policy_name",
        lambda group: "retention governed by account policy {}".format(group["retention_policy_name"]),
    ),
    ("log_group", DELETE_LOG_GROUP, lambda group: "log group deleted"),
    ("role", DELETE_ROLE, lambda role: "role deleted"),
    ("alarms", "changed", lambda alarms: "alarms updated"),
    ("analysis", "changed", lambda analysis: "analysis set up"),
    (
        "analysis",
        "unavailable",
        lambda analysis: "saved queries not set up ({})".format(
            "; ".join("{}: {}".format(u["operation"], u["code"]) for u in analysis["unavailable"])
        ),
    ),
)


def delivery_notes(delivery):
    notes = []
    several = len(delivery.get("log_groups") or []) > 1
    for part, when, note in DELIVERY_NOTES:
        for found in (delivery.get("log_groups") if part == "log_group" and several else None) or [delivery.get(part)]:
            found = found or {}
            actions = found.get("actions") or []
            if when == "policy scoped":  # a new role's policy is part of its creation, not a fix
                hit = PUT_ROLE_POLICY in actions and CREATE_ROLE not in actions
            else:
                hit = when in actions or bool(found.get(when))
            if hit:
                notes.append(
                    note(found) + (" ({})".format(found.get("name")) if several and part == "log_group" else "")
                )
    notes += [
        "bucket {}: delivery would likely fail - {}".format(b["bucket"], "; ".join(b["problems"]))
        for b in delivery.get("buckets") or []
        if b.get("problems")
    ]
    return notes
