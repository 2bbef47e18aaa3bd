"""The diagnosis table (plugins/module_utils/_core/diagnosis.py), row by row, each fed AWS's real error answer as the
service sends it, parsed by botocore's own parser for the service's protocol - what the modules see."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.parsers import create_parser

from ansible_collections.flowlogs.aws.plugins.module_utils._core.diagnosis import (
    ENCODED_LEFT_OUT,
    Refusal,
    diagnose,
    short_message,
)

USER = "arn:aws:sts::111111111111:assumed-role/OrganizationAccountAccessRole/flowlogs-aws"
SCP_ARN = "arn:aws:organizations::999999999999:policy/o-a1b2c3d4e5/service_control_policy/p-abcd1234"
ROLE = "arn:aws:iam::111111111111:role/vpc-flow-logs-delivery"
ENCODED = "0l-KPWQJ8q5z3YatP3Ybgb5lf0dibDhN6KaE3jQ5Bu4hNkP1BxfK" * 30
SESSION = botocore.session.get_session()


EC2_ERROR = (
    "<?xml version='1.0' encoding='UTF-8'?>\n<Response><Errors><Error><Code>{}</Code><Message>{}</Message></Error>"
    "</Errors><RequestID>2e6b6ec1-4d6f-4b1e-9d9e-1c2f3a4b5c6d</RequestID></Response>"
)
QUERY_ERROR = (
    '<ErrorResponse xmlns="{}"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error>'
    "<RequestId>8d2f4b0e-1a2b-4c3d-9e8f-0a1b2c3d4e5f</RequestId></ErrorResponse>"
)
KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def ec2(code, message, status=403):
    return "ec2", status, EC2_ERROR.format(code, message)


def query(service, code, message, status=403):
    namespace = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/", "sts": "https://sts.amazonaws.com/doc/2011-06-15/"}
    return service, status, QUERY_ERROR.format(namespace[service], code, message)


def logs(code, message, status=400):
    return "logs", status, json.dumps({"__type": code, "message": message})


def parsed(answer, operation):
    """(code, message) botocore makes of ``answer`` (service, HTTP status, body) for ``operation``."""
    service, status, body = answer
    model = SESSION.get_service_model(service)
    headers = {"x-amzn-ErrorType": json.loads(body)["__type"]} if model.protocol == "json" else {}
    found = create_parser(model.protocol).parse(
        {"status_code": status, "headers": headers, "body": body.encode()},
        model.operation_model(operation).output_shape,
    )
    return found["Error"]["Code"], found["Error"]["Message"]


CASES = [
    # An SCP denying a whole region: no permission can fix it - the target is denied by design.
    (
        ec2(
            "UnauthorizedOperation",
            (
                "You are not authorized to perform this operation. User: {} is not authorized to perform: "
                "ec2:DescribeVpcs with an explicit deny in a service control policy: {}"
            ).format(USER, SCP_ARN),
        ),
        "DescribeVpcs",
        "ec2:DescribeVpcs",
        "eu-west-3",
        dict(kind="service_control_policy", denied=True, permission=None),
        "ec2:DescribeVpcs denied by a service control policy of the organisation ({})".format(SCP_ARN),
    ),
    # CreateRole refused by an SCP that requires a permissions boundary: a guardrail the role's variables satisfy.
    (
        query(
            "iam",
            "AccessDenied",
            (
                "User: {} is not authorized to perform: iam:CreateRole on resource: {} with an explicit "
                "deny in a service control policy"
            ).format(USER, ROLE),
        ),
        "CreateRole",
        "iam:CreateRole",
        "us-east-1",
        dict(kind="service_control_policy", denied=False, permission=None),
        "iam:CreateRole denied by a service control policy of the organisation",
    ),
    # CreateFlowLogs refused for iam:PassRole: the action AWS names is the one missing, not ec2:CreateFlowLogs.
    (
        ec2(
            "UnauthorizedOperation",
            (
                "You are not authorized to perform this operation. User: {} is not authorized to perform: "
                "iam:PassRole on resource: {} because no identity-based policy allows the iam:PassRole "
                "action. Encoded authorization failure message: {}"
            ).format(USER, ROLE, ENCODED),
        ),
        "CreateFlowLogs",
        "ec2:CreateFlowLogs",
        "eu-west-1",
        dict(kind="permission", denied=False, permission="iam:PassRole"),
        "missing permission: iam:PassRole",
    ),
    (
        query(
            "iam",
            "AccessDenied",
            (
                "User: {} is not authorized to perform: iam:GetRole on resource: role "
                "vpc-flow-logs-delivery because no permissions boundary allows the iam:GetRole action"
            ).format(USER),
        ),
        "GetRole",
        "iam:GetRole",
        "us-east-1",
        dict(kind="permission", denied=False, permission="iam:GetRole"),
        "missing permission: iam:GetRole, not allowed by the permissions boundary of these credentials",
    ),
    (
        logs(
            "AccessDeniedException",
            (
                "User: {} is not authorized to perform: logs:PutRetentionPolicy on resource: "
                "arn:aws:logs:eu-west-1:111111111111:log-group:vpc-flow-logs:* with an explicit deny in an "
                "identity-based policy"
            ).format(USER),
        ),
        "PutRetentionPolicy",
        "logs:PutRetentionPolicy",
        "eu-west-1",
        dict(kind="permission", denied=False, permission="logs:PutRetentionPolicy"),
        "missing permission: logs:PutRetentionPolicy, explicitly denied by a policy of these credentials",
    ),
    # A KMS key whose key policy does not let CloudWatch Logs use it.
    (
        logs(
            "AccessDeniedException",
            (
                "The specified KMS key does not exist or is not allowed to be used with Arn "
                "'arn:aws:logs:eu-west-1:111111111111:log-group:vpc-flow-logs'"
            ),
        ),
        "CreateLogGroup",
        "logs:CreateLogGroup",
        "eu-west-1",
        dict(kind="kms_key_policy", denied=False, permission=None),
        "CloudWatch Logs may not use KMS key " + KEY,
    ),
    # Opt-in regions the account has not enabled: each service says it differently.
    (
        ec2("AuthFailure", "AWS was not able to validate the provided access credentials", 401),
        "DescribeVpcs",
        "ec2:DescribeVpcs",
        "af-south-1",
        dict(kind="region_disabled", denied=True, permission=None),
        "region af-south-1 is not enabled for account 111111111111",
    ),
    (
        logs("UnrecognizedClientException", "The security token included in the request is invalid."),
        "DescribeLogGroups",
        "logs:DescribeLogGroups",
        "me-south-1",
        dict(kind="region_disabled", denied=True, permission=None),
        "region me-south-1 is not enabled for account 111111111111",
    ),
    (
        query(
            "sts",
            "RegionDisabledException",
            (
                "STS is not activated in this region for account:111111111111. Your account administrator "
                "can activate STS in this region using the IAM Console."
            ),
        ),
        "AssumeRole",
        "sts:AssumeRole",
        "eu-north-1",
        dict(kind="region_disabled", denied=True, permission=None),
        "region eu-north-1 is not enabled for account 111111111111",
    ),
    # AssumeRole through an opt-in region's STS (flow_logs_sts_region): the controller's account has not enabled that
    # region; the target account may well have.
    (
        query("sts", "InvalidClientTokenId", "The security token included in the request is invalid.", 403),
        "AssumeRole",
        "sts:AssumeRole",
        "af-south-1",
        dict(kind="sts_region_disabled", denied=False, permission=None),
        "AWS STS in region af-south-1 does not recognise the controller's credentials: the region is likely not "
        "enabled for the controller's account",
    ),
    # The same code in a region every account has: the credentials themselves.
    (
        query("sts", "InvalidClientTokenId", "The security token included in the request is invalid.", 403),
        "AssumeRole",
        "sts:AssumeRole",
        "us-east-1",
        dict(kind="credentials_invalid", denied=False, permission=None),
        "AWS does not recognise the controller's credentials",
    ),
    # Expired: the controller's own (AssumeRole is signed with them), or the assumed role's session mid-run.
    (
        query("sts", "ExpiredToken", "The security token included in the request is expired", 400),
        "AssumeRole",
        "sts:AssumeRole",
        "us-east-1",
        dict(kind="credentials_expired", denied=False, permission=None),
        "the controller's credentials expired",
    ),
    (
        ec2("RequestExpired", "Request has expired.", 400),
        "DeleteFlowLogs",
        "ec2:DeleteFlowLogs",
        "eu-west-1",
        dict(kind="credentials_expired", denied=False, permission=None),
        "the assumed role's session expired",
    ),
    # A quota: AWS's message kept, the quota named.
    (
        logs("LimitExceededException", "Resource limit exceeded."),
        "CreateLogGroup",
        "logs:CreateLogGroup",
        "eu-west-1",
        dict(kind="quota", denied=False, permission=None),
        "a quota was reached: CloudWatch Logs quota 'Log groups' (per account and Region)",
    ),
    # Nothing but "not authorized": the refused call is the missing permission.
    (
        ec2("UnauthorizedOperation", "You are not authorized to perform this operation."),
        "DescribeFlowLogs",
        "ec2:DescribeFlowLogs",
        "eu-west-1",
        dict(kind="permission", denied=False, permission="ec2:DescribeFlowLogs"),
        "missing permission: ec2:DescribeFlowLogs",
    ),
]


@pytest.mark.parametrize(("answer", "operation", "action", "region", "expected", "cause"), CASES)
def test_each_row_reads_aws_own_answer(answer, operation, action, region, expected, cause):
    code, message = parsed(answer, operation)
    found = diagnose(Refusal(code, message, action, region, "111111111111", assumed=True, kms_key=KEY))

    assert found is not None, (code, message)
    assert dict(kind=found.kind, denied=found.denied, permission=found.permission) == expected
    assert found.cause == cause
    assert found.fix


def test_an_unknown_answer_has_no_diagnosis():
    assert diagnose(Refusal("InvalidParameter", "Unable to assume given IAM role", "ec2:CreateFlowLogs")) is None


def test_the_encoded_authorization_message_is_cut_and_kept_apart():
    message = "You are not authorized to perform this operation. Encoded authorization failure message: " + ENCODED

    short, encoded = short_message(message)

    assert short == "You are not authorized to perform this operation." + ENCODED_LEFT_OUT
    assert "aws sts decode-authorization-message" in ENCODED_LEFT_OUT
    assert encoded == ENCODED
    assert short_message("Rate exceeded") == ("Rate exceeded", None)
