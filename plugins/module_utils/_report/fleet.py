# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report: per target and per resource, before -> action -> after, as data, a table and HTML (pure).

Both verdicts are judge()'s (spec.py): the before is the discovery's audit, the after the flow-log converge's verdict
on the flow log it left or predicts - never inferred from the action."""

from __future__ import annotations

import json

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import NOT_OWNED
from ansible_collections.flowlogs.aws.plugins.module_utils._report import arrival as report_arrival
from ansible_collections.flowlogs.aws.plugins.module_utils._report.delivery import (
    REPAIRS_DELIVERY,
    delivery_notes,
    registered,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._report.delivery import delivery as delivery_of
from ansible_collections.flowlogs.aws.plugins.module_utils._report.html import report_html
from ansible_collections.flowlogs.aws.plugins.module_utils._report.table import summary_table

CHANGING = ("created", "replaced", "updated", "deleted")
#: not_owned: a VPC another account shares into the target (RAM): only its owner can log it; never touched.
ACTIONS = ("created", "replaced", "updated", "deleted", "unchanged", "failed", "not_run", "not_owned")
NO_RESULT = (
    "the target stopped before the role could record a result (invalid variables, or the host was unreachable); "
    "see its task output"
)


RESULT_VERSION = 1


def _after_verdict(before_verdict, action, entry, repaired_delivery):
    """The verdict a resource was left with: the one its flow-log converge judged (vpc_flow_log's
    ``flow_logs[].verdict``: the audit's judge() on the flow log read back or predicted); the one it had when the
    converge failed on it, did not run or has no entry for it. A delivery_failed flow log is compliant when the target
    repaired its delivery (role or log group)."""
    if action in ("failed", "not_run", "not_owned"):
        verdict = before_verdict
    else:
        verdict = entry.get("verdict") or before_verdict
    if verdict == "delivery_failed" and repaired_delivery:
        return "compliant"
    return verdict


def _vpc_rows(before, converge, failed_target, repaired_delivery):
    """A row per resource of a unit: what the discovery found (``before``), what the converge did and left."""
    before_by_vpc = {v["vpc_id"]: v for v in before.get("vpcs") or []}
    converge_by_vpc = {e["resource_id"]: e for e in converge.get("flow_logs") or []}
    return [
        _row(vpc_id, before_by_vpc.get(vpc_id, {}), converge_by_vpc.get(vpc_id), failed_target, repaired_delivery)
        for vpc_id in sorted(set(before_by_vpc) | set(converge_by_vpc))
    ]


def _action(before_verdict, entry, failed_target):
    """What the converge did to a resource: its entry's action; ``not_run`` when it has none because the target
    failed; ``not_owned`` for another account's resource, which is never touched."""
    if before_verdict == NOT_OWNED:
        return "not_owned"
    if entry:
        return entry["action"]
    return "not_run" if failed_target else "unchanged"


def _row(vpc_id, before, entry, failed_target, repaired_delivery):
    before_verdict = before.get("verdict", "missing")
    action = _action(before_verdict, entry, failed_target)
    entry = entry or {}
    after = entry.get("after") or {}
    return dict(
        vpc_id=vpc_id,
        resource_id=vpc_id,
        resource_type=before.get("resource_type") or "VPC",
        name=before.get("name"),
        is_default=before.get("is_default"),
        before=dict(verdict=before_verdict, reason=before.get("reason"), flow_logs=before.get("flow_logs") or []),
        action=action,
        changed_fields=entry.get("changed_fields") or [],
        after=dict(
            verdict=_after_verdict(before_verdict, action, entry, repaired_delivery),
            flow_log_id=after.get("flow_log_id"),
            traffic_type=after.get("traffic_type"),
            deliver_logs_status=after.get("deliver_logs_status"),
        ),
        error=entry.get("error"),
        arrival=before.get("arrival"),
    )


def _unit_rows(steps, units, failed_target, repaired):
    """Rows of every unit (resource type x destination), each saying its destination."""
    if not units:  # one destination, VPCs: the steps as 1.0.0 recorded them
        units = [dict(destination=None, before=steps.get("before"), flow_logs=steps.get("flow_logs"))]
    rows = []
    for unit in units:
        for row in _vpc_rows(
            registered(unit.get("before")), registered(unit.get("flow_logs")), failed_target, repaired
        ):
            rows.append(dict(row, destination=unit.get("destination")))
    return rows


def _resource_counts(rows):
    """Resources (not rows: a resource has a row per destination), and those compliant at every destination."""
    by_resource = {}
    for row in rows:
        if row["action"] != "not_owned":
            by_resource.setdefault((row["resource_type"], row["resource_id"]), []).append(row)

    def compliant(when):
        return sum(1 for found in by_resource.values() if all(r[when]["verdict"] == "compliant" for r in found))

    return dict(
        resources=len(by_resource),
        vpcs=sum(1 for kind, _id in by_resource if kind == "VPC"),
        compliant_before=compliant("before"),
        compliant_after=compliant("after"),
    )


def target_result(
    target,
    region,
    account_id,
    state,
    steps,
    check_mode=False,
    error=None,
    failed_phase=None,
    phases=None,
    aws_stats=None,
    units=None,
    denial=None,
    aws_error=None,
):
    """One target's result (the role's public ``flow_logs_result``, version 1) from its steps' results:
    ``before`` (discovery), ``role``, ``log_group``, ``flow_logs`` and ``alarms`` - or, with several resource types
    or destinations, ``units``: each a resource type and destination with its ``before`` and ``flow_logs``.
    ``denial``: the cause and fix of a guardrail of the organisation that denies the target by design. Pure."""
    before = registered(steps.get("before"))
    delivery = delivery_of(steps)
    parts = [part for part in delivery.values() if isinstance(part, dict)]  # ``buckets`` is a list of findings
    rows = _unit_rows(steps, units, error is not None, _repairs_delivery(parts))
    counts = _counts(rows, aws_stats or {}, steps)
    changed = _changed(counts, parts)
    return dict(
        result_version=RESULT_VERSION,
        target=target,
        account_id=str(account_id or before.get("account_id") or "") or None,
        region=region,
        state=state,
        check_mode=bool(check_mode),
        phases=list(phases) if phases is not None else None,
        status="denied" if denial else _status(error, counts, changed),
        changed=changed,
        error=error,
        aws_error=aws_error if error is not None else None,
        failed_phase=failed_phase,
        denial=denial,
        delivery=dict(delivery, notes=delivery_notes(delivery)),
        vpcs=rows,
        counts=counts,
        arrival=report_arrival.target_arrival(steps.get("arrival")),
    )


def _repairs_delivery(parts):
    """Whether the delivery role or log group was fixed: a flow log whose delivery FAILED delivers again."""
    return any(action in REPAIRS_DELIVERY for part in parts for action in part.get("actions") or [])


def _changed(counts, parts):
    """Whether the target changed a flow log or a part of its delivery."""
    return any(counts[a] for a in CHANGING) or any(part.get("changed") for part in parts)


def _counts(rows, aws_stats, steps=None):
    """Rows per action, the resources and those compliant, the AWS API calls the target made, and the retries and
    seconds its CreateFlowLogs calls waited for a new delivery role (IAM propagation)."""
    counts = {a: sum(1 for r in rows if r["action"] == a) for a in ACTIONS}
    counts.update(
        api_calls=aws_stats.get("calls", 0), api_retries=aws_stats.get("retries", 0), **_resource_counts(rows)
    )
    counts.update(_role_waits(steps or {}))
    return counts


def _role_waits(steps):
    """The CreateFlowLogs retries and seconds the target's flow-log converges waited for a new delivery role."""
    converges = [s for s in steps.values() if isinstance(s, dict) and "role_retries" in s]
    return dict(
        role_waits=sum(s["role_retries"] or 0 for s in converges),
        role_wait_seconds=round(sum(s.get("role_wait_seconds") or 0 for s in converges), 1),
    )


def _status(error, counts, changed):
    if error is not None or counts["failed"]:
        return "failed"
    return "changed" if changed else "unchanged"


def _no_result(entry, error):
    counts = dict(
        {a: 0 for a in ACTIONS},
        resources=0,
        vpcs=0,
        compliant_before=0,
        compliant_after=0,
        api_calls=0,
        api_retries=0,
        role_waits=0,
        role_wait_seconds=0,
    )
    return dict(
        result_version=RESULT_VERSION,
        target=entry.get("target"),
        account_id=str(entry.get("account_id") or "") or None,
        region=entry.get("region"),
        state=entry.get("state") or "present",
        check_mode=False,
        phases=None,
        status="failed",
        changed=False,
        error=error,
        failed_phase=None,
        delivery={},
        vpcs=[],
        counts=counts,
        arrival=None,
    )


#: Keys of a registered task result that are Ansible's, not the target's.
TASK_KEYS = ("failed", "msg", "diff", "invocation", "_ansible_no_log", "skipped", "skip_reason")


#: What a target that stopped after a task of the role (a task of the play failed, the host became unreachable)
#: did not do.
STOPPED = (
    "the target stopped after the role's {} phase (a task of the play failed or the host became unreachable): "
    "nothing more was done; see its task output"
)


def target_report(entry):
    """One target's part of the report from ``{target, region, account_id, result, stopped}``.

    ``result`` is the role's ``flow_logs_result`` or ``flow_logs_discovery`` (used as they are), a failed task's
    result without one (the target stopped before the role's tasks produced it), or none at all; ``stopped``: the
    host left the play failed, so a result that says otherwise is marked failed (a denied one failed its host as
    flow_logs_on_denied: fail asks, and stays denied)."""
    result = entry.get("result")
    if not result or not result.get("result_version"):
        return _no_result(entry, str((result or {}).get("msg") or NO_RESULT))
    found = {k: v for k, v in result.items() if k not in TASK_KEYS}
    found["target"] = found.get("target") or entry.get("target")
    if entry.get("stopped") and found.get("status") not in ("failed", "denied"):
        return _stopped(found)
    return found


def _stopped(found):
    """The result of a host that left the play failed after the role's last phase it names."""
    phases = found.get("phases") or ["preflight"]
    return dict(found, status="failed", error=STOPPED.format(phases[-1]), failed_phase=None)


def _resource_verdicts(target, when):
    """resource -> its verdict (``before`` or ``after``): compliant only when compliant at every destination."""
    found = {}
    for row in target["vpcs"]:
        if row["action"] == "not_owned":
            continue
        key = (row["resource_type"], row["resource_id"])
        verdict = report_arrival.required_verdict(target, row, when, row[when]["verdict"])
        if found.get(key, "compliant") == "compliant":
            found[key] = verdict
    return found


def compliance(report):
    """Whether the resources in scope are compliant: as they are now for a prediction (audit, --check), as the run
    left them otherwise. None for a disable report (nothing is meant to be compliant)."""
    if report["mode"] == "disable":
        return None
    when = "before" if report["check_mode"] else "after"
    verdicts = [v for t in report["targets"] for v in _resource_verdicts(t, when).values()]
    by_verdict = {v: verdicts.count(v) for v in sorted(set(verdicts)) if v != "compliant"}
    return dict(
        judged="current state" if when == "before" else "after the run",
        resources=len(verdicts),
        compliant=verdicts.count("compliant"),
        noncompliant=len(verdicts) - verdicts.count("compliant"),
        by_verdict=by_verdict,
        targets_failed=report["totals"]["targets_failed"],
        targets_denied=report["totals"]["targets_denied"],
    )


def compliance_failure(found):
    """The message of a run that ``flow_logs_fail_on_noncompliant`` fails, or None when everything in scope is
    compliant and no target failed."""
    if not found or not (found["noncompliant"] or found["targets_failed"]):
        return None
    verdicts = ", ".join("{} {}".format(v, n) for v, n in found["by_verdict"].items())
    return (
        "{} of {} resources in scope are not compliant ({}){}{}: see flowlogs-report.json "
        "(fail_on_noncompliant, flow_logs_fail_on_noncompliant)".format(
            found["noncompliant"],
            found["resources"],
            found["judged"],
            " - " + verdicts if verdicts else "",
            ", and {} target(s) failed".format(found["targets_failed"]) if found["targets_failed"] else "",
        )
    )


def fleet_report(entries, mode="enable", generated_at=None, check_mode=False):
    """The whole report from every target's entry (``{target, region, account_id, result}``)."""
    targets = sorted(
        (target_report(e) for e in entries), key=lambda t: (t["account_id"] or "", t["region"] or "", t["target"])
    )
    report_arrival.name_bucket_owners(targets)
    report = dict(
        report_version=1,
        tool="flowlogs.aws",
        mode=mode,
        check_mode=bool(check_mode),
        generated_at=generated_at,
        totals=_totals(targets),
        targets=targets,
    )
    report["compliance"] = compliance(report)
    return report


def _totals(targets):
    """The targets by status, and their counts summed (a result without ``resources`` counts VPCs only)."""
    totals = dict(targets=len(targets))
    for status in ("changed", "unchanged", "failed", "denied"):
        totals["targets_" + status] = sum(1 for t in targets if t["status"] == status)
    for key in ("resources", "vpcs", "compliant_before", "compliant_after", "api_calls", "api_retries", *ACTIONS):
        totals[key] = sum(t["counts"].get(key, t["counts"]["vpcs"] if key == "resources" else 0) for t in targets)
    totals["role_waits"] = sum(t["counts"].get("role_waits", 0) for t in targets)
    totals["role_wait_seconds"] = round(sum(t["counts"].get("role_wait_seconds", 0) for t in targets), 1)
    totals["arrival"] = report_arrival.fleet_arrival(targets)
    return totals


REPORT_FILES = ("flowlogs-report.json", "flowlogs-report.html", "flowlogs-report.txt")


def report_entries(hosts, active, host_facts):
    """The entries of a play's report: every host of the play that ran the role's task, and every host that
    failed before it could (Ansible removed it from the play without a result). Hosts that did not run
    (another ``serial`` batch, a tag, a condition) are left out. ``host_facts(host)`` gives the host's
    ``(flow_logs_result, flow_logs_region, flow_logs_account_id)``. Pure."""
    entries = []
    active = set(active)
    for host in hosts:
        result, region, account = host_facts(host)
        if isinstance(result, dict) and result.get("skipped"):
            result = None
        if result is None and host in active:
            continue
        entries.append(dict(target=host, region=region, account_id=account, result=result, stopped=host not in active))
    return entries


def _report_of(params, now):
    """The report of ``params``: of its ``targets``, or the slice reports it merges (``merge``)."""
    if not params.get("merge"):
        return fleet_report(params["targets"], params.get("mode") or "enable", now, params.get("predicted"))
    from ansible_collections.flowlogs.aws.plugins.module_utils._report.merge import merged_entries

    entries, mode, predicted, sources = merged_entries(params["merge"])
    return dict(fleet_report(entries, mode, now, predicted), merged_from=sources)


def converge_report(clients, params, check_mode=False):
    """Build the fleet report and write its three files into ``dest`` (not in check mode). ``clients``
    is unused: the report is made from what the targets recorded, without AWS calls. The report returned is compact
    above ``result_max_bytes`` of JSON (the file has all of it)."""
    import datetime
    import os

    from ansible_collections.flowlogs.aws.plugins.module_utils._report.compact import RESULT_MAX_BYTES, compact_report
    from ansible_collections.flowlogs.aws.plugins.module_utils._report.merge import ReportMergeError

    del clients
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        report = _report_of(params, now)
    except ReportMergeError as exc:
        return dict(changed=False, failed=True, msg=str(exc), files=[])
    table = summary_table(report)
    dest = params.get("dest") or os.getcwd()
    files = [os.path.join(dest, name) for name in REPORT_FILES]
    if not check_mode:
        os.makedirs(dest, exist_ok=True)
        contents = (json.dumps(report, indent=2, sort_keys=True), report_html(report), "\n".join(table))
        for path, content in zip(files, contents):
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(content + "\n")
    limit = params.get("result_max_bytes")
    returned = compact_report(report, RESULT_MAX_BYTES if limit is None else limit, files[0])
    found = dict(changed=False, report=returned, table=table, files=[] if check_mode else files)
    failure = compliance_failure(report["compliance"]) if params.get("fail_on_noncompliant") else None
    if failure:
        found.update(failed=True, msg=failure)
    return found
