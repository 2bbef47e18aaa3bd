# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A target's delivery in the fleet report: role, log groups, alarms, analysis and the S3 buckets checked, and the
notes the report shows for them (pure)."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.log_groups import (
    CREATE_LOG_GROUP,
    DELETE_LOG_GROUP,
    PUT_DELETION_PROTECTION,
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
    """What a target set up for delivery, from its steps' results: ``role``, ``log_group`` (the first, and every one
    as ``log_groups`` when there are several), ``alarms``, ``analysis`` and the ``buckets`` checked; a part the
    target did not set up is left out."""
    groups = [_log_group(group) for group in _log_group_steps(steps)]
    parts = dict(
        role=_role(registered(steps.get("role"))),
        log_group=groups[0] if groups else None,
        log_groups=groups if len(groups) > 1 else None,
        alarms=_alarms(registered(steps.get("alarms"))),
        analysis=_analysis(steps),
        buckets=[dict(registered(v)) for k, v in sorted(steps.items()) if k.startswith("bucket:")],
    )
    return {part: found for part, found in parts.items() if found}


def _role(role):
    if not role:
        return None
    return dict(
        name=(role.get("role") or {}).get("name"),
        arn=(role.get("role") or {}).get("arn"),
        changed=bool(role.get("changed")),
        actions=role.get("actions") or [],
        principals_before=role.get("principals_before"),
        purged_policies=role.get("purged_policies") or [],
        excess_privileges=role.get("excess_privileges") or [],
    )


def _log_group_steps(steps):
    """The log groups' steps: the first destination's (``log_group``), then the others' (``log_group:<label>``)."""
    first = registered(steps.get("log_group"))
    others = [registered(v) for k, v in sorted(steps.items()) if k.startswith("log_group:")]
    return ([first] if first else []) + others


def _alarms(alarms):
    if not alarms:
        return None
    return dict(
        names=[a["name"] for a in alarms.get("alarms") or []],
        changed=bool(alarms.get("changed")),
        actions=alarms.get("actions") or [],
    )


def _analysis(steps):
    """What the analysis phase set up: saved query, rule and Athena table names, and what it did."""
    found = [(k, registered(v)) for k, v in sorted(steps.items()) if k.split(":", 1)[0] in ("insights", "athena")]
    if not found:
        return None
    out = dict(saved_queries=[], insight_rules=[], athena_tables=[], changed=False, actions=[], unavailable=[])
    for key, step in found:
        out["changed"] = out["changed"] or bool(step.get("changed"))
        out["actions"] += step.get("actions") or []
        out["unavailable"] += [step["unavailable"]] if step.get("unavailable") else []
        for name, names in _analysis_names(key, step).items():
            out[name] += names
    return out


def _analysis_names(key, step):
    """The saved queries and rules an ``insights`` step set up, or the table of an ``athena`` one."""
    if key.startswith("insights"):
        return dict(
            saved_queries=[q["name"] for q in step.get("query_definitions") or []],
            insight_rules=[r["name"] for r in step.get("insight_rules") or []],
        )
    table = step.get("table") or {}
    if not table.get("name"):
        return {}
    return dict(athena_tables=["{}.{}".format(table.get("database") or "", table["name"])])


def _log_group(group):
    lg = group.get("log_group") or {}
    return dict(
        name=lg.get("name"),
        retention_in_days=lg.get("retention_in_days"),
        retention_policy_name=lg.get("retention_policy_name"),
        deletion_protection=bool(lg.get("deletion_protection")),
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
    (
        "log_group",
        PUT_DELETION_PROTECTION,
        lambda group: "deletion protection {}".format("on" if group["deletion_protection"] else "lifted"),
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
    """The notes the report shows for a target's delivery, in words: what it fixed or set up, what it found."""
    several = len(delivery.get("log_groups") or []) > 1
    notes = []
    for part, when, note in DELIVERY_NOTES:
        for found in _noted_parts(delivery, part):
            if _noted(when, found):
                named = several and part == "log_group"  # which of the log groups
                notes.append(note(found) + (" ({})".format(found.get("name")) if named else ""))
    return notes + [
        "bucket {}: delivery would likely fail - {}".format(b["bucket"], "; ".join(b["problems"]))
        for b in delivery.get("buckets") or []
        if b.get("problems")
    ]


def _noted_parts(delivery, part):
    """What a note on ``part`` is about: each log group when there are several."""
    several = delivery.get("log_groups") or []
    if part == "log_group" and len(several) > 1:
        return several
    return [delivery.get(part) or {}]


def _noted(when, found):
    """Whether a note applies: the part took the action, or has the key."""
    actions = found.get("actions") or []
    if when == "policy scoped":  # a new role's policy is part of its creation, not a fix
        return PUT_ROLE_POLICY in actions and CREATE_ROLE not in actions
    return when in actions or bool(found.get(when))
