"""The playbooks on a multi-account (assume role) x multi-region fleet in moto server, end to end."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.support import fleet
from tests.support.paths import REPO

PLAYBOOKS = REPO / "playbooks"
TARGETS = [fleet.target_name(a, r) for a in fleet.ACCOUNTS for r in fleet.REGIONS]


def recap(stdout):
    """{host: {ok, changed, failed, ...}} from the PLAY RECAP."""
    found = {}
    for host, stats in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", stdout, re.M):
        found[host] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", stats)}
    return found


@pytest.fixture
def seeded(aws, tmp_path):
    """The broken fleet of ``make demo``, its inventory and a report directory."""
    planted = fleet.seed(aws.url)
    inventory = fleet.write_inventory(tmp_path / "inventory.json", aws.url)
    report_dir = tmp_path / "report"
    report_dir.mkdir()
    return dict(planted=planted, inventory=inventory, report_dir=report_dir)


def play(run_playbook, name, seeded, *args, extra=None):
    variables = dict(flow_logs_report_dir=str(seeded["report_dir"]))
    variables.update(extra or {})
    return run_playbook(PLAYBOOKS / name, variables, args=("--forks", "10", *args), inventory=seeded["inventory"])


def report(seeded):
    return json.loads((seeded["report_dir"] / "flowlogs-report.json").read_text())


def test_enable_converges_the_fleet_and_a_rerun_changes_nothing(aws, run_playbook, seeded):
    first = play(run_playbook, "enable_flowlogs.yml", seeded)
    assert first.rc == 0, str(first)
    data = report(seeded)
    assert data["totals"]["targets"] == 6
    assert data["totals"]["targets_failed"] == 0
    assert data["totals"]["compliant_before"] == 0
    assert data["totals"]["compliant_after"] == data["totals"]["vpcs"] == 18
    assert data["totals"]["replaced"] == 2  # the REJECT-only flow logs
    removed = [n for t in data["targets"] for n in t["delivery"]["notes"] if n.startswith("role policies removed")]
    assert removed == ["role policies removed (arn:aws:iam::111111111111:policy/logs-full-access)"]  # once per account

    state = fleet.snapshot(aws.url)
    for name, entry in seeded["planted"].items():
        target = state[entry["account"]][entry["region"]]
        ours = [f for f in target["flow_logs"] if f["group"] == fleet.GROUP]
        assert sorted(f["resource"] for f in ours) == sorted(target["vpcs"]), name
        assert {f["traffic"] for f in ours} == {"ALL"}
        assert {f["role"] for f in ours} == {"arn:aws:iam::{}:role/{}".format(entry["account"], fleet.ROLE)}
        assert target["log_groups"][fleet.GROUP]["retention"] == 90
        if "reject_only_flow_log" in entry:
            assert entry["reject_only_flow_log"] not in [f["id"] for f in target["flow_logs"]]
        for kept in entry["kept_flow_logs"]:  # another team's destination survives, untouched
            assert kept in [f["id"] for f in target["flow_logs"] if f["group"] == fleet.OTHER_TEAM_GROUP]
    for account in fleet.ACCOUNTS:
        role = state[account]["roles"][fleet.ROLE]
        assert role["trust"]["Statement"][0]["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
        assert role["trust"]["Statement"][0]["Condition"]["StringEquals"] == {"aws:SourceAccount": account}
        assert list(role["policies"]) == ["flow-logs-delivery"] and role["attached"] == []  # least privilege
        resources = role["policies"]["flow-logs-delivery"]["Statement"][0]["Resource"]
        assert resources in (
            ["arn:aws:logs:*:{}:log-group:vpc-flow-logs:*".format(account)],
            "arn:aws:logs:*:{}:log-group:vpc-flow-logs:*".format(account),
        )

    second = play(run_playbook, "enable_flowlogs.yml", seeded, extra=dict(flow_logs_fail_on_noncompliant=True))
    assert second.rc == 0, str(second)  # the gate passes: everything in scope is compliant after the run
    stats = recap(second.stdout)
    assert {h: stats[h]["changed"] for h in TARGETS} == {h: 0 for h in TARGETS}
    assert fleet.snapshot(aws.url) == state  # byte-identical AWS state
    assert report(seeded)["totals"]["targets_unchanged"] == 6


def test_check_diff_writes_nothing_and_predicts_the_changes(aws, run_playbook, seeded):
    before = fleet.snapshot(aws.url)
    result = play(run_playbook, "enable_flowlogs.yml", seeded, "--check", "--diff")
    assert result.rc == 0, str(result)
    assert fleet.snapshot(aws.url) == before
    assert not (seeded["report_dir"] / "flowlogs-report.json").exists()  # check mode writes no file either
    # The diff shows the trust principal being corrected and the REJECT flow log being replaced.
    assert '"ec2.amazonaws.com"' in result.stdout and '"vpc-flow-logs.amazonaws.com"' in result.stdout
    assert '"traffic_type": "REJECT"' in result.stdout
    assert "check mode: nothing was changed" in result.stdout
    stats = recap(result.stdout)
    assert all(stats[h]["changed"] > 0 for h in TARGETS)
    # Predicted totals in the printed table: 16 created, 2 replaced, 18 compliant after.
    total = next(line for line in result.stdout.splitlines() if "TOTAL (6 targets)" in line)
    assert re.search(r"18\s+0 -> 18\s+16\s+2\s+0\s+0\s+0", total), total


def test_audit_changes_nothing_reports_and_gates(aws, run_playbook, seeded):
    before = fleet.snapshot(aws.url)
    result = play(run_playbook, "audit_flowlogs.yml", seeded, extra=dict(flow_logs_fail_on_noncompliant=True))
    assert result.rc == 2, str(result)  # the gate: 18 resources not compliant now
    assert fleet.snapshot(aws.url) == before
    data = report(seeded)
    assert data["mode"] == "audit" and data["check_mode"] is True
    assert data["totals"]["compliant_before"] == 0
    assert data["totals"]["created"] == 16 and data["totals"]["replaced"] == 2
    verdicts = {v["before"]["verdict"] for t in data["targets"] for v in t["vpcs"]}
    assert verdicts == {"missing", "mismatched"}
    assert data["compliance"] == dict(
        judged="current state",
        resources=18,
        compliant=0,
        noncompliant=18,
        by_verdict=dict(mismatched=2, missing=16),
        targets_failed=0,
        targets_denied=0,
    )
    said = " ".join(result.stdout.split())
    assert (
        "18 of 18 resources in scope are not compliant (current state) - mismatched 2, missing 16: see "
        "flowlogs-report.json (fail_on_noncompliant, flow_logs_fail_on_noncompliant)"
    ) in said
    assert "WOULD CREATE" in result.stdout and "WOULD REPLACE" in result.stdout
    assert "6 would change, 0 failed" in said
    assert "Compliance (current state): 0 of 18 resources compliant - not: mismatched 2, missing 16" in said
    # Every target was audited and reported before the gate failed the run.
    assert {t["target"] for t in data["targets"]} == set(TARGETS)


def test_disable_removes_only_what_enable_made(aws, run_playbook, seeded):
    assert play(run_playbook, "enable_flowlogs.yml", seeded).rc == 0
    result = play(run_playbook, "disable_flowlogs.yml", seeded)
    assert result.rc == 0, str(result)
    state = fleet.snapshot(aws.url)
    for entry in seeded["planted"].values():
        target = state[entry["account"]][entry["region"]]
        assert [f for f in target["flow_logs"] if f["group"] == fleet.GROUP] == []
        assert sorted(f["id"] for f in target["flow_logs"]) == sorted(entry["kept_flow_logs"])
        assert target["log_groups"][fleet.GROUP]["retention"] == 90  # the group and its data stay
    for account in fleet.ACCOUNTS:
        assert fleet.ROLE in state[account]["roles"]
    assert report(seeded)["totals"]["deleted"] == 18


def test_wrong_account_is_refused_and_the_others_converge(aws, run_playbook, seeded, tmp_path):
    wrong = fleet.target_name("222222222222", "eu-west-1")
    inventory = fleet.write_inventory(
        tmp_path / "wrong.json", aws.url, extra_host_vars={wrong: {"flow_logs_account_id": "999999999999"}}
    )
    before = fleet.snapshot(aws.url)
    result = play(run_playbook, "enable_flowlogs.yml", dict(seeded, inventory=inventory))
    assert result.rc != 0, str(result)
    assert "1 of 6 targets failed: {}".format(wrong) in result.stdout
    after = fleet.snapshot(aws.url)
    assert after["222222222222"]["eu-west-1"] == before["222222222222"]["eu-west-1"]
    data = report(seeded)
    failed = [t for t in data["targets"] if t["status"] == "failed"]
    assert [t["target"] for t in failed] == [wrong]
    assert "999999999999" in failed[0]["error"] and "222222222222" in failed[0]["error"]
    assert data["totals"]["targets_changed"] == 5
    for account in ("111111111111", "333333333333"):
        for region in fleet.REGIONS:
            ours = [f for f in after[account][region]["flow_logs"] if f["group"] == fleet.GROUP]
            assert len(ours) == len(after[account][region]["vpcs"])


def test_html_report_renders_in_headless_chromium(aws, run_playbook, seeded, tmp_path):
    assert play(run_playbook, "enable_flowlogs.yml", seeded).rc == 0
    page = seeded["report_dir"] / "flowlogs-report.html"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "headless Chromium is needed: make test installs the Debian package 'chromium'"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--user-data-dir={}".format(tempfile.mkdtemp(dir=tmp_path)),
    ]
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    cells = re.findall(r"<td class=\"cell\" data-status=\"(\w+)\"", dom.stdout)
    assert cells == ["changed"] * 6, dom.stdout[:2000]
    assert "http://" not in page.read_text() and "https://" not in page.read_text()  # self-contained
    shot = tmp_path / "report.png"
    subprocess.run(
        [chromium, *flags, "--screenshot={}".format(shot), "--window-size=1280,900", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.exists() and shot.stat().st_size > 10_000
    assert Path(shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_fleet_converges_with_the_client_class_cache_off(aws, run_playbook, seeded):
    """FLOWLOGS_AWS_CLIENT_CLASS_CACHE=0 leaves botocore's private client creation alone: same end state."""
    off = dict(FLOWLOGS_AWS_CLIENT_CLASS_CACHE="0")
    variables = dict(flow_logs_report_dir=str(seeded["report_dir"]))
    args = ("--forks", "10")

    first = run_playbook(
        PLAYBOOKS / "enable_flowlogs.yml", variables, args=args, inventory=seeded["inventory"], env=off
    )
    assert first.rc == 0, str(first)
    assert report(seeded)["totals"]["compliant_after"] == report(seeded)["totals"]["vpcs"] == 18

    again = run_playbook(
        PLAYBOOKS / "enable_flowlogs.yml", variables, args=(*args, "-vvv"), inventory=seeded["inventory"], env=off
    )
    assert again.rc == 0, str(again)
    assert "flowlogs.aws: client class cache off: switched off with FLOWLOGS_AWS_CLIENT_CLASS_CACHE" in again.stdout
    assert report(seeded)["totals"]["targets_unchanged"] == 6
