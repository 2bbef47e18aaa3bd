# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a target's flow logs go: the role's destinations, each a frozen ``Destination`` that knows the variable
behind each of its settings, and the rules of ``flow_logs_destinations`` and ``flow_logs_resource_types``.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.

``flow_logs_destinations`` lists the destinations every covered resource gets a flow log to (for example REJECT
traffic to CloudWatch Logs for the alarms and ALL traffic to a central bucket in Parquet). Unset, it is the one
destination the single-destination variables describe (``flow_logs_destination_type``, ``flow_logs_log_group_name``,
...), so an inventory of 1.0.0 converges as it did. Settings a destination leaves unset come from those same
variables. ``flow_logs_resource_types`` lists what is covered: VPCs (the default), transit gateways, their
attachments, regional NAT gateways.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.fields import (
    DESTINATION_TYPES,
    FILE_FORMATS,
    LOG_FORMAT_FIELD,
    TAG_FIELDS,
    TRANSIT_GATEWAY_TYPES,
)

#: What the role can cover, in the order the report lists them.
RESOURCE_TYPES = ("VPC", "TransitGateway", "TransitGatewayAttachment", "RegionalNatGateway")
COMMON_KEYS = ("type", "traffic_type", "log_format", "transit_gateway_log_format", "max_aggregation_interval")
#: Keys of a destination by its type.
TYPE_KEYS = {
    "cloud-watch-logs": ("log_group_name", "retention_in_days", "kms_key_id", "log_group_class"),
    "s3": ("bucket_arn", "file_format", "hive_compatible_partitions", "per_hour_partition"),
    "kinesis-data-firehose": ("firehose_arn",),
}
#: The key that says where a destination's records go, by type.
WHERE = {"cloud-watch-logs": "log_group_name", "s3": "bucket_arn", "kinesis-data-firehose": "firehose_arn"}
#: Settings a destination inherits from the single-destination variables when it leaves them unset.
INHERITED = dict(
    traffic_type="flow_logs_traffic_type",
    log_format="flow_logs_log_format",
    max_aggregation_interval="flow_logs_max_aggregation_interval",
    log_group_name="flow_logs_log_group_name",
    retention_in_days="flow_logs_retention_in_days",
    kms_key_id="flow_logs_kms_key_id",
    log_group_class="flow_logs_log_group_class",
)
#: The variables of the single destination (flow_logs_destinations unset).
SINGLE = dict(
    INHERITED,
    type="flow_logs_destination_type",
    bucket_arn="flow_logs_s3_bucket_arn",
    firehose_arn="flow_logs_firehose_arn",
)
#: A flow log option -> the destination key that sets it.
OPTION_KEYS = dict(
    destination_type="type",
    traffic_type="traffic_type",
    log_format="log_format",
    max_aggregation_interval="max_aggregation_interval",
    log_group_name="log_group_name",
    destination_options="file_format",
)
FALSY = (None, "", [], {})


@dataclass(frozen=True)
class Destination:
    """One destination of the target's flow logs. ``index`` 0 is the single destination of the flow_logs_*
    variables; 1, 2, ... are the entries of flow_logs_destinations."""

    index: int
    type: str
    label: str
    traffic_type: str = None
    log_format: str = None
    transit_gateway_log_format: str = None
    max_aggregation_interval: int = None
    log_group_name: str = None
    retention_in_days: int = None
    kms_key_id: str = None
    log_group_class: str = None
    log_destination: str = None
    destination_options: dict = field(default=None, hash=False, compare=False)

    @property
    def cloudwatch(self):
        return self.type == "cloud-watch-logs"

    def variable(self, key):
        """The variable that sets this destination's ``key`` (``bucket_arn``, ``retention_in_days``, ...)."""
        if self.index == 0:
            return SINGLE.get(key, "flow_logs_" + key)
        return "flow_logs_destinations[{}].{}".format(self.index, key)

    def option_variable(self, option):
        """The variable that sets a vpc_flow_log option of this destination's flow logs."""
        if option == "log_destination":
            return self.variable(WHERE.get(self.type, "bucket_arn"))
        return self.variable(OPTION_KEYS.get(option.split(".", 1)[0], option.split(".", 1)[0]))

    def log_format_for(self, resource_type):
        """The record format of this destination's flow logs on ``resource_type``."""
        return self.transit_gateway_log_format if resource_type in TRANSIT_GATEWAY_TYPES else self.log_format


def label(kind, where):
    """How the report names a destination: ``logs:<group>``, ``s3:<bucket/prefix>``, ``firehose:<stream>``."""
    if kind == "s3" and where:
        return "s3:" + where.split(":::", 1)[-1]
    if kind == "kinesis-data-firehose" and where:
        return "firehose:" + where.rsplit("/", 1)[-1]
    return "{}:{}".format("logs" if kind == "cloud-watch-logs" else kind, where)


def _given(v):
    return v.get("flow_logs_destinations") not in FALSY


def _s3_options(entry):
    keys = ("file_format", "hive_compatible_partitions", "per_hour_partition")
    if all(entry.get(k) is None for k in keys):
        return None
    return dict(
        file_format=entry.get("file_format") or "plain-text",
        hive_compatible_partitions=bool(entry.get("hive_compatible_partitions")),
        per_hour_partition=bool(entry.get("per_hour_partition")),
    )


def _entry(v, entry):
    """A destination's settings, those it leaves unset taken from the single-destination variables."""
    if entry is None:
        entry = {key: v.get(var) for key, var in SINGLE.items()}
        entry["type"] = entry["type"] or "cloud-watch-logs"
        return entry
    return dict(entry, **{k: v.get(var) for k, var in INHERITED.items() if entry.get(k) is None})


def destination(v, entry, index):
    """One Destination from the converted variables ``v`` and its entry of flow_logs_destinations (None: the
    single destination)."""
    entry = _entry(v, entry)
    kind = entry.get("type")
    cwl = kind == "cloud-watch-logs"
    where = entry.get(WHERE.get(kind, "log_group_name"))
    return Destination(
        index=index,
        type=kind,
        label=label(kind, where),
        traffic_type=entry.get("traffic_type"),
        log_format=entry.get("log_format") or None,
        transit_gateway_log_format=entry.get("transit_gateway_log_format") or None,
        max_aggregation_interval=entry.get("max_aggregation_interval"),
        log_group_name=where if cwl else None,
        retention_in_days=entry.get("retention_in_days") if cwl else None,
        kms_key_id=entry.get("kms_key_id") if cwl else None,
        log_group_class=entry.get("log_group_class") if cwl else None,
        log_destination=None if cwl else where,
        destination_options=_s3_options(entry) if kind == "s3" else None,
    )


def build_destinations(v):
    """The target's destinations; their rules (destination_problems) are checked first."""
    if not _given(v):
        return (destination(v, None, 0),)
    return tuple(destination(v, entry, i) for i, entry in enumerate(v["flow_logs_destinations"], start=1))


def uses_tag_fields(log_format):
    return bool(set(LOG_FORMAT_FIELD.findall(log_format or "")) & set(TAG_FIELDS))


# ---------------------------------------------------------------- rules, each problem naming its variable


def _entry_problems(entry, index):
    name = "flow_logs_destinations[{}]".format(index)
    if not isinstance(entry, dict):
        return [(name, "a dictionary with type and where the records go, got {!r}".format(entry))]
    kind = entry.get("type")
    if kind not in DESTINATION_TYPES:
        return [(name + ".type", "must be one of: {}, got: {}".format(", ".join(DESTINATION_TYPES), kind))]
    allowed = COMMON_KEYS + TYPE_KEYS[kind]
    problems = [
        (name, "{!r} is not a setting of a {} destination; allowed: {}".format(key, kind, ", ".join(allowed)))
        for key in entry
        if key not in allowed
    ]
    if entry.get(WHERE[kind]) in FALSY and kind != "cloud-watch-logs":
        problems.append(("{}.{}".format(name, WHERE[kind]), "required for a {} destination".format(kind)))
    return problems + _s3_entry_problems(entry, name)


def _s3_entry_problems(entry, name):
    problems = []
    if entry.get("file_format") not in (None, *FILE_FORMATS):
        problems.append(
            (name + ".file_format", "must be one of: {}, got: {}".format(", ".join(FILE_FORMATS), entry["file_format"]))
        )
    for key in ("hive_compatible_partitions", "per_hour_partition"):
        if entry.get(key) not in (None, True, False):
            problems.append(("{}.{}".format(name, key), "must be true or false, got: {!r}".format(entry[key])))
    return problems


def resource_type_problems(types):
    """What is wrong with flow_logs_resource_types, as (variable, detail) pairs."""
    name = "flow_logs_resource_types"
    if types is None:
        return []
    if not isinstance(types, list) or not types:
        return [(name, "a list of one or more of {}".format(", ".join(RESOURCE_TYPES)))]
    problems = [
        (name, "must be one of: {}, got: {}".format(", ".join(RESOURCE_TYPES), t))
        for t in types
        if t not in RESOURCE_TYPES
    ]
    if len(set(map(str, types))) != len(types):
        problems.append((name, "lists a type twice"))
    return problems


def destination_problems(v):
    """What is wrong with flow_logs_destinations and flow_logs_resource_types themselves, as (variable, detail)
    pairs. The flow log and log group rules of each destination come later (rules.target_problems)."""
    problems = resource_type_problems(v.get("flow_logs_resource_types"))
    if not _given(v):
        return problems
    entries = v["flow_logs_destinations"]
    if not isinstance(entries, list):
        return [*problems, ("flow_logs_destinations", "a list of destinations, got {!r}".format(entries))]
    for index, entry in enumerate(entries, start=1):
        problems += _entry_problems(entry, index)
    return problems or _duplicate_problems(build_destinations(v))


def _duplicate_problems(destinations):
    problems, seen = [], {}
    for dest in destinations:
        if dest.label in seen:
            problems.append(
                (
                    "flow_logs_destinations[{}]".format(dest.index),
                    "goes where flow_logs_destinations[{}] goes ({}); a resource has one flow log per "
                    "destination".format(seen[dest.label], dest.label),
                )
            )
        seen.setdefault(dest.label, dest.index)
    return problems


def tag_field_problems(tag_fields, destinations):
    """flow_logs_tag_fields set while no destination's format shows a tag field."""
    if tag_fields in FALSY or any(uses_tag_fields(d.log_format) for d in destinations):
        return []
    return [
        (
            "flow_logs_tag_fields",
            "no destination's log format has a tag field (${instance-tag}, ${interface-tag}, ${asg-tag} or their -2 "
            "forms) to show these tags in",
        )
    ]
