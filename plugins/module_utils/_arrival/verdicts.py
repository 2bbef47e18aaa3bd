# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The arrival verdict of one flow log, from what its destination showed. Private to the collection: not a public API,
it may change in any release. Pure: no AWS call.

- ``delivering``: a record arrived within the window;
- ``silent``: the flow log is ACTIVE and nothing arrived in the window - with the likely cause: ``no_interfaces``
  (nothing to log: not a problem), ``new_flow_log`` (made too recently to have delivered: not a problem),
  ``delivery_problem`` (the delivery checks found what stands in the way: the role, the log group, the bucket
  policy) or ``unknown``;
- ``failed``: AWS says so (``DeliverLogsStatus`` FAILED), with AWS's error;
- ``unreadable``: the destination cannot be read from this target - another account's (``other_account``, naming
  the account that can read it) or a read AWS refused (``access_denied``) or could not answer (``read_error``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

DELIVERING, SILENT, FAILED, UNREADABLE = "delivering", "silent", "failed", "unreadable"
VERDICTS = (DELIVERING, SILENT, FAILED, UNREADABLE)
NO_INTERFACES, NEW_FLOW_LOG, DELIVERY_PROBLEM, UNKNOWN = "no_interfaces", "new_flow_log", "delivery_problem", "unknown"
#: Silent for a reason that needs no fix.
NOT_A_PROBLEM = (NO_INTERFACES, NEW_FLOW_LOG)
AWS_ERROR = "aws_error"
OTHER_ACCOUNT, ACCESS_DENIED, READ_ERROR = "other_account", "access_denied", "read_error"
#: What a resource id's prefix names, in words.
KINDS = dict(vpc="VPC", subnet="subnet", eni="network interface")
#: A new flow log's first records: up to the 10-minute aggregation interval, then the way to the destination.
FIRST_DELIVERY = datetime.timedelta(minutes=20)


@dataclass
class Evidence:
    """What a destination showed about one flow log: its newest record (``last``, a datetime) and where it was seen
    (``source``); ``read``: what was read, in words, for a verdict without a record; ``unreadable``: the cause when it
    could not be read (with ``detail`` and ``readable_by``); ``missing``: the destination does not exist, in words."""

    last: datetime.datetime = None
    source: str = None
    read: str = None
    unreadable: str = None
    detail: str = None
    readable_by: str = None
    missing: str = None


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def ago(moment, now):
    """How long ago, in words: ``under a minute``, ``4 minutes``, ``3 hours``, ``2 days``."""
    minutes = max(int((now - moment).total_seconds() // 60), 0)
    if not minutes:
        return "under a minute"
    for size, unit in ((1440, "day"), (60, "hour")):
        if minutes >= 2 * size:
            return "{} {}s".format(minutes // size, unit)
    return "{} minute{}".format(minutes, "" if minutes == 1 else "s")


def _verdict(verdict, cause, reason, window, evidence=None, now=None):
    evidence = evidence or Evidence()
    last = evidence.last
    return dict(
        verdict=verdict,
        cause=cause,
        problem=verdict == FAILED or (verdict == SILENT and cause not in NOT_A_PROBLEM),
        reason=reason,
        last_record_at=iso(last),
        minutes_ago=int((now - last).total_seconds() // 60) if last and now else None,
        source=evidence.source,
        readable_by=evidence.readable_by,
        window_minutes=window,
    )


def judge_arrival(flow_log, evidence, now, window, interfaces=None, problem=None):
    """The arrival verdict of ``flow_log`` (as _aws.ec2 returns it) from ``evidence`` at ``now`` with a window of
    ``window`` minutes. ``interfaces``: how many network interfaces the logged resource has (None: not counted);
    ``problem``: what the delivery checks found wrong with its delivery, in words (None: nothing)."""
    if flow_log.get("deliver_logs_status") == "FAILED":
        message = flow_log.get("deliver_logs_error_message") or "no message"
        return _verdict(FAILED, AWS_ERROR, "AWS says delivery FAILED: {}".format(message), window, evidence, now)
    if evidence.unreadable:
        return _verdict(UNREADABLE, evidence.unreadable, evidence.detail, window, evidence, now)
    if evidence.last and evidence.last >= now - datetime.timedelta(minutes=window):
        reason = "records arrived {} ago ({})".format(ago(evidence.last, now), evidence.source)
        return _verdict(DELIVERING, None, reason, window, evidence, now)
    cause, why = silent_cause(flow_log, evidence, now, interfaces, problem)
    return _verdict(SILENT, cause, "no record in the last {} minutes: {}".format(window, why), window, evidence, now)


def silent_cause(flow_log, evidence, now, interfaces=None, problem=None):
    """(cause, why in words) of a flow log that delivered nothing in the window."""
    if interfaces == 0:
        kind = KINDS.get((flow_log.get("resource_id") or "").split("-", 1)[0], "resource")
        return NO_INTERFACES, "the {} has no network interfaces, so there is nothing to log - not a problem".format(
            kind
        )
    if problem or evidence.missing:
        return DELIVERY_PROBLEM, problem or evidence.missing
    new = _new_flow_log(flow_log, evidence, now)
    if new:
        return NEW_FLOW_LOG, new
    last = "last record {} ago ({})".format(ago(evidence.last, now), evidence.source) if evidence.last else None
    return UNKNOWN, "{}; the delivery checks found nothing wrong".format(
        last or "no record found in " + (evidence.read or "the destination")
    )


def _new_flow_log(flow_log, evidence, now):
    """Why a flow log too new to have delivered is silent, in words, or None."""
    created = _created(flow_log)
    if not created or created <= now - FIRST_DELIVERY or evidence.last:
        return None
    return "the flow log was created {} ago; its first records take up to {} minutes".format(
        ago(created, now), int(FIRST_DELIVERY.total_seconds() // 60)
    )


def _created(flow_log):
    value = flow_log.get("creation_time")
    if isinstance(value, str) and value:
        try:
            value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value if isinstance(value, datetime.datetime) else None


def count_verdicts(arrivals):
    """Arrivals by verdict, the silent ones by cause, ``problems`` and ``total``."""
    counts = {v: 0 for v in VERDICTS}
    causes = {}
    for arrival in arrivals:
        counts[arrival["verdict"]] += 1
        if arrival["verdict"] == SILENT:
            causes[arrival["cause"]] = causes.get(arrival["cause"], 0) + 1
    counts.update(total=len(arrivals), silent_by_cause=causes, problems=sum(1 for a in arrivals if a.get("problem")))
    return counts
