# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One target's proof of delivery: every flow log's arrival verdict, and each destination's bytes per day and
estimated monthly cost. Private to the collection: not a public API, it may change in any release.

``check_arrival`` reads in this order, so that each read is made once for all the flow logs that need it: the S3
flow logs' files and the Firehose streams' metrics; then the network interfaces of the VPCs (and subnets) whose
flow logs write to CloudWatch Logs or showed nothing yet; then each CloudWatch Logs group's streams; then, for the
flow logs still silent, the delivery checks' causes (the caller's ``causes``); then the volumes. The calls it makes
per target (the budget, in docs/docsite/rst/arrival.rst):

- ``ec2:DescribeNetworkInterfaces``: 1 a page of 1,000 interfaces per 200 VPCs, when a flow log writes to
  CloudWatch Logs or showed nothing;
- ``logs:DescribeLogStreams``: 1 to ``MAX_STREAM_PAGES`` (20) per log group of the target's own account;
- ``s3:ListBucket``: 1 per S3 flow log that delivers (2 with per-hour partitions, or in the first hour of a UTC
  day); a silent one 2 more partitions (4 with per-hour partitions) of up to 3 pages; and 1 page (up to 10) per S3
  destination for its volume;
- ``cloudwatch:GetMetricData``: 1 for the Firehose streams' arrival, 1 for the volumes of every log group and
  Firehose stream (500 queries a call);
- for silent flow logs only, what the delivery checks read (the delivery role, the log group, the bucket policy).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from ansible_collections.flowlogs.aws.plugins.module_utils._arrival import layout, readers, volume
from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.prices import (
    ingested_per_day,
    merge_prices,
    monthly_cost,
    s3_parquet_cost,
    table_summary,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.verdicts import (
    ACCESS_DENIED,
    DELIVERING,
    READ_ERROR,
    Evidence,
    count_verdicts,
    judge_arrival,
)

#: Resource types whose CloudWatch Logs streams can be told apart (named after their network interfaces).
ATTRIBUTED = ("VPC", "Subnet", "NetworkInterface")


@dataclass(frozen=True)
class ArrivalSettings:
    """``window``: minutes a record may be old and still prove delivery; ``prices``: a price table merged over the
    collection's; ``volume``: measure bytes per day and cost too."""

    window: int = 30
    prices: dict = field(default=None, hash=False, compare=False)
    volume: bool = True


def _resource_type(flow_log):
    prefix = (flow_log.get("resource_id") or "").split("-", 1)[0]
    return dict(vpc="VPC", subnet="Subnet", eni="NetworkInterface").get(prefix, "other")


def check_arrival(clients, flow_logs, settings, causes=None, now=None):
    """The arrival of ``flow_logs`` (this target's own, as _aws.ec2 returns them) and the volume and cost of their
    destinations. ``causes(flow_logs)``: flow log id -> what the delivery checks find wrong (silent ones only).

    Returns ``{window_minutes, checked_at, by_flow_log: {id: arrival}, counts, destinations, bytes_per_day,
    monthly_cost, s3_parquet_monthly_cost, prices, api_calls, errors}``. AWS refusing a read never raises."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    reading = readers.Reading(clients, clients.identity()["account"], clients.region, now, settings.window)
    calls_before = clients.stats["calls"]
    judged = [f for f in flow_logs if _judged(f)]
    places = {f["flow_log_id"]: layout.destination_of(f) for f in judged}
    evidence = _read_s3_and_firehose(reading, judged, places)
    counted = _interfaces(reading, judged, places, evidence)
    evidence.update(_read_log_groups(reading, judged, places, counted))
    problems = _problems(judged, evidence, reading, counted, causes)
    arrivals = {
        f["flow_log_id"]: judge_arrival(
            f, evidence[f["flow_log_id"]], now, settings.window, _count(f, counted), problems.get(f["flow_log_id"])
        )
        for f in judged
    }
    table = merge_prices(settings.prices)
    destinations = _destinations(reading, judged, places, arrivals, table) if settings.volume else []
    return dict(
        window_minutes=settings.window,
        checked_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        by_flow_log=arrivals,
        counts=count_verdicts(list(arrivals.values())),
        destinations=destinations,
        **_cost_totals(destinations),
        prices=table_summary(table),
        api_calls=clients.stats["calls"] - calls_before,
        errors=reading.errors,
    )


def _judged(flow_log):
    """A flow log whose arrival can be judged: every one to S3 or Firehose, and to CloudWatch Logs when its streams
    can be told apart (VPCs, subnets, network interfaces)."""
    kind = flow_log.get("log_destination_type") or "cloud-watch-logs"
    return kind != "cloud-watch-logs" or _resource_type(flow_log) in ATTRIBUTED


def _read_s3_and_firehose(reading, flow_logs, places):
    """Evidence of the flow logs to S3 (each) and to Firehose (one metric read for every stream)."""
    evidence, streams = {}, {}
    for flow_log in flow_logs:
        place = places[flow_log["flow_log_id"]]
        if place["type"] == "s3":
            evidence[flow_log["flow_log_id"]] = readers.read_s3_flow_log(reading, place, flow_log["flow_log_id"])
        elif place["type"] == "kinesis-data-firehose":
            if place["account"] and place["account"] != reading.account:
                evidence[flow_log["flow_log_id"]] = reading.other_account(
                    "delivery stream " + place["name"], place["account"]
                )
            else:
                streams.setdefault(place["name"], []).append(flow_log["flow_log_id"])
    found = readers.read_firehose(reading, list(streams))
    for name, ids in streams.items():
        for flow_log_id in ids:
            evidence[flow_log_id] = _copy(found[name])
    return evidence


def _copy(evidence):
    return Evidence(**vars(evidence))


def _interfaces(reading, flow_logs, places, evidence):
    """The interfaces of the VPCs and subnets whose flow logs write to CloudWatch Logs or showed no record yet; None
    when they could not be read."""
    vpcs, subnets = set(), set()
    for flow_log in flow_logs:
        found = evidence.get(flow_log["flow_log_id"])
        if found is not None and (found.unreadable or (found.last and found.last >= reading.start)):
            continue
        kind = _resource_type(flow_log)
        if kind in ("VPC", "Subnet"):
            (vpcs if kind == "VPC" else subnets).add(flow_log["resource_id"])
    if not vpcs and not subnets:
        return {}
    return readers.interfaces(reading, sorted(vpcs), sorted(subnets))


def _members(flow_log, counted):
    """The interfaces whose streams are the flow log's."""
    if _resource_type(flow_log) == "NetworkInterface":
        return [flow_log["resource_id"]]
    return (counted or {}).get(flow_log["resource_id"])


def _count(flow_log, counted):
    """How many interfaces the flow log's resource has (None: not known)."""
    members = _members(flow_log, counted)
    return None if members is None else len(members)


def _read_log_groups(reading, flow_logs, places, counted):
    """Evidence of the flow logs to CloudWatch Logs: each group read once for all its resources."""
    evidence, groups = {}, {}
    for flow_log in flow_logs:
        place = places[flow_log["flow_log_id"]]
        if place["type"] != "cloud-watch-logs":
            continue
        if place["account"] and place["account"] != reading.account:
            evidence[flow_log["flow_log_id"]] = reading.other_account("log group " + place["name"], place["account"])
        else:
            groups.setdefault(place["name"], []).append(flow_log)
    for group, members in groups.items():
        evidence.update(_read_group(reading, group, members, counted))
    return evidence


def _read_group(reading, group, members, counted):
    """Evidence of the flow logs ``members`` to one group, read once."""
    found = readers.read_log_group(reading, group, {f["resource_id"]: _members(f, counted) or [] for f in members})
    evidence = {}
    for flow_log in members:
        if _members(flow_log, counted) is None and reading.interfaces_refused is not None:
            evidence[flow_log["flow_log_id"]] = _interfaces_unread(reading, flow_log)
        else:
            evidence[flow_log["flow_log_id"]] = _copy(found[flow_log["resource_id"]])
    return evidence


def _interfaces_unread(reading, flow_log):
    """A flow log to CloudWatch Logs whose streams cannot be told apart: its resource's interfaces were refused."""
    refused = reading.interfaces_refused
    return Evidence(
        unreadable=ACCESS_DENIED if refused.access_denied else READ_ERROR,
        detail="the network interfaces of {} could not be read from account {} ({}: {}), so its log streams cannot "
        "be told apart".format(flow_log["resource_id"], reading.account, refused.operation, refused.code),
    )


def _problems(flow_logs, evidence, reading, counted, causes):
    """What the delivery checks (``causes``) find wrong with the flow logs that may be silent."""
    silent = [f for f in flow_logs if _may_be_silent(f, evidence[f["flow_log_id"]], reading, counted)]
    if not causes or not silent:
        return {}
    return causes(silent) or {}


def _may_be_silent(flow_log, evidence, reading, counted):
    """Whether the delivery checks should look for a cause: no record in the window, readable, not FAILED (AWS says
    why), and something to log."""
    if flow_log.get("deliver_logs_status") == "FAILED" or evidence.unreadable:
        return False
    if evidence.last and evidence.last >= reading.start:
        return False
    return _count(flow_log, counted) != 0


# ---------------------------------------------------------------- volume and cost


def _destinations(reading, flow_logs, places, arrivals, table):
    """Each destination the target's readable flow logs write to, with its bytes per day and monthly cost."""
    unique = {}
    for flow_log in flow_logs:
        place = places[flow_log["flow_log_id"]]
        readable = arrivals[flow_log["flow_log_id"]]["cause"] not in ("other_account", "access_denied", "read_error")
        if readable and not (place["account"] and place["account"] != reading.account):
            key = (place["label"], place.get("hive"), place.get("hourly"))
            unique.setdefault(key, dict(place, flow_logs=[]))["flow_logs"].append(flow_log["flow_log_id"])
    measured = volume.metric_volumes(reading, list(unique.values()))
    found = []
    for place in unique.values():
        volume_of = measured.get(place["label"]) if place["type"] != "s3" else volume.s3_volume(reading, place)
        if volume_of is not None:
            found.append(_priced(place, volume_of, arrivals, table))
    return sorted(found, key=lambda d: d["destination"])


def _priced(place, measured, arrivals, table):
    parquet = bool(place.get("parquet"))
    per_day = measured["bytes_per_day"]
    return dict(
        destination=place["label"],
        type=place["type"],
        file_format=("parquet" if parquet else "plain-text") if place["type"] == "s3" else None,
        flow_logs=sorted(place["flow_logs"]),
        delivering=sum(1 for i in place["flow_logs"] if arrivals[i]["verdict"] == DELIVERING),
        **measured,
        monthly_cost=monthly_cost(place["type"], per_day, table, parquet),
        s3_parquet_monthly_cost=s3_parquet_cost(ingested_per_day(place["type"], per_day, table, parquet), table),
    )


def _cost_totals(destinations):
    return dict(
        bytes_per_day=sum(d["bytes_per_day"] for d in destinations),
        monthly_cost=round(sum(d["monthly_cost"]["total"] for d in destinations), 2),
        s3_parquet_monthly_cost=round(sum(d["s3_parquet_monthly_cost"]["total"] for d in destinations), 2),
    )


# ---------------------------------------------------------------- the info module's rows


def add_arrival(found, flow_logs, result):
    """vpc_flow_log_info's result ``found`` with ``check_arrival``'s ``result``: each flow log of each VPC gets its
    ``arrival``, and the result its ``arrival`` summary (without the per-flow-log map)."""
    arrivals = result["by_flow_log"]
    for vpc in found["vpcs"]:
        for flow_log in vpc.get("flow_logs") or []:
            flow_log["arrival"] = arrivals.get(flow_log.get("flow_log_id"))
    found["arrival"] = {key: value for key, value in result.items() if key != "by_flow_log"}
    found.setdefault("warnings", [])
    found["warnings"] = found["warnings"] + ["arrival: " + error for error in result["errors"]]
    return found
