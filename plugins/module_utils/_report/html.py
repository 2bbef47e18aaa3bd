# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as a self-contained HTML page (an account x region grid, then every VPC). Private: may change
in any release. Pure."""

from __future__ import annotations

import html
import json

from ansible_collections.flowlogs.aws.plugins.module_utils._report.table import status_words

STATUS_COLOURS = {"unchanged": "#1a7f37", "changed": "#0969da", "failed": "#cf222e"}
VERDICT_COLOURS = {
    "compliant": "#1a7f37",
    "missing": "#9a6700",
    "mismatched": "#bc4c00",
    "delivery_failed": "#cf222e",
    "not_owned": "#656d76",
}


def report_html(report):
    """A self-contained HTML page: account x region grid coloured by status, then every VPC."""
    esc = html.escape
    accounts = sorted({t["account_id"] or "?" for t in report["targets"]})
    regions = sorted({t["region"] or "?" for t in report["targets"]})
    cell = {((t["account_id"] or "?"), (t["region"] or "?")): t for t in report["targets"]}
    t = report["totals"]
    predicted = bool(report.get("check_mode"))
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>flowlogs.aws fleet report</title><style>",
        "body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328}",
        "table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #d0d7de;padding:6px 10px;text-align:left}",
        "th{background:#f6f8fa}.cell{color:#fff;font-weight:600;min-width:140px}",
        ".muted{color:#656d76}.pill{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff}",
        "</style></head><body>",
        "<h1>flowlogs.aws fleet report</h1>",
        "<p class='muted'>mode <b>{}</b>{} &middot; generated {}</p>".format(
            esc(report["mode"]),
            " (check mode: nothing changed)" if report.get("check_mode") else "",
            esc(str(report.get("generated_at") or "")),
        ),
        "<p>{} targets: {} {}, {} unchanged, {} failed &middot; {} VPCs, compliant {} &rarr; {}</p>".format(
            t["targets"],
            t["targets_changed"],
            status_words("changed", predicted),
            t["targets_unchanged"],
            t["targets_failed"],
            t["vpcs"],
            t["compliant_before"],
            t["compliant_after"],
        ),
        "<h2>Accounts &times; regions</h2><table id='grid'><tr><th>account</th>",
    ]
    parts += ["<th>{}</th>".format(esc(r)) for r in regions]
    parts.append("</tr>")
    for account in accounts:
        parts.append("<tr><th>{}</th>".format(esc(account)))
        for region in regions:
            target = cell.get((account, region))
            if target is None:
                parts.append("<td class='muted'>-</td>")
                continue
            c = target["counts"]
            parts.append(
                "<td class='cell' data-status='{}' style='background:{}'>{}<br>{}/{} compliant</td>".format(
                    esc(target["status"]),
                    STATUS_COLOURS.get(target["status"], "#656d76"),
                    esc(status_words(target["status"], predicted)),
                    c["compliant_after"],
                    c["vpcs"],
                )
            )
        parts.append("</tr>")
    parts.append("</table><h2>Targets</h2>")
    for target in report["targets"]:
        parts.append(
            "<h3>{} <span class='pill' style='background:{}'>{}</span></h3>".format(
                esc(target["target"]),
                STATUS_COLOURS.get(target["status"], "#656d76"),
                esc(status_words(target["status"], predicted)),
            )
        )
        parts.append(
            "<p class='muted'>account {} &middot; region {}</p>".format(
                esc(str(target["account_id"])), esc(str(target["region"]))
            )
        )
        notes = (target.get("delivery") or {}).get("notes") or []
        if notes:
            parts.append("<p>delivery: {}</p>".format(esc("; ".join(notes))))
        if target.get("error"):
            parts.append("<p style='color:#cf222e'>error: {}</p>".format(esc(str(target["error"]))))
        parts.append(
            "<table><tr><th>VPC</th><th>name</th><th>before</th><th>action</th><th>after</th><th>error</th></tr>"
        )
        for vpc in target["vpcs"]:
            error = vpc.get("error") or {}
            parts.append(
                "<tr><td>{}</td><td>{}</td><td style='color:{}'>{}<br><span class='muted'>{}</span></td><td>{}</td>"
                "<td style='color:{}'>{}</td><td>{}</td></tr>".format(
                    esc(vpc["vpc_id"]),
                    esc(vpc.get("name") or ""),
                    VERDICT_COLOURS.get(vpc["before"]["verdict"], "#1f2328"),
                    esc(vpc["before"]["verdict"]),
                    esc(vpc["before"].get("reason") or ""),
                    esc(vpc["action"]),
                    VERDICT_COLOURS.get(vpc["after"]["verdict"], "#1f2328"),
                    esc(vpc["after"]["verdict"]),
                    esc("{} {}".format(error.get("code", ""), error.get("message", "")).strip()),
                )
            )
        parts.append("</table>")
    parts.append("<script type='application/json' id='report-data'>{}</script>".format(json.dumps(report["totals"])))
    parts.append("</body></html>")
    return "\n".join(parts)
