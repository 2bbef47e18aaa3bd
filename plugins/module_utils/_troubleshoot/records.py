# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Flow log records as CloudWatch Logs holds them, parsed with the flow log's own record format.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.

A record is one log event: its fields in the order of the flow log's ``LogFormat`` (the default version 2
format when the flow log has none), separated by single spaces, ``-`` where a field has no value (``NODATA``
and ``SKIPDATA`` records, an ICMP flow's ports, a field that does not apply). Fields are found by name, never by
position, so any custom format works as long as it has the fields a question needs.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.fields import (
    LOG_FORMAT_FIELD,
    VPC_FIELDS_BY_VERSION,
)

#: The default format (version 2), field by field.
DEFAULT_FIELDS = tuple(VPC_FIELDS_BY_VERSION[2].split())
#: Fields whose values are numbers (epoch seconds for start and end).
INT_FIELDS = frozenset(("version", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "tcp-flags"))
#: What a record needs for a question about who reaches whom: without them no record answers it.
REQUIRED_FIELDS = ("srcaddr", "dstaddr", "protocol", "action")
PORT_FIELDS = ("srcport", "dstport")
#: IANA numbers of the protocols people name; any other protocol is given by its number.
PROTOCOL_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"}


def record_fields(log_format):
    """The field names of a record format (``${field}`` tokens), or the default format's when unset."""
    if not log_format:
        return DEFAULT_FIELDS
    return tuple(LOG_FORMAT_FIELD.findall(log_format))


def missing_fields(fields, with_ports):
    """The fields a question needs that the format lacks (ports only when the question has a port)."""
    needed = REQUIRED_FIELDS + (PORT_FIELDS if with_ports else ())
    return [f for f in needed if f not in fields]


def _value(field, text):
    if text == "-":
        return None
    if field in INT_FIELDS:
        try:
            return int(text)
        except ValueError:
            return None
    return text


def parse_record(message, fields):
    """The record's fields by name (``None`` for ``-``), or None when ``message`` is not a record of ``fields``
    (another number of values)."""
    values = message.split()
    if len(values) != len(fields):
        return None
    return {field: _value(field, text) for field, text in zip(fields, values)}


def parse_event(event, formats):
    """An event of a log group whose flow logs write ``formats`` (tuples of field names): parsed with the format
    that has as many fields as the event has values (the first of them), with the event's timestamp (seconds)
    and log stream. None when no format fits."""
    values = len(event["message"].split())
    for fields in formats:
        if len(fields) == values:
            record = parse_record(event["message"], fields)
            record["@timestamp"] = event["timestamp"] // 1000
            record["@log_stream"] = event.get("log_stream_name")
            return record
    return None


def protocol_name(number):
    """``tcp`` for 6, the number itself for a protocol without a usual name."""
    return PROTOCOL_NAMES.get(number, str(number) if number is not None else "-")


def interval(record):
    """(first, last) second the record covers: its start and end, or the event's timestamp without them."""
    stamp = record.get("@timestamp")
    start = record.get("start") if record.get("start") is not None else stamp
    end = record.get("end") if record.get("end") is not None else start
    return start, end
