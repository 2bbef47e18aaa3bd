# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM role that VPC Flow Logs assumes to deliver to CloudWatch Logs: rules, plan and converge."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import iam as iam_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.converge import (
    Conflict,
    Resource,
    StepType,
    apply,
    converge,
    predict,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError
from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import (
    apply_tag_changes,
    normalize_tags,
    tag_changes,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.policies import (
    delivery_policy_for,
    excess_statements,
    normalize_policy,
    policies_equal,
    trust_policy_for,
    trusted_services,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.role_rules import (
    DEFAULT_POLICY_NAME,
    validate_role_params,
)


def desired_role(params, identity):
    """Trust policy and inline policy the role must have, for this account and partition."""
    account, partition = identity["account"], identity["partition"]
    names = params.get("log_group_names")
    return dict(
        trust_policy=trust_policy_for(account, partition, params.get("source_conditions", True)),
        policy=None if names is None else delivery_policy_for(account, names, partition),
    )


#: The actions of a delivery role plan (the report names what happened with them).
CREATE_ROLE = "create_role"
DELETE_ROLE = "delete_role"
UPDATE_TRUST_POLICY = "update_trust_policy"
PUT_ROLE_POLICY = "put_role_policy"
UPDATE_DESCRIPTION = "update_description"
PUT_PERMISSIONS_BOUNDARY = "put_permissions_boundary"
DELETE_PERMISSIONS_BOUNDARY = "delete_permissions_boundary"
DELETE_ROLE_POLICY = "delete_role_policy"
DETACH_ROLE_POLICY = "detach_role_policy"
TAG_ROLE = "tag_role"
UNTAG_ROLE = "untag_role"
PURGE_ACTIONS = (DELETE_ROLE_POLICY, DETACH_ROLE_POLICY)


def plan_role(params, current, current_policy, desired):
    """Actions turning the role (None when absent) and its inline policy into the desired ones. Pure."""
    name = params["name"]
    if params.get("state", "present") == "absent":
        return [dict(action=DELETE_ROLE, name=name)] if current else []
    if current is None:
        return _plan_new(params, desired)
    return (
        _plan_policies(params, current, current_policy, desired)
        + _plan_attributes(params, current)
        + _plan_purge(params, current)
        + _plan_tags(params, current)
    )


def _put_policy(params, desired):
    policy_name = params.get("policy_name") or DEFAULT_POLICY_NAME
    return dict(action=PUT_ROLE_POLICY, name=params["name"], policy_name=policy_name, policy=desired["policy"])


def _plan_new(params, desired):
    create = dict(
        action=CREATE_ROLE,
        name=params["name"],
        path=params.get("path") or "/",
        trust_policy=desired["trust_policy"],
        description=params.get("description"),
        permissions_boundary=params.get("permissions_boundary") or None,
        tags=normalize_tags(params.get("tags")) or {},
    )
    return [create] if desired["policy"] is None else [create, _put_policy(params, desired)]


def _plan_policies(params, current, current_policy, desired):
    plan = []
    if not policies_equal(current.get("trust_policy"), desired["trust_policy"]):
        plan.append(
            dict(
                action=UPDATE_TRUST_POLICY,
                name=params["name"],
                trust_policy=desired["trust_policy"],
                principals_before=trusted_services(current.get("trust_policy")),
                principals_after=trusted_services(desired["trust_policy"]),
            )
        )
    if desired["policy"] is not None and not policies_equal(current_policy, desired["policy"]):
        plan.append(_put_policy(params, desired))
    return plan


def _plan_attributes(params, current):
    name, plan = params["name"], []
    description = params.get("description")
    if description is not None and description != (current.get("description") or ""):
        plan.append(dict(action=UPDATE_DESCRIPTION, name=name, description=description))
    boundary = params.get("permissions_boundary")
    if boundary is not None and boundary != (current.get("permissions_boundary") or ""):
        if boundary:
            plan.append(dict(action=PUT_PERMISSIONS_BOUNDARY, name=name, permissions_boundary=boundary))
        else:
            plan.append(dict(action=DELETE_PERMISSIONS_BOUNDARY, name=name))
    return plan


def _plan_purge(params, current):
    """What purge_policies removes: every policy of the role but its own (none while they could not be listed)."""
    if params.get("purge_policies") is False or current.get("other_policies") is None:
        return []
    # The role exists for delivery only: what else it was given is least privilege broken.
    name, others, managed = params["name"], current.get("other_policies") or {}, current.get("managed_policies") or []
    return [dict(action=DELETE_ROLE_POLICY, name=name, policy_name=p) for p in sorted(others)] + [
        dict(action=DETACH_ROLE_POLICY, name=name, policy_arn=a) for a in sorted(managed)
    ]


def _plan_tags(params, current):
    name, plan = params["name"], []
    to_set, to_remove = tag_changes(current.get("tags"), params.get("tags"), params.get("purge_tags", True))
    if to_set:
        plan.append(dict(action=TAG_ROLE, name=name, tags=to_set))
    if to_remove:
        plan.append(dict(action=UNTAG_ROLE, name=name, keys=to_remove))
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


# ---------------------------------------------------------------- step types: (role, policy) before -> after


def _new_role(state, step, identity):
    del state
    role = dict(
        name=step["name"],
        arn="arn:{}:iam::{}:role{}{}".format(identity["partition"], identity["account"], step["path"], step["name"]),
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
    return role, None


def _role_with(key, value_of):
    """A prediction that sets one key of the role (the inline policy stays)."""

    def predict_step(state, step, _identity):
        role, policy = state
        return dict(role, **{key: value_of(role, step)}), policy

    return predict_step


def _without_policy(role, step):
    return {k: v for k, v in (role.get("other_policies") or {}).items() if k != step["policy_name"]}


def _detached(role, step):
    return [a for a in role.get("managed_policies") or [] if a != step["policy_arn"]]


def _create(iam, step, _current):
    try:
        iam_api.create_role(
            iam,
            step["name"],
            step["path"],
            step["trust_policy"],
            step["description"],
            step["permissions_boundary"],
            step["tags"],
        )
    except AwsError as exc:
        if exc.code == "EntityAlreadyExists":
            raise Conflict() from exc  # another run (a region of the same account) created it first
        raise
    iam_api.wait_for_role(iam, step["name"])


STEP_TYPES = {
    CREATE_ROLE: StepType(_create, _new_role),
    DELETE_ROLE: StepType(lambda iam, step, _c: iam_api.delete_role(iam, step["name"]), lambda *_a: (None, None)),
    UPDATE_TRUST_POLICY: StepType(
        lambda iam, step, _c: iam_api.update_trust_policy(iam, step["name"], step["trust_policy"]),
        _role_with("trust_policy", lambda _r, step: step["trust_policy"]),
    ),
    PUT_ROLE_POLICY: StepType(
        lambda iam, step, _c: iam_api.put_role_policy(iam, step["name"], step["policy_name"], step["policy"]),
        lambda state, step, _i: (state[0], step["policy"]),
    ),
    UPDATE_DESCRIPTION: StepType(
        lambda iam, step, _c: iam_api.update_role_description(iam, step["name"], step["description"]),
        _role_with("description", lambda _r, step: step["description"]),
    ),
    PUT_PERMISSIONS_BOUNDARY: StepType(
        lambda iam, step, _c: iam_api.put_permissions_boundary(iam, step["name"], step["permissions_boundary"]),
        _role_with("permissions_boundary", lambda _r, step: step["permissions_boundary"]),
    ),
    DELETE_PERMISSIONS_BOUNDARY: StepType(
        lambda iam, step, _c: iam_api.delete_permissions_boundary(iam, step["name"]),
        _role_with("permissions_boundary", lambda _r, _s: None),
    ),
    DELETE_ROLE_POLICY: StepType(
        lambda iam, step, _c: iam_api.delete_role_policy(iam, step["name"], step["policy_name"]),
        _role_with("other_policies", _without_policy),
    ),
    DETACH_ROLE_POLICY: StepType(
        lambda iam, step, _c: iam_api.detach_role_policy(iam, step["name"], step["policy_arn"]),
        _role_with("managed_policies", _detached),
    ),
    TAG_ROLE: StepType(
        lambda iam, step, _c: iam_api.tag_role(iam, step["name"], step["tags"]),
        _role_with("tags", lambda role, step: apply_tag_changes(role["tags"], step["tags"], [])),
    ),
    UNTAG_ROLE: StepType(
        lambda iam, step, _c: iam_api.untag_role(iam, step["name"], step["keys"]),
        _role_with("tags", lambda role, step: apply_tag_changes(role["tags"], {}, step["keys"])),
    ),
}


def predict_role(current, current_policy, plan, identity):
    """(role, inline policy) after ``plan``. Pure."""
    return predict(STEP_TYPES, (current, current_policy), plan, identity)


def apply_role_plan(iam, plan):
    """Apply ``plan``. Returns True when another run created the role first (the caller re-plans)."""
    try:
        apply(STEP_TYPES, iam, plan, None)
    except Conflict:
        return True
    return False


def _read(iam, params):
    """The role (with the inline policies other than its own, and its managed policies) and its own policy.

    Listing the role's policies needs iam:ListRolePolicies and iam:ListAttachedRolePolicies, which 1.0.0's operator
    policy did not grant: refused, and purge_policies not asked for explicitly, the role's own policy is read as
    1.0.0 read it and the others stay unknown (None), with the refusal kept to say so (``policies_unlisted``)."""
    name = params["name"]
    role = iam_api.get_role(iam, name)
    if role is None:
        return None, None
    own = params.get("policy_name") or DEFAULT_POLICY_NAME
    try:
        inline = iam_api.list_role_policies(iam, name)
        managed = sorted(iam_api.list_attached_role_policies(iam, name))
    except AwsError as exc:
        if not exc.access_denied or params.get("purge_policies") is True:
            raise
        return dict(role, other_policies=None, managed_policies=None, policies_unlisted=exc.as_dict()), (
            iam_api.get_role_policy(iam, name, own) or None
        )
    policy = iam_api.get_role_policy(iam, name, own) if own in inline else None
    role["other_policies"] = {p: iam_api.get_role_policy(iam, name, p) for p in inline if p != own}
    role["managed_policies"] = managed
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


def _warnings(name, excess, role):
    warnings = []
    if excess:
        warnings.append(
            "delivery role {} grants more than delivery: {} (purge_policies removes it)".format(name, "; ".join(excess))
        )
    refused = role.get("policies_unlisted")
    if refused:
        warnings.append(
            "delivery role {}: its other policies were not checked - {} was refused ({}): grant"
            " iam:ListRolePolicies and iam:ListAttachedRolePolicies (docs/operator-policy.json) for purge_policies to"
            " remove what the role grants beyond delivery, or set purge_policies (flow_logs_role_purge_policies in"
            " the role) to false".format(name, refused["operation"], refused["code"])
        )
    return warnings


def _public(role, policy):
    if not role:
        return {}
    return dict(role, policy=normalize_policy(policy) if policy else None)


def _purged(plan):
    """The policies ``plan`` purges: inline ones by name, managed ones by ARN."""
    return [step.get("policy_name") or step["policy_arn"] for step in plan if step["action"] in PURGE_ACTIONS]


class DeliveryRole(Resource):
    """The role VPC Flow Logs assumes; its state is (role, its own inline policy)."""

    step_types = STEP_TYPES

    def validate(self, params):
        validate_role_params(params)

    def client(self, clients):
        return clients("iam")

    def context(self, clients, params):
        return clients.identity()

    def read(self, client, params):
        return _read(client, params)

    def read_after(self, client, params):
        return (None, None) if params.get("state") == "absent" else _read(client, params)

    def plan(self, params, current, context):
        return plan_role(params, current[0], current[1], desired_role(params, context))

    def on_conflict(self, client, params):
        iam_api.wait_for_role(client, params["name"])

    def result(self, params, before, after, plan, context):
        (before, before_policy), (after, after_policy) = before, after
        trust_change = next((s for s in plan if s["action"] == UPDATE_TRUST_POLICY), None)
        policy_name = params.get("policy_name") or DEFAULT_POLICY_NAME
        found = dict(
            changed=bool(plan),
            role=_public(after, after_policy),
            actions=[step["action"] for step in plan],
            principals_before=trust_change["principals_before"] if trust_change else None,
            purged_policies=_purged(plan),
            excess_privileges=excess_privileges(after, after_policy, policy_name),
            before=_public(before, before_policy),
            after=_public(after, after_policy),
        )
        found["warnings"] = _warnings(params["name"], found["excess_privileges"], (after or before or {}))
        return found


def converge_role(clients, params, check_mode=False, read_after=True, validated=False):
    """Make the delivery role match ``params``. Safe when another run creates the same role at once."""
    return converge(DeliveryRole(), clients, params, check_mode, read_after, validated)
