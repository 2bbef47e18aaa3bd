# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the target's flow logs could show, and so why records may be missing: where the flow logs go, their
traffic types and delivery, what was read, the delivery delay, and traffic AWS never logs.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.query import iso
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.records import DEFAULT_FIELDS, record_fields
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.verdicts import NO_RECORDS, NO_REPLY

#: Flow logs reach CloudWatch Logs about 5 minutes after their aggregation interval (up to 10 minutes) ends.
DELIVERY_DELAY = 600
#: Addresses whose traffic flow logs never record ("Flow log limitations", Amazon VPC User Guide).
NEVER_LOGGED = {
    "169.254.169.254": "instance metadata (IMDS)",
    "fd00:ec2::254": "instance metadata (IMDS, IPv6)",
    "169.254.169.253": "the Amazon DNS server (Route 53 Resolver)",
    "fd00:ec2::253": "the Amazon DNS server (Route 53 Resolver, IPv6)",
    "169.254.169.123": "the Amazon Time Sync Service",
    "fd00:ec2::123": "the Amazon Time Sync Service (IPv6)",
    "169.254.169.250": "Amazon Windows license activation (KMS)",
    "169.254.169.251": "Amazon Windows license activation (KMS)",
}
DHCP_PORTS = (67, 68, 546, 547)
LIMITATIONS = "see Flow log limitations in the Amazon VPC User Guide"


def log_group_of(flow_log):
    """The log group a CloudWatch Logs flow log writes to (its name, or the name in its destination ARN)."""
    if flow_log.get("log_group_name"):
        return flow_log["log_group_name"]
    arn = flow_log.get("log_destination") or ""
    return arn.split(":log-group:", 1)[1].rstrip(":*") if ":log-group:" in arn else None


def to_cloudwatch_logs(flow_logs):
    """The flow logs whose records can answer: to CloudWatch Logs, of VPCs, subnets and interfaces (a transit
    gateway's records have no action)."""
    return [
        f
        for f in flow_logs
        if f.get("log_destination_type") == "cloud-watch-logs"
        and log_group_of(f)
        and not str(f.get("resource_id") or "").startswith("tgw-")
    ]


def log_sources(flow_logs, fallback_group):
    """The log groups to read - one entry per group its flow logs write to, with their record formats (a group
    may hold two) - or, with no flow log to CloudWatch Logs, ``fallback_group`` in the default format."""
    sources = {}
    for flow_log in to_cloudwatch_logs(flow_logs):
        group = log_group_of(flow_log)
        source = sources.setdefault(group, dict(log_group=group, flow_log_ids=[], formats=[], fallback=False))
        source["flow_log_ids"].append(flow_log["flow_log_id"])
        fields = record_fields(flow_log.get("log_format"))
        if fields not in source["formats"]:
            source["formats"].append(fields)
    if not sources and fallback_group:
        return [dict(log_group=fallback_group, flow_log_ids=[], formats=[DEFAULT_FIELDS], fallback=True)]
    return [sources[g] for g in sorted(sources)]


def _hosts(query):
    return [n.network_address for n in (query.src, query.dst) if n is not None and n.num_addresses == 1]


def needs_vpc_layout(query):
    """Whether a queried host could be a VPC's DNS server (base + 2) or a subnet's router (base + 1)."""
    return any(h.version == 4 and h.is_private and str(h) not in NEVER_LOGGED for h in _hosts(query))


def never_logged_reasons(query, vpc_cidrs=(), subnet_cidrs=()):
    """Traffic AWS never logs that the question is about: a special address, a VPC's Amazon DNS server (its
    primary CIDR's base + 2), a subnet's router (base + 1), DHCP."""
    found = ["{} is {}".format(host, what) for host, what in _never_logged_hosts(query, vpc_cidrs, subnet_cidrs)]
    if query.port in DHCP_PORTS and 17 in query.protocols:
        found.append("UDP port {} is DHCP".format(query.port))
    return [
        dict(code="never_logged", message="{}: flow logs never record this traffic ({})".format(f, LIMITATIONS))
        for f in found
    ]


def _never_logged_hosts(query, vpc_cidrs, subnet_cidrs):
    """(host, what it is) for each queried host whose traffic AWS never logs."""
    for host in _hosts(query):
        what = NEVER_LOGGED.get(str(host))
        if what is None and any(_base(c, 2) == host for c in vpc_cidrs):
            what = "the Amazon DNS server of its VPC (the VPC's base address + 2)"
        if what is None and any(_base(c, 1) == host for c in subnet_cidrs):
            what = "the VPC router of its subnet (the subnet's base address + 1)"
        if what:
            yield host, what


def _base(cidr, offset):
    try:
        return ipaddress.ip_network(cidr, strict=False).network_address + offset
    except (ValueError, TypeError):
        return None


def _destination_reasons(flow_logs, sources):
    if any(not s["fallback"] for s in sources):
        return []
    elsewhere = [f for f in flow_logs if f.get("log_destination_type") != "cloud-watch-logs"]
    reasons = [
        dict(
            code="no_flow_log",
            message="no flow log of this region writes to CloudWatch Logs (log group {} was read instead, for "
            "records of earlier flow logs): enable flow logs (enable_flowlogs.yml) and reproduce the traffic".format(
                sources[0]["log_group"] if sources else "-"
            ),
        )
    ]
    if elsewhere:
        reasons.append(
            dict(
                code="not_in_cloudwatch_logs",
                message="flow logs {} write to {}: query those records where they are (Athena for S3)".format(
                    ", ".join(f["flow_log_id"] for f in elsewhere),
                    ", ".join(sorted({f.get("log_destination_type") or "?" for f in elsewhere})),
                ),
            )
        )
    return reasons


def _delivery_reasons(flow_logs):
    return [
        dict(
            code="delivery_failed",
            message="flow log {} on {} cannot deliver ({}): its records are missing; audit_flowlogs.yml names the "
            "cause and enable_flowlogs.yml fixes it".format(
                f["flow_log_id"], f.get("resource_id"), f.get("deliver_logs_error_message") or "delivery FAILED"
            ),
        )
        for f in to_cloudwatch_logs(flow_logs)
        if f.get("deliver_logs_status") == "FAILED"
    ]


def _traffic_type_reasons(flow_logs, verdict):
    cwl = to_cloudwatch_logs(flow_logs)
    types = {f.get("traffic_type") for f in cwl}
    if not cwl or "ALL" in types or len(types) > 1:
        return []
    only = types.pop()
    if only == "REJECT" and verdict == NO_RECORDS:
        hidden = "accepted traffic is not recorded, so a connection that got through leaves no record"
    elif only == "ACCEPT" and verdict in (NO_RECORDS, NO_REPLY):
        hidden = "rejected traffic is not recorded, so a refused request or reply leaves no record"
    else:
        return []
    return [
        dict(
            code="traffic_type",
            message="the flow logs of this region log only {} traffic ({}): {}; a flow log with traffic type ALL "
            "shows both".format(only, ", ".join(f["flow_log_id"] for f in cwl), hidden),
        )
    ]


def _read_reasons(sources):
    reasons = []
    for source in sources:
        if source.get("missing"):
            reasons.append(
                dict(code="log_group_missing", message="log group {} does not exist".format(source["log_group"]))
            )
        for fields in source.get("unusable") or []:
            reasons.append(
                dict(
                    code="format_unusable",
                    message="a record format of log group {} has no {} field: its records cannot answer this "
                    "question".format(source["log_group"], ", ".join(fields)),
                )
            )
        if source.get("truncated"):
            reasons.append(
                dict(
                    code="truncated",
                    message="the read of log group {} stopped at its bound ({} events): the verdict covers what was "
                    "read; narrow the window or the addresses for a complete answer".format(
                        source["log_group"], source.get("events_read")
                    ),
                )
            )
    return reasons


def _window_reasons(query, verdict):
    if verdict != NO_RECORDS or query.end <= query.now - DELIVERY_DELAY:
        return []
    if query.end - query.start <= DELIVERY_DELAY:
        return [
            dict(
                code="window_too_short",
                message="the window ({} to {}) is shorter than the delivery delay: flow logs reach CloudWatch Logs "
                "5 to 10 minutes after the traffic, so none of it may be there yet; widen the window "
                "(flow_logs_query_since: 1h) or run again in 10 minutes".format(iso(query.start), iso(query.end)),
            )
        ]
    return [
        dict(
            code="not_delivered_yet",
            message="records of traffic after {} may not be delivered yet (flow logs reach CloudWatch Logs 5 to 10 "
            "minutes after the traffic): if it happened since, run again in 10 minutes".format(
                iso(query.now - DELIVERY_DELAY)
            ),
        )
    ]


def coverage_reasons(query, verdict, flow_logs, sources, never_logged=()):
    """Why the records may not tell the whole story, most likely first. The delivery delay is one only with a flow
    log's log group to read and no traffic AWS never logs in the question."""
    reasons = _destination_reasons(flow_logs, sources) + _delivery_reasons(flow_logs)
    reasons += _traffic_type_reasons(flow_logs, verdict) + _read_reasons(sources)
    if never_logged or not any(not s["fallback"] and not s.get("missing") for s in sources):
        return reasons
    return reasons + _window_reasons(query, verdict)
