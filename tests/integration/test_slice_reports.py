"""The reports of a sliced run, through ansible-runner (AWX's engine) against moto: each slice of AWX's round robin
over the sorted hosts (``hosts[i::4]``) writes its own report, flowlogs.aws.merge_reports merges them into the
report one unsliced run writes, and every playbook publishes its totals with set_stats (what AWX keeps as a job's
artifacts). And the event size AWX caps: no host's result event over 700,000 bytes with 1,500 VPCs in one target,
while its fleet report has every row."""

from __future__ import annotations

import json

import ansible_runner
import pytest

from benchmarks.fleet_shapes import Fleet, shapes
from tests.integration.conftest import job_environment
from tests.support import fleet
from tests.support.paths import REPO

PLAYBOOKS = REPO / "playbooks"
SLICES = 4
PHASE_TASKS = (
    "Check the variables, discover the resources and their flow logs (read-only)",
    "Converge the delivery role and log groups",
    "Converge the flow logs",
    "Alarms and analysis",
)
RESULT_TASK = "Result of the target"
#: The audit reads no arrival: its times would differ between two runs.
NO_ARRIVAL = dict(flow_logs_check_arrival=False)
#: AWX drops the result data of a job event over this many bytes (its MAX_EVENT_RES_DATA).
AWX_EVENT_RES_MAX = 700000


def run_job(tmp_path, ident, playbook, inventory=None, extravars=None, limit=None):
    """ansible_runner.run as AWX's worker calls it: (status, rc, events, the set_stats artifacts, stdout)."""
    envvars = job_environment(tmp_path, strict_inventory=False)
    events = []
    root = tmp_path / "runner"
    (root / "project").mkdir(parents=True, exist_ok=True)
    result = ansible_runner.run(
        private_data_dir=str(root),
        playbook=str(PLAYBOOKS / playbook),
        inventory=str(inventory) if inventory else None,
        extravars=extravars or {},
        envvars=envvars,
        limit=limit,
        ident=ident,
        quiet=True,
        event_handler=lambda event: events.append(event) or True,
    )
    (stats,) = [e["event_data"] for e in events if e["event"] == "playbook_on_stats"]
    stdout = (root / "artifacts" / ident / "stdout").read_text()
    return result.status, result.rc, events, stats.get("artifact_data") or {}, stdout


def read(path):
    return json.loads(path.read_text())


def without_time(report):
    return {k: v for k, v in report.items() if k not in ("generated_at", "merged_from")}


def rows_and_totals(report):
    """What a sliced run and an unsliced run agree on: every target's status, counts and rows, the totals and the
    compliance - but the API calls, and which target of an account reports its delivery role's change, which are
    each slice's own (a slice does its per-account work for its own targets)."""
    targets = [
        dict(
            target=t["target"],
            status=t["status"],
            counts={k: v for k, v in t["counts"].items() if k != "api_calls"},
            vpcs=t["vpcs"],
        )
        for t in report["targets"]
    ]
    totals = {k: v for k, v in report["totals"].items() if k != "api_calls"}
    return dict(mode=report["mode"], targets=targets, totals=totals, compliance=report["compliance"])


@pytest.fixture
def seeded(aws, tmp_path):
    fleet.seed(aws.url)
    return fleet.write_inventory(tmp_path / "inventory.json", aws.url)


def run_slices(tmp_path, playbook, inventory, name, **extra):
    """The playbook as AWX's sliced job runs it: slice i has hosts[i::4] of the sorted hosts, its own report
    directory (AWX: its own node). Returns the reports' paths and each slice's set_stats artifacts."""
    hosts = sorted(fleet.target_name(a, r) for a in fleet.ACCOUNTS for r in fleet.REGIONS)
    paths, artifacts = [], []
    for index in range(SLICES):
        dest = tmp_path / name / "slice-{}".format(index)
        status, rc, _events, published, stdout = run_job(
            tmp_path,
            "{}-{}".format(name, index),
            playbook,
            inventory,
            dict(flow_logs_report_dir=str(dest), **extra),
            limit=",".join(hosts[index::SLICES]),
        )
        assert (status, rc) == ("successful", 0), stdout[-6000:]
        paths.append(dest / "flowlogs-report.json")
        artifacts.append(published)
    return paths, artifacts


def merge(tmp_path, ident, patterns, **extra):
    dest = tmp_path / ident
    extravars = dict(flow_logs_merge_reports=patterns, flow_logs_report_dir=str(dest), **extra)
    return dest, run_job(tmp_path, ident, "merge_reports.yml", extravars=extravars)


def test_merged_slice_reports_equal_the_unsliced_report_and_publish_their_totals(aws, seeded, tmp_path):
    # An audit changes nothing: the unsliced run and the slices see the same fleet.
    status, rc, _events, published, stdout = run_job(
        tmp_path, "audit", "audit_flowlogs.yml", seeded, dict(NO_ARRIVAL, flow_logs_report_dir=str(tmp_path / "whole"))
    )
    assert (status, rc) == ("successful", 0), stdout[-6000:]
    whole = read(tmp_path / "whole" / "flowlogs-report.json")
    assert published == dict(
        flow_logs_totals=whole["totals"], flow_logs_report_files=[str(tmp_path / "whole" / n) for n in FILES]
    )
    paths, artifacts = run_slices(tmp_path, "audit_flowlogs.yml", seeded, "audit-slices", **NO_ARRIVAL)
    assert [a["flow_logs_totals"]["targets"] for a in artifacts] == [2, 2, 1, 1]

    dest, (status, rc, _events, published, stdout) = merge(
        tmp_path, "merged", [str(tmp_path / "audit-slices" / "slice-*" / "flowlogs-report.json")]
    )

    assert (status, rc) == ("successful", 0), stdout[-6000:]
    merged = read(dest / "flowlogs-report.json")
    assert rows_and_totals(merged) == rows_and_totals(whole)
    assert merged["totals"]["api_calls"] == sum(read(p)["totals"]["api_calls"] for p in paths)
    assert [s["path"] for s in merged["merged_from"]] == [str(p) for p in paths]
    assert published["flow_logs_totals"] == merged["totals"]
    assert "TOTAL (6 targets)" in stdout  # the merged table is printed
    assert (dest / "flowlogs-report.html").exists() and (dest / "flowlogs-report.txt").exists()

    # A real run, sliced: every target converges and the merged report says so for the whole fleet.
    paths, artifacts = run_slices(tmp_path, "enable_flowlogs.yml", seeded, "enable-slices")
    dest, (status, rc, _events, published, stdout) = merge(tmp_path, "enabled", [str(p) for p in paths])
    assert (status, rc) == ("successful", 0), stdout[-6000:]
    totals = read(dest / "flowlogs-report.json")["totals"]
    assert (totals["targets"], totals["targets_failed"], totals["vpcs"], totals["compliant_after"]) == (6, 0, 18, 18)
    assert totals["replaced"] == 2  # the REJECT-only flow logs, as in one unsliced run (test_fleet)
    assert totals["created"] == sum(a["flow_logs_totals"]["created"] for a in artifacts)
    assert published["flow_logs_totals"] == totals

    # Reports of two playbooks do not merge: the run fails naming the variable and the files.
    dest, (status, rc, _events, published, stdout) = merge(tmp_path, "mixed", [str(p) for p in paths[:2]] + [
        str(tmp_path / "audit-slices" / "slice-3" / "flowlogs-report.json")])  # fmt: skip
    assert (status, rc) == ("failed", 2)
    assert "merge (flow_logs_merge_reports): the reports differ in mode (the playbook that made it)" in stdout
    assert published == dict(flow_logs_totals=None, flow_logs_report_files=[])
    assert not dest.exists()


FILES = ("flowlogs-report.json", "flowlogs-report.html", "flowlogs-report.txt")


def test_disable_and_troubleshoot_publish_their_totals(aws, seeded, tmp_path):
    status, rc, _events, published, stdout = run_job(
        tmp_path, "disable", "disable_flowlogs.yml", seeded, dict(flow_logs_report_dir=str(tmp_path / "d"))
    )
    assert (status, rc) == ("successful", 0), stdout[-6000:]
    assert published["flow_logs_totals"] == read(tmp_path / "d" / "flowlogs-report.json")["totals"]
    assert published["flow_logs_report_files"] == [str(tmp_path / "d" / n) for n in FILES]

    status, rc, _events, published, stdout = run_job(
        tmp_path,
        "troubleshoot",
        "troubleshoot_flowlogs.yml",
        seeded,
        dict(flow_logs_report_dir=str(tmp_path / "t"), flow_logs_query_src="10.0.1.25", flow_logs_query_port=443),
    )
    assert (status, rc) == ("successful", 0), stdout[-6000:]
    report = read(tmp_path / "t" / "flowlogs-troubleshoot.json")
    assert published["flow_logs_totals"] == dict(report["totals"], verdict=report["verdict"])
    assert published["flow_logs_report_files"] == [
        str(tmp_path / "t" / n) for n in ("flowlogs-troubleshoot.json", "flowlogs-troubleshoot.txt")
    ]


def results(events):
    """{(task, host): result data} of every host's result event, as ansible-runner hands it to AWX: emptied when
    its text is over 700,000 bytes (MAX_EVENT_RES, what AWX keeps at most)."""
    return {
        (e["event_data"]["task"], e["event_data"]["host"]): e["event_data"]["res"]
        for e in events
        if e["event"] in ("runner_on_ok", "runner_on_failed")
    }


@pytest.fixture
def big_target():
    """One account, one region, 1,500 VPCs (make bench's shape C) in a moto server of its own."""
    with Fleet(shapes()["C"]) as seeded:
        yield seeded


def test_no_result_event_exceeds_awx_cap_at_1500_vpcs_and_the_report_has_every_row(big_target, tmp_path):
    inventory = big_target.inventory(tmp_path / "big.json")

    def enable(ident, **extra):
        status, rc, events, published, stdout = run_job(
            tmp_path, ident, "enable_flowlogs.yml", inventory, dict(flow_logs_report_dir=str(tmp_path / ident), **extra)
        )
        assert (status, rc) == ("successful", 0), stdout[-6000:]
        return results(events), read(tmp_path / ident / "flowlogs-report.json"), published

    for ident in ("first", "rerun"):  # created, then a flow log per VPC read back (the biggest rows)
        found, report, published = enable(ident)
        (target,) = report["targets"]
        for task in PHASE_TASKS:  # run once for the batch: counts (and the discovery's plan per target)
            assert found[task, target["target"]]["targets"] == 1
        res = found[RESULT_TASK, target["target"]]  # flow_logs_result
        assert len(json.dumps(res)) < 260000  # flow_logs_result_max_bytes' default, and Ansible's keys
        assert res["counts"]["vpcs"] == res["compact"]["rows"] == 1500
        assert 0 < len(res["vpcs"]) == res["compact"]["rows_kept"] < 1500
        assert res["counts"] == target["counts"]
        assert max(len(str(res)) for res in found.values()) < AWX_EVENT_RES_MAX
        assert len(target["vpcs"]) == len({r["resource_id"] for r in target["vpcs"]}) == 1500
        assert "compact" not in target
        assert report["totals"]["vpcs"] == report["totals"]["compliant_after"] == 1500
        assert published["flow_logs_totals"] == report["totals"]
    assert report["totals"]["unchanged"] == 1500

    # Never compact: the same report, from results AWX would drop.
    found, whole, _published = enable("whole", flow_logs_result_max_bytes=0)
    assert found[RESULT_TASK, target["target"]] == {}  # dropped, as AWX does
    assert all(found[task, target["target"]]["targets"] == 1 for task in PHASE_TASKS)
    assert without_time(whole) == without_time(report)


def test_a_run_with_no_target_fails_and_publishes_the_totals_of_0_targets(tmp_path):
    """A run whose pattern matches no host fails (check_targets.yml) and still publishes totals: the report of 0
    targets it wrote, so that a workflow reading flow_logs_totals never sees an earlier job's."""
    empty = tmp_path / "empty.yml"
    empty.write_text("all: {}\n")

    status, rc, _events, published, stdout = run_job(
        tmp_path, "none", "enable_flowlogs.yml", empty, dict(flow_logs_report_dir=str(tmp_path / "n"))
    )

    assert (status, rc) == ("failed", 2), stdout[-6000:]
    assert published["flow_logs_totals"] == read(tmp_path / "n" / "flowlogs-report.json")["totals"]
    assert published["flow_logs_totals"]["targets"] == 0
    assert published["flow_logs_report_files"] == [str(tmp_path / "n" / n) for n in FILES]
