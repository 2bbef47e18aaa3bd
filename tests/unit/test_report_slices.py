"""Slice reports merged into one fleet report, and results compact above a size (pure, on files in tmp_path)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._report.compact import (
    compact_report,
    compact_result,
    json_size,
    restore_rows,
    rows_key_of,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import converge_report, fleet_report
from ansible_collections.flowlogs.aws.plugins.module_utils._report.merge import merged_entries

A1, A2, A3 = "111111111111", "222222222222", "333333333333"
MERGE = "merge (flow_logs_merge_reports)"


def row(resource, action="created", before="missing", after="compliant", destination="logs:vpc-flow-logs", **extra):
    return dict(
        vpc_id=resource,
        resource_id=resource,
        resource_type="VPC",
        destination=destination,
        action=action,
        before=dict(verdict=before, reason="why " * 60, flow_logs=[]),
        after=dict(verdict=after, flow_log_id="fl-" + resource),
        changed_fields=[],
        error=dict(code="InvalidParameter", message="it failed") if action == "failed" else None,
        **extra,
    )


def result(target, account, region, rows, status="changed", buckets=()):
    counts = {a: sum(1 for r in rows if r["action"] == a) for a in ("created", "unchanged", "failed")}
    counts.update(
        replaced=0, updated=0, deleted=0, not_run=0, not_owned=0, resources=len(rows), vpcs=len(rows),
        compliant_before=0, compliant_after=sum(1 for r in rows if r["after"]["verdict"] == "compliant"),
        api_calls=7, api_retries=0,
    )  # fmt: skip
    return dict(
        result_version=1,
        target=target,
        account_id=account,
        region=region,
        state="present",
        status=status,
        changed=status == "changed",
        delivery=dict(buckets=list(buckets)),
        vpcs=rows,
        counts=counts,
        arrival=None,
    )


UNREADABLE = dict(verdict="unreadable", reason="the bucket's policy cannot be read from this account")


def fleet():
    """Six targets in three accounts: one failed row, one target with no result, and a row whose bucket another
    account's target owns (the report names it across targets, so across slices too)."""
    return [
        dict(target="t-1-eu", region="eu-west-1", account_id=A1, result=result("t-1-eu", A1, "eu-west-1", [
            row("vpc-11"), row("vpc-12", action="failed", after="missing")], status="failed")),
        dict(target="t-1-us", region="us-east-1", account_id=A1, result=result("t-1-us", A1, "us-east-1", [
            row("vpc-13", destination="s3:central/flows", arrival=dict(UNREADABLE))])),
        dict(target="t-2-eu", region="eu-west-1", account_id=A2, result=result("t-2-eu", A2, "eu-west-1", [
            row("vpc-21", action="unchanged", before="compliant")], status="unchanged",
            buckets=[dict(bucket="central", policy_read=True)])),
        dict(target="t-2-us", region="us-east-1", account_id=A2, result=None),
        dict(target="t-3-eu", region="eu-west-1", account_id=A3, result=result("t-3-eu", A3, "eu-west-1", [
            row("vpc-31"), row("vpc-32")])),
        dict(target="t-3-us", region="us-east-1", account_id=A3, result=result("t-3-us", A3, "us-east-1", [])),
    ]  # fmt: skip


def write_slices(tmp_path, entries, slices, mode="enable", predicted=False):
    """The report each slice of AWX's round robin over the sorted hosts (hosts[i::n]) writes; their paths."""
    hosts = sorted(e["target"] for e in entries)
    paths = []
    for index in range(slices):
        mine = set(hosts[index::slices])
        dest = tmp_path / "slice-{}".format(index)
        params = dict(targets=[copy.deepcopy(e) for e in entries if e["target"] in mine], mode=mode, dest=str(dest))
        converge_report(None, dict(params, predicted=predicted))
        paths.append(str(dest / "flowlogs-report.json"))
    return paths


def without_time(report):
    return {k: v for k, v in report.items() if k not in ("generated_at", "merged_from")}


@pytest.mark.parametrize("slices", [1, 2, 4, 6])
@pytest.mark.parametrize(("mode", "predicted"), [("enable", False), ("audit", True), ("disable", False)])
def test_merged_slice_reports_equal_the_unsliced_report(tmp_path, slices, mode, predicted):
    whole = fleet_report(copy.deepcopy(fleet()), mode, check_mode=predicted)
    paths = write_slices(tmp_path, fleet(), slices, mode, predicted)

    found = converge_report(None, dict(merge=paths, dest=str(tmp_path / "fleet")))

    written = json.loads((tmp_path / "fleet" / "flowlogs-report.json").read_text())
    assert without_time(written) == without_time(found["report"]) == without_time(whole)
    assert [s["targets"] for s in written["merged_from"]] == [len(range(i, 6, slices)) for i in range(slices)]
    assert (
        found["table"][2:] == converge_report(None, dict(targets=fleet(), mode=mode, predicted=predicted))["table"][2:]
    )


def test_the_bucket_owner_in_another_slice_is_named_again(tmp_path):
    paths = write_slices(tmp_path, fleet(), 2)  # t-1-us and t-2-eu land in different slices
    sliced = [json.loads(Path(p).read_text()) for p in paths]
    alone = [r for s in sliced for t in s["targets"] if t["target"] == "t-1-us" for r in t["vpcs"]]
    assert "readable_by" not in alone[0]["arrival"]

    merged = converge_report(None, dict(merge=paths, dest=str(tmp_path / "fleet")))["report"]

    (target,) = [t for t in merged["targets"] if t["target"] == "t-1-us"]
    assert target["vpcs"][0]["arrival"]["readable_by"] == A2


def test_glob_patterns_name_the_slice_reports(tmp_path):
    write_slices(tmp_path, fleet(), 3)
    found = converge_report(None, dict(merge=[str(tmp_path / "slice-*" / "flowlogs-report.json")], dest=str(tmp_path)))
    assert found["report"]["totals"]["targets"] == 6
    assert len(found["report"]["merged_from"]) == 3


def failure(tmp_path, patterns):
    found = converge_report(None, dict(merge=patterns, dest=str(tmp_path / "fleet")))
    assert found["failed"] is True
    assert not (tmp_path / "fleet").exists()  # nothing written
    return found["msg"]


def test_reports_of_different_playbooks_are_refused_naming_the_key_and_the_files(tmp_path):
    enable = write_slices(tmp_path / "e", fleet()[:3], 1, "enable")
    audit = write_slices(tmp_path / "a", fleet()[3:], 1, "audit", predicted=True)

    msg = failure(tmp_path, enable + audit)

    assert msg.startswith(MERGE + ": the reports differ in mode (the playbook that made it): ")
    assert '"audit" in {}'.format(audit[0]) in msg and '"enable" in {}'.format(enable[0]) in msg


def test_a_prediction_and_a_real_run_are_not_merged(tmp_path):
    real = write_slices(tmp_path / "r", fleet()[:3], 1, "enable")
    predicted = write_slices(tmp_path / "p", fleet()[3:], 1, "enable", predicted=True)
    assert "differ in check_mode" in failure(tmp_path, real + predicted)


def test_another_report_version_is_refused(tmp_path):
    (path,) = write_slices(tmp_path, fleet(), 1)
    report = json.loads(Path(path).read_text())
    report["report_version"] = 2
    other = tmp_path / "v2.json"
    other.write_text(json.dumps(report))
    assert failure(tmp_path, [str(other)]) == (
        MERGE + ": {} has report_version 2; this collection merges report_version 1".format(other)
    )


def test_a_target_of_another_result_version_is_refused(tmp_path):
    (path,) = write_slices(tmp_path, fleet(), 1)
    report = json.loads(Path(path).read_text())
    report["targets"][0]["result_version"] = 7
    Path(path).write_text(json.dumps(report))
    assert "has result_version 7; this collection merges result_version 1" in failure(tmp_path, [path])


def test_a_target_in_two_slices_is_named_with_both_reports(tmp_path):
    first = write_slices(tmp_path / "one", fleet()[:4], 1)
    again = write_slices(tmp_path / "two", fleet()[2:], 1)  # t-2-eu and t-2-us in both

    msg = failure(tmp_path, first + again)

    assert msg == (
        MERGE
        + ": 2 target(s) are in more than one report - the slices overlap, or a slice ran "
        "twice (give the report of its last run only): t-2-eu in {a}, {b}; t-2-us in {a}, {b}".format(
            a=first[0], b=again[0]
        )
    )


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: [str(d / "nowhere.json")], MERGE + ": no report at {d}/nowhere.json"),
        (lambda d: [str(d / "none-*" / "x.json")], MERGE + ": no report at {d}/none-*/x.json"),
        (lambda d: [str(d / "bad.json")], MERGE + ": cannot read {d}/bad.json: "),
        (
            lambda d: [str(d / "other.json")],
            MERGE + ": {d}/other.json is not a flowlogs.aws fleet report",
        ),
    ],
)
def test_missing_and_foreign_files_are_refused(tmp_path, make, expected):
    (tmp_path / "bad.json").write_text("{")
    (tmp_path / "other.json").write_text(json.dumps(dict(report_version=1, query={})))
    assert failure(tmp_path, make(tmp_path)).startswith(expected.format(d=tmp_path))


def test_merged_entries_carry_mode_prediction_and_sources(tmp_path):
    paths = write_slices(tmp_path, fleet(), 2, "audit", predicted=True)
    entries, mode, predicted, sources = merged_entries(paths)
    assert (len(entries), mode, predicted) == (6, "audit", True)
    assert [s["path"] for s in sources] == paths


# ---------------------------------------------------------------- compact results


def big_result(rows=1500, failed=(7, 1200)):
    rows = [row("vpc-{:04d}".format(i), action="failed" if i in failed else "created") for i in range(rows)]
    return dict(result("t-big", A1, "eu-west-1", rows, status="failed"), plan=dict(created=len(rows)))


def test_a_result_that_fits_is_left_as_it_is():
    small = big_result(rows=10)
    assert compact_result(small, 250000, rows_key=["k"]) is small
    assert compact_result(big_result(), 0) == big_result()  # 0: never compact


def test_a_big_result_keeps_counts_failed_rows_first_and_says_so():
    whole = big_result()
    size = json_size(whole)
    assert size > 700000

    small = compact_result(whole, 250000, rows_key=["result-rows", "t-big", "abc"])

    assert json_size(small) <= 250000
    assert small["counts"] == whole["counts"] and small["plan"] == whole["plan"] and small["status"] == "failed"
    kept = [r["resource_id"] for r in small["vpcs"]]
    assert kept[:2] == ["vpc-0000", "vpc-0001"] and "vpc-0007" in kept and "vpc-1200" in kept  # failed ones kept
    compact = small["compact"]
    assert compact == dict(
        bytes=size,
        max_bytes=250000,
        rows=1500,
        rows_kept=len(kept),
        rows_key=["result-rows", "t-big", "abc"],
        note=(
            "{} of 1500 rows (vpcs) kept: the whole result is {} bytes of JSON, over 250000 "
            "(flow_logs_result_max_bytes); the fleet report has every row (counts and totals count them all)"
        ).format(len(kept), size),
    )
    assert rows_key_of(small) == ["result-rows", "t-big", "abc"]
    assert restore_rows(small, whole["vpcs"]) == whole
    assert restore_rows(small, None) is small  # the run's rows are gone: the compact result, said so


def test_a_big_diff_is_left_out_with_a_line_saying_so():
    whole = dict(big_result(), diff=[dict(before={}, after={"x": "y" * 200000}, after_header="flow logs: VPC"),
                                     dict(before={}, after={}, after_header="log group")])  # fmt: skip
    small = compact_result(whole, 250000)
    assert small["diff"][0]["prepared"].startswith("flow logs: VPC: a diff of ")
    assert small["diff"][1] == whole["diff"][1]


def test_the_report_of_a_compact_result_equals_the_report_of_the_whole_result():
    whole = big_result()
    small = compact_result(whole, 250000, rows_key=["k"])
    entry = dict(target="t-big", region="eu-west-1", account_id=A1)
    assert fleet_report([dict(entry, result=restore_rows(small, whole["vpcs"]))]) == fleet_report(
        [dict(entry, result=whole)]
    )


def test_a_big_report_returns_totals_and_the_failed_targets_first(tmp_path):
    entries = [dict(target="t-{:03d}".format(i), result=result("t-{:03d}".format(i), A1, "eu-west-1", [
        row("vpc-{}-{}".format(i, n)) for n in range(30)], status="failed" if i == 90 else "changed"))
        for i in range(100)]  # fmt: skip

    found = converge_report(None, dict(targets=entries, dest=str(tmp_path), result_max_bytes=100000))

    written = json.loads((tmp_path / "flowlogs-report.json").read_text())
    returned = found["report"]
    assert json_size(returned) <= 100000 < json_size(written)
    assert returned["totals"] == written["totals"] and returned["compliance"] == written["compliance"]
    assert returned["targets"][0]["target"] == "t-000" and "t-090" in [t["target"] for t in returned["targets"]]
    assert all(t["vpcs"] == [] for t in returned["targets"])
    assert returned["compact"]["targets"] == 100 and returned["compact"]["targets_kept"] == len(returned["targets"])
    assert "compact" not in written
    assert compact_report(written, 0, None) is written
