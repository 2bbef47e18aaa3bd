"""Proof of delivery (#22) end to end: audit_flowlogs.yml through ansible-playbook on a fleet whose flow logs deliver,
stay silent for each cause, fail or cannot be read, with records, files and metrics written as AWS writes them -
then the verdict of each in the JSON, text and HTML reports, the fleet's "delivering N of M", the volumes and costs,
the calls each target made (the budget of docs/docsite/rst/arrival.rst), and flow_logs_require_arrival failing a
pipeline; and vpc_flow_log_info's check_arrival.

As AWS writes them: CloudWatch Logs streams named after the network interface (``eni-...-all``); S3 files under
``AWSLogs/`` with AWS's key layout (Hive-compatible prefixes and per-hour partitions for one target, Parquet files -
pyarrow is not installed, so the file holds Parquet's ``PAR1`` magic around gzip bytes: only its name and size are
read), gzip plain text for the other; CloudWatch metrics (``AWS/Logs`` and ``AWS/Firehose``) with PutMetricData.

What moto does not do, and how it is stood in for: a bucket of another account (moto refuses a flow log to a bucket
outside the flow log's account) is a bucket whose listing the proxy answers with S3's AccessDenied, as AWS answers
an account the bucket policy does not name; moto stamps ingestion and LastModified with the time of the call and
creation with now, so the window edge is a Firehose metric 20 minutes old judged with windows of 30 and 15 minutes
(tests/unit/test_arrival.py has the edges of the other readers to the millisecond): silent in 15 minutes, for a cause
``unknown`` (it did deliver, 20 minutes ago), while a flow log with no record at all is ``new_flow_log``; moto does not
report DestinationOptions, so the layout comes from the target's destination (audit.with_wanted_options).
"""

from __future__ import annotations

import datetime
import gzip
import json

from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.bucket_rules import bucket_statements
from tests.integration.test_fleet import PLAYBOOKS
from tests.support import fleet
from tests.support.aws_errors import access_denied
from tests.support.guardrail_proxy import GuardrailProxy

A, B, C = fleet.ACCOUNTS
D = "444444444444"
EAST, WEST = "us-east-1", "eu-west-1"
GROUP, ROLE = fleet.GROUP, fleet.ROLE
GIB = 1024**3
NOW = datetime.datetime.now(datetime.timezone.utc)
PARQUET_BUCKET, ARCHIVE_BUCKET = "arrival-parquet-222", "arrival-archive-444"
STREAM = "flows"
#: The targets, their variables and what their flow logs do.
TARGETS = {
    "cw": (A, EAST, dict()),
    "cw-failed": (A, WEST, dict()),
    "s3-parquet": (
        B,
        EAST,
        dict(
            flow_logs_destinations=[
                dict(
                    type="s3",
                    bucket_arn="arn:aws:s3:::" + PARQUET_BUCKET,
                    file_format="parquet",
                    hive_compatible_partitions=True,
                    per_hour_partition=True,
                )
            ]
        ),
    ),
    "firehose-30": (C, EAST, dict(flow_logs_destination_type="kinesis-data-firehose")),
    "firehose-15": (C, WEST, dict(flow_logs_destination_type="kinesis-data-firehose", flow_logs_delivery_window=15)),
    "s3-elsewhere": (
        D,
        EAST,
        dict(flow_logs_destination_type="s3", flow_logs_s3_bucket_arn="arn:aws:s3:::" + ARCHIVE_BUCKET),
    ),
}
#: (target, VPC name) -> (arrival verdict, cause) of its row.
EXPECTED = {
    ("cw", "delivering"): ("delivering", None),
    ("cw", "empty"): ("silent", "no_interfaces"),
    ("cw", "quiet"): ("silent", "delivery_problem"),
    ("cw-failed", "broken"): ("failed", "aws_error"),
    ("s3-parquet", "parquet"): ("delivering", None),
    ("s3-parquet", "new"): ("silent", "new_flow_log"),
    ("firehose-30", "edge"): ("delivering", None),
    ("firehose-15", "edge"): ("silent", "unknown"),
    ("s3-elsewhere", "archived"): ("unreadable", "access_denied"),
}


def firehose_arn(account, region):
    return "arn:aws:firehose:{}:{}:deliverystream/{}".format(region, account, STREAM)


def _vpc(ec2, cidr, name, interfaces=1):
    vpc = ec2.create_vpc(
        CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}]
    )["Vpc"]["VpcId"]
    enis = []
    if interfaces:
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("/16", "/24"))["Subnet"]["SubnetId"]
        enis = [ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]]
    return vpc, enis


def _flow_log(ec2, vpc, **destination):
    answer = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", **destination)
    assert not answer["Unsuccessful"], answer
    return answer["FlowLogIds"][0]


def _record(account, eni, moment):
    start = int(moment.timestamp())
    return "2 {} {} 10.0.1.5 10.0.2.9 443 40001 6 5 300 {} {} ACCEPT OK".format(account, eni, start - 60, start)


def _daily_metric(session, url, namespace, dimension, name, per_day):
    """IncomingBytes as AWS reports it: a datapoint a day, yesterday and the day before."""
    cloudwatch = session.client("cloudwatch", endpoint_url=url)
    noon = NOW.replace(hour=12, minute=0, second=0, microsecond=0)
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            dict(
                MetricName="IncomingBytes",
                Dimensions=[dict(Name=dimension, Value=name)],
                Timestamp=noon - datetime.timedelta(days=days),
                Value=float(per_day),
                Unit="Bytes",
            )
            for days in (1, 2)
        ],
    )


def seed_cloudwatch(url):
    """Account A: us-east-1 - a VPC whose interface's stream has a record, a VPC without interfaces, a VPC whose
    interface has no stream (delivery role trusting EC2); eu-west-1 - a flow log to a group that does not exist."""
    iam = fleet.session(url, A, EAST).client("iam", endpoint_url=url)
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(fleet.EC2_TRUST))
    role = "arn:aws:iam::{}:role/{}".format(A, ROLE)
    session = fleet.session(url, A, EAST)
    ec2, logs = session.client("ec2", endpoint_url=url), session.client("logs", endpoint_url=url)
    logs.create_log_group(logGroupName=GROUP)
    found = {}
    for cidr, name, interfaces in (
        ("10.1.0.0/16", "delivering", 1),
        ("10.2.0.0/16", "empty", 0),
        ("10.3.0.0/16", "quiet", 1),
    ):
        vpc, enis = _vpc(ec2, cidr, name, interfaces)
        _flow_log(ec2, vpc, LogGroupName=GROUP, DeliverLogsPermissionArn=role)
        found[name] = (vpc, enis)
    eni = found["delivering"][1][0]
    logs.create_log_stream(logGroupName=GROUP, logStreamName=eni + "-all")
    moment = NOW - datetime.timedelta(minutes=3)
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName=eni + "-all",
        logEvents=[dict(timestamp=int(moment.timestamp()) * 1000 - 60000, message=_record(A, eni, moment))],
    )
    _daily_metric(session, url, "AWS/Logs", "LogGroupName", GROUP, 2 * GIB)
    west = fleet.session(url, A, WEST).client("ec2", endpoint_url=url)
    vpc, _enis = _vpc(west, "10.4.0.0/16", "broken")
    _flow_log(west, vpc, LogGroupName=GROUP, DeliverLogsPermissionArn=role)  # no such group there: FAILED


def seed_parquet(url):
    """Account B: a bucket whose policy lets delivery in; a VPC whose Parquet file of this hour is under the Hive and
    per-hour layout, a VPC just given a flow log; yesterday's files for the volume."""
    session = fleet.session(url, B, EAST)
    ec2, s3 = session.client("ec2", endpoint_url=url), session.client("s3", endpoint_url=url)
    s3.create_bucket(Bucket=PARQUET_BUCKET)
    s3.put_bucket_ownership_controls(
        Bucket=PARQUET_BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    statements = bucket_statements(
        dict(name=PARQUET_BUCKET, source_accounts=[B], hive_compatible_partitions=True), "aws", "BucketOwnerEnforced"
    )
    s3.put_bucket_policy(Bucket=PARQUET_BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    destination = dict(
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::" + PARQUET_BUCKET,
        DestinationOptions=dict(FileFormat="parquet", HiveCompatiblePartitions=True, PerHourPartition=True),
    )
    parquet_vpc, _enis = _vpc(ec2, "10.5.0.0/16", "parquet")
    flow_log = _flow_log(ec2, parquet_vpc, **destination)
    new_vpc, _enis = _vpc(ec2, "10.6.0.0/16", "new")
    _flow_log(ec2, new_vpc, **destination)
    body = b"PAR1" + gzip.compress(b"flow records") + b"PAR1"
    for moment, copies in ((NOW - datetime.timedelta(minutes=4), 1), (NOW - datetime.timedelta(days=1), 3)):
        folder = (
            "AWSLogs/aws-account-id={a}/aws-service=vpcflowlogs/aws-region={r}/year={m:%Y}/month={m:%m}/day={m:%d}/"
            "hour={m:%H}/"
        ).format(a=B, r=EAST, m=moment)
        for n in range(copies):
            key = "{}{}_vpcflowlogs_{}_{}_{:%Y%m%dT%H%M}Z_{:04x}.log.parquet".format(
                folder, B, EAST, flow_log, moment, n
            )
            s3.put_object(Bucket=PARQUET_BUCKET, Key=key, Body=body * (1 + n))
    return len(body) * (1 + 2 + 3)  # yesterday's three files


def seed_firehose(url):
    """Account C: in each region a VPC with a flow log to a Firehose stream that received records 20 minutes ago."""
    for region in (EAST, WEST):
        session = fleet.session(url, C, region)
        ec2 = session.client("ec2", endpoint_url=url)
        vpc, _enis = _vpc(ec2, "10.7.0.0/16", "edge")
        _flow_log(ec2, vpc, LogDestinationType="kinesis-data-firehose", LogDestination=firehose_arn(C, region))
        session.client("cloudwatch", endpoint_url=url).put_metric_data(
            Namespace="AWS/Firehose",
            MetricData=[
                dict(
                    MetricName="IncomingRecords",
                    Dimensions=[dict(Name="DeliveryStreamName", Value=STREAM)],
                    Timestamp=NOW - datetime.timedelta(minutes=20),
                    Value=120.0,
                    Unit="Count",
                )
            ],
        )
        _daily_metric(session, url, "AWS/Firehose", "DeliveryStreamName", STREAM, GIB // 2)


def seed_elsewhere(url):
    """Account D: a flow log to a bucket whose listing AWS refuses these credentials (the proxy answers)."""
    session = fleet.session(url, D, EAST)
    ec2 = session.client("ec2", endpoint_url=url)
    session.client("s3", endpoint_url=url).create_bucket(Bucket=ARCHIVE_BUCKET)
    vpc, _enis = _vpc(ec2, "10.8.0.0/16", "archived")
    _flow_log(ec2, vpc, LogDestinationType="s3", LogDestination="arn:aws:s3:::" + ARCHIVE_BUCKET)


def write_inventory(path, url):
    hosts = {}
    for name, (account, region, variables) in TARGETS.items():
        hosts[name] = dict(
            flow_logs_region=region,
            flow_logs_account_id=account,
            flow_logs_assume_role_arn="arn:aws:iam::{}:role/{}".format(account, fleet.ACCESS_ROLE),
            flow_logs_endpoint_url=url,
            flow_logs_insights_queries=False,  # moto has no saved Logs Insights queries
            flow_logs_firehose_arn=firehose_arn(account, region),
            **variables,
        )
    inventory = {
        "all": {
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
            "hosts": hosts,
        }
    }
    path.write_text(json.dumps(inventory, indent=2))
    return path


def _rows(report):
    return {
        (target["target"], row["name"]): row
        for target in report["targets"]
        for row in target["vpcs"]
        if row.get("name") in {name for _t, name in EXPECTED}
    }


def test_an_audit_names_each_flow_logs_arrival_with_its_cost(aws, run_playbook, tmp_path):
    seed_cloudwatch(aws.url)
    parquet_bytes = seed_parquet(aws.url)
    seed_firehose(aws.url)
    seed_elsewhere(aws.url)
    proxy = GuardrailProxy(aws.url).start()
    try:
        # As S3 answers an account its bucket policy does not name.
        proxy.add(access_denied, service="s3", action="ListObjectsV2", account=D)
        inventory = write_inventory(tmp_path / "inventory.json", proxy.url)
        done = run_playbook(
            PLAYBOOKS / "audit_flowlogs.yml", dict(flow_logs_report_dir=str(tmp_path)), inventory=inventory
        )
        calls = {name: proxy.counts_of(account, region) for name, (account, region, _v) in TARGETS.items()}
        strict = run_playbook(
            PLAYBOOKS / "audit_flowlogs.yml",
            dict(
                flow_logs_report_dir=str(tmp_path / "strict"),
                flow_logs_require_arrival=True,
                flow_logs_fail_on_noncompliant=True,
            ),
            args=("--limit", "cw"),
            inventory=inventory,
        )
    finally:
        proxy.stop()

    assert done.rc == 0, str(done)
    report = json.loads((tmp_path / "flowlogs-report.json").read_text())
    rows = _rows(report)
    found = {key: (row["arrival"]["verdict"], row["arrival"]["cause"]) for key, row in rows.items()}
    assert found == EXPECTED
    reasons = {key: row["arrival"]["reason"] for key, row in rows.items()}
    assert reasons["cw", "quiet"] == (
        "no record in the last 30 minutes: delivery role {} trusts ec2.amazonaws.com, not "
        "vpc-flow-logs.amazonaws.com".format(ROLE)
    )
    # moto stamps ingestion with the time of the PutLogEvents call: seconds before the audit.
    assert reasons["cw", "delivering"].startswith("records arrived under a minute ago (log stream eni-")
    assert reasons["cw-failed", "broken"] == "AWS says delivery FAILED: Access error"
    assert reasons["s3-elsewhere", "archived"].startswith(
        "bucket {} could not be read from account {} (s3:ListBucket: AccessDenied".format(ARCHIVE_BUCKET, D)
    )
    assert rows["s3-elsewhere", "archived"]["arrival"]["readable_by"] is None
    parquet = rows["s3-parquet", "parquet"]["arrival"]
    assert parquet["source"].startswith(
        "s3://{}/AWSLogs/aws-account-id={}/aws-service=vpcflowlogs/aws-region={}/year=".format(PARQUET_BUCKET, B, EAST)
    )
    assert parquet["source"].endswith(".log.parquet")
    # The window edge: the same records 20 minutes ago prove delivery in 30 minutes, not in 15.
    assert rows["firehose-30", "edge"]["arrival"]["minutes_ago"] in (18, 19, 20)
    assert rows["firehose-15", "edge"]["arrival"]["reason"].startswith("no record in the last 15 minutes")

    totals = report["totals"]["arrival"]
    assert (totals["judged"], totals["delivering"], totals["silent"], totals["failed"], totals["unreadable"]) == (
        9,
        3,
        4,
        1,
        1,
    )
    assert totals["silent_by_cause"] == {"delivery_problem": 1, "new_flow_log": 1, "no_interfaces": 1, "unknown": 1}
    assert totals["window_minutes"] == [15, 30]

    by_target = {t["target"]: t["arrival"] for t in report["targets"]}
    (logs_volume,) = by_target["cw"]["destinations"]
    assert (logs_volume["destination"], logs_volume["bytes_per_day"], logs_volume["days_sampled"]) == (
        "logs:vpc-flow-logs",
        2 * GIB,
        2,
    )
    # 2 GB a day: 60.8 GB a month at 0.50 a GB, stored at 15% for 0.03 a GB-month; in S3 at 0.25, 0.035 and 0.023.
    assert logs_volume["monthly_cost"] == dict(ingestion=30.42, conversion=0.0, storage=0.27, total=30.69)
    assert logs_volume["s3_parquet_monthly_cost"]["total"] == 17.51
    (parquet_volume,) = by_target["s3-parquet"]["destinations"]
    assert (parquet_volume["bytes_per_day"], parquet_volume["file_format"]) == (parquet_bytes, "parquet")
    assert by_target["firehose-30"]["bytes_per_day"] == GIB // 2
    assert by_target["s3-elsewhere"]["destinations"] == []  # nothing it can read, nothing it can measure
    assert totals["monthly_cost"] == round(sum(t["monthly_cost"] for t in by_target.values()), 2)
    assert by_target["cw"]["prices"]["region"] == "us-east-1" and by_target["cw"]["prices"]["verified"] is False

    # The budget: what each target's arrival check called (docs/docsite/rst/arrival.rst).
    assert calls["cw"]["logs:DescribeLogStreams"] == 1
    assert calls["cw"]["ec2:DescribeNetworkInterfaces"] == 1
    assert calls["cw"]["monitoring:GetMetricData"] == 1  # the volume; no Firehose to read
    assert "s3:ListObjectsV2" not in calls["cw"]
    # Per-hour partitions: the delivering flow log 1 or 2 (its file in this hour or the last), the new one 2 and 4
    # further back, the volume 1.
    assert calls["s3-parquet"]["s3:ListObjectsV2"] in (8, 9)
    assert "logs:DescribeLogStreams" not in calls["s3-parquet"]
    assert calls["firehose-30"]["monitoring:GetMetricData"] == 2  # arrival, volume
    assert calls["s3-elsewhere"]["s3:ListObjectsV2"] == 1  # refused once: unreadable, no volume read

    table = (tmp_path / "flowlogs-report.txt").read_text()
    assert "ARRIVAL" in table.splitlines()[1]
    assert (
        "Arrival (window 15/30 min): delivering 3 of 9 flow logs - silent 4 (delivery problem 1, new 1, no interfaces "
        "1, cause unknown 1), failed 1, unreadable 1; "
    ) in table
    assert (
        "    arrival: {} -> logs:vpc-flow-logs: silent (delivery problem) - no record".format(
            rows["cw", "quiet"]["resource_id"]
        )
        in table
    )
    assert "    volume: 2.0 GB/day, ~$30.69/month estimated (S3 + Parquet instead: ~$17.51/month)" in table
    html = (tmp_path / "flowlogs-report.html").read_text()
    for verdict in ("delivering", "silent", "failed", "unreadable"):
        assert 'data-arrival="{}"'.format(verdict) in html
    assert "S3 + Parquet instead" in html and 'id="arrival"' in html

    # A pipeline that requires arrival: the silent flow log with a problem fails it; the VPC without interfaces not.
    assert strict.rc != 0, str(strict)
    # (The default VPC has no flow log: missing.)
    assert "2 of 4 resources in scope are not compliant (current state) - missing 1, silent 1" in strict.stdout, str(
        strict
    )


INFO_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Audit with proof of delivery
      flowlogs.aws.vpc_flow_log_info:
        region: us-east-1
        endpoint_url: "{url}"
        assume_role_arn: "arn:aws:iam::{account}:role/{access}"
        log_group_name: vpc-flow-logs
        check_arrival: true
        delivery_window: 30
        price_table:
          region: us-east-1
          cloudwatch_logs: {{ingestion_tiers: [[null, 0.6]]}}
      register: audit

    - name: Keep what it found
      ansible.builtin.copy:
        content: "{{{{ audit | to_json }}}}"
        dest: "{out}"
"""


def test_vpc_flow_log_info_checks_arrival(aws, run_playbook, tmp_path):
    seed_cloudwatch(aws.url)
    out = tmp_path / "audit.json"
    playbook = tmp_path / "info.yml"
    playbook.write_text(INFO_PLAYBOOK.format(url=aws.url, account=A, access=fleet.ACCESS_ROLE, out=out))

    done = run_playbook(playbook)

    assert done.rc == 0, str(done)
    audit = json.loads(out.read_text())
    by_name = {v["name"]: v for v in audit["vpcs"] if v.get("name")}
    arrivals = {
        name: [(f["arrival"]["verdict"], f["arrival"]["cause"]) for f in v["flow_logs"]] for name, v in by_name.items()
    }
    assert arrivals == {
        "delivering": [("delivering", None)],
        "empty": [("silent", "no_interfaces")],
        "quiet": [("silent", "delivery_problem")],
    }
    assert audit["arrival"]["counts"]["problems"] == 1
    (volume,) = audit["arrival"]["destinations"]
    assert volume["monthly_cost"]["ingestion"] == round(2 * 730 / 24 * 0.6, 2)  # the price table given
    assert audit["arrival"]["prices"]["verified"] is False
