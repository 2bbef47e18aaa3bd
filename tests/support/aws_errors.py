"""AWS's error answers, as AWS sends them, for the test proxies that stand in for what moto does not do
(organisation guardrails, missing permissions, propagation delays): the same status, headers and body a real
endpoint answers, in the wire format of the request's protocol, so botocore parses them as it parses AWS's.

- EC2 (``ec2`` query protocol): ``<Response><Errors><Error><Code>`` with ``<RequestID>``;
- IAM, STS (``query``): ``<ErrorResponse><Error><Type>Sender</Type><Code>`` with ``<RequestId>``;
- JSON services (CloudWatch Logs, CloudWatch, Glue, KMS, Organizations, Athena's ``json`` and ``rest-json``):
  ``{"__type": ..., "message": ...}`` and the ``x-amzn-ErrorType`` header;
- S3 (``rest-xml``): ``<Error><Code>`` with ``<RequestId>`` and ``<HostId>``.

The messages are AWS's (see ``access_denied_message``); ENVIRONMENT.md lists where each shape was read.
"""

from __future__ import annotations

import json
import uuid

QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}
#: Credential scope (signing name) -> IAM action prefix, where they differ.
IAM_PREFIX = {"monitoring": "cloudwatch"}
#: The access-denied code each service answers with.
ACCESS_DENIED_CODE = {
    "ec2": ("UnauthorizedOperation", 403),
    "iam": ("AccessDenied", 403),
    "sts": ("AccessDenied", 403),
    "s3": ("AccessDenied", 403),
}


def iam_action(service, action):
    """The IAM action of an API call: ``logs:PutQueryDefinition`` for the call logs/PutQueryDefinition."""
    return "{}:{}".format(IAM_PREFIX.get(service, service), action)


def error_answer(request, code, message, status=400):
    """(status, [(header, value)], body) of error ``code`` for ``request`` (a ``ProxiedCall``), in its protocol."""
    request_id = str(uuid.uuid4())
    if request.protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = [
            ("Content-Type", request.headers.get("Content-Type") or "application/x-amz-json-1.1"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", code),
        ]
        return status, headers, body
    if request.service == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{}</Code><Message>{}</Message>'
            "</Error></Errors><RequestID>{}</RequestID></Response>"
        ).format(code, _xml(message), request_id)
        return status, [("Content-Type", "text/xml;charset=UTF-8")], body.encode()
    if request.service == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{}</Code><Message>{}</Message><RequestId>{}'
            "</RequestId><HostId>{}</HostId></Error>"
        ).format(code, _xml(message), request_id[:16].upper(), uuid.uuid4().hex)
        return status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], body.encode()
    namespace = QUERY_NAMESPACES.get(request.service, "https://{}.amazonaws.com/doc/".format(request.service))
    body = (
        '<ErrorResponse xmlns="{}"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error>'
        "<RequestId>{}</RequestId></ErrorResponse>"
    ).format(namespace, code, _xml(message), request_id)
    return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()


def _xml(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def caller_arn(account):
    """The identity the test's credentials stand for in AWS's messages."""
    return "arn:aws:sts::{}:assumed-role/OrganizationAccountAccessRole/flowlogs-aws".format(account)


def access_denied(request, why="because no identity-based policy allows the {action} action", resource=None):
    """AWS's access-denied answer to ``request``: ``why`` says which policy refused it (AWS's own words:
    ``because no identity-based policy allows the ec2:CreateFlowLogs action``, ``with an explicit deny in a service
    control policy``, ``because no permissions boundary allows ...``)."""
    code, status = ACCESS_DENIED_CODE.get(request.service, ("AccessDeniedException", 400))
    action = iam_action(request.service, request.action)
    message = "User: {} is not authorized to perform: {}{} {}".format(
        caller_arn(request.account),
        action,
        " on resource: {}".format(resource) if resource else "",
        why.format(action=action),
    )
    if request.service == "ec2":
        message = "You are not authorized to perform this operation. " + message
    return error_answer(request, code, message, status)


#: What AWS answers a call made in a region the account has not enabled (an opt-in region): it does not recognise the
#: credentials there. (code, HTTP status, message) by service; JSON services answer as CloudWatch Logs does.
REGION_NOT_ENABLED = {
    "ec2": ("AuthFailure", 401, "AWS was not able to validate the provided access credentials"),
    "sts": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
    "iam": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
}
REGION_NOT_ENABLED_JSON = ("UnrecognizedClientException", 400, "The security token included in the request is invalid.")


def region_not_enabled(request):
    """AWS's answer to ``request`` in a region its account has not enabled: EC2 ``AuthFailure`` (401), STS and IAM
    ``InvalidClientTokenId`` (403), CloudWatch Logs and the other JSON services ``UnrecognizedClientException`` (400).
    S3 is not covered (a ValueError)."""
    found = REGION_NOT_ENABLED.get(request.service)
    if found is None and request.protocol == "json":
        found = REGION_NOT_ENABLED_JSON
    if found is None:
        raise ValueError("no region-not-enabled answer known for {}".format(request.service))
    code, status, message = found
    return error_answer(request, code, message, status)


# ---------------------------------------------------------------- for tests/integration/test_guardrails.py

#: (code, HTTP status, message) of AWS's answer to credentials it does not recognise, per service - the answer to any
#: credentials in a region the account has not enabled.
UNRECOGNISED_CREDENTIALS = {
    "ec2": ("AuthFailure", 401, "AWS was not able to validate the provided access credentials"),
    "logs": ("UnrecognizedClientException", 400, "The security token included in the request is invalid."),
    "iam": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
    "sts": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
}
#: (code, HTTP status, message) of AWS's answer to a session token that expired, per service.
EXPIRED_CREDENTIALS = {
    "ec2": ("RequestExpired", 400, "Request has expired."),
    "logs": ("ExpiredTokenException", 400, "The security token included in the request is expired"),
    "iam": ("ExpiredToken", 403, "The security token included in the request is expired"),
    "sts": ("ExpiredToken", 403, "The security token included in the request is expired"),
}
#: CreateFlowLogs' answer while VPC Flow Logs cannot assume a delivery role IAM has not propagated yet.
ROLE_NOT_ASSUMABLE = "Unable to assume given IAM role: '{role}'"
EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"


def unrecognised_credentials(request):
    """AWS's answer to credentials it cannot validate (EC2's ``AuthFailure``, Logs' ``UnrecognizedClientException``,
    IAM/STS ``InvalidClientTokenId``): what a region not enabled for the account answers to every call."""
    code, status, message = UNRECOGNISED_CREDENTIALS.get(request.service, UNRECOGNISED_CREDENTIALS["sts"])
    return error_answer(request, code, message, status)


def expired_credentials(request):
    """AWS's answer to a call signed with a session that expired (EC2's ``RequestExpired``, ``ExpiredToken``...)."""
    code, status, message = EXPIRED_CREDENTIALS.get(request.service, EXPIRED_CREDENTIALS["sts"])
    return error_answer(request, code, message, status)


def encoded_authorization_message(size=1500):
    """A stand-in for the encoded authorization failure message AWS appends to an EC2 access denial (opaque, about
    1.5 KB, only ``aws sts decode-authorization-message`` reads it): the same characters, deterministic."""
    import base64
    import hashlib

    blob = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(size // 32 + 1))
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")[:size]


def pass_role_denied(request, role_arn):
    """EC2's answer to CreateFlowLogs when the caller may not pass the delivery role: ``UnauthorizedOperation`` whose
    message names ``iam:PassRole`` (not the call) and ends with the encoded authorization failure message."""
    message = (
        "You are not authorized to perform this operation. User: {} is not authorized to perform: iam:PassRole on "
        "resource: {} because no identity-based policy allows the iam:PassRole action. Encoded authorization failure "
        "message: {}"
    ).format(caller_arn(request.account), role_arn, encoded_authorization_message())
    return error_answer(request, "UnauthorizedOperation", message, 403)


def kms_key_not_allowed(request, log_group_arn):
    """CloudWatch Logs' answer to CreateLogGroup / AssociateKmsKey with a KMS key whose key policy does not let the
    service use it (or that does not exist): AccessDeniedException naming the log group, not the key."""
    message = "The specified KMS key does not exist or is not allowed to be used with Arn '{}'".format(log_group_arn)
    return error_answer(request, "AccessDeniedException", message, 400)


def role_not_assumable(request, role_arn):
    """CreateFlowLogs refused as a whole because VPC Flow Logs cannot assume the role yet (IAM propagation)."""
    return error_answer(request, "InvalidParameter", ROLE_NOT_ASSUMABLE.format(role=role_arn), 400)


def create_flow_logs_answer(flow_log_ids, unsuccessful):
    """(status, headers, body) of CreateFlowLogs' HTTP 200 answer: the flow logs created, and each resource AWS
    refused as an ``Unsuccessful`` item (``unsuccessful``: (resource id, code, message) tuples)."""
    items = "".join(
        "<item><error><code>{}</code><message>{}</message></error><resourceId>{}</resourceId></item>".format(
            code, _xml(message), rid
        )
        for rid, code, message in unsuccessful
    )
    created = "".join("<item>{}</item>".format(fid) for fid in flow_log_ids)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<CreateFlowLogsResponse xmlns="{}"><requestId>{}</requestId>'
        "<flowLogIdSet>{}</flowLogIdSet><unsuccessful>{}</unsuccessful></CreateFlowLogsResponse>"
    ).format(EC2_NAMESPACE, uuid.uuid4(), created, items)
    return 200, [("Content-Type", "text/xml;charset=UTF-8")], body.encode()
