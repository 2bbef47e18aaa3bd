"""Proof of delivery (#22) without a network: where AWS writes (S3 key layouts, stream names), the verdict of each
case and cause, window edges to the millisecond, the price arithmetic and the option rules - pure tables - and the
readers' exact requests and stopping rules through botocore's Stubber.

The Stubber stands in where moto cannot: moto stamps every log event's ``lastIngestionTime`` and every object's
``LastModified`` with the time of the call and every flow log's ``CreationTime`` with its creation, so a record 29 or
31 minutes old, a flow log created an hour ago, or streams AWS has not yet re-sorted (``lastEventTimestamp`` lags) can
only be given as AWS would answer them.
"""

from __future__ import annotations

import datetime

import pytest
from botocore.stub import ANY

from ansible_collections.flowlogs.aws.plugins.module_utils._arrival import layout, prices, readers, rules
from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.check import ArrivalSettings, check_arrival
from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.verdicts import Evidence, ago, judge_arrival
from tests.unit.conftest import ACCOUNT, REGION, StubbedClients

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)
MINUTE = datetime.timedelta(minutes=1)
GROUP = "vpc-flow-logs"
VPC, EMPTY_VPC = "vpc-0a1b2c3d4e5f60718", "vpc-0f1e2d3c4b5a69788"
ENI, OTHER_ENI = "eni-0a1b2c3d4e5f60718", "eni-0b1b2c3d4e5f60719"
BUCKET = "central-flow-logs"


def ms(moment):
    return int(moment.timestamp() * 1000)


def flow_log(flow_log_id="fl-0a1b2c3d4e5f60718", resource_id=VPC, **changes):
    found = dict(
        flow_log_id=flow_log_id,
        resource_id=resource_id,
        log_destination_type="cloud-watch-logs",
        log_group_name=GROUP,
        log_destination="arn:aws:logs:{}:{}:log-group:{}".format(REGION, ACCOUNT, GROUP),
        deliver_logs_status="SUCCESS",
        creation_time="2026-11-01T00:00:00+00:00",
    )
    found.update(changes)
    return found


def s3_flow_log(flow_log_id="fl-0c1b2c3d4e5f6071a", options=None, where=BUCKET):
    return flow_log(
        flow_log_id,
        log_destination_type="s3",
        log_group_name=None,
        log_destination="arn:aws:s3:::" + where,
        destination_options=options,
    )


# ---------------------------------------------------------------- where AWS writes (pure)

PLAIN, HIVE = dict(), dict(hive_compatible_partitions=True)
HOURLY, HIVE_HOURLY = dict(per_hour_partition=True), dict(hive_compatible_partitions=True, per_hour_partition=True)


@pytest.mark.parametrize(
    ("where", "options", "expected"),
    [
        (BUCKET, PLAIN, "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/"),
        (BUCKET + "/network", PLAIN, "network/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/"),
        (BUCKET + "/a/b/", HOURLY, "a/b/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/09/"),
        (
            BUCKET,
            HIVE,
            "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=11/"
            "day=22/",
        ),
        (
            BUCKET + "/network",
            HIVE_HOURLY,
            "network/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/"
            "month=11/day=22/hour=09/",
        ),
    ],
)
def test_the_partition_of_a_moment_is_where_aws_writes_it(where, options, expected):
    destination = layout.destination_of(s3_flow_log(options=options, where=where))

    assert layout.partition(destination, ACCOUNT, REGION, NOW - 30 * MINUTE) == expected
    assert destination["bucket"] == BUCKET


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (dict(), ("cloud-watch-logs", "logs:vpc-flow-logs", GROUP, "123456789012")),
        (dict(log_destination=None), ("cloud-watch-logs", "logs:vpc-flow-logs", GROUP, None)),
        (
            dict(log_group_name=None, log_destination="arn:aws:logs:us-east-1:222222222222:log-group:central:*"),
            ("cloud-watch-logs", "logs:central", "central", "222222222222"),
        ),
        (
            dict(
                log_destination_type="kinesis-data-firehose",
                log_group_name=None,
                log_destination="arn:aws:firehose:us-east-1:333333333333:deliverystream/flows",
            ),
            ("kinesis-data-firehose", "firehose:flows", "flows", "333333333333"),
        ),
        (
            dict(log_destination_type="s3", log_group_name=None, log_destination="arn:aws:s3:::b/p/"),
            ("s3", "s3:b/p", "b", None),
        ),
    ],
)
def test_a_destination_is_named_as_the_report_names_it(changes, expected):
    found = layout.destination_of(flow_log(**changes))

    assert (found["type"], found["label"], found["name"], found["account"]) == expected


def test_stream_and_key_names_say_whose_records_they_are():
    key = (
        "AWSLogs/{0}/vpcflowlogs/us-east-1/2026/11/22/{0}_vpcflowlogs_us-east-1_fl-0a1b2c3d_20261122T0955Z_0a1b.log.gz"
    )
    assert layout.flow_log_of_key(key.format(ACCOUNT)) == "fl-0a1b2c3d"
    assert layout.flow_log_of_key("AWSLogs/x/notes.txt") is None
    assert layout.interface_of(ENI + "-all") == ENI
    assert layout.interface_of(ENI + "-reject") == ENI
    assert layout.interface_of("tgw-attach-0a1b2c3d") is None


def test_the_partitions_of_a_window_newest_first_across_midnight():
    daily = layout.destination_of(s3_flow_log())
    hourly = layout.destination_of(s3_flow_log(options=HOURLY))
    just_after_midnight = datetime.datetime(2026, 11, 22, 0, 10, tzinfo=UTC)

    assert layout.periods(daily, just_after_midnight, just_after_midnight - 30 * MINUTE) == [
        datetime.datetime(2026, 11, 22, tzinfo=UTC),
        datetime.datetime(2026, 11, 21, tzinfo=UTC),
    ]
    assert layout.periods(hourly, NOW, NOW - 90 * MINUTE) == [
        datetime.datetime(2026, 11, 22, h, tzinfo=UTC) for h in (10, 9, 8)
    ]
    assert layout.previous(hourly, NOW - 30 * MINUTE, 2) == [
        datetime.datetime(2026, 11, 22, h, tzinfo=UTC) for h in (8, 7)
    ]


# ---------------------------------------------------------------- verdicts (pure)

WINDOW = 30


def at(minutes_ago):
    return NOW - datetime.timedelta(minutes=minutes_ago)


#: (case, flow log changes, evidence, interfaces, delivery problem) -> (verdict, cause, problem, reason starts with)
VERDICT_CASES = [
    (
        "a record 4 minutes ago",
        dict(),
        Evidence(last=at(4), source="log stream eni-1-all"),
        3,
        None,
        ("delivering", None, False, "records arrived 4 minutes ago (log stream eni-1-all)"),
    ),
    (
        "window edge: exactly 30 minutes ago still proves delivery",
        dict(),
        Evidence(last=at(30), source="s"),
        3,
        None,
        ("delivering", None, False, "records arrived 30 minutes ago"),
    ),
    (
        "window edge: 30 minutes and a millisecond ago does not",
        dict(),
        Evidence(last=at(30) - datetime.timedelta(milliseconds=1), source="log stream eni-1-all"),
        3,
        None,
        ("silent", "unknown", True, "no record in the last 30 minutes: last record 30 minutes ago (log stream"),
    ),
    (
        "AWS says FAILED, whatever the destination shows",
        dict(deliver_logs_status="FAILED", deliver_logs_error_message="Access error"),
        Evidence(last=at(1), source="s"),
        3,
        None,
        ("failed", "aws_error", True, "AWS says delivery FAILED: Access error"),
    ),
    (
        "another account's destination",
        dict(),
        Evidence(unreadable="other_account", detail="log group x is in account 2", readable_by="222222222222"),
        3,
        None,
        ("unreadable", "other_account", False, "log group x is in account 2"),
    ),
    (
        "a VPC without network interfaces is silent and fine",
        dict(),
        Evidence(read="r"),
        0,
        "role trusts ec2",
        ("silent", "no_interfaces", False, "no record in the last 30 minutes: the VPC has no network interfaces"),
    ),
    (
        "what the delivery checks found",
        dict(),
        Evidence(read="r"),
        2,
        "delivery role r trusts ec2.amazonaws.com, not vpc-flow-logs.amazonaws.com",
        ("silent", "delivery_problem", True, "no record in the last 30 minutes: delivery role r trusts ec2"),
    ),
    (
        "a log group that is gone",
        dict(),
        Evidence(missing="log group vpc-flow-logs does not exist"),
        2,
        None,
        ("silent", "delivery_problem", True, "no record in the last 30 minutes: log group vpc-flow-logs does not"),
    ),
    (
        "created 5 minutes ago",
        dict(creation_time=at(5).isoformat()),
        Evidence(read="r"),
        2,
        None,
        ("silent", "new_flow_log", False, "no record in the last 30 minutes: the flow log was created 5 minutes ago"),
    ),
    (
        "nothing found, nothing wrong found",
        dict(),
        Evidence(read="the 50 most recently written log streams of group g"),
        2,
        None,
        ("silent", "unknown", True, "no record in the last 30 minutes: no record found in the 50 most recently"),
    ),
]


@pytest.mark.parametrize(
    ("case", "changes", "evidence", "interfaces", "problem", "expected"),
    VERDICT_CASES,
    ids=[c[0] for c in VERDICT_CASES],
)
def test_each_verdict_and_cause(case, changes, evidence, interfaces, problem, expected):
    found = judge_arrival(flow_log(**changes), evidence, NOW, WINDOW, interfaces, problem)

    verdict, cause, is_problem, reason = expected
    assert (found["verdict"], found["cause"], found["problem"]) == (verdict, cause, is_problem), case
    assert found["reason"].startswith(reason), found["reason"]
    assert found["window_minutes"] == WINDOW


def test_how_long_ago_reads():
    assert [ago(NOW - d, NOW) for d in (MINUTE / 2, MINUTE, 119 * MINUTE, 120 * MINUTE, 3 * 1440 * MINUTE)] == [
        "under a minute",
        "1 minute",
        "119 minutes",
        "2 hours",
        "3 days",
    ]


# ---------------------------------------------------------------- prices (pure)

GIB = prices.GB
DAYS = prices.MONTH_DAYS


def test_tiers_charge_each_gigabyte_at_its_tier():
    tiers = prices.PRICE_TABLE["cloudwatch_logs"]["ingestion_tiers"]

    assert prices.tiered(100, tiers) == pytest.approx(50.0)
    assert prices.tiered(10240 + 1000, tiers) == pytest.approx(10240 * 0.5 + 1000 * 0.25)
    assert prices.tiered(60000, tiers) == pytest.approx(10240 * 0.5 + 20480 * 0.25 + 20480 * 0.10 + 8800 * 0.05)


def test_monthly_cost_of_each_destination_type():
    table = prices.PRICE_TABLE
    per_day = 10 * GIB / DAYS  # 10 GB a month

    logs = prices.monthly_cost("cloud-watch-logs", per_day, table)
    assert logs == dict(ingestion=5.0, conversion=0.0, storage=0.04, total=5.04)  # 10 GB x 15% stored x 0.03
    # S3 measures stored (compressed) files: 1.5 GB of gzip stands for 10 GB delivered.
    s3 = prices.monthly_cost("s3", 1.5 * GIB / DAYS, table)
    assert s3 == dict(ingestion=2.5, conversion=0.0, storage=0.03, total=2.53)
    parquet = prices.monthly_cost("s3", 1.2 * GIB / DAYS, table, parquet=True)
    assert parquet == dict(ingestion=2.5, conversion=0.35, storage=0.03, total=2.88)
    assert prices.monthly_cost("kinesis-data-firehose", per_day, table)["total"] == 2.5
    assert prices.s3_parquet_cost(per_day, table) == dict(ingestion=2.5, conversion=0.35, storage=0.03, total=2.88)


def test_a_users_prices_are_merged_section_by_section():
    table = prices.merge_prices({"region": "eu-west-1", "s3": {"storage_per_gb_month": 0.024}})

    assert (table["region"], table["s3"]["storage_per_gb_month"]) == ("eu-west-1", 0.024)
    assert table["s3"]["parquet_per_gb"] == prices.PRICE_TABLE["s3"]["parquet_per_gb"]
    assert table["cloudwatch_logs"] == prices.PRICE_TABLE["cloudwatch_logs"]
    assert prices.PRICE_TABLE["s3"]["storage_per_gb_month"] == 0.023  # the collection's table is not changed


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (dict(delivery_window=30, price_table=None), []),
        (dict(delivery_window=10), []),
        (dict(delivery_window=1440), []),
        (dict(delivery_window=9), ["delivery_window: must be a number of minutes from 10 to 1440"]),
        (dict(delivery_window=True), ["delivery_window: must be a number of minutes from 10 to 1440"]),
        (dict(price_table=[]), ["price_table: must be a dictionary of the sections cloudwatch_logs, s3, firehose"]),
        (dict(price_table={"s3": {"ingestion_tiers": [[None, 0.2]]}}), []),
        (
            dict(price_table={"s3": {"ingestion_tiers": [[None, 0.2], [None, 0.1]]}}),
            ["price_table: s3.ingestion_tiers must be a list of [gigabytes, price per GB] pairs"],
        ),
        (
            dict(price_table={"cloudwatch_logs": {"storage_per_gb_month": "cheap"}}),
            ["price_table: cloudwatch_logs.storage_per_gb_month must be a number, 0 or more, got 'cheap'"],
        ),
    ],
)
def test_the_options_are_checked_before_any_call(params, expected):
    found = [str(p) for p in rules.arrival_problems(params)]

    assert len(found) == len(expected), found
    for problem, start in zip(found, expected):
        assert problem.startswith(start), problem


# ---------------------------------------------------------------- readers, with AWS's answers (Stubber)


def stream(name, ingested, event=None):
    return dict(logStreamName=name, lastIngestionTime=ms(ingested), lastEventTimestamp=ms(event or ingested))


def expect_streams(stubber, streams, token=None, next_token=None):
    params = dict(logGroupName=GROUP, orderBy="LastEventTime", descending=True, limit=50)
    if token:
        params["nextToken"] = token
    answer = dict(logStreams=streams)
    if next_token:
        answer["nextToken"] = next_token
    stubber.add_response("describe_log_streams", answer, params)


def reading(clients, window=WINDOW):
    return readers.Reading(clients, ACCOUNT, REGION, NOW, window)


def test_log_streams_stop_at_the_first_page_that_proves_every_resource(stubbed):
    logs, stubber = stubbed("logs")
    expect_streams(stubber, [stream(OTHER_ENI + "-all", at(2)), stream(ENI + "-all", at(3))], next_token="t1")

    found = readers.read_log_group(reading(StubbedClients(logs=logs)), GROUP, {VPC: [ENI]})

    assert (found[VPC].last, found[VPC].source) == (at(3), "log stream {}-all".format(ENI))


def test_log_streams_are_read_on_while_they_may_still_hide_a_recent_record(stubbed):
    """lastEventTimestamp lags ingestion by up to an hour: a stream ordered 50 minutes old may hold a record of 5
    minutes ago; the reading stops once the streams are older than the window by more than that lag."""
    logs, stubber = stubbed("logs")
    expect_streams(stubber, [stream(OTHER_ENI + "-all", at(2))], next_token="t1")
    expect_streams(stubber, [stream(ENI + "-all", at(5), event=at(50))], token="t1", next_token="t2")
    filler = [stream("eni-0{}-all".format(n), at(200)) for n in range(3)]
    expect_streams(stubber, filler, token="t2", next_token="t3")  # older than window + lag: the last page read

    found = readers.read_log_group(reading(StubbedClients(logs=logs)), GROUP, {VPC: [ENI], EMPTY_VPC: ["eni-0f"]})

    assert found[VPC].last == at(5)
    assert found[EMPTY_VPC].last is None
    assert found[EMPTY_VPC].read == "the 150 most recently written log streams of group vpc-flow-logs"


def test_a_group_whose_resources_have_no_interfaces_is_not_read(stubbed):
    logs, _stubber = stubbed("logs")

    found = readers.read_log_group(reading(StubbedClients(logs=logs)), GROUP, {EMPTY_VPC: []})

    assert found[EMPTY_VPC].last is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ResourceNotFoundException", ("missing", "log group vpc-flow-logs does not exist")),
        ("AccessDeniedException", ("unreadable", "access_denied")),
    ],
)
def test_a_group_that_is_gone_or_refused(stubbed, code, expected):
    logs, stubber = stubbed("logs")
    stubber.add_client_error("describe_log_streams", code, "no")

    found = readers.read_log_group(reading(StubbedClients(logs=logs)), GROUP, {VPC: [ENI]})[VPC]

    kind, value = expected
    assert getattr(found, kind) == value
    if kind == "unreadable":
        assert found.detail.startswith(
            "log group vpc-flow-logs could not be read from account 123456789012 (logs:DescribeLogStreams: "
        )


def key_of(options, moment, flow_log_id="fl-0c1b2c3d4e5f6071a"):
    destination = layout.destination_of(s3_flow_log(options=options))
    partition = layout.partition(destination, ACCOUNT, REGION, moment)
    return partition + layout.file_stem(ACCOUNT, REGION, flow_log_id), "{}_{}_0a1b.log.gz".format(
        layout.stamp(moment)[:-1], "Z"
    )


def expect_objects(stubber, prefix, objects, start_after=None, token=None, truncated=False):
    params = dict(Bucket=BUCKET, Prefix=prefix, MaxKeys=1000)
    if start_after:
        params["StartAfter"] = start_after
    if token:
        params["ContinuationToken"] = token
    answer = dict(
        Contents=[dict(Key=k, Size=size, LastModified=modified) for k, size, modified in objects],
        IsTruncated=truncated,
    )
    if truncated:
        answer["NextContinuationToken"] = "next"
    stubber.add_response("list_objects_v2", answer, params)


@pytest.mark.parametrize("options", [PLAIN, HIVE, HOURLY, HIVE_HOURLY], ids=["plain", "hive", "hourly", "hive-hourly"])
def test_an_s3_flow_log_delivering_costs_one_list_from_the_window_start(stubbed, options):
    s3, stubber = stubbed("s3")
    prefix, _name = key_of(options, NOW)
    after = NOW - 30 * MINUTE - readers.S3_STAMP_SLACK  # 09:00: the window's start less the slack
    file_prefix, name = key_of(options, at(6))
    start_after = prefix + layout.stamp(after) if options.get("per_hour_partition") is not True else None
    if options.get("per_hour_partition"):  # 10:00's hour first, then 09:00's, listed whole
        expect_objects(stubber, prefix, [])
        prefix09, _n = key_of(options, at(30))
        expect_objects(stubber, prefix09, [(file_prefix + name, 300, at(4))])
    else:
        expect_objects(stubber, prefix, [(file_prefix + name, 300, at(4))], start_after=start_after)

    destination = layout.destination_of(s3_flow_log(options=options))
    found = readers.read_s3_flow_log(reading(StubbedClients(s3=s3)), destination, "fl-0c1b2c3d4e5f6071a")

    assert found.last == at(4)
    assert found.source == "s3://{}/{}".format(BUCKET, file_prefix + name)


def test_a_silent_s3_flow_log_is_looked_for_in_the_day_before(stubbed):
    s3, stubber = stubbed("s3")
    today, _n = key_of(PLAIN, NOW)
    yesterday, name = key_of(PLAIN, NOW - datetime.timedelta(days=1))
    after = NOW - 30 * MINUTE - readers.S3_STAMP_SLACK
    expect_objects(stubber, today, [], start_after=today + layout.stamp(after))
    expect_objects(stubber, today, [])  # the whole day
    old = NOW - datetime.timedelta(hours=20)
    expect_objects(stubber, yesterday, [(yesterday + name, 10, old)])

    destination = layout.destination_of(s3_flow_log())
    found = readers.read_s3_flow_log(reading(StubbedClients(s3=s3)), destination, "fl-0c1b2c3d4e5f6071a")
    verdict = judge_arrival(s3_flow_log(), found, NOW, WINDOW, interfaces=4)

    assert (verdict["verdict"], verdict["cause"]) == ("silent", "unknown")
    assert verdict["reason"].startswith("no record in the last 30 minutes: last record 20 hours ago (s3://")
    assert verdict["last_record_at"] == "2026-11-21T14:00:00Z"


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [("NoSuchBucket", 404, ("missing", "bucket central-flow-logs does not exist")), ("AccessDenied", 403, None)],
)
def test_a_bucket_that_is_gone_or_another_accounts(stubbed, code, status, expected):
    s3, stubber = stubbed("s3")
    stubber.add_client_error("list_objects_v2", code, "no", http_status_code=status)

    destination = layout.destination_of(s3_flow_log())
    found = readers.read_s3_flow_log(reading(StubbedClients(s3=s3)), destination, "fl-0c1b2c3d4e5f6071a")

    if expected:
        assert found.missing == expected[1]
    else:
        assert (found.unreadable, found.readable_by) == ("access_denied", None)
        assert found.detail.startswith("bucket central-flow-logs could not be read from account 123456789012")
        assert found.detail.endswith("the account that owns it can read it")


def test_firehose_streams_are_read_in_one_metric_call(stubbed):
    cloudwatch, stubber = stubbed("cloudwatch")
    stubber.add_response(
        "get_metric_data",
        dict(
            MetricDataResults=[
                dict(Id="r0", Timestamps=[at(12), at(40)], Values=[0.0, 25.0], StatusCode="Complete"),
                dict(Id="r1", Timestamps=[at(20)], Values=[3.0], StatusCode="Complete"),
            ]
        ),
        dict(
            MetricDataQueries=ANY, StartTime=NOW - readers.FIREHOSE_LOOKBACK, EndTime=NOW, ScanBy="TimestampDescending"
        ),
    )

    found = readers.read_firehose(reading(StubbedClients(cloudwatch=cloudwatch)), ["quiet", "busy", "busy"])

    # r0 is "busy" (sorted): its newest minute with records started 40 minutes ago.
    assert found["busy"].last == at(39)
    assert found["quiet"].last == at(19)


def test_one_target_in_few_calls(stubbed):
    """A VPC delivering to CloudWatch Logs, an empty VPC (silent, not a problem), a VPC whose S3 flow log shows
    nothing and whose role the delivery checks blame: 1 DescribeNetworkInterfaces, 1 DescribeLogStreams, 3 S3 lists
    (window, the whole day, the day before), 1 GetMetricData for the volume (none for arrival: no Firehose), 1 S3
    list for the S3 volume."""
    ec2, ec2_stub = stubbed("ec2")
    logs, logs_stub = stubbed("logs")
    s3, s3_stub = stubbed("s3")
    cloudwatch, cw_stub = stubbed("cloudwatch")
    interfaces = [
        dict(NetworkInterfaceId=ENI, VpcId=VPC, SubnetId="subnet-0a"),
        dict(NetworkInterfaceId=OTHER_ENI, VpcId="vpc-0c", SubnetId="subnet-0c"),
    ]
    ec2_stub.add_response(
        "describe_network_interfaces",
        dict(NetworkInterfaces=interfaces),
        dict(Filters=[dict(Name="vpc-id", Values=sorted([VPC, EMPTY_VPC, "vpc-0c"]))], MaxResults=1000),
    )
    expect_streams(logs_stub, [stream(ENI + "-all", at(1))], next_token="t1")
    today, _n = key_of(PLAIN, NOW)
    yesterday, _n = key_of(PLAIN, NOW - datetime.timedelta(days=1))
    expect_objects(s3_stub, today, [], start_after=today + layout.stamp(NOW - 30 * MINUTE - readers.S3_STAMP_SLACK))
    expect_objects(s3_stub, today, [])
    expect_objects(s3_stub, yesterday, [])
    cw_stub.add_response(
        "get_metric_data",
        dict(MetricDataResults=[dict(Id="v0", Timestamps=[at(600)], Values=[1.5 * GIB], StatusCode="Complete")]),
        dict(MetricDataQueries=ANY, StartTime=ANY, EndTime=ANY, ScanBy="TimestampDescending"),
    )
    s3_stub.add_response(
        "list_objects_v2",
        dict(Contents=[dict(Key="k", Size=2 * 1024**2, LastModified=at(900))], IsTruncated=False),
        dict(Bucket=BUCKET, Prefix="AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/21/", MaxKeys=1000),
    )
    clients = StubbedClients(ec2=ec2, logs=logs, s3=s3, cloudwatch=cloudwatch)
    flow_logs = [flow_log(), flow_log("fl-0e", resource_id=EMPTY_VPC), dict(s3_flow_log(), resource_id="vpc-0c")]
    asked = []

    def causes(silent):
        asked.extend(f["flow_log_id"] for f in silent)
        return {"fl-0c1b2c3d4e5f6071a": "bucket central-flow-logs: no statement allows delivery.logs.amazonaws.com"}

    found = check_arrival(clients, flow_logs, ArrivalSettings(window=WINDOW), causes=causes, now=NOW)

    verdicts = {k: (a["verdict"], a["cause"]) for k, a in found["by_flow_log"].items()}
    assert verdicts == {
        "fl-0a1b2c3d4e5f60718": ("delivering", None),
        "fl-0e": ("silent", "no_interfaces"),
        "fl-0c1b2c3d4e5f6071a": ("silent", "delivery_problem"),
    }
    assert asked == ["fl-0c1b2c3d4e5f6071a"]  # only a flow log that may be silent for a reason is looked into
    assert found["api_calls"] == 7
    assert (found["counts"]["delivering"], found["counts"]["silent"], found["counts"]["problems"]) == (1, 2, 1)
    by_destination = {d["destination"]: d for d in found["destinations"]}
    assert by_destination["logs:vpc-flow-logs"]["bytes_per_day"] == int(1.5 * GIB)
    assert by_destination["s3:central-flow-logs"]["bytes_per_day"] == 2 * 1024**2
    assert found["monthly_cost"] == round(
        by_destination["logs:vpc-flow-logs"]["monthly_cost"]["total"]
        + by_destination["s3:central-flow-logs"]["monthly_cost"]["total"],
        2,
    )


# ---------------------------------------------------------------- the fleet report (pure)


def arrival(verdict, cause=None, problem=False, reason="r"):
    return dict(verdict=verdict, cause=cause, problem=problem, reason=reason, readable_by=None, window_minutes=30)


def report_row(resource, verdict="compliant", action="unchanged", found=None, destination="logs:vpc-flow-logs"):
    return dict(
        vpc_id=resource,
        resource_id=resource,
        resource_type="VPC",
        destination=destination,
        action=action,
        before=dict(verdict=verdict),
        after=dict(verdict=verdict),
        changed_fields=[],
        error=None,
        arrival=found,
    )


def report_entry(target, account, rows, summary=None, buckets=()):
    counts = dict(
        created=0, replaced=0, updated=0, deleted=0, unchanged=len(rows), failed=0, not_run=0, not_owned=0,
        resources=len(rows), vpcs=len(rows), compliant_before=0, compliant_after=0, api_calls=0, api_retries=0,
    )  # fmt: skip
    result = dict(result_version=1, target=target, account_id=account, region=REGION, status="unchanged")
    delivery = dict(buckets=list(buckets), notes=[])
    return dict(target=target, result=dict(result, vpcs=rows, counts=counts, delivery=delivery, arrival=summary))


def summary(require=False, per_day=GIB, cost=15.21, parquet=8.2):
    return dict(
        window_minutes=30,
        require_arrival=require,
        bytes_per_day=per_day,
        monthly_cost=cost,
        s3_parquet_monthly_cost=parquet,
        prices=dict(currency="USD"),
        destinations=[
            dict(
                destination="logs:vpc-flow-logs",
                bytes_per_day=per_day,
                days_sampled=7,
                monthly_cost=dict(total=cost),
                s3_parquet_monthly_cost=dict(total=parquet),
            )
        ],
    )


def arrival_fleet(require=False):
    from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import fleet_report

    entries = [
        report_entry(
            "a",
            ACCOUNT,
            [
                report_row("vpc-1", found=arrival("delivering")),
                report_row("vpc-2", found=arrival("silent", "no_interfaces")),
                report_row("vpc-3", found=arrival("silent", "unknown", problem=True, reason="nothing found")),
            ],
            summary(require),
        ),
        report_entry(
            "b",
            "222222222222",
            [report_row("vpc-4", found=arrival("unreadable", "access_denied"), destination="s3:archive/net")],
            summary(per_day=0, cost=0.0, parquet=0.0),
        ),
        report_entry(
            "archive",
            "999999999999",
            [report_row("vpc-5")],
            buckets=[dict(bucket="archive", policy_read=True, problems=[])],
        ),
    ]
    return fleet_report(entries, mode="audit", check_mode=True)


def test_the_fleet_says_delivering_n_of_m_with_its_volume_and_cost():
    report = arrival_fleet()

    totals = report["totals"]["arrival"]
    assert (totals["targets_checked"], totals["judged"], totals["delivering"], totals["silent"]) == (2, 4, 1, 2)
    assert (totals["unreadable"], totals["problems"], totals["silent_by_cause"]) == (
        1,
        1,
        {"no_interfaces": 1, "unknown": 1},
    )
    assert (totals["bytes_per_day"], totals["monthly_cost"], totals["s3_parquet_monthly_cost"]) == (GIB, 15.21, 8.2)
    # Without flow_logs_require_arrival, arrival does not change compliance.
    assert report["compliance"]["noncompliant"] == 0


def test_a_bucket_another_target_owns_is_named_as_who_can_read_it():
    row = arrival_fleet()["targets"][1]["vpcs"][0]

    assert row["arrival"]["readable_by"] == "999999999999"
    assert row["arrival"]["reason"].endswith("account 999999999999, a target of this run, owns the bucket")


def test_require_arrival_counts_a_silent_flow_log_with_a_problem_only():
    report = arrival_fleet(require=True)

    assert report["compliance"]["by_verdict"] == {"silent": 1}  # vpc-3; vpc-2 has no interfaces: not a problem


def test_the_table_and_the_page_show_arrival():
    from ansible_collections.flowlogs.aws.plugins.module_utils._report.html import report_html
    from ansible_collections.flowlogs.aws.plugins.module_utils._report.table import summary_table

    report = arrival_fleet()
    table = summary_table(report)
    html = report_html(report)

    header = table[1].split()
    assert header[header.index("ARRIVAL") - 1] == "FAILED"
    lines = {line.split()[0]: line for line in table[3:] if line and not line.startswith(" ")}
    assert (lines["a"].split()[-2], lines["b"].split()[-2], lines["archive"].split()[-2]) == ("1/3", "0/1", "-")
    assert "    arrival: vpc-3 -> logs:vpc-flow-logs: silent (cause unknown) - nothing found" in table
    assert "    volume: 1.0 GB/day, ~$15.21/month estimated (S3 + Parquet instead: ~$8.20/month)" in table
    assert table[-1] == (
        "Arrival (window 30 min): delivering 1 of 4 flow logs - silent 2 (no interfaces 1, cause unknown 1), failed 0, "
        "unreadable 1; 1.0 GB/day, ~$15.21/month estimated (S3 + Parquet instead: ~$8.20/month)"
    )
    assert html.count('data-arrival="silent"') == 2 and 'data-arrival="unreadable"' in html
    assert "<td>logs:vpc-flow-logs</td><td>1.0 GB</td><td>7</td><td>$15.21</td><td>$8.20</td>" in html


def test_refused_interfaces_make_cloudwatch_flow_logs_unreadable_not_silent(stubbed):
    ec2, ec2_stub = stubbed("ec2")
    logs, _logs_stub = stubbed("logs")
    ec2_stub.add_client_error("describe_network_interfaces", "UnauthorizedOperation", "no", http_status_code=403)
    clients = StubbedClients(ec2=ec2, logs=logs)  # nothing readable: no log streams, no volume read

    found = check_arrival(clients, [flow_log()], ArrivalSettings(window=WINDOW), now=NOW)

    verdict = found["by_flow_log"]["fl-0a1b2c3d4e5f60718"]
    assert (verdict["verdict"], verdict["cause"]) == ("unreadable", "access_denied")
    assert verdict["reason"] == (
        "the network interfaces of {} could not be read from account {} (ec2:DescribeNetworkInterfaces: "
        "UnauthorizedOperation), so its log streams cannot be told apart".format(VPC, ACCOUNT)
    )
    assert found["errors"][0].startswith("network interfaces not read (ec2:DescribeNetworkInterfaces:")
