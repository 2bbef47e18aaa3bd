# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection to AWS: the shared option spec, boto3 sessions, assume-role, retries and errors.

Nothing here knows about AnsibleModule, so the same code serves modules and controller-side code.
"""

from __future__ import annotations

import os

from ansible_collections.flowlogs.aws.plugins.module_utils.errors import AwsError

try:
    import boto3
    import botocore
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by sanity's import test
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = exc
    BotoCoreError = ClientError = Exception

#: Paired one to one with the ``flowlogs.aws.connection`` doc fragment.
CONNECTION_ARGSPEC = dict(
    region=dict(type="str", aliases=["aws_region"]),
    profile=dict(type="str", aliases=["aws_profile"]),
    access_key=dict(type="str", aliases=["aws_access_key_id"], no_log=False),
    secret_key=dict(type="str", aliases=["aws_secret_access_key"], no_log=True),
    session_token=dict(type="str", aliases=["aws_session_token"], no_log=True),
    endpoint_url=dict(type="str", aliases=["aws_endpoint_url"]),
    assume_role_arn=dict(type="str"),
    assume_role_external_id=dict(type="str", no_log=False),
    assume_role_session_name=dict(type="str", default="flowlogs-aws"),
)

CONNECTION_KEYS = tuple(CONNECTION_ARGSPEC)

DEFAULT_RETRY_MODE = "standard"
DEFAULT_MAX_ATTEMPTS = 10
USER_AGENT_EXTRA = "flowlogs.aws"


def error_code(exc):
    """The AWS error code of a botocore exception, or the exception's class name."""
    if isinstance(exc, ClientError) and hasattr(exc, "response"):
        return exc.response.get("Error", {}).get("Code", "Unknown")
    return type(exc).__name__


def error_message(exc):
    if isinstance(exc, ClientError) and hasattr(exc, "response"):
        return exc.response.get("Error", {}).get("Message", str(exc))
    return str(exc)


def to_aws_error(exc, operation, resource=None):
    return AwsError(operation, error_code(exc), error_message(exc), resource)


def retry_config():
    """botocore's own retry modes; environment variables win as they do in boto3."""
    mode = os.environ.get("AWS_RETRY_MODE", DEFAULT_RETRY_MODE)
    attempts = int(os.environ.get("AWS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
    return Config(
        retries={"mode": mode, "total_max_attempts": attempts},
        user_agent_extra=USER_AGENT_EXTRA,
        connect_timeout=10,
        read_timeout=60,
    )


class Clients:
    """boto3 clients for one target (credentials + region), created on first use and reused.

    Nothing is resolved or called until a client is asked for, so input validation always comes first.
    """

    def __init__(self, params):
        self.params = dict(params)
        self.endpoint_url = self.params.get("endpoint_url") or None
        self._session = None
        self._region = None
        self._config = None
        self._clients = {}
        self._identity = None

    @property
    def region(self):
        if self._session is None:
            self._connect()
        return self._region

    def _connect(self):
        if not HAS_BOTO3:
            raise AwsError("import", "MissingLibrary", "boto3 and botocore are required: {}".format(BOTO3_IMPORT_ERROR))
        params = self.params
        try:
            session = boto3.Session(
                profile_name=params.get("profile") or None,
                aws_access_key_id=params.get("access_key") or None,
                aws_secret_access_key=params.get("secret_key") or None,
                aws_session_token=params.get("session_token") or None,
                region_name=params.get("region") or None,
            )
        except BotoCoreError as exc:
            raise to_aws_error(exc, "session", params.get("profile")) from exc
        # boto3 reads AWS_DEFAULT_REGION only; the AWS CLI and SDKs also honour AWS_REGION.
        region = params.get("region") or os.environ.get("AWS_REGION") or session.region_name
        if not region:
            raise AwsError(
                "session",
                "NoRegion",
                "no region: set the region option (alias aws_region) or the AWS_REGION environment variable",
            )
        self._config = retry_config()
        if params.get("assume_role_arn"):
            session = self._assume_role(session, region)
        self._region = region
        self._session = session

    def _assume_role(self, session, region):
        params = self.params
        role_arn = params["assume_role_arn"]
        request = dict(RoleArn=role_arn, RoleSessionName=params.get("assume_role_session_name") or "flowlogs-aws")
        if params.get("assume_role_external_id"):
            request["ExternalId"] = params["assume_role_external_id"]
        sts = session.client("sts", region_name=region, endpoint_url=self.endpoint_url, config=self._config)
        try:
            creds = sts.assume_role(**request)["Credentials"]
        except (BotoCoreError, ClientError) as exc:
            raise to_aws_error(exc, "sts:AssumeRole", role_arn) from exc
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=region,
        )

    def __call__(self, service):
        client = self._clients.get(service)
        if client is None:
            if self._session is None:
                self._connect()
            client = self._session.client(
                service, region_name=self._region, endpoint_url=self.endpoint_url, config=self._config
            )
            self._clients[service] = client
        return client

    def identity(self):
        """STS caller identity (account, arn, partition), looked up once."""
        if self._identity is None:
            try:
                found = self("sts").get_caller_identity()
            except (BotoCoreError, ClientError) as exc:
                raise to_aws_error(exc, "sts:GetCallerIdentity") from exc
            arn = found["Arn"]
            self._identity = dict(account=found["Account"], arn=arn, partition=arn.split(":")[1])
        return self._identity


def connection_params(params):
    """Only the connection options of a module's parameters."""
    return {k: params.get(k) for k in CONNECTION_KEYS}


def botocore_version():
    return botocore.__version__ if HAS_BOTO3 else None
