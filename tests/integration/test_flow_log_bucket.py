"""flow_log_bucket through ansible-playbook against moto server, with the AWS state checked from outside by boto3:
foreign statements kept byte for byte, the x-amz-acl condition following the bucket's object ownership, the
organization scope, the key policy, check and diff mode changing nothing, bad input making no AWS call at all, and
state=absent. The integration target (targets/flow_log_bucket) asserts the module's own results.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

BUCKET = "central-flow-log-archive"
ACCOUNTS = ["111111111111", "222222222222"]
ORG = "o-a1b2c3d4e5"
BUCKET_ARN = "arn:aws:s3:::" + BUCKET
#: Statements of other teams: they must come back from S3 exactly as they went in.
FOREIGN = [
    {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [BUCKET_ARN, BUCKET_ARN + "/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    },
    {
        "Sid": "AuditorsRead",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999999999999:role/auditors"},
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": [BUCKET_ARN, BUCKET_ARN + "/*"],
    },
]
OURS = ("FlowLogsAWSLogDeliveryWrite", "FlowLogsAWSLogDeliveryAclCheck")
#: S3 and KMS actions that change something.
WRITES = ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "kms:PutKeyPolicy")


@pytest.fixture
def run_tasks(run_playbook, tmp_path):
    """Run tasks on localhost with the collection's module_defaults pointing at ``url``; the registered results of
    the tasks are written to results.json and returned with the run."""

    def run(url, tasks, name="bucket"):
        tasks = [dict(task, register="r{}".format(i)) for i, task in enumerate(tasks)]
        results = tmp_path / "{}-results.json".format(name)
        collected = "[{}]".format(", ".join("r{}".format(i) for i in range(len(tasks))))
        copy = {"ansible.builtin.copy": {"dest": str(results), "content": "{{ %s | to_json }}" % collected}}
        play = [
            {
                "name": name,
                "hosts": "localhost",
                "gather_facts": False,
                "module_defaults": {
                    "group/flowlogs.aws.flowlogs": {"endpoint_url": "{{ aws_endpoint_url }}", "region": "us-east-1"}
                },
                "tasks": [*tasks, dict(copy, name="Results")],
            }
        ]
        playbook = tmp_path / "{}.yml".format(name)
        playbook.write_text(json.dumps(play, indent=2))
        done = run_playbook(playbook, dict(aws_endpoint_url=url))
        found = json.loads(results.read_text()) if results.exists() else None
        return done, found

    return run


def bucket_task(check_mode=False, diff=False, ignore_errors=False, **args):
    task = {"name": "flow_log_bucket", "flowlogs.aws.flow_log_bucket": dict(dict(name=BUCKET), **args)}
    if check_mode:
        task["check_mode"] = True
    if diff:
        task["diff"] = True
    if ignore_errors:
        task["ignore_errors"] = True
    return task


def seed(aws, ownership="BucketOwnerEnforced", statements="foreign", text=None):
    """The bucket, its object ownership (None: no ownership controls) and its policy (``FOREIGN`` by default)."""
    statements = FOREIGN if statements == "foreign" else statements
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    if ownership:
        s3.put_bucket_ownership_controls(Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]})
    if text or statements:
        s3.put_bucket_policy(
            Bucket=BUCKET, Policy=text or json.dumps({"Version": "2012-10-17", "Statement": statements})
        )
    return s3


def bucket_policy(aws):
    try:
        return json.loads(aws.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"])
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "NoSuchBucketPolicy"
        return None


def by_sid(policy):
    return {s.get("Sid"): s for s in policy["Statement"]}


def writes(counts):
    return {k: v for k, v in counts.items() if k in WRITES}


def test_foreign_statements_are_kept_exactly_and_a_rerun_changes_nothing(aws, run_tasks):
    seed(aws)

    done, results = run_tasks(aws.url, [bucket_task(source_accounts=ACCOUNTS), bucket_task(source_accounts=ACCOUNTS)])

    assert done.rc == 0, str(done)
    assert [r["changed"] for r in results] == [True, False]
    policy = bucket_policy(aws)
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport", "AuditorsRead", *OURS]
    assert policy["Statement"][:2] == FOREIGN
    write = by_sid(policy)["FlowLogsAWSLogDeliveryWrite"]
    assert write["Resource"] == [BUCKET_ARN + "/AWSLogs/{}/*".format(a) for a in ACCOUNTS]
    assert write["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNTS}}  # ACLs disabled: no x-amz-acl


@pytest.mark.parametrize(
    ("ownership", "acl_condition"),
    [(None, True), ("ObjectWriter", True), ("BucketOwnerPreferred", True), ("BucketOwnerEnforced", False)],
)
def test_the_acl_condition_follows_object_ownership(aws, run_tasks, ownership, acl_condition):
    seed(aws, ownership=ownership, statements=None)

    done, results = run_tasks(aws.url, [bucket_task(source_accounts=ACCOUNTS[:1])])

    assert done.rc == 0, str(done)
    condition = by_sid(bucket_policy(aws))["FlowLogsAWSLogDeliveryWrite"]["Condition"]["StringEquals"]
    assert ("s3:x-amz-acl" in condition) is acl_condition
    assert results[0]["bucket"]["acl_condition"] is acl_condition
    assert results[0]["bucket"]["object_ownership"] == ownership


def test_statements_written_differently_are_not_rewritten(aws, run_tasks):
    """Lists in another order, single values as lists and pretty-printed JSON are the same policy."""
    ours = [
        {
            "Sid": "FlowLogsAWSLogDeliveryAclCheck",
            "Principal": {"Service": ["delivery.logs.amazonaws.com"]},
            "Effect": "Allow",
            "Resource": [BUCKET_ARN],
            "Action": ["s3:ListBucket", "s3:GetBucketAcl"],
            "Condition": {"StringEquals": {"aws:sourceaccount": list(reversed(ACCOUNTS))}},
        },
        {
            "Sid": "FlowLogsAWSLogDeliveryWrite",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["s3:PutObject"],
            "Resource": [BUCKET_ARN + "/AWSLogs/{}/*".format(a) for a in reversed(ACCOUNTS)],
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNTS}},
        },
    ]
    text = json.dumps({"Version": "2012-10-17", "Statement": [*ours, FOREIGN[0]]}, indent=4)
    seed(aws, text=text)

    done, results = run_tasks(aws.url, [bucket_task(source_accounts=ACCOUNTS)])

    assert done.rc == 0, str(done)
    assert results[0]["changed"] is False and results[0]["actions"] == []
    assert aws.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"] == text


def test_organization_scope_and_the_key_policy(aws, run_tasks):
    seed(aws)
    kms = aws.client("kms")
    key = kms.create_key()["KeyMetadata"]
    key_policy_before = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])

    done, results = run_tasks(
        aws.url, [bucket_task(source_org_id=ORG, prefix="flow-logs", kms_key_id=key["Arn"], diff=True)]
    )

    assert done.rc == 0, str(done)
    write = by_sid(bucket_policy(aws))["FlowLogsAWSLogDeliveryWrite"]
    assert write["Resource"] == BUCKET_ARN + "/flow-logs/AWSLogs/*"
    assert write["Condition"] == {"StringEquals": {"aws:SourceOrgID": ORG}}
    key_policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    assert key_policy["Statement"][:-1] == key_policy_before["Statement"]
    assert key_policy["Statement"][-1] == {
        "Sid": "FlowLogsAWSLogDeliveryUseKey",
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": "kms:GenerateDataKey*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceOrgID": ORG}},
    }
    assert results[0]["diff"]["before"]["key_policy"] == key_policy_before
    assert results[0]["diff"]["after"]["key_policy"] == key_policy


def test_check_and_diff_mode_predict_the_change_and_change_nothing(aws, proxy, run_tasks):
    seed(aws)
    key = aws.client("kms").create_key()["KeyMetadata"]["KeyId"]
    before = aws.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"]
    args = dict(source_accounts=ACCOUNTS, kms_key_id=key)
    proxy.reset()

    done, results = run_tasks(proxy.url, [bucket_task(check_mode=True, diff=True, **args)])
    counts = proxy.counts()

    assert done.rc == 0, str(done)
    assert writes(counts) == {}, counts
    assert counts["s3:GetBucketPolicy"] == 1 and counts["kms:GetKeyPolicy"] == 1, counts
    assert aws.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"] == before
    predicted = results[0]
    assert predicted["changed"] is True
    assert predicted["actions"] == ["put_bucket_policy", "put_key_policy"]
    assert predicted["diff"]["before"]["bucket_policy"] == json.loads(before)

    done, results = run_tasks(aws.url, [bucket_task(**args)], name="apply")

    assert done.rc == 0, str(done)
    assert bucket_policy(aws) == predicted["diff"]["after"]["bucket_policy"] == results[0]["bucket"]["policy"]
    assert results[0]["kms_key"]["policy"] == predicted["diff"]["after"]["key_policy"]


BAD_INPUTS = [
    (dict(name="Central_Flow_Logs", source_accounts=ACCOUNTS), "name", "not a valid S3 bucket name"),
    (dict(source_accounts=["1111111111"]), "source_accounts", "is not a 12-digit AWS account id"),
    (dict(source_org_id="organization"), "source_org_id", "o- and 10 to 32 lowercase letters or digits"),
    (dict(source_accounts=ACCOUNTS, prefix="/flows"), "prefix", "starts with /"),
    (dict(source_accounts=ACCOUNTS, prefix="flows/AWSLogs"), "prefix", "contains a folder named AWSLogs"),
    (dict(source_accounts=ACCOUNTS, kms_key_id="alias/aws/s3"), "kms_key_id", "is an alias"),
    (dict(source_accounts=ACCOUNTS, kms_key_id="key-1"), "kms_key_id", "arn:<partition>:kms:"),
    (dict(), "source_accounts", "give the accounts"),
    (dict(state="absent", source_accounts=["x"]), "source_accounts", "is not a 12-digit AWS account id"),
]


def test_bad_input_makes_no_aws_call_and_deletes_nothing(aws, proxy, run_tasks):
    seed(aws)
    before = aws.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"]
    proxy.reset()

    done, results = run_tasks(proxy.url, [bucket_task(ignore_errors=True, **args) for args, _o, _t in BAD_INPUTS])

    assert done.rc == 0, str(done)
    assert proxy.counts() == {}
    for (args, option, text), result in zip(BAD_INPUTS, results):
        assert result["failed"] is True, args
        assert result["msg"].startswith(option + ": ") and text in result["msg"], (args, result["msg"])
        assert result["changed"] is False and result["aws_stats"]["calls"] == 0
    assert aws.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"] == before


def test_a_missing_bucket_is_named_and_not_created(aws, run_tasks):
    done, results = run_tasks(
        aws.url,
        [bucket_task(ignore_errors=True, source_accounts=ACCOUNTS), bucket_task(state="absent")],
    )

    assert done.rc == 0, str(done)
    assert results[0]["failed"] is True
    assert "there is no bucket {}".format(BUCKET) in results[0]["msg"] and "never creates" in results[0]["msg"]
    assert results[1]["changed"] is False and results[1]["bucket"]["exists"] is False
    assert aws.client("s3").list_buckets()["Buckets"] == []


def test_absent_removes_only_the_module_statements_then_the_policy(aws, run_tasks):
    seed(aws, statements=FOREIGN[:1])

    done, results = run_tasks(
        aws.url,
        [
            bucket_task(source_accounts=ACCOUNTS),
            bucket_task(state="absent"),
            bucket_task(state="absent"),
        ],
    )

    assert done.rc == 0, str(done)
    assert [r["changed"] for r in results] == [True, True, False]
    assert bucket_policy(aws) == {"Version": "2012-10-17", "Statement": FOREIGN[:1]}

    aws.client("s3").delete_bucket_policy(Bucket=BUCKET)
    done, results = run_tasks(
        aws.url, [bucket_task(source_accounts=ACCOUNTS), bucket_task(state="absent")], name="only-ours"
    )

    assert done.rc == 0, str(done)
    assert results[1]["actions"] == ["delete_bucket_policy"]
    assert bucket_policy(aws) is None
    assert aws.client("s3").head_bucket(Bucket=BUCKET)  # the bucket itself stays
