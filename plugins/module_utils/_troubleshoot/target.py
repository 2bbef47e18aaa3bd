# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One target of the flowlogs.aws.flow_logs role's troubleshoot entry point: "why can't A reach B?", answered
from the flow-log records of one account in one region. Read-only: no AWS call here writes anything.

Private to the collection: not a public API, it may change in any release. The steps: every variable checked
before any call -> the flow logs of the region (DescribeFlowLogs: their log groups and record formats) -> the
records of the window, read with FilterLogEvents narrowed by a filter pattern per direction and format, bounded,
then matched again client-side -> flows and verdicts (``verdicts.py``) -> why records may be missing
(``coverage.py``; with no records and a private host address, DescribeVpcs and DescribeSubnets tell whether it
is a VPC's DNS server or a subnet's router). The result is the target's ``flow_logs_troubleshoot_result``.
"""

from __future__ import annotations

import time

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._role import variables as rv
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.coverage import (
    coverage_reasons,
    log_sources,
    needs_vpc_layout,
    never_logged_reasons,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.query import FlowQuery
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.records import missing_fields, parse_event
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.verdicts import (
    NO_RECORDS,
    flow_reasons,
    group_flows,
    target_verdict,
)

RESULT_VERSION = 1
#: Bounds of one read (one log group, one format, one direction): CloudWatch Logs returns at most 10,000 events a
#: page, and may return empty pages while it scans a large group.
MAX_EVENTS = 10000
MAX_PAGES = 25


def read_source(logs, source, query, max_events=MAX_EVENTS, max_pages=MAX_PAGES):
    """The records of one log group that answer ``query``, as ``(direction, record)`` pairs; ``source`` gets
    what the read found (``events_read``, ``truncated``, ``missing``, ``unusable``, ``patterns``)."""
    start_ms, end_ms = query.read_window_ms()
    seen, matched = set(), []
    source.update(events_read=0, truncated=False, missing=False, unusable=[], patterns=[])
    for fields in source["formats"]:
        lacking = missing_fields(fields, with_ports=query.port is not None)
        if lacking:
            source["unusable"].append(lacking)
            continue
        for pattern in _new_patterns(source, query, fields):
            source["patterns"].append(pattern)
            found = logs_api.filter_log_events(
                logs, source["log_group"], start_ms, end_ms, pattern, max_events, max_pages
            )
            if found["missing"]:
                source["missing"] = True
                return matched
            source["truncated"] = source["truncated"] or found["truncated"]
            source["events_read"] += len(found["events"])
            matched += _answering(found["events"], source["formats"], query, seen)
    return matched


def _new_patterns(source, query, fields):
    """The filter patterns of a format that no other format of the group read already."""
    return [p for p in sorted(set(query.patterns(fields).values())) if p not in source["patterns"]]


def _answering(events, formats, query, seen):
    """``(direction, record)`` of the events that answer ``query``, leaving out those in ``seen`` (an event two
    patterns both matched), which it adds to."""
    matched = []
    for event in events:
        key = (event["log_stream_name"], event["event_id"], event["timestamp"], event["message"])
        if key in seen:
            continue
        seen.add(key)
        record = parse_event(event, formats)
        direction = query.direction(record) if record else None
        if direction:
            matched.append((direction, record))
    return matched


def _vpc_layout(ec2):
    """(VPC primary CIDRs, subnet CIDRs) of the region."""
    vpcs = [v["cidr_block"] for v in ec2_api.describe_vpcs(ec2) if v.get("cidr_block")]
    subnets = [s["cidr_block"] for s in ec2_api.describe_subnets(ec2) if s.get("cidr_block")]
    return vpcs, subnets


class _Answer:
    """What one target found, filled in as the steps run (so a failed step still leaves a result)."""

    def __init__(self):
        self.query = None
        self.flow_logs = []
        self.sources = []
        self.flows = []
        self.records = 0
        self.reasons = []
        self.verdict = NO_RECORDS

    def find(self, clients, v, now):
        self.query = query = FlowQuery(v, now)
        clients.identity()  # the account for the report; refuses another account than flow_logs_account_id
        self.flow_logs = ec2_api.describe_flow_logs(clients("ec2"))
        self.sources = log_sources(self.flow_logs, v.get("flow_logs_log_group_name"))
        matched = []
        for source in self.sources:
            matched.extend(read_source(clients("logs"), source, query))
        self.records = len(matched)
        self.flows = group_flows(matched)
        self.verdict = target_verdict(self.flows)
        never = _never_logged(clients, query) if self.verdict == NO_RECORDS else []
        unlogged = [r for r in never if r["code"] == "never_logged"]
        coverage = coverage_reasons(query, self.verdict, self.flow_logs, self.sources, never_logged=unlogged)
        self.reasons = never + flow_reasons(self.flows) + coverage


def _never_logged(clients, query):
    """Traffic AWS never logs in the question; the VPC layout is read only when it can tell, and a refused read of
    it leaves the answer standing (said in a reason)."""
    never = never_logged_reasons(query)
    if never or not needs_vpc_layout(query):
        return never
    try:
        return never_logged_reasons(query, *_vpc_layout(clients("ec2")))
    except AwsError as exc:
        reason = "a VPC's DNS server or a subnet's router could not be ruled out: {}".format(exc)
        return [dict(code="vpc_layout_unread", message=reason)]


def _log_groups(sources):
    keys = ("log_group", "flow_log_ids", "fallback", "events_read", "truncated", "missing", "patterns")
    return [dict({k: s.get(k) for k in keys}, formats=[" ".join(f) for f in s["formats"]]) for s in sources]


def troubleshoot_target(clients, variables, target, problems=None, now=None):
    """Answer the question of ``variables`` on one target; never raises for AWS or input errors.

    ``problems``: what the caller found checking the variables (``check_variables``); None to check them here
    (the module on a remote host gets variables the controller converted). Returns the task result: ``failed``
    and ``msg`` on failure, and the public per-target result (``result_version`` 1).
    """
    v = variables
    problems = rv.troubleshoot_problems(v) if problems is None else problems
    answer = _Answer()
    error = _answer(answer, clients, v, problems, time.time() if now is None else now)
    account = v.get("flow_logs_account_id") or (clients.known_identity() or {}).get("account")
    result = dict(
        result_version=RESULT_VERSION,
        target=target,
        account_id=str(account) if account else None,
        region=v.get("flow_logs_region"),
        query=answer.query.as_dict() if answer.query else None,
        verdict=answer.verdict,
        records=answer.records,
        flows=answer.flows,
        reasons=answer.reasons,
        log_groups=_log_groups(answer.sources),
        error=error,
        counts=dict(api_calls=clients.stats.get("calls", 0), api_retries=clients.stats.get("retries", 0)),
        changed=False,
    )
    if error:
        result.update(failed=True, msg="Troubleshoot failed: " + error)
    return result


def _answer(answer, clients, v, problems, now):
    """Fill in ``answer``; the error that stopped it (also said in a reason), or None."""
    try:
        if problems:
            raise rv.RoleVariablesError(problems)
        answer.find(clients, v, now)
    except ParameterError as exc:
        named = rv.CONNECTION.get(exc.option, exc.option)
        error = str(exc) if isinstance(exc, rv.RoleVariablesError) else "{}: {}".format(named, exc.detail)
        answer.reasons.append(dict(code="invalid_variables", message="nothing was read: " + error))
        return error
    except AwsError as exc:
        clients.locate(exc)
        answer.reasons.append(dict(code="read_failed", message="the flow logs could not be read: " + str(exc)))
        return str(exc)
    return None
