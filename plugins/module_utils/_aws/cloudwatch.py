# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch: metric alarms, Contributor Insights rules, and their tags; metric data. Private: may change in any
release."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import call, chunks, paginate, tag_dict, tag_list
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError


def alarm_from_aws(alarm):
    return dict(
        name=alarm["AlarmName"],
        arn=alarm.get("AlarmArn"),
        description=alarm.get("AlarmDescription"),
        metric_name=alarm.get("MetricName"),
        namespace=alarm.get("Namespace"),
        statistic=alarm.get("Statistic"),
        period=alarm.get("Period"),
        evaluation_periods=alarm.get("EvaluationPeriods"),
        threshold=alarm.get("Threshold"),
        comparison_operator=alarm.get("ComparisonOperator"),
        treat_missing_data=alarm.get("TreatMissingData"),
        actions_enabled=alarm.get("ActionsEnabled"),
        alarm_actions=sorted(alarm.get("AlarmActions") or []),
        ok_actions=sorted(alarm.get("OKActions") or []),
        insufficient_data_actions=sorted(alarm.get("InsufficientDataActions") or []),
    )


def describe_alarms(cloudwatch, prefix):
    """Metric alarms whose name starts with ``prefix``, without tags."""
    found = paginate(
        cloudwatch,
        "describe_alarms",
        "MetricAlarms",
        "cloudwatch:DescribeAlarms",
        prefix,
        AlarmNamePrefix=prefix,
        AlarmTypes=["MetricAlarm"],
    )
    return [alarm_from_aws(a) for a in found]


def list_alarm_tags(cloudwatch, arn):
    return tag_dict(
        call(cloudwatch, "list_tags_for_resource", "cloudwatch:ListTagsForResource", arn, ResourceARN=arn).get("Tags")
    )


def put_metric_alarm(cloudwatch, alarm, tags=None):
    """Create or overwrite a metric alarm. AWS applies ``tags`` only when it creates the alarm."""
    kwargs = dict(
        AlarmName=alarm["name"],
        AlarmDescription=alarm.get("description") or "",
        ActionsEnabled=bool(alarm.get("actions_enabled", True)),
        AlarmActions=list(alarm.get("alarm_actions") or []),
        OKActions=list(alarm.get("ok_actions") or []),
        InsufficientDataActions=list(alarm.get("insufficient_data_actions") or []),
        MetricName=alarm["metric_name"],
        Namespace=alarm["namespace"],
        Statistic=alarm["statistic"],
        Period=alarm["period"],
        EvaluationPeriods=alarm["evaluation_periods"],
        Threshold=float(alarm["threshold"]),
        ComparisonOperator=alarm["comparison_operator"],
        TreatMissingData=alarm["treat_missing_data"],
    )
    if tags:
        kwargs["Tags"] = tag_list(tags)
    call(cloudwatch, "put_metric_alarm", "cloudwatch:PutMetricAlarm", alarm["name"], **kwargs)


def delete_alarms(cloudwatch, names):
    # DeleteAlarms takes up to 100 names per call.
    for part in chunks(sorted(names), 100):
        call(cloudwatch, "delete_alarms", "cloudwatch:DeleteAlarms", ", ".join(part), AlarmNames=part)


def tag_alarm(cloudwatch, arn, tags):
    call(cloudwatch, "tag_resource", "cloudwatch:TagResource", arn, ResourceARN=arn, Tags=tag_list(tags))


def untag_alarm(cloudwatch, arn, keys):
    call(cloudwatch, "untag_resource", "cloudwatch:UntagResource", arn, ResourceARN=arn, TagKeys=sorted(keys))


# ---------------------------------------------------------------- Contributor Insights rules


def insight_rule_arn(partition, region, account, name):
    return "arn:{}:cloudwatch:{}:{}:insight-rule/{}".format(partition, region, account, name)


def describe_insight_rules(cloudwatch):
    """Every Contributor Insights rule of the region (DescribeInsightRules has no name filter or paginator)."""
    found, token = [], None
    while True:
        kwargs = dict(MaxResults=500)
        if token:
            kwargs["NextToken"] = token
        page = call(cloudwatch, "describe_insight_rules", "cloudwatch:DescribeInsightRules", **kwargs)
        found.extend(
            dict(name=r["Name"], state=r.get("State"), definition=r.get("Definition"), managed=r.get("ManagedRule"))
            for r in page.get("InsightRules") or []
        )
        token = page.get("NextToken")
        if not token:
            return found


def put_insight_rule(cloudwatch, name, definition, state, tags=None):
    """Create or overwrite a rule. AWS applies ``tags`` only when it creates the rule."""
    kwargs = dict(RuleName=name, RuleState=state, RuleDefinition=definition)
    if tags:
        kwargs["Tags"] = tag_list(tags)
    call(cloudwatch, "put_insight_rule", "cloudwatch:PutInsightRule", name, **kwargs)


def delete_insight_rules(cloudwatch, names):
    """Delete rules; a rule already gone counts as deleted. DeleteInsightRules answers per rule in Failures."""
    for part in chunks(sorted(names), 100):
        answer = call(
            cloudwatch, "delete_insight_rules", "cloudwatch:DeleteInsightRules", ", ".join(part), RuleNames=part
        )
        for failure in answer.get("Failures") or []:
            if failure.get("ExceptionType") != "ResourceNotFoundException":
                raise AwsError(
                    "cloudwatch:DeleteInsightRules",
                    failure.get("ExceptionType") or "Failure",
                    failure.get("FailureDescription") or "the rule was not deleted",
                    failure.get("FailureResource"),
                )


def list_insight_rule_tags(cloudwatch, arn):
    return tag_dict(
        call(
            cloudwatch,
            "list_tags_for_resource",
            "cloudwatch:ListTagsForResource",
            arn,
            missing="ResourceNotFoundException",
            default={},
            ResourceARN=arn,
        ).get("Tags")
    )


def tag_insight_rule(cloudwatch, arn, tags):
    call(cloudwatch, "tag_resource", "cloudwatch:TagResource", arn, ResourceARN=arn, Tags=tag_list(tags))


def untag_insight_rule(cloudwatch, arn, keys):
    call(cloudwatch, "untag_resource", "cloudwatch:UntagResource", arn, ResourceARN=arn, TagKeys=sorted(keys))


# ---------------------------------------------------------------- metric data

#: GetMetricData takes at most 500 queries per call.
METRIC_QUERIES_PER_CALL = 500


def metric_query(query_id, namespace, metric_name, dimensions, period, stat="Sum"):
    """One MetricStat query of GetMetricData; ``query_id`` starts with a lowercase letter (AWS's rule)."""
    return dict(
        Id=query_id,
        MetricStat=dict(
            Metric=dict(
                Namespace=namespace,
                MetricName=metric_name,
                Dimensions=[dict(Name=k, Value=v) for k, v in sorted(dimensions.items())],
            ),
            Period=period,
            Stat=stat,
        ),
        ReturnData=True,
    )


def get_metric_data(cloudwatch, queries, start, end, max_pages=10):
    """The datapoints of ``queries`` (metric_query()) between ``start`` and ``end`` (datetimes): query id ->
    ``[(timestamp, value)]``, newest first. 500 queries per call; the pages of one call are merged."""
    found = {q["Id"]: [] for q in queries}
    for part in chunks(queries, METRIC_QUERIES_PER_CALL):
        kwargs = dict(MetricDataQueries=part, StartTime=start, EndTime=end, ScanBy="TimestampDescending")
        for _page in range(max_pages):
            answer = call(cloudwatch, "get_metric_data", "cloudwatch:GetMetricData", **kwargs)
            for result in answer.get("MetricDataResults") or []:
                found.setdefault(result["Id"], []).extend(
                    zip(result.get("Timestamps") or [], result.get("Values") or [])
                )
            if not answer.get("NextToken"):
                break
            kwargs["NextToken"] = answer["NextToken"]
    return {key: sorted(points, key=lambda p: p[0], reverse=True) for key, points in found.items()}
