"""The question "why can't A reach B?": its variables' rules, the window, the client-side match of a record and the
server-side filter patterns (pure)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.query import (
    FlowQuery,
    parse_time,
    query_problems,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.records import DEFAULT_FIELDS, record_fields

NOW = parse_time("2026-11-22T10:00:00Z")
V5 = record_fields(
    "${version} ${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} "
    "${bytes} ${start} ${end} ${action} ${log-status} ${flow-direction} ${traffic-path}"
)
WITH_PKT = record_fields(
    "${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} ${srcport} ${dstport} ${protocol} ${action}"
)


def question(**given):
    return {"flow_logs_query_{}".format(k): v for k, v in given.items()}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (dict(src="10.0.1.25"), []),
        (dict(dst="10.0.0.0/8", port=443, protocol="udp", since="30m"), []),
        (dict(src="2001:db8::1", dst="2001:db8::/64", protocol="icmp"), []),
        (dict(src="10.0.1.25", protocol="50", start="2026-11-22T09:00:00Z", end="2026-11-22T10:30:00+01:00"), []),
        (dict(src="10.0.1.25", start="2026-11-22"), []),  # a date, UTC; the end is now
        (dict(port=443), ["flow_logs_query_src: set flow_logs_query_src, flow_logs_query_dst or both"]),
        (dict(src="10.0.1.300"), ["flow_logs_query_src: '10.0.1.300' is not an IPv4 or IPv6 address or CIDR"]),
        (dict(src="10.0.1.25", dst="s3.amazonaws.com"), ["flow_logs_query_dst: 's3.amazonaws.com' is not an IPv4"]),
        (
            dict(src="10.0.1.25", dst="2001:db8::1"),
            ["flow_logs_query_dst: '2001:db8::1' is IPv6 but flow_logs_query_src"],
        ),
        (dict(src="10.0.1.25", port=70000), ["flow_logs_query_port: 70000 is not a destination port (0 to 65535)"]),
        (dict(src="10.0.1.25", port=-1), ["flow_logs_query_port: -1 is not a destination port"]),
        (dict(src="10.0.1.25", protocol="icmp", port=8), ["flow_logs_query_port: icmp has no ports"]),
        (dict(src="10.0.1.25", protocol="sctp"), ["flow_logs_query_protocol: 'sctp' is not tcp, udp, icmp or an IANA"]),
        (dict(src="10.0.1.25", protocol="256"), ["flow_logs_query_protocol: '256' is not tcp, udp, icmp or an IANA"]),
        (dict(src="10.0.1.25", since="90"), ["flow_logs_query_since: '90' is not a duration such as 30m, 2h or 1d"]),
        (dict(src="10.0.1.25", since="0h"), ["flow_logs_query_since: '0h' is not a duration"]),
        (
            dict(src="10.0.1.25", since="1h", end="2026-11-22T10:00:00Z"),
            ["flow_logs_query_since: give either flow_logs_query_since or flow_logs_query_start"],
        ),
        (dict(src="10.0.1.25", start="yesterday"), ["flow_logs_query_start: 'yesterday' is not an ISO 8601 time"]),
        (dict(src="10.0.1.25", end="2026-11-22T10:00:00Z"), ["flow_logs_query_end: set flow_logs_query_start too"]),
        (
            dict(src="10.0.1.25", start="2026-11-22T10:00:00Z", end="2026-11-22T10:00:00Z"),
            ["flow_logs_query_end: 2026-11-22T10:00:00Z is not after flow_logs_query_start (2026-11-22T10:00:00Z)"],
        ),
        # Every problem at once, each named.
        (
            dict(src="nowhere", port=99999, since="soon"),
            ["flow_logs_query_src: ", "flow_logs_query_port: ", "flow_logs_query_since: "],
        ),
    ],
)
def test_each_problem_names_its_variable(given, expected):
    problems = query_problems(question(**given))

    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problem


@pytest.mark.parametrize(
    ("given", "window"),
    [
        (dict(src="10.0.1.25"), ("2026-11-22T09:00:00Z", "2026-11-22T10:00:00Z")),  # since 1h by default
        (dict(src="10.0.1.25", since="30m"), ("2026-11-22T09:30:00Z", "2026-11-22T10:00:00Z")),
        (dict(src="10.0.1.25", since="2d"), ("2026-11-20T10:00:00Z", "2026-11-22T10:00:00Z")),
        (dict(src="10.0.1.25", start="2026-11-22T08:00:00+01:00"), ("2026-11-22T07:00:00Z", "2026-11-22T10:00:00Z")),
        (
            dict(src="10.0.1.25", start="2026-11-21T08:00:00", end="2026-11-21T08:15:00"),
            ("2026-11-21T08:00:00Z", "2026-11-21T08:15:00Z"),
        ),
    ],
)
def test_the_window(given, window):
    query = FlowQuery(question(**given), NOW).as_dict()

    assert (query["start"], query["end"]) == window


def test_the_question_as_the_report_shows_it():
    query = FlowQuery(question(src="10.0.1.25/32", dst="52.219.0.0/16", port=443), NOW)

    assert query.as_dict() == dict(
        src="10.0.1.25",
        dst="52.219.0.0/16",
        port=443,
        protocol="tcp",
        since="1h",
        start="2026-11-22T09:00:00Z",
        end="2026-11-22T10:00:00Z",
    )
    assert query.describe() == "10.0.1.25 -> 52.219.0.0/16:443/tcp"
    # A record's event timestamp is its start: a record that began up to 10 minutes earlier may overlap the window.
    assert query.read_window_ms() == ((NOW - 3600 - 600) * 1000, NOW * 1000)


T = NOW - 1800


def rec(src, dst, sport, dport, protocol=6, start=T, end=T + 60, **extra):
    return dict(
        srcaddr=src, dstaddr=dst, srcport=sport, dstport=dport, protocol=protocol, start=start, end=end, **extra
    )


TASK_TO_S3 = question(src="10.0.1.25", dst="52.219.0.0/16", port=443)


@pytest.mark.parametrize(
    ("case", "given", "record", "expected"),
    [
        ("request", TASK_TO_S3, rec("10.0.1.25", "52.219.204.42", 40001, 443), "request"),
        ("reply", TASK_TO_S3, rec("52.219.204.42", "10.0.1.25", 443, 40001), "reply"),
        ("another source", TASK_TO_S3, rec("10.0.1.26", "52.219.204.42", 40001, 443), None),
        ("another port", TASK_TO_S3, rec("10.0.1.25", "52.219.204.42", 40001, 80), None),
        ("port on the wrong side", TASK_TO_S3, rec("10.0.1.25", "52.219.204.42", 443, 40001), None),
        ("udp", TASK_TO_S3, rec("10.0.1.25", "52.219.204.42", 40001, 443, protocol=17), None),
        (
            "before the window",
            TASK_TO_S3,
            rec("10.0.1.25", "52.219.204.42", 40001, 443, start=T - 7200, end=T - 7140),
            None,
        ),
        (
            "after the window",
            TASK_TO_S3,
            rec("10.0.1.25", "52.219.204.42", 40001, 443, start=NOW + 60, end=NOW + 120),
            None,
        ),
        # Started before the window, ends in it: it overlaps.
        (
            "overlapping",
            TASK_TO_S3,
            rec("10.0.1.25", "52.219.204.42", 40001, 443, start=NOW - 3900, end=NOW - 3540),
            "request",
        ),
        ("NODATA", TASK_TO_S3, rec(None, None, None, None, protocol=None), None),
        # Without start and end (a custom format), the event's timestamp.
        (
            "timestamp only",
            TASK_TO_S3,
            dict(rec("10.0.1.25", "52.219.204.42", 40001, 443, start=None, end=None), **{"@timestamp": T}),
            "request",
        ),
        # The packet-level address counts (behind a NAT gateway, a secondary address).
        (
            "pkt-srcaddr",
            TASK_TO_S3,
            rec("10.0.9.9", "52.219.204.42", 40001, 443, **{"pkt-srcaddr": "10.0.1.25"}),
            "request",
        ),
        # Without a port: from src to dst is the request, back is the reply.
        (
            "no port, forward",
            question(src="10.0.1.25", dst="10.0.2.10"),
            rec("10.0.1.25", "10.0.2.10", 1, 2),
            "request",
        ),
        ("no port, back", question(src="10.0.1.25", dst="10.0.2.10"), rec("10.0.2.10", "10.0.1.25", 2, 1), "reply"),
        # Only one side given: the other is any address.
        ("only dst", question(dst="10.0.2.20", port=22), rec("10.9.9.9", "10.0.2.20", 50000, 22), "request"),
        ("only dst, reply", question(dst="10.0.2.20", port=22), rec("10.0.2.20", "10.9.9.9", 22, 50000), "reply"),
        ("icmp", question(dst="10.0.2.20", protocol="icmp"), rec("10.0.1.5", "10.0.2.20", 0, 0, protocol=1), "request"),
        (
            "icmpv6",
            question(dst="2001:db8::1", protocol="icmp"),
            rec("2001:db8::2", "2001:db8::1", 0, 0, protocol=58),
            "request",
        ),
    ],
)
def test_which_records_are_part_of_the_question(case, given, record, expected):
    assert FlowQuery(given, NOW).direction(record) == expected, case


DEFAULT = (
    "[version, account_id, interface_id, srcaddr{}, dstaddr{}, srcport{}, dstport{}, protocol{}, packets, bytes, "
    "start, end, action, log_status]"
)


@pytest.mark.parametrize(
    ("case", "given", "fields", "expected"),
    [
        (
            "host to /16 on a port",
            TASK_TO_S3,
            DEFAULT_FIELDS,
            dict(
                request=DEFAULT.format('="10.0.1.25"', "=52.219.*", "", '="443"', '="6"'),
                reply=DEFAULT.format("=52.219.*", '="10.0.1.25"', '="443"', "", '="6"'),
            ),
        ),
        (
            "a /20 and ICMP: no address wildcard, no single protocol",
            question(dst="10.0.16.0/20", protocol="icmp"),
            DEFAULT_FIELDS,
            dict(request="", reply=""),
        ),
        (
            "/8 and /24, no port",
            question(src="10.0.0.0/8", dst="192.168.1.0/24", protocol="udp"),
            DEFAULT_FIELDS,
            dict(
                request=DEFAULT.format("=10.*", "=192.168.1.*", "", "", '="17"'),
                reply=DEFAULT.format("=192.168.1.*", "=10.*", "", "", '="17"'),
            ),
        ),
        (
            "IPv6 text forms vary: only port and protocol",
            question(src="2001:db8::1", port=443),
            DEFAULT_FIELDS,
            dict(
                request=DEFAULT.format("", "", "", '="443"', '="6"'), reply=DEFAULT.format("", "", '="443"', "", '="6"')
            ),
        ),
        (
            "custom format: by position",
            question(src="10.1.0.5", dst="10.1.0.9", port=443),
            V5,
            dict(
                request='[version, vpc_id, interface_id, srcaddr="10.1.0.5", dstaddr="10.1.0.9", srcport, '
                'dstport="443", protocol="6", packets, bytes, start, end, action, log_status, flow_direction, '
                "traffic_path]",
                reply='[version, vpc_id, interface_id, srcaddr="10.1.0.9", dstaddr="10.1.0.5", srcport="443", '
                'dstport, protocol="6", packets, bytes, start, end, action, log_status, flow_direction, '
                "traffic_path]",
            ),
        ),
        (
            "packet-level fields: the interface-level ones get no condition",
            question(src="10.1.0.5", dst="10.1.0.9", port=443),
            WITH_PKT,
            dict(
                request='[interface_id, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr, srcport, dstport="443", '
                'protocol="6", action]',
                reply='[interface_id, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr, srcport="443", dstport, '
                'protocol="6", action]',
            ),
        ),
    ],
)
def test_the_filter_patterns_by_field_position(case, given, fields, expected):
    assert FlowQuery(given, NOW).patterns(fields) == expected, case


def test_a_pattern_too_long_for_cloudwatch_logs_names_fields_by_number():
    fields = (*("tgw-src-vpc-account-id-{}".format(i) for i in range(40)), "srcaddr", "dstaddr", "protocol")

    pattern = FlowQuery(question(src="10.0.1.25"), NOW).patterns(fields)["request"]

    assert len(pattern) <= 1024
    assert pattern.startswith("[f1, f2, ") and pattern.endswith('f41="10.0.1.25", f42, f43="6"]')
