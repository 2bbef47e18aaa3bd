# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a target's flow logs go and on what: the role's destinations and resource types.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.

``flow_logs_destinations`` lists the destinations every covered resource gets a flow log to (for example REJECT
traffic to CloudWatch Logs for the alarms and ALL traffic to a central bucket in Parquet). Unset, it is the one
destination today's variables describe (``flow_logs_destination_type``, ``flow_logs_log_group_name``, ...), so
an inventory of 1.0.0 converges as it did. Settings a destination leaves unset come from those same variables.
``flow_logs_resource_types`` lists what is covered: VPCs (the default), transit gateways, their attachments,
regional NAT gateways. A *unit* is one resource type with one destination: one batched converge per unit.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_log_fields import (
    DESTINATION_TYPES,
    FILE_FORMATS,
    LOG_FORMAT_FIELD,
    TAG_FIELDS,
    TRANSIT_GATEWAY_TYPES,
)

#: What the role can cover, in the order the report lists them.
RESOURCE_TYPES = ("VPC", "TransitGateway", "TransitGatewayAttachment", "RegionalNatGateway")
COMMON_KEYS = ("type", "traffic_type", "log_format", "transit_gateway_log_format", "max_aggregation_interval")
#: Keys of a destination by its type; ``where`` is the key that says where records go.
TYPE_KEYS = {
    "cloud-watch-logs": ("log_group_name", "retention_in_days", "kms_key_id", "log_group_class"),
    "s3": ("bucket_arn", "file_format", "hive_compatible_partitions", "per_hour_partition"),
    "kinesis-data-firehose": ("firehose_arn",),
}
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
#: The tag on everything the role creates.
MANAGED_TAG = {"managed-by": "flowlogs.aws"}


def _label(kind, where):
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


def destination(v, entry, index):
    """One destination, normalized, with ``variable(key)``: the variable that sets each of its keys."""
    if entry is None:  # the single destination of the flow_logs_* variables
        entry = {key: v.get(var) for key, var in SINGLE.items()}
        entry["type"] = entry["type"] or "cloud-watch-logs"

        def variable(key):
            return SINGLE.get(key, "flow_logs_" + key)

    else:
        entry = dict(entry, **{k: v.get(var) for k, var in INHERITED.items() if entry.get(k) is None})

        def variable(key):
            return "flow_logs_destinations[{}].{}".format(index, key)

    kind = entry.get("type")
    cwl = kind == "cloud-watch-logs"
    where = entry.get(WHERE.get(kind, "log_group_name"))
    return dict(
        index=index,
        label=_label(kind, where),
        type=kind,
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
        variable=variable,
    )


def destinations(v):
    """The target's destinations, normalized (see destination()); the checks come first (destination_problems)."""
    if not _given(v):
        return [destination(v, None, 0)]
    return [destination(v, entry, i) for i, entry in enumerate(v["flow_logs_destinations"], start=1)]


def resource_types(v):
    return list(v.get("flow_logs_resource_types") or ["VPC"])


def cloudwatch_destinations(v):
    return [d for d in destinations(v) if d["type"] == "cloud-watch-logs"]


def alarm_destination(v):
    """The CloudWatch Logs destination the alarms read: the first one that logs rejected traffic."""
    found = [d for d in cloudwatch_destinations(v) if (d["traffic_type"] or "ALL") in ("ALL", "REJECT")]
    return found[0] if found else None


def unit_log_format(dest, resource_type):
    return dest["transit_gateway_log_format"] if resource_type in TRANSIT_GATEWAY_TYPES else dest["log_format"]


def uses_tag_fields(log_format):
    return bool(set(LOG_FORMAT_FIELD.findall(log_format or "")) & set(TAG_FIELDS))


def unit_options(v, dest, resource_type, role_arn=None, resource_ids=None, tags=None):
    """vpc_flow_log's options for one unit: ``resource_type`` to ``dest``."""
    cwl = dest["type"] == "cloud-watch-logs"
    tgw = resource_type in TRANSIT_GATEWAY_TYPES
    log_format = unit_log_format(dest, resource_type)
    return dict(
        state=v.get("flow_logs_state") or "present",
        resource_type=resource_type,
        resource_ids=list(resource_ids or []),
        destination_type=dest["type"],
        log_group_name=dest["log_group_name"],
        log_destination=dest["log_destination"],
        deliver_logs_role_arn=role_arn if cwl else None,
        traffic_type=None if tgw else dest["traffic_type"],
        max_aggregation_interval=None if tgw else dest["max_aggregation_interval"],
        log_format=log_format,
        destination_options=dest["destination_options"],
        tag_fields=v.get("flow_logs_tag_fields") if uses_tag_fields(log_format) and not tgw else None,
        tags=tags,
        purge_tags=False,
    )


#: Options of a unit's flow log that variables other than the destination's set.
FIXED_NAMES = dict(
    resource_ids="flow_logs_vpc_ids",
    vpc_ids="flow_logs_vpc_ids",
    exclude_vpc_ids="flow_logs_exclude_vpc_ids",
    filters="flow_logs_vpc_tag_filters",
    deliver_logs_role_arn="flow_logs_role_name",
    deliver_cross_account_role="flow_logs_role_name",
    resource_type="flow_logs_resource_types",
    state="flow_logs_state",
    tags="flow_logs_tags",
)


def unit_namer(dest):
    """An option of a unit's flow log -> the variable that sets it."""

    def name(option):
        if option.startswith("flow_logs_"):  # named already
            return option
        if option.split(".", 1)[0] == "tag_fields":
            return "flow_logs_" + option
        if option in FIXED_NAMES:
            return FIXED_NAMES[option]
        if option == "log_destination":
            return dest["variable"](WHERE.get(dest["type"], "bucket_arn"))
        return dest["variable"](OPTION_KEYS.get(option.split(".", 1)[0], option))

    return name


def log_group_namer(dest):
    """An option of flow_log_group for a destination -> the variable that sets it."""
    return lambda option: (
        "flow_logs_tags" if option == "tags" else dest["variable"]({"name": "log_group_name"}.get(option, option))
    )


def _entry_problems(entry, index):
    name = "flow_logs_destinations[{}]".format(index)
    if not isinstance(entry, dict):
        return ["{}: a dictionary with type and where the records go, got {!r}".format(name, entry)]
    kind = entry.get("type")
    if kind not in DESTINATION_TYPES:
        return ["{}.type: must be one of: {}, got: {}".format(name, ", ".join(DESTINATION_TYPES), kind)]
    allowed = COMMON_KEYS + TYPE_KEYS[kind]
    problems = [
        "{}: {!r} is not a setting of a {} destination; allowed: {}".format(name, key, kind, ", ".join(allowed))
        for key in entry
        if key not in allowed
    ]
    if entry.get(WHERE[kind]) in FALSY and kind != "cloud-watch-logs":
        problems.append("{}.{}: required for a {} destination".format(name, WHERE[kind], kind))
    if entry.get("file_format") not in (None, *FILE_FORMATS):
        problems.append(
            "{}.file_format: must be one of: {}, got: {}".format(name, ", ".join(FILE_FORMATS), entry["file_format"])
        )
    for key in ("hive_compatible_partitions", "per_hour_partition"):
        if entry.get(key) not in (None, True, False):
            problems.append("{}.{}: must be true or false, got: {!r}".format(name, key, entry[key]))
    return problems


def destination_problems(v):
    """What is wrong with flow_logs_destinations and flow_logs_resource_types themselves, each naming the variable.
    The flow log and log group rules of each destination are checked by the caller (units)."""
    problems = []
    types = v.get("flow_logs_resource_types")
    if types is not None:
        if not isinstance(types, list) or not types:
            problems.append("flow_logs_resource_types: a list of one or more of {}".format(", ".join(RESOURCE_TYPES)))
        else:
            problems += [
                "flow_logs_resource_types: must be one of: {}, got: {}".format(", ".join(RESOURCE_TYPES), t)
                for t in types
                if t not in RESOURCE_TYPES
            ]
            if len(set(map(str, types))) != len(types):
                problems.append("flow_logs_resource_types: lists a type twice")
    if not _given(v):
        return problems
    entries = v["flow_logs_destinations"]
    if not isinstance(entries, list):
        return [*problems, "flow_logs_destinations: a list of destinations, got {!r}".format(entries)]
    for index, entry in enumerate(entries, start=1):
        problems += _entry_problems(entry, index)
    if problems:
        return problems
    seen = {}
    for dest in destinations(v):
        if dest["label"] in seen:
            problems.append(
                "flow_logs_destinations[{}]: goes where flow_logs_destinations[{}] goes ({}); a resource has one flow "
                "log per destination".format(dest["index"], seen[dest["label"]], dest["label"])
            )
        seen.setdefault(dest["label"], dest["index"])
    return problems


def tag_field_problems(v):
    """flow_logs_tag_fields set while no destination's format shows a tag field."""
    if v.get("flow_logs_tag_fields") in FALSY:
        return []
    if any(uses_tag_fields(d["log_format"]) for d in destinations(v)):
        return []
    return [
        "flow_logs_tag_fields: no destination's log format has a tag field (${instance-tag}, ${interface-tag}, "
        "${asg-tag} or their -2 forms) to show these tags in"
    ]
