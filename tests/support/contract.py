"""AWS API contract check for the tests (never shipped to users' code paths).

moto server accepts many requests that real AWS refuses. While the tests run, every botocore API call is
checked against

* botocore's own service model, walked recursively over the operation's input shape: enum membership,
  string and blob ``min``/``max`` length, list and map ``min``/``max`` members, ``pattern`` and numeric
  ``min``/``max`` ranges (botocore's client-side validation only checks types, required members and
  minimums), and
* ``RULES``: AWS's documented limits that the model does not carry (one ``Rule`` per row: id, one-line
  description, source, the calls it applies to, and a small check over ``(service, operation, params)``).

A violation is appended as one JSON line to the file named by ``FLOWLOGS_CONTRACT_LOG`` and, for calls made
by the collection (a ``ansible_collections.flowlogs.aws`` frame on the stack), raises
:class:`ContractViolation` - a ``BotoCoreError`` - so the call fails visibly. Calls the test harness makes
itself (seeding moto, checking state) are logged with ``origin: harness`` and not raised unless
``FLOWLOGS_CONTRACT_SCOPE=all``.

How it gets into processes: ``install(None)`` wraps ``botocore.session.Session.__init__`` so every session
made from then on registers the checker on ``before-parameter-build`` (the event that carries the final
params and the operation model). ``tests/integration/conftest.py`` calls it in pytest's process; every
``ansible-playbook`` the tests start gets ``tests/support/contract_site`` on ``PYTHONPATH``, whose
``sitecustomize.py`` installs it when botocore.session is first imported, in the controller, its forked
workers and every module process.

Environment:

``FLOWLOGS_CONTRACT``        ``1`` turns the check on (default: ``ENABLED_BY_DEFAULT``)
``FLOWLOGS_CONTRACT_LOG``    JSON-lines file violations are appended to
``FLOWLOGS_CONTRACT_MODE``   ``raise`` (default) or ``log`` (record only: find every violation in one run)
``FLOWLOGS_CONTRACT_SCOPE``  ``collection`` (default) or ``all`` (raise for the harness's own calls too)
``FLOWLOGS_CONTRACT_TEST``   the test id, copied into each record
``FLOWLOGS_CONTRACT_STATS``  JSON-lines file each process appends its call count and checking time to

``python -m tests.support.contract --rules`` prints the rule table, ``--skipped-patterns`` the model
patterns Python's ``re`` cannot compile (those are skipped, and the rules cover the ones that matter).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import sys
import threading
import time
import unicodedata
import warnings
from pathlib import Path

import botocore
from botocore.exceptions import BotoCoreError

#: The switch. Flip to True once the collection makes no violating calls (``FLOWLOGS_CONTRACT`` wins).
ENABLED_BY_DEFAULT = True

ENV_SWITCH = "FLOWLOGS_CONTRACT"
ENV_LOG = "FLOWLOGS_CONTRACT_LOG"
ENV_MODE = "FLOWLOGS_CONTRACT_MODE"
ENV_SCOPE = "FLOWLOGS_CONTRACT_SCOPE"
ENV_TEST = "FLOWLOGS_CONTRACT_TEST"
ENV_STATS = "FLOWLOGS_CONTRACT_STATS"
#: Put this directory first on PYTHONPATH (with FLOWLOGS_CONTRACT=1) to check a child process's calls.
SITE_DIR = Path(__file__).resolve().parent / "contract_site"
COLLECTION_PREFIX = "ansible_collections.flowlogs.aws."
HANDLER_ID = "flowlogs-contract-check"
EVENT = "before-parameter-build"


def enabled(environ=None):
    """Whether the contract check is on: ``FLOWLOGS_CONTRACT`` if set, else ``ENABLED_BY_DEFAULT``."""
    value = (os.environ if environ is None else environ).get(ENV_SWITCH)
    if value is None or value.strip() == "":
        return ENABLED_BY_DEFAULT
    return value.strip().lower() in ("1", "true", "yes", "on")


def child_env(env, log_path=None):
    """``env`` (a dict, changed in place and returned) set up so a child process checks its AWS calls."""
    env[ENV_SWITCH] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SITE_DIR), env.get("PYTHONPATH")) if p)
    if log_path is not None:
        env[ENV_LOG] = str(log_path)
    return env


class ContractViolation(BotoCoreError):
    """An AWS call that real AWS would refuse (or that breaks a documented limit)."""

    fmt = "AWS contract violation [{rule}]: {message}"


class Violation:
    __slots__ = ("message", "rule", "source")

    def __init__(self, rule, source, message):
        self.rule, self.source, self.message = rule, source, message

    def __repr__(self):
        return "Violation({!r}, {!r})".format(self.rule, self.message)


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ============================================================================ documented rules

API_EC2 = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/"
API_LOGS = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/"
API_CW = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/"
API_IAM = "https://docs.aws.amazon.com/IAM/latest/APIReference/"
SRC_CREATE_FLOW_LOGS = "EC2 API Reference, CreateFlowLogs: " + API_EC2 + "API_CreateFlowLogs.html"
SRC_FLOW_LOG_RECORDS = (
    "Amazon VPC User Guide, Flow log records - Available fields: "
    "https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html#flow-logs-fields; Transit "
    "Gateway Guide, Transit Gateway Flow Log records: https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html"
)
SRC_TAGGING = (
    "Tagging AWS resources, Tag naming limits and requirements: "
    "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions"
)
SRC_IAM_QUOTAS = (
    "IAM User Guide, IAM and AWS STS quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
)
SRC_PUT_METRIC_ALARM = "CloudWatch API Reference, PutMetricAlarm: " + API_CW + "API_PutMetricAlarm.html"
SRC_GET_METRIC_DATA = (
    "CloudWatch API Reference, GetMetricData (MetricDataQueries: at most 500) and MetricDataQuery (Id: unique, starts "
    "with a lowercase letter, letters, numbers and underscores) and MetricStat (Period: 1, 5, 10, 20, 30 or a "
    "multiple of 60): "
    + API_CW
    + "API_GetMetricData.html, "
    + API_CW
    + "API_MetricDataQuery.html, "
    + API_CW
    + "API_MetricStat.html"
)
SRC_BUCKET_POLICY = (
    "Amazon S3 User Guide, Bucket policies (bucket policies are limited to 20 KB): "
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html"
)
SRC_KEY_POLICY = (
    "AWS KMS Developer Guide, Resource quotas (key policy document size: 32 KB) and KMS API Reference, PutKeyPolicy "
    "(PolicyName: the only valid name is default): https://docs.aws.amazon.com/kms/latest/developerguide/"
    "resource-limits.html, https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html"
)

TRANSIT_GATEWAY_TYPES = frozenset(("TransitGateway", "TransitGatewayAttachment"))
#: Cloud WAN resource types of CreateFlowLogs' ResourceType enum (botocore 1.44): same limits as transit gateways.
CLOUD_WAN_TYPES = frozenset(("CoreNetwork", "CoreNetworkEdge", "CoreNetworkAttachment"))
GATEWAY_TYPES = TRANSIT_GATEWAY_TYPES | CLOUD_WAN_TYPES
AGGREGATION_INTERVALS = (60, 600)
#: DestinationOptionsRequest.FileFormat's enum in the model (a unit test keeps the two equal).
FILE_FORMATS = ("plain-text", "parquet")

#: VPC flow log fields by the version that introduced them (user guide, "Available fields").
VPC_FLOW_LOG_FIELDS = {
    2: (
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
        "log-status"
    ),
    3: "vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr",
    4: "region az-id sublocation-type sublocation-id",
    5: "pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path",
    7: (
        "ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id "
        "ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id"
    ),
    8: "reject-reason",
    9: "resource-id",
    10: "encryption-status",
    # June 2026 (next-hop metadata and the EC2 tag fields below, which need TagFieldSpecifications).
    11: (
        "interface-type next-hop-interface-id next-hop-subnet-id next-hop-az-id next-hop-vpc-id next-hop-interface-type"
    ),
}
VPC_FIELDS = frozenset(f for fields in VPC_FLOW_LOG_FIELDS.values() for f in fields.split())
#: Transit gateway flow log fields (versions 2 to 6 of the Transit Gateway Guide's list).
_TGW_FIELD_LIST = (
    "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id "
    "tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id "
    "tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
    "log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded "
    "packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service"
)
TGW_FIELDS = frozenset(_TGW_FIELD_LIST.split())
#: EC2 tag fields: ${<prefix>} and ${<prefix>-2} show the 1st and 2nd TagKeys of the TagFieldSpecification
#: of that ResourceType (TagKeys holds at most 2 keys).
TAG_FIELD_PREFIX = {"network-interface": "interface-tag", "instance": "instance-tag", "auto-scaling-group": "asg-tag"}
LOG_FORMAT_TOKEN = re.compile(r"\$\{([a-z0-9][a-z0-9-]*)\}")

RETENTION_DAYS = frozenset(
    (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
)
LOG_GROUP_NAME = re.compile(r"[\.\-_/#A-Za-z0-9]+")
KMS_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+")
IAM_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
IAM_PATH = re.compile(r"/|/[\u0021-\u007e]+/")
IAM_DESCRIPTION = re.compile(r"[\u0009\u000a\u000d\u0020-\u007e\u00a1-\u00ff]*")
CW_NAMESPACE = re.compile(r"[0-9A-Za-z._\-/#: ]+")
TREAT_MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
WHITESPACE = re.compile(r"\s+")
TAG_PUNCTUATION = frozenset("_.:/=+-@")


def tag_chars_ok_unicodedata(text):
    """``^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$`` with unicodedata's general categories."""
    return all(c in TAG_PUNCTUATION or unicodedata.category(c)[0] in "LZN" for c in text)


#: The ASCII part of the tag character set: most tags, decided without Unicode tables.
_TAG_CHARS_ASCII = re.compile(r"[A-Za-z0-9 _.:/=+\-@]*")
_TAG_CHARS_UNICODE = []


def _unicode_tag_chars():
    """``\\p{..}`` classes with the regex module if it is installed (no dependency is added for it), else
    ``tag_chars_ok_unicodedata``. Imported on first need: most processes never see a non-ASCII tag."""
    if not _TAG_CHARS_UNICODE:
        try:
            import regex  # pylint: disable=import-outside-toplevel

            _TAG_CHARS_UNICODE.append(regex.compile(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*").fullmatch)
        except ImportError:  # pragma: no cover - depends on the environment
            _TAG_CHARS_UNICODE.append(tag_chars_ok_unicodedata)
    return _TAG_CHARS_UNICODE[0]


def tag_chars_ok(text):
    if text.isascii():
        return _TAG_CHARS_ASCII.fullmatch(text) is not None
    return bool(_unicode_tag_chars()(text))


class Rule:
    """One documented rule: ``check(service, operation, params)`` yields one message per breach."""

    __slots__ = ("check", "description", "id", "source", "targets")

    def __init__(self, rule_id, description, source, targets, check):
        self.id, self.description, self.source, self.targets, self.check = rule_id, description, source, targets, check

    def applies(self, service, operation):
        return any(t in ("{}:{}".format(service, operation), service + ":*") for t in self.targets)

    def __call__(self, service, operation, params):
        return [Violation(self.id, self.source, m) for m in self.check(service, operation, params) or ()]

    def __repr__(self):
        return "Rule({!r})".format(self.id)


def _resource_type(params):
    return params.get("ResourceType")


def check_flow_log_resource_ids(_service, _operation, params):
    ids = params.get("ResourceIds") or []
    limit = 25 if _resource_type(params) in GATEWAY_TYPES else 300
    if not ids:
        yield "ResourceIds is empty: name at least one resource"
    elif len(ids) > limit:
        yield "{} ResourceIds of type {} in one call (max {})".format(len(ids), _resource_type(params), limit)


def check_flow_log_traffic_type(_service, _operation, params):
    resource_type = _resource_type(params)
    if resource_type in GATEWAY_TYPES and "TrafficType" in params:
        yield "TrafficType {!r} is not supported for {} flow logs".format(params["TrafficType"], resource_type)
    elif resource_type not in GATEWAY_TYPES and not params.get("TrafficType"):
        yield "TrafficType is required for {} flow logs".format(resource_type)


def check_flow_log_aggregation(_service, _operation, params):
    if "MaxAggregationInterval" not in params:
        return
    value = params["MaxAggregationInterval"]
    if _resource_type(params) in GATEWAY_TYPES:
        if value != 60:
            yield "MaxAggregationInterval {!r} for {}: must be 60".format(value, _resource_type(params))
    elif value not in AGGREGATION_INTERVALS:
        yield "MaxAggregationInterval {!r}: must be 60 or 600".format(value)


def check_flow_log_roles(_service, _operation, params):
    destination = params.get("LogDestinationType") or "cloud-watch-logs"
    role = params.get("DeliverLogsPermissionArn")
    if destination == "cloud-watch-logs" and not role:
        yield "DeliverLogsPermissionArn is required for LogDestinationType cloud-watch-logs"
    if destination == "s3" and role:
        yield "DeliverLogsPermissionArn must not be given for LogDestinationType s3"
    if params.get("DeliverCrossAccountRole") and not role:
        yield "DeliverCrossAccountRole is given without DeliverLogsPermissionArn"


def check_flow_log_destination(_service, _operation, params):
    destination = params.get("LogDestinationType") or "cloud-watch-logs"
    group, arn = params.get("LogGroupName"), params.get("LogDestination")
    if destination == "cloud-watch-logs":
        if bool(group) == bool(arn):
            yield "cloud-watch-logs needs exactly one of LogGroupName and LogDestination (got {})".format(
                "both" if group else "neither"
            )
        elif arn and not re.match(r"arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:*]+$", arn):
            yield "LogDestination {} is not a CloudWatch Logs log group ARN".format(_short(arn))
        return
    if group:
        yield "LogGroupName is valid only for LogDestinationType cloud-watch-logs, not {}".format(destination)
    if not arn:
        yield "LogDestination is required for LogDestinationType {}".format(destination)
    elif destination == "s3":
        match = re.match(r"arn:aws[a-z-]*:s3:::([^/]+)(/.*)?$", arn)
        if not match:
            yield "LogDestination {} is not an S3 bucket ARN".format(_short(arn))
        elif "AWSLogs" in (match.group(2) or "").split("/"):
            yield "LogDestination {}: AWSLogs cannot be used as a subfolder name".format(_short(arn))
    elif destination == "kinesis-data-firehose" and not re.match(r"arn:aws[a-z-]*:firehose:", arn):
        yield "LogDestination {} is not a Firehose delivery stream ARN".format(_short(arn))


def check_flow_log_destination_options(_service, _operation, params):
    options = params.get("DestinationOptions")
    if options is None:
        return
    destination = params.get("LogDestinationType") or "cloud-watch-logs"
    if destination != "s3":
        yield "DestinationOptions are for LogDestinationType s3 only, not {}".format(destination)
    if "FileFormat" in options and options["FileFormat"] not in FILE_FORMATS:
        yield "DestinationOptions.FileFormat {!r} is not one of {}".format(
            options["FileFormat"], " | ".join(FILE_FORMATS)
        )


def _tag_fields(params):
    allowed = set()
    for spec in params.get("TagFieldSpecifications") or []:
        prefix = TAG_FIELD_PREFIX.get(spec.get("ResourceType"))
        keys = spec.get("TagKeys") or []
        if prefix and keys:
            allowed.add(prefix)
            if len(keys) > 1:
                allowed.add(prefix + "-2")
    return allowed


def check_flow_log_format(_service, _operation, params):
    log_format = params.get("LogFormat")
    if log_format is None:
        return
    if not log_format.strip():
        yield "LogFormat is empty: include at least one field"
        return
    tokens = log_format.split(" ")
    bad = [t for t in tokens if not LOG_FORMAT_TOKEN.fullmatch(t)]
    if bad:
        yield "LogFormat must be ${{field}} tokens separated by single spaces; bad token(s): {}".format(
            ", ".join(_short(b, 40) for b in bad[:5])
        )
    resource_type = _resource_type(params)
    if resource_type in CLOUD_WAN_TYPES:
        return  # Cloud WAN has its own field list, not checked here
    known = (TGW_FIELDS if resource_type in TRANSIT_GATEWAY_TYPES else VPC_FIELDS) | _tag_fields(params)
    unknown = [m.group(1) for t in tokens for m in [LOG_FORMAT_TOKEN.fullmatch(t)] if m and m.group(1) not in known]
    if unknown:
        yield "LogFormat field(s) {} are not documented {} flow log fields".format(
            ", ".join(unknown[:8]), "transit gateway" if resource_type in TRANSIT_GATEWAY_TYPES else "VPC"
        )


def check_flow_log_tag_specifications(_service, _operation, params):
    for spec in params.get("TagSpecifications") or []:
        if spec.get("ResourceType") != "vpc-flow-log":
            yield "TagSpecifications ResourceType {!r}: flow logs are tagged as 'vpc-flow-log'".format(
                spec.get("ResourceType")
            )


def check_log_group_name(service, _operation, params):
    name = params.get("LogGroupName" if service == "ec2" else "logGroupName")
    if name is None:
        return
    if not 1 <= len(name) <= 512:
        yield "log group name is {} characters (1 to 512)".format(len(name))
    if not LOG_GROUP_NAME.fullmatch(name):
        yield "log group name {} has characters outside a-z A-Z 0-9 _ - / . #".format(_short(name))
    if name.startswith("aws/"):
        yield "log group name {} starts with aws/ (reserved)".format(_short(name))


def check_delete_flow_logs(_service, _operation, params):
    ids = params.get("FlowLogIds") or []
    if len(ids) > 1000:
        yield "{} FlowLogIds in one call (max 1000)".format(len(ids))


def check_filter_values(_service, _operation, params):
    filters = params.get("Filters")
    if filters is None:
        filters = params.get("Filter")
    if not isinstance(filters, list):
        return
    total = sum(len(f.get("Values") or []) for f in filters if isinstance(f, dict))
    if total > 200:
        yield "{} filter values across {} filter(s) in one call (max 200; AWS answers FilterLimitExceeded)".format(
            total, len(filters)
        )


def check_ec2_tag_resources(_service, operation, params):
    resources = params.get("Resources") or []
    if len(resources) > 1000:
        yield "{} Resources in one {} call (max 1000)".format(len(resources), operation)
    if operation == "DeleteTags" and len(params.get("Tags") or []) > 1000:
        yield "{} Tags in one DeleteTags call (max 1000)".format(len(params["Tags"]))


#: Services whose tags must use the letters/spaces/digits + _.:/=+-@ character set.
STRICT_TAG_SERVICES = ("iam", "logs", "cloudwatch")


def tag_sets(service, operation, params):
    """The tags a call sets, as (where, [(key, value)]) per tag set."""
    found = []
    if service == "logs":
        if isinstance(params.get("tags"), dict):
            found.append(("tags", list(params["tags"].items())))
        return found
    if service == "ec2":
        for i, spec in enumerate(params.get("TagSpecifications") or []):
            found.append(("TagSpecifications[{}].Tags".format(i), _pairs(spec.get("Tags"))))
        if operation == "DeleteTags":
            return found
    if isinstance(params.get("Tags"), list):
        found.append(("Tags", _pairs(params["Tags"])))
    return found


def _pairs(tags):
    return [(t.get("Key"), t.get("Value")) for t in tags or [] if isinstance(t, dict)]


def check_tag_count(service, operation, params):
    for where, pairs in tag_sets(service, operation, params):
        if len(pairs) > 50:
            yield "{} tags in {} (max 50 per resource)".format(len(pairs), where)


def check_tag_prefix(service, operation, params):
    for where, pairs in tag_sets(service, operation, params):
        for key, _value in pairs:
            if isinstance(key, str) and key.lower().startswith("aws:"):
                yield "tag key {} in {} uses the reserved aws: prefix".format(_short(key), where)


def check_tag_lengths(service, operation, params):
    key_max = 127 if service == "ec2" else 128
    for where, pairs in tag_sets(service, operation, params):
        for key, value in pairs:
            if isinstance(key, str) and not 1 <= len(key) <= key_max:
                yield "tag key {} in {} is {} characters (1 to {})".format(_short(key), where, len(key), key_max)
            if isinstance(value, str) and len(value) > 256:
                yield "tag {} value in {} is {} characters (max 256)".format(_short(key), where, len(value))


def check_tag_charset(service, operation, params):
    if service not in STRICT_TAG_SERVICES:
        return
    for where, pairs in tag_sets(service, operation, params):
        for key, value in pairs:
            for what, text in (("key", key), ("value", value)):
                if isinstance(text, str) and not tag_chars_ok(text):
                    yield "tag {} {} in {} has characters outside letters, spaces, digits and _.:/=+-@".format(
                        what, _short(text), where
                    )


def check_retention(_service, _operation, params):
    days = params.get("retentionInDays")
    if days not in RETENTION_DAYS:
        yield "retentionInDays {!r} is not one of {}".format(days, ", ".join(str(d) for d in sorted(RETENTION_DAYS)))


def check_kms_key_arn(_service, _operation, params):
    key = params.get("kmsKeyId")
    if key is not None and not KMS_KEY_ARN.fullmatch(key):
        yield "kmsKeyId {} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)".format(_short(key))


def check_tagging_arn(_service, _operation, params):
    arn = params.get("resourceArn") or ""
    if arn.endswith(":*"):
        yield "resourceArn {} ends with :* (tagging APIs take the ARN without it: logGroupArn)".format(_short(arn))


def check_alarm_period(_service, _operation, params):
    period = params.get("Period")
    if period is not None and not (period in (10, 20, 30) or (period > 0 and period % 60 == 0)):
        yield "Period {!r}: valid values are 10, 20, 30 and any multiple of 60".format(period)


def check_alarm_window(_service, _operation, params):
    period, periods = params.get("Period"), params.get("EvaluationPeriods")
    if not isinstance(period, int) or not isinstance(periods, int):
        return
    limit = 86400 if period < 3600 else 604800
    if period * periods > limit:
        yield "Period x EvaluationPeriods = {} x {} = {} s (max {} for a period {} one hour)".format(
            period, periods, period * periods, limit, "under" if period < 3600 else "of at least"
        )


def check_alarm_datapoints(_service, _operation, params):
    points, periods = params.get("DatapointsToAlarm"), params.get("EvaluationPeriods")
    if isinstance(points, int) and isinstance(periods, int) and points > periods:
        yield "DatapointsToAlarm {} exceeds EvaluationPeriods {}".format(points, periods)


def check_alarm_name(_service, _operation, params):
    name = params.get("AlarmName")
    if name is None:
        return
    if not 1 <= len(name) <= 255:
        yield "AlarmName is {} characters (1 to 255)".format(len(name))
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        yield "AlarmName {} contains ASCII control characters".format(_short(name))


def check_alarm_namespace(_service, _operation, params):
    namespace = params.get("Namespace")
    if namespace is None:
        return
    if not 1 <= len(namespace) <= 255:
        yield "Namespace is {} characters (1 to 255)".format(len(namespace))
    if namespace.startswith(":"):
        yield "Namespace {} starts with ':' (model pattern [^:].*)".format(_short(namespace))
    if not CW_NAMESPACE.fullmatch(namespace) or not namespace.strip():
        yield "Namespace {} must be 0-9 A-Z a-z . - _ / # : and spaces, with a non-space character".format(
            _short(namespace)
        )


def check_treat_missing_data(_service, _operation, params):
    value = params.get("TreatMissingData")
    if value is not None and value not in TREAT_MISSING_DATA:
        yield "TreatMissingData {!r} is not one of {}".format(value, " | ".join(TREAT_MISSING_DATA))


def check_iam_role_name(_service, _operation, params):
    name = params.get("RoleName")
    if name is None:
        return
    if not 1 <= len(name) <= 64:
        yield "RoleName is {} characters (1 to 64)".format(len(name))
    if not IAM_NAME.fullmatch(name):
        yield "RoleName {} has characters outside A-Z a-z 0-9 _+=,.@-".format(_short(name))


def check_iam_path(_service, _operation, params):
    path = params.get("Path")
    if path is None:
        return
    if not 1 <= len(path) <= 512:
        yield "Path is {} characters (1 to 512)".format(len(path))
    if not IAM_PATH.fullmatch(path):
        yield "Path {} must be / or begin and end with / (printable ASCII, no spaces)".format(_short(path))


def check_iam_policy_name(_service, _operation, params):
    name = params.get("PolicyName")
    if name is None:
        return
    if not 1 <= len(name) <= 128:
        yield "PolicyName is {} characters (1 to 128)".format(len(name))
    if not IAM_NAME.fullmatch(name):
        yield "PolicyName {} has characters outside A-Z a-z 0-9 _+=,.@-".format(_short(name))


def policy_size(document):
    """A policy's size as IAM counts it against quotas: characters, white space not counted."""
    return len(WHITESPACE.sub("", document))


def _policy_documents(operation, params):
    if operation == "CreateRole":
        return [("AssumeRolePolicyDocument", params.get("AssumeRolePolicyDocument"))]
    return [("PolicyDocument", params.get("PolicyDocument"))]


def check_iam_policy_json(_service, operation, params):
    for where, document in _policy_documents(operation, params):
        if not isinstance(document, str):
            continue
        try:
            parsed = json.loads(document)
        except ValueError as exc:
            yield "{} is not JSON: {}".format(where, exc)
            continue
        if not isinstance(parsed, dict):
            yield "{} is JSON but not an object".format(where)


def check_trust_policy_size(_service, operation, params):
    for where, document in _policy_documents(operation, params):
        if isinstance(document, str) and policy_size(document) > 2048:
            yield "{} is {} characters without white space (role trust policy quota: 2,048)".format(
                where, policy_size(document)
            )


#: Inline policy sizes this process has put, per role: IAM's quota is on all of a role's inline policies
#: together. Only what this process saw is known, so this is a lower bound of the real aggregate.
_INLINE_POLICIES = {}
_STATE_LOCK = threading.Lock()


def reset_state():
    with _STATE_LOCK:
        _INLINE_POLICIES.clear()
        _PROTECTED_LOG_GROUPS.clear()


#: Log groups this process turned deletion protection on for (moto has no deletion protection: it would delete them).
_PROTECTED_LOG_GROUPS = set()


def _log_group_key(identifier):
    """A log group name, from its name or ARN (``...:log-group:<name>``, with or without ``:*``)."""
    identifier = identifier or ""
    if identifier.startswith("arn:"):
        identifier = identifier.split(":log-group:", 1)[-1]
        identifier = identifier[:-2] if identifier.endswith(":*") else identifier
    return identifier


def check_deletion_protection(_service, operation, params):
    """AWS refuses DeleteLogGroup on a protected group; moto, which has no deletion protection, deletes it."""
    with _STATE_LOCK:
        if operation == "CreateLogGroup":
            if params.get("deletionProtectionEnabled"):
                _PROTECTED_LOG_GROUPS.add(params.get("logGroupName"))
            return
        if operation == "PutLogGroupDeletionProtection":
            change = (
                _PROTECTED_LOG_GROUPS.add if params.get("deletionProtectionEnabled") else _PROTECTED_LOG_GROUPS.discard
            )
            change(_log_group_key(params.get("logGroupIdentifier")))
            return
        name = params.get("logGroupName")
        protected = name in _PROTECTED_LOG_GROUPS
        _PROTECTED_LOG_GROUPS.discard(name)
    if protected:
        yield "DeleteLogGroup {}: the group has deletion protection (lift it with {} first)".format(
            _short(name), "PutLogGroupDeletionProtection"
        )


def check_log_group_identifier(_service, _operation, params):
    identifier = params.get("logGroupIdentifier") or ""
    if identifier.startswith("arn:"):
        if identifier.endswith(":*") or not re.match(r"arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:", identifier):
            yield "logGroupIdentifier {} is not a log group ARN without :* (or a name)".format(_short(identifier))
    elif not (1 <= len(identifier) <= 512 and LOG_GROUP_NAME.fullmatch(identifier)):
        yield "logGroupIdentifier {!r}: a name is 1 to 512 of a-z A-Z 0-9 _ - / . #".format(_short(identifier))


def check_inline_policy_size(_service, operation, params):
    role = (params.get("RoleName") or "").lower()  # IAM names are not case-sensitive
    with _STATE_LOCK:
        if operation == "DeleteRole":
            _INLINE_POLICIES.pop(role, None)
            return
        if operation == "DeleteRolePolicy":
            _INLINE_POLICIES.get(role, {}).pop((params.get("PolicyName") or "").lower(), None)
            return
        document = params.get("PolicyDocument")
        if not isinstance(document, str):
            return
        policies = _INLINE_POLICIES.setdefault(role, {})
        policies[(params.get("PolicyName") or "").lower()] = policy_size(document)
        total = sum(policies.values())
    if total > 10240:
        yield "role {}'s inline policies total {} characters without white space (quota: 10,240){}".format(
            params.get("RoleName"), total, "" if len(policies) == 1 else " over {} policies".format(len(policies))
        )


METRIC_QUERY_ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")


def check_metric_data_queries(_service, _operation, params):
    queries = params.get("MetricDataQueries") or []
    if len(queries) > 500:
        yield "{} MetricDataQueries in one call (max 500)".format(len(queries))
    ids = [q.get("Id") for q in queries]
    for query_id in sorted({i for i in ids if ids.count(i) > 1}):
        yield "MetricDataQueries Id {!r} is not unique".format(query_id)
    for query in queries:
        if not METRIC_QUERY_ID.match(query.get("Id") or ""):
            yield "MetricDataQueries Id {!r}: starts with a lowercase letter, then letters, numbers, _".format(
                query.get("Id")
            )
        period = (query.get("MetricStat") or {}).get("Period")
        if period is not None and not (period in (1, 5, 10, 20, 30) or (period > 0 and period % 60 == 0)):
            yield "MetricStat.Period {!r}: 1, 5, 10, 20, 30 or a multiple of 60".format(period)


def check_metric_data_times(_service, _operation, params):
    start, end = params.get("StartTime"), params.get("EndTime")
    if start is not None and end is not None and not start < end:
        yield "StartTime {} is not before EndTime {}".format(start, end)


def check_log_streams_order(_service, _operation, params):
    if params.get("orderBy") == "LastEventTime" and params.get("logStreamNamePrefix"):
        yield "orderBy LastEventTime with logStreamNamePrefix {!r}: AWS refuses the two together".format(
            params["logStreamNamePrefix"]
        )


def check_iam_description(_service, _operation, params):
    description = params.get("Description")
    if description is None:
        return
    if len(description) > 1000:
        yield "Description is {} characters (max 1000)".format(len(description))
    if not IAM_DESCRIPTION.fullmatch(description):
        yield "Description {} has characters outside tab, newline and printable Latin-1".format(_short(description))


def _resource_policy(service, params):
    """(name, document, limit in bytes) of an S3 bucket policy or KMS key policy call."""
    return ("Policy", params.get("Policy"), 20 * 1024 if service == "s3" else 32 * 1024)


def check_resource_policy(service, _operation, params):
    where, document, limit = _resource_policy(service, params)
    if not isinstance(document, str):
        return
    size = len(document.encode("utf-8"))
    if size > limit:
        yield "{} is {} bytes (limit {})".format(where, size, limit)
    try:
        parsed = json.loads(document)
    except ValueError as exc:
        yield "{} is not JSON: {}".format(where, exc)
        return
    if not isinstance(parsed, dict) or not parsed.get("Statement"):
        yield "{} is not a policy document with statements".format(where)


def check_key_policy_name(_service, _operation, params):
    name = params.get("PolicyName")
    if name is not None and name != "default":
        yield "PolicyName {} is not default, the only key policy name KMS accepts".format(_short(name))


#: Contributor Insights rule syntax (CloudWatch User Guide): the operators a filter may use.
INSIGHT_FILTER_OPERATORS = (
    "In",
    "NotIn",
    "StartsWith",
    "GreaterThan",
    "LessThan",
    "EqualTo",
    "NotEqualTo",
    "IsPresent",
)
SRC_INSIGHT_RULES = (
    "CloudWatch User Guide, Contributor Insights rule syntax: "
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html"
)


def _insight_rule_body(params):
    try:
        body = json.loads(params.get("RuleDefinition") or "")
    except ValueError as exc:
        return None, "RuleDefinition is not JSON: {}".format(exc)
    if not isinstance(body, dict):
        return None, "RuleDefinition is JSON but not an object"
    return body, None


def _insight_filter_problems(filters):
    if not isinstance(filters, list) or len(filters) > 4:
        yield "Contribution.Filters must be a list of at most 4 filters"
        return
    for i, found in enumerate(filters):
        operators = [k for k in found if k in INSIGHT_FILTER_OPERATORS] if isinstance(found, dict) else []
        if not isinstance(found, dict) or "Match" not in found or len(operators) != 1:
            yield "Filters[{}] needs Match and exactly one of {}".format(i, ", ".join(INSIGHT_FILTER_OPERATORS))
        elif operators[0] in ("In", "NotIn", "StartsWith") and not (
            isinstance(found[operators[0]], list) and 1 <= len(found[operators[0]]) <= 10
        ):
            yield "Filters[{}].{} must list 1 to 10 values".format(i, operators[0])


def check_insight_rule_definition(_service, _operation, params):
    body, problem = _insight_rule_body(params)
    if problem:
        yield problem
        return
    if body.get("Schema") != {"Name": "CloudWatchLogRule", "Version": 1}:
        yield 'Schema must be {{"Name": "CloudWatchLogRule", "Version": 1}}, got {}'.format(_short(body.get("Schema")))
    if bool(body.get("LogGroupNames")) == bool(body.get("LogGroupARNs")):
        yield "exactly one of LogGroupNames and LogGroupARNs must list log groups"
    if body.get("LogFormat") not in ("JSON", "CLF"):
        yield "LogFormat {!r} is not JSON or CLF".format(body.get("LogFormat"))
    fields = body.get("Fields") or {}
    if fields and (body.get("LogFormat") != "CLF" or not all(str(k).isdigit() and int(k) >= 1 for k in fields)):
        yield "Fields names CLF positions: keys 1, 2, ... and LogFormat CLF"
    contribution = body.get("Contribution") or {}
    keys = contribution.get("Keys")
    if not isinstance(keys, list) or not 1 <= len(keys) <= 4:
        yield "Contribution.Keys must list 1 to 4 fields"
    yield from _insight_filter_problems(contribution.get("Filters", []))
    aggregate = body.get("AggregateOn")
    if aggregate not in ("Count", "Sum"):
        yield "AggregateOn {!r} is not Count or Sum".format(aggregate)
    elif (aggregate == "Sum") != ("ValueOf" in contribution):
        yield "Contribution.ValueOf goes with AggregateOn Sum, and only with it"


RULES = (
    Rule(
        "cloudwatch-get-metric-data-queries",
        "GetMetricData: at most 500 MetricDataQueries, each Id unique and [a-z][A-Za-z0-9_]*, MetricStat.Period 1, 5, "
        "10, 20, 30 or a multiple of 60",
        SRC_GET_METRIC_DATA,
        ("cloudwatch:GetMetricData",),
        check_metric_data_queries,
    ),
    Rule(
        "cloudwatch-get-metric-data-times",
        "GetMetricData: StartTime before EndTime",
        SRC_GET_METRIC_DATA + " (EndTime: the time stamp must be after StartTime)",
        ("cloudwatch:GetMetricData",),
        check_metric_data_times,
    ),
    Rule(
        "logs-describe-log-streams-order",
        "DescribeLogStreams: orderBy LastEventTime cannot go with logStreamNamePrefix",
        "CloudWatch Logs API Reference, DescribeLogStreams (orderBy: If you order the results by event time, you "
        "cannot specify the logStreamNamePrefix parameter): " + API_LOGS + "API_DescribeLogStreams.html",
        ("logs:DescribeLogStreams",),
        check_log_streams_order,
    ),
    Rule(
        "s3-bucket-policy",
        "PutBucketPolicy: Policy is a JSON policy document with statements, at most 20 KB",
        SRC_BUCKET_POLICY,
        ("s3:PutBucketPolicy",),
        check_resource_policy,
    ),
    Rule(
        "kms-key-policy",
        "PutKeyPolicy: Policy is a JSON policy document with statements, at most 32 KB",
        SRC_KEY_POLICY,
        ("kms:PutKeyPolicy",),
        check_resource_policy,
    ),
    Rule(
        "kms-key-policy-name",
        "GetKeyPolicy / PutKeyPolicy: PolicyName is default",
        SRC_KEY_POLICY,
        ("kms:GetKeyPolicy", "kms:PutKeyPolicy"),
        check_key_policy_name,
    ),
    Rule(
        "ec2-create-flow-logs-resource-ids",
        "CreateFlowLogs: 1 to 300 ResourceIds per call, at most 25 for transit gateway and Cloud WAN types",
        SRC_CREATE_FLOW_LOGS + " (ResourceIds constraints)",
        ("ec2:CreateFlowLogs",),
        check_flow_log_resource_ids,
    ),
    Rule(
        "ec2-create-flow-logs-traffic-type",
        "CreateFlowLogs: TrafficType required, except for transit gateway and Cloud WAN types where it is refused",
        SRC_CREATE_FLOW_LOGS + " (TrafficType)",
        ("ec2:CreateFlowLogs",),
        check_flow_log_traffic_type,
    ),
    Rule(
        "ec2-create-flow-logs-aggregation-interval",
        "CreateFlowLogs: MaxAggregationInterval is 60 or 600, and 60 for transit gateway and Cloud WAN types",
        SRC_CREATE_FLOW_LOGS + " (MaxAggregationInterval)",
        ("ec2:CreateFlowLogs",),
        check_flow_log_aggregation,
    ),
    Rule(
        "ec2-create-flow-logs-delivery-role",
        "CreateFlowLogs: DeliverLogsPermissionArn required for cloud-watch-logs, refused for s3; "
        "DeliverCrossAccountRole only with DeliverLogsPermissionArn",
        SRC_CREATE_FLOW_LOGS + " (DeliverLogsPermissionArn, DeliverCrossAccountRole); Amazon VPC User Guide, "
        "Publish flow logs to Amazon S3 (no IAM role) https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html",
        ("ec2:CreateFlowLogs",),
        check_flow_log_roles,
    ),
    Rule(
        "ec2-create-flow-logs-destination",
        "CreateFlowLogs: cloud-watch-logs takes LogGroupName or a log-group LogDestination (not both); s3 and "
        "Firehose take a bucket/stream ARN LogDestination and no LogGroupName; no AWSLogs subfolder",
        SRC_CREATE_FLOW_LOGS + " (LogGroupName, LogDestination)",
        ("ec2:CreateFlowLogs",),
        check_flow_log_destination,
    ),
    Rule(
        "ec2-create-flow-logs-destination-options",
        "CreateFlowLogs: DestinationOptions only with LogDestinationType s3; FileFormat plain-text | parquet",
        "EC2 API Reference, DestinationOptionsRequest: " + API_EC2 + "API_DestinationOptionsRequest.html",
        ("ec2:CreateFlowLogs",),
        check_flow_log_destination_options,
    ),
    Rule(
        "ec2-create-flow-logs-log-format",
        "CreateFlowLogs: LogFormat is ${field} tokens separated by single spaces, fields from the documented "
        "list (VPC versions 2-11, or transit gateway; EC2 tag fields only with TagFieldSpecifications)",
        SRC_CREATE_FLOW_LOGS + " (LogFormat); " + SRC_FLOW_LOG_RECORDS,
        ("ec2:CreateFlowLogs",),
        check_flow_log_format,
    ),
    Rule(
        "ec2-create-flow-logs-tag-resource-type",
        "CreateFlowLogs: TagSpecifications tag the new flow logs, ResourceType vpc-flow-log",
        SRC_CREATE_FLOW_LOGS
        + " (TagSpecifications); EC2 API Reference, TagSpecification: "
        + API_EC2
        + "API_TagSpecification.html",
        ("ec2:CreateFlowLogs",),
        check_flow_log_tag_specifications,
    ),
    Rule(
        "logs-log-group-name",
        "Log group names: 1 to 512 of a-z A-Z 0-9 _ - / . #, not starting with aws/ "
        "(CreateLogGroup, and CreateFlowLogs' LogGroupName, which may create the group)",
        "CloudWatch Logs API Reference, CreateLogGroup: " + API_LOGS + "API_CreateLogGroup.html",
        ("logs:CreateLogGroup", "ec2:CreateFlowLogs"),
        check_log_group_name,
    ),
    Rule(
        "ec2-delete-flow-logs-ids",
        "DeleteFlowLogs: at most 1000 FlowLogIds per call",
        "EC2 API Reference, DeleteFlowLogs (FlowLogIds constraint): " + API_EC2 + "API_DeleteFlowLogs.html",
        ("ec2:DeleteFlowLogs",),
        check_delete_flow_logs,
    ),
    Rule(
        "ec2-filter-values",
        "EC2 Describe* calls: at most 200 filter values in total across all Filters of one call",
        "EC2 API Reference, Error codes (FilterLimitExceeded: too many filters or filter values): "
        + API_EC2
        + "errors-overview.html; the 200-value limit is the collection's documented chunk size "
        "(plugins/module_utils/aws_api.py FILTER_CHUNK)",
        ("ec2:*",),
        check_filter_values,
    ),
    Rule(
        "ec2-tags-resources-per-call",
        "CreateTags / DeleteTags: at most 1000 Resources per call (and 1000 Tags for DeleteTags)",
        "EC2 API Reference, CreateTags and DeleteTags (Resources constraints): "
        + API_EC2
        + "API_CreateTags.html, "
        + API_EC2
        + "API_DeleteTags.html",
        ("ec2:CreateTags", "ec2:DeleteTags"),
        check_ec2_tag_resources,
    ),
    Rule(
        "tags-max-50",
        "Tags: at most 50 per resource (EC2 TagSpecifications/CreateTags, logs tags, IAM Tags, CloudWatch Tags)",
        SRC_TAGGING + "; " + SRC_IAM_QUOTAS + " (tags per role); CloudWatch Logs TagResource and CloudWatch "
        "TagResource (as many as 50 tags)",
        ("ec2:*", "logs:*", "iam:*", "cloudwatch:*"),
        check_tag_count,
    ),
    Rule(
        "tags-aws-prefix",
        "Tags: keys must not start with aws: (any case), which AWS reserves",
        SRC_TAGGING + "; EC2 API Reference, Tag (Key: may not begin with aws:): " + API_EC2 + "API_Tag.html",
        ("ec2:*", "logs:*", "iam:*", "cloudwatch:*"),
        check_tag_prefix,
    ),
    Rule(
        "tags-length",
        "Tags: key 1 to 128 characters (EC2: 127), value 0 to 256",
        SRC_TAGGING + "; EC2 API Reference, Tag (127 / 256 Unicode characters): " + API_EC2 + "API_Tag.html",
        ("ec2:*", "logs:*", "iam:*", "cloudwatch:*"),
        check_tag_lengths,
    ),
    Rule(
        "tags-charset",
        r"IAM, CloudWatch Logs and CloudWatch tags: keys and values match ^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$",
        "IAM API Reference, Tag: " + API_IAM + "API_Tag.html; CloudWatch Logs API Reference, TagResource "
        "(tags key/value pattern): " + API_LOGS + "API_TagResource.html; " + SRC_TAGGING,
        ("logs:*", "iam:*", "cloudwatch:*"),
        check_tag_charset,
    ),
    Rule(
        "logs-retention-days",
        "PutRetentionPolicy: retentionInDays is one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, "
        "731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        "CloudWatch Logs API Reference, PutRetentionPolicy: " + API_LOGS + "API_PutRetentionPolicy.html",
        ("logs:PutRetentionPolicy",),
        check_retention,
    ),
    Rule(
        "logs-kms-key-arn",
        "CreateLogGroup / AssociateKmsKey: kmsKeyId is a KMS key ARN (not a key id or alias)",
        "CloudWatch Logs API Reference, CreateLogGroup and AssociateKmsKey (kmsKeyId: the ARN of the KMS key): "
        + API_LOGS
        + "API_CreateLogGroup.html, "
        + API_LOGS
        + "API_AssociateKmsKey.html",
        ("logs:CreateLogGroup", "logs:AssociateKmsKey"),
        check_kms_key_arn,
    ),
    Rule(
        "logs-group-identifier",
        "PutLogGroupDeletionProtection: logGroupIdentifier is a log group name (1 to 512 of a-z A-Z 0-9 _ - / . #) "
        "or its ARN without the trailing :*",
        "CloudWatch Logs API Reference, PutLogGroupDeletionProtection (logGroupIdentifier): "
        + API_LOGS
        + "API_PutLogGroupDeletionProtection.html",
        ("logs:PutLogGroupDeletionProtection",),
        check_log_group_identifier,
    ),
    Rule(
        "logs-delete-protected-group",
        "DeleteLogGroup: refused while the group has deletion protection (CreateLogGroup deletionProtectionEnabled or "
        "PutLogGroupDeletionProtection turned it on; moto has no deletion protection and would delete it)",
        "CloudWatch Logs API Reference, PutLogGroupDeletionProtection (deletion protection blocks all deletion "
        "operations until it is explicitly disabled): " + API_LOGS + "API_PutLogGroupDeletionProtection.html",
        ("logs:CreateLogGroup", "logs:PutLogGroupDeletionProtection", "logs:DeleteLogGroup"),
        check_deletion_protection,
    ),
    Rule(
        "logs-tagging-arn",
        "TagResource / UntagResource / ListTagsForResource: resourceArn without the trailing :*",
        "CloudWatch Logs API Reference, LogGroup (logGroupArn vs arn): " + API_LOGS + "API_LogGroup.html",
        ("logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"),
        check_tagging_arn,
    ),
    Rule(
        "cloudwatch-alarm-period",
        "PutMetricAlarm: Period is 10, 20, 30 or a multiple of 60",
        SRC_PUT_METRIC_ALARM + " (Period)",
        ("cloudwatch:PutMetricAlarm",),
        check_alarm_period,
    ),
    Rule(
        "cloudwatch-alarm-evaluation-window",
        "PutMetricAlarm: Period x EvaluationPeriods <= 86,400 s for periods under 3,600 s, else <= 604,800 s",
        SRC_PUT_METRIC_ALARM + " (Period: total evaluation period one day / seven days)",
        ("cloudwatch:PutMetricAlarm",),
        check_alarm_window,
    ),
    Rule(
        "cloudwatch-alarm-datapoints",
        "PutMetricAlarm: DatapointsToAlarm (M) is at most EvaluationPeriods (N)",
        SRC_PUT_METRIC_ALARM + " (DatapointsToAlarm, EvaluationPeriods: M out of N)",
        ("cloudwatch:PutMetricAlarm",),
        check_alarm_datapoints,
    ),
    Rule(
        "cloudwatch-alarm-name",
        "PutMetricAlarm: AlarmName 1 to 255 characters, no ASCII control characters",
        SRC_PUT_METRIC_ALARM + " (AlarmName)",
        ("cloudwatch:PutMetricAlarm",),
        check_alarm_name,
    ),
    Rule(
        "cloudwatch-alarm-namespace",
        "PutMetricAlarm: Namespace 1 to 255 of 0-9 A-Z a-z . - _ / # : and space, not starting with ':'",
        SRC_PUT_METRIC_ALARM + " (Namespace pattern [^:].*); CloudWatch User Guide, Namespaces: "
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Namespace",
        ("cloudwatch:PutMetricAlarm",),
        check_alarm_namespace,
    ),
    Rule(
        "cloudwatch-treat-missing-data",
        "PutMetricAlarm: TreatMissingData is breaching | notBreaching | ignore | missing",
        SRC_PUT_METRIC_ALARM + " (TreatMissingData valid values)",
        ("cloudwatch:PutMetricAlarm",),
        check_treat_missing_data,
    ),
    Rule(
        "iam-role-name",
        "IAM RoleName: 1 to 64 of A-Z a-z 0-9 _+=,.@-",
        SRC_IAM_QUOTAS + " (role name 64); IAM API Reference, CreateRole: " + API_IAM + "API_CreateRole.html",
        ("iam:*",),
        check_iam_role_name,
    ),
    Rule(
        "iam-path",
        "IAM Path: / or /.../ of printable ASCII, 1 to 512 characters",
        SRC_IAM_QUOTAS + " (path 512); IAM API Reference, CreateRole (Path): " + API_IAM + "API_CreateRole.html",
        ("iam:CreateRole", "iam:CreatePolicy", "iam:CreateUser", "iam:CreateInstanceProfile"),
        check_iam_path,
    ),
    Rule(
        "iam-policy-name",
        "IAM inline PolicyName: 1 to 128 of A-Z a-z 0-9 _+=,.@-",
        SRC_IAM_QUOTAS + " (policy name 128); IAM API Reference, PutRolePolicy: " + API_IAM + "API_PutRolePolicy.html",
        ("iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"),
        check_iam_policy_name,
    ),
    Rule(
        "iam-policy-json",
        "IAM policy documents are JSON objects",
        "IAM API Reference, CreateRole / PutRolePolicy / UpdateAssumeRolePolicy (policies in JSON format): "
        + API_IAM
        + "API_PutRolePolicy.html",
        ("iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy"),
        check_iam_policy_json,
    ),
    Rule(
        "iam-trust-policy-size",
        "IAM role trust policy: at most 2,048 characters, white space not counted (default quota)",
        SRC_IAM_QUOTAS + " (Role trust policy length; IAM doesn't count white space)",
        ("iam:CreateRole", "iam:UpdateAssumeRolePolicy"),
        check_trust_policy_size,
    ),
    Rule(
        "iam-inline-policy-size",
        "IAM role inline policies: at most 10,240 characters together, white space not counted "
        "(checked over the policies this process put)",
        SRC_IAM_QUOTAS + " (Role policy size: inline policies aggregate 10,240 characters)",
        ("iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DeleteRole"),
        check_inline_policy_size,
    ),
    Rule(
        "cloudwatch-insight-rule-definition",
        "PutInsightRule: RuleDefinition is a CloudWatchLogRule (schema version 1): log groups by name or ARN, "
        "LogFormat JSON or CLF (Fields: CLF positions), 1 to 4 Keys, at most 4 Filters with one operator each "
        "(In / NotIn / StartsWith: 1 to 10 values), AggregateOn Count, or Sum with ValueOf",
        SRC_INSIGHT_RULES,
        ("cloudwatch:PutInsightRule",),
        check_insight_rule_definition,
    ),
    Rule(
        "iam-role-description",
        "IAM role Description: at most 1000 characters of tab, newline and printable Latin-1",
        SRC_IAM_QUOTAS
        + " (role description 1000); IAM API Reference, CreateRole / UpdateRole (Description): "
        + API_IAM
        + "API_CreateRole.html",
        ("iam:CreateRole", "iam:UpdateRole", "iam:UpdateRoleDescription"),
        check_iam_description,
    ),
)
RULES_BY_ID = {r.id: r for r in RULES}
assert len(RULES_BY_ID) == len(RULES), "duplicate rule ids"

_RULE_INDEX = {}


def rules_for(service, operation):
    key = (service, operation)
    found = _RULE_INDEX.get(key)
    if found is None:
        found = _RULE_INDEX[key] = tuple(r for r in RULES if r.applies(service, operation))
    return found


def check_rules(service, operation, params):
    """Violations of the documented rules by one call."""
    found = []
    for rule in rules_for(service, operation):
        found.extend(rule(service, operation, params))
    return found


# ============================================================================ the service model walker

#: Model patterns Python's re cannot compile (or would read differently), with the reason: skipped.
SKIPPED_PATTERNS = {}
_PATTERNS = {}
#: Java character-class syntax Python's re does not share: \p{..}, \P{..}, intersections, POSIX \h.
_JAVA_ONLY = re.compile(r"\\[pPhH]\{|\\[hH]|&&")


def compile_pattern(pattern):
    """The model's ``pattern`` as a Python regex (Java's ASCII \\w \\d \\s), or None when it cannot be."""
    if pattern in _PATTERNS:
        return _PATTERNS[pattern]
    compiled = None
    if _JAVA_ONLY.search(pattern):
        SKIPPED_PATTERNS[pattern] = "Java-only syntax (\\p{..} classes, && intersections or \\h)"
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # e.g. FutureWarning "Possible nested set": ambiguous meaning
                compiled = re.compile(pattern, re.ASCII)
        except (re.error, Warning, ValueError, OverflowError) as exc:
            SKIPPED_PATTERNS[pattern] = "{}: {}".format(type(exc).__name__, exc)
    _PATTERNS[pattern] = compiled
    return compiled


class _Node:
    __slots__ = ("source",)

    def walk(self, value, path, out):
        pass


_NOTHING = _Node()
_UNCOMPILED = object()


class _Scalar(_Node):
    __slots__ = ("enum", "high", "low", "numeric", "pattern", "pattern_text", "shape_name")

    def walk(self, value, path, out):
        if isinstance(value, bool):
            return
        if not self.numeric:
            if isinstance(value, (str, bytes, bytearray)):
                self._walk_text(value, path, out)
        elif isinstance(value, (int, float)):
            if self.low is not None and value < self.low:
                out.append(self._violation("model-range", "{} = {} is under the model's min {}", path, value, self.low))
            if self.high is not None and value > self.high:
                out.append(self._violation("model-range", "{} = {} is over the model's max {}", path, value, self.high))

    def _walk_text(self, value, path, out):
        if self.enum is not None and isinstance(value, str) and value not in self.enum:
            out.append(
                self._violation(
                    "model-enum", "{} = {} is not in the model's enum {}", path, _short(value), sorted(self.enum)
                )
            )
        size = len(value)
        if self.high is not None and size > self.high:
            out.append(self._violation("model-length", "{} is {} long, over the model's max {}", path, size, self.high))
        if self.low is not None and size < self.low:
            out.append(self._violation("model-length", "{} is {} long, under the model's min {}", path, size, self.low))
        if self.pattern is _UNCOMPILED:
            self.pattern = compile_pattern(self.pattern_text)  # on first use: most shapes never see a value
        if self.pattern is not None and isinstance(value, str) and self.pattern.fullmatch(value) is None:
            out.append(
                self._violation(
                    "model-pattern",
                    "{} = {} does not match the model's pattern {}",
                    path,
                    _short(value),
                    self.pattern_text,
                )
            )

    def _violation(self, rule, fmt, path, *args):
        return Violation(rule, self.source, fmt.format(path, *args) + " (shape {})".format(self.shape_name))


class _List(_Node):
    __slots__ = ("high", "low", "member", "shape_name")

    def walk(self, value, path, out):
        if not isinstance(value, (list, tuple)):
            return
        _count_check(self, len(value), "members", path, out)
        member = self.member
        if member is not _NOTHING:
            for i, item in enumerate(value):
                member.walk(item, "{}[{}]".format(path, i), out)


class _Map(_Node):
    __slots__ = ("high", "key", "low", "shape_name", "value")

    def walk(self, value, path, out):
        if not isinstance(value, dict):
            return
        _count_check(self, len(value), "entries", path, out)
        for key, item in value.items():
            self.key.walk(key, "{}[{!r}] (key)".format(path, key), out)
            self.value.walk(item, "{}[{!r}]".format(path, key), out)


class _Struct(_Node):
    __slots__ = ("members",)

    def walk(self, value, path, out):
        if not isinstance(value, dict):
            return
        members = self.members
        for key, item in value.items():
            node = members.get(key)
            if node is not None and node is not _NOTHING:
                node.walk(item, "{}.{}".format(path, key) if path else key, out)


def _count_check(node, count, what, path, out):
    if node.high is not None and count > node.high:
        out.append(_count_violation(node, path, count, what, "over the model's max", node.high))
    if node.low is not None and count < node.low:
        out.append(_count_violation(node, path, count, what, "under the model's min", node.low))


def _count_violation(node, path, count, what, words, bound):
    message = "{} has {} {}, {} {} (shape {})".format(path, count, what, words, bound, node.shape_name)
    return Violation("model-list-length", node.source, message)


def _bound(metadata, key):
    value = metadata.get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class ModelChecks:
    """Compiles operations' input shapes once (per service model and API version) and walks params."""

    def __init__(self):
        self._operations = {}
        self._shapes = {}
        # Compiling publishes a structure before its members (recursive shapes): one thread at a time, and an
        # operation's root is published only once complete (ansible-inventory calls from several threads).
        self._lock = threading.Lock()

    def check(self, operation_model, params):
        service_model = operation_model.service_model
        key = (service_model.service_name, service_model.api_version, operation_model.name)
        root = self._operations.get(key)
        if root is None:
            with self._lock:
                root = self._operations.get(key)
                if root is None:
                    shape = operation_model.input_shape
                    memo = self._shapes.setdefault(key[:2], {})
                    source = "botocore {} service model {} {}".format(botocore.__version__, *key[:2])
                    root = _NOTHING if shape is None else self._compile(shape, memo, source)
                    self._operations[key] = root
        out = []
        if root is not _NOTHING:
            root.walk(params, "", out)
        return out

    def _compile(self, shape, memo, source):
        node = memo.get(shape.name)
        if node is not None:
            return node
        kind, metadata = shape.type_name, shape.metadata
        if kind == "structure":
            node = memo[shape.name] = _Struct()
            node.source = source
            node.members = {name: self._compile(member, memo, source) for name, member in shape.members.items()}
        elif kind in ("list", "map"):
            node = memo[shape.name] = _List() if kind == "list" else _Map()
            node.source, node.shape_name = source, shape.name
            node.low, node.high = _bound(metadata, "min"), _bound(metadata, "max")
            if kind == "list":
                node.member = self._compile(shape.member, memo, source)
            else:
                node.key = self._compile(shape.key, memo, source)
                node.value = self._compile(shape.value, memo, source)
        elif kind in ("string", "blob", "integer", "long", "float", "double"):
            pattern_text = metadata.get("pattern") if kind == "string" else None
            pattern = _UNCOMPILED if pattern_text else None
            enum = frozenset(metadata["enum"]) if kind == "string" and metadata.get("enum") else None
            low, high = _bound(metadata, "min"), _bound(metadata, "max")
            if enum is None and pattern is None and low is None and high is None:
                node = memo[shape.name] = _NOTHING
            else:
                node = memo[shape.name] = _Scalar()
                node.source, node.shape_name, node.numeric = source, shape.name, kind not in ("string", "blob")
                node.enum, node.pattern, node.pattern_text, node.low, node.high = enum, pattern, pattern_text, low, high
        else:  # boolean, timestamp, document
            node = memo[shape.name] = _NOTHING
        return node


MODEL = ModelChecks()


def check_call(service, operation, params, operation_model=None):
    """Every violation of one call: the documented rules, then (given the operation model) the model's."""
    found = check_rules(service, operation, params)
    if operation_model is not None:
        found.extend(MODEL.check(operation_model, params))
    return found


# ============================================================================ reporting and installing

STATS = {"calls": 0, "seconds": 0.0, "violations": 0, "pid": None}
#: pytest's own process sets this False outside integration tests (unit tests stub calls on purpose).
ACTIVE = True


def _origin():
    frame = sys._getframe(2)  # pylint: disable=protected-access
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith(COLLECTION_PREFIX):
            return "collection"
        frame = frame.f_back
    return "harness"


def _process():
    argv0 = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else sys.executable
    if "AnsiballZ_" in argv0 or ("ansible.module_utils.basic" in sys.modules and "ansible.executor" not in sys.modules):
        return "module " + argv0.replace("AnsiballZ_", "").replace(".py", "")
    mp = sys.modules.get("multiprocessing")
    if mp is not None and mp.parent_process() is not None:
        return argv0 + " (worker)"
    return argv0


def write_record(record, path=None):
    path = path or os.environ.get(ENV_LOG)
    if not path:
        return
    line = json.dumps(record, default=str, sort_keys=True)
    with open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")


def _report(service, operation, violations):
    origin = _origin()
    process, test = _process(), os.environ.get(ENV_TEST)
    for v in violations:
        write_record(
            dict(
                rule=v.rule,
                source=v.source,
                service=service,
                operation=operation,
                message=v.message,
                pid=os.getpid(),
                process=process,
                origin=origin,
                test=test,
            )
        )
    STATS["violations"] += len(violations)
    if origin == "harness" and os.environ.get(ENV_SCOPE, "collection") != "all":
        return
    if os.environ.get(ENV_MODE, "raise") == "log":
        return
    first = violations[0]
    more = (
        ""
        if len(violations) == 1
        else " (+{} more: {})".format(len(violations) - 1, ", ".join(sorted({v.rule for v in violations[1:]})))
    )
    raise ContractViolation(rule=first.rule, message="{}:{}: {}{}".format(service, operation, first.message, more))


def _flush_stats():
    path = os.environ.get(ENV_STATS)
    if path and STATS["calls"]:
        write_record(
            dict(pid=os.getpid(), process=_process(), calls=STATS["calls"], seconds=round(STATS["seconds"], 6)), path
        )
    STATS["calls"] = 0


def _track_process():
    """Per-process stats, written when the process ends (atexit, or multiprocessing's exit for a forked worker,
    which leaves through os._exit)."""
    STATS.update(calls=0, seconds=0.0, violations=0, pid=os.getpid())
    mp = sys.modules.get("multiprocessing")
    if mp is not None and mp.parent_process() is not None:
        import multiprocessing.util  # pylint: disable=import-outside-toplevel

        multiprocessing.util.Finalize(None, _flush_stats, exitpriority=10)
    else:
        atexit.register(_flush_stats)


def handler(params, model, **_kwargs):
    """botocore ``before-parameter-build`` handler: check the call, log and raise on a violation."""
    if not ACTIVE:
        return
    started = time.perf_counter()
    if STATS["pid"] != os.getpid():
        _track_process()
    service, operation = model.service_model.service_name, model.name
    try:
        violations = check_call(service, operation, params, model)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # A bug of the checker must not pass for the collection's error: record it, let the call go on.
        violations = None
        write_record(
            dict(
                rule="contract-internal-error",
                source=__file__,
                service=service,
                operation=operation,
                message="{}: {}".format(type(exc).__name__, exc),
                pid=os.getpid(),
                process=_process(),
                origin="checker",
                test=os.environ.get(ENV_TEST),
            )
        )
    STATS["calls"] += 1
    STATS["seconds"] += time.perf_counter() - started
    if violations:
        _report(service, operation, violations)


def precompile():
    """Write this file's bytecode cache, which child processes then load instead of compiling the source
    (~40 ms each) - also under PYTHONDONTWRITEBYTECODE, which only stops Python writing it itself."""
    import py_compile  # pylint: disable=import-outside-toplevel

    # A read-only checkout: children compile the source.
    with contextlib.suppress(OSError, py_compile.PyCompileError):
        py_compile.compile(__file__, doraise=True)


def install(session=None):
    """Check every call of botocore ``session``; with None, of every botocore session created from now on
    in this process (and of boto3's default session, if one exists already). Idempotent."""
    if session is not None:
        session.register(EVENT, handler, unique_id=HANDLER_ID)
        return session
    module = sys.modules.get("botocore.session")
    if module is None:
        import botocore.session as module  # pylint: disable=import-outside-toplevel
    cls = module.Session
    if not getattr(cls.__init__, "flowlogs_contract", False):
        original = cls.__init__

        def __init__(self, *args, **kwargs):
            original(self, *args, **kwargs)
            self.register(EVENT, handler, unique_id=HANDLER_ID)

        __init__.flowlogs_contract = True
        __init__.__wrapped__ = original
        __init__.__doc__ = original.__doc__
        cls.__init__ = __init__
    boto3 = sys.modules.get("boto3")
    default = getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None
    if default is not None:
        install(default._session)  # pylint: disable=protected-access
    return None


def uninstall():
    """Undo ``install(None)`` for sessions created from now on (existing ones keep checking)."""
    module = sys.modules.get("botocore.session")
    if module is not None and getattr(module.Session.__init__, "flowlogs_contract", False):
        module.Session.__init__ = module.Session.__init__.__wrapped__


def read_log(path):
    """The records of a contract log (none when the file does not exist)."""
    try:
        with open(path, encoding="utf-8") as log:
            return [json.loads(line) for line in log if line.strip()]
    except FileNotFoundError:
        return []


def failing(records):
    """The records that fail a test: the collection's violations and checker errors."""
    return [r for r in records if r.get("origin") != "harness"]


def describe(records, limit=20):
    lines = []
    for r in records[:limit]:
        lines.append(
            "[{}] {}:{} - {} ({}, pid {})".format(
                r.get("rule"), r.get("service"), r.get("operation"), r.get("message"), r.get("process"), r.get("pid")
            )
        )
    if len(records) > limit:
        lines.append("... and {} more".format(len(records) - limit))
    return "\n".join(lines)


# ============================================================================ command line


def _rules_markdown():
    lines = ["| id | rule | source |", "| --- | --- | --- |"]
    lines += [
        "| {} | {} | {} |".format(r.id, *(t.replace("|", "\\|") for t in (r.description, r.source))) for r in RULES
    ]
    return "\n".join(lines)


#: The services the collection calls.
SERVICES = ("ec2", "logs", "iam", "cloudwatch", "sts", "organizations", "s3", "kms", "glue", "athena")


def _skipped_patterns(services=SERVICES):
    import botocore.session  # pylint: disable=import-outside-toplevel

    session = botocore.session.get_session()
    for service in services:
        model = session.get_service_model(service)
        for name in model.operation_names:
            operation = model.operation_model(name)
            if operation.input_shape is not None:
                MODEL.check(operation, {})
    return dict(SKIPPED_PATTERNS)


def check_log(path, stats_path=None):
    """Print a contract log's summary; 1 when it has violations of the collection (or checker errors)."""
    records = read_log(path)
    if stats_path:
        stats = read_log(stats_path)
        calls, seconds = sum(s["calls"] for s in stats), sum(s["seconds"] for s in stats)
        print("AWS contract check: {} calls checked in {} processes, {:.2f} s".format(calls, len(stats), seconds))
    bad = failing(records)
    harness = len(records) - len(bad)
    if harness:
        print("AWS contract: {} violation(s) by the harness's own calls (not failing):".format(harness))
        print(describe([r for r in records if r.get("origin") == "harness"]))
    if bad:
        print("AWS contract violations ({}; log {}):".format(len(bad), path))
        print(describe(bad, limit=50))
        return 1
    print("AWS contract: no violations by the collection")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--rules"]:
        print(_rules_markdown())
    elif argv[:1] == ["--check-log"] and len(argv) > 1:
        return check_log(*argv[1:3])
    elif argv[:1] == ["--skipped-patterns"]:
        services = argv[1].split(",") if len(argv) > 1 else SERVICES
        for pattern, reason in sorted(_skipped_patterns(services).items()):
            print("{}\t{}".format(pattern, reason))
    else:
        print(
            "usage: python -m tests.support.contract --rules | --skipped-patterns [service,...]"
            " | --check-log LOG [STATS]"
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
