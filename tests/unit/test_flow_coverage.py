"""What the flow logs of a target could show: the log groups to read and their formats, and why records may be
missing - destination, delivery, traffic type, the read, the delivery delay, traffic AWS never logs (pure)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.coverage import (
    coverage_reasons,
    log_sources,
    needs_vpc_layout,
    never_logged_reasons,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.query import FlowQuery, parse_time
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.records import DEFAULT_FIELDS, record_fields

NOW = parse_time("2026-11-22T10:00:00Z")
V3 = "${version} ${vpc-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${action}"


def flow_log(flow_log_id="fl-1", **overrides):
    found = dict(
        flow_log_id=flow_log_id,
        resource_id="vpc-0a1b2c3d",
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_group_name="vpc-flow-logs",
        log_destination=None,
        log_format=None,
        deliver_logs_status="SUCCESS",
        deliver_logs_error_message=None,
    )
    found.update(overrides)
    return found


def to_s3(flow_log_id):
    return flow_log(flow_log_id, log_destination_type="s3", log_group_name=None, log_destination="arn:aws:s3:::b")


@pytest.mark.parametrize(
    ("case", "flow_logs", "expected"),
    [
        ("one group", [flow_log()], [("vpc-flow-logs", ["fl-1"], [DEFAULT_FIELDS], False)]),
        (
            "two flow logs, one group, two formats",
            [flow_log(), flow_log("fl-2", log_format=V3)],
            [("vpc-flow-logs", ["fl-1", "fl-2"], [DEFAULT_FIELDS, record_fields(V3)], False)],
        ),
        (
            "a group named by its ARN only",
            [flow_log(log_group_name=None, log_destination="arn:aws:logs:us-east-1:111111111111:log-group:app-flows")],
            [("app-flows", ["fl-1"], [DEFAULT_FIELDS], False)],
        ),
        ("only S3: the fallback group", [to_s3("fl-9")], [("fallback-group", [], [DEFAULT_FIELDS], True)]),
        (
            "a transit gateway's flow log has no action to read",
            [flow_log(), flow_log("fl-tgw", resource_id="tgw-0a1b2c3d", log_group_name="tgw-flows")],
            [("vpc-flow-logs", ["fl-1"], [DEFAULT_FIELDS], False)],
        ),
        ("no flow log: the fallback group", [], [("fallback-group", [], [DEFAULT_FIELDS], True)]),
    ],
)
def test_the_log_groups_to_read(case, flow_logs, expected):
    sources = log_sources(flow_logs, "fallback-group")

    assert [(s["log_group"], s["flow_log_ids"], s["formats"], s["fallback"]) for s in sources] == expected, case


def question(**given):
    return FlowQuery({"flow_logs_query_{}".format(k): v for k, v in given.items()}, NOW)


VPCS = ["10.0.0.0/16", "172.31.0.0/16"]
SUBNETS = ["10.0.1.0/24", "10.0.2.0/24"]


@pytest.mark.parametrize(
    ("case", "query", "expected"),
    [
        ("instance metadata", question(dst="169.254.169.254", port=80), ["169.254.169.254 is instance metadata"]),
        ("Route 53 Resolver", question(dst="169.254.169.253", port=53), ["169.254.169.253 is the Amazon DNS"]),
        (
            "time sync",
            question(dst="169.254.169.123", protocol="udp", port=123),
            ["169.254.169.123 is the Amazon Time"],
        ),
        ("license activation", question(dst="169.254.169.250", port=1688), ["Windows license activation"]),
        ("IMDS over IPv6", question(dst="fd00:ec2::254", port=80), ["fd00:ec2::254 is instance metadata (IMDS, IPv6)"]),
        ("the VPC's DNS server", question(src="10.0.1.25", dst="10.0.0.2", port=53), ["10.0.0.2 is the Amazon DNS"]),
        ("a subnet's router", question(dst="10.0.2.1", protocol="icmp"), ["10.0.2.1 is the VPC router of its subnet"]),
        ("DHCP", question(src="10.0.1.25", protocol="udp", port=67), ["UDP port 67 is DHCP"]),
        ("an ordinary address", question(src="10.0.1.25", dst="10.0.2.10", port=5432), []),
        ("a network, not a host", question(dst="10.0.0.0/24", port=53), []),
    ],
)
def test_traffic_aws_never_logs(case, query, expected):
    reasons = never_logged_reasons(query, VPCS, SUBNETS)

    assert [r["code"] for r in reasons] == ["never_logged"] * len(expected), case
    for reason, part in zip(reasons, expected):
        assert part in reason["message"] and "never record" in reason["message"], (case, reason)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (question(src="10.0.1.25", port=443), True),
        (question(dst="52.219.204.42", port=443), False),  # public: no VPC's DNS server or router
        (question(dst="169.254.169.254"), False),  # known without the layout
        (question(src="10.0.1.0/24"), False),
    ],
)
def test_the_vpc_layout_is_read_only_when_it_can_tell(query, expected):
    assert needs_vpc_layout(query) is expected


def read(group="vpc-flow-logs", fallback=False, **found):
    return dict(dict(log_group=group, flow_log_ids=[], formats=[DEFAULT_FIELDS], fallback=fallback), **found)


HOUR = question(src="10.0.1.25", dst="52.219.204.42", port=443)
RECENT = question(src="10.0.1.25", dst="52.219.204.42", port=443, since="5m")
PAST = question(src="10.0.1.25", start="2026-11-21T08:00:00Z", end="2026-11-21T09:00:00Z")


@pytest.mark.parametrize(
    ("case", "query", "verdict", "flow_logs", "sources", "expected"),
    [
        ("all well, an old window", PAST, "no_records", [flow_log()], [read()], []),
        ("the last minutes of the window", HOUR, "no_records", [flow_log()], [read()], ["not_delivered_yet"]),
        ("a window inside the delay", RECENT, "no_records", [flow_log()], [read()], ["window_too_short"]),
        ("records found: no delay reason", HOUR, "accepted", [flow_log()], [read()], []),
        (
            "no flow log anywhere",
            HOUR,
            "no_records",
            [],
            [read("fallback-group", True, missing=True)],
            ["no_flow_log", "log_group_missing"],
        ),
        (
            "flow logs only to S3",
            PAST,
            "no_records",
            [to_s3("fl-9")],
            [read("fallback-group", True, missing=True)],
            ["no_flow_log", "not_in_cloudwatch_logs", "log_group_missing"],
        ),
        (
            "delivery failed, group gone",
            HOUR,
            "no_records",
            [flow_log(deliver_logs_status="FAILED", deliver_logs_error_message="Access error")],
            [read(missing=True)],
            ["delivery_failed", "log_group_missing"],
        ),
        (
            "REJECT-only cannot show accepted traffic",
            PAST,
            "no_records",
            [flow_log(traffic_type="REJECT")],
            [read()],
            ["traffic_type"],
        ),
        (
            "ACCEPT-only cannot show a refused reply",
            PAST,
            "accepted_no_reply",
            [flow_log(traffic_type="ACCEPT")],
            [read()],
            ["traffic_type"],
        ),
        (
            "ACCEPT and REJECT flow logs together",
            PAST,
            "no_records",
            [flow_log(traffic_type="ACCEPT"), flow_log("fl-2", traffic_type="REJECT")],
            [read()],
            [],
        ),
        (
            "a format without the fields",
            PAST,
            "no_records",
            [flow_log()],
            [read(unusable=[["srcport", "dstport"]])],
            ["format_unusable"],
        ),
        (
            "a read cut by its bound",
            PAST,
            "rejected",
            [flow_log()],
            [read(truncated=True, events_read=10000)],
            ["truncated"],
        ),
    ],
)
def test_why_records_may_be_missing(case, query, verdict, flow_logs, sources, expected):
    reasons = coverage_reasons(query, verdict, flow_logs, sources)

    assert [r["code"] for r in reasons] == expected, (case, reasons)


def test_traffic_aws_never_logs_is_the_answer_not_the_delay():
    never = never_logged_reasons(question(dst="169.254.169.254", port=80))

    assert coverage_reasons(HOUR, "no_records", [flow_log()], [read()], never_logged=never) == []
