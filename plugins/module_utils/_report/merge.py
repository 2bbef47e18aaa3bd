# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet reports of the slices of one run (AWX job slicing, or any split of the inventory) read back as the
entries of one fleet report - the same rows and totals as one unsliced run. Private: may change in any release.

A slice's report is ``flowlogs-report.json`` as fleet_report wrote it; its targets are the targets' results as the
report made them, so building the report again from all of them gives what one run over every host would have given
(the sort, the totals, the compliance and the cross-target notes are made again over the whole fleet).
"""

from __future__ import annotations

import glob
import json
import os

from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import RESULT_VERSION

REPORT_VERSION = 1
#: What every slice of one run has in common, and what each means.
SAME = (
    ("report_version", "the report layout"),
    ("mode", "the playbook that made it"),
    ("check_mode", "a prediction (audit, --check) or a real run"),
)
VARIABLE = "merge (flow_logs_merge_reports)"


class ReportMergeError(Exception):
    """The slice reports cannot make one report; the message names the option and the files."""


def report_paths(patterns):
    """The files of ``patterns`` (paths or glob patterns), each once, in order; a pattern matching no file is an
    error (a slice whose report is missing would make a fleet report that looks whole)."""
    paths, missing = [], []
    for pattern in patterns:
        found = sorted(glob.glob(os.path.expanduser(pattern))) if glob.has_magic(pattern) else [pattern]
        found = [p for p in found if os.path.isfile(p)]
        if not found:
            missing.append(pattern)
        paths.extend(p for p in found if p not in paths)
    if missing:
        raise ReportMergeError("{}: no report at {}".format(VARIABLE, ", ".join(missing)))
    if not paths:
        raise ReportMergeError("{}: no report to merge".format(VARIABLE))
    return paths


def read_report(path):
    """One slice's report, checked to be a fleet report of this collection."""
    try:
        with open(path, encoding="utf-8") as handle:
            report = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ReportMergeError("{}: cannot read {}: {}".format(VARIABLE, path, exc)) from None
    if not isinstance(report, dict) or report.get("tool") != "flowlogs.aws" or "targets" not in report:
        raise ReportMergeError(
            "{}: {} is not a flowlogs.aws fleet report (flowlogs-report.json)".format(VARIABLE, path)
        )
    if report.get("report_version") != REPORT_VERSION:
        raise ReportMergeError(
            "{}: {} has report_version {}; this collection merges report_version {}".format(
                VARIABLE, path, report.get("report_version"), REPORT_VERSION
            )
        )
    return report


def _check_same(reports):
    """Every slice made by the same playbook, the same way: else the message names what differs, file by file."""
    for key, meaning in SAME:
        values = {}
        for path, report in reports:
            values.setdefault(json.dumps(report.get(key)), []).append(path)
        if len(values) > 1:
            raise ReportMergeError(
                "{}: the reports differ in {} ({}): {}".format(
                    VARIABLE,
                    key,
                    meaning,
                    "; ".join("{} in {}".format(value, ", ".join(paths)) for value, paths in sorted(values.items())),
                )
            )


def _check_results(reports):
    """Every target's result of a layout this collection reads (result_version)."""
    for path, report in reports:
        for target in report["targets"]:
            if target.get("result_version") != RESULT_VERSION:
                raise ReportMergeError(
                    "{}: target {} of {} has result_version {}; this collection merges result_version {}".format(
                        VARIABLE, target.get("target"), path, target.get("result_version"), RESULT_VERSION
                    )
                )


def _check_duplicates(reports):
    """A target in two slices means the slices overlap (or a slice ran twice): the message names each and where."""
    where = {}
    for path, report in reports:
        for target in report["targets"]:
            where.setdefault(target["target"], []).append(path)
    twice = {name: paths for name, paths in where.items() if len(paths) > 1}
    if twice:
        raise ReportMergeError(
            "{}: {} target(s) are in more than one report - the slices overlap, or a slice ran twice "
            "(give the report of its last run only): {}".format(
                VARIABLE,
                len(twice),
                "; ".join("{} in {}".format(name, ", ".join(paths)) for name, paths in sorted(twice.items())),
            )
        )


def merged_entries(patterns):
    """(entries for fleet_report, mode, check_mode, sources) of the slice reports at ``patterns``.
    ``sources``: per report, its path, when it was made and how many targets it has. Raises ReportMergeError."""
    reports = [(path, read_report(path)) for path in report_paths(patterns)]
    _check_same(reports)
    _check_results(reports)
    _check_duplicates(reports)
    entries = [
        dict(target=t["target"], region=t.get("region"), account_id=t.get("account_id"), result=t)
        for _path, report in reports
        for t in report["targets"]
    ]
    sources = [dict(path=path, generated_at=r.get("generated_at"), targets=len(r["targets"])) for path, r in reports]
    first = reports[0][1]
    return entries, first["mode"], bool(first.get("check_mode")), sources
