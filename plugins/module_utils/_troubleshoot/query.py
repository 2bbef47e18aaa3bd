# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The question "why can't A reach B?": its variables and their rules, the time window, the CloudWatch Logs
filter patterns that narrow the read server-side, and the match every record must pass client-side.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.

The filter pattern only narrows what CloudWatch Logs sends back; it never decides. Every record is matched
again here, so the verdict is the same whatever the engine did with the pattern (moto, for one, ignores
space-delimited patterns and returns every event).
"""

from __future__ import annotations

import datetime
import ipaddress
import re

from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot.records import interval

PROTOCOLS = {"tcp": (6,), "udp": (17,), "icmp": (1, 58)}
#: Protocols whose records carry ports.
PORTED = (6, 17, 132)
SINCE = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}
DEFAULT_SINCE = "1h"
#: A record's CloudWatch Logs timestamp is its start; a record may start this long before the window it overlaps
#: (the longest aggregation interval).
AGGREGATION_SLACK = 600
VARIABLES = dict(
    src="flow_logs_query_src",
    dst="flow_logs_query_dst",
    port="flow_logs_query_port",
    protocol="flow_logs_query_protocol",
    since="flow_logs_query_since",
    start="flow_logs_query_start",
    end="flow_logs_query_end",
)
ADDRESS_FORM = "an IPv4 or IPv6 address or CIDR (for example 10.0.1.25 or 10.0.1.0/24)"
TIME_FORM = "an ISO 8601 time (for example 2026-11-22T09:30:00Z; UTC when no zone is given)"


def _network(value):
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        return None


def _protocols(value):
    """The protocol numbers ``value`` means, or None when it means none."""
    text = str(value).strip().lower() if value is not None else "tcp"
    if text in PROTOCOLS:
        return PROTOCOLS[text]
    if text.isdigit() and 0 <= int(text) <= 255:
        return (int(text),)
    return None


def parse_time(value):
    """An ISO 8601 time as epoch seconds (UTC when it names no zone), or None."""
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        found = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=datetime.timezone.utc)
    return int(found.timestamp())


def since_seconds(value):
    found = SINCE.match(str(value))
    if not found or int(found.group(1)) == 0:
        return None
    return int(found.group(1)) * UNIT_SECONDS[found.group(2)]


def _given(v, key):
    value = v.get(VARIABLES[key])
    return value not in (None, "")


def _address_problems(v):
    if not _given(v, "src") and not _given(v, "dst"):
        return ["flow_logs_query_src: set flow_logs_query_src, flow_logs_query_dst or both, each " + ADDRESS_FORM]
    problems, families = [], {}
    for key in ("src", "dst"):
        if _given(v, key):
            network = _network(v[VARIABLES[key]])
            if network is None:
                problems.append("{}: {!r} is not {}".format(VARIABLES[key], v[VARIABLES[key]], ADDRESS_FORM))
            else:
                families[key] = network.version
    if len(set(families.values())) > 1:
        problems.append(
            "flow_logs_query_dst: {!r} is IPv{} but flow_logs_query_src ({!r}) is IPv{}: a flow has one address "
            "family".format(v[VARIABLES["dst"]], families["dst"], v[VARIABLES["src"]], families["src"])
        )
    return problems


def _port_problems(v):
    problems = []
    protocols = _protocols(v.get(VARIABLES["protocol"]))
    if protocols is None:
        problems.append(
            "flow_logs_query_protocol: {!r} is not tcp, udp, icmp or an IANA protocol number (0 to 255)".format(
                v.get(VARIABLES["protocol"])
            )
        )
    port = v.get(VARIABLES["port"])
    if port is None:
        return problems
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        problems.append("flow_logs_query_port: {!r} is not a destination port (0 to 65535)".format(port))
    elif protocols and not set(protocols) & set(PORTED):
        problems.append(
            "flow_logs_query_port: {} has no ports; leave the port unset for it".format(v.get(VARIABLES["protocol"]))
        )
    return problems


def _time_problems(v):
    """The window: a duration back from now, or a start (and an end) - never both."""
    if _given(v, "since") and (_given(v, "start") or _given(v, "end")):
        return [
            "flow_logs_query_since: give either flow_logs_query_since or flow_logs_query_start (and "
            "flow_logs_query_end), not both"
        ]
    problems = []
    since = v.get(VARIABLES["since"])
    if _given(v, "since") and since_seconds(since) is None:
        problems.append("flow_logs_query_since: {!r} is not a duration such as 30m, 2h or 1d".format(since))
    times, unreadable = _times(v)
    return problems + unreadable + _bounds_problems(v, times)


def _times(v):
    """({start, end: epoch seconds, None when unreadable} of those given, the problems of the unreadable)."""
    times, problems = {}, []
    for key in ("start", "end"):
        if _given(v, key):
            value = v[VARIABLES[key]]
            times[key] = parse_time(value)
            if times[key] is None:
                problems.append("{}: {!r} is not {}".format(VARIABLES[key], value, TIME_FORM))
    return times, problems


def _bounds_problems(v, times):
    """An end needs a start before it."""
    if "end" in times and "start" not in times:
        return ["flow_logs_query_end: set flow_logs_query_start too (the window's beginning)"]
    if None not in (times.get("start"), times.get("end")) and times["start"] >= times["end"]:
        return [
            "flow_logs_query_end: {} is not after flow_logs_query_start ({})".format(
                v[VARIABLES["end"]], v[VARIABLES["start"]]
            )
        ]
    return []


def query_problems(v):
    """Every problem with the question's variables, each message naming its variable. Pure: no AWS call."""
    return _address_problems(v) + _port_problems(v) + _time_problems(v)


def iso(seconds):
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FlowQuery:
    """The question, checked (``query_problems`` found nothing): addresses, port, protocols and time window."""

    def __init__(self, v, now):
        self.src = _network(v[VARIABLES["src"]]) if _given(v, "src") else None
        self.dst = _network(v[VARIABLES["dst"]]) if _given(v, "dst") else None
        self.port = v.get(VARIABLES["port"])
        self.protocol = str(v.get(VARIABLES["protocol"]) or "tcp").strip().lower()
        self.protocols = _protocols(self.protocol)
        self.now = int(now)
        if _given(v, "start"):
            self.start = parse_time(v[VARIABLES["start"]])
            self.end = parse_time(v[VARIABLES["end"]]) if _given(v, "end") else self.now
            self.since = None
        else:
            self.since = str(v.get(VARIABLES["since"]) or DEFAULT_SINCE).strip()
            self.end = self.now
            self.start = self.now - since_seconds(self.since)

    def as_dict(self):
        return dict(
            src=_text(self.src),
            dst=_text(self.dst),
            port=self.port,
            protocol=self.protocol,
            since=self.since,
            start=iso(self.start),
            end=iso(self.end),
        )

    def describe(self):
        """``10.0.1.25 -> 52.219.0.0/16:443/tcp``, as people read it."""
        port = ":{}".format(self.port) if self.port is not None else ""
        return "{} -> {}{}/{}".format(_text(self.src) or "any", _text(self.dst) or "any", port, self.protocol)

    def read_window_ms(self):
        """(startTime, endTime) of a FilterLogEvents call: event timestamps are record starts."""
        return (self.start - AGGREGATION_SLACK) * 1000, self.end * 1000

    def direction(self, record):
        """``request`` (towards the port, or from src to dst without a port), ``reply``, or None when the record
        is not part of the question: the client-side filter every record passes, whatever the server did."""
        if record.get("protocol") not in self.protocols or not self._overlaps(record):
            return None
        request = _between(record, self.src, self.dst)
        reply = _between(record, self.dst, self.src)
        if self.port is not None:
            request = request and record.get("dstport") == self.port
            reply = reply and record.get("srcport") == self.port
        return "request" if request else ("reply" if reply else None)

    def _overlaps(self, record):
        """Whether the record's interval overlaps the window."""
        first, last = interval(record)
        return first is not None and last >= self.start and first <= self.end

    def patterns(self, fields):
        """{direction: space-delimited filter pattern} for a format's ``fields``; "" reads every event (no
        condition could be put on a field of this format). One read per distinct pattern."""
        found = {}
        for direction in ("request", "reply"):
            found[direction] = _pattern(fields, self._conditions(direction, fields))
        return found

    def _conditions(self, direction, fields):
        near, far = (self.src, self.dst) if direction == "request" else (self.dst, self.src)
        conditions = {"srcaddr": _address_term(near), "dstaddr": _address_term(far)}
        # With the packet-level fields a record may match on them instead: no condition on the interface-level one.
        for side in ("src", "dst"):
            if "pkt-{}addr".format(side) in fields:
                conditions["{}addr".format(side)] = None
        if self.port is not None:
            conditions["dstport" if direction == "request" else "srcport"] = '"{}"'.format(self.port)
        if len(self.protocols) == 1:
            conditions["protocol"] = '"{}"'.format(self.protocols[0])
        return {k: term for k, term in conditions.items() if term and k in fields}


def _text(network):
    """A host as its address, a network as its CIDR."""
    if network is None:
        return None
    return str(network.network_address) if network.num_addresses == 1 else str(network)


def _between(record, src, dst):
    """Whether the record goes from ``src`` to ``dst`` (either None: any address)."""
    return _matches(record, "src", src) and _matches(record, "dst", dst)


def _matches(record, side, network):
    """Whether the record's ``side`` address (interface-level, or packet-level when the format has it) is in
    ``network``; any address matches no network."""
    if network is None:
        return True
    for key in ("{}addr".format(side), "pkt-{}addr".format(side)):
        value = record.get(key)
        if value:
            try:
                if ipaddress.ip_address(value) in network:
                    return True
            except ValueError:
                continue
    return False


def _address_term(network):
    """The filter term for an address: exact for one IPv4 host, a wildcard for /8, /16 and /24, else none (IPv6
    text forms vary; other prefixes have no wildcard)."""
    if network is None or network.version != 4:
        return None
    if network.prefixlen == 32:
        return '"{}"'.format(network.network_address)
    if network.prefixlen in (8, 16, 24):
        octets = str(network.network_address).split(".")[: network.prefixlen // 8]
        return ".".join(octets) + ".*"
    return None


MAX_PATTERN = 1024


def _pattern(fields, conditions):
    """``[version, account_id, ..., dstport="443", ...]`` by field position; fields renamed f1, f2... when the
    names would make it longer than CloudWatch Logs accepts."""
    if not conditions:
        return ""
    for named in (True, False):
        names = [f.replace("-", "_") if named else "f{}".format(i) for i, f in enumerate(fields, 1)]
        parts = [
            "{}={}".format(name, conditions[field]) if field in conditions else name
            for name, field in zip(names, fields)
        ]
        pattern = "[{}]".format(", ".join(parts))
        if len(pattern) <= MAX_PATTERN:
            return pattern
    return ""
