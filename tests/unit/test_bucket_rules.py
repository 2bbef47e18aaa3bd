"""The log-archive bucket: option rules, the delivery statements, policy surgery and the plan (pure)."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._core.converge import predict
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.bucket_rules import (
    SID_ACL_CHECK,
    SID_KEY,
    SID_WRITE,
    bucket_param_errors,
    bucket_statements,
    key_statement,
    object_resources,
    same_statements,
    validate_bucket_params,
    with_statements,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.buckets import (
    DELETE_BUCKET_POLICY,
    PUT_BUCKET_POLICY,
    PUT_KEY_POLICY,
    STEP_TYPES,
    converge_flow_log_bucket,
    key_policy_warnings,
    plan_bucket,
)
from tests.unit.conftest import StubbedClients

BUCKET = "acme-flow-logs-archive"
ACCOUNTS = ["222222222222", "111111111111"]
ORG = "o-a1b2c3d4e5"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/" + KEY_ID
#: Object ownership with ACLs disabled (the default of new buckets).
ACLS_OFF = "BucketOwnerEnforced"
#: A statement someone else put in the bucket policy: never touched.
FOREIGN = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::{}".format(BUCKET), "arn:aws:s3:::{}/*".format(BUCKET)],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
ROOT_KEY_STATEMENT = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def params(**overrides):
    found = dict(
        name=BUCKET,
        state="present",
        source_accounts=list(ACCOUNTS),
        source_org_id=None,
        prefix=None,
        hive_compatible_partitions=False,
        kms_key_id=None,
    )
    found.update(overrides)
    return found


def state(policy=None, ownership=ACLS_OFF, key_policy=None, exists=True):
    key = None if key_policy is None else dict(key_id=KEY_ID, arn=KEY_ARN, key_manager="CUSTOMER", policy=key_policy)
    return dict(exists=exists, bucket_policy=policy, object_ownership=ownership, key=key)


def document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


# ---------------------------------------------------------------- option rules


@pytest.mark.parametrize(
    ("overrides", "option", "message"),
    [
        (dict(name="Archive"), "name", "3 to 63 lowercase letters, digits, dots and hyphens"),
        (dict(name="ab"), "name", "not a valid S3 bucket name"),
        (dict(name="arn:aws:s3:::acme-flow-logs"), "name", "give the bucket name, not its ARN"),
        (dict(name="acme..logs"), "name", "no two adjacent dots"),
        (dict(name="192.168.5.4"), "name", "not an IP address"),
        (dict(name="xn--acme-logs"), "name", "xn-- is reserved"),
        (dict(name="acme-logs-s3alias"), "name", "-s3alias is reserved"),
        (dict(source_accounts=["1234"]), "source_accounts", "'1234' is not a 12-digit AWS account id"),
        (dict(source_accounts=["11111111111a", "x"]), "source_accounts", "are not 12-digit AWS account ids"),
        (dict(source_accounts=None), "source_accounts", "give the accounts whose flow logs deliver here"),
        (dict(source_accounts=[]), "source_accounts", "source_org_id"),
        (dict(source_org_id="o-123"), "source_org_id", "o- and 10 to 32 lowercase letters or digits"),
        (dict(source_org_id="r-a1b2c3d4e5"), "source_org_id", "not an AWS Organizations id"),
        (dict(prefix="/flow-logs"), "prefix", "starts with /"),
        (dict(prefix="flow-logs/AWSLogs"), "prefix", "contains a folder named AWSLogs"),
        (dict(prefix="AWSLogs/"), "prefix", "AWS adds AWSLogs/ after the prefix itself"),
        (dict(prefix="flow logs"), "prefix", "letters, digits and ! _ . ' ( ) = - /"),
        (dict(prefix="flows//x"), "prefix", "no empty folder"),
        (dict(prefix="flows/*"), "prefix", "is not allowed"),
        (dict(kms_key_id="alias/flow-logs"), "kms_key_id", "is an alias"),
        (dict(kms_key_id="arn:aws:kms:us-east-1:123456789012:alias/flow-logs"), "kms_key_id", "is an alias"),
        (dict(kms_key_id="my-key"), "kms_key_id", "arn:<partition>:kms:<region>:<account>:key/<key id>"),
        (dict(kms_key_id="arn:aws:kms:us-east-1:1234:key/" + KEY_ID), "kms_key_id", "is not a key id"),
    ],
)
def test_invalid_input_names_the_option_and_what_it_accepts(overrides, option, message):
    with pytest.raises(ParameterError) as raised:
        validate_bucket_params(params(**overrides))

    assert raised.value.option == option
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        dict(source_accounts=None, source_org_id=ORG),
        dict(source_org_id=ORG),
        dict(prefix="flow-logs"),
        dict(prefix="flow-logs/prod/"),
        dict(name="acme.flow-logs.archive"),
        dict(kms_key_id=KEY_ID),
        dict(kms_key_id="mrk-" + "a" * 32),
        dict(kms_key_id=KEY_ARN),
        dict(kms_key_id="arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/" + KEY_ID),
        dict(state="absent", source_accounts=None),
    ],
)
def test_valid_input(overrides):
    assert bucket_param_errors(params(**overrides)) == []


def test_every_problem_is_listed():
    found = bucket_param_errors(params(name="X", source_accounts=["1"], prefix="/p", kms_key_id="alias/k"))

    assert [e.option for e in found] == ["name", "source_accounts", "prefix", "kms_key_id"]


def test_bad_input_fails_before_any_aws_call():
    clients = StubbedClients()  # no client at all: any call would fail with KeyError

    with pytest.raises(ParameterError):
        converge_flow_log_bucket(clients, params(source_accounts=["1234"]))

    assert clients.requested == []


# ---------------------------------------------------------------- the statements


def test_write_statement_has_one_resource_per_account_and_the_source_accounts():
    write, acl_check = bucket_statements(params(), "aws", "BucketOwnerEnforced")

    assert write == {
        "Sid": SID_WRITE,
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": [
            "arn:aws:s3:::{}/AWSLogs/111111111111/*".format(BUCKET),
            "arn:aws:s3:::{}/AWSLogs/222222222222/*".format(BUCKET),
        ],
        "Condition": {"StringEquals": {"aws:SourceAccount": ["111111111111", "222222222222"]}},
    }
    assert acl_check == {
        "Sid": SID_ACL_CHECK,
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
        "Resource": "arn:aws:s3:::{}".format(BUCKET),
        "Condition": {"StringEquals": {"aws:SourceAccount": ["111111111111", "222222222222"]}},
    }


@pytest.mark.parametrize(
    ("ownership", "acl_condition"),
    [(None, True), ("ObjectWriter", True), ("BucketOwnerPreferred", True), ("BucketOwnerEnforced", False)],
)
def test_acl_condition_only_while_the_bucket_uses_acls(ownership, acl_condition):
    write = bucket_statements(params(), "aws", ownership)[0]

    assert ("s3:x-amz-acl" in write["Condition"]["StringEquals"]) is acl_condition
    if acl_condition:
        assert write["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"


def test_organization_scope_without_accounts_covers_awslogs():
    write, acl_check = bucket_statements(params(source_accounts=None, source_org_id=ORG), "aws-cn", None)

    assert write["Resource"] == "arn:aws-cn:s3:::{}/AWSLogs/*".format(BUCKET)
    assert write["Condition"]["StringEquals"] == {"aws:SourceOrgID": ORG, "s3:x-amz-acl": "bucket-owner-full-control"}
    assert acl_check["Resource"] == "arn:aws-cn:s3:::{}".format(BUCKET)
    assert acl_check["Condition"]["StringEquals"] == {"aws:SourceOrgID": ORG}


def test_accounts_and_organization_together_need_both():
    write = bucket_statements(params(source_accounts=["111111111111"], source_org_id=ORG), "aws", ACLS_OFF)[0]

    assert write["Resource"] == "arn:aws:s3:::{}/AWSLogs/111111111111/*".format(BUCKET)
    assert write["Condition"]["StringEquals"] == {"aws:SourceAccount": "111111111111", "aws:SourceOrgID": ORG}


@pytest.mark.parametrize(
    ("prefix", "hive", "expected"),
    [
        (None, False, ["arn:aws:s3:::b/AWSLogs/111111111111/*"]),
        ("flows", False, ["arn:aws:s3:::b/flows/AWSLogs/111111111111/*"]),
        ("flows/prod/", False, ["arn:aws:s3:::b/flows/prod/AWSLogs/111111111111/*"]),
        (
            "flows",
            True,
            [
                "arn:aws:s3:::b/flows/AWSLogs/111111111111/*",
                "arn:aws:s3:::b/flows/AWSLogs/aws-account-id=111111111111/*",
            ],
        ),
    ],
)
def test_object_resources(prefix, hive, expected):
    assert object_resources("aws", "b", prefix, ["111111111111"], hive) == expected


def test_key_statement_lets_delivery_generate_data_keys_for_the_sources():
    assert key_statement(params(source_org_id=ORG)) == {
        "Sid": SID_KEY,
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": "kms:GenerateDataKey*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ["111111111111", "222222222222"], "aws:SourceOrgID": ORG}},
    }


# ---------------------------------------------------------------- policy surgery and comparison


def test_statements_written_differently_are_the_same():
    wanted = bucket_statements(params(), "aws", ACLS_OFF)
    written = json.loads(json.dumps(wanted))
    written[0]["Resource"] = list(reversed(written[0]["Resource"]))
    written[0]["Action"] = ["s3:PutObject"]
    written[0]["Principal"]["Service"] = ["delivery.logs.amazonaws.com"]
    written[1]["Condition"] = {"StringEquals": {"AWS:SOURCEACCOUNT": ["222222222222", "111111111111"]}}

    assert same_statements(list(reversed(written)), wanted)
    assert not same_statements(written[:1], wanted)
    written[0]["Sid"] = "Renamed"
    assert not same_statements(written, wanted)


def test_with_statements_keeps_every_other_statement_in_place():
    old_write = dict(bucket_statements(params(), "aws", None)[0], Resource="arn:aws:s3:::x/*")
    policy = {"Version": "2008-10-17", "Id": "archive", "Statement": [FOREIGN, old_write, {"Sid": "Other"}]}
    wanted = bucket_statements(params(), "aws", ACLS_OFF)

    after = with_statements(policy, wanted, (SID_WRITE, SID_ACL_CHECK))

    assert after == {"Version": "2008-10-17", "Id": "archive", "Statement": [FOREIGN, *wanted, {"Sid": "Other"}]}
    assert policy["Statement"][1] is old_write  # the input is not changed
    assert with_statements(after, [], (SID_WRITE, SID_ACL_CHECK))["Statement"] == [FOREIGN, {"Sid": "Other"}]
    assert with_statements(document(*wanted), [], (SID_WRITE, SID_ACL_CHECK)) is None
    assert with_statements(None, wanted, (SID_WRITE,)) == document(*wanted)
    single = {"Version": "2012-10-17", "Statement": FOREIGN}  # a single statement, not in a list
    assert with_statements(single, wanted, (SID_WRITE,))["Statement"] == [FOREIGN, *wanted]


# ---------------------------------------------------------------- the plan


def ours(ownership=ACLS_OFF, **overrides):
    return bucket_statements(params(**overrides), "aws", ownership)


PLAN_CASES = [
    ("no policy yet", params(), state(), [(PUT_BUCKET_POLICY, document(*ours()))]),
    ("foreign statement kept", params(), state(document(FOREIGN)), [(PUT_BUCKET_POLICY, document(FOREIGN, *ours()))]),
    ("in place", params(), state(document(FOREIGN, *ours())), []),
    (
        "ACLs on: the condition comes back",
        params(),
        state(document(*ours()), ownership="ObjectWriter"),
        [(PUT_BUCKET_POLICY, document(*ours("ObjectWriter")))],
    ),
    (
        "ACLs disabled: the condition goes",
        params(),
        state(document(FOREIGN, *ours("ObjectWriter")), ownership=ACLS_OFF),
        [(PUT_BUCKET_POLICY, document(FOREIGN, *ours()))],
    ),
    (
        "one more account",
        params(source_accounts=[*ACCOUNTS, "333333333333"]),
        state(document(*ours())),
        [(PUT_BUCKET_POLICY, document(*ours(source_accounts=[*ACCOUNTS, "333333333333"])))],
    ),
    (
        "absent with foreign",
        params(state="absent"),
        state(document(FOREIGN, *ours())),
        [(PUT_BUCKET_POLICY, document(FOREIGN))],
    ),
    ("absent, nothing else left", params(state="absent"), state(document(*ours())), [(DELETE_BUCKET_POLICY, None)]),
    ("absent, nothing of ours", params(state="absent"), state(document(FOREIGN)), []),
    ("absent, no policy", params(state="absent"), state(), []),
    ("absent, no bucket", params(state="absent"), state(exists=False), []),
    (
        "key statement added, key policy kept",
        params(kms_key_id=KEY_ID),
        state(document(*ours()), key_policy=document(ROOT_KEY_STATEMENT)),
        [(PUT_KEY_POLICY, document(ROOT_KEY_STATEMENT, key_statement(params())))],
    ),
    (
        "key statement in place",
        params(kms_key_id=KEY_ID),
        state(document(*ours()), key_policy=document(ROOT_KEY_STATEMENT, key_statement(params()))),
        [],
    ),
    (
        "absent takes the key statement out",
        params(kms_key_id=KEY_ID, state="absent"),
        state(document(FOREIGN, *ours()), key_policy=document(ROOT_KEY_STATEMENT, key_statement(params()))),
        [(PUT_BUCKET_POLICY, document(FOREIGN)), (PUT_KEY_POLICY, document(ROOT_KEY_STATEMENT))],
    ),
    (
        "absent leaves a key policy that would be empty",
        params(kms_key_id=KEY_ID, state="absent"),
        state(key_policy=document(key_statement(params()))),
        [],
    ),
]


@pytest.mark.parametrize(("case", "asked", "before", "expected"), PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
def test_plan(case, asked, before, expected):
    plan = plan_bucket(asked, before, "aws")

    assert [(s["action"], s.get("policy")) for s in plan] == expected, case


@pytest.mark.parametrize(("case", "asked", "before", "_expected"), PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
def test_prediction_is_what_a_second_plan_finds_nothing_to_change_in(case, asked, before, _expected):
    frozen = copy.deepcopy(before)
    predicted = predict(STEP_TYPES, before, plan_bucket(asked, before, "aws"))

    assert plan_bucket(asked, predicted, "aws") == [], case
    assert before == frozen  # planning and predicting never change what was read


def test_a_key_policy_that_would_be_empty_is_left_with_a_warning():
    current = state(key_policy=document(key_statement(params())))

    assert "cannot be empty" in key_policy_warnings(params(kms_key_id=KEY_ID, state="absent"), current)[0]
    assert key_policy_warnings(params(kms_key_id=KEY_ID), current) == []


def test_a_policy_over_the_size_s3_allows_is_refused_before_any_change():
    accounts = ["{:012d}".format(n) for n in range(300)]

    with pytest.raises(ParameterError) as raised:
        plan_bucket(params(source_accounts=accounts), state(), "aws")

    assert raised.value.option == "source_accounts"
    assert "AWS allows 20480" in str(raised.value) and "source_org_id" in str(raised.value)
