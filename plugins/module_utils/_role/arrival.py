# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A target's proof of delivery in the role: whether to check it, and its verdicts on the discovery's rows. Private to
the collection: not a public API, it may change in any release.

The discovery task checks arrival once it read the target's flow logs (``flow_logs_check_arrival``; unset, only in
check mode - an audit - or when ``flow_logs_require_arrival`` asks for it), with the same delivery checks the audit
uses for the causes of silent flow logs. Each flow log of each discovery row gets its ``arrival``, and each row the
arrival of its flow log to the unit's destination; the summary (counts, volumes, cost, calls) is the ``arrival``
step, which the target's result and the fleet report show.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.check import ArrivalSettings, check_arrival
from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.verdicts import VERDICTS
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import (
    found_delivery_problems,
    with_wanted_options,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import (
    AUDIT,
    flow_log_spec,
    goes_where_wanted,
)


def wanted(arrival, check_mode):
    """Whether the target's arrival is checked in this run."""
    if arrival.check is None:
        return bool(check_mode or arrival.require)
    return bool(arrival.check)


def check_target_arrival(run):
    """Check the arrival of the flow logs the discovery of ``run`` (a TargetRun) read; put the verdicts on its rows
    and the summary in its ``arrival`` step. Returns the summary, or None when not checked."""
    target = run.target
    if not wanted(target.arrival, run.check_mode):
        return None
    clients = run.clients
    account = clients.identity()["account"]
    settings = ArrivalSettings(window=target.arrival.window, prices=target.arrival.prices)
    specs = [
        (unit, flow_log_spec(target.flow_log_options(_unit(target, unit), run.role_arn, []), AUDIT))
        for unit in run.units
    ]
    flow_logs = run.existing or []
    for _unit_found, spec in specs:
        flow_logs = with_wanted_options(flow_logs, spec)
    result = check_arrival(
        clients, flow_logs, settings, causes=lambda silent: found_delivery_problems(clients, silent, account)
    )
    for unit, spec in specs:
        for row in unit["before"]["vpcs"]:
            _attach(row, spec, result["by_flow_log"])
    summary = {key: value for key, value in result.items() if key != "by_flow_log"}
    summary.update(changed=False, require_arrival=target.arrival.require)
    run.steps["arrival"] = summary
    run.warnings.extend("flow_logs_check_arrival: " + error for error in result["errors"])
    return summary


def _unit(target, carried):
    return next(
        u
        for u in target.units
        if u.resource_type == carried["resource_type"] and u.destination.label == carried["destination"]
    )


def _attach(row, spec, arrivals):
    """Each flow log of a row gets its arrival; the row, the best arrival among its flow logs to the unit's
    destination (delivering first), or None when it has none there."""
    found = []
    for flow_log in row.get("flow_logs") or []:
        arrival = arrivals.get(flow_log.get("flow_log_id"))
        flow_log["arrival"] = arrival
        if arrival and goes_where_wanted(spec, flow_log):
            found.append(arrival)
    row["arrival"] = min(found, key=lambda a: VERDICTS.index(a["verdict"])) if found else None
