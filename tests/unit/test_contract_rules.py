"""The AWS contract check of the tests (tests/support/contract.py): every documented rule fails on a violating
call and passes a valid one; the model walker; the botocore handler; reaching child processes."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys

import botocore.session
import pytest
from botocore.exceptions import BotoCoreError
from botocore.stub import Stubber

from tests.support import contract
from tests.support.paths import REPO

ROLE = "arn:aws:iam::123456789012:role/flow-logs"
GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/flowlogs/vpc"
BUCKET = "arn:aws:s3:::flowlogs-bucket/vpc"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/" + KEY_ID
DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} "
    "${bytes} ${start} ${end} ${action} ${log-status}"
)


def vpc_flow_log(**changes):
    params = dict(
        ResourceIds=["vpc-0123456789abcdef0"],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="/flowlogs/vpc",
        DeliverLogsPermissionArn=ROLE,
    )
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


def s3_flow_log(**changes):
    base = dict(LogDestinationType="s3", LogDestination=BUCKET, LogGroupName=None, DeliverLogsPermissionArn=None)
    return vpc_flow_log(**dict(base, **changes))


def tgw_flow_log(**changes):
    base = dict(ResourceType="TransitGateway", ResourceIds=["tgw-0123456789abcdef0"], TrafficType=None)
    return vpc_flow_log(**dict(base, **changes))


def ids(prefix, count):
    return ["{}-{:017x}".format(prefix, i) for i in range(count)]


def tags(count, **extra):
    found = [{"Key": "k{}".format(i), "Value": "v"} for i in range(count)]
    found += [{"Key": k, "Value": v} for k, v in extra.items()]
    return found


def policy(size):
    """A JSON policy of exactly ``size`` characters without white space, padded with spaces too."""
    base = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": ""}]}
    text = json.dumps(base, separators=(",", ":"))
    base["Statement"][0]["Resource"] = "x" * (size - len(text))
    return json.dumps(base, indent=4)


def compact(size):
    """A JSON policy of exactly ``size`` bytes, as S3 and KMS count them (white space included)."""
    base = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ""}]}
    base["Statement"][0]["Resource"] = "x" * (size - len(json.dumps(base, separators=(",", ":"))))
    return json.dumps(base, separators=(",", ":"))


def insight_rule(**changes):
    body = dict(
        Schema={"Name": "CloudWatchLogRule", "Version": 1},
        LogGroupNames=["vpc-flow-logs"],
        LogFormat="CLF",
        Fields={"3": "interfaceId", "13": "action"},
        Contribution={"Keys": ["interfaceId"], "Filters": [{"Match": "action", "In": ["REJECT"]}]},
        AggregateOn="Count",
    )
    body.update(changes)
    return {"RuleName": "rule", "RuleState": "ENABLED", "RuleDefinition": json.dumps(body)}


def alarm(**changes):
    params = dict(
        AlarmName="flowlogs-rejects",
        Namespace="FlowLogs/VPC",
        MetricName="Rejects",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
    )
    params.update(changes)
    return params


START = datetime.datetime(2026, 11, 21, tzinfo=datetime.timezone.utc)
END = START + datetime.timedelta(days=1)


def queries(count, ids=None, period=60):
    ids = ids or ["v{}".format(n) for n in range(count)]
    metric = {
        "Namespace": "AWS/Logs",
        "MetricName": "IncomingBytes",
        "Dimensions": [{"Name": "LogGroupName", "Value": "g"}],
    }
    return [{"Id": i, "MetricStat": {"Metric": metric, "Period": period, "Stat": "Sum"}} for i in ids]


def metric_data(found, start=START, end=END):
    return {"MetricDataQueries": found, "StartTime": start, "EndTime": end}


# (rule id, service, operation, violating params, valid params)
CASES = [
    ("ec2-create-flow-logs-resource-ids", "ec2", "CreateFlowLogs", vpc_flow_log(ResourceIds=ids("vpc", 301)),
     vpc_flow_log(ResourceIds=ids("vpc", 300))),
    ("ec2-create-flow-logs-resource-ids", "ec2", "CreateFlowLogs", tgw_flow_log(ResourceIds=ids("tgw", 26)),
     tgw_flow_log(ResourceIds=ids("tgw", 25))),
    ("ec2-create-flow-logs-resource-ids", "ec2", "CreateFlowLogs",
     tgw_flow_log(ResourceType="CoreNetworkAttachment", ResourceIds=ids("attachment", 26)),
     tgw_flow_log(ResourceType="CoreNetworkAttachment", ResourceIds=ids("attachment", 25))),
    ("ec2-create-flow-logs-resource-ids", "ec2", "CreateFlowLogs", vpc_flow_log(ResourceIds=[]), vpc_flow_log()),
    ("ec2-create-flow-logs-traffic-type", "ec2", "CreateFlowLogs", vpc_flow_log(TrafficType=None), vpc_flow_log()),
    ("ec2-create-flow-logs-traffic-type", "ec2", "CreateFlowLogs", tgw_flow_log(TrafficType="ALL"), tgw_flow_log()),
    ("ec2-create-flow-logs-aggregation-interval", "ec2", "CreateFlowLogs", vpc_flow_log(MaxAggregationInterval=120),
     vpc_flow_log(MaxAggregationInterval=60)),
    ("ec2-create-flow-logs-aggregation-interval", "ec2", "CreateFlowLogs", tgw_flow_log(MaxAggregationInterval=600),
     tgw_flow_log(MaxAggregationInterval=60)),
    ("ec2-create-flow-logs-delivery-role", "ec2", "CreateFlowLogs", vpc_flow_log(DeliverLogsPermissionArn=None),
     vpc_flow_log()),
    ("ec2-create-flow-logs-delivery-role", "ec2", "CreateFlowLogs", s3_flow_log(DeliverLogsPermissionArn=ROLE),
     s3_flow_log()),
    ("ec2-create-flow-logs-delivery-role", "ec2", "CreateFlowLogs",
     vpc_flow_log(LogDestinationType="kinesis-data-firehose", LogGroupName=None, DeliverLogsPermissionArn=None,
                  LogDestination="arn:aws:firehose:us-east-1:123456789012:deliverystream/flow",
                  DeliverCrossAccountRole=ROLE),
     vpc_flow_log(LogDestinationType="kinesis-data-firehose", LogGroupName=None,
                  LogDestination="arn:aws:firehose:us-east-1:123456789012:deliverystream/flow",
                  DeliverCrossAccountRole=ROLE)),
    ("ec2-create-flow-logs-destination", "ec2", "CreateFlowLogs", vpc_flow_log(LogDestination=GROUP_ARN),
     vpc_flow_log(LogGroupName=None, LogDestination=GROUP_ARN)),
    ("ec2-create-flow-logs-destination", "ec2", "CreateFlowLogs", s3_flow_log(LogGroupName="/flowlogs/vpc"),
     s3_flow_log()),
    ("ec2-create-flow-logs-destination", "ec2", "CreateFlowLogs", s3_flow_log(LogDestination="arn:aws:s3:::b/AWSLogs"),
     s3_flow_log(LogDestination="arn:aws:s3:::b/logs")),
    ("ec2-create-flow-logs-destination", "ec2", "CreateFlowLogs", s3_flow_log(LogDestination="flowlogs-bucket"),
     s3_flow_log()),
    ("ec2-create-flow-logs-destination-options", "ec2", "CreateFlowLogs",
     s3_flow_log(DestinationOptions={"FileFormat": "plain"}),
     s3_flow_log(DestinationOptions={"FileFormat": "plain-text"})),
    ("ec2-create-flow-logs-destination-options", "ec2", "CreateFlowLogs",
     vpc_flow_log(DestinationOptions={"FileFormat": "parquet"}),
     s3_flow_log(DestinationOptions={"FileFormat": "parquet"})),
    ("ec2-create-flow-logs-log-format", "ec2", "CreateFlowLogs", vpc_flow_log(LogFormat="${srcaddr}  ${dstaddr}"),
     vpc_flow_log(LogFormat="${srcaddr} ${dstaddr}")),
    ("ec2-create-flow-logs-log-format", "ec2", "CreateFlowLogs", vpc_flow_log(LogFormat="${srcaddr} ${source-port}"),
     vpc_flow_log(LogFormat=DEFAULT_FORMAT + " ${ecs-task-id} ${reject-reason} ${resource-id} ${encryption-status}")),
    ("ec2-create-flow-logs-log-format", "ec2", "CreateFlowLogs", vpc_flow_log(LogFormat="srcaddr dstaddr"),
     vpc_flow_log(LogFormat="${pkt-srcaddr} ${traffic-path} ${flow-direction} ${sublocation-id}")),
    ("ec2-create-flow-logs-log-format", "ec2", "CreateFlowLogs", vpc_flow_log(LogFormat=""),
     vpc_flow_log(LogFormat="${version}")),
    ("ec2-create-flow-logs-log-format", "ec2", "CreateFlowLogs", vpc_flow_log(LogFormat="${srcaddr} ${tgw-id}"),
     tgw_flow_log(LogFormat="${srcaddr} ${tgw-id} ${packets-lost-blackhole}")),
    ("ec2-create-flow-logs-log-format", "ec2", "CreateFlowLogs", vpc_flow_log(LogFormat="${srcaddr} ${instance-tag}"),
     vpc_flow_log(LogFormat="${srcaddr} ${instance-tag}",
                  TagFieldSpecifications=[{"ResourceType": "instance", "TagKeys": ["team"]}])),
    ("ec2-create-flow-logs-log-format", "ec2", "CreateFlowLogs",
     vpc_flow_log(LogFormat="${instance-tag-2}",
                  TagFieldSpecifications=[{"ResourceType": "instance", "TagKeys": ["a"]}]),
     vpc_flow_log(LogFormat="${instance-tag-2}",
                  TagFieldSpecifications=[{"ResourceType": "instance", "TagKeys": ["a", "b"]}])),
    ("ec2-create-flow-logs-tag-resource-type", "ec2", "CreateFlowLogs",
     vpc_flow_log(TagSpecifications=[{"ResourceType": "vpc", "Tags": tags(1)}]),
     vpc_flow_log(TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": tags(1)}])),
    ("logs-log-group-name", "logs", "CreateLogGroup", {"logGroupName": "aws/flowlogs"},
     {"logGroupName": "/aws-flowlogs/vpc#1"}),
    ("logs-log-group-name", "logs", "CreateLogGroup", {"logGroupName": "flow logs"}, {"logGroupName": "flow_logs.v2"}),
    ("logs-log-group-name", "logs", "CreateLogGroup", {"logGroupName": "x" * 513}, {"logGroupName": "x" * 512}),
    ("logs-log-group-name", "ec2", "CreateFlowLogs", vpc_flow_log(LogGroupName="flow:logs"), vpc_flow_log()),
    ("ec2-delete-flow-logs-ids", "ec2", "DeleteFlowLogs", {"FlowLogIds": ids("fl", 1001)},
     {"FlowLogIds": ids("fl", 1000)}),
    ("ec2-filter-values", "ec2", "DescribeVpcs",
     {"Filters": [{"Name": "tag:env", "Values": ["prod"]}, {"Name": "vpc-id", "Values": ids("vpc", 200)}]},
     {"Filters": [{"Name": "tag:env", "Values": ["prod"]}, {"Name": "vpc-id", "Values": ids("vpc", 199)}]}),
    ("ec2-filter-values", "ec2", "DescribeFlowLogs", {"Filter": [{"Name": "resource-id", "Values": ids("vpc", 201)}]},
     {"Filter": [{"Name": "resource-id", "Values": ids("vpc", 200)}]}),
    ("ec2-tags-resources-per-call", "ec2", "CreateTags", {"Resources": ids("fl", 1001), "Tags": tags(1)},
     {"Resources": ids("fl", 1000), "Tags": tags(1)}),
    ("ec2-tags-resources-per-call", "ec2", "DeleteTags", {"Resources": ids("fl", 1), "Tags": tags(1001)},
     {"Resources": ids("fl", 1), "Tags": tags(1000)}),
    ("tags-max-50", "iam", "CreateRole", {"RoleName": "r", "Tags": tags(51)}, {"RoleName": "r", "Tags": tags(50)}),
    ("tags-max-50", "logs", "CreateLogGroup", {"logGroupName": "g", "tags": {str(i): "v" for i in range(51)}},
     {"logGroupName": "g", "tags": {str(i): "v" for i in range(50)}}),
    ("tags-max-50", "ec2", "CreateFlowLogs",
     vpc_flow_log(TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": tags(51)}]),
     vpc_flow_log(TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": tags(50)}])),
    ("tags-max-50", "cloudwatch", "TagResource", {"ResourceARN": "arn", "Tags": tags(51)},
     {"ResourceARN": "arn", "Tags": tags(50)}),
    ("tags-aws-prefix", "iam", "TagRole", {"RoleName": "r", "Tags": [{"Key": "AWS:owner", "Value": "x"}]},
     {"RoleName": "r", "Tags": [{"Key": "owner-aws:", "Value": "x"}]}),
    ("tags-aws-prefix", "ec2", "CreateTags", {"Resources": ["fl-1"], "Tags": [{"Key": "aws:x", "Value": "y"}]},
     {"Resources": ["fl-1"], "Tags": [{"Key": "x", "Value": "aws:y"}]}),
    ("tags-length", "ec2", "CreateTags", {"Resources": ["fl-1"], "Tags": [{"Key": "k" * 128, "Value": ""}]},
     {"Resources": ["fl-1"], "Tags": [{"Key": "k" * 127, "Value": ""}]}),
    ("tags-length", "iam", "TagRole", {"RoleName": "r", "Tags": [{"Key": "k" * 129, "Value": "v"}]},
     {"RoleName": "r", "Tags": [{"Key": "k" * 128, "Value": "v"}]}),
    ("tags-length", "logs", "TagResource", {"resourceArn": GROUP_ARN, "tags": {"k": "v" * 257}},
     {"resourceArn": GROUP_ARN, "tags": {"k": "v" * 256}}),
    ("tags-length", "cloudwatch", "PutMetricAlarm", alarm(Tags=[{"Key": "", "Value": "v"}]),
     alarm(Tags=[{"Key": "k", "Value": ""}])),
    ("tags-charset", "iam", "CreateRole", {"RoleName": "r", "Tags": [{"Key": "team#1", "Value": "x"}]},
     {"RoleName": "r", "Tags": [{"Key": "Équipe 1", "Value": "réseau_9:/=+-@."}]}),
    ("tags-charset", "logs", "CreateLogGroup", {"logGroupName": "g", "tags": {"owner": "a,b"}},
     {"logGroupName": "g", "tags": {"owner": "a b"}}),
    ("tags-charset", "cloudwatch", "TagResource", {"ResourceARN": "arn", "Tags": [{"Key": "k", "Value": "100%"}]},
     {"ResourceARN": "arn", "Tags": [{"Key": "k", "Value": "100"}]}),
    ("logs-retention-days", "logs", "PutRetentionPolicy", {"logGroupName": "g", "retentionInDays": 4},
     {"logGroupName": "g", "retentionInDays": 3653}),
    ("logs-retention-days", "logs", "PutRetentionPolicy", {"logGroupName": "g", "retentionInDays": 0},
     {"logGroupName": "g", "retentionInDays": 1}),
    ("logs-kms-key-arn", "logs", "CreateLogGroup", {"logGroupName": "g", "kmsKeyId": "alias/flowlogs"},
     {"logGroupName": "g", "kmsKeyId": KEY_ARN}),
    ("logs-kms-key-arn", "logs", "AssociateKmsKey", {"logGroupName": "g", "kmsKeyId": KEY_ID},
     {"logGroupName": "g", "kmsKeyId": KEY_ARN}),
    ("logs-tagging-arn", "logs", "TagResource", {"resourceArn": GROUP_ARN + ":*", "tags": {"k": "v"}},
     {"resourceArn": GROUP_ARN, "tags": {"k": "v"}}),
    ("logs-tagging-arn", "logs", "ListTagsForResource", {"resourceArn": GROUP_ARN + ":*"}, {"resourceArn": GROUP_ARN}),
    ("logs-group-identifier", "logs", "PutLogGroupDeletionProtection",
     {"logGroupIdentifier": GROUP_ARN + ":*", "deletionProtectionEnabled": True},
     {"logGroupIdentifier": GROUP_ARN, "deletionProtectionEnabled": True}),
    ("logs-group-identifier", "logs", "PutLogGroupDeletionProtection",
     {"logGroupIdentifier": "g" * 513, "deletionProtectionEnabled": False},
     {"logGroupIdentifier": "/flowlogs/vpc", "deletionProtectionEnabled": False}),
    ("cloudwatch-alarm-period", "cloudwatch", "PutMetricAlarm", alarm(Period=45), alarm(Period=10)),
    ("cloudwatch-alarm-period", "cloudwatch", "PutMetricAlarm", alarm(Period=90), alarm(Period=120)),
    ("cloudwatch-alarm-evaluation-window", "cloudwatch", "PutMetricAlarm", alarm(Period=300, EvaluationPeriods=289),
     alarm(Period=300, EvaluationPeriods=288)),
    ("cloudwatch-alarm-evaluation-window", "cloudwatch", "PutMetricAlarm", alarm(Period=3600, EvaluationPeriods=169),
     alarm(Period=3600, EvaluationPeriods=168)),
    ("cloudwatch-alarm-datapoints", "cloudwatch", "PutMetricAlarm", alarm(EvaluationPeriods=2, DatapointsToAlarm=3),
     alarm(EvaluationPeriods=3, DatapointsToAlarm=3)),
    ("cloudwatch-alarm-name", "cloudwatch", "PutMetricAlarm", alarm(AlarmName="flow\tlogs"),
     alarm(AlarmName="flow logs: rejects (vpc-1)")),
    ("cloudwatch-alarm-name", "cloudwatch", "PutMetricAlarm", alarm(AlarmName="a" * 256), alarm(AlarmName="a" * 255)),
    ("cloudwatch-alarm-namespace", "cloudwatch", "PutMetricAlarm", alarm(Namespace=":FlowLogs"),
     alarm(Namespace="FlowLogs:VPC")),
    ("cloudwatch-alarm-namespace", "cloudwatch", "PutMetricAlarm", alarm(Namespace="FlowLogs*"),
     alarm(Namespace="Flow Logs/#1")),
    ("cloudwatch-treat-missing-data", "cloudwatch", "PutMetricAlarm", alarm(TreatMissingData="notbreaching"),
     alarm(TreatMissingData="missing")),
    ("cloudwatch-insight-rule-definition", "cloudwatch", "PutInsightRule", insight_rule(LogFormat="TEXT"),
     insight_rule()),
    ("cloudwatch-insight-rule-definition", "cloudwatch", "PutInsightRule", insight_rule(AggregateOn="Sum"),
     insight_rule(AggregateOn="Sum", Contribution={"Keys": ["srcaddr"], "ValueOf": "bytes"})),
    ("cloudwatch-insight-rule-definition", "cloudwatch", "PutInsightRule",
     insight_rule(Contribution={"Keys": ["a", "b", "c", "d", "e"]}), insight_rule(Contribution={"Keys": ["a"]})),
    ("cloudwatch-insight-rule-definition", "cloudwatch", "PutInsightRule",
     insight_rule(Contribution={"Keys": ["a"], "Filters": [{"Match": "action", "In": ["REJECT"], "EqualTo": 1}]}),
     insight_rule(Contribution={"Keys": ["a"], "Filters": [{"Match": "action", "In": ["REJECT"]}]})),
    ("cloudwatch-insight-rule-definition", "cloudwatch", "PutInsightRule",
     insight_rule(Contribution={"Keys": ["a"], "Filters": [{"Match": "p", "In": [str(i) for i in range(11)]}]}),
     insight_rule(Contribution={"Keys": ["a"], "Filters": [{"Match": "p", "In": [str(i) for i in range(10)]}]})),
    ("cloudwatch-insight-rule-definition", "cloudwatch", "PutInsightRule", insight_rule(Fields={"$4": "srcaddr"}),
     insight_rule(Fields={"4": "srcaddr"})),
    ("cloudwatch-insight-rule-definition", "cloudwatch", "PutInsightRule",
     dict(insight_rule(), RuleDefinition="{Schema: CloudWatchLogRule}"), insight_rule(LogGroupNames=["g*"])),
    ("iam-role-name", "iam", "CreateRole", {"RoleName": "r" * 65}, {"RoleName": "r" * 64}),
    ("iam-role-name", "iam", "GetRole", {"RoleName": "flow logs"}, {"RoleName": "flow-logs+=,.@_1"}),
    ("iam-path", "iam", "CreateRole", {"RoleName": "r", "Path": "flowlogs/"}, {"RoleName": "r", "Path": "/flowlogs/"}),
    ("iam-path", "iam", "CreateRole", {"RoleName": "r", "Path": "/flow logs/"}, {"RoleName": "r", "Path": "/"}),
    ("iam-policy-name", "iam", "PutRolePolicy", {"RoleName": "r", "PolicyName": "p" * 129, "PolicyDocument": "{}"},
     {"RoleName": "r", "PolicyName": "p" * 128, "PolicyDocument": "{}"}),
    ("iam-policy-json", "iam", "PutRolePolicy", {"RoleName": "r", "PolicyName": "p", "PolicyDocument": "{'a': 1}"},
     {"RoleName": "r", "PolicyName": "p", "PolicyDocument": policy(100)}),
    ("iam-policy-json", "iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "[]"},
     {"RoleName": "r", "AssumeRolePolicyDocument": policy(100)}),
    ("iam-trust-policy-size", "iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": policy(2049)},
     {"RoleName": "r", "AssumeRolePolicyDocument": policy(2048)}),
    ("iam-trust-policy-size", "iam", "UpdateAssumeRolePolicy", {"RoleName": "r", "PolicyDocument": policy(2049)},
     {"RoleName": "r", "PolicyDocument": policy(2048)}),
    ("iam-inline-policy-size", "iam", "PutRolePolicy",
     {"RoleName": "r", "PolicyName": "p", "PolicyDocument": policy(10241)},
     {"RoleName": "r", "PolicyName": "p", "PolicyDocument": policy(10240)}),
    ("iam-role-description", "iam", "CreateRole", {"RoleName": "r", "Description": "d" * 1001},
     {"RoleName": "r", "Description": "d" * 1000}),
    ("iam-role-description", "iam", "UpdateRole", {"RoleName": "r", "Description": "bell\x07"},
     {"RoleName": "r", "Description": "Flow logs - déploiement\n"}),
    ("s3-bucket-policy", "s3", "PutBucketPolicy", {"Bucket": "b", "Policy": compact(20481)},
     {"Bucket": "b", "Policy": compact(20480)}),
    ("s3-bucket-policy", "s3", "PutBucketPolicy", {"Bucket": "b", "Policy": '{"Version": "2012-10-17"}'},
     {"Bucket": "b", "Policy": compact(200)}),
    ("s3-bucket-policy", "s3", "PutBucketPolicy", {"Bucket": "b", "Policy": "{'Statement': []}"},
     {"Bucket": "b", "Policy": compact(200)}),
    ("kms-key-policy", "kms", "PutKeyPolicy", {"KeyId": KEY_ID, "PolicyName": "default", "Policy": compact(32769)},
     {"KeyId": KEY_ID, "PolicyName": "default", "Policy": compact(32768)}),
    ("kms-key-policy-name", "kms", "PutKeyPolicy", {"KeyId": KEY_ID, "PolicyName": "delivery", "Policy": compact(200)},
     {"KeyId": KEY_ID, "PolicyName": "default", "Policy": compact(200)}),
    ("kms-key-policy-name", "kms", "GetKeyPolicy", {"KeyId": KEY_ID, "PolicyName": "Default"},
     {"KeyId": KEY_ID}),
    ("cloudwatch-get-metric-data-queries", "cloudwatch", "GetMetricData", metric_data(queries(501)),
     metric_data(queries(500))),
    ("cloudwatch-get-metric-data-queries", "cloudwatch", "GetMetricData", metric_data(queries(2, ids=["v0", "v0"])),
     metric_data(queries(2))),
    ("cloudwatch-get-metric-data-queries", "cloudwatch", "GetMetricData", metric_data(queries(1, ids=["0v"])),
     metric_data(queries(1, ids=["v_0"]))),
    ("cloudwatch-get-metric-data-queries", "cloudwatch", "GetMetricData", metric_data(queries(1, period=90)),
     metric_data(queries(1, period=86400))),
    ("cloudwatch-get-metric-data-times", "cloudwatch", "GetMetricData", metric_data(queries(1), start=END, end=START),
     metric_data(queries(1))),
    ("logs-describe-log-streams-order", "logs", "DescribeLogStreams",
     {"logGroupName": "g", "orderBy": "LastEventTime", "logStreamNamePrefix": "eni-"},
     {"logGroupName": "g", "orderBy": "LastEventTime", "descending": True, "limit": 50}),
]  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_state():
    contract.reset_state()
    yield
    contract.reset_state()


def broken(rule_id, service, operation, params):
    return [v.message for v in contract.check_rules(service, operation, params) if v.rule == rule_id]


@pytest.mark.parametrize(("rule_id", "service", "operation", "bad", "good"), CASES)
def test_rule_fails_on_a_violating_call_and_passes_a_valid_one(rule_id, service, operation, bad, good):
    assert broken(rule_id, service, operation, bad), "{} let a violating call pass".format(rule_id)
    contract.reset_state()
    assert broken(rule_id, service, operation, good) == []


#: Rules whose violation takes more than one call (state), each with its own test below.
STATEFUL_RULES = ("logs-delete-protected-group",)


def test_every_rule_has_cases_and_a_well_formed_row():
    tested = {case[0] for case in CASES} | set(STATEFUL_RULES)
    assert tested == set(contract.RULES_BY_ID)
    for rule in contract.RULES:
        assert rule.id == rule.id.lower() and " " not in rule.id
        assert rule.description and "\n" not in rule.description
        assert "https://" in rule.source
        assert rule.targets and all(":" in t for t in rule.targets)


def test_valid_calls_break_no_rule_at_all():
    for _rule, service, operation, _bad, good in CASES:
        contract.reset_state()
        assert contract.check_rules(service, operation, good) == [], (service, operation, good)


def test_inline_policies_count_together_per_role_until_deleted():
    put = dict(RoleName="Flow", PolicyName="a", PolicyDocument=policy(6000))
    assert broken("iam-inline-policy-size", "iam", "PutRolePolicy", put) == []
    second = dict(put, RoleName="flow", PolicyName="b")  # IAM names are case-insensitive
    assert broken("iam-inline-policy-size", "iam", "PutRolePolicy", second) != []
    assert broken("iam-inline-policy-size", "iam", "PutRolePolicy", dict(second, PolicyDocument=policy(4000))) == []
    contract.check_rules("iam", "DeleteRolePolicy", dict(RoleName="flow", PolicyName="a"))
    assert broken("iam-inline-policy-size", "iam", "PutRolePolicy", dict(second, PolicyDocument=policy(10000))) == []
    contract.check_rules("iam", "DeleteRole", dict(RoleName="flow"))
    assert contract._INLINE_POLICIES == {}  # pylint: disable=protected-access


def test_a_protected_log_group_is_not_deleted_until_the_protection_is_lifted():
    rule = "logs-delete-protected-group"
    assert (
        broken(rule, "logs", "CreateLogGroup", dict(logGroupName="/flowlogs/vpc", deletionProtectionEnabled=True)) == []
    )
    assert broken(rule, "logs", "DeleteLogGroup", dict(logGroupName="/flowlogs/vpc")) != []
    protect = dict(logGroupIdentifier=GROUP_ARN, deletionProtectionEnabled=True)
    assert broken(rule, "logs", "PutLogGroupDeletionProtection", protect) == []
    lift = dict(protect, deletionProtectionEnabled=False)
    assert broken(rule, "logs", "PutLogGroupDeletionProtection", lift) == []
    assert broken(rule, "logs", "DeleteLogGroup", dict(logGroupName="/flowlogs/vpc")) == []
    assert broken(rule, "logs", "DeleteLogGroup", dict(logGroupName="never-protected")) == []


def test_policy_size_does_not_count_white_space():
    assert contract.policy_size('{\n  "a": "b c"\n}') == len('{"a":"bc"}')


def test_file_formats_are_the_models_enum():
    model = botocore.session.get_session().get_service_model("ec2")
    assert set(contract.FILE_FORMATS) == set(model.shape_for("DestinationFileFormat").enum)


def test_gateway_types_are_in_the_models_resource_type_enum():
    model = botocore.session.get_session().get_service_model("ec2")
    assert set(model.shape_for("FlowLogsResourceType").enum) >= contract.GATEWAY_TYPES


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Équipe 1", True),
        ("データ", True),
        ("٣", True),
        ("a\u00a0b", True),
        ("_.:/=+-@", True),
        ("", True),
        ("a#b", False),
        ("a,b", False),
        ("a\tb", False),
        ("é\u0301", False),  # a combining mark is \p{M}, not L/Z/N
    ],
)
def test_tag_character_set_with_and_without_the_regex_module(text, ok):
    assert contract.tag_chars_ok_unicodedata(text) is ok
    assert contract.tag_chars_ok(text) is ok


# ---------------------------------------------------------------- the model walker


def model(service, operation):
    return botocore.session.get_session().get_service_model(service).operation_model(operation)


def model_violations(service, operation, params):
    return [(v.rule, v.message) for v in contract.MODEL.check(model(service, operation), params)]


@pytest.mark.parametrize(
    ("service", "operation", "params", "rule", "where"),
    [
        ("ec2", "CreateFlowLogs", dict(vpc_flow_log(), TrafficType="all"), "model-enum", "TrafficType"),
        ("ec2", "CreateFlowLogs", s3_flow_log(DestinationOptions={"FileFormat": "plain"}), "model-enum",
         "DestinationOptions.FileFormat"),
        ("logs", "CreateLogGroup", {"logGroupName": "g" * 513}, "model-length", "logGroupName"),
        ("logs", "CreateLogGroup", {"logGroupName": "a b"}, "model-pattern", "logGroupName"),
        ("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Path": "x"}, "model-pattern",
         "Path"),
        ("iam", "CreateRole", {"RoleName": "flow-logs", "AssumeRolePolicyDocument": "{}", "MaxSessionDuration": 60},
         "model-range", "MaxSessionDuration"),
        ("cloudwatch", "PutMetricAlarm", alarm(AlarmActions=["arn:aws:sns:us-east-1:1:t"] * 6), "model-list-length",
         "AlarmActions"),
        ("logs", "TagResource", {"resourceArn": GROUP_ARN, "tags": {str(i): "v" for i in range(51)}},
         "model-list-length", "tags"),
        ("ec2", "CreateFlowLogs",
         vpc_flow_log(TagFieldSpecifications=[{"ResourceType": "instance", "TagKeys": ["a", "b", "c"]}]),
         "model-list-length", "TagFieldSpecifications[0].TagKeys"),
        ("cloudwatch", "PutMetricAlarm", alarm(Namespace=":x"), "model-pattern", "Namespace"),
        ("logs", "PutMetricFilter",
         {"logGroupName": "g", "filterName": "f", "filterPattern": "",
          "metricTransformations": [{"metricName": "m", "metricNamespace": "a:b", "metricValue": "1"}]},
         "model-pattern", "metricTransformations[0].metricNamespace"),
    ],
)  # fmt: skip
def test_model_walker_finds_what_botocore_does_not_check(service, operation, params, rule, where):
    found = model_violations(service, operation, params)
    assert any(r == rule and m.startswith(where + " ") for r, m in found), found


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("ec2", "CreateFlowLogs", s3_flow_log(DestinationOptions={"FileFormat": "parquet", "PerHourPartition": True})),
        ("iam", "CreateRole", {"RoleName": "flow-logs", "AssumeRolePolicyDocument": policy(200), "Path": "/a/b/"}),
        ("logs", "CreateLogGroup", {"logGroupName": "/flowlogs/vpc", "tags": {"Équipe": "réseau"}}),
        ("cloudwatch", "PutMetricAlarm", alarm(Tags=[{"Key": "team", "Value": "net"}])),
        ("ec2", "DescribeVpcs", {"Filters": [{"Name": "vpc-id", "Values": ids("vpc", 500)}]}),
    ],
)
def test_model_walker_passes_valid_calls(service, operation, params):
    assert model_violations(service, operation, params) == []


def test_java_only_patterns_are_skipped_and_listed():
    assert contract.compile_pattern(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*") is None
    assert contract.compile_pattern(r"[\w-_]*") is None
    assert r"[\w-_]*" in contract.SKIPPED_PATTERNS
    assert contract.compile_pattern(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)").fullmatch("/a/")
    assert not contract.compile_pattern(r"[\w+=,.@-]+").fullmatch("é")  # Java's \w is ASCII


def test_recursive_shapes_compile_once():
    found = model_violations(
        "dynamodb", "PutItem", {"TableName": "t", "Item": {"a": {"M": {"b": {"L": [{"S": "x"}]}}}}}
    )
    assert found == []


# ---------------------------------------------------------------- the botocore handler

COLLECTION_CODE = """
def call(client, **params):
    return client.create_flow_logs(**params)
"""


def collection_call():
    """``call`` as if defined in the collection (the checker raises for the collection's calls only)."""
    namespace = {"__name__": "ansible_collections.flowlogs.aws.plugins.module_utils.fake"}
    exec(COLLECTION_CODE, namespace)  # pylint: disable=exec-used
    return namespace["call"]


@pytest.fixture
def checked_ec2(tmp_path, monkeypatch):
    log = tmp_path / "contract.jsonl"
    monkeypatch.setenv(contract.ENV_LOG, str(log))
    monkeypatch.setenv(contract.ENV_TEST, "unit")
    monkeypatch.delenv(contract.ENV_MODE, raising=False)
    monkeypatch.delenv(contract.ENV_SCOPE, raising=False)
    monkeypatch.setattr(contract, "ACTIVE", True)
    session = contract.install(botocore.session.get_session())
    client = session.create_client("ec2", "us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    with Stubber(client) as stubber:
        yield client, stubber, log


def test_a_violating_collection_call_raises_and_is_logged(checked_ec2):
    client, stubber, log = checked_ec2
    stubber.add_response("create_flow_logs", {"FlowLogIds": ["fl-1"]})  # the Stubber's own check runs first
    with pytest.raises(contract.ContractViolation) as raised:
        collection_call()(client, **s3_flow_log(DestinationOptions={"FileFormat": "plain"}))
    assert isinstance(raised.value, BotoCoreError)
    assert str(raised.value).startswith("AWS contract violation [ec2-create-flow-logs-destination-options]: ")
    records = contract.read_log(log)
    assert {r["rule"] for r in records} == {"ec2-create-flow-logs-destination-options", "model-enum"}
    for record in records:
        assert {"rule", "source", "service", "operation", "message", "pid"} <= set(record)
        assert (record["service"], record["operation"], record["pid"]) == ("ec2", "CreateFlowLogs", os.getpid())
        assert (record["origin"], record["test"]) == ("collection", "unit")


def test_a_valid_call_goes_through(checked_ec2):
    client, stubber, log = checked_ec2
    stubber.add_response("create_flow_logs", {"FlowLogIds": ["fl-1"]})
    assert collection_call()(client, **vpc_flow_log())["FlowLogIds"] == ["fl-1"]
    assert not log.exists()


def test_the_harness_own_calls_are_logged_not_raised_unless_scope_all(checked_ec2, monkeypatch):
    client, stubber, log = checked_ec2
    stubber.add_response("create_flow_logs", {"FlowLogIds": ["fl-1"]})
    client.create_flow_logs(**vpc_flow_log(TrafficType=None))
    assert [(r["rule"], r["origin"]) for r in contract.read_log(log)] == [
        ("ec2-create-flow-logs-traffic-type", "harness")
    ]
    monkeypatch.setenv(contract.ENV_SCOPE, "all")
    stubber.add_response("create_flow_logs", {"FlowLogIds": ["fl-2"]})
    with pytest.raises(contract.ContractViolation):
        client.create_flow_logs(**vpc_flow_log(TrafficType=None))


def test_log_mode_records_without_raising(checked_ec2, monkeypatch):
    client, stubber, log = checked_ec2
    monkeypatch.setenv(contract.ENV_MODE, "log")
    stubber.add_response("describe_vpcs", {"Vpcs": []})
    client.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": ids("vpc", 201)}])
    assert [r["rule"] for r in contract.read_log(log)] == ["ec2-filter-values"]


def test_install_none_checks_every_new_session(monkeypatch):
    import boto3
    import botocore.session as module

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # install(None) would check it too: keep it out
    monkeypatch.setattr(contract, "ACTIVE", True)
    monkeypatch.setenv(contract.ENV_SCOPE, "all")
    monkeypatch.delenv(contract.ENV_LOG, raising=False)
    installed_before = getattr(module.Session.__init__, "flowlogs_contract", False)  # pytest --contract
    original = getattr(module.Session.__init__, "__wrapped__", module.Session.__init__)
    try:
        contract.install(None)
        contract.install(None)  # idempotent
        assert module.Session.__init__.__wrapped__ is original
        client = module.Session().create_client("logs", "us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
        with pytest.raises(contract.ContractViolation, match=r"\[logs-retention-days\]"):
            client.put_retention_policy(logGroupName="g", retentionInDays=4)
    finally:
        if not installed_before:
            contract.uninstall()
    assert installed_before or module.Session.__init__ is original


def test_enabled_reads_the_switch():
    assert contract.enabled({"FLOWLOGS_CONTRACT": "1"}) is True
    assert contract.enabled({"FLOWLOGS_CONTRACT": "0"}) is False
    assert contract.enabled({}) is contract.ENABLED_BY_DEFAULT


# ---------------------------------------------------------------- child processes (sitecustomize)

CHILD = """
import sys
assert "botocore" not in sys.modules, "sitecustomize imported botocore at startup"
import botocore.session
client = botocore.session.Session().create_client(
    "ec2", "us-east-1", aws_access_key_id="k", aws_secret_access_key="s", endpoint_url="http://127.0.0.1:9"
)
try:
    client.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": ["vpc-%d" % i for i in range(201)]}])
except Exception as exc:
    print(type(exc).__name__, isinstance(exc, botocore.exceptions.BotoCoreError), exc)
"""


def run_child(tmp_path, code, switch="1"):
    env = contract.child_env(dict(os.environ), tmp_path / "child.jsonl")
    env.update({contract.ENV_SWITCH: switch, contract.ENV_SCOPE: "all"})
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, contract.read_log(tmp_path / "child.jsonl")


def test_sitecustomize_checks_a_child_process_lazily(tmp_path):
    out, records = run_child(tmp_path, CHILD)
    assert out.startswith("ContractViolation True AWS contract violation [ec2-filter-values]: ec2:DescribeVpcs: ")
    assert [(r["rule"], r["operation"]) for r in records] == [("ec2-filter-values", "DescribeVpcs")]
    assert records[0]["pid"] != os.getpid()


def test_sitecustomize_does_nothing_when_switched_off(tmp_path):
    out, records = run_child(tmp_path, CHILD, switch="0")
    assert "ContractViolation" not in out and records == []


def test_sitecustomize_never_needs_botocore(tmp_path):
    out, _records = run_child(tmp_path, "import sys; print(sorted(m for m in sys.modules if 'boto' in m))")
    assert out.strip() == "[]"
    assert contract.SITE_DIR == REPO / "tests" / "support" / "contract_site"
