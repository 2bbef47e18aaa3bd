# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as a table of text a person reads at a glance. Private: may change in any release. Pure."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._report import arrival as report_arrival

COLUMNS = (
    ("TARGET", "target", "<"),
    ("ACCOUNT", "account_id", "<"),
    ("REGION", "region", "<"),
    ("RESOURCES", "resources", ">"),
    ("COMPLIANT", "compliant", ">"),
    ("CREATED", "created", ">"),
    ("REPLACED", "replaced", ">"),
    ("UPDATED", "updated", ">"),
    ("DELETED", "deleted", ">"),
    ("FAILED", "failed", ">"),
    ("ARRIVAL", "arrival", ">"),
    ("STATUS", "status", "<"),
)


#: A prediction (audit, --check) says what a run would do, in these words.
PREDICTED_TITLES = dict(
    created="WOULD CREATE", replaced="WOULD REPLACE", updated="WOULD UPDATE", deleted="WOULD DELETE"
)


def status_words(status, predicted):
    """A target's status as a person reads it: a prediction's ``changed`` is ``would change``."""
    return "would change" if predicted and status == "changed" else status


def action_words(action, predicted):
    """What was done to a resource as a person reads it: a prediction's ``created`` is ``would create``."""
    return PREDICTED_TITLES[action].lower() if predicted and action in PREDICTED_TITLES else action


def compliance_line(found):
    """The report's compliance in one line, or None for a report without one (disable)."""
    if not found:
        return None
    verdicts = ", ".join("{} {}".format(v, n) for v, n in found["by_verdict"].items())
    return "Compliance ({}): {} of {} resources compliant{}".format(
        found["judged"], found["compliant"], found["resources"], " - not: " + verdicts if verdicts else ""
    )


def _row(target, predicted=False):
    c = target["counts"]
    return dict(
        _action_cells(c),
        target=target["target"],
        account_id=target["account_id"] or "?",
        region=target["region"] or "?",
        status=status_words(target["status"], predicted),
        arrival=report_arrival.cell(target),
    )


def _total_row(totals, predicted):
    return dict(
        _action_cells(totals),
        target="TOTAL ({} targets)".format(totals["targets"]),
        account_id="",
        region="",
        arrival=_arrival_total(totals.get("arrival")),
        status="{} {}, {} failed{}".format(
            totals["targets_changed"],
            status_words("changed", predicted),
            totals["targets_failed"],
            ", {} denied".format(totals["targets_denied"]) if totals.get("targets_denied") else "",
        ),
    )


def _arrival_total(found):
    return "{}/{}".format(found["delivering"], found["judged"]) if found else "-"


def _action_cells(counts):
    """The cells of a target's (or the fleet's) counts."""
    return dict(
        resources=str(counts.get("resources", counts["vpcs"])),
        compliant="{} -> {}".format(counts["compliant_before"], counts["compliant_after"]),
        **{key: str(counts[key]) for key in ("created", "replaced", "updated", "deleted", "failed")},
    )


def _denied_line(target):
    denial = target.get("denial") or {}
    return "    denied: {} ({})".format(denial.get("cause"), denial.get("fix"))


def _problems(target):
    """The lines under a target's: its delivery notes, and what failed."""
    notes = (target.get("delivery") or {}).get("notes") or []
    out = ["    delivery: " + "; ".join(notes)] if notes else []
    out += report_arrival.target_lines(target)
    if target["status"] == "denied":
        return [*out, _denied_line(target)]
    if target["status"] != "failed":
        return out
    out.append("    error: " + (target.get("error") or "see the VPC errors in the report"))
    for vpc in target["vpcs"]:
        error = vpc.get("error")
        if error:
            where = " -> " + vpc["destination"] if vpc.get("destination") else ""
            out.append("    {}{}: {}: {}".format(vpc["vpc_id"], where, error.get("code"), error.get("message")))
    return out


def _fleet_lines(report):
    """The last lines: API calls, compliance and the failed targets."""
    t = report["totals"]
    out = [
        "AWS API calls: {} ({} retried by botocore after throttling or transient errors)".format(
            t["api_calls"], t["api_retries"]
        )
    ]
    if t.get("role_waits"):
        out.append(
            "Waited for new delivery roles (IAM propagation): {} CreateFlowLogs retries, {:g} s in all".format(
                t["role_waits"], t["role_wait_seconds"]
            )
        )
    compliance = compliance_line(report.get("compliance"))
    if compliance:
        out.append(compliance)
    arrival = report_arrival.fleet_line(t.get("arrival"))
    if arrival:
        out.append(arrival)
    for status, verb in (("failed", "failed"), ("denied", "are denied by the organisation")):
        found = [target["target"] for target in report["targets"] if target["status"] == status]
        if found:
            out.append("{} of {} targets {}: {}".format(len(found), t["targets"], verb, ", ".join(found)))
    return out


def summary_table(report):
    """The report as lines of text a person reads at a glance."""
    predicted = bool(report.get("check_mode"))
    titles = {key: (PREDICTED_TITLES.get(key, title) if predicted else title) for title, key, _a in COLUMNS}
    rows = [_row(t, predicted) for t in report["targets"]]
    total = _total_row(report["totals"], predicted)
    widths = {key: max([len(titles[key])] + [len(r[key]) for r in [*rows, total]]) for _t, key, _a in COLUMNS}

    def line(values):
        return "  ".join("{:{}{}}".format(values[key], align, widths[key]) for _t, key, align in COLUMNS).rstrip()

    rule = "  ".join("-" * widths[key] for _t, key, _a in COLUMNS)
    mode = report["mode"] + (" (check mode: nothing was changed)" if predicted else "")
    out = ["flowlogs.aws fleet report - {} - {}".format(mode, report.get("generated_at") or ""), line(titles), rule]
    for target, row in zip(report["targets"], rows):
        out += [line(row), *_problems(target)]
    return [*out, rule, line(total), *_fleet_lines(report)]
