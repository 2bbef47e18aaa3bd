# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A failed botocore call as the collection's AwsError: AWS's error code, its message in a few words (an HTML page or
an answer botocore could not read is named by error_pages), and what to do where AWS's message does not say it -
credentials botocore did not find or AWS did not accept, a region botocore does not know.

Private to the collection: not a public API, it may change in any release.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._core.botocore_cache import botocore_session
from ansible_collections.flowlogs.aws.plugins.module_utils._core.error_pages import not_html, not_parsed
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError

try:
    # Light: only what error handling needs. Sessions and models load on first use (see botocore_cache),
    # so code that merely plans (role preflight, filters) does not pay for them.
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    #: What a botocore call raises when it fails: an answer it could not parse (an HTML page where EC2's XML was
    #: expected) raises ResponseParserError, which is not a BotoCoreError.
    AWS_ERRORS = (BotoCoreError, ClientError, ResponseParserError)
    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by sanity's import test
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = exc
    BotoCoreError = ClientError = ResponseParserError = Exception
    AWS_ERRORS = (Exception,)


def error_code(exc):
    """The AWS error code of a botocore exception, or the exception's class name."""
    if isinstance(exc, ClientError) and hasattr(exc, "response"):
        return exc.response.get("Error", {}).get("Code", "Unknown")
    return type(exc).__name__


def error_message(exc, operation=None):
    """AWS's message of a botocore exception; an HTML page instead of an AWS answer is named by its title and why it
    came (``operation``, ``service:Action``, lets a 404 say which protocol the endpoint did not serve)."""
    if isinstance(exc, ClientError) and hasattr(exc, "response"):
        message = exc.response.get("Error", {}).get("Message", str(exc))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return not_html(message, status, operation)
    if isinstance(exc, ResponseParserError):
        return not_parsed(exc, operation)
    return str(exc)


#: Added to a TLS verification failure's message.
TLS_HINT = (
    " (the endpoint's certificate is not trusted: set aws_ca_bundle, or the AWS_CA_BUNDLE environment variable,"
    " to the CA bundle that signed it)"
)


def to_aws_error(exc, operation, resource=None):
    message = error_message(exc, operation)
    if type(exc).__name__ == "SSLError" and "CERTIFICATE_VERIFY_FAILED" in message:
        message += TLS_HINT
    return AwsError(operation, error_code(exc), message, resource)


AWX = "on AWX or Ansible Automation Platform, attach an Amazon Web Services credential to the job template"

#: Error codes (AWS's, or the botocore exception's class name) -> the kind of credential problem.
CREDENTIAL_PROBLEMS = dict(
    NoCredentialsError="none",
    PartialCredentialsError="partial",
    UnauthorizedSSOTokenError="sso",
    SSOTokenLoadError="sso",
    SSOError="sso",
    TokenRetrievalError="sso",
    ExpiredToken="expired",
    ExpiredTokenException="expired",
    InvalidClientTokenId="refused",
    UnrecognizedClientException="refused",
    AuthFailure="refused",
    SignatureDoesNotMatch="refused",
)

#: What botocore raises while signing a call, before sending it: such a call was not made.
NOT_SIGNED = ("NoCredentialsError", "PartialCredentialsError")

#: What botocore raises when the answer did not come from AWS's API (no answer, or one it could not read).
NOT_AWS_ANSWERS = (
    "ResponseParserError",
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ConnectionClosedError",
)

_CREDENTIAL_HINTS = dict(
    none=(
        "no credentials found: set AWS_PROFILE, or the profile option (flow_logs_profile in the role), to a profile"
        " of your AWS config (for an SSO profile, run `aws sso login --profile {profile}` first), or set"
        " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; " + AWX
    ),
    partial=(
        "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN with temporary keys), or unset"
        " them and set AWS_PROFILE or the profile option (flow_logs_profile in the role); " + AWX
    ),
    sso="the SSO session has expired or was never started: run `aws sso login --profile {profile}`, then run again",
    expired=(
        "the temporary credentials have expired: get new ones (`aws sso login --profile {profile}` for an SSO"
        " profile, a new AWS_SESSION_TOKEN otherwise) and run again"
    ),
    refused=(
        "AWS does not accept these credentials: check the access key (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,"
        " or the profile's), and that the region is enabled in the account"
    ),
)


def credentials_hint(code, profile=None):
    """What to do when ``code`` says the credentials are missing, incomplete, expired or not accepted, else None."""
    problem = CREDENTIAL_PROBLEMS.get(code)
    return _CREDENTIAL_HINTS[problem].format(profile=profile or "NAME") if problem else None


def known_regions(service="ec2"):
    """The regions the installed botocore knows for ``service``: its endpoint data and its partitions' regions."""
    session = botocore_session()
    found = set()
    for partition in session.get_available_partitions():
        found.update(session.get_available_regions(service, partition))
    try:
        partitions = session.get_component("data_loader").load_data("partitions")["partitions"]
    except Exception:  # pylint: disable=broad-except  # an older botocore without partition data: endpoints only
        return found
    found.update(name for partition in partitions for name in partition.get("regions") or {})
    return found


def unknown_region_hint(region, service="ec2"):
    """Says when botocore does not know ``region`` for ``service``, a likely cause of an answer that did not come from
    AWS. A hint, not a refusal: AWS opens regions that a botocore released before them does not know."""
    if not region or region in known_regions(service):
        return None
    import botocore

    return (
        "likely cause: {region} is not a region botocore {version} knows for {service}; check the region option"
        " (flow_logs_region in the role); if {region} is newer than this botocore, upgrade botocore".format(
            region=region, version=botocore.__version__, service=service
        )
    )


def error_hint(code, region=None, profile=None):
    """What to do about a failed call with this error code, in this region, with this profile (or None), else None."""
    hint = credentials_hint(code, profile)
    if hint is None and (code in NOT_AWS_ANSWERS or str(code).isdigit()):
        hint = unknown_region_hint(region)
    return hint
