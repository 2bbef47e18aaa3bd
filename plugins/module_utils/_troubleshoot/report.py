# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The troubleshooting report: every target's answer, the most telling verdict of all, as JSON and as a table a
person reads at a glance. Private: may change in any release. Pure, but for writing the files."""

from __future__ import annotations

import datetime
import json
import os

from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.verdicts import NO_RECORDS, most_telling

REPORT_FILES = ("flowlogs-troubleshoot.json", "flowlogs-troubleshoot.txt")
NO_RESULT = (
    "the target stopped before it could record an answer (invalid variables, or the host was unreachable); "
    "see its task output"
)
#: What each verdict means, for the table's last lines.
MEANINGS = dict(
    rejected="a security group, network ACL or VPC Block Public Access refused the traffic (see the reasons)",
    accepted_no_reply="the traffic left the interface and nothing came back: route table, NAT gateway, VPC "
    "endpoint, or the far side",
    accepted="requests and replies went through: the network is not what stops it",
    no_records="the flow logs show nothing of this traffic (see the reasons)",
)
#: Flows and reasons the table shows per target; the JSON report has them all.
SHOWN = 20
COLUMNS = (
    ("TARGET", "target", "<"),
    ("ACCOUNT", "account_id", "<"),
    ("REGION", "region", "<"),
    ("RECORDS", "records", ">"),
    ("VERDICT", "verdict", "<"),
)
FLOW_COLUMNS = (
    ("FLOW", "flow", "<"),
    ("INTERFACE", "interface", "<"),
    ("DIRECTION", "direction", "<"),
    ("ACTION", "action", "<"),
    ("PACKETS", "packets", ">"),
    ("BYTES", "bytes", ">"),
    ("SEEN", "seen", "<"),
)


def target_entry(entry):
    """One target's part of the report from ``{target, region, account_id, result}``: its registered answer, or an
    answer saying why there is none."""
    result = entry.get("result") or {}
    if result.get("result_version"):
        keys = ("target", "account_id", "region", "query", "verdict", "records", "flows", "reasons", "log_groups")
        found = {k: result.get(k) for k in (*keys, "error", "counts")}
        found["target"] = found["target"] or entry.get("target")
        return found
    error = str(result.get("msg") or NO_RESULT)
    return dict(
        target=entry.get("target"),
        account_id=str(entry.get("account_id") or "") or None,
        region=entry.get("region"),
        query=None,
        verdict=NO_RECORDS,
        records=0,
        flows=[],
        reasons=[dict(code="no_answer", message=error)],
        log_groups=[],
        error=error,
        counts=dict(api_calls=0, api_retries=0),
    )


def troubleshoot_report(entries, generated_at=None):
    """The report of every target's entry: ``query`` (the first target's question), ``verdict`` (the most telling
    of the targets': rejected > accepted_no_reply > accepted > no_records) and ``targets``."""
    targets = sorted(
        (target_entry(e) for e in entries), key=lambda t: (t["account_id"] or "", t["region"] or "", t["target"])
    )
    return dict(
        report_version=1,
        tool="flowlogs.aws",
        generated_at=generated_at,
        query=next((t["query"] for t in targets if t["query"]), None),
        verdict=most_telling([t["verdict"] for t in targets]),
        targets=targets,
        totals=_totals(targets),
    )


def _totals(targets):
    return dict(
        targets=len(targets),
        targets_failed=sum(1 for t in targets if t.get("error")),
        records=sum(t["records"] for t in targets),
        api_calls=sum((t.get("counts") or {}).get("api_calls", 0) for t in targets),
    )


def _table(columns, rows, indent=""):
    widths = {key: max([len(title)] + [len(r[key]) for r in rows]) for title, key, _a in columns}

    def line(values):
        return indent + "  ".join("{:{}{}}".format(values[key], a, widths[key]) for _t, key, a in columns).rstrip()

    return [
        line({key: title for title, key, _a in columns}),
        line({key: "-" * widths[key] for _t, key, _a in columns}),
    ] + [line(r) for r in rows]


def _flow_row(flow):
    port = ":{}".format(flow["dst_port"]) if flow.get("dst_port") is not None else ""
    where = (flow.get("interface_id") or "-") + (
        " ({})".format(flow["flow_direction"]) if flow.get("flow_direction") else ""
    )
    return dict(
        flow="{} -> {}{}/{}".format(flow["src"], flow["dst"], port, flow["protocol"]),
        interface=where,
        direction=flow["direction"],
        action=flow["action"] or "-",
        packets=str(flow["packets"]),
        bytes=str(flow["bytes"]),
        seen="{} .. {}".format(flow["first_seen"] or "?", (flow["last_seen"] or "?")[11:]),
    )


def _query_line(query):
    if not query:
        return "question: -"
    port = ":{}".format(query["port"]) if query.get("port") is not None else ""
    window = "last {}".format(query["since"]) if query.get("since") else "{} to {}".format(query["start"], query["end"])
    return "question: {} -> {}{}/{}, {} ({} to {})".format(
        query.get("src") or "any",
        query.get("dst") or "any",
        port,
        query["protocol"],
        window,
        query["start"],
        query["end"],
    )


def summary_table(report):
    """The report as lines of text: one line per target, its flows and reasons under it, then the verdict."""
    out = ["flowlogs.aws troubleshoot - {}".format(report.get("generated_at") or ""), _query_line(report["query"])]
    table = _table(COLUMNS, [_target_row(t) for t in report["targets"]])
    out += table[:2]
    for target, line in zip(report["targets"], table[2:]):
        out.append(line)
        out += _findings(target)
    out.append("verdict: {} - {}".format(report["verdict"], MEANINGS[report["verdict"]]))
    return out


def _target_row(target):
    return dict(
        target=target["target"],
        account_id=target["account_id"] or "?",
        region=target["region"] or "?",
        records=str(target["records"]),
        verdict=target["verdict"] + (" (failed)" if target.get("error") else ""),
    )


def _findings(target):
    """The lines under a target's: its first flows, as a table, and its first reasons."""
    flows, reasons = target["flows"], target["reasons"]
    out = _table(FLOW_COLUMNS, [_flow_row(f) for f in flows[:SHOWN]], indent="    ") if flows else []
    out += ["    - " + r["message"] for r in reasons[:SHOWN]]
    if len(flows) > SHOWN or len(reasons) > SHOWN:
        out.append("    ... {} flows and {} reasons in all: see the JSON report".format(len(flows), len(reasons)))
    return out


def write_report(entries, dest=None, check_mode=False):
    """Build the report and write its files into ``dest`` (the current directory by default; none in check
    mode). Returns the task result: ``report``, ``table``, ``files``."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = troubleshoot_report(entries, now)
    table = summary_table(report)
    dest = dest or os.getcwd()
    files = [os.path.join(dest, name) for name in REPORT_FILES]
    if not check_mode:
        os.makedirs(dest, exist_ok=True)
        for path, content in zip(files, (json.dumps(report, indent=2, sort_keys=True), "\n".join(table))):
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(content + "\n")
    return dict(changed=False, report=report, table=table, files=[] if check_mode else files, verdict=report["verdict"])
