# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection to AWS: the shared option spec, botocore sessions, assume-role, retries and errors.

Nothing here knows about AnsibleModule, so the same code serves modules and controller-side code.
"""

from __future__ import annotations

import os

from ansible_collections.flowlogs.aws.plugins.module_utils.errors import AwsError

try:
    # Light: only what error handling needs. Sessions and models load on first use (see _botocore()),
    # so code that merely plans (role preflight, filters) does not pay for them.
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
    from botocore.config import Config

    mode = os.environ.get("AWS_RETRY_MODE", DEFAULT_RETRY_MODE)
    attempts = int(os.environ.get("AWS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
    return Config(
        retries={"mode": mode, "total_max_attempts": attempts},
        user_agent_extra=USER_AGENT_EXTRA,
        connect_timeout=10,
        read_timeout=60,
    )


#: Services the collection calls; their models are parsed once per process (see preload()).
SERVICES = ("ec2", "iam", "logs", "sts")
_LOADER = []


def shared_loader():
    """One botocore data loader for every session of this process, so service models are parsed once
    instead of once per target (the EC2 model alone costs ~0.1 s to parse)."""
    if not _LOADER:
        import botocore.loaders

        _LOADER.append(botocore.loaders.create_loader())
    return _LOADER[0]


def botocore_session(profile=None):
    import botocore.session

    session = botocore.session.Session(profile=profile)
    session.register_component("data_loader", shared_loader())
    return session


def preload(services=SERVICES):
    """Parse the models of ``services`` now: called on the controller before Ansible forks its workers,
    which then inherit them. Never fails: it only warms a cache."""
    if not HAS_BOTO3:
        return
    try:
        session = botocore_session()
        for service in services:
            session.create_client(
                service, region_name="us-east-1", aws_access_key_id="preload", aws_secret_access_key="preload"
            )
    except Exception:  # pylint: disable=broad-exception-caught
        pass


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
        #: AWS API calls made through these clients, and how many retries botocore needed for them.
        self.stats = dict(calls=0, retries=0)

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
            session = botocore_session(params.get("profile") or None)
            if params.get("profile"):
                session.get_scoped_config()  # a missing profile fails here, named, not inside a later call
            if params.get("access_key") or params.get("secret_key"):
                session.set_credentials(params.get("access_key"), params.get("secret_key"), params.get("session_token"))
            # botocore reads AWS_DEFAULT_REGION and profiles; the AWS CLI and SDKs also honour AWS_REGION.
            region = params.get("region") or os.environ.get("AWS_REGION") or session.get_config_variable("region")
        except BotoCoreError as exc:
            raise to_aws_error(exc, "session", params.get("profile")) from exc
        if not region:
            raise AwsError(
                "session",
                "NoRegion",
                "no region: set the region option (alias aws_region) or the AWS_REGION environment variable",
            )
        self._config = retry_config()
        self._region = region
        if params.get("assume_role_arn"):
            session = self._assume_role(session, region)
        self._session = session

    def _assume_role(self, session, region):
        params = self.params
        role_arn = params["assume_role_arn"]
        request = dict(RoleArn=role_arn, RoleSessionName=params.get("assume_role_session_name") or "flowlogs-aws")
        if params.get("assume_role_external_id"):
            request["ExternalId"] = params["assume_role_external_id"]
        try:
            sts = session.create_client("sts", region_name=region, endpoint_url=self.endpoint_url, config=self._config)
            sts.meta.events.register("after-call.*", self._count)
            answer = sts.assume_role(**request)
        except (BotoCoreError, ClientError) as exc:
            raise to_aws_error(exc, "sts:AssumeRole", role_arn) from exc
        creds = answer["Credentials"]
        # The assumed role's ARN names the account: no GetCallerIdentity call needed later.
        arn = answer.get("AssumedRoleUser", {}).get("Arn")
        if arn:
            self._identity = dict(account=arn.split(":")[4], arn=arn, partition=arn.split(":")[1])
        assumed = botocore_session()
        assumed.set_credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        return assumed

    def __call__(self, service):
        client = self._clients.get(service)
        if client is None:
            if self._session is None:
                self._connect()
            try:
                client = self._session.create_client(
                    service, region_name=self._region, endpoint_url=self.endpoint_url, config=self._config
                )
            except BotoCoreError as exc:
                raise to_aws_error(exc, "session", self.params.get("profile")) from exc
            client.meta.events.register("after-call.*", self._count)
            self._clients[service] = client
        return client

    def _count(self, parsed=None, **_kwargs):
        self.stats["calls"] += 1
        self.stats["retries"] += ((parsed or {}).get("ResponseMetadata") or {}).get("RetryAttempts", 0)

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
