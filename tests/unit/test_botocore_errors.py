"""A failed botocore call as the collection names it: an answer botocore could not parse, credentials it did not find
or AWS did not accept, a region botocore does not know - each with what to do - and counted as a call it was.

Nothing here reaches the network: answers come from a ``before-send`` handler (botocore's own way to fake them)."""

from __future__ import annotations

import botocore
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import call
from ansible_collections.flowlogs.aws.plugins.module_utils._core.botocore_errors import (
    credentials_hint,
    error_hint,
    unknown_region_hint,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import Clients, to_aws_error
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError
from tests.unit.test_connection import FAKE, no_aws_config  # noqa: F401  pylint: disable=unused-import

PAGE = (
    b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n"
    b"<p>The server encountered an internal error and was unable to complete your request.</p>\n"
)
NOT_AN_AWS_ANSWER = "check endpoint_url and any proxy in the way"


class _Body:
    def __init__(self, body):
        self.body = body

    def stream(self, **_kwargs):
        yield self.body


def answering(clients, service, status, body):
    """``clients(service)``, every call answered with ``status`` and ``body`` (no request leaves the process)."""
    client = clients(service)

    def answer(request, **_kwargs):
        return AWSResponse(request.url, status, {}, _Body(body))

    client.meta.events.register("before-send.*", answer)
    return client


def failed(clients, service, method, operation):
    with pytest.raises(AwsError) as caught:
        call(clients(service), method, operation)
    return clients.locate(caught.value)


# ---------------------------------------------------------------- an answer botocore could not parse


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            500,
            PAGE,
            "500 Internal Server Error (an HTML page, not an AWS API answer: {})".format(NOT_AN_AWS_ANSWER),
        ),
        (
            403,
            b"<!DOCTYPE html><html><head><title>Blocked by proxy</title></head><body>Sign in<br></body></html>",
            "Blocked by proxy (an HTML page, not an AWS API answer: " + NOT_AN_AWS_ANSWER,
        ),
        (
            502,
            b"upstream connect error or disconnect/reset before headers. reset reason: connection termination",
            '"upstream connect error or disconnect/reset before headers. r..." (not XML, not an AWS API answer: '
            + NOT_AN_AWS_ANSWER,
        ),
    ],
)
def test_an_answer_ec2_could_not_parse_is_named_in_a_few_words(no_aws_config, status, body, message):  # noqa: F811
    clients = Clients(dict(FAKE, region="eu-west-1", endpoint_url="http://127.0.0.1:9"))
    answering(clients, "ec2", status, body)

    error = failed(clients, "ec2", "describe_vpcs", "ec2:DescribeVpcs")

    assert (error.operation, error.code) == ("ec2:DescribeVpcs", "ResponseParserError")
    assert error.aws_message.startswith(message)
    assert "Unable to parse" not in error.aws_message and "\\n" not in error.aws_message
    assert error.hint is None  # eu-west-1 is a region botocore knows
    assert clients.stats == dict(calls=1, retries=0)  # the failed call counts


def test_a_region_botocore_does_not_know_is_named_as_a_likely_cause(no_aws_config):  # noqa: F811
    clients = Clients(dict(FAKE, region="eu-west-9", endpoint_url="http://127.0.0.1:9"))
    answering(clients, "ec2", 500, PAGE)

    error = failed(clients, "ec2", "describe_vpcs", "ec2:DescribeVpcs")

    assert str(error) == (
        "ec2:DescribeVpcs failed in region eu-west-9: ResponseParserError: 500 Internal Server Error (an HTML page,"
        " not an AWS API answer: {}) (likely cause: eu-west-9 is not a region botocore {} knows for ec2; check the"
        " region option (flow_logs_region in the role); if eu-west-9 is newer than this botocore, upgrade"
        " botocore)".format(NOT_AN_AWS_ANSWER, botocore.__version__)
    )


@pytest.mark.parametrize(
    ("code", "region", "hinted"),
    [
        ("ResponseParserError", "eu-west-9", True),
        ("EndpointConnectionError", "eu-west-9", True),
        ("500", "eu-west-9", True),  # a JSON service's HTML page: its HTTP status is the code
        ("InvalidVpcID.NotFound", "eu-west-9", False),  # an answer of AWS's: the region exists
        ("ResponseParserError", "eu-west-1", False),
        ("ResponseParserError", "cn-north-1", False),  # other partitions count
        ("ResponseParserError", "us-gov-west-1", False),
        ("ResponseParserError", None, False),
    ],
)
def test_the_region_hint_is_for_answers_that_did_not_come_from_aws(code, region, hinted):
    assert (error_hint(code, region) is not None) == hinted
    if hinted:
        assert error_hint(code, region) == unknown_region_hint(region)


# ---------------------------------------------------------------- credentials


@pytest.mark.parametrize(
    ("code", "profile", "says"),
    [
        (
            "NoCredentialsError",
            None,
            "no credentials found: set AWS_PROFILE, or the profile option (flow_logs_profile in the role), to a profile"
            " of your AWS config (for an SSO profile, run `aws sso login --profile NAME` first), or set"
            " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; on AWX or Ansible Automation Platform, attach an Amazon Web"
            " Services credential to the job template",
        ),
        ("NoCredentialsError", "audit", "run `aws sso login --profile audit` first"),
        ("PartialCredentialsError", None, "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        (
            "UnauthorizedSSOTokenError",
            "audit",
            "the SSO session has expired or was never started: run `aws sso login --profile audit`, then run again",
        ),
        ("SSOTokenLoadError", "audit", "run `aws sso login --profile audit`"),
        ("TokenRetrievalError", None, "run `aws sso login --profile NAME`"),
        ("ExpiredToken", "audit", "the temporary credentials have expired: get new ones (`aws sso login"),
        ("ExpiredTokenException", None, "a new AWS_SESSION_TOKEN otherwise"),
        ("InvalidClientTokenId", None, "AWS does not accept these credentials: check the access key"),
        ("AuthFailure", None, "and that the region is enabled in the account"),
        ("AccessDenied", None, None),  # the credentials work; the permission is named instead
        ("Throttling", None, None),
    ],
)
def test_a_credentials_problem_says_what_to_do(code, profile, says):
    hint = credentials_hint(code, profile)

    assert (hint is None) == (says is None)
    if says:
        assert says in hint


def test_no_credentials_names_the_fix_and_no_account_it_never_reached(no_aws_config):  # noqa: F811
    clients = Clients(
        dict(
            region="us-east-1",
            endpoint_url="http://127.0.0.1:9",  # nothing listens there: botocore fails before sending
            assume_role_arn="arn:aws:iam::111111111111:role/OrganizationAccountAccessRole",
            expected_account_id="111111111111",
        )
    )
    with pytest.raises(AwsError) as caught:
        clients.identity()

    error = clients.locate(caught.value)

    assert str(error) == (
        "sts:AssumeRole on arn:aws:iam::111111111111:role/OrganizationAccountAccessRole failed in region us-east-1"
        " before reaching target account 111111111111 (configured): NoCredentialsError: Unable to locate credentials"
        " ({})".format(credentials_hint("NoCredentialsError"))
    )
    assert error.as_dict()["configured_account"] == "111111111111" and "account" not in error.as_dict()
    assert clients.stats == dict(calls=0, retries=0)  # the call was never sent


def test_the_profile_of_the_target_is_named_in_the_sso_hint(no_aws_config, monkeypatch):  # noqa: F811
    monkeypatch.setenv("AWS_PROFILE", "from-env")
    exc = AwsError("session", "UnauthorizedSSOTokenError", "The SSO session associated with this profile has expired")

    assert "--profile from-env`" in Clients(dict(region="us-east-1")).locate(exc).hint
    exc.hint = None
    assert "--profile option-wins`" in Clients(dict(region="us-east-1", profile="option-wins")).locate(exc).hint


def test_an_error_reached_in_the_account_names_the_account():
    exc = AwsError("ec2:DescribeVpcs", "ExpiredToken", "The security token included in the request is expired")

    exc.locate(account="111111111111", region="eu-west-1", reached=True)

    assert str(exc).startswith("ec2:DescribeVpcs failed in account 111111111111, region eu-west-1: ExpiredToken")
    assert exc.as_dict()["account"] == "111111111111"


def test_an_html_page_of_a_json_service_keeps_its_name():
    page = PAGE.decode()
    exc = ClientError({"Error": {"Code": "500", "Message": page}}, "DescribeLogGroups")

    assert to_aws_error(exc, "logs:DescribeLogGroups").aws_message.startswith("500 Internal Server Error (an HTML")
