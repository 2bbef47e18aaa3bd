# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How many bytes a day each destination takes, measured where it is counted. Private to the collection: not a public
API, it may change in any release.

- CloudWatch Logs groups and Firehose streams: their ``IncomingBytes`` metric (``AWS/Logs`` by ``LogGroupName``,
  ``AWS/Firehose`` by ``DeliveryStreamName``), one value a day over the last ``VOLUME_DAYS`` complete days (UTC), in
  one ``cloudwatch:GetMetricData`` call for all of a target's groups and streams; the mean over the days with data.
  A group or stream that other sources write to counts them too.
- S3: the sizes of the target's files (its account and region) of the last complete day, one ``s3:ListBucket`` a
  thousand files, at most ``S3_VOLUME_PAGES`` pages (then the volume is a lower bound, ``partial``).
"""

from __future__ import annotations

import datetime

from ansible_collections.flowlogs.aws.plugins.module_utils._arrival import layout
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import cloudwatch as cloudwatch_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import s3 as s3_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError

VOLUME_DAYS = 7
S3_VOLUME_PAGES = 10
DAY = datetime.timedelta(days=1)
#: Each measured destination type: (namespace, dimension) of its IncomingBytes metric.
METRICS = {
    "cloud-watch-logs": ("AWS/Logs", "LogGroupName"),
    "kinesis-data-firehose": ("AWS/Firehose", "DeliveryStreamName"),
}


def _midnight(now):
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def metric_volumes(reading, destinations):
    """label -> ``{bytes_per_day, days_sampled, source}`` of the CloudWatch Logs and Firehose ``destinations``
    (layout.destination_of's) in one GetMetricData call; {} when AWS refused it (said in ``reading.errors``)."""
    measured = [d for d in destinations if d["type"] in METRICS]
    if not measured:
        return {}
    queries = []
    for n, destination in enumerate(measured):
        namespace, dimension = METRICS[destination["type"]]
        queries.append(
            cloudwatch_api.metric_query(
                "v{}".format(n), namespace, "IncomingBytes", {dimension: destination["name"]}, 86400
            )
        )
    end = _midnight(reading.now)
    try:
        data = cloudwatch_api.get_metric_data(reading.clients("cloudwatch"), queries, end - VOLUME_DAYS * DAY, end)
    except AwsError as exc:
        reading.errors.append("volumes not measured ({}: {})".format(exc.operation, exc.code))
        return {}
    found = {}
    for n, destination in enumerate(measured):
        values = [value for _moment, value in data.get("v{}".format(n)) or []]
        namespace, dimension = METRICS[destination["type"]]
        found[destination["label"]] = dict(
            bytes_per_day=int(sum(values) / len(values)) if values else 0,
            days_sampled=len(values),
            partial=False,
            source="{} IncomingBytes of {} {}, the last {} complete days".format(
                namespace, dimension, destination["name"], VOLUME_DAYS
            ),
        )
    return found


def s3_volume(reading, destination):
    """``{bytes_per_day, days_sampled, partial, source}`` of the target's files under an S3 destination yesterday
    (UTC), or None when it could not be listed (said in ``reading.errors``)."""
    day = _midnight(reading.now) - DAY
    prefix = layout.partition(destination, reading.account, reading.region, day, hourly=False)
    try:
        listed = s3_api.list_objects(reading.clients("s3"), destination["bucket"], prefix, max_pages=S3_VOLUME_PAGES)
    except AwsError as exc:
        reading.errors.append(
            "volume of {} not measured ({}: {})".format(destination["label"], exc.operation, exc.code)
        )
        return None
    return dict(
        bytes_per_day=sum(o["size"] for o in listed["objects"]),
        days_sampled=1,
        partial=listed["truncated"],
        source="the sizes of the {} files under s3://{}/{}{}".format(
            len(listed["objects"]),
            destination["bucket"],
            prefix,
            " (the first {} pages only)".format(S3_VOLUME_PAGES) if listed["truncated"] else "",
        ),
    )
