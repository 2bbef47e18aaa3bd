# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What each destination shows of its flow logs' records, read in few calls and never reading a record. Private to
the collection: not a public API, it may change in any release.

- CloudWatch Logs: the group's log streams, most recently written first (``logs:DescribeLogStreams``, 50 a page);
  a stream is named after a network interface, so the interfaces of the target's VPCs
  (``ec2:DescribeNetworkInterfaces``) tell whose it is. Paging stops once every resource of the group has a record
  in the window, or when the streams are older than the window by more than ``lastEventTimestamp`` may lag.
- S3: per flow log, the files of the partitions the window covers (``s3:ListBucket``, ``StartAfter`` the window's
  start, so one page holds them); only a flow log with none there looks further back, a few partitions.
- Firehose: the delivery streams' ``IncomingRecords`` (``cloudwatch:GetMetricData``, one call for many streams).

A read AWS refuses makes the flow logs behind it ``unreadable``, never a failed target.
"""

from __future__ import annotations

import datetime

from ansible_collections.flowlogs.aws.plugins.module_utils._arrival import layout
from ansible_collections.flowlogs.aws.plugins.module_utils._arrival.verdicts import (
    ACCESS_DENIED,
    OTHER_ACCOUNT,
    READ_ERROR,
    Evidence,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import cloudwatch as cloudwatch_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import s3 as s3_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError

#: DescribeLogStreams pages read per log group at most (50 streams a page).
MAX_STREAM_PAGES = 20
#: How far a stream's lastEventTimestamp may trail its records (AWS: "typically ... in less than an hour").
EVENT_TIME_LAG = datetime.timedelta(hours=1)
#: How much earlier than its upload an S3 file's name may be stamped (5-minute files, then the upload).
S3_STAMP_SLACK = datetime.timedelta(minutes=30)
#: Partitions before the window a silent S3 flow log is looked for in (days, or hours with per-hour partitions).
S3_LOOKBACK = dict(daily=1, hourly=3)
#: Pages of a partition read when looking back.
S3_LOOKBACK_PAGES = 3
#: How far back a Firehose stream's records are looked for, when not in the window.
FIREHOSE_LOOKBACK = datetime.timedelta(hours=3)
MINUTE = datetime.timedelta(minutes=1)


class Reading:
    """One target's arrival check: its clients, account and region, the time it judges at, the window's start, and
    the reads that failed (``errors``, in words)."""

    def __init__(self, clients, account, region, now, window):
        self.clients, self.account, self.region, self.now = clients, account, region, now
        self.start = now - datetime.timedelta(minutes=window)
        self.errors = []
        #: Why the network interfaces could not be read (an AwsError), or None.
        self.interfaces_refused = None

    def unreadable(self, exc, what, readable_by=None):
        """The Evidence of a destination AWS would not let these credentials read."""
        cause = ACCESS_DENIED if exc.access_denied else READ_ERROR
        owner = readable_by or "the account that owns it"
        detail = "{} could not be read from account {} ({}: {}); {} can read it".format(
            what, self.account, exc.operation, exc.code, owner
        )
        self.errors.append(detail)
        return Evidence(unreadable=cause, detail=detail, readable_by=readable_by)

    def other_account(self, what, account):
        """The Evidence of a destination in another account: not read from here."""
        detail = "{what} is in account {owner}: not readable from account {here}; account {owner} can read it".format(
            what=what, owner=account, here=self.account
        )
        return Evidence(unreadable=OTHER_ACCOUNT, detail=detail, readable_by=account)


def _moment(milliseconds):
    return datetime.datetime.fromtimestamp(milliseconds / 1000, tz=datetime.timezone.utc) if milliseconds else None


def _utc(moment):
    if moment is None:
        return None
    return moment.replace(tzinfo=datetime.timezone.utc) if moment.tzinfo is None else moment


# ---------------------------------------------------------------- network interfaces


def interfaces(reading, vpc_ids=(), subnet_ids=()):
    """The network interfaces of these VPCs and subnets: ``{resource id: [interface id]}``, every id asked for present
    (an empty list: none); None when AWS refused the read (then nobody's interfaces are known)."""
    ec2 = reading.clients("ec2")
    found = {r: [] for r in (*vpc_ids, *subnet_ids)}
    try:
        for key, ids in (("vpc_id", vpc_ids), ("subnet_id", subnet_ids)):
            if ids:
                for eni in ec2_api.describe_network_interfaces(ec2, key.replace("_", "-"), ids):
                    found.setdefault(eni[key], []).append(eni["network_interface_id"])
    except AwsError as exc:
        reading.interfaces_refused = exc
        reading.errors.append(
            "network interfaces not read ({}: {}): their log streams cannot be told apart, and no flow log is said to "
            "have no interfaces".format(exc.operation, exc.code)
        )
        return None
    return found


# ---------------------------------------------------------------- CloudWatch Logs


def read_log_group(reading, group, members):
    """Evidence per resource whose flow logs write to ``group``; ``members``: resource id -> its interfaces. Only the
    resources with interfaces are looked for; the others get an Evidence without a record."""
    owners = _owners(members)
    found = {resource: Evidence() for resource in members}
    token, pages = None, 0
    while owners:
        try:
            streams, token = logs_api.describe_recent_log_streams(reading.clients("logs"), group, token)
        except AwsError as exc:
            return {resource: reading.unreadable(exc, "log group " + group) for resource in members}
        pages += 1
        if streams is None:
            return {resource: Evidence(missing="log group {} does not exist".format(group)) for resource in members}
        _note_streams(streams, owners, found)
        if _stream_reading_done(reading, streams, token, pages, found, owners):
            break
    read = "the {} most recently written log streams of group {}".format(pages * logs_api.STREAMS_PAGE, group)
    for evidence in found.values():
        evidence.read = read
    return found


def _owners(members):
    """Interface -> the resources (of ``members``) it belongs to."""
    owners = {}
    for resource, enis in members.items():
        for eni in enis or ():
            owners.setdefault(eni, []).append(resource)
    return owners


def _note_streams(streams, owners, found):
    """Each resource's newest ingestion among the streams of its interfaces."""
    for stream in streams:
        ingested = _moment(stream["last_ingestion_time"])
        for resource in owners.get(layout.interface_of(stream["name"])) or ():
            evidence = found[resource]
            if ingested and (evidence.last is None or ingested > evidence.last):
                evidence.last, evidence.source = ingested, "log stream " + stream["name"]


def _stream_reading_done(reading, streams, token, pages, found, owners):
    """No more pages: none left, the bound reached, every resource proven, or the rest older than the window."""
    if not token or pages >= MAX_STREAM_PAGES or not streams:
        return True
    wanted = {resource for resources in owners.values() for resource in resources}
    if all(found[r].last and found[r].last >= reading.start for r in wanted):
        return True
    oldest = _moment(streams[-1].get("last_event_timestamp"))
    return oldest is not None and oldest < reading.start - EVENT_TIME_LAG


# ---------------------------------------------------------------- S3


def read_s3_flow_log(reading, destination, flow_log_id):
    """Evidence of one flow log to S3: its newest file in the window's partitions, else in a few before."""
    what = "bucket {}".format(destination["bucket"])
    try:
        newest = _newest_file(reading, destination, flow_log_id, _window_reads(reading, destination, flow_log_id))
        if newest.last and newest.last >= reading.start:
            return newest
        older = _newest_file(reading, destination, flow_log_id, _lookback_reads(reading, destination, flow_log_id))
    except AwsError as exc:
        if exc.code == "NoSuchBucket":
            return Evidence(missing="bucket {} does not exist".format(destination["bucket"]))
        return reading.unreadable(exc, what)
    found = older if older.last else newest
    found.read = "the files of flow log {} under {}".format(flow_log_id, _folder(reading, destination))
    return found


def _folder(reading, destination):
    folder = layout.partition(destination, reading.account, reading.region, reading.now, hourly=False)
    return "s3://{}/{}".format(destination["bucket"], folder.rsplit("/", 4)[0] + "/")


def _window_reads(reading, destination, flow_log_id):
    """(prefix, start after, pages) of the partitions the window covers, newest first: the oldest listed from the
    window's start on (file names sort by their time stamp)."""
    stem = layout.file_stem(reading.account, reading.region, flow_log_id)
    after = reading.start - S3_STAMP_SLACK
    reads = []
    for moment in layout.periods(destination, reading.now, after):
        prefix = layout.partition(destination, reading.account, reading.region, moment) + stem
        reads.append((prefix, prefix + layout.stamp(after) if after > moment else None, 1))
    return reads


def _lookback_reads(reading, destination, flow_log_id):
    """(prefix, None, pages) of the partition the window starts in (whole) and a few before it, newest first."""
    stem = layout.file_stem(reading.account, reading.region, flow_log_id)
    after = reading.start - S3_STAMP_SLACK
    count = S3_LOOKBACK["hourly" if destination.get("hourly") else "daily"]
    moments = [after, *layout.previous(destination, after, count)]
    return [
        (layout.partition(destination, reading.account, reading.region, moment) + stem, None, S3_LOOKBACK_PAGES)
        for moment in moments
    ]


def _newest_file(reading, destination, flow_log_id, reads):
    """The newest file of the first read that finds any."""
    s3 = reading.clients("s3")
    for prefix, start_after, pages in reads:
        listed = s3_api.list_objects(s3, destination["bucket"], prefix, start_after=start_after, max_pages=pages)
        if listed["objects"]:
            newest = max(listed["objects"], key=lambda o: _utc(o["last_modified"]))
            source = "s3://{}/{}".format(destination["bucket"], newest["key"])
            return Evidence(last=_utc(newest["last_modified"]), source=source)
    return Evidence()


# ---------------------------------------------------------------- Firehose


def read_firehose(reading, names):
    """Evidence per delivery stream (of this account and region): its newest minute with ``IncomingRecords``."""
    if not names:
        return {}
    names = sorted(set(names))
    queries = [
        cloudwatch_api.metric_query(
            "r{}".format(n), "AWS/Firehose", "IncomingRecords", {"DeliveryStreamName": name}, 60
        )
        for n, name in enumerate(names)
    ]
    start = min(reading.start, reading.now - FIREHOSE_LOOKBACK)
    try:
        data = cloudwatch_api.get_metric_data(reading.clients("cloudwatch"), queries, start, reading.now)
    except AwsError as exc:
        return {name: reading.unreadable(exc, "the metrics of delivery stream " + name) for name in names}
    return {name: _stream_evidence(reading, name, data.get("r{}".format(n))) for n, name in enumerate(names)}


def _stream_evidence(reading, name, points):
    """A stream's newest minute with records, as the end of that minute (at most now)."""
    moments = [moment for moment, value in points or [] if value and value > 0]
    last = min(_utc(moments[0]) + MINUTE, reading.now) if moments else None
    return Evidence(
        last=last,
        source="delivery stream {}: IncomingRecords, from every source that writes to it".format(name),
        read="the IncomingRecords metric of delivery stream " + name,
    )
