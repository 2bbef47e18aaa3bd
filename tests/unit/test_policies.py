"""Trust and delivery policies, and their semantic comparison: pure functions, tables of cases."""

from __future__ import annotations

import json

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.policies import (
    DELIVERY_ACTIONS,
    FLOW_LOGS_PRINCIPAL,
    delivery_policy_for,
    normalize_policy,
    policies_equal,
    trust_policy_for,
    trusted_services,
)

ACCOUNT = "123456789012"


def _statement(**fields):
    return {"Version": "2012-10-17", "Statement": [dict(Effect="Allow", **fields)]}


# ---------------------------------------------------------------- trust_policy_for


@pytest.mark.parametrize(
    ("partition", "expected_source_arn"),
    [
        ("aws", "arn:aws:ec2:*:123456789012:vpc-flow-log/*"),
        ("aws-cn", "arn:aws-cn:ec2:*:123456789012:vpc-flow-log/*"),
        ("aws-us-gov", "arn:aws-us-gov:ec2:*:123456789012:vpc-flow-log/*"),
    ],
)
def test_trust_policy_allows_only_flow_logs_of_this_account(partition, expected_source_arn):
    policy = trust_policy_for(ACCOUNT, partition)

    assert policy["Version"] == "2012-10-17"
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": expected_source_arn},
    }


def test_trust_policy_without_source_conditions_has_no_condition():
    [statement] = trust_policy_for(ACCOUNT, source_conditions=False)["Statement"]

    assert "Condition" not in statement
    assert statement["Principal"] == {"Service": FLOW_LOGS_PRINCIPAL}


def test_trust_policy_is_json_serializable():
    assert json.loads(json.dumps(trust_policy_for(ACCOUNT))) == trust_policy_for(ACCOUNT)


# ---------------------------------------------------------------- delivery_policy_for


@pytest.mark.parametrize(
    ("partition", "names", "expected_resources"),
    [
        ("aws", ["vpc-flow-logs"], ["arn:aws:logs:*:123456789012:log-group:vpc-flow-logs:*"]),
        (
            "aws",
            ["b-group", "a-group", "b-group"],
            [
                "arn:aws:logs:*:123456789012:log-group:a-group:*",
                "arn:aws:logs:*:123456789012:log-group:b-group:*",
            ],
        ),
        ("aws-cn", ["/flow/logs"], ["arn:aws-cn:logs:*:123456789012:log-group:/flow/logs:*"]),
        ("aws-us-gov", ["g"], ["arn:aws-us-gov:logs:*:123456789012:log-group:g:*"]),
    ],
)
def test_delivery_policy_is_scoped_sorted_and_deduplicated(partition, names, expected_resources):
    policy = delivery_policy_for(ACCOUNT, names, partition)

    [statement, listing] = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == expected_resources
    assert sorted(statement["Action"]) == sorted(DELIVERY_ACTIONS)
    # DescribeLogGroups has no resource type: IAM grants it on "*" only, in a statement of its own.
    assert listing == dict(Sid="ListLogGroups", Effect="Allow", Action=["logs:DescribeLogGroups"], Resource="*")


@pytest.mark.parametrize("names", [["one"], ["a", "b", "c"], ["x", "x"]])
def test_delivery_policy_never_grants_writes_on_star(names):
    [statement, _listing] = delivery_policy_for(ACCOUNT, names)["Statement"]

    assert "*" not in statement["Resource"]
    assert all(action != "*" and not action.endswith(":*") for action in statement["Action"])
    assert all(":log-group:" in arn for arn in statement["Resource"])


# ---------------------------------------------------------------- normalize_policy / policies_equal

BASE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "One", "Effect": "Allow", "Action": ["logs:PutLogEvents", "logs:CreateLogStream"], "Resource": "arn:1"},
        {"Sid": "Two", "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "a.amazonaws.com"}},
    ],
}


@pytest.mark.parametrize(
    ("case", "other"),
    [
        ("same object", BASE),
        ("statement order", {"Version": "2012-10-17", "Statement": list(reversed(BASE["Statement"]))}),
        (
            "action order and single resource as list",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": ["arn:1"]},
                    BASE["Statement"][1],
                ],
            },
        ),
        (
            "single action as list, principal as list",
            {
                "Version": "2012-10-17",
                "Statement": [
                    BASE["Statement"][0],
                    {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["a.amazonaws.com"]}},
                ],
            },
        ),
        ("json string input", json.dumps(BASE)),
        (
            "Sid differs or is missing",
            {
                "Version": "2012-10-17",
                "Statement": [
                    dict(BASE["Statement"][0], Sid="Renamed"),
                    {k: v for k, v in BASE["Statement"][1].items() if k != "Sid"},
                ],
            },
        ),
        (
            "duplicated action",
            {
                "Version": "2012-10-17",
                "Statement": [
                    dict(
                        BASE["Statement"][0],
                        Action=["logs:PutLogEvents", "logs:CreateLogStream", "logs:PutLogEvents"],
                    ),
                    BASE["Statement"][1],
                ],
            },
        ),
    ],
)
def test_semantically_equal_policies_compare_equal(case, other):
    assert policies_equal(BASE, other), case
    assert policies_equal(other, BASE), case


@pytest.mark.parametrize(
    ("case", "other"),
    [
        ("Version differs", dict(BASE, Version="2008-10-17")),
        ("Version missing (IAM default 2008-10-17)", {"Statement": BASE["Statement"]}),
        (
            "Deny instead of Allow",
            {"Version": "2012-10-17", "Statement": [dict(BASE["Statement"][0], Effect="Deny"), BASE["Statement"][1]]},
        ),
        (
            "other resource",
            {
                "Version": "2012-10-17",
                "Statement": [dict(BASE["Statement"][0], Resource="arn:2"), BASE["Statement"][1]],
            },
        ),
        (
            "one action fewer",
            {
                "Version": "2012-10-17",
                "Statement": [dict(BASE["Statement"][0], Action="logs:PutLogEvents"), BASE["Statement"][1]],
            },
        ),
        ("one statement fewer", {"Version": "2012-10-17", "Statement": BASE["Statement"][:1]}),
        (
            "other principal",
            {
                "Version": "2012-10-17",
                "Statement": [
                    BASE["Statement"][0],
                    dict(BASE["Statement"][1], Principal={"Service": "b.amazonaws.com"}),
                ],
            },
        ),
        ("None", None),
    ],
)
def test_different_policies_compare_different(case, other):
    assert not policies_equal(BASE, other), case


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (
            {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            {"StringEquals": {"aws:SourceAccount": [ACCOUNT]}},
            True,
        ),
        (
            {"StringEquals": {"aws:SourceAccount": ["111111111111", ACCOUNT]}},
            {"StringEquals": {"aws:SourceAccount": [ACCOUNT, "111111111111"]}},
            True,
        ),
        (
            {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            {"StringEquals": {"aws:SourceAccount": "111111111111"}},
            False,
        ),
        (
            {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            {"StringLike": {"aws:SourceAccount": ACCOUNT}},
            False,
        ),
    ],
)
def test_condition_values_single_or_list(left, right, equal):
    assert policies_equal(_statement(Action="a:b", Condition=left), _statement(Action="a:b", Condition=right)) is equal


def test_single_statement_object_equals_list_of_one():
    single = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "a:b", "Resource": "*"}}

    assert policies_equal(single, _statement(Action=["a:b"], Resource=["*"]))


def test_normalize_policy_shape():
    normalized = normalize_policy(
        {"Version": "2012-10-17", "Statement": {"Sid": "X", "Effect": "Allow", "Action": "b:y", "Resource": "r"}}
    )

    assert normalized == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["b:y"], "Resource": ["r"]}],
    }


def test_normalize_policy_of_none_is_none():
    assert normalize_policy(None) is None


def test_generated_policies_equal_their_json_round_trip():
    for policy in (trust_policy_for(ACCOUNT), delivery_policy_for(ACCOUNT, ["g1", "g2"])):
        assert policies_equal(policy, json.dumps(policy))
        assert policies_equal(policy, json.loads(json.dumps(policy)))


# ---------------------------------------------------------------- trusted_services


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (trust_policy_for(ACCOUNT), ["vpc-flow-logs.amazonaws.com"]),
        (_statement(Action="sts:AssumeRole", Principal={"Service": "ec2.amazonaws.com"}), ["ec2.amazonaws.com"]),
        (
            _statement(Action="sts:AssumeRole", Principal={"Service": ["z.amazonaws.com", "ec2.amazonaws.com"]}),
            ["ec2.amazonaws.com", "z.amazonaws.com"],
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}},
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": FLOW_LOGS_PRINCIPAL}},
                ],
            },
            [FLOW_LOGS_PRINCIPAL],
        ),
        (_statement(Action="sts:AssumeRole", Principal={"AWS": "arn:aws:iam::123456789012:root"}), []),
        (_statement(Action="sts:AssumeRole", Principal="*"), []),
        (json.dumps(trust_policy_for(ACCOUNT)), [FLOW_LOGS_PRINCIPAL]),
        (None, []),
    ],
)
def test_trusted_services(policy, expected):
    assert trusted_services(policy) == expected
