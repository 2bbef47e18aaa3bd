"""Flow log records parsed with the flow log's own format: fields by name, ``-`` for no value (pure)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.records import (
    DEFAULT_FIELDS,
    missing_fields,
    parse_event,
    parse_record,
    record_fields,
)

V5 = (
    "${version} ${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} "
    "${bytes} ${start} ${end} ${action} ${log-status} ${flow-direction} ${traffic-path}"
)


def test_the_default_format_is_version_2():
    assert record_fields(None) == record_fields("") == DEFAULT_FIELDS
    version_2 = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end"
    assert tuple([*version_2.split(), "action", "log-status"]) == DEFAULT_FIELDS
    assert record_fields(V5)[-2:] == ("flow-direction", "traffic-path")


@pytest.mark.parametrize(
    ("case", "message", "fields", "expected"),
    [
        (
            "default format",
            "2 123456789012 eni-0a1b2c3d 10.0.1.25 52.219.204.42 40001 443 6 5 300 1763800000 1763800060 ACCEPT OK",
            DEFAULT_FIELDS,
            {
                "version": 2,
                "account-id": "123456789012",
                "interface-id": "eni-0a1b2c3d",
                "srcaddr": "10.0.1.25",
                "dstaddr": "52.219.204.42",
                "srcport": 40001,
                "dstport": 443,
                "protocol": 6,
                "packets": 5,
                "bytes": 300,
                "start": 1763800000,
                "end": 1763800060,
                "action": "ACCEPT",
                "log-status": "OK",
            },
        ),
        (
            "NODATA: dashes are no value",
            "2 123456789012 eni-0a1b2c3d - - - - - - - 1763800000 1763800060 - NODATA",
            DEFAULT_FIELDS,
            dict.fromkeys(("srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "action")),
        ),
        (
            "custom format, by name",
            "5 vpc-0a1b eni-0a1b 10.1.0.5 10.1.0.9 50001 443 6 5 300 1763800000 1763800060 REJECT OK ingress 1",
            record_fields(V5),
            {"vpc-id": "vpc-0a1b", "action": "REJECT", "flow-direction": "ingress", "traffic-path": "1"},
        ),
        ("a number that is not one", "x 10.0.0.1 6", ("version", "srcaddr", "protocol"), {"version": None}),
    ],
)
def test_parse_record(case, message, fields, expected):
    parsed = parse_record(message, fields)

    assert {k: parsed[k] for k in expected} == expected, case


def test_a_message_of_another_format_is_not_a_record():
    assert parse_record("2 123456789012 eni-0a1b2c3d 10.0.1.25", DEFAULT_FIELDS) is None


def test_an_event_is_parsed_with_the_format_of_its_length():
    formats = [DEFAULT_FIELDS, record_fields(V5)]
    v5 = "5 vpc-0a1b eni-0a1b 10.1.0.5 10.1.0.9 50001 443 6 5 300 1763800000 1763800060 REJECT OK ingress 1"
    event = dict(timestamp=1763800000123, message=v5, log_stream_name="eni-0a1b-all")

    record = parse_event(event, formats)

    assert (record["flow-direction"], record["@timestamp"], record["@log_stream"]) == (
        "ingress",
        1763800000,
        "eni-0a1b-all",
    )
    assert parse_event(dict(event, message="a b c"), formats) is None


@pytest.mark.parametrize(
    ("fields", "with_ports", "expected"),
    [
        (DEFAULT_FIELDS, True, []),
        (("srcaddr", "dstaddr", "protocol", "action"), False, []),
        (("srcaddr", "dstaddr", "protocol", "action"), True, ["srcport", "dstport"]),
        (("interface-id", "srcaddr", "dstaddr"), False, ["protocol", "action"]),
    ],
)
def test_the_fields_a_question_needs(fields, with_ports, expected):
    assert missing_fields(fields, with_ports) == expected
