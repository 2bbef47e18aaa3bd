"""Reading flow-log records the way CloudWatch Logs answers: pages with a token, pages with no event while it
scans (moto never sends those), the bounds that stop a read, a log group that is gone - and one read per
distinct filter pattern, every event matched again client-side. botocore's Stubber checks the exact requests."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.query import FlowQuery, parse_time
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.records import DEFAULT_FIELDS, record_fields
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.target import read_source, troubleshoot_target
from tests.unit.conftest import ACCOUNT, StubbedClients

GROUP = "vpc-flow-logs"
NOW = parse_time("2026-11-22T10:00:00Z")
T = NOW - 1800
START_MS, END_MS = (NOW - 3600 - 600) * 1000, NOW * 1000


def event(message, event_id, stream="eni-0a1b2c3d-all"):
    return {
        "timestamp": int(message.split()[10]) * 1000,
        "message": message,
        "logStreamName": stream,
        "eventId": event_id,
    }


def line(src, dst, sport, dport, action="ACCEPT", start=T):
    return "2 111111111111 eni-0a1b2c3d {} {} {} {} 6 5 300 {} {} {} OK".format(
        src, dst, sport, dport, start, start + 60, action
    )


def expect(stubber, pattern=None, token=None, limit=10000, answer=None):
    params = {"logGroupName": GROUP, "startTime": START_MS, "endTime": END_MS, "limit": limit}
    if pattern:
        params["filterPattern"] = pattern
    if token:
        params["nextToken"] = token
    stubber.add_response("filter_log_events", answer or {"events": []}, params)


@pytest.mark.parametrize(
    ("case", "pages", "max_events", "max_pages", "expected"),
    [
        ("one page", [(["a"], None)], 10000, 25, (1, False, 1)),
        (
            "empty pages while AWS scans, then events",
            [([], "t1"), ([], "t2"), (["a", "b"], None)],
            10000,
            25,
            (2, False, 3),
        ),
        ("the page bound", [([], "t1"), (["a"], "t2")], 10000, 2, (1, True, 2)),
        ("the event bound", [(["a", "b"], "t1")], 2, 25, (2, True, 1)),
    ],
)
def test_filter_log_events_pages_within_its_bounds(stubbed, case, pages, max_events, max_pages, expected):
    logs, stubber = stubbed("logs")
    token, seen = None, 0
    for ids, next_token in pages:
        answer = {"events": [event(line("10.0.1.25", "10.0.2.10", 1, 2), i) for i in ids]}
        if next_token:
            answer["nextToken"] = next_token
        expect(stubber, "[x]", token, min(10000, max_events - seen), answer)
        token, seen = next_token, seen + len(ids)

    found = logs_api.filter_log_events(logs, GROUP, START_MS, END_MS, "[x]", max_events, max_pages)

    assert (len(found["events"]), found["truncated"], found["pages"]) == expected, case
    assert found["missing"] is False


def test_a_log_group_that_is_gone_is_missing_not_an_error(stubbed):
    logs, stubber = stubbed("logs")
    stubber.add_client_error(
        "filter_log_events", "ResourceNotFoundException", "The specified log group does not exist."
    )

    found = logs_api.filter_log_events(logs, GROUP, START_MS, END_MS)

    assert found == dict(events=[], truncated=False, missing=True, pages=1)


def test_one_read_per_pattern_every_event_matched_again(stubbed):
    """A server that ignores the pattern (as moto does) sends every event to both reads: the verdict is the same."""
    logs, stubber = stubbed("logs")
    query = FlowQuery(
        {"flow_logs_query_src": "10.0.1.25", "flow_logs_query_dst": "10.0.2.10", "flow_logs_query_port": 5432}, NOW
    )
    everything = [
        event(line("10.0.1.25", "10.0.2.10", 40001, 5432), "1"),
        event(line("10.0.2.10", "10.0.1.25", 5432, 40001), "2"),
        event(line("10.0.1.26", "10.0.2.10", 40002, 5432, "REJECT"), "3"),  # another client
        event(line("10.0.1.25", "10.0.2.10", 40003, 5432, "REJECT", start=NOW - 7200), "4"),  # before the window
        event("2 111111111111 eni-0a1b2c3d - - - - - - - {} {} - NODATA".format(T, T + 60), "5"),
    ]
    patterns = query.patterns(DEFAULT_FIELDS)
    for pattern in sorted(set(patterns.values())):
        expect(stubber, pattern, answer={"events": everything})
    source = dict(log_group=GROUP, formats=[DEFAULT_FIELDS, record_fields("${srcaddr} ${dstaddr}")])

    matched = read_source(logs, source, query)

    assert [(direction, r["srcaddr"], r["action"]) for direction, r in matched] == [
        ("request", "10.0.1.25", "ACCEPT"),
        ("reply", "10.0.2.10", "ACCEPT"),
    ]
    assert source["events_read"] == 10 and source["patterns"] == sorted(set(patterns.values()))
    assert source["unusable"] == [["protocol", "action", "srcport", "dstport"]]  # the second format cannot answer


class Clients(StubbedClients):
    """StubbedClients with what troubleshoot_target reads besides the clients."""

    stats = dict(calls=0, retries=0)

    def known_identity(self):
        return self.identity()

    def target(self, lookup=False):
        del lookup
        return dict(account=ACCOUNT, region="us-east-1")

    def locate(self, exc):
        return exc.locate(**self.target())


QUESTION = {
    "flow_logs_region": "us-east-1",
    "flow_logs_log_group_name": GROUP,
    "flow_logs_query_src": "10.0.1.25",
    "flow_logs_query_dst": "10.0.2.10",
    "flow_logs_query_port": 5432,
    "flow_logs_query_start": "2026-11-22T08:00:00Z",
    "flow_logs_query_end": "2026-11-22T09:00:00Z",
}


def test_a_refused_vpc_layout_read_leaves_the_answer_standing(stubbed):
    ec2, ec2_stubber = stubbed("ec2")
    logs, logs_stubber = stubbed("logs")
    ec2_stubber.add_response("describe_flow_logs", {"FlowLogs": []}, {"MaxResults": 1000})
    logs_stubber.add_client_error("filter_log_events", "ResourceNotFoundException", "gone")
    ec2_stubber.add_client_error("describe_vpcs", "UnauthorizedOperation", "You are not authorized")

    found = troubleshoot_target(Clients(ec2=ec2, logs=logs), QUESTION, "t1", problems=[], now=NOW)

    assert not found.get("failed") and found["verdict"] == "no_records"
    assert [r["code"] for r in found["reasons"]] == ["vpc_layout_unread", "no_flow_log", "log_group_missing"]
    assert "ec2:DescribeVpcs" in found["reasons"][0]["message"]
    assert found["query"]["start"] == "2026-11-22T08:00:00Z" and found["account_id"] == ACCOUNT


def test_refused_variables_read_nothing():
    found = troubleshoot_target(Clients(), dict(QUESTION, flow_logs_query_port=70000), "t1", now=NOW)

    assert found["failed"] and found["msg"].startswith("Troubleshoot failed: flow_logs_query_port: 70000")
    assert [r["code"] for r in found["reasons"]] == ["invalid_variables"] and found["query"] is None
