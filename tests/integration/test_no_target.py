"""No target, no success: every playbook whose host pattern and --limit leave no target fails, naming the inventory
and the pattern, and writes a report of 0 targets over the one an earlier run left (playbooks/check_targets.yml)."""

from __future__ import annotations

import json

import pytest

from tests.support import fleet
from tests.support.paths import REPO

PLAYBOOKS = REPO / "playbooks"
REPORTS = {
    "enable_flowlogs.yml": "flowlogs-report.json",
    "audit_flowlogs.yml": "flowlogs-report.json",
    "disable_flowlogs.yml": "flowlogs-report.json",
    "troubleshoot_flowlogs.yml": "flowlogs-troubleshoot.json",
}
QUESTION = dict(flow_logs_query_src="10.0.1.25", flow_logs_query_port=443)


def said(run):
    return " ".join((run.stdout + run.stderr).split())


def _stale_report(report_dir, name):
    path = report_dir / name
    path.write_text(json.dumps({"totals": {"targets": 6}, "generated_at": "an earlier run"}))
    return path


@pytest.mark.parametrize("playbook", sorted(REPORTS))
def test_an_empty_inventory_fails_and_replaces_the_last_report(run_playbook, tmp_path, playbook):
    inventory = tmp_path / "empty.yml"
    inventory.write_text("all: {}\n")
    stale = _stale_report(tmp_path, REPORTS[playbook])
    extra = dict(flow_logs_report_dir=str(tmp_path), **(QUESTION if playbook.startswith("troubleshoot") else {}))

    done = run_playbook(PLAYBOOKS / playbook, extra, inventory=inventory)

    assert done.rc == 2, str(done)
    assert "no target: the host pattern 'all' matches no host of the inventory {}.".format(inventory) in said(done)
    report = json.loads(stale.read_text())
    assert report.get("generated_at") != "an earlier run"
    assert (report.get("totals") or {}).get("targets", len(report.get("targets") or [])) == 0, report


def test_no_inventory_at_all_fails(run_playbook, tmp_path):
    done = run_playbook(PLAYBOOKS / "enable_flowlogs.yml", dict(flow_logs_report_dir=str(tmp_path)))

    assert done.rc == 2, str(done)
    assert "no target: the host pattern 'all' matches no host of the inventory" in said(done)
    assert json.loads((tmp_path / "flowlogs-report.json").read_text())["totals"]["targets"] == 0


def test_a_misspelt_host_pattern_or_a_limit_outside_it_fails_before_any_call(aws, proxy, run_playbook, tmp_path):
    inventory = fleet.write_inventory(tmp_path / "inventory.json", proxy.url, regions=("us-east-1",))
    report = dict(flow_logs_report_dir=str(tmp_path))

    typo = run_playbook(
        PLAYBOOKS / "enable_flowlogs.yml", dict(report, flow_logs_hosts="acct-111-us-est-1"), inventory=inventory
    )
    outside = run_playbook(
        PLAYBOOKS / "audit_flowlogs.yml",
        dict(report, flow_logs_hosts="account_111111111111"),
        args=("--limit", "account_222222222222"),
        inventory=inventory,
    )

    assert typo.rc == 2, str(typo)
    assert "no target: the host pattern 'acct-111-us-est-1' (flow_logs_hosts) matches no host" in said(typo)
    assert outside.rc == 2, str(outside)
    assert (
        "no target: the host pattern 'account_111111111111' (flow_logs_hosts) within --limit account_222222222222"
        " matches no host of the inventory {}".format(inventory)
    ) in said(outside)
    assert proxy.counts() == {}  # nothing reached AWS


def test_a_pattern_with_targets_runs_them_and_the_guard_stays_quiet(aws, run_playbook, tmp_path):
    inventory = fleet.write_inventory(tmp_path / "inventory.json", aws.url, regions=("us-east-1",))

    done = run_playbook(
        PLAYBOOKS / "audit_flowlogs.yml",
        dict(flow_logs_report_dir=str(tmp_path), flow_logs_hosts="account_222222222222"),
        inventory=inventory,
    )

    assert done.rc == 0, str(done)
    assert "no target" not in said(done)
    report = json.loads((tmp_path / "flowlogs-report.json").read_text())
    assert [t["target"] for t in report["targets"]] == [fleet.target_name("222222222222", "us-east-1")]
