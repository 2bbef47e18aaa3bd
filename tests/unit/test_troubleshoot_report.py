"""The troubleshooting report: one verdict for the fleet, each target's answer (or why it has none), and the table
(pure, but for the files)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.report import (
    summary_table,
    troubleshoot_report,
    write_report,
)

QUERY = dict(
    src="10.0.1.25",
    dst="52.219.204.42",
    port=443,
    protocol="tcp",
    since="1h",
    start="2026-11-22T09:00:00Z",
    end="2026-11-22T10:00:00Z",
)
FLOW = dict(
    src="10.0.1.25",
    dst="52.219.204.42",
    dst_port=443,
    protocol="tcp",
    interface_id="eni-0a1b2c3d",
    direction="request",
    action="ACCEPT",
    packets=10,
    bytes=600,
    records=2,
    first_seen="2026-11-22T09:31:00Z",
    last_seen="2026-11-22T09:33:00Z",
    flow_direction="egress",
    reject_reason=None,
    traffic_path=None,
    verdict="accepted_no_reply",
)


def answer(target, verdict, account="111111111111", flows=(), reasons=(), error=None):
    return dict(
        result_version=1,
        target=target,
        account_id=account,
        region="eu-west-1",
        query=QUERY,
        verdict=verdict,
        records=sum(f["records"] for f in flows),
        flows=list(flows),
        reasons=list(reasons),
        log_groups=[],
        error=error,
        counts=dict(api_calls=3, api_retries=0),
        changed=False,
        failed=bool(error),
    )


def entry(result, target=None):
    return dict(
        target=target or (result or {}).get("target"), region="eu-west-1", account_id="222222222222", result=result
    )


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (["no_records", "no_records"], "no_records"),
        (["no_records", "accepted"], "accepted"),
        (["accepted", "accepted_no_reply"], "accepted_no_reply"),
        (["accepted_no_reply", "rejected", "accepted"], "rejected"),
    ],
)
def test_the_fleet_verdict_is_the_most_telling(verdicts, expected):
    entries = [entry(answer("t{}".format(i), v)) for i, v in enumerate(verdicts)]

    assert troubleshoot_report(entries)["verdict"] == expected


def test_a_target_without_an_answer_says_why():
    report = troubleshoot_report(
        [entry(None, "unreachable"), entry(dict(failed=True, msg="boom"), "broken"), entry(answer("ok", "accepted"))]
    )

    targets = {t["target"]: t for t in report["targets"]}
    assert targets["unreachable"]["verdict"] == "no_records" and "stopped before" in targets["unreachable"]["error"]
    assert targets["broken"]["reasons"] == [dict(code="no_answer", message="boom")]
    assert report["verdict"] == "accepted" and report["totals"]["targets_failed"] == 2
    assert report["query"] == QUERY


def test_the_table_reads_at_a_glance():
    reasons = [dict(code="no_reply", message="requests from 10.0.1.25 to 52.219.204.42:443/tcp were accepted")]
    report = troubleshoot_report(
        [entry(answer("prod-eu-west-1", "accepted_no_reply", flows=[FLOW], reasons=reasons))], "2026-11-22T10:00:05Z"
    )

    table = summary_table(report)

    assert table[0] == "flowlogs.aws troubleshoot - 2026-11-22T10:00:05Z"
    assert table[1] == (
        "question: 10.0.1.25 -> 52.219.204.42:443/tcp, last 1h (2026-11-22T09:00:00Z to 2026-11-22T10:00:00Z)"
    )
    assert table[2].split() == ["TARGET", "ACCOUNT", "REGION", "RECORDS", "VERDICT"]
    assert table[4].split() == ["prod-eu-west-1", "111111111111", "eu-west-1", "2", "accepted_no_reply"]
    assert table[7].split()[:6] == ["10.0.1.25", "->", "52.219.204.42:443/tcp", "eni-0a1b2c3d", "(egress)", "request"]
    assert table[8] == "    - " + reasons[0]["message"]
    assert table[-1].startswith("verdict: accepted_no_reply - the traffic left the interface and nothing came back")


def test_a_busy_target_shows_its_first_flows_and_points_to_the_json():
    flows = [dict(FLOW, src="10.0.1.{}".format(i)) for i in range(30)]
    table = summary_table(troubleshoot_report([entry(answer("busy", "accepted_no_reply", flows=flows))]))

    assert sum(1 for line in table if line.startswith("    10.0.1.")) == 20
    assert "    ... 30 flows and 0 reasons in all: see the JSON report" in table


def test_the_files(tmp_path):
    found = write_report([entry(answer("t", "rejected"))], str(tmp_path / "out"))

    written = json.loads((tmp_path / "out" / "flowlogs-troubleshoot.json").read_text())
    assert written == found["report"] and written["verdict"] == found["verdict"] == "rejected"
    assert (tmp_path / "out" / "flowlogs-troubleshoot.txt").read_text().splitlines() == found["table"]
    assert write_report([], str(tmp_path / "none"), check_mode=True)["files"] == []
    assert not (tmp_path / "none").exists()
