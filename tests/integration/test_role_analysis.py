"""The role's analysis phase and its S3 pre-delivery check, end to end through enable_flowlogs.yml against moto server.

One account delivers ALL traffic to CloudWatch Logs and to a bucket of its own in Parquet with Hive partitions, with
flow_logs_contributor_insights and flow_logs_athena on: the Contributor Insights rules land on the log group, a Glue
table and three Athena named queries over the bucket. The bucket's policy lacks the delivery statements, so the
target warns, naming the cause, before creating the flow logs; once flowlogs.aws.flow_log_bucket has added them the
warning is gone and the re-run changes nothing.

moto has no saved Logs Insights queries, so flow_logs_insights_queries is false here (the role's default saves them:
tests/unit/test_target_analysis.py, on botocore's Stubber).
"""

from __future__ import annotations

import json

import pytest

from tests.integration.test_fleet import PLAYBOOKS, recap
from tests.support import fleet

ACCOUNT = "111111111111"
REGION = "us-east-1"
BUCKET = "flowlogs-archive-111111111111"
TARGET = fleet.target_name(ACCOUNT, REGION)
DESTINATIONS = [
    dict(type="cloud-watch-logs", log_group_name="vpc-flow-logs"),
    dict(type="s3", bucket_arn="arn:aws:s3:::" + BUCKET, file_format="parquet", hive_compatible_partitions=True),
]
TLS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::" + BUCKET, "arn:aws:s3:::" + BUCKET + "/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}
RULES = {
    "flowlogs-vpc-flow-logs-top-source-ips-by-bytes",
    "flowlogs-vpc-flow-logs-rejected-tcp-by-interface",
}
WARNING = "flow_logs_destinations[2].bucket_arn: delivery to bucket {} would likely fail".format(BUCKET)


@pytest.fixture
def account(aws, tmp_path):
    session = fleet.session(aws.url, ACCOUNT, REGION)
    s3 = session.client("s3", endpoint_url=aws.url)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(TLS_ONLY))
    session.client("ec2", endpoint_url=aws.url).create_vpc(CidrBlock="10.0.0.0/24")
    host = dict(
        flow_logs_destinations=DESTINATIONS,
        flow_logs_contributor_insights=True,
        flow_logs_athena=True,
    )
    inventory = fleet.write_inventory(
        tmp_path / "inventory.json", aws.url, accounts=(ACCOUNT,), regions=(REGION,), extra_host_vars={TARGET: host}
    )
    return dict(session=session, inventory=inventory, report_dir=tmp_path / "report", tmp=tmp_path)


def _enable(run_playbook, acct, *args):
    variables = dict(flow_logs_report_dir=str(acct["report_dir"]))
    return run_playbook(PLAYBOOKS / "enable_flowlogs.yml", variables, args=args, inventory=acct["inventory"])


def test_analysis_and_the_bucket_check_through_the_playbook(aws, run_playbook, account):
    acct = account
    first = _enable(run_playbook, acct)
    assert first.rc == 0, str(first)
    # The pre-delivery check read the policy (the bucket is the account's own) and named what is missing.
    assert WARNING in first.stdout + first.stderr, str(first)
    assert "no statement lets delivery.logs.amazonaws.com s3:PutObject" in first.stdout + first.stderr

    cloudwatch = acct["session"].client("cloudwatch", endpoint_url=aws.url)
    rules = {r["Name"]: r for r in cloudwatch.describe_insight_rules()["InsightRules"]}
    assert set(rules) == RULES
    assert json.loads(rules["flowlogs-vpc-flow-logs-rejected-tcp-by-interface"]["Definition"])["LogGroupNames"] == [
        "vpc-flow-logs"
    ]
    glue = acct["session"].client("glue", endpoint_url=aws.url)
    table = glue.get_table(DatabaseName="vpc_flow_logs", Name="flow_logs")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]][:3] == ["version", "account_id", "interface_id"]
    assert "parquet" in table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].lower()
    athena = acct["session"].client("athena", endpoint_url=aws.url)
    assert len(athena.list_named_queries(WorkGroup="primary")["NamedQueryIds"]) == 3

    report = json.loads((acct["report_dir"] / "flowlogs-report.json").read_text())
    (target,) = report["targets"]
    analysis = target["delivery"]["analysis"]
    assert set(analysis["insight_rules"]) == RULES
    assert (analysis["saved_queries"], analysis["athena_tables"]) == ([], ["vpc_flow_logs.flow_logs"])
    (bucket,) = target["delivery"]["buckets"]
    assert bucket["policy_read"] is True and bucket["problems"]

    # The archive side: the module adds the delivery statements and keeps TlsOnly.
    play = acct["tmp"] / "archive.yml"
    play.write_text(
        json.dumps(
            [
                {
                    "name": "Archive bucket",
                    "hosts": "localhost",
                    "gather_facts": False,
                    "tasks": [
                        {
                            "flowlogs.aws.flow_log_bucket": {
                                "name": BUCKET,
                                "source_accounts": [ACCOUNT],
                                "hive_compatible_partitions": True,
                                "endpoint_url": aws.url,
                                "region": REGION,
                                "assume_role_arn": "arn:aws:iam::{}:role/{}".format(ACCOUNT, fleet.ACCESS_ROLE),
                            },
                        }
                    ],
                }
            ]
        )
    )
    archive = run_playbook(play)
    assert archive.rc == 0, str(archive)

    second = _enable(run_playbook, acct)
    assert second.rc == 0, str(second)
    assert WARNING not in second.stdout + second.stderr, str(second)
    assert recap(second.stdout)[TARGET]["changed"] == 0
    again = json.loads((acct["report_dir"] / "flowlogs-report.json").read_text())["targets"][0]
    assert again["delivery"]["buckets"][0]["problems"] == []
    assert again["delivery"]["analysis"]["actions"] == []
