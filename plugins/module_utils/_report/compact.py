# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Results small enough for AWX: a target's result or a fleet report's return above a size keeps its counts and
totals, and as many rows as fit (failed ones first), said so in ``compact``. Private: may change in any release. Pure.

AWX (and AAP) drop the result data of a job event whose JSON is over 700,000 bytes; a target with 1,500 VPCs
registers about 0.7-1.7 MB of rows (more with ``--diff``). The rows left out of a target's result are kept on the
controller for the run (the role's action plugins, plugin_utils/_role_task.py), so the fleet report still has them.
"""

from __future__ import annotations

import json

#: The default of flow_logs_result_max_bytes and of fleet_report's result_max_bytes: well below AWX's 700,000 bytes
#: per event, and far above a target of a few hundred VPCs (a row is about 0.45 KB, 1.1 KB with a flow log).
RESULT_MAX_BYTES = 250000
#: What the note, the counts of what was left out, and Ansible's own keys of a task result may add.
NOTE_BYTES = 1024
LEFT_OUT = "{kept} of {total} {what} kept: the whole {name} is {size} bytes of JSON, over {limit} ({variable}); {where}"


def json_size(value):
    """Bytes of ``value`` as JSON (as AWX measures an event's result data, near enough)."""
    return len(json.dumps(value, sort_keys=True, default=str))


def _first(rows, keep_first):
    """Indexes of ``rows``, those ``keep_first`` holds for first, each group in its order."""
    wanted = [i for i, row in enumerate(rows) if keep_first(row)]
    return wanted + [i for i, row in enumerate(rows) if not keep_first(row)]


def fit(rows, budget, keep_first=lambda row: False):
    """The rows whose JSON fits into ``budget`` bytes, in their order; those ``keep_first`` holds for taken first.
    Stops at the first row that does not fit, so what is kept is a prefix of each group."""
    kept, used = set(), 0
    for index in _first(rows, keep_first):
        used += json_size(rows[index]) + 2
        if used > budget:
            break
        kept.add(index)
    return [row for index, row in enumerate(rows) if index in kept]


def failed_row(row):
    """A row a person reading a compact result wants to see first: one that failed or was not run."""
    return bool(row.get("error")) or row.get("action") in ("failed", "not_run")


def _small_diffs(diffs, budget):
    """The task's diffs, each one over ``budget`` bytes replaced by a line saying so (``--diff`` prints it)."""
    found = []
    for diff in diffs:
        size = json_size(diff)
        if size <= budget:
            found.append(diff)
            continue
        header = diff.get("after_header") or diff.get("before_header") or "diff"
        found.append(
            dict(
                prepared="{}: a diff of {} bytes, left out (flow_logs_result_max_bytes); see the fleet report".format(
                    header, size
                )
            )
        )
    return found


def compact_result(result, max_bytes, rows_key=None):
    """A target's result (``flow_logs_result``, ``flow_logs_discovery``) within about ``max_bytes`` of JSON: as it is
    when it fits (or ``max_bytes`` is 0), else with ``vpcs`` cut to the rows that fit - failed ones first - big diffs
    left out, and ``compact`` saying what was kept and where the rest is (``rows_key``: the run's key of the rows)."""
    size = json_size(result)
    rows = result.get("vpcs")
    if not max_bytes or size <= max_bytes or not isinstance(rows, list):
        return result
    found = dict(result, vpcs=[])
    if isinstance(found.get("diff"), list):
        found["diff"] = _small_diffs(found["diff"], max_bytes // 4)
    found["vpcs"] = fit(rows, max_bytes - json_size(found) - NOTE_BYTES, failed_row)
    found["compact"] = dict(
        bytes=size,
        max_bytes=max_bytes,
        rows=len(rows),
        rows_kept=len(found["vpcs"]),
        rows_key=rows_key,
        note=LEFT_OUT.format(
            kept=len(found["vpcs"]),
            total=len(rows),
            what="rows (vpcs)",
            name="result",
            size=size,
            limit=max_bytes,
            variable="flow_logs_result_max_bytes",
            where="the fleet report has every row (counts and totals count them all)",
        ),
    )
    return found


def restore_rows(result, rows):
    """A compact result made whole again with the rows kept for the run: as it was before ``compact_result``, but for
    the diffs (which no report reads). ``result`` as it is when ``rows`` is None (the run's rows are gone)."""
    if not isinstance(result, dict) or not result.get("compact") or rows is None:
        return result
    found = dict(result, vpcs=rows)
    del found["compact"]
    return found


def rows_key_of(result):
    """The run's key of the rows a compact result left out, or None."""
    compact = result.get("compact") if isinstance(result, dict) else None
    return compact.get("rows_key") if isinstance(compact, dict) else None


def _summary(target):
    """A target of the report without its rows: what a compact report keeps of it."""
    return dict({k: v for k, v in target.items() if k != "vpcs"}, vpcs=[])


def compact_report(report, max_bytes, where):
    """A fleet report within about ``max_bytes`` of JSON, for the module's return: as it is when it fits (or
    ``max_bytes`` is 0), else with its totals and compliance, and the targets that fit without their rows - failed
    ones first - and ``compact`` saying so; ``where``: the file that has all of it."""
    size = json_size(report)
    if not max_bytes or size <= max_bytes:
        return report
    targets = [_summary(t) for t in report["targets"]]
    found = dict(report, targets=[])
    found["targets"] = fit(targets, max_bytes - json_size(found) - NOTE_BYTES, lambda t: t["status"] == "failed")
    found["compact"] = dict(
        bytes=size,
        max_bytes=max_bytes,
        targets=len(targets),
        targets_kept=len(found["targets"]),
        note=LEFT_OUT.format(
            kept=len(found["targets"]),
            total=len(targets),
            what="targets (without their vpcs rows)",
            name="report",
            size=size,
            limit=max_bytes,
            variable="result_max_bytes",
            where="{} has all of it".format(where or "flowlogs-report.json"),
        ),
    )
    return found
