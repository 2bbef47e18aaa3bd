# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired flow log: one validation and one comparison, for every layer that judges a flow log.

Private to the collection: not a public API, it may change in any release. vpc_flow_log (converge),
vpc_flow_log_info (audit), the flow_logs role's preflight and the fleet report all ask this module, so
they cannot disagree about a resource. Pure: no AWS call.

Two purposes, one set of rules: ``CONVERGE`` needs everything a CreateFlowLogs call needs and fills AWS's
defaults (an unset interval is compared as 600); ``AUDIT`` compares only what was given.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import tag_problem
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.fields import (
    AGGREGATION_INTERVALS,
    CLOUD_WAN_TYPES,
    DEFAULT_LOG_FORMAT,
    DESTINATION_TYPES,
    FILE_FORMAT_ALIASES,
    FILE_FORMATS,
    FILTER_VALUES_PER_CALL,
    FIREHOSE_ARN,
    FIREHOSE_FORM,
    FLOW_LOG_FIELDS,
    IAM_ROLE_ARN,
    IMMUTABLE_FIELDS,
    LOG_FORMAT,
    LOG_FORMAT_FIELD,
    LOG_GROUP_NAME,
    RESOURCE_ID_PATTERNS,
    RESOURCE_TYPES,
    ROLE_FORM,
    S3_ARN,
    S3_FORM,
    TAG_FIELDS,
    TRAFFIC_TYPES,
    TRANSIT_GATEWAY_DEFAULT_LOG_FORMAT,
    TRANSIT_GATEWAY_FIELDS,
    TRANSIT_GATEWAY_TYPES,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.tag_fields import (
    normalize_tag_fields,
    tag_fields_problem,
)

CONVERGE = "converge"
AUDIT = "audit"


def _allowed(value, allowed):
    return "{!r} is not allowed; use one of {}".format(value, ", ".join(str(a) for a in allowed))


def resource_id_problem(ids, resource_type):
    """The message for ids that are not ``resource_type`` ids, or None."""
    pattern = RESOURCE_ID_PATTERNS[resource_type]
    bad = [rid for rid in ids or [] if not isinstance(rid, str) or not pattern.match(rid)]
    if not bad:
        return None
    shown = ", ".join(repr(b) for b in bad[:5])
    more = " and {} more are".format(len(bad) - 5) if len(bad) > 5 else (" is" if len(bad) == 1 else " are")
    return "{}{} not valid {} ids (expected like {})".format(shown, more, resource_type, pattern.pattern)


def log_group_name_problem(name):
    if not name or not isinstance(name, str) or not LOG_GROUP_NAME.match(name):
        return "{!r} is not a valid log group name: 1 to 512 characters from a-z A-Z 0-9 . - _ / #".format(name)
    if name.startswith("aws/"):
        return "{!r} is not a valid log group name: names starting with aws/ are reserved for AWS".format(name)
    return None


def log_format_problem(log_format, resource_type="VPC"):
    """What AWS would refuse in a LogFormat: the form, or a field it does not know for this resource type."""
    if log_format is None:
        return None
    if not isinstance(log_format, str) or not LOG_FORMAT.match(log_format):
        return "use space-separated ${field} tokens, for example '${version} ${srcaddr} ${dstaddr} ${action}'"
    tgw = resource_type in TRANSIT_GATEWAY_TYPES
    known = TRANSIT_GATEWAY_FIELDS if tgw else FLOW_LOG_FIELDS + TAG_FIELDS  # tag fields: see tag_fields_problem
    for field in LOG_FORMAT_FIELD.findall(log_format):
        if field not in known:
            return "unknown field ${{{}}} for {} flow logs; AWS accepts {}".format(
                field, "transit gateway" if tgw else "VPC", ", ".join(known)
            )
    return None


class _Rules:
    """Collects the problems of one set of options; ``name`` turns an option into what the user wrote
    (the module option itself, or the role variable that sets it)."""

    def __init__(self, options, purpose, name, role_managed):
        self.o = options
        self.purpose = purpose
        self.name = name
        self.role_managed = role_managed
        self.problems = []

    def add(self, option, message):
        if message:
            self.problems.append(ParameterError(self.name(option), message))

    @property
    def converging(self):
        return self.purpose == CONVERGE

    @property
    def present(self):
        return self.o.get("state") != "absent"

    def resources(self):
        o = self.o
        resource_type = o.get("resource_type") or "VPC"
        if resource_type in CLOUD_WAN_TYPES:
            self.add(
                "resource_type",
                "{} (Cloud WAN) is not supported by this collection yet; use one of {}".format(
                    resource_type, ", ".join(RESOURCE_TYPES)
                ),
            )
            return "VPC"
        if resource_type not in RESOURCE_TYPES:
            self.add("resource_type", _allowed(resource_type, RESOURCE_TYPES))
            return "VPC"
        for option in ("resource_ids", "vpc_ids", "exclude_vpc_ids"):
            self.add(option, resource_id_problem(o.get(option), resource_type if option == "resource_ids" else "VPC"))
        values = sum(len(v) if isinstance(v, list) else 1 for v in (o.get("filters") or {}).values())
        if values >= FILTER_VALUES_PER_CALL:
            self.add(
                "filters",
                "{} values in all; EC2 takes {} filter values per call, VPC ids included: use at most {}".format(
                    values, FILTER_VALUES_PER_CALL, FILTER_VALUES_PER_CALL - 1
                ),
            )
        return resource_type

    def capture(self, resource_type):
        """What a flow log records: the traffic, the aggregation interval, the record format and its tag fields."""
        self._traffic_type(resource_type)
        self._aggregation_interval(resource_type)
        self.add("log_format", log_format_problem(self.o.get("log_format"), resource_type))
        self._tag_fields(resource_type)

    def _traffic_type(self, resource_type):
        if resource_type not in TRANSIT_GATEWAY_TYPES:
            traffic_type = _wanted_traffic_type(self.o, resource_type)
            if traffic_type not in TRAFFIC_TYPES:
                self.add("traffic_type", _allowed(traffic_type, TRAFFIC_TYPES))
        elif self.o.get("traffic_type") is not None:
            self.add(
                "traffic_type",
                "transit gateway flow logs capture all traffic; leave {} unset".format(self.name("traffic_type")),
            )

    def _aggregation_interval(self, resource_type):
        interval = _wanted_interval(self.o, resource_type, self.purpose)
        allowed = (60,) if resource_type in TRANSIT_GATEWAY_TYPES else AGGREGATION_INTERVALS
        if interval is not None and interval not in allowed:
            self.add("max_aggregation_interval", _allowed(interval, allowed))

    def _tag_fields(self, resource_type):
        problem = tag_fields_problem(self.o.get("tag_fields"), self.o.get("log_format"), resource_type)
        if problem:
            # tag_fields_problem names its option first: tag_fields.<resource> or log_format.
            option, message = problem.split(": ", 1)
            self.add(option, message)

    def destination(self):
        """Where a flow log delivers: the type, what that type needs, destination_options, the delivery roles."""
        kind = self.o.get("destination_type") or "cloud-watch-logs"
        if kind not in DESTINATION_TYPES:
            self.add("destination_type", _allowed(kind, DESTINATION_TYPES))
            return
        if kind == "cloud-watch-logs":
            self._cloudwatch_logs()
        else:
            self._arn_destination(kind)
        self._destination_options(kind)
        self._role_arns()
        self._cross_account_role(kind)

    def _destination_options(self, kind):
        if self.o.get("destination_options") and kind != "s3":
            self.add("destination_options", "only used with {} s3".format(self.name("destination_type")))
        options = self.o.get("destination_options") or {}
        if options.get("file_format") not in (None, *FILE_FORMATS, *FILE_FORMAT_ALIASES):
            self.add("destination_options.file_format", _allowed(options["file_format"], FILE_FORMATS))

    def _role_arns(self):
        for option in ("deliver_logs_role_arn", "deliver_cross_account_role"):
            value = self.o.get(option)
            if value and not IAM_ROLE_ARN.match(value):
                self.add(option, "{!r} is not {}".format(value, ROLE_FORM))

    def _cross_account_role(self, kind):
        if not self.o.get("deliver_cross_account_role"):
            return
        if kind != "kinesis-data-firehose":
            self.add(
                "deliver_cross_account_role",
                "only used with {} kinesis-data-firehose (a delivery stream in another account)".format(
                    self.name("destination_type")
                ),
            )
        elif not self.o.get("deliver_logs_role_arn") and self.present:
            self.add(
                "deliver_cross_account_role",
                "needs {} too: AWS delivers across accounts with both roles".format(self.name("deliver_logs_role_arn")),
            )

    def _cloudwatch_logs(self):
        o = self.o
        group = o.get("log_group_name")
        if group:
            self.add("log_group_name", log_group_name_problem(group))
        elif self.converging:
            self.add("log_group_name", "required when {} is cloud-watch-logs".format(self.name("destination_type")))
        if o.get("log_destination"):
            self.add(
                "log_destination",
                "not used with cloud-watch-logs; name the group with {}".format(self.name("log_group_name")),
            )
        if self.converging and self.present and not self.role_managed and not o.get("deliver_logs_role_arn"):
            self.add(
                "deliver_logs_role_arn",
                "required when {} is cloud-watch-logs (see flowlogs.aws.flow_log_role)".format(
                    self.name("destination_type")
                ),
            )

    def _arn_destination(self, kind):
        """s3 and kinesis-data-firehose: an ARN in log_destination, no log group."""
        if self.o.get("log_group_name"):
            self.add(
                "log_group_name",
                "only used with {} cloud-watch-logs; use {}".format(
                    self.name("destination_type"), self.name("log_destination")
                ),
            )
        destination = self.o.get("log_destination")
        if not destination:
            if self.converging:
                form = S3_FORM if kind == "s3" else FIREHOSE_FORM
                self.add(
                    "log_destination", "required when {} is {}: {}".format(self.name("destination_type"), kind, form)
                )
        elif kind == "kinesis-data-firehose":
            self.add("log_destination", _firehose_arn_problem(destination))
        else:
            self.add("log_destination", _s3_arn_problem(destination))
            self._no_role_for_s3()

    def _no_role_for_s3(self):
        if self.o.get("deliver_logs_role_arn"):
            self.add(
                "deliver_logs_role_arn",
                "not used with {} s3 (S3 delivery uses the bucket policy)".format(self.name("destination_type")),
            )


def _firehose_arn_problem(destination):
    """The message for a log_destination that is not a Firehose delivery stream ARN, or None."""
    if not FIREHOSE_ARN.match(destination):
        return "{!r} is not {}".format(destination, FIREHOSE_FORM)
    return None


def _s3_arn_problem(destination):
    """The message for a log_destination that is not an S3 bucket ARN AWS accepts, or None."""
    match = S3_ARN.match(destination)
    if not match:
        return "{!r} is not {}".format(destination, S3_FORM)
    if match.group(2) and "AWSLogs" in match.group(2).split("/"):
        return "the S3 prefix may not contain a folder named AWSLogs: AWS adds it itself; use {}".format(S3_FORM)
    return None


def flow_log_problems(options, purpose=CONVERGE, name=str, role_managed=False):
    """Every rule ``options`` break, as ParameterErrors naming what the user wrote.

    ``name(option)`` gives the name of an option in messages (the role names its variables);
    ``role_managed``: the delivery role is made by the caller, so its ARN is not required yet."""
    rules = _Rules(options, purpose, name, role_managed)
    resource_type = rules.resources()
    rules.capture(resource_type)
    rules.destination()
    rules.add("tags", tag_problem(options.get("tags"), "ec2"))
    return rules.problems


def _wanted_traffic_type(options, resource_type):
    """The traffic a flow log captures: all of it (None: not an option) on a transit gateway, else ALL by default."""
    return None if resource_type in TRANSIT_GATEWAY_TYPES else (options.get("traffic_type") or "ALL")


def _wanted_interval(options, resource_type, purpose):
    """The aggregation interval compared: unset is AWS's default (60 on a transit gateway, else 600) when
    converging, and not compared in an audit."""
    interval = options.get("max_aggregation_interval")
    if interval is None and purpose == CONVERGE:
        return 60 if resource_type in TRANSIT_GATEWAY_TYPES else 600
    return interval


def _wanted_destination_options(destination_options):
    """S3's destination options with AWS's defaults filled and file format aliases resolved; None when unset."""
    if not destination_options:
        return None
    file_format = destination_options.get("file_format") or "plain-text"
    return dict(
        file_format=FILE_FORMAT_ALIASES.get(file_format, file_format),
        hive_compatible_partitions=bool(destination_options.get("hive_compatible_partitions")),
        per_hour_partition=bool(destination_options.get("per_hour_partition")),
    )


def flow_log_spec(options, purpose=CONVERGE, validated=False):
    """The validated, normalized desired flow log. Raises the first problem as a ParameterError (``validated``: the
    caller checked these options with flow_log_problems already)."""
    problems = [] if validated else flow_log_problems(options, purpose)
    if problems:
        raise problems[0]
    o = options
    resource_type = o.get("resource_type") or "VPC"
    destination = o.get("log_destination")
    return dict(
        resource_type=resource_type,
        traffic_type=_wanted_traffic_type(o, resource_type),
        log_destination_type=o.get("destination_type") or "cloud-watch-logs",
        log_group_name=o.get("log_group_name") or None,
        log_destination=destination.rstrip("/") if destination else None,
        deliver_logs_role_arn=o.get("deliver_logs_role_arn") or None,
        deliver_cross_account_role=o.get("deliver_cross_account_role") or None,
        max_aggregation_interval=_wanted_interval(o, resource_type, purpose),
        log_format=o.get("log_format"),
        destination_options=_wanted_destination_options(o.get("destination_options")),
        tag_fields=normalize_tag_fields(o.get("tag_fields")),
    )


def account_problem(spec, account):
    """Cross-account rules that need the caller's account (known once connected, before any EC2 call):
    (option, message) or None."""
    role = spec.get("deliver_logs_role_arn")
    kind = spec.get("log_destination_type")
    if kind == "cloud-watch-logs" and role and role.split(":")[4] != account:
        return (
            "deliver_logs_role_arn",
            "{} is in account {}; a CloudWatch Logs delivery role must be in the account of the flow logs ({})".format(
                role, role.split(":")[4], account
            ),
        )
    destination = spec.get("log_destination") or ""
    if kind == "kinesis-data-firehose" and not role and destination.split(":")[4:5] != [account]:
        return (
            "deliver_logs_role_arn",
            "required: the delivery stream is in account {}, the flow logs in {}".format(
                destination.split(":")[4], account
            ),
        )
    return None


def destination_of(flow_log):
    """Where a flow log delivers, as a comparable (type, name or ARN) pair."""
    kind = flow_log.get("log_destination_type") or "cloud-watch-logs"
    if kind == "cloud-watch-logs":
        name = flow_log.get("log_group_name")
        if not name and flow_log.get("log_destination"):
            name = flow_log["log_destination"].split(":log-group:", 1)[-1].split(":", 1)[0]
        return (kind, name)
    return (kind, (flow_log.get("log_destination") or "").rstrip("/") or None)


def goes_where_wanted(spec, flow_log):
    """True when ``flow_log`` delivers to the spec's destination (any of its type when the spec names none)."""
    kind, where = destination_of(flow_log)
    wanted_kind, wanted = destination_of(spec)
    return kind == wanted_kind and (wanted is None or wanted == where)


def default_log_format(resource_type):
    """The format AWS gives a flow log created without LogFormat."""
    return TRANSIT_GATEWAY_DEFAULT_LOG_FORMAT if resource_type in TRANSIT_GATEWAY_TYPES else DEFAULT_LOG_FORMAT


def drift(spec, flow_log):
    """Immutable fields where ``flow_log`` differs from ``spec``; unset ones are not compared."""
    fields = []
    for field in IMMUTABLE_FIELDS:
        wanted = spec.get(field)
        if wanted is None:
            continue
        actual = flow_log.get(field)
        if field in ("destination_options", "tag_fields") and actual is None:
            continue  # not reported by this endpoint: cannot be compared
        if field == "log_format" and actual is None:
            actual = default_log_format(spec.get("resource_type"))
        if field in ROLE_FIELDS and same_role(actual, wanted):
            continue
        if actual != wanted:
            fields.append(field)
    return fields


#: The fields that name an IAM role.
ROLE_FIELDS = ("deliver_logs_role_arn", "deliver_cross_account_role")


def same_role(actual, wanted):
    """Two role ARNs name one role: IAM role names are unique in an account whatever the path, so a role made under a
    path (by hand, or as an organisation asks) is the wanted one before any IAM call reads its real ARN."""
    found = _role_name(actual)
    return found is not None and found == _role_name(wanted)


def _role_name(arn):
    """(partition, account, name) of a role ARN, or None."""
    parts = (arn or "").split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    return parts[1], parts[4], parts[5].rsplit("/", 1)[-1]


def judge(spec, flow_logs):
    """(verdict, the flow log it is about, drifted fields) for one resource's flow logs. Pure.

    The same split as the converge plan: no flow log to the destination is ``missing`` (create), one that
    drifted is ``mismatched`` (replace), a matching one is ``compliant`` unless AWS reports its delivery
    FAILED (``delivery_failed``: replacing it would not help; the role or the group needs fixing).
    """
    candidates = [f for f in flow_logs if goes_where_wanted(spec, f)]
    if not candidates:
        return "missing", None, []
    matching = [f for f in candidates if not drift(spec, f)]
    healthy = [f for f in matching if f.get("deliver_logs_status") != "FAILED"]
    if healthy:
        return "compliant", healthy[0], []
    if matching:
        return "delivery_failed", matching[0], []
    return "mismatched", candidates[0], drift(spec, candidates[0])
