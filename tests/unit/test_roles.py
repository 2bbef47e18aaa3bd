"""Delivery role rules, plan and prediction: pure functions, tables of cases."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.policies import (
    delivery_policy_for,
    normalize_policy,
    trust_policy_for,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.roles import (
    DEFAULT_POLICY_NAME,
    _read,
    _warnings,
    desired_role,
    excess_privileges,
    plan_role,
    predict_role,
    validate_role_params,
)
from tests.unit.conftest import ACCOUNT

NAME = "vpc-flow-logs-delivery"
IDENTITY = dict(account=ACCOUNT, arn="arn:aws:iam::{}:user/tests".format(ACCOUNT), partition="aws")
BOUNDARY = "arn:aws:iam::{}:policy/boundary".format(ACCOUNT)
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def params_for(**overrides):
    params = dict(name=NAME, log_group_names=["vpc-flow-logs"])
    params.update(overrides)
    return params


def role(**overrides):
    found = dict(
        name=NAME,
        arn="arn:aws:iam::{}:role/{}".format(ACCOUNT, NAME),
        role_id="AROAEXAMPLE",
        path="/",
        description=None,
        trust_policy=trust_policy_for(ACCOUNT),
        permissions_boundary=None,
        create_date="2026-01-01T00:00:00+00:00",
        tags={},
    )
    found.update(overrides)
    return found


def plan_for(params, current, current_policy):
    return plan_role(params, current, current_policy, desired_role(params, IDENTITY))


# ---------------------------------------------------------------- validate_role_params


@pytest.mark.parametrize(
    ("params", "option"),
    [
        (params_for(name=""), "name"),
        (params_for(name=None), "name"),
        (params_for(name="x" * 65), "name"),
        (params_for(name="has space"), "name"),
        (params_for(name="slash/name"), "name"),
        (params_for(path="service/"), "path"),
        (params_for(path="/service"), "path"),
        (params_for(path="/ser vice/"), "path"),
        (params_for(policy_name="bad policy"), "policy_name"),
        (params_for(policy_name="p" * 129), "policy_name"),  # IAM: 128 characters for an inline policy name
        (params_for(path="/" + "p" * 511 + "/"), "path"),  # IAM: 512 characters
        (params_for(description="d" * 1001), "description"),  # IAM: 1000 characters
        (params_for(description="tab\u0008"), "description"),  # outside IAM's character set
        # The inline policy for this many groups passes IAM's 10,240 characters for a role's inline policies.
        (params_for(log_group_names=["group-{:03d}-{}".format(i, "x" * 40) for i in range(200)]), "log_group_names"),
        (params_for(log_group_names=["ok", "bad name"]), "log_group_names"),
        (params_for(log_group_names=[""]), "log_group_names"),
        (params_for(log_group_names=[]), "log_group_names"),
        (params_for(permissions_boundary="boundary"), "permissions_boundary"),
        (params_for(permissions_boundary="arn:aws:iam::{}:role/x".format(ACCOUNT)), "permissions_boundary"),
        (params_for(permissions_boundary="arn:aws:iam::123:policy/x"), "permissions_boundary"),
    ],
)
def test_invalid_role_params_are_rejected(params, option):
    with pytest.raises(ParameterError) as caught:
        validate_role_params(params)

    assert caught.value.option == option


def test_empty_log_group_list_message_says_star_is_never_granted():
    with pytest.raises(ParameterError, match=r"never granted on '\*'"):
        validate_role_params(params_for(log_group_names=[]))


@pytest.mark.parametrize(
    "params",
    [
        params_for(),
        params_for(name="a+b=c,d.e@f_g-h", path="/service/flow-logs/"),
        params_for(name="x" * 64),
        params_for(path=None),
        params_for(log_group_names=None),
        params_for(log_group_names=[], state="absent"),
        params_for(permissions_boundary=""),
        params_for(permissions_boundary=BOUNDARY),
        params_for(permissions_boundary="arn:aws:iam::aws:policy/PowerUserAccess"),
        params_for(permissions_boundary="arn:aws-us-gov:iam::{}:policy/b".format(ACCOUNT)),
        params_for(policy_name="custom-policy"),
        params_for(policy_name="p" * 128),
        params_for(description="Delivery role for VPC Flow Logs - managed by flowlogs.aws (équipe réseau)"),
        params_for(log_group_names=["group-{:03d}".format(i) for i in range(100)]),
    ],
)
def test_valid_role_params_are_accepted(params):
    validate_role_params(params)


# ---------------------------------------------------------------- desired_role


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_desired_role_uses_account_and_partition(partition):
    identity = dict(IDENTITY, partition=partition)

    desired = desired_role(params_for(log_group_names=["b", "a"]), identity)

    assert desired["trust_policy"] == trust_policy_for(ACCOUNT, partition)
    assert desired["policy"] == delivery_policy_for(ACCOUNT, ["a", "b"], partition)


def test_desired_role_without_log_groups_manages_no_policy():
    assert desired_role(params_for(log_group_names=None), IDENTITY)["policy"] is None


def test_desired_role_without_source_conditions():
    desired = desired_role(params_for(source_conditions=False), IDENTITY)

    assert desired["trust_policy"] == trust_policy_for(ACCOUNT, source_conditions=False)


# ---------------------------------------------------------------- plan_role

POLICY = delivery_policy_for(ACCOUNT, ["vpc-flow-logs"])
#: The same policy as IAM may return it: other Sid, other action order, single resource as a string.
POLICY_REWRITTEN = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": ["*"]},
        {
            "Sid": "Other",
            "Effect": "Allow",
            "Action": list(reversed(POLICY["Statement"][0]["Action"])),
            "Resource": POLICY["Statement"][0]["Resource"][0],
        },
    ],
}


@pytest.mark.parametrize(
    ("case", "params", "current", "current_policy", "expected_actions"),
    [
        ("create with policy", params_for(), None, None, ["create_role", "put_role_policy"]),
        ("create without policy", params_for(log_group_names=None), None, None, ["create_role"]),
        ("compliant", params_for(), role(), POLICY, []),
        ("policy semantically equal", params_for(), role(), POLICY_REWRITTEN, []),
        ("policy missing", params_for(), role(), None, ["put_role_policy"]),
        ("policy for another group", params_for(log_group_names=["other"]), role(), POLICY, ["put_role_policy"]),
        ("policy unmanaged", params_for(log_group_names=None), role(), None, []),
        ("wrong principal", params_for(), role(trust_policy=EC2_TRUST), POLICY, ["update_trust_policy"]),
        (
            "conditions dropped on request",
            params_for(source_conditions=False),
            role(),
            POLICY,
            ["update_trust_policy"],
        ),
        ("description set", params_for(description="d"), role(), POLICY, ["update_description"]),
        ("description same", params_for(description="d"), role(description="d"), POLICY, []),
        ("description unset", params_for(), role(description="d"), POLICY, []),
        ("description cleared", params_for(description=""), role(description="d"), POLICY, ["update_description"]),
        ("boundary set", params_for(permissions_boundary=BOUNDARY), role(), POLICY, ["put_permissions_boundary"]),
        ("boundary same", params_for(permissions_boundary=BOUNDARY), role(permissions_boundary=BOUNDARY), POLICY, []),
        ("boundary unset", params_for(), role(permissions_boundary=BOUNDARY), POLICY, []),
        (
            "boundary removed",
            params_for(permissions_boundary=""),
            role(permissions_boundary=BOUNDARY),
            POLICY,
            ["delete_permissions_boundary"],
        ),
        ("no boundary to remove", params_for(permissions_boundary=""), role(), POLICY, []),
        ("tags", params_for(tags={"a": "1"}), role(tags={"b": "2"}), POLICY, ["tag_role", "untag_role"]),
        ("tags no purge", params_for(tags={"a": "1"}, purge_tags=False), role(tags={"b": "2"}), POLICY, ["tag_role"]),
        ("tags unset", params_for(), role(tags={"b": "2"}), POLICY, []),
        ("absent", params_for(state="absent"), role(), POLICY, ["delete_role"]),
        ("absent and missing", params_for(state="absent"), None, None, []),
    ],
)
def test_plan_role_actions(case, params, current, current_policy, expected_actions):
    assert [step["action"] for step in plan_for(params, current, current_policy)] == expected_actions, case


def test_create_step_carries_the_desired_documents():
    params = params_for(path="/service/", description="flow logs", permissions_boundary=BOUNDARY, tags={"t": "v"})

    create, put = plan_for(params, None, None)

    assert create == dict(
        action="create_role",
        name=NAME,
        path="/service/",
        trust_policy=trust_policy_for(ACCOUNT),
        description="flow logs",
        permissions_boundary=BOUNDARY,
        tags={"t": "v"},
    )
    assert put == dict(action="put_role_policy", name=NAME, policy_name=DEFAULT_POLICY_NAME, policy=POLICY)


def test_create_step_with_empty_boundary_has_none():
    create = plan_for(params_for(permissions_boundary=""), None, None)[0]

    assert create["permissions_boundary"] is None


def test_custom_policy_name_is_used():
    [step] = plan_for(params_for(policy_name="custom"), role(), None)

    assert step["policy_name"] == "custom"


def test_wrong_principal_reports_principals_before_and_after():
    [step] = plan_for(params_for(), role(trust_policy=EC2_TRUST), POLICY)

    assert step["action"] == "update_trust_policy"
    assert step["principals_before"] == ["ec2.amazonaws.com"]
    assert step["principals_after"] == ["vpc-flow-logs.amazonaws.com"]
    assert step["trust_policy"] == trust_policy_for(ACCOUNT)


def test_tag_steps_carry_the_changes():
    steps = plan_for(params_for(tags={"a": 1}), role(tags={"b": "2", "aws:x": "y"}), POLICY)

    assert steps == [
        dict(action="tag_role", name=NAME, tags={"a": "1"}),
        dict(action="untag_role", name=NAME, keys=["b"]),
    ]


def test_create_step_tags_are_strings_like_every_other_tag_change():
    """Ansible's ``type: dict`` keeps YAML integers; IAM tag values must be strings."""
    create = plan_for(params_for(tags={"cost_center": 1234}), None, None)[0]

    assert create["tags"] == {"cost_center": "1234"}


# ---------------------------------------------------------------- predict_role


def test_predict_new_role():
    params = params_for(path="/service/", description="d", tags={"t": "v"})

    after, policy = predict_role(None, None, plan_for(params, None, None), IDENTITY)

    assert after["arn"] == "arn:aws:iam::{}:role/service/{}".format(ACCOUNT, NAME)
    assert after["path"] == "/service/"
    assert after["trust_policy"] == trust_policy_for(ACCOUNT)
    assert after["description"] == "d"
    assert after["tags"] == {"t": "v"}
    assert policy == POLICY


def test_predict_new_role_arn_in_root_path_and_other_partition():
    identity = dict(IDENTITY, partition="aws-cn")

    after = predict_role(None, None, plan_for(params_for(), None, None), identity)[0]

    assert after["arn"] == "arn:aws-cn:iam::{}:role/{}".format(ACCOUNT, NAME)


def test_predict_deleted_role():
    assert predict_role(role(), POLICY, plan_for(params_for(state="absent"), role(), POLICY), IDENTITY) == (None, None)


def test_predict_does_not_modify_its_inputs():
    current, current_policy = role(trust_policy=EC2_TRUST, tags={"b": "2"}), None
    snapshot = copy.deepcopy((current, current_policy))

    predict_role(current, current_policy, plan_for(params_for(tags={"a": "1"}), current, current_policy), IDENTITY)

    assert (current, current_policy) == snapshot


@pytest.mark.parametrize(
    ("params", "current", "current_policy"),
    [
        (params_for(), None, None),
        (params_for(description="d", permissions_boundary=BOUNDARY, tags={"a": "1"}), None, None),
        (params_for(permissions_boundary="", description=""), None, None),
        (params_for(), role(trust_policy=EC2_TRUST), None),
        (params_for(log_group_names=["x", "y"]), role(), POLICY),
        (params_for(description="new", permissions_boundary=BOUNDARY), role(description="old"), POLICY),
        (params_for(permissions_boundary=""), role(permissions_boundary=BOUNDARY), POLICY),
        (params_for(tags={"a": "1"}), role(tags={"b": "2"}), POLICY),
        (params_for(tags={}, purge_tags=False), role(tags={"b": "2"}), POLICY),
    ],
)
def test_plan_on_the_predicted_role_is_empty(params, current, current_policy):
    after, after_policy = predict_role(current, current_policy, plan_for(params, current, current_policy), IDENTITY)

    assert plan_for(params, after, after_policy) == []


# ---------------------------------------------------------------- purge_policies (#9): least privilege in the end

WIDE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
LOGS_FULL = "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"


def role_with_extras(**overrides):
    return role(other_policies={"hand-made": WIDE}, managed_policies=[LOGS_FULL], **overrides)


def test_other_policies_are_purged_by_default():
    actions = [
        (s["action"], s.get("policy_name") or s.get("policy_arn"))
        for s in plan_for(params_for(), role_with_extras(), POLICY)
    ]

    assert actions == [("delete_role_policy", "hand-made"), ("detach_role_policy", LOGS_FULL)]


def test_purge_policies_false_keeps_them_and_says_the_role_grants_more():
    plan = plan_for(params_for(purge_policies=False), role_with_extras(), POLICY)

    assert plan == []
    assert excess_privileges(role_with_extras(), POLICY) == [
        "inline policy hand-made allows logs:* on *",
        "managed policy {} is attached".format(LOGS_FULL),
    ]


def test_a_widened_own_policy_is_excess_too_and_the_put_fixes_it():
    assert excess_privileges(role(), WIDE) == ["inline policy flow-logs-delivery allows logs:* on *"]
    assert [s["action"] for s in plan_for(params_for(), role(), WIDE)] == ["put_role_policy"]
    assert excess_privileges(role(), POLICY) == []


def test_the_prediction_has_no_other_policy_left():
    current = role_with_extras()
    plan = plan_for(params_for(), current, POLICY)

    after, policy = predict_role(current, POLICY, plan, IDENTITY)

    assert (after["other_policies"], after["managed_policies"]) == ({}, [])
    assert excess_privileges(after, policy) == []


def test_other_policies_not_listed_are_neither_purged_nor_planned():
    """1.0.0's operator policy cannot list a role's policies: _read leaves them unknown (None)."""
    current = role(other_policies=None, managed_policies=None)

    assert plan_for(params_for(), current, POLICY) == []
    assert [s["action"] for s in plan_for(params_for(), current, WIDE)] == ["put_role_policy"]


def _iam_refusing_list(stubbed, policy):
    iam, stubber = stubbed("iam")
    stubber.add_response(
        "get_role",
        {
            "Role": {
                "RoleName": NAME,
                "RoleId": "AROAEXAMPLEEXAMPLE1",
                "Arn": "arn:aws:iam::{}:role/{}".format(ACCOUNT, NAME),
                "Path": "/",
                "CreateDate": "2026-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": json.dumps(trust_policy_for(ACCOUNT)),
            }
        },
        {"RoleName": NAME},
    )
    stubber.add_client_error(
        "list_role_policies", service_error_code="AccessDenied", service_message="not authorized", http_status_code=403
    )
    return iam, stubber


def test_a_refused_listing_reads_the_own_policy_as_1_0_did_and_warns(stubbed):
    iam, stubber = _iam_refusing_list(stubbed, POLICY)
    stubber.add_response(
        "get_role_policy",
        {"RoleName": NAME, "PolicyName": DEFAULT_POLICY_NAME, "PolicyDocument": json.dumps(POLICY)},
        {"RoleName": NAME, "PolicyName": DEFAULT_POLICY_NAME},
    )

    current, policy = _read(iam, params_for())

    assert (current["other_policies"], current["managed_policies"]) == (None, None)
    assert current["policies_unlisted"]["operation"] == "iam:ListRolePolicies"
    assert normalize_policy(policy) == normalize_policy(POLICY)
    (warning,) = _warnings(NAME, [], current)
    assert "its other policies were not checked - iam:ListRolePolicies was refused (AccessDenied)" in warning


def test_purge_policies_true_requires_the_listing(stubbed):
    iam, _stubber = _iam_refusing_list(stubbed, POLICY)

    with pytest.raises(AwsError) as raised:
        _read(iam, params_for(purge_policies=True))

    assert (raised.value.operation, raised.value.code) == ("iam:ListRolePolicies", "AccessDenied")
