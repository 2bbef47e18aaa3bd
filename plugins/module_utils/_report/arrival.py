# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proof of delivery in the fleet report: each target's arrival (verdicts, bytes per day, estimated monthly cost),
the fleet's "delivering N of M" and cost, in words, and what ``flow_logs_require_arrival`` counts as not compliant.
Private to the collection: not a public API, it may change in any release. Pure.

A row's ``arrival`` is the discovery's verdict on the resource's flow log to the row's destination (None: not
checked, or no flow log there); a target's ``arrival`` is its ``arrival`` step (None: not checked).
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.verdicts import SILENT, VERDICTS

#: What a cause of silence reads as in the report.
CAUSE_WORDS = dict(
    no_interfaces="no interfaces",
    new_flow_log="new",
    delivery_problem="delivery problem",
    unknown="cause unknown",
)


def target_arrival(step):
    """A target's ``arrival`` from its ``arrival`` step, or None when it was not checked."""
    if not isinstance(step, dict) or not step or step.get("skipped"):
        return None
    return {key: value for key, value in step.items() if key != "changed"}


def judged_rows(target):
    """The target's rows that have an arrival verdict."""
    return [row for row in target.get("vpcs") or [] if row.get("arrival")]


def fleet_arrival(targets):
    """The fleet's arrival: rows judged and by verdict, the silent ones by cause, and the measured volume and
    estimated cost of the targets that checked it; None when none did."""
    checked = [t for t in targets if t.get("arrival")]
    if not checked:
        return None
    rows = [row for t in checked for row in judged_rows(t)]
    return dict(targets_checked=len(checked), judged=len(rows), **_verdict_counts(rows), **_cost_totals(checked))


def _verdict_counts(rows):
    found = {v: 0 for v in VERDICTS}
    causes = {}
    for row in rows:
        arrival = row["arrival"]
        found[arrival["verdict"]] += 1
        if arrival["verdict"] == SILENT:
            causes[arrival["cause"]] = causes.get(arrival["cause"], 0) + 1
    return dict(found, silent_by_cause=causes, problems=sum(1 for row in rows if row["arrival"].get("problem")))


def _cost_totals(checked):
    arrivals = [t["arrival"] for t in checked]

    def total(key):
        return sum(a.get(key) or 0 for a in arrivals)

    return dict(
        window_minutes=sorted({a["window_minutes"] for a in arrivals}),
        bytes_per_day=total("bytes_per_day"),
        monthly_cost=round(total("monthly_cost"), 2),
        s3_parquet_monthly_cost=round(total("s3_parquet_monthly_cost"), 2),
        currency=sorted({(a.get("prices") or {}).get("currency") or "USD" for a in arrivals}),
    )


def required_verdict(target, row, when, verdict):
    """A row's compliance verdict with ``flow_logs_require_arrival``: a compliant flow log that is silent (for a
    cause that is a problem) or failed is counted by its arrival verdict - in the state found (``before``), or after a
    run that left it unchanged."""
    arrival = row.get("arrival") or {}
    required = (target.get("arrival") or {}).get("require_arrival")
    if not required or verdict != "compliant" or not arrival.get("problem"):
        return verdict
    return arrival["verdict"] if when == "before" or row.get("action") == "unchanged" else verdict


def name_bucket_owners(targets):
    """Say which account can read a bucket a target could not list: the fleet's target that read its policy (only
    the owner's account may) - a central log-archive account among the targets. Changes the rows in place."""
    owners = {}
    for target in targets:
        for bucket in (target.get("delivery") or {}).get("buckets") or []:
            if bucket.get("policy_read") and target.get("account_id"):
                owners[bucket.get("bucket")] = target["account_id"]
    for target in targets:
        for row in judged_rows(target):
            _name_owner(row, owners, target.get("account_id"))
    return targets


def _name_owner(row, owners, account):
    arrival = row["arrival"]
    destination = row.get("destination") or ""
    owner = owners.get(destination[3:].split("/", 1)[0]) if destination.startswith("s3:") else None
    if arrival["verdict"] != "unreadable" or arrival.get("readable_by") or not owner or owner == account:
        return
    arrival["readable_by"] = owner
    arrival["reason"] += " - account {}, a target of this run, owns the bucket".format(owner)


# ---------------------------------------------------------------- in words


def size(value):
    """Bytes in words: ``12.3 GB``, ``850 KB``."""
    value = float(value or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024:
            return "{:.0f} {}".format(value, unit) if unit == "B" else "{:.1f} {}".format(value, unit)
        value /= 1024
    return "{:.1f} TB".format(value)


def money(value, currency="USD"):
    return "{}{:,.2f}".format("$" if currency == "USD" else currency + " ", value or 0)


def cell(target):
    """A target's arrival cell: ``7/10`` delivering of judged, ``-`` when not checked."""
    if not target.get("arrival"):
        return "-"
    rows = judged_rows(target)
    return "{}/{}".format(sum(1 for r in rows if r["arrival"]["verdict"] == "delivering"), len(rows))


def row_words(arrival):
    """A row's arrival in a few words: ``delivering``, ``silent (no interfaces)``, ``failed``."""
    if not arrival:
        return ""
    if arrival["verdict"] == SILENT:
        return "silent ({})".format(CAUSE_WORDS.get(arrival["cause"], arrival["cause"]))
    return arrival["verdict"]


def target_lines(target):
    """The lines under a target in the table: what is not delivering, and its volume and cost."""
    arrival = target.get("arrival")
    if not arrival:
        return []
    out = []
    for row in judged_rows(target):
        if row["arrival"]["verdict"] != "delivering":
            where = " -> " + row["destination"] if row.get("destination") else ""
            out.append(
                "    arrival: {}{}: {} - {}".format(
                    row["resource_id"], where, row_words(row["arrival"]), row["arrival"]["reason"]
                )
            )
    if arrival.get("destinations"):
        out.append("    volume: " + volume_words(arrival))
    return out


def volume_words(found):
    """``12.3 GB/day, ~$190.00/month (S3 + Parquet instead: ~$95.00/month)``."""
    currency = (found.get("prices") or {}).get("currency") or "USD"
    return "{}/day, ~{}/month estimated (S3 + Parquet instead: ~{}/month)".format(
        size(found.get("bytes_per_day")),
        money(found.get("monthly_cost"), currency),
        money(found.get("s3_parquet_monthly_cost"), currency),
    )


def fleet_line(found):
    """The fleet's arrival in one line, or None when no target checked it."""
    if not found:
        return None
    causes = ", ".join("{} {}".format(CAUSE_WORDS.get(c, c), n) for c, n in sorted(found["silent_by_cause"].items()))
    currency = found["currency"][0] if len(found["currency"]) == 1 else "USD"
    return "Arrival (window {} min): delivering {} of {} flow logs - silent {}{}, failed {}, unreadable {}; {}".format(
        "/".join(str(w) for w in found["window_minutes"]),
        found["delivering"],
        found["judged"],
        found["silent"],
        " ({})".format(causes) if causes else "",
        found["failed"],
        found["unreadable"],
        volume_words(dict(found, prices=dict(currency=currency))),
    )
