# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch Logs: log groups, their tags and retention, metric filters, log streams, saved Logs Insights queries.
Private: may change in any release."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import call, paginate
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError


def log_group_from_aws(group, tags):
    return dict(
        name=group["logGroupName"],
        arn=group.get("logGroupArn") or group.get("arn", "").rstrip("*").rstrip(":"),
        retention_in_days=group.get("retentionInDays"),
        # Set when an account-level retention policy governs the group (retentionInDays is then its period).
        retention_policy_name=group.get("retentionPolicyName"),
        kms_key_id=group.get("kmsKeyId"),
        log_group_class=group.get("logGroupClass", "STANDARD"),
        stored_bytes=group.get("storedBytes"),
        creation_time=group.get("creationTime"),
        # Absent from the answer of an endpoint (or a botocore) without deletion protection: not protected.
        deletion_protection=bool(group.get("deletionProtectionEnabled")),
        tags=tags,
    )


def _find_log_group(logs, name):
    groups = paginate(logs, "describe_log_groups", "logGroups", "logs:DescribeLogGroups", name, logGroupNamePrefix=name)
    return next((g for g in groups if g["logGroupName"] == name), None)


def describe_log_group(logs, name):
    """The log group called ``name`` with its tags, or None."""
    group = _find_log_group(logs, name)
    if group is None:
        return None
    arn = group.get("logGroupArn") or group["arn"].rstrip("*").rstrip(":")
    tags = call(logs, "list_tags_for_resource", "logs:ListTagsForResource", name, resourceArn=arn).get("tags", {})
    return log_group_from_aws(group, tags)


def read_log_group(logs, name):
    """The log group called ``name`` without its tags (one call fewer), or None."""
    group = _find_log_group(logs, name)
    return None if group is None else log_group_from_aws(group, None)


def create_log_group(logs, name, kms_key_id=None, tags=None, log_group_class=None, deletion_protection=False):
    kwargs = dict(logGroupName=name)
    if kms_key_id:
        kwargs["kmsKeyId"] = kms_key_id
    if tags:
        kwargs["tags"] = {str(k): str(v) for k, v in tags.items()}
    if log_group_class:
        kwargs["logGroupClass"] = log_group_class
    if deletion_protection:  # only when asked: a new group is unprotected by default, and older botocore lacks it
        kwargs["deletionProtectionEnabled"] = True
    with_kms_key(kms_key_id, call, logs, "create_log_group", "logs:CreateLogGroup", name, **kwargs)


#: The call that turns deletion protection on or off (CloudWatch Logs, November 2025).
DELETION_PROTECTION_OPERATION = "PutLogGroupDeletionProtection"


def deletion_protection_unsupported(logs):
    """Why this client cannot manage deletion protection (its botocore predates the API), or None."""
    model = logs.meta.service_model
    create = model.operation_model("CreateLogGroup").input_shape.members
    if DELETION_PROTECTION_OPERATION in model.operation_names and "deletionProtectionEnabled" in create:
        return None
    import botocore  # pylint: disable=import-outside-toplevel

    return (
        "the installed botocore {} has no CloudWatch Logs deletion protection (logs:{}, CreateLogGroup "
        "deletionProtectionEnabled): upgrade boto3 and botocore to a release made after CloudWatch Logs added it in "
        "November 2025".format(botocore.__version__, DELETION_PROTECTION_OPERATION)
    )


def put_log_group_deletion_protection(logs, name, enabled):
    call(
        logs,
        "put_log_group_deletion_protection",
        "logs:" + DELETION_PROTECTION_OPERATION,
        name,
        logGroupIdentifier=name,
        deletionProtectionEnabled=bool(enabled),
    )


def put_retention_policy(logs, name, days):
    call(logs, "put_retention_policy", "logs:PutRetentionPolicy", name, logGroupName=name, retentionInDays=days)


def delete_retention_policy(logs, name):
    call(logs, "delete_retention_policy", "logs:DeleteRetentionPolicy", name, logGroupName=name)


def associate_kms_key(logs, name, kms_key_id):
    kwargs = dict(logGroupName=name, kmsKeyId=kms_key_id)
    with_kms_key(kms_key_id, call, logs, "associate_kms_key", "logs:AssociateKmsKey", name, **kwargs)


def with_kms_key(kms_key_id, function, *args, **kwargs):
    """``function(*args, **kwargs)``; its AwsError names the KMS key the call asked for (AWS's answer names the log
    group only, and the diagnosis says which key's policy must let CloudWatch Logs in)."""
    try:
        return function(*args, **kwargs)
    except AwsError as exc:
        exc.kms_key = exc.kms_key or kms_key_id
        raise


def disassociate_kms_key(logs, name):
    call(logs, "disassociate_kms_key", "logs:DisassociateKmsKey", name, logGroupName=name)


def tag_log_group(logs, arn, tags):
    call(logs, "tag_resource", "logs:TagResource", arn, resourceArn=arn, tags={str(k): str(v) for k, v in tags.items()})


def untag_log_group(logs, arn, keys):
    call(logs, "untag_resource", "logs:UntagResource", arn, resourceArn=arn, tagKeys=sorted(keys))


def delete_log_group(logs, name):
    call(logs, "delete_log_group", "logs:DeleteLogGroup", name, gone="ResourceNotFoundException", logGroupName=name)


# ---------------------------------------------------------------- metric filters


def metric_filter_from_aws(found):
    transformation = (found.get("metricTransformations") or [{}])[0]
    default = transformation.get("defaultValue")
    return dict(
        name=found["filterName"],
        log_group_name=found.get("logGroupName"),
        pattern=found.get("filterPattern"),
        metric_name=transformation.get("metricName"),
        metric_namespace=transformation.get("metricNamespace"),
        metric_value=transformation.get("metricValue"),
        default_value=None if default is None else float(default),
    )


def describe_metric_filters(logs, log_group_name, prefix=None):
    """Metric filters of a log group (by name prefix); none when the group does not exist."""
    kwargs = dict(logGroupName=log_group_name)
    if prefix:
        kwargs["filterNamePrefix"] = prefix
    found = paginate(
        logs,
        "describe_metric_filters",
        "metricFilters",
        "logs:DescribeMetricFilters",
        log_group_name,
        missing="ResourceNotFoundException",
        **kwargs,
    )
    return [metric_filter_from_aws(f) for f in found]


def put_metric_filter(logs, log_group_name, name, pattern, metric_name, metric_namespace, metric_value, default_value):
    transformation = dict(metricName=metric_name, metricNamespace=metric_namespace, metricValue=metric_value)
    if default_value is not None:
        transformation["defaultValue"] = default_value
    call(
        logs,
        "put_metric_filter",
        "logs:PutMetricFilter",
        "{}/{}".format(log_group_name, name),
        logGroupName=log_group_name,
        filterName=name,
        filterPattern=pattern,
        metricTransformations=[transformation],
    )


def delete_metric_filter(logs, log_group_name, name):
    """Delete a metric filter; one already gone counts as deleted."""
    call(
        logs,
        "delete_metric_filter",
        "logs:DeleteMetricFilter",
        "{}/{}".format(log_group_name, name),
        gone="ResourceNotFoundException",
        logGroupName=log_group_name,
        filterName=name,
    )


# ---------------------------------------------------------------- log events


def filter_log_events(logs, log_group_name, start_ms, end_ms, pattern="", max_events=10000, max_pages=25):
    """Events of a log group between two times (milliseconds) that match ``pattern``, read page by page up to
    ``max_events`` events or ``max_pages`` calls, whichever comes first (CloudWatch Logs may answer a page with
    no event and a token while it scans).

    Returns ``{events: [{timestamp, message, log_stream_name, event_id}], truncated, missing, pages}``:
    ``truncated`` when a bound stopped the read before the end, ``missing`` when the group does not exist.
    """
    kwargs = dict(logGroupName=log_group_name, startTime=int(start_ms), endTime=int(end_ms))
    if pattern:
        kwargs["filterPattern"] = pattern
    events, pages, token = [], 0, None
    while pages < max_pages and len(events) < max_events:
        if token:
            kwargs["nextToken"] = token
        kwargs["limit"] = min(10000, max_events - len(events))
        answer = call(
            logs,
            "filter_log_events",
            "logs:FilterLogEvents",
            log_group_name,
            missing="ResourceNotFoundException",
            **kwargs,
        )
        if answer is None:
            return dict(events=[], truncated=False, missing=True, pages=pages + 1)
        pages += 1
        events.extend(
            dict(
                timestamp=e["timestamp"],
                message=e.get("message", ""),
                log_stream_name=e.get("logStreamName"),
                event_id=e.get("eventId"),
            )
            for e in answer.get("events") or []
        )
        token = answer.get("nextToken")
        if not token:
            return dict(events=events, truncated=False, missing=False, pages=pages)
    return dict(events=events[:max_events], truncated=True, missing=False, pages=pages)


# ---------------------------------------------------------------- log streams


#: DescribeLogStreams' largest page.
STREAMS_PAGE = 50


def stream_from_aws(stream):
    return dict(
        name=stream["logStreamName"],
        last_ingestion_time=stream.get("lastIngestionTime"),
        last_event_timestamp=stream.get("lastEventTimestamp"),
    )


def describe_recent_log_streams(logs, log_group_name, token=None):
    """One page (50) of a log group's streams, the most recently written first (``orderBy`` LastEventTime,
    descending), without reading their events: ``(streams, next token)``, or ``(None, None)`` when the group does not
    exist. Each stream is ``{name, last_ingestion_time, last_event_timestamp}`` (milliseconds). AWS refuses a name
    prefix with this order, and updates ``lastEventTimestamp`` eventually (typically within an hour)."""
    kwargs = dict(logGroupName=log_group_name, orderBy="LastEventTime", descending=True, limit=STREAMS_PAGE)
    if token:
        kwargs["nextToken"] = token
    answer = call(
        logs,
        "describe_log_streams",
        "logs:DescribeLogStreams",
        log_group_name,
        missing="ResourceNotFoundException",
        **kwargs,
    )
    if answer is None:
        return None, None
    return [stream_from_aws(s) for s in answer.get("logStreams") or []], answer.get("nextToken")


# ---------------------------------------------------------------- saved Logs Insights queries (query definitions)


def query_definition_from_aws(found):
    return dict(
        name=found["name"],
        query_definition_id=found.get("queryDefinitionId"),
        log_group_names=list(found.get("logGroupNames") or []),
        query_string=found.get("queryString"),
    )


def describe_query_definitions(logs, prefix):
    """Saved queries whose name starts with ``prefix``. DescribeQueryDefinitions has no paginator in botocore."""
    found, token = [], None
    while True:
        kwargs = dict(queryDefinitionNamePrefix=prefix, maxResults=1000)
        if token:
            kwargs["nextToken"] = token
        page = call(logs, "describe_query_definitions", "logs:DescribeQueryDefinitions", prefix, **kwargs)
        found.extend(query_definition_from_aws(q) for q in page.get("queryDefinitions") or [])
        token = page.get("nextToken")
        if not token:
            return found


def put_query_definition(logs, name, query_string, log_group_names, query_definition_id=None):
    """Create a saved query, or (with its id) overwrite it. Returns its id."""
    kwargs = dict(name=name, queryString=query_string, logGroupNames=list(log_group_names))
    if query_definition_id:
        kwargs["queryDefinitionId"] = query_definition_id
    return call(logs, "put_query_definition", "logs:PutQueryDefinition", name, **kwargs).get("queryDefinitionId")


def delete_query_definition(logs, query_definition_id, name=None):
    call(
        logs,
        "delete_query_definition",
        "logs:DeleteQueryDefinition",
        name or query_definition_id,
        gone="ResourceNotFoundException",
        queryDefinitionId=query_definition_id,
    )
