# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM role that VPC Flow Logs assumes to deliver to CloudWatch Logs: rules, plan and converge."""

from __future__ import annotations

import copy
import json
import re

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import iam as iam_api
from ansible_collections.flowlogs.aws.plugins.module_utils._errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_log_spec import log_group_name_problem
from ansible_collections.flowlogs.aws.plugins.module_utils._policies import (
    delivery_policy_for,
    excess_statements,
    normalize_policy,
    policies_equal,
    trust_policy_for,
    trusted_services,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._tags import (
    apply_tag_changes,
    normalize_tags,
    tag_changes,
    tag_problem,
)

ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
#: IAM quotas (IAM User Guide, "IAM and AWS STS quotas") and patterns (IAM API Reference).
POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
DESCRIPTION = re.compile("^[\u0009\u000a\u000d\u0020-\u007e\u00a1-\u00ff]{0,1000}$")
#: Characters of all inline policies of a role together, whitespace not counted.
MAX_INLINE_POLICIES = 10240
ROLE_PATH = re.compile(r"^/([\x21-\x7e]{0,510}/)?$")
POLICY_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::(\d{12}|aws):policy/.+$")
DEFAULT_POLICY_NAME = "flow-logs-delivery"
PURGE_ACTIONS = ("delete_role_policy", "detach_role_policy")


def role_problems(params):
    """Every rule ``params`` break, one ParameterError per option (IAM refuses more than moto)."""
    problems = []

    def add(option, message):
        problems.append(ParameterError(option, message))

    name = params.get("name")
    if not name or not ROLE_NAME.match(name):
        add("name", "{!r} is not a valid IAM role name: 1 to 64 of a-z A-Z 0-9 + = , . @ _ -".format(name))
    path = params.get("path") or "/"
    if not ROLE_PATH.match(path):
        add("path", "{!r} is not a valid IAM path: it starts and ends with / (for example /service/)".format(path))
    policy_name = params.get("policy_name") or DEFAULT_POLICY_NAME
    if not POLICY_NAME.match(policy_name):
        add("policy_name", "{!r} is not a valid policy name: 1 to 128 of a-z A-Z 0-9 + = , . @ _ -".format(policy_name))
    description = params.get("description")
    if description and not DESCRIPTION.match(description):
        add("description", "IAM takes at most 1000 characters, printable Latin-1 (no control characters)")
    for group in params.get("log_group_names") or []:
        problem = log_group_name_problem(group)
        if problem:
            add("log_group_names", problem)
            break
    if (
        params.get("state", "present") == "present"
        and params.get("log_group_names") is not None
        and not params["log_group_names"]
    ):
        add("log_group_names", "give at least one log group name; the policy is never granted on '*'")
    elif params.get("log_group_names") and not any(p.option == "log_group_names" for p in problems):
        # The longest it can be: the longest partition, a 12-digit account.
        policy = delivery_policy_for("0" * 12, params["log_group_names"], "aws-us-gov")
        size = len(json.dumps(policy, separators=(",", ":")))
        if size > MAX_INLINE_POLICIES:
            add(
                "log_group_names",
                "the delivery policy for {} log groups would be {} characters; IAM allows {} for a role's inline "
                "policies: use fewer groups (a name prefix is not a wildcard here)".format(
                    len(set(params["log_group_names"])), size, MAX_INLINE_POLICIES
                ),
            )
    boundary = params.get("permissions_boundary")
    if boundary and not POLICY_ARN.match(boundary):
        add(
            "permissions_boundary",
            "{!r} is not a managed policy ARN (arn:<partition>:iam::<account>:policy/<name>); use an empty string to "
            "remove the boundary".format(boundary),
        )
    problem = tag_problem(params.get("tags"), "iam")
    if problem:
        add("tags", problem)
    return problems


def validate_role_params(params):
    problems = role_problems(params)
    if problems:
        raise problems[0]


def desired_role(params, identity):
    """Trust policy and inline policy the role must have, for this account and partition."""
    account, partition = identity["account"], identity["partition"]
    names = params.get("log_group_names")
    return dict(
        trust_policy=trust_policy_for(account, partition, params.get("source_conditions", True)),
        policy=None if names is None else delivery_policy_for(account, names, partition),
    )


def plan_role(params, current, current_policy, desired):
    """Actions turning the role (None when absent) and its inline policy into the desired ones. Pure."""
    name = params["name"]
    policy_name = params.get("policy_name") or DEFAULT_POLICY_NAME
    if params.get("state", "present") == "absent":
        return [dict(action="delete_role", name=name)] if current else []
    plan = []
    if current is None:
        plan.append(
            dict(
                action="create_role",
                name=name,
                path=params.get("path") or "/",
                trust_policy=desired["trust_policy"],
                description=params.get("description"),
                permissions_boundary=params.get("permissions_boundary") or None,
                tags=normalize_tags(params.get("tags")) or {},
            )
        )
        if desired["policy"] is not None:
            plan.append(dict(action="put_role_policy", name=name, policy_name=policy_name, policy=desired["policy"]))
        return plan

    if not policies_equal(current.get("trust_policy"), desired["trust_policy"]):
        plan.append(
            dict(
                action="update_trust_policy",
                name=name,
                trust_policy=desired["trust_policy"],
                principals_before=trusted_services(current.get("trust_policy")),
                principals_after=trusted_services(desired["trust_policy"]),
            )
        )
    if desired["policy"] is not None and not policies_equal(current_policy, desired["policy"]):
        plan.append(dict(action="put_role_policy", name=name, policy_name=policy_name, policy=desired["policy"]))
    description = params.get("description")
    if description is not None and description != (current.get("description") or ""):
        plan.append(dict(action="update_description", name=name, description=description))
    boundary = params.get("permissions_boundary")
    if boundary is not None and boundary != (current.get("permissions_boundary") or ""):
        if boundary:
            plan.append(dict(action="put_permissions_boundary", name=name, permissions_boundary=boundary))
        else:
            plan.append(dict(action="delete_permissions_boundary", name=name))
    if params.get("purge_policies", True):
        # The role exists for delivery only: what else it was given is least privilege broken.
        for other in sorted(current.get("other_policies") or {}):
            plan.append(dict(action="delete_role_policy", name=name, policy_name=other))
        for arn in sorted(current.get("managed_policies") or []):
            plan.append(dict(action="detach_role_policy", name=name, policy_arn=arn))
    to_set, to_remove = tag_changes(current.get("tags"), params.get("tags"), params.get("purge_tags", True))
    if to_set:
        plan.append(dict(action="tag_role", name=name, tags=to_set))
    if to_remove:
        plan.append(dict(action="untag_role", name=name, keys=to_remove))
    return plan


def excess_privileges(role, policy, policy_name=DEFAULT_POLICY_NAME):
    """What the role grants beyond flow-log delivery, in words: its own inline policy widened, other inline
    policies, attached managed policies."""
    if not role:
        return []
    findings = excess_statements(policy_name, policy) if policy else []
    for other, document in sorted((role.get("other_policies") or {}).items()):
        findings += excess_statements(other, document) or ["inline policy {} is attached".format(other)]
    findings += ["managed policy {} is attached".format(arn) for arn in sorted(role.get("managed_policies") or [])]
    return findings


def predict_role(current, current_policy, plan, identity):
    """(role, inline policy) after ``plan``. Pure."""
    role = copy.deepcopy(current)
    policy = copy.deepcopy(current_policy)
    for step in plan:
        action = step["action"]
        if action == "create_role":
            role = dict(
                name=step["name"],
                arn="arn:{}:iam::{}:role{}{}".format(
                    identity["partition"], identity["account"], step["path"], step["name"]
                ),
                role_id=None,
                path=step["path"],
                description=step["description"],
                trust_policy=step["trust_policy"],
                permissions_boundary=step["permissions_boundary"],
                create_date=None,
                tags=dict(step["tags"]),
                other_policies={},
                managed_policies=[],
            )
        elif action == "delete_role":
            role, policy = None, None
        elif action == "update_trust_policy":
            role["trust_policy"] = step["trust_policy"]
        elif action == "put_role_policy":
            policy = step["policy"]
        elif action == "update_description":
            role["description"] = step["description"]
        elif action == "put_permissions_boundary":
            role["permissions_boundary"] = step["permissions_boundary"]
        elif action == "delete_permissions_boundary":
            role["permissions_boundary"] = None
        elif action == "delete_role_policy":
            role["other_policies"] = {k: v for k, v in role["other_policies"].items() if k != step["policy_name"]}
        elif action == "detach_role_policy":
            role["managed_policies"] = [a for a in role["managed_policies"] if a != step["policy_arn"]]
        elif action == "tag_role":
            role["tags"] = apply_tag_changes(role["tags"], step["tags"], [])
        elif action == "untag_role":
            role["tags"] = apply_tag_changes(role["tags"], {}, step["keys"])
    return role, policy


def apply_role_plan(iam, plan):
    """Apply ``plan``. Returns True when another run created the role first (the caller re-plans)."""
    for step in plan:
        action = step["action"]
        name = step["name"]
        if action == "create_role":
            try:
                iam_api.create_role(
                    iam,
                    name,
                    step["path"],
                    step["trust_policy"],
                    step["description"],
                    step["permissions_boundary"],
                    step["tags"],
                )
            except AwsError as exc:
                if exc.code == "EntityAlreadyExists":
                    return True
                raise
            iam_api.wait_for_role(iam, name)
        elif action == "delete_role":
            iam_api.delete_role(iam, name)
        elif action == "update_trust_policy":
            iam_api.update_trust_policy(iam, name, step["trust_policy"])
        elif action == "put_role_policy":
            iam_api.put_role_policy(iam, name, step["policy_name"], step["policy"])
        elif action == "update_description":
            iam_api.update_role_description(iam, name, step["description"])
        elif action == "put_permissions_boundary":
            iam_api.put_permissions_boundary(iam, name, step["permissions_boundary"])
        elif action == "delete_permissions_boundary":
            iam_api.delete_permissions_boundary(iam, name)
        elif action == "delete_role_policy":
            iam_api.delete_role_policy(iam, name, step["policy_name"])
        elif action == "detach_role_policy":
            iam_api.detach_role_policy(iam, name, step["policy_arn"])
        elif action == "tag_role":
            iam_api.tag_role(iam, name, step["tags"])
        elif action == "untag_role":
            iam_api.untag_role(iam, name, step["keys"])
    return False


def _read(iam, params):
    """The role (with the inline policies other than its own, and its managed policies) and its own policy."""
    name = params["name"]
    role = iam_api.get_role(iam, name)
    policy = None
    if role is not None:
        own = params.get("policy_name") or DEFAULT_POLICY_NAME
        inline = iam_api.list_role_policies(iam, name)
        if own in inline:
            policy = iam_api.get_role_policy(iam, name, own)
        role["other_policies"] = {p: iam_api.get_role_policy(iam, name, p) for p in inline if p != own}
        role["managed_policies"] = sorted(iam_api.list_attached_role_policies(iam, name))
    return role, policy


def role_excess(iam, name):
    """What an existing delivery role grants beyond delivery, read from IAM (every inline policy, every
    attached managed policy); [] for a role that does not exist."""
    try:
        inline = iam_api.list_role_policies(iam, name)
    except AwsError as exc:
        if exc.code == "NoSuchEntity":
            return []
        raise
    findings = []
    for policy_name in inline:
        findings += excess_statements(policy_name, iam_api.get_role_policy(iam, name, policy_name))
    findings += [
        "managed policy {} is attached".format(a) for a in sorted(iam_api.list_attached_role_policies(iam, name))
    ]
    return findings


def _public(role, policy):
    if not role:
        return {}
    return dict(role, policy=normalize_policy(policy) if policy else None)


def converge_role(clients, params, check_mode=False):
    """Make the delivery role match ``params``. Safe when another run creates the same role at once."""
    validate_role_params(params)
    iam = clients("iam")
    identity = clients.identity()
    desired = desired_role(params, identity)
    before, before_policy = _read(iam, params)
    plan = plan_role(params, before, before_policy, desired)
    after, after_policy = predict_role(before, before_policy, plan, identity)
    if plan and not check_mode:
        if apply_role_plan(iam, plan):
            # Another target of this account created the role first: converge what it made.
            iam_api.wait_for_role(iam, params["name"])
            before, before_policy = _read(iam, params)
            plan = plan_role(params, before, before_policy, desired)
            apply_role_plan(iam, plan)
        after, after_policy = (None, None) if params.get("state") == "absent" else _read(iam, params)
    trust_change = next((s for s in plan if s["action"] == "update_trust_policy"), None)
    policy_name = params.get("policy_name") or DEFAULT_POLICY_NAME
    found = dict(
        changed=bool(plan),
        role=_public(after, after_policy),
        actions=[step["action"] for step in plan],
        principals_before=trust_change["principals_before"] if trust_change else None,
        purged_policies=[s.get("policy_name") or s["policy_arn"] for s in plan if s["action"] in PURGE_ACTIONS],
        excess_privileges=excess_privileges(after, after_policy, policy_name),
        before=_public(before, before_policy),
        after=_public(after, after_policy),
    )
    if found["excess_privileges"]:
        found["warnings"] = [
            "delivery role {} grants more than delivery: {} (purge_policies removes it)".format(
                params["name"], "; ".join(found["excess_privileges"])
            )
        ]
    return found
