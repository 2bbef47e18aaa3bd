"""The analysis modules end to end through ansible-playbook against moto server: what they leave in AWS (read back
with boto3, not through the modules), call counts, and bad input refused before any AWS call.

moto has Contributor Insights rules, Glue tables and Athena named queries; it has no saved Logs Insights queries
(tests/unit/test_insights_queries.py covers those with botocore's Stubber).
"""

from __future__ import annotations

import json

from tests.integration.test_aws_contract import run

GROUP = "vpc-flow-logs"
BUCKET = "arn:aws:s3:::central-flow-logs"
FORMAT = (
    "${version} ${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${action}"
)


def tasks_for(cases):
    """One task per (module, arguments) case, errors ignored, and a last task writing every result's msg."""
    tasks = [
        {"name": "Case {}".format(i), module: args, "register": "case_{}".format(i), "ignore_errors": True}
        for i, (module, args, _texts) in enumerate(cases)
    ]
    return tasks


def test_bad_input_is_refused_before_any_aws_call(proxy, run_playbook, tmp_path):
    cases = [
        (
            "flowlogs.aws.flow_log_insights",
            dict(log_group_name=GROUP, log_format="${srcaddr} ${dstaddr}"),
            [
                "log_format: the saved query rejected-by-source-destination-port needs the fields action, dstport",
            ],
        ),
        (
            "flowlogs.aws.flow_log_insights",
            dict(log_group_name=GROUP, queries=False, contributor_insights=True, log_format="${srcaddr} ${action}"),
            ["log_format: the Contributor Insights rule top-source-ips-by-bytes needs the field bytes"],
        ),
        ("flowlogs.aws.flow_log_insights", dict(log_group_name=GROUP, state="gone"), ["one of: present, absent"]),
        ("flowlogs.aws.flow_log_insights", dict(log_group_name="aws/flows"), ["log_group_name:", "reserved for AWS"]),
        ("flowlogs.aws.flow_log_athena", dict(bucket_arn=BUCKET, file_format="csv"), ["one of: plain-text, parquet"]),
        (
            "flowlogs.aws.flow_log_athena",
            dict(bucket_arn="central-flow-logs"),
            ["bucket_arn:", "arn:<partition>:s3:::"],
        ),
        ("flowlogs.aws.flow_log_athena", dict(bucket_arn=BUCKET, regions=["eu-west"]), ["regions:", "eu-west-1"]),
        (
            "flowlogs.aws.flow_log_athena",
            dict(bucket_arn=BUCKET, log_format="${srcaddr} ${dstaddr} ${bytes} ${action} ${dstport}"),
            ["log_format: the named query accepted-without-reply needs the fields protocol, srcport"],
        ),
    ]
    tasks = tasks_for(cases)
    results = tmp_path / "results.json"
    collected = "[{}]".format(", ".join("case_{}".format(i) for i in range(len(cases))))
    tasks.append(
        {"name": "Results", "ansible.builtin.copy": {"dest": str(results), "content": "{{ %s | to_json }}" % collected}}
    )
    proxy.reset()

    result = run(run_playbook, tmp_path, proxy.url, tasks, name="bad-input")

    assert result.rc == 0, str(result)
    assert proxy.counts() == {}  # not one AWS call, not even a read
    for (module, _args, texts), found in zip(cases, json.loads(results.read_text())):
        assert found["failed"] and not found["changed"], (module, found)
        for text in texts:
            assert text in found["msg"], (module, text, found["msg"])


def test_rules_and_table_as_aws_stores_them_and_a_second_run_makes_no_write(aws, proxy, run_playbook, tmp_path):
    tasks = [
        {
            "name": "Contributor Insights rules for a custom format",
            "flowlogs.aws.flow_log_insights": dict(
                log_group_name=GROUP, log_format=FORMAT, queries=False, contributor_insights=True, tags={"team": "net"}
            ),
        },
        {
            "name": "Athena over the same format, Parquet, Hive layout",
            "flowlogs.aws.flow_log_athena": dict(
                bucket_arn=BUCKET + "/flows",
                log_format=FORMAT,
                file_format="parquet",
                hive_compatible_partitions=True,
                regions=["us-east-1", "eu-west-1"],
            ),
        },
    ]

    first = run(run_playbook, tmp_path, proxy.url, tasks, name="first")

    assert first.rc == 0, str(first)
    cloudwatch = aws.client("cloudwatch")
    rules = {r["Name"]: r for r in cloudwatch.describe_insight_rules()["InsightRules"]}
    assert sorted(rules) == [
        "flowlogs-vpc-flow-logs-rejected-tcp-by-interface",
        "flowlogs-vpc-flow-logs-top-source-ips-by-bytes",
    ]
    top = json.loads(rules["flowlogs-vpc-flow-logs-top-source-ips-by-bytes"]["Definition"])
    assert top["LogFormat"] == "CLF" and top["Fields"] == {"4": "srcaddr", "9": "bytes"}
    assert {r["State"] for r in rules.values()} == {"ENABLED"}
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:insight-rule/flowlogs-vpc-flow-logs-top-source-ips-by-bytes"
    assert cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "net"}]

    table = aws.client("glue").get_table(DatabaseName="vpc_flow_logs", Name="flow_logs")["Table"]
    columns = [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]
    assert columns[:4] == [("version", "int"), ("vpc_id", "string"), ("interface_id", "string"), ("srcaddr", "string")]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["aws_account_id", "aws_region", "year", "month", "day"]
    assert table["Parameters"]["storage.location.template"].startswith(
        "s3://central-flow-logs/flows/AWSLogs/aws-account-id=${aws_account_id}/aws-service=vpcflowlogs/"
    )
    assert table["Parameters"]["projection.aws_account_id.values"] == "123456789012"  # the credentials' account
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    athena = aws.client("athena")
    ids = athena.list_named_queries(WorkGroup="primary")["NamedQueryIds"]
    names = sorted(athena.get_named_query(NamedQueryId=i)["NamedQuery"]["Name"] for i in ids)
    assert names == [
        "flow_logs-accepted-without-reply",
        "flow_logs-rejected-by-source-destination-port",
        "flow_logs-top-talkers-by-bytes",
    ]

    proxy.reset()
    second = run(run_playbook, tmp_path, proxy.url, tasks, name="second")

    assert second.rc == 0, str(second)
    assert "changed=0" in second.stdout, str(second)
    writes = [k for k in proxy.counts() if not k.split(":")[1].startswith(("Describe", "Get", "List"))]
    assert writes == [], proxy.counts()
    # Reads: the rules (1) and their tags (2); the caller (1), database, table, named query list and 3 named queries.
    assert proxy.counts() == {
        "athena:GetNamedQuery": 3,
        "athena:ListNamedQueries": 1,
        "glue:GetDatabase": 1,
        "glue:GetTable": 1,
        "monitoring:DescribeInsightRules": 1,
        "monitoring:ListTagsForResource": 2,
        "sts:GetCallerIdentity": 2,
    }
