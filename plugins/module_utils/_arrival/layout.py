# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a flow log's records land: its destination, and the S3 keys AWS writes. Private to the collection: not a
public API, it may change in any release. Pure: no AWS call.

S3 keys, as the Amazon VPC User Guide ("Flow log files") gives them, under ``<bucket>/<optional prefix>/AWSLogs/``:

- ``<account>/vpcflowlogs/<region>/<yyyy>/<MM>/<dd>/[<HH>/]`` (per-hour partitions add the hour), or with
  Hive-compatible prefixes ``aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=<yyyy>/
  month=<MM>/day=<dd>/[hour=<HH>/]``;
- file names ``<account>_vpcflowlogs_<region>_<flow log id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz`` (``.log.parquet`` in
  Parquet). The time stamp is when the file was made; its ``LastModified`` (when it was uploaded) is a little later.

The keys of one flow log and day sort by that time stamp, so ``StartAfter`` a stamp lists only the newer files.
"""

from __future__ import annotations

import datetime
import re

#: A stream VPC Flow Logs writes to CloudWatch Logs is named after the network interface (``eni-...-all``).
STREAM_INTERFACE = re.compile(r"^(eni-[0-9a-f]+)")
#: The flow log id in an S3 file name.
KEY_FLOW_LOG = re.compile(r"_vpcflowlogs_[a-z0-9-]+_(fl-[0-9a-f]+)_\d{8}T\d{4}Z")
ARN = re.compile(r"^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$")


def _arn(text):
    found = ARN.match(text or "")
    return found.groups() if found else None


def destination_of(flow_log):
    """``{type, label, account, name, bucket, prefix, hive, hourly, parquet, region}`` of a flow log's destination;
    ``account`` is the destination's own account when its ARN names one (None: the flow log's account), ``label`` as
    the report names destinations (``logs:<group>``, ``s3:<bucket/prefix>``, ``firehose:<stream>``)."""
    kind = flow_log.get("log_destination_type") or "cloud-watch-logs"
    where = flow_log.get("log_destination") or ""
    if kind == "s3":
        return _s3_destination(where, flow_log.get("destination_options") or {})
    parts = _arn(where)
    if kind == "kinesis-data-firehose":
        name = where.rsplit("/", 1)[-1]
        return dict(type=kind, label="firehose:" + name, name=name, account=parts[3] if parts else None)
    group = flow_log.get("log_group_name") or (parts[4].split(":")[1] if parts else where)
    return dict(type=kind, label="logs:" + group, name=group, account=parts[3] if parts else None)


def _s3_destination(where, options):
    path = where.split(":::", 1)[-1]
    bucket, _sep, prefix = path.partition("/")
    return dict(
        type="s3",
        label="s3:" + path.rstrip("/"),
        name=bucket,
        bucket=bucket,
        prefix=prefix.strip("/"),
        account=None,
        hive=bool(options.get("hive_compatible_partitions")),
        hourly=bool(options.get("per_hour_partition")),
        parquet=options.get("file_format") == "parquet",
    )


def interface_of(stream_name):
    """The network interface a CloudWatch Logs stream of VPC Flow Logs is named after, or None."""
    found = STREAM_INTERFACE.match(stream_name or "")
    return found.group(1) if found else None


def flow_log_of_key(key):
    """The flow log id in an S3 key AWS wrote, or None."""
    found = KEY_FLOW_LOG.search(key.rsplit("/", 1)[-1])
    return found.group(1) if found else None


# ---------------------------------------------------------------- S3 keys


def root(destination):
    """``<prefix>/AWSLogs/`` of an S3 destination."""
    prefix = destination.get("prefix") or ""
    return "{}AWSLogs/".format(prefix + "/" if prefix else "")


def partition(destination, account, region, moment, hourly=None):
    """The folder of ``moment``'s files: the day's, or the hour's when ``hourly`` (default: the destination's)."""
    hourly = destination.get("hourly") if hourly is None else hourly
    if destination.get("hive"):
        path = "aws-account-id={a}/aws-service=vpcflowlogs/aws-region={r}/year={m:%Y}/month={m:%m}/day={m:%d}/".format(
            a=account, r=region, m=moment
        )
        hour = "hour={:%H}/".format(moment)
    else:
        path = "{a}/vpcflowlogs/{r}/{m:%Y}/{m:%m}/{m:%d}/".format(a=account, r=region, m=moment)
        hour = "{:%H}/".format(moment)
    return root(destination) + path + (hour if hourly else "")


def file_stem(account, region, flow_log_id):
    """How the names of a flow log's files start."""
    return "{}_vpcflowlogs_{}_{}_".format(account, region, flow_log_id)


def stamp(moment):
    """A file name's time stamp (YYYYMMDDTHHmmZ)."""
    return "{:%Y%m%dT%H%MZ}".format(moment)


def _step(destination):
    return datetime.timedelta(hours=1) if destination.get("hourly") else datetime.timedelta(days=1)


def _floor(destination, moment):
    moment = moment.replace(minute=0, second=0, microsecond=0)
    return moment if destination.get("hourly") else moment.replace(hour=0)


def periods(destination, newest, oldest):
    """The starts of the partitions (days or hours) from ``newest`` back to ``oldest``, newest first."""
    found, moment = [], _floor(destination, newest)
    while moment >= _floor(destination, oldest):
        found.append(moment)
        moment -= _step(destination)
    return found


def previous(destination, moment, count):
    """The ``count`` partitions before the one of ``moment``, newest first."""
    start = _floor(destination, moment)
    return [start - _step(destination) * n for n in range(1, count + 1)]
