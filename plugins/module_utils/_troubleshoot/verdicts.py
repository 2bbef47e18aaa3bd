# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From matched records to an answer: flows, a verdict per conversation and per target, and what to check next.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.

A conversation is client -> server:port over a protocol, oriented as its requests (towards the queried port, or
from src to dst without a port); its replies travel server -> client. A flow is the records of one conversation at
one network interface in one direction with one action, summed. Verdict of a conversation:

* ``rejected``: a REJECT in either direction, at any interface;
* ``accepted``: replies accepted (a reply means the request got there);
* ``accepted_no_reply``: requests accepted and no reply in the window;

and of a target, its most telling conversation's (``rejected`` > ``accepted_no_reply`` > ``accepted``), or
``no_records``.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.query import iso
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.records import interval, protocol_name

ACCEPTED, NO_REPLY, REJECTED, NO_RECORDS = "accepted", "accepted_no_reply", "rejected", "no_records"
#: The most telling first: the order a fleet's verdicts are ranked in.
VERDICTS = (REJECTED, NO_REPLY, ACCEPTED, NO_RECORDS)
RANK = {verdict: len(VERDICTS) - index for index, verdict in enumerate(VERDICTS)}


def most_telling(verdicts):
    return max(verdicts, key=RANK.get, default=NO_RECORDS)


def _address(record, side):
    """The packet-level address when the format has it (the real endpoint behind a NAT or a secondary address),
    else the interface-level one."""
    return record.get("pkt-{}addr".format(side)) or record.get("{}addr".format(side))


def conversation(direction, record):
    """(client, server, server port, protocol) of a matched record."""
    src, dst = _address(record, "src"), _address(record, "dst")
    if direction == "request":
        return src, dst, record.get("dstport"), record["protocol"]
    return dst, src, record.get("srcport"), record["protocol"]


def _add(flow, record):
    first, last = interval(record)
    flow["packets"] += record.get("packets") or 0
    flow["bytes"] += record.get("bytes") or 0
    flow["records"] += 1
    flow["first"] = first if flow["first"] is None else min(flow["first"], first)
    flow["last"] = last if flow["last"] is None else max(flow["last"], last)
    for key in ("flow-direction", "reject-reason", "traffic-path"):
        if record.get(key) is not None:
            flow["seen"].setdefault(key, set()).add(str(record[key]))


def group_flows(matched):
    """Flows from ``(direction, record)`` pairs, each with its conversation's verdict, in a stable order."""
    flows = {}
    for direction, record in matched:
        client, server, port, protocol = conversation(direction, record)
        key = (client, server, port, protocol, record.get("interface-id"), direction, record.get("action"))
        if key not in flows:
            flows[key] = dict(packets=0, bytes=0, records=0, first=None, last=None, seen={})
        _add(flows[key], record)
    verdicts = conversation_verdicts(flows)
    out = []
    for key in sorted(flows, key=_order):
        client, server, port, protocol, interface, direction, action = key
        flow = flows[key]
        out.append(
            dict(
                src=client,
                dst=server,
                dst_port=port,
                protocol=protocol_name(protocol),
                interface_id=interface,
                direction=direction,
                action=action,
                packets=flow["packets"],
                bytes=flow["bytes"],
                records=flow["records"],
                first_seen=iso(flow["first"]),
                last_seen=iso(flow["last"]),
                flow_direction=_one(flow["seen"].get("flow-direction")),
                reject_reason=_one(flow["seen"].get("reject-reason")),
                traffic_path=_one(flow["seen"].get("traffic-path")),
                verdict=verdicts[key[:4]],
            )
        )
    return out


def _order(key):
    """Conversation, then its requests before its replies, then interface and action."""
    client, server, port, protocol, interface, direction, action = key
    parts = (client, server, port, protocol, direction != "request", interface, action)
    return tuple("" if part is None else str(part) for part in parts)


def _one(values):
    return ",".join(sorted(values)) if values else None


def conversation_verdicts(flows):
    """{(client, server, port, protocol): verdict} from flows keyed as ``group_flows`` keys them."""
    seen = {}
    for client, server, port, protocol, _interface, direction, action in flows:
        seen.setdefault((client, server, port, protocol), set()).add((direction, action))
    verdicts = {}
    for key, pairs in seen.items():
        if any(action == "REJECT" for _d, action in pairs):
            verdicts[key] = REJECTED
        elif ("reply", "ACCEPT") in pairs:
            verdicts[key] = ACCEPTED
        else:
            verdicts[key] = NO_REPLY
    return verdicts


def target_verdict(flows):
    return most_telling([f["verdict"] for f in flows])


# ---------------------------------------------------------------- what to check next, from the flows


def _where(flow):
    side = {"ingress": "inbound", "egress": "outbound"}.get(flow.get("flow_direction"))
    return "{} at {}".format(side, flow["interface_id"]) if side else "at {}".format(flow["interface_id"])


def _records(count):
    return "{} record{}".format(count, "" if count == 1 else "s")


def rejection_reason(flow):
    """Why a REJECT flow was refused and where to look, in words."""
    service = "{}:{}/{}".format(flow["dst"], flow["dst_port"], flow["protocol"])
    if flow["direction"] == "reply":
        code, what = "rejected_reply", "replies from {} to {}".format(service, flow["src"])
    else:
        code, what = "rejected_request", "requests from {} to {}".format(flow["src"], service)
    if flow.get("reject_reason") == "BPA":
        cause = "VPC Block Public Access refused them (not a security group or network ACL): check the VPC's BPA mode"
    elif flow["direction"] == "reply":
        cause = (
            "security groups are stateful and never refuse a reply, so this is the network ACL of the subnet of {} "
            "(allow the return traffic, ephemeral ports 1024-65535)".format(flow["interface_id"])
        )
    else:
        rules = {"ingress": "inbound", "egress": "outbound"}.get(flow.get("flow_direction"), "inbound or outbound")
        cause = "check the {} rules of the security groups of {} and of the network ACL of its subnet".format(
            rules, flow["interface_id"]
        )
    return dict(
        code=code, message="{} were rejected {} ({}): {}".format(what, _where(flow), _records(flow["records"]), cause)
    )


def no_reply_reason(flow):
    return dict(
        code="no_reply",
        message=(
            "requests from {} to {}:{}/{} were accepted {} but no reply came back in the window: the packets left "
            "the interface, so look past it - the route table of the subnet (a route to {}: internet gateway, NAT "
            "gateway, or a VPC endpoint; for S3 or DynamoDB a gateway endpoint in that route table), the NAT "
            "gateway, the endpoint policy, then the far side (its security group, network ACL or firewall)".format(
                flow["src"], flow["dst"], flow["dst_port"], flow["protocol"], _where(flow), flow["dst"]
            )
        ),
    )


def flow_reasons(flows):
    """The reasons the flows themselves give: each rejected flow (where, which direction, why), and each
    conversation whose requests got no reply."""
    reasons = [rejection_reason(f) for f in flows if f["action"] == "REJECT"]
    seen = set()
    for flow in flows:
        key = (flow["src"], flow["dst"], flow["dst_port"], flow["protocol"])
        if flow["verdict"] == NO_REPLY and flow["action"] == "ACCEPT" and key not in seen:
            seen.add(key)
            reasons.append(no_reply_reason(flow))
    return reasons
