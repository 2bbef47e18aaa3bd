# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as a table of text a person reads at a glance. Private: may change in any release. Pure."""

from __future__ import annotations

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
    ("STATUS", "status", "<"),
)


#: A prediction (audit, --check) says what a run would do, in these words.
PREDICTED_TITLES = dict(
    created="WOULD CREATE", replaced="WOULD REPLACE", updated="WOULD UPDATE", deleted="WOULD DELETE"
)


def status_words(status, predicted):
    """A target's status as a person reads it: a prediction's ``changed`` is ``would change``."""
    return "would change" if predicted and status == "changed" else status


def _compliance_line(found):
    if not found:
        return None
    verdicts = ", ".join("{} {}".format(v, n) for v, n in found["by_verdict"].items())
    return "Compliance ({}): {} of {} resources compliant{}".format(
        found["judged"], found["compliant"], found["resources"], " - not: " + verdicts if verdicts else ""
    )


def _row(target, predicted=False):
    c = target["counts"]
    return dict(
        target=target["target"],
        account_id=target["account_id"] or "?",
        region=target["region"] or "?",
        resources=str(c.get("resources", c["vpcs"])),
        compliant="{} -> {}".format(c["compliant_before"], c["compliant_after"]),
        created=str(c["created"]),
        replaced=str(c["replaced"]),
        updated=str(c["updated"]),
        deleted=str(c["deleted"]),
        failed=str(c["failed"]),
        status=status_words(target["status"], predicted),
    )


def summary_table(report):
    """The report as lines of text a person reads at a glance."""
    predicted = bool(report.get("check_mode"))
    titles = {key: (PREDICTED_TITLES.get(key, title) if predicted else title) for title, key, _a in COLUMNS}
    rows = [_row(t, predicted) for t in report["targets"]]
    t = report["totals"]
    total = dict(
        target="TOTAL ({} targets)".format(t["targets"]),
        account_id="",
        region="",
        resources=str(t.get("resources", t["vpcs"])),
        compliant="{} -> {}".format(t["compliant_before"], t["compliant_after"]),
        created=str(t["created"]),
        replaced=str(t["replaced"]),
        updated=str(t["updated"]),
        deleted=str(t["deleted"]),
        failed=str(t["failed"]),
        status="{} {}, {} failed".format(t["targets_changed"], status_words("changed", predicted), t["targets_failed"]),
    )
    widths = {key: max([len(titles[key])] + [len(r[key]) for r in [*rows, total]]) for _t, key, _a in COLUMNS}

    def line(values):
        return "  ".join("{:{}{}}".format(values[key], align, widths[key]) for _t, key, align in COLUMNS).rstrip()

    mode = report["mode"] + (" (check mode: nothing was changed)" if report.get("check_mode") else "")
    out = ["flowlogs.aws fleet report - {} - {}".format(mode, report.get("generated_at") or "")]
    out.append(line(titles))
    out.append("  ".join("-" * widths[key] for _t, key, _a in COLUMNS))
    for target, row in zip(report["targets"], rows):
        out.append(line(row))
        notes = (target.get("delivery") or {}).get("notes") or []
        if notes:
            out.append("    delivery: " + "; ".join(notes))
        if target["status"] == "failed":
            out.append("    error: " + (target.get("error") or "see the VPC errors in the report"))
            for vpc in target["vpcs"]:
                if vpc.get("error"):
                    where = " -> " + vpc["destination"] if vpc.get("destination") else ""
                    out.append(
                        "    {}{}: {}: {}".format(
                            vpc["vpc_id"], where, vpc["error"].get("code"), vpc["error"].get("message")
                        )
                    )
    out.append("  ".join("-" * widths[key] for _t, key, _a in COLUMNS))
    out.append(line(total))
    out.append(
        "AWS API calls: {} ({} retried by botocore after throttling or transient errors)".format(
            t["api_calls"], t["api_retries"]
        )
    )
    compliance = _compliance_line(report.get("compliance"))
    if compliance:
        out.append(compliance)
    failed = [target["target"] for target in report["targets"] if target["status"] == "failed"]
    if failed:
        out.append("{} of {} targets failed: {}".format(len(failed), t["targets"], ", ".join(failed)))
    return out
