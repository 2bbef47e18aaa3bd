"""Audit: the verdict for one VPC's flow logs, and the audit spec's validation (pure)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.policies import trust_policy_for
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import audit_spec, audit_vpcs, verdict_for
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import DEFAULT_LOG_FORMAT
from tests.unit.conftest import ACCOUNT, StubbedClients

ROLE = "arn:aws:iam::{}:role/vpc-flow-logs-delivery".format(ACCOUNT)
GROUP = "vpc-flow-logs"
BUCKET = "arn:aws:s3:::central-flow-logs"
VPC = "vpc-0a1b2c3d"
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def flow_log(flow_log_id="fl-1", **overrides):
    found = dict(
        flow_log_id=flow_log_id,
        resource_id=VPC,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_group_name=GROUP,
        log_destination="arn:aws:logs:us-east-1:{}:log-group:{}".format(ACCOUNT, GROUP),
        deliver_logs_role_arn=ROLE,
        deliver_cross_account_role=None,
        max_aggregation_interval=600,
        log_format=DEFAULT_LOG_FORMAT,
        destination_options=None,
        deliver_logs_status="SUCCESS",
        deliver_logs_error_message=None,
        tags={},
    )
    found.update(overrides)
    return found


def failed(**overrides):
    return flow_log(**dict(dict(deliver_logs_status="FAILED", deliver_logs_error_message="Access error"), **overrides))


SPEC = audit_spec(dict(log_group_name=GROUP))


@pytest.mark.parametrize(
    ("case", "spec", "flow_logs", "roles", "log_groups", "expected"),
    [
        ("no flow logs", SPEC, [], None, None, ("missing", "no flow log to vpc-flow-logs", [])),
        (
            "flow log to another group",
            SPEC,
            [flow_log(log_group_name="other", log_destination=None)],
            None,
            None,
            ("missing", "no flow log to vpc-flow-logs", []),
        ),
        (
            "flow log to S3 only",
            SPEC,
            [flow_log(log_destination_type="s3", log_group_name=None, log_destination=BUCKET)],
            None,
            None,
            ("missing", "no flow log to vpc-flow-logs", []),
        ),
        (
            "no s3 flow log, any bucket wanted",
            audit_spec(dict(destination_type="s3")),
            [flow_log()],
            None,
            None,
            ("missing", "no flow log to s3", []),
        ),
        ("compliant", SPEC, [flow_log()], None, None, ("compliant", "flow log fl-1 matches", [])),
        (
            "compliant one among others",
            SPEC,
            [flow_log("fl-1", traffic_type="REJECT"), failed(flow_log_id="fl-2"), flow_log("fl-3")],
            None,
            None,
            ("compliant", "flow log fl-3 matches", []),
        ),
        (
            "any group of the type",
            audit_spec({}),
            [flow_log(log_group_name="whatever")],
            None,
            None,
            ("compliant", "flow log fl-1 matches", []),
        ),
        (
            "s3 with trailing slash",
            audit_spec(dict(destination_type="s3", log_destination=BUCKET + "/")),
            [flow_log(log_destination_type="s3", log_group_name=None, log_destination=BUCKET + "/")],
            None,
            None,
            ("compliant", "flow log fl-1 matches", []),
        ),
        (
            "traffic type",
            SPEC,
            [flow_log(traffic_type="REJECT")],
            None,
            None,
            ("mismatched", "traffic_type is REJECT, wanted ALL", ["traffic_type"]),
        ),
        (
            "traffic type and interval",
            audit_spec(dict(log_group_name=GROUP, traffic_type="ACCEPT", max_aggregation_interval=60)),
            [flow_log()],
            None,
            None,
            (
                "mismatched",
                "traffic_type is ALL, wanted ACCEPT; max_aggregation_interval is 600, wanted 60",
                ["traffic_type", "max_aggregation_interval"],
            ),
        ),
        (
            "role",
            audit_spec(dict(log_group_name=GROUP, deliver_logs_role_arn="arn:aws:iam::{}:role/x".format(ACCOUNT))),
            [flow_log()],
            None,
            None,
            (
                "mismatched",
                "deliver_logs_role_arn is {}, wanted arn:aws:iam::{}:role/x".format(ROLE, ACCOUNT),
                ["deliver_logs_role_arn"],
            ),
        ),
        (
            "unset interval and format not compared",
            SPEC,
            [flow_log(max_aggregation_interval=60, log_format="${version}")],
            None,
            None,
            ("compliant", "flow log fl-1 matches", []),
        ),
        (
            "role trusts ec2",
            SPEC,
            [failed()],
            {ROLE: dict(name="vpc-flow-logs-delivery", trust_policy=EC2_TRUST)},
            None,
            (
                "delivery_failed",
                "delivery role vpc-flow-logs-delivery trusts ec2.amazonaws.com, not vpc-flow-logs.amazonaws.com",
                [],
            ),
        ),
        (
            "role trusts no service",
            SPEC,
            [failed()],
            {ROLE: dict(name="r", trust_policy={"Version": "2012-10-17", "Statement": []})},
            None,
            ("delivery_failed", "delivery role r trusts no service, not vpc-flow-logs.amazonaws.com", []),
        ),
        (
            "role missing",
            SPEC,
            [failed()],
            {ROLE: None},
            None,
            ("delivery_failed", "delivery role {} does not exist".format(ROLE), []),
        ),
        (
            "log group missing",
            SPEC,
            [failed()],
            {ROLE: dict(name="r", trust_policy=trust_policy_for(ACCOUNT))},
            {GROUP: None},
            ("delivery_failed", "log group vpc-flow-logs does not exist", []),
        ),
        ("fallback to AWS message", SPEC, [failed()], None, None, ("delivery_failed", "Access error", [])),
        (
            "fallback when role and group look fine",
            SPEC,
            [failed()],
            {ROLE: dict(name="r", trust_policy=trust_policy_for(ACCOUNT))},
            {GROUP: dict(name=GROUP)},
            ("delivery_failed", "Access error", []),
        ),
        (
            "no message at all",
            SPEC,
            [failed(deliver_logs_error_message=None)],
            None,
            None,
            ("delivery_failed", "delivery failed", []),
        ),
    ],
)
def test_verdict_for(case, spec, flow_logs, roles, log_groups, expected):
    assert verdict_for(spec, flow_logs, roles, log_groups) == expected, case


# ---------------------------------------------------------------- audit_spec


@pytest.mark.parametrize(
    ("params", "option", "text"),
    [
        (dict(destination_type="kinesis"), "destination_type", "cloud-watch-logs, s3, kinesis-data-firehose"),
        (dict(traffic_type="BOTH"), "traffic_type", "ACCEPT, REJECT, ALL"),
        (dict(max_aggregation_interval=300), "max_aggregation_interval", "60, 600"),
        (dict(deliver_logs_role_arn="role-name"), "deliver_logs_role_arn", "not an IAM role ARN"),
        (dict(vpc_ids=["vpc-0a1b2c3d", "vpc-bad"]), "vpc_ids", "'vpc-bad'"),
        (dict(vpc_ids=["subnet-0a1b2c3d"]), "vpc_ids", "not valid VPC ids"),
        (dict(exclude_vpc_ids=["nope"]), "exclude_vpc_ids", "'nope'"),
    ],
)
def test_audit_spec_rejects(params, option, text):
    with pytest.raises(ParameterError) as caught:
        audit_spec(params)

    assert caught.value.option == option
    assert text in str(caught.value)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {},
            dict(
                resource_type="VPC",
                deliver_cross_account_role=None,
                destination_options=None,
                traffic_type="ALL",
                log_destination_type="cloud-watch-logs",
                log_group_name=None,
                log_destination=None,
                deliver_logs_role_arn=None,
                max_aggregation_interval=None,
                log_format=None,
                tag_fields=None,
            ),
        ),
        (
            dict(destination_type="s3", log_destination=BUCKET + "/", traffic_type="REJECT"),
            dict(
                resource_type="VPC",
                deliver_cross_account_role=None,
                destination_options=None,
                traffic_type="REJECT",
                log_destination_type="s3",
                log_group_name=None,
                log_destination=BUCKET,
                deliver_logs_role_arn=None,
                max_aggregation_interval=None,
                log_format=None,
                tag_fields=None,
            ),
        ),
        (
            dict(log_group_name=GROUP, deliver_logs_role_arn=ROLE, max_aggregation_interval=60, vpc_ids=[VPC]),
            dict(
                resource_type="VPC",
                deliver_cross_account_role=None,
                destination_options=None,
                traffic_type="ALL",
                log_destination_type="cloud-watch-logs",
                log_group_name=GROUP,
                log_destination=None,
                deliver_logs_role_arn=ROLE,
                max_aggregation_interval=60,
                log_format=None,
                tag_fields=None,
            ),
        ),
    ],
)
def test_audit_spec(params, expected):
    assert audit_spec(params) == expected


# ---------------------------------------------------------------- VPCs shared into the account (RAM)


def _vpc(vpc_id, owner):
    return {"VpcId": vpc_id, "OwnerId": owner, "CidrBlock": "10.0.0.0/16", "State": "available", "IsDefault": False}


def test_a_shared_vpc_is_not_owned_never_converged_and_not_counted(stubbed):
    """A participant of a RAM share sees the owner's VPC but cannot create flow logs on it: only the owner
    can. moto does not model RAM sharing: botocore's Stubber answers as EC2 does for a participant."""
    ec2, stubber = stubbed("ec2")
    own, shared = "vpc-0000000a", "vpc-0000000b"
    stubber.add_response("describe_vpcs", {"Vpcs": [_vpc(own, ACCOUNT), _vpc(shared, "999999999999")]}, {"Filters": []})
    stubber.add_response(
        "describe_flow_logs",
        {"FlowLogs": []},
        {"Filters": [{"Name": "resource-id", "Values": [own]}], "MaxResults": 1000},  # the owned one only
    )
    clients = StubbedClients(ec2=ec2)
    clients.region = "us-east-1"

    result = audit_vpcs(clients, dict(log_group_name=GROUP))

    verdicts = {v["vpc_id"]: (v["verdict"], v["reason"]) for v in result["vpcs"]}
    assert verdicts[own][0] == "missing"
    assert verdicts[shared] == ("not_owned", "shared with this account by 999999999999: only its owner can log it")
    assert result["counts"] == dict(compliant=0, missing=1, mismatched=0, delivery_failed=0, not_owned=1, total=2)


def test_a_delivery_role_that_grants_more_than_delivery_is_flagged(stubbed):
    ec2, ec2_stub = stubbed("ec2")
    iam, iam_stub = stubbed("iam")
    vpc = "vpc-0000000a"
    ec2_stub.add_response("describe_vpcs", {"Vpcs": [_vpc(vpc, ACCOUNT)]}, {"Filters": []})
    aws_flow_log = {
        "FlowLogId": "fl-1",
        "ResourceId": vpc,
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": GROUP,
        "DeliverLogsPermissionArn": ROLE,
        "MaxAggregationInterval": 600,
        "DeliverLogsStatus": "SUCCESS",
    }
    ec2_stub.add_response(
        "describe_flow_logs",
        {"FlowLogs": [aws_flow_log]},
        {"Filters": [{"Name": "resource-id", "Values": [vpc]}], "MaxResults": 1000},
    )
    name = ROLE.rsplit("/", 1)[1]
    iam_stub.add_response("list_role_policies", {"PolicyNames": ["flow-logs-delivery"]}, {"RoleName": name})
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
    iam_stub.add_response(
        "get_role_policy",
        {"RoleName": name, "PolicyName": "flow-logs-delivery", "PolicyDocument": json.dumps(wide)},
        {"RoleName": name, "PolicyName": "flow-logs-delivery"},
    )
    iam_stub.add_response("list_attached_role_policies", {"AttachedPolicies": []}, {"RoleName": name})
    clients = StubbedClients(ec2=ec2, iam=iam)
    clients.region = "us-east-1"

    result = audit_vpcs(clients, dict(log_group_name=GROUP))

    assert result["vpcs"][0]["verdict"] == "compliant"
    assert result["delivery_roles"] == [
        dict(arn=ROLE, excess_privileges=["inline policy flow-logs-delivery allows logs:* on *"])
    ]
    assert "grants more than delivery" in result["warnings"][0]
