# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection to AWS: the shared option spec, botocore sessions, assume-role, retries and errors.

Nothing here knows about AnsibleModule, so the same code serves modules and controller-side code.
"""

from __future__ import annotations

import contextlib
import os

from ansible_collections.flowlogs.aws.plugins.module_utils._core.botocore_cache import (  # noqa: F401  pylint: disable=unused-import
    BOTOCORE_TESTED,
    CLIENT_CLASS_CACHE_ENV,
    CLIENT_CLASS_SIGNATURE,
    SERVICES,
    botocore_session,
    cache_client_classes,
    client_class_cache_refusal,
    preload,
    shared_loader,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.botocore_errors import (  # noqa: F401  pylint: disable=unused-import
    AWS_ERRORS,
    BOTO3_IMPORT_ERROR,
    HAS_BOTO3,
    NOT_SIGNED,
    TLS_HINT,
    BotoCoreError,
    ClientError,
    error_code,
    error_hint,
    error_message,
    to_aws_error,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.diagnosis import OPT_IN_REGIONS
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError

#: Paired one to one with the ``flowlogs.aws.connection`` doc fragment.
CONNECTION_ARGSPEC = dict(
    region=dict(type="str", aliases=["aws_region"]),
    profile=dict(type="str", aliases=["aws_profile"]),
    access_key=dict(type="str", aliases=["aws_access_key_id", "aws_access_key"], no_log=False),
    secret_key=dict(type="str", aliases=["aws_secret_access_key", "aws_secret_key"], no_log=True),
    session_token=dict(type="str", aliases=["aws_session_token"], no_log=True),
    endpoint_url=dict(type="str", aliases=["aws_endpoint_url"]),
    aws_ca_bundle=dict(type="path"),
    validate_certs=dict(type="bool", default=True),
    aws_config=dict(type="dict"),
    assume_role_arn=dict(type="str"),
    assume_role_external_id=dict(type="str", no_log=False),
    assume_role_session_name=dict(type="str", default="flowlogs-aws"),
    sts_region=dict(type="str"),
    expected_account_id=dict(type="str"),
)

CONNECTION_KEYS = tuple(CONNECTION_ARGSPEC)

DEFAULT_RETRY_MODE = "standard"
DEFAULT_MAX_ATTEMPTS = 10
USER_AGENT_EXTRA = "flowlogs.aws"


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


def aws_config_problem(aws_config, allowed):
    """What is wrong with an ``aws_config`` option (pure), or None: it must be a dict of botocore Config
    settings, ``allowed`` being their names."""
    if aws_config is None:
        return None
    if not isinstance(aws_config, dict):
        return "must be a dictionary of botocore Config settings, got {}".format(type(aws_config).__name__)
    unknown = sorted(str(k) for k in aws_config if k not in allowed)
    if unknown:
        return "has unknown botocore Config setting(s) {}; allowed: {}".format(
            ", ".join(unknown), ", ".join(sorted(allowed))
        )
    return None


def config_settings():
    """The names of botocore's Config settings (empty without botocore)."""
    try:
        from botocore.config import Config
    except ImportError:  # pragma: no cover - exercised by sanity's import test
        return ()
    return tuple(Config.OPTION_DEFAULTS)


def botocore_config(aws_config=None):
    """The collection's Config (retries, timeouts, user agent) with the user's ``aws_config`` merged over it.

    A ``user_agent_extra`` of the user's is added to the collection's, not put in its place.
    """
    from botocore.config import Config

    config = retry_config()
    problem = aws_config_problem(aws_config, config_settings())
    if problem:
        raise ParameterError("aws_config", problem)
    if not aws_config:
        return config
    settings = dict(aws_config)
    if settings.get("user_agent_extra"):
        settings["user_agent_extra"] = "{} {}".format(USER_AGENT_EXTRA, settings["user_agent_extra"])
    try:
        return config.merge(Config(**settings))
    except (TypeError, ValueError, BotoCoreError) as exc:
        raise ParameterError("aws_config", "is not a valid botocore Config: {}".format(exc)) from exc


def tls_verify(params):
    """botocore's ``verify`` for these options: the CA bundle to trust, False (no check), or None (botocore's
    default: the C(AWS_CA_BUNDLE) environment variable, the profile's ca_bundle, else certifi's bundle)."""
    bundle = params.get("aws_ca_bundle")
    if bundle:
        if not os.path.isfile(bundle):
            raise ParameterError("aws_ca_bundle", "is not a file: {}".format(bundle))
        return bundle
    if params.get("validate_certs") is False:
        return False
    return None


def configured_region(profile=None):
    """The region the profile (or the default configuration) sets, or None."""
    if not HAS_BOTO3:
        return None
    try:
        return botocore_session(profile or None).get_config_variable("region")
    except BotoCoreError:
        return None


def _resolve_credentials(session, params):
    """Credentials for one target, as keyword arguments of create_client.

    Explicit keys win; otherwise botocore's chain (environment, profile, SSO, instance role...) is
    resolved now, for this target only: the shared session never caches them. Empty when the chain finds
    nothing, so the first call fails with botocore's own NoCredentialsError.
    """
    if params.get("access_key") or params.get("secret_key"):
        return dict(
            aws_access_key_id=params.get("access_key"),
            aws_secret_access_key=params.get("secret_key"),
            aws_session_token=params.get("session_token"),
        )
    found = session.get_component("credential_provider").load_credentials()
    if found is None:
        return {}
    frozen = found.get_frozen_credentials()
    return dict(
        aws_access_key_id=frozen.access_key, aws_secret_access_key=frozen.secret_key, aws_session_token=frozen.token
    )


def _expected_account(params):
    """The ``expected_account_id`` option, checked: 12 digits (a YAML number or string), or None when unset."""
    expected = params.get("expected_account_id")
    if expected is None:
        return None
    expected = str(expected).strip()
    if not (len(expected) == 12 and expected.isdigit()):
        raise ParameterError("expected_account_id", "must be a 12-digit AWS account ID, got {!r}".format(expected))
    return expected


def sts_region(configured, region):
    """The region whose STS endpoint assumes the role: the one configured, else the target's own - unless that is an
    opt-in region, where the controller's account may not be enabled: then us-east-1, whose tokens work in every
    region the target account enabled."""
    if configured:
        return configured
    return "us-east-1" if region in OPT_IN_REGIONS else region


class Clients:
    """boto3 clients for one target (credentials + region), created on first use and reused.

    Nothing is resolved or called until a client is asked for, so input validation always comes first.
    """

    def __init__(self, params, sessions=None):
        self.params = dict(params)
        #: Where the role's tasks of one target keep its assumed-role session between them (see SessionStore), or None.
        self.sessions = sessions
        self.endpoint_url = self.params.get("endpoint_url") or None
        self._session = None
        self._region = None
        self._config = None
        self._verify = None
        self._clients = {}
        self._credentials = {}
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
        expected = _expected_account(params)
        self._config = botocore_config(params.get("aws_config"))
        self._verify = tls_verify(params)
        try:
            session = botocore_session(params.get("profile") or None)
            if params.get("profile"):
                session.get_scoped_config()  # a missing profile fails here, named, not inside a later call
            self._credentials = _resolve_credentials(session, params)
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
        self._region = region
        if params.get("assume_role_arn"):
            session = self._assume_role(session, region)
        self._session = session
        if expected:
            self._check_account(expected)

    def _check_account(self, expected):
        """Refuse credentials of another account before any other call (free after AssumeRole)."""
        found = self.identity()
        if found["account"] != expected:
            raise ParameterError(
                "expected_account_id",
                "is {0} but the credentials resolve to account {1} ({2}): nothing was read or changed; use credentials"
                " (or a role to assume) of account {0}, or correct the account ID if {1} is the one meant".format(
                    expected, found["account"], found["arn"]
                ),
            )

    def _assume_role(self, session, region):
        params = self.params
        role_arn = params["assume_role_arn"]
        request = dict(RoleArn=role_arn, RoleSessionName=params.get("assume_role_session_name") or "flowlogs-aws")
        if params.get("assume_role_external_id"):
            request["ExternalId"] = params["assume_role_external_id"]
        endpoint_region = sts_region(params.get("sts_region"), region)
        kept = self.sessions.load(request, endpoint_region) if self.sessions else None
        if kept:
            self._identity, self._credentials = kept["identity"], kept["credentials"]
            return session
        try:
            sts = session.create_client(
                "sts",
                region_name=endpoint_region,
                endpoint_url=self.endpoint_url,
                config=self._config,
                verify=self._verify,
                **self._credentials,
            )
            self._count_calls_of(sts)
            answer = sts.assume_role(**request)
        except AWS_ERRORS as exc:
            # Located where STS refused it: the region of its endpoint, which may not be the target's.
            raise to_aws_error(exc, "sts:AssumeRole", role_arn).locate(region=endpoint_region) from exc
        creds = answer["Credentials"]
        # The assumed role's ARN names the account: no GetCallerIdentity call needed later.
        arn = answer.get("AssumedRoleUser", {}).get("Arn")
        if arn:
            self._identity = dict(account=arn.split(":")[4], arn=arn, partition=arn.split(":")[1])
        self._credentials = dict(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        if self.sessions and self._identity:
            self.sessions.save(request, endpoint_region, self._identity, self._credentials, creds.get("Expiration"))
        return session

    def __call__(self, service):
        client = self._clients.get(service)
        if client is None:
            if self._session is None:
                self._connect()
            try:
                client = self._session.create_client(
                    service,
                    region_name=self._region,
                    endpoint_url=self.endpoint_url,
                    config=self._config,
                    verify=self._verify,
                    **self._credentials,
                )
            except BotoCoreError as exc:
                raise to_aws_error(exc, "session", self.params.get("profile")) from exc
            self._count_calls_of(client)
            self._clients[service] = client
        return client

    def in_region(self, region):
        """Clients for ``region`` with these credentials, connected now if they were not: a role is assumed once and
        its session serves every region the account enabled (one AssumeRole per account, not per region)."""
        if self._session is None:
            self._connect()
        other = Clients(dict(self.params, region=region))
        other._session, other._region = self._session, region
        other._config, other._verify = self._config, self._verify
        other._credentials, other._identity = dict(self._credentials), self._identity
        return other

    def _count_calls_of(self, client):
        client.meta.events.register("after-call.*", self._count)
        client.meta.events.register("after-call-error.*", self._count_failed)

    def _count(self, parsed=None, **_kwargs):
        self.stats["calls"] += 1
        self.stats["retries"] += ((parsed or {}).get("ResponseMetadata") or {}).get("RetryAttempts", 0)

    def _count_failed(self, exception=None, context=None, **_kwargs):
        """A call that raised instead of answering (no connection, an answer botocore could not parse) was made too;
        one without credentials never left (botocore raises while signing it)."""
        if type(exception).__name__ in NOT_SIGNED:
            return
        attempts = ((context or {}).get("retries") or {}).get("attempt", 1)
        self.stats["calls"] += 1
        self.stats["retries"] += max(attempts - 1, 0)

    def target(self, lookup=False):
        """The account and region these clients work in, as far as known, to name them in an error.

        ``reached``: the account is the one the calls were made in (known from AssumeRole's answer or STS
        GetCallerIdentity; with ``lookup``, once credentials were refused, looked up now - it needs no permission).
        Otherwise the account is the one the target is configured for (``expected_account_id``, else the account of
        ``assume_role_arn``), which the credentials did not get to.
        """
        account = (self._identity or {}).get("account")
        if account is None and lookup and self._session is not None:
            with contextlib.suppress(AwsError):
                account = self.identity()["account"]
        return dict(
            account=account or self.configured_account(),
            region=self._region or self.params.get("region") or None,
            reached=account is not None,
        )

    def configured_account(self):
        """The account the options say the target is in: ``expected_account_id``, else ``assume_role_arn``'s."""
        expected = str(self.params.get("expected_account_id") or "").strip()
        if expected:
            return expected
        arn = (self.params.get("assume_role_arn") or "").split(":")
        return arn[4] if len(arn) > 5 and arn[4].isdigit() else None

    def locate(self, exc):
        """An AwsError of these clients, located (account, region) and with what to do when AWS's message does not
        say it: credentials to provide, a region botocore does not know."""
        exc.locate(**self.target(lookup=exc.access_denied))
        exc.assumed = bool(self.params.get("assume_role_arn")) and exc.operation != "sts:AssumeRole"
        profile = self.params.get("profile") or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
        exc.hint = exc.hint or error_hint(exc.code, exc.region, profile)
        return exc

    def known_identity(self):
        """The identity if it is known already (no call), else None."""
        return self._identity

    def identity(self):
        """STS caller identity (account, arn, partition), looked up once - or known from AssumeRole's answer."""
        if self._session is None:
            self._connect()
        if self._identity is None:
            try:
                found = self("sts").get_caller_identity()
            except AWS_ERRORS as exc:
                raise to_aws_error(exc, "sts:GetCallerIdentity") from exc
            arn = found["Arn"]
            self._identity = dict(account=found["Account"], arn=arn, partition=arn.split(":")[1])
        return self._identity


def connection_params(params):
    """Only the connection options of a module's parameters."""
    return {k: params.get(k) for k in CONNECTION_KEYS}
