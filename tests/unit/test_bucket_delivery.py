"""Why S3 delivery of an account's flow logs would fail: s3_delivery_problems (pure), the bucket reader (stubbed
S3: a bucket it may not read is a problem, not a failure) and the audit's delivery_failed reason."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.bucket_delivery import (
    UNREAD,
    bucket_delivery_problems,
    read_bucket_delivery_state,
    s3_delivery_problems,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.bucket_rules import bucket_statements
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import verdict_for
from tests.unit.conftest import StubbedClients

BUCKET = "acme-flow-logs-archive"
ARN = "arn:aws:s3:::" + BUCKET
ACCOUNT, OTHER = "111111111111", "333333333333"
ORG = "o-a1b2c3d4e5"
ACLS_OFF = "BucketOwnerEnforced"


def module_policy(ownership=ACLS_OFF, **overrides):
    """The bucket policy flow_log_bucket writes for ``overrides``."""
    params = dict(name=BUCKET, source_accounts=[ACCOUNT, "222222222222"], source_org_id=None, prefix=None)
    params.update(overrides)
    return {"Version": "2012-10-17", "Statement": bucket_statements(params, "aws", ownership)}


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


#: The policy AWS itself attaches when the flow log's creator owns the bucket (VPC User Guide).
AWS_DEFAULT = policy(
    {
        "Sid": "AWSLogDeliveryWrite",
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": ARN + "/AWSLogs/{}/*".format(ACCOUNT),
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT, "s3:x-amz-acl": "bucket-owner-full-control"},
            "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-east-1:{}:*".format(ACCOUNT)},
        },
    },
    {
        "Sid": "AWSLogDeliveryAclCheck",
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
        "Resource": ARN,
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-east-1:{}:*".format(ACCOUNT)},
        },
    },
)
DENY_INSECURE = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [ARN, ARN + "/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
DENY_DELIVERY = {
    "Sid": "NoLogs",
    "Effect": "Deny",
    "Principal": {"Service": "delivery.logs.amazonaws.com"},
    "Action": "s3:Put*",
    "Resource": ARN + "/*",
}
WIDE_OPEN = {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": [ARN, ARN + "/*"]}

#: (case, policy, ownership, account, destination, keyword arguments, [words each problem must contain]).
CASES = [
    ("the module's policy", module_policy(), ACLS_OFF, ACCOUNT, ARN, {}, []),
    ("the module's policy, ACLs on", module_policy(None), None, ACCOUNT, ARN, {}, []),
    (
        "foreign Deny on plain HTTP only",
        policy(DENY_INSECURE, *module_policy()["Statement"]),
        ACLS_OFF,
        ACCOUNT,
        ARN,
        {},
        [],
    ),
    ("a wildcard Allow", policy(WIDE_OPEN), ACLS_OFF, ACCOUNT, ARN, {}, []),
    ("no bucket policy", None, ACLS_OFF, ACCOUNT, ARN, {}, [["has no bucket policy", ACCOUNT]]),
    (
        "no statement for delivery",
        policy(DENY_INSECURE),
        ACLS_OFF,
        ACCOUNT,
        ARN,
        {},
        [["no statement lets delivery.logs.amazonaws.com s3:GetBucketAcl"], ["no statement", "s3:PutObject"]],
    ),
    (
        "account not in aws:SourceAccount",
        module_policy(),
        ACLS_OFF,
        OTHER,
        ARN,
        {},
        [
            ["FlowLogsAWSLogDeliveryAclCheck", "aws:SourceAccount 111111111111, 222222222222 only", OTHER],
            ["FlowLogsAWSLogDeliveryWrite", "does not cover writes under AWSLogs/{}/".format(OTHER)],
        ],
    ),
    (
        "prefix not covered",
        module_policy(prefix="flows"),
        ACLS_OFF,
        ACCOUNT,
        ARN + "/other",
        {},
        [["FlowLogsAWSLogDeliveryWrite", "flows/AWSLogs/111111111111/*", "does not cover writes under other/AWSLogs/"]],
    ),
    ("prefix covered", module_policy(prefix="flows"), ACLS_OFF, ACCOUNT, ARN + "/flows/", {}, []),
    (
        "x-amz-acl condition with ACLs disabled",
        module_policy(None),
        ACLS_OFF,
        ACCOUNT,
        ARN,
        {},
        [["FlowLogsAWSLogDeliveryWrite", "s3:x-amz-acl", "BucketOwnerEnforced", "every write is denied"]],
    ),
    (
        "ownership as GetBucketOwnershipControls answers it",
        module_policy(None),
        {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}},
        ACCOUNT,
        ARN,
        {},
        [["BucketOwnerEnforced"]],
    ),
    ("ownership not readable: the ACL condition is not judged", module_policy(None), UNREAD, ACCOUNT, ARN, {}, []),
    (
        "explicit Deny",
        policy(*module_policy()["Statement"], DENY_DELIVERY),
        ACLS_OFF,
        ACCOUNT,
        ARN,
        {},
        [["statement NoLogs explicitly denies s3:PutObject"]],
    ),
    ("organization scope", module_policy(source_accounts=None, source_org_id=ORG), ACLS_OFF, OTHER, ARN, {}, []),
    (
        "organization scope, same organization",
        module_policy(source_accounts=None, source_org_id=ORG),
        ACLS_OFF,
        OTHER,
        ARN,
        dict(org_id=ORG),
        [],
    ),
    (
        "organization scope, another organization",
        module_policy(source_accounts=None, source_org_id=ORG),
        ACLS_OFF,
        OTHER,
        ARN,
        dict(org_id="o-zzzzzzzzzz"),
        [["aws:SourceOrgID " + ORG + " only", OTHER], ["aws:SourceOrgID"]],
    ),
    (
        "Hive-compatible keys not covered",
        module_policy(),
        ACLS_OFF,
        ACCOUNT,
        ARN,
        dict(hive_compatible_partitions=True),
        [["does not cover writes under AWSLogs/aws-account-id=111111111111/"]],
    ),
    (
        "Hive-compatible keys covered",
        module_policy(hive_compatible_partitions=True),
        ACLS_OFF,
        ACCOUNT,
        ARN,
        dict(hive_compatible_partitions=True),
        [],
    ),
    ("AWS's own policy, ACLs on", AWS_DEFAULT, None, ACCOUNT, ARN, dict(region="us-east-1"), []),
    (
        "AWS's own policy, flow logs of another region",
        AWS_DEFAULT,
        None,
        ACCOUNT,
        ARN,
        dict(region="eu-west-1"),
        [["AWSLogDeliveryAclCheck", "aws:SourceArn"], ["AWSLogDeliveryWrite", "aws:SourceArn"]],
    ),
    ("a bucket name instead of an ARN", module_policy(prefix="flows"), ACLS_OFF, ACCOUNT, BUCKET + "/flows", {}, []),
]


@pytest.mark.parametrize(
    ("case", "bucket_policy", "ownership", "account", "destination", "kwargs", "expected"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_s3_delivery_problems(case, bucket_policy, ownership, account, destination, kwargs, expected):
    problems = s3_delivery_problems(bucket_policy, ownership, account, destination, **kwargs)

    assert len(problems) == len(expected), (case, problems)
    for problem, words in zip(problems, expected):
        assert all(w in problem for w in words), (case, problem, words)


def test_the_module_policy_lets_each_of_its_accounts_deliver_and_no_other():
    found = module_policy()

    assert s3_delivery_problems(found, ACLS_OFF, "222222222222", ARN) == []
    assert s3_delivery_problems(found, ACLS_OFF, OTHER, ARN) != []


# ---------------------------------------------------------------- reading the bucket


def stubbed_s3(stubbed, policy_answer, ownership_answer):
    client, stubber = stubbed("s3")
    for method, answer in (("get_bucket_policy", policy_answer), ("get_bucket_ownership_controls", ownership_answer)):
        if answer is None:
            continue
        if isinstance(answer, tuple):
            stubber.add_client_error(method, service_error_code=answer[0], http_status_code=answer[1])
        else:
            stubber.add_response(method, answer, {"Bucket": BUCKET})
    return StubbedClients(s3=client)


def test_reader_reads_policy_and_ownership(stubbed):
    answer = {"Policy": '{"Version":"2012-10-17","Statement":[]}'}
    ownership = {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}
    clients = stubbed_s3(stubbed, answer, ownership)

    state = read_bucket_delivery_state(clients, BUCKET)

    assert state == dict(
        bucket=BUCKET,
        policy={"Version": "2012-10-17", "Statement": []},
        policy_read=True,
        object_ownership="BucketOwnerEnforced",
        problems=[],
    )


def test_a_bucket_without_policy_or_ownership_controls(stubbed):
    clients = stubbed_s3(stubbed, ("NoSuchBucketPolicy", 404), ("OwnershipControlsNotFoundError", 404))

    state = read_bucket_delivery_state(clients, BUCKET)

    assert (state["policy"], state["policy_read"], state["object_ownership"]) == (None, True, None)
    assert "has no bucket policy" in bucket_delivery_problems(state, ACCOUNT, ARN)[0]


@pytest.mark.parametrize(("code", "status"), [("AccessDenied", 403), ("MethodNotAllowed", 405)])
def test_a_policy_it_may_not_read_is_a_problem_not_a_failure(stubbed, code, status):
    clients = stubbed_s3(stubbed, (code, status), (code, status))

    state = read_bucket_delivery_state(clients, BUCKET)

    assert state["policy_read"] is False and state["object_ownership"] == UNREAD
    problems = bucket_delivery_problems(state, ACCOUNT, ARN)
    assert len(problems) == 2
    assert "could not read the bucket policy of {} ({}".format(BUCKET, code) in problems[0]
    assert "could not read the object ownership" in problems[1]


def test_a_missing_bucket(stubbed):
    clients = stubbed_s3(stubbed, ("NoSuchBucket", 404), None)

    assert bucket_delivery_problems(read_bucket_delivery_state(clients, BUCKET), ACCOUNT, ARN) == [
        "bucket {} does not exist".format(BUCKET)
    ]


# ---------------------------------------------------------------- the audit's verdict


def test_delivery_failed_to_s3_names_the_bucket_policy_cause():
    spec = dict(log_destination_type="s3", log_destination=ARN, log_group_name=None, traffic_type="ALL")
    flow_log = dict(
        flow_log_id="fl-1",
        log_destination_type="s3",
        log_destination=ARN,
        traffic_type="ALL",
        deliver_logs_status="FAILED",
        deliver_logs_error_message="Access error",
    )
    cause = "statement FlowLogsAWSLogDeliveryWrite requires s3:x-amz-acl = bucket-owner-full-control, ..."

    assert verdict_for(spec, [flow_log], buckets={(ARN, False): cause}) == ("delivery_failed", cause, [])
    assert verdict_for(spec, [flow_log], buckets={(ARN, False): None}) == ("delivery_failed", "Access error", [])
    assert verdict_for(spec, [flow_log]) == ("delivery_failed", "Access error", [])
