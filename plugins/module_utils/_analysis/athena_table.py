# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What flow_log_athena sets up for flow logs delivered to S3, derived from the record format and the delivery
options: the Glue table (columns, partition projection over the S3 key layout), the Athena named queries, and the
rules of the options. Private: may change in any release. Pure: no AWS call.

S3 keys of flow-log files (Amazon VPC User Guide, "Flow log files" in "Publish flow logs to Amazon S3"):
``<prefix>/AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<MM>/<dd>/[<HH>/]``, or with Hive-compatible partitions
``<prefix>/AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=<yyyy>/month=<MM>/
day=<dd>/[hour=<HH>/]``.
"""

from __future__ import annotations

import re

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError, raise_first, run_checks
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.fields import (
    FILE_FORMAT_ALIASES,
    FILE_FORMATS,
    S3_ARN,
    S3_FORM,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.record_format import (
    athena_column,
    athena_type,
    check_fields,
    format_problem,
    record_fields,
)

DEFAULT_DATABASE = "vpc_flow_logs"
DEFAULT_TABLE = "flow_logs"
DEFAULT_WORKGROUP = "primary"
#: Athena database and table names: lowercase letters, digits and underscores (Athena User Guide, "Name databases,
#: tables, and columns"); Glue allows 255 characters.
ATHENA_NAME = re.compile(r"^[a-z0-9_]{1,255}$")
WORKGROUP = re.compile(r"^[a-zA-Z0-9._\-]{1,128}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
PREFIX = re.compile(r"^[^\s]{1,900}$")
#: CreateNamedQuery's Name: 1 to 128 characters.
MAX_QUERY_NAME = 128
#: The first day partition projection offers: S3 delivery of flow logs exists since 2018.
PROJECTION_START = "2018"
TABLE_TYPE = "EXTERNAL_TABLE"
PLAIN_TEXT = dict(
    input_format="org.apache.hadoop.mapred.TextInputFormat",
    output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    serde="org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
    serde_parameters={"field.delim": " ", "serialization.format": " "},
)
PARQUET = dict(
    input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    serde="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    serde_parameters={"serialization.format": "1"},
)
#: Named queries: question -> (what it answers, the fields it reads).
QUESTIONS = {
    "rejected-by-source-destination-port": (
        "Rejected traffic by source, destination and destination port (today, UTC)",
        ("action", "srcaddr", "dstaddr", "dstport"),
    ),
    "top-talkers-by-bytes": (
        "Top talkers: source and destination pairs by bytes (today, UTC)",
        ("srcaddr", "dstaddr", "bytes"),
    ),
    "accepted-without-reply": (
        "Accepted flows with no flow in the other direction (today, UTC)",
        ("action", "protocol", "srcaddr", "dstaddr", "srcport", "dstport"),
    ),
}


def file_format(params):
    found = params.get("file_format") or "plain-text"
    return FILE_FORMAT_ALIASES.get(found, found)


def bucket_and_prefix(params):
    """(bucket, key prefix without slashes at the ends, '' for none) of the delivery destination."""
    match = S3_ARN.match(params.get("bucket_arn") or "")
    prefix = (match.group(2) or "") or (params.get("prefix") or "")
    return match.group(1), prefix.strip("/")


def logs_root(params):
    bucket, prefix = bucket_and_prefix(params)
    return "s3://{}/{}AWSLogs/".format(bucket, prefix + "/" if prefix else "")


def partition_keys(params):
    """The partition columns: the account and region of the S3 keys, then the time parts of the layout."""
    time = ["year", "month", "day"] if params.get("hive_compatible_partitions") else ["day"]
    if params.get("per_hour_partition"):
        time.append("hour")
    return ["aws_account_id", "aws_region", *time]


def _storage_template(params):
    root = logs_root(params)
    hour = params.get("per_hour_partition")
    if params.get("hive_compatible_partitions"):
        path = "aws-account-id=${aws_account_id}/aws-service=vpcflowlogs/aws-region=${aws_region}/"
        path += "year=${year}/month=${month}/day=${day}" + ("/hour=${hour}" if hour else "")
    else:
        path = "${aws_account_id}/vpcflowlogs/${aws_region}/${day}" + ("/${hour}" if hour else "")
    return root + path


def _time_projection(params):
    """Partition projection of the time parts: one date ``day`` (yyyy/MM/dd) in AWS's layout; ``year`` (a date,
    so it runs to NOW), ``month`` and ``day`` in the Hive layout; ``hour`` 00 to 23 in both."""
    found = {}
    if params.get("hive_compatible_partitions"):
        found.update(_date("year", PROJECTION_START, "yyyy", "YEARS"))
        found.update(_integers("month", "1,12"))
        found.update(_integers("day", "1,31"))
    else:
        found.update(_date("day", PROJECTION_START + "/01/01", "yyyy/MM/dd", "DAYS"))
    if params.get("per_hour_partition"):
        found.update(_integers("hour", "0,23"))
    return found


def _date(column, start, form, unit):
    return {
        "projection.{}.type".format(column): "date",
        "projection.{}.range".format(column): "{},NOW".format(start),
        "projection.{}.format".format(column): form,
        "projection.{}.interval".format(column): "1",
        "projection.{}.interval.unit".format(column): unit,
    }


def _integers(column, bounds):
    return {
        "projection.{}.type".format(column): "integer",
        "projection.{}.range".format(column): bounds,
        "projection.{}.digits".format(column): "2",
    }


def table_parameters(params, accounts, regions):
    """Table properties: partition projection (enum accounts and regions, the time parts), the key template."""
    found = {
        "EXTERNAL": "TRUE",
        "projection.enabled": "true",
        "projection.aws_account_id.type": "enum",
        "projection.aws_account_id.values": ",".join(accounts),
        "projection.aws_region.type": "enum",
        "projection.aws_region.values": ",".join(regions),
        "storage.location.template": _storage_template(params),
    }
    found.update(_time_projection(params))
    if file_format(params) == "plain-text":
        found["skip.header.line.count"] = "1"  # each plain-text file starts with the field names
    return found


def desired_table(params, accounts, regions):
    """The Glue table ``params`` ask for, in the module's snake_case form."""
    storage = PARQUET if file_format(params) == "parquet" else PLAIN_TEXT
    fields = record_fields(params.get("log_format"))
    return dict(
        name=params["table"],
        database=params["database"],
        table_type=TABLE_TYPE,
        location=logs_root(params),
        columns=[dict(name=athena_column(f), type=athena_type(f)) for f in fields],
        partition_keys=[dict(name=k, type="string") for k in partition_keys(params)],
        input_format=storage["input_format"],
        output_format=storage["output_format"],
        serde=storage["serde"],
        serde_parameters=dict(storage["serde_parameters"]),
        parameters=table_parameters(params, accounts, regions),
    )


# ---------------------------------------------------------------- named queries


def named_query_names(params):
    """{question: named query name}: ``<table>-<question>`` (matched together with the database)."""
    return {question: "{}-{}".format(params["table"], question) for question in QUESTIONS}


def _today(params, alias=""):
    """Today's partitions (UTC), in the time columns of the layout."""
    if params.get("hive_compatible_partitions"):
        return " AND ".join(
            "{}{} = date_format(current_date, '%{}')".format(alias, column, code)
            for column, code in (("year", "Y"), ("month", "m"), ("day", "d"))
        )
    return "{}day = date_format(current_date, '%Y/%m/%d')".format(alias)


def named_query_string(question, params):
    table = "{}.{}".format(params["database"], params["table"])
    if question == "rejected-by-source-destination-port":
        return (
            "SELECT srcaddr, dstaddr, dstport, count(*) AS records\nFROM {}\nWHERE action = 'REJECT' AND {}\n"
            "GROUP BY srcaddr, dstaddr, dstport\nORDER BY records DESC\nLIMIT 100".format(table, _today(params))
        )
    if question == "top-talkers-by-bytes":
        return (
            "SELECT srcaddr, dstaddr, sum(bytes) AS bytes_total\nFROM {}\nWHERE {}\nGROUP BY srcaddr, dstaddr\n"
            "ORDER BY bytes_total DESC\nLIMIT 20".format(table, _today(params))
        )
    # A reply is a flow with the addresses and ports swapped; an accepted flow without one got no answer.
    return (
        "SELECT r.srcaddr, r.dstaddr, r.srcport, r.dstport, r.protocol, count(*) AS records\nFROM {table} r\n"
        "LEFT JOIN (SELECT DISTINCT srcaddr, dstaddr, srcport, dstport, protocol FROM {table} WHERE {today}) s\n"
        "  ON s.srcaddr = r.dstaddr AND s.dstaddr = r.srcaddr AND s.srcport = r.dstport AND s.dstport = r.srcport\n"
        "  AND s.protocol = r.protocol\n"
        "WHERE r.action = 'ACCEPT' AND {today_r} AND s.srcaddr IS NULL\n"
        "GROUP BY r.srcaddr, r.dstaddr, r.srcport, r.dstport, r.protocol\nORDER BY records DESC\nLIMIT 100".format(
            table=table, today=_today(params), today_r=_today(params, "r.")
        )
    )


def desired_named_queries(params):
    """{name: named query} ``params`` ask for."""
    found = {}
    if params.get("state", "present") == "absent" or not params.get("named_queries", True):
        return found
    for question, name in named_query_names(params).items():
        found[name] = dict(
            name=name,
            database=params["database"],
            workgroup=params.get("workgroup") or DEFAULT_WORKGROUP,
            description=QUESTIONS[question][0],
            query_string=named_query_string(question, params),
        )
    return found


# ---------------------------------------------------------------- option rules


def _check_names(params):
    for option in ("database", "table"):
        value = params.get(option)
        if not isinstance(value, str) or not ATHENA_NAME.match(value):
            raise ParameterError(option, "{!r} is not allowed: 1 to 255 of a-z 0-9 _ (Athena's names)".format(value))
    longest = max(named_query_names(params).values(), key=len)
    if len(longest) > MAX_QUERY_NAME:
        raise ParameterError(
            "table",
            "the named query {}... would be {} characters; Athena allows {}".format(
                longest[:40], len(longest), MAX_QUERY_NAME
            ),
        )
    workgroup = params.get("workgroup") or DEFAULT_WORKGROUP
    if not WORKGROUP.match(workgroup):
        raise ParameterError("workgroup", "{!r} is not allowed: 1 to 128 of a-z A-Z 0-9 . _ -".format(workgroup))


def _s3_arn(arn):
    return S3_ARN.match(arn) if isinstance(arn, str) else None


def _check_bucket_arn(params):
    arn = params.get("bucket_arn")
    if arn is None:
        raise ParameterError("bucket_arn", "is required with state present: {}".format(S3_FORM))
    if not _s3_arn(arn):
        raise ParameterError("bucket_arn", "{!r} is not {}".format(arn, S3_FORM))


def _check_prefix(params):
    """The key prefix, given in bucket_arn or in prefix, once; not judged while bucket_arn is not valid."""
    arn, prefix = params.get("bucket_arn"), params.get("prefix")
    match = _s3_arn(arn)
    if not match:
        return
    if prefix and match.group(2):
        raise ParameterError("prefix", "give the prefix once: bucket_arn {} already has one".format(arn))
    found = (match.group(2) or prefix or "").strip("/")
    if found and (not PREFIX.match(found) or "AWSLogs" in found.split("/")):
        raise ParameterError(
            "prefix" if prefix else "bucket_arn",
            "{!r} is not a key prefix flow logs accept: no spaces, and AWSLogs cannot be a folder of it".format(found),
        )


def _check_format(params):
    problem = format_problem(params.get("log_format"))
    if problem:
        raise ParameterError("log_format", problem)
    if file_format(params) not in FILE_FORMATS:
        raise ParameterError(
            "file_format",
            "{!r} is not allowed; use one of {}".format(params.get("file_format"), ", ".join(FILE_FORMATS)),
        )
    if params.get("named_queries", True):
        needs = {"the named query {}".format(q): QUESTIONS[q][1] for q in QUESTIONS}
        check_fields(record_fields(params.get("log_format")), needs, "log_format", "named_queries")


def _check_projection(params):
    for option, pattern, form in (
        ("source_accounts", ACCOUNT_ID, "12-digit AWS account ids"),
        ("regions", REGION, "AWS region names like eu-west-1"),
    ):
        values = params.get(option)
        if values is None:
            continue
        bad = [v for v in values if not isinstance(v, str) or not pattern.match(v)]
        if not values or bad:
            raise ParameterError(option, "must be a list of {}; got {!r}".format(form, bad or values))


def athena_param_errors(params):
    """Every problem with ``params``, one ParameterError per option, before any call."""
    checks = [_check_names]
    if params.get("state", "present") != "absent":
        checks += [_check_bucket_arn, _check_prefix, _check_format, _check_projection]
    return run_checks(checks, params)


def validate_athena_params(params):
    raise_first(athena_param_errors(params))
