# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM policy documents for flow-log delivery, and their semantic comparison (pure)."""

from __future__ import annotations

import json

FLOW_LOGS_PRINCIPAL = "vpc-flow-logs.amazonaws.com"
POLICY_VERSION = "2012-10-17"
#: What CloudWatch Logs delivery needs, nothing more: writing to the flow-log groups...
DELIVERY_ACTIONS = (
    "logs:CreateLogStream",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
)
#: ... and listing groups, which IAM only grants on "*" (DescribeLogGroups has no resource type in the Service
#: Authorization Reference: a statement scoped to log groups does not grant it).
DELIVERY_LIST_ACTIONS = ("logs:DescribeLogGroups",)


def trust_policy_for(account, partition="aws", source_conditions=True):
    """Trust policy letting VPC Flow Logs (and only it) assume the role, for this account's flow logs."""
    statement = {
        "Sid": "VpcFlowLogsDelivery",
        "Effect": "Allow",
        "Principal": {"Service": FLOW_LOGS_PRINCIPAL},
        "Action": "sts:AssumeRole",
    }
    if source_conditions:
        # Confused-deputy protection: only flow logs of this account may use the role.
        statement["Condition"] = {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": "arn:{}:ec2:*:{}:vpc-flow-log/*".format(partition, account)},
        }
    return {"Version": POLICY_VERSION, "Statement": [statement]}


def log_group_arn_pattern(account, name, partition="aws"):
    return "arn:{}:logs:*:{}:log-group:{}:*".format(partition, account, name)


def delivery_policy_for(account, log_group_names, partition="aws"):
    """Inline policy: write to the named log groups (in any region of the account), nothing else."""
    resources = [log_group_arn_pattern(account, name, partition) for name in sorted(set(log_group_names))]
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "DeliverToFlowLogGroups",
                "Effect": "Allow",
                "Action": list(DELIVERY_ACTIONS),
                "Resource": resources,
            },
            {
                "Sid": "ListLogGroups",
                "Effect": "Allow",
                "Action": list(DELIVERY_LIST_ACTIONS),
                "Resource": "*",
            },
        ],
    }


def _as_sorted_list(value):
    if isinstance(value, (list, tuple)):
        return sorted({_canonical(v) for v in value}, key=json.dumps)
    return [_canonical(value)]


def _canonical(value):
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


LIST_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def _normalize_statement(statement):
    out = {}
    for key, value in statement.items():
        if key == "Sid":
            continue  # a label; it does not change what the policy allows
        if key in LIST_KEYS:
            out[key] = _as_sorted_list(value)
        elif key in ("Principal", "NotPrincipal"):
            out[key] = value if value == "*" else {k: _as_sorted_list(v) for k, v in value.items()}
        elif key == "Condition":
            out[key] = {op: {k: _as_sorted_list(v) for k, v in cond.items()} for op, cond in value.items()}
        else:
            out[key] = value
    return out


def normalize_policy(policy):
    """A canonical form: statements as a sorted list, single values as lists, Sids and order ignored."""
    if policy is None:
        return None
    if isinstance(policy, str):
        policy = json.loads(policy)
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    normalized = [_normalize_statement(s) for s in statements]
    unique = {json.dumps(s, sort_keys=True): s for s in normalized}
    return {
        "Version": policy.get("Version", "2008-10-17"),
        "Statement": [unique[k] for k in sorted(unique)],
    }


def policies_equal(left, right):
    return normalize_policy(left) == normalize_policy(right)


def trusted_services(policy):
    """The service principals allowed to assume a role by its trust policy."""
    services = set()
    for statement in (normalize_policy(policy) or {}).get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            services.update(principal.get("Service", []))
    return sorted(services)


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _beyond_delivery(statement):
    """(actions, resources) of an Allow statement, the actions being those beyond delivery: any other action, and
    a write action on "*"; no actions when the statement allows nothing more."""
    writes, delivery = set(DELIVERY_ACTIONS), set(DELIVERY_ACTIONS + DELIVERY_LIST_ACTIONS)
    actions = statement.get("Action") or ["NotAction:" + ",".join(statement.get("NotAction") or [])]
    resources = statement.get("Resource") or ["NotResource"]
    beyond = [a for a in actions if a not in delivery]
    on_star = [a for a in actions if a in writes and "*" in resources]
    return beyond + on_star, resources


def excess_statements(name, policy):
    """What an inline policy of the delivery role allows beyond delivery, in words (one per statement)."""
    findings = []
    for statement in (normalize_policy(policy) or {}).get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        actions, resources = _beyond_delivery(statement)
        if actions:
            findings.append("inline policy {} allows {} on {}".format(name, ", ".join(actions), ", ".join(resources)))
    return findings
