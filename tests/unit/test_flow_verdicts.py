"""From matched records to flows, a verdict per conversation and per target, and the reasons the flows give
(pure)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.verdicts import (
    flow_reasons,
    group_flows,
    most_telling,
    target_verdict,
)

T = 1763800000
TASK, S3, DB = "10.0.1.25", "52.219.204.42", "10.0.2.10"
ENI, DB_ENI = "eni-0a1b2c3d", "eni-0f0e0d0c"


def req(action="ACCEPT", eni=ENI, src=TASK, dst=S3, port=443, sport=40001, start=T, **extra):
    record = {"srcaddr": src, "dstaddr": dst, "srcport": sport, "dstport": port, "protocol": 6, "packets": 5}
    record.update({"bytes": 300, "start": start, "end": start + 60, "action": action, "interface-id": eni}, **extra)
    return ("request", record)


def rep(action="ACCEPT", eni=ENI, src=S3, dst=TASK, port=443, sport=40001, start=T, **extra):
    record = {"srcaddr": src, "dstaddr": dst, "srcport": port, "dstport": sport, "protocol": 6, "packets": 4}
    record.update({"bytes": 200, "start": start, "end": start + 60, "action": action, "interface-id": eni}, **extra)
    return ("reply", record)


@pytest.mark.parametrize(
    ("case", "matched", "expected"),
    [
        ("nothing", [], "no_records"),
        ("requests and replies accepted", [req(), rep()], "accepted"),
        ("requests accepted, no reply", [req(), req(sport=40002)], "accepted_no_reply"),
        ("request rejected", [req("REJECT")], "rejected"),
        ("reply rejected (network ACL)", [req(), rep("REJECT")], "rejected"),
        # Accepted where it left, refused where it arrived: the conversation is rejected.
        ("rejected at the far interface", [req(), req("REJECT", eni=DB_ENI)], "rejected"),
        ("only replies seen: the requests got there", [rep()], "accepted"),
        # The most telling conversation decides the target's verdict.
        ("one of two conversations without reply", [req(), rep(), req(dst=DB, port=5432)], "accepted_no_reply"),
    ],
)
def test_the_verdict(case, matched, expected):
    assert target_verdict(group_flows(matched)) == expected, case


def test_records_sum_into_flows_per_conversation_interface_direction_and_action():
    matched = [
        req(),
        req(sport=40002, start=T + 120),
        rep(),
        req("REJECT", eni=DB_ENI, **{"flow-direction": "ingress"}),
    ]

    flows = group_flows(matched)

    assert [(f["interface_id"], f["direction"], f["action"], f["records"], f["packets"]) for f in flows] == [
        (ENI, "request", "ACCEPT", 2, 10),
        (DB_ENI, "request", "REJECT", 1, 5),
        (ENI, "reply", "ACCEPT", 1, 4),
    ]
    first = flows[0]
    assert (first["src"], first["dst"], first["dst_port"], first["protocol"]) == (TASK, S3, 443, "tcp")
    assert (first["first_seen"], first["last_seen"]) == ("2025-11-22T08:26:40Z", "2025-11-22T08:29:40Z")
    assert flows[1]["flow_direction"] == "ingress"
    assert {f["verdict"] for f in flows} == {"rejected"}


def test_a_reply_is_oriented_as_its_conversation():
    (flow,) = group_flows([rep()])

    assert (flow["src"], flow["dst"], flow["dst_port"], flow["direction"]) == (TASK, S3, 443, "reply")


def test_the_packet_level_address_is_the_endpoint():
    (flow,) = group_flows([req(src="10.0.9.9", **{"pkt-srcaddr": TASK})])

    assert flow["src"] == TASK


@pytest.mark.parametrize(
    ("case", "matched", "expected"),
    [
        ("accepted: nothing to say", [req(), rep()], []),
        (
            "no reply: look past the interface",
            [req()],
            [("no_reply", ["requests from 10.0.1.25 to 52.219.204.42:443/tcp were accepted at", "route table"])],
        ),
        (
            "request refused outbound",
            [req("REJECT", **{"flow-direction": "egress"})],
            [("rejected_request", ["rejected outbound at eni-0a1b2c3d (1 record)", "outbound rules"])],
        ),
        (
            "request refused, direction unknown",
            [req("REJECT"), req("REJECT", sport=40002)],
            [("rejected_request", ["rejected at eni-0a1b2c3d (2 records)", "inbound or outbound rules"])],
        ),
        (
            "reply refused: the network ACL",
            [req(), rep("REJECT", **{"flow-direction": "ingress"})],
            [("rejected_reply", ["replies from 52.219.204.42:443/tcp to 10.0.1.25 were rejected inbound", "stateful"])],
        ),
        (
            "VPC Block Public Access",
            [req("REJECT", **{"reject-reason": "BPA"})],
            [("rejected_request", ["VPC Block Public Access"])],
        ),
    ],
)
def test_what_the_flows_say_to_check_next(case, matched, expected):
    reasons = flow_reasons(group_flows(matched))

    assert [r["code"] for r in reasons] == [code for code, _parts in expected], case
    for reason, (_code, parts) in zip(reasons, expected):
        assert all(part in reason["message"] for part in parts), (case, reason["message"])


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([], "no_records"),
        (["no_records", "accepted"], "accepted"),
        (["accepted", "accepted_no_reply", "no_records"], "accepted_no_reply"),
        (["accepted_no_reply", "rejected", "accepted"], "rejected"),
    ],
)
def test_the_most_telling_verdict(verdicts, expected):
    assert most_telling(verdicts) == expected
