# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as a self-contained HTML page (an account x region grid, then every resource): what the page
shows, in its words, laid out by the Jinja2 template of html_template.py with autoescaping on. Private: may change
in any release. Pure.

jinja2 is a dependency of ansible-core, so it is on the controller; fleet_report writing the report on a remote host
needs it there too (``JINJA2_IMPORT_ERROR`` says when it is not).
"""

from __future__ import annotations

import functools
import traceback

from ansible_collections.flowlogs.aws.plugins.module_utils._report import arrival as report_arrival
from ansible_collections.flowlogs.aws.plugins.module_utils._report.html_template import PAGE
from ansible_collections.flowlogs.aws.plugins.module_utils._report.table import (
    action_words,
    compliance_line,
    status_words,
)

try:
    from jinja2 import Environment, StrictUndefined
except ImportError:
    JINJA2_IMPORT_ERROR = traceback.format_exc()
else:
    JINJA2_IMPORT_ERROR = None

NEEDS_JINJA2 = "the HTML report (flowlogs-report.html) is rendered with jinja2, which this Python cannot import"


@functools.lru_cache(maxsize=1)
def _template():
    environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return environment.from_string(PAGE)


def report_html(report):
    """A self-contained HTML page: account x region grid coloured by status, then every resource."""
    if JINJA2_IMPORT_ERROR is not None:
        raise ImportError(NEEDS_JINJA2)
    return _template().render(page(report))


def page(report):
    """What the page shows, in the order and the words it shows them; the template only lays it out."""
    predicted = bool(report.get("check_mode"))
    targets = [_target(t, "target-{}".format(n), predicted) for n, t in enumerate(report["targets"], 1)]
    return dict(
        mode=report["mode"],
        predicted=predicted,
        generated_at=report.get("generated_at") or "",
        totals=report["totals"],
        changed_words=status_words("changed", predicted),
        compliance=compliance_line(report.get("compliance")),
        arrival=report_arrival.fleet_line(report["totals"].get("arrival")),
        grid=_grid(targets),
        targets=targets,
    )


def _grid(targets):
    """A row per account, a cell per region: the target there (its status and compliance after), or None."""
    cells = {(t["account"], t["region"]): t["cell"] for t in targets}
    regions = sorted({region for _account, region in cells})
    return dict(
        regions=regions,
        rows=[
            dict(account=account, cells=[cells.get((account, region)) for region in regions])
            for account in sorted({account for account, _region in cells})
        ],
    )


def _target(target, anchor, predicted):
    c = target["counts"]
    words = status_words(target["status"], predicted)
    return dict(
        anchor=anchor,
        name=target["target"],
        status=target["status"],
        words=words,
        account=target["account_id"] or "?",
        region=target["region"] or "?",
        cell=dict(
            anchor=anchor,
            status=target["status"],
            words=words,
            compliant=c["compliant_after"],
            resources=c.get("resources", c["vpcs"]),
            arrival=report_arrival.cell(target),
        ),
        notes=(target.get("delivery") or {}).get("notes") or [],
        error=target.get("error") or "",
        destinations=any(row.get("destination") for row in target["vpcs"]),
        rows=[_row(row, predicted) for row in target["vpcs"]],
        arrival=_arrival(target.get("arrival")),
    )


def _arrival(found):
    """A target's volume and cost per destination, or None when its arrival was not checked."""
    if not found:
        return None
    currency = (found.get("prices") or {}).get("currency") or "USD"
    return dict(
        window=found["window_minutes"],
        total=report_arrival.volume_words(found),
        destinations=[
            dict(
                name=d["destination"],
                per_day=report_arrival.size(d["bytes_per_day"]),
                days=d["days_sampled"],
                cost=report_arrival.money(d["monthly_cost"]["total"], currency),
                parquet=report_arrival.money(d["s3_parquet_monthly_cost"]["total"], currency),
            )
            for d in found.get("destinations") or []
        ],
    )


def _row(row, predicted):
    error = row.get("error") or {}
    return dict(
        resource=row["resource_id"],
        kind="" if row.get("resource_type", "VPC") == "VPC" else row["resource_type"],
        name=row.get("name") or "",
        is_default=bool(row.get("is_default")),
        destination=row.get("destination") or "",
        before=row["before"]["verdict"],
        reason=row["before"].get("reason") or "",
        action=row["action"],
        action_words=action_words(row["action"], predicted),
        changed_fields=row.get("changed_fields") or [],
        after=row["after"]["verdict"],
        flow_log_id=row["after"].get("flow_log_id") or "",
        error="{} {}".format(error.get("code", ""), error.get("message", "")).strip(),
        **_row_arrival(row.get("arrival") or {}),
    )


def _row_arrival(arrival):
    return dict(
        arrival=arrival.get("verdict") or "",
        arrival_words=report_arrival.row_words(arrival),
        arrival_reason=arrival.get("reason") or "",
    )
