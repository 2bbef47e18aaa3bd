"""Connection layer: lazy clients, region resolution, retry settings and error translation.
Nothing here reaches the network: clients are created but only called through a Stubber."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, NoCredentialsError
from botocore.stub import Stubber

from ansible_collections.flowlogs.aws.plugins.module_utils._core import connection as connection_module
from ansible_collections.flowlogs.aws.plugins.module_utils._core import error_pages
from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import (
    CONNECTION_KEYS,
    DEFAULT_MAX_ATTEMPTS,
    TLS_HINT,
    Clients,
    aws_config_problem,
    botocore_session,
    cache_client_classes,
    client_class_cache_refusal,
    config_settings,
    connection_params,
    error_code,
    error_message,
    preload,
    retry_config,
    tls_verify,
    to_aws_error,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from tests.unit.conftest import ACCOUNT

REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


@pytest.fixture
def no_aws_config(monkeypatch, tmp_path):
    """No region, profile or credentials from the environment or from ~/.aws."""
    for name in (*REGION_VARIABLES, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))


FAKE = dict(access_key="testing", secret_key="testing")


def test_clients_resolve_nothing_until_a_client_is_requested(no_aws_config):
    bogus = dict(
        profile="no-such-profile",
        region="nowhere-1",
        access_key="x",
        endpoint_url="http://127.0.0.1:9",
        assume_role_arn="not-an-arn",
    )

    clients = Clients(bogus)  # no exception: input validation must be able to run first

    with pytest.raises(AwsError) as caught:
        clients("ec2")
    assert caught.value.code == "ProfileNotFound"
    assert caught.value.operation == "session"


def test_no_region_anywhere_is_a_clear_error(no_aws_config):
    clients = Clients(dict(FAKE))

    with pytest.raises(AwsError) as caught:
        clients("ec2")

    assert caught.value.code == "NoRegion"
    assert "region option" in caught.value.aws_message
    assert "AWS_REGION" in caught.value.aws_message


def test_region_property_raises_the_same_error(no_aws_config):
    with pytest.raises(AwsError, match="NoRegion"):
        assert Clients(dict(FAKE)).region


@pytest.mark.parametrize(
    ("env", "option", "expected"),
    [
        ({"AWS_REGION": "eu-west-1"}, None, "eu-west-1"),
        ({"AWS_DEFAULT_REGION": "eu-central-1"}, None, "eu-central-1"),
        ({"AWS_REGION": "eu-west-1"}, "ap-south-1", "ap-south-1"),
        ({}, "us-west-2", "us-west-2"),
    ],
    ids=["AWS_REGION", "AWS_DEFAULT_REGION", "option beats env", "option"],
)
def test_region_from_option_or_environment(no_aws_config, monkeypatch, env, option, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    clients = Clients(dict(FAKE, region=option))

    assert clients.region == expected
    assert clients("ec2").meta.region_name == expected


def test_clients_are_created_once_with_endpoint_and_retry_settings(no_aws_config):
    clients = Clients(dict(FAKE, region="us-east-1", endpoint_url="http://127.0.0.1:5000"))

    ec2 = clients("ec2")

    assert clients("ec2") is ec2
    assert clients("logs") is not ec2
    assert ec2.meta.endpoint_url == "http://127.0.0.1:5000"
    assert ec2.meta.config.retries == {"mode": "standard", "total_max_attempts": DEFAULT_MAX_ATTEMPTS}
    assert "flowlogs.aws" in ec2.meta.config.user_agent_extra


def test_empty_endpoint_means_the_aws_endpoint(no_aws_config):
    clients = Clients(dict(FAKE, region="us-east-1", endpoint_url=""))

    assert clients("ec2").meta.endpoint_url == "https://ec2.us-east-1.amazonaws.com"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"mode": "standard", "total_max_attempts": 10}),
        ({"AWS_RETRY_MODE": "adaptive"}, {"mode": "adaptive", "total_max_attempts": 10}),
        ({"AWS_MAX_ATTEMPTS": "3"}, {"mode": "standard", "total_max_attempts": 3}),
        ({"AWS_RETRY_MODE": "legacy", "AWS_MAX_ATTEMPTS": "1"}, {"mode": "legacy", "total_max_attempts": 1}),
    ],
)
def test_retry_config_honours_the_environment(no_aws_config, monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    assert retry_config().retries == expected


def test_retry_environment_reaches_the_clients(no_aws_config, monkeypatch):
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "4")

    ec2 = Clients(dict(FAKE, region="us-east-1"))("ec2")

    assert ec2.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 4}


@pytest.mark.parametrize(
    ("arn", "partition"),
    [
        ("arn:aws:iam::{}:user/tests".format(ACCOUNT), "aws"),
        ("arn:aws-cn:sts::{}:assumed-role/r/s".format(ACCOUNT), "aws-cn"),
        ("arn:aws-us-gov:iam::{}:root".format(ACCOUNT), "aws-us-gov"),
    ],
)
def test_identity_is_looked_up_once(no_aws_config, arn, partition):
    clients = Clients(dict(FAKE, region="us-east-1"))
    stubber = Stubber(clients("sts"))
    stubber.add_response("get_caller_identity", {"UserId": "AIDAEXAMPLE", "Account": ACCOUNT, "Arn": arn}, {})
    with stubber:
        first = clients.identity()
        second = clients.identity()  # a second STS call would find no stubbed answer

    assert first == dict(account=ACCOUNT, arn=arn, partition=partition)
    assert second == first
    stubber.assert_no_pending_responses()


def test_identity_failure_is_an_aws_error(no_aws_config):
    clients = Clients(dict(FAKE, region="us-east-1"))
    stubber = Stubber(clients("sts"))
    stubber.add_client_error("get_caller_identity", "InvalidClientTokenId", "The security token is invalid", 403)
    with stubber, pytest.raises(AwsError) as caught:
        clients.identity()

    assert caught.value.code == "InvalidClientTokenId"
    assert caught.value.operation == "sts:GetCallerIdentity"


def test_target_of_refused_credentials_is_looked_up_only_when_asked(no_aws_config):
    clients = Clients(dict(FAKE, region="eu-west-1"))
    stubber = Stubber(clients("sts"))
    arn = "arn:aws:iam::{}:user/tests".format(ACCOUNT)
    stubber.add_response("get_caller_identity", {"UserId": "AIDAEXAMPLE", "Account": ACCOUNT, "Arn": arn}, {})
    with stubber:
        unknown = clients.target()
        looked_up = clients.target(lookup=True)

    assert unknown == dict(account=None, region="eu-west-1", reached=False)
    assert looked_up == dict(account=ACCOUNT, region="eu-west-1", reached=True)
    stubber.assert_no_pending_responses()


def test_target_lookup_that_fails_leaves_the_account_unknown(no_aws_config):
    clients = Clients(dict(FAKE, region="eu-west-1"))
    stubber = Stubber(clients("sts"))
    stubber.add_client_error("get_caller_identity", "ExpiredToken", "The security token has expired", 403)
    with stubber:
        assert clients.target(lookup=True) == dict(account=None, region="eu-west-1", reached=False)


GRANT = "grant it to the operator (docs/operator-policy.json)"


@pytest.mark.parametrize(
    ("code", "operation", "suffix"),
    [
        ("AccessDenied", "sts:AssumeRole", " (missing permission: sts:AssumeRole; {})"),
        ("AccessDeniedException", "logs:CreateLogGroup", " (missing permission: logs:CreateLogGroup; {})"),
        ("UnauthorizedOperation", "ec2:CreateFlowLogs", " (missing permission: ec2:CreateFlowLogs; {})"),
        ("Throttling", "ec2:CreateFlowLogs", ""),
    ],
)
def test_refused_call_names_the_missing_permission(code, operation, suffix):
    exc = AwsError(operation, code, "denied").locate(account="111111111111", region="eu-west-1")

    assert str(exc) == "{} failed in account 111111111111, region eu-west-1: {}: denied{}".format(
        operation, code, suffix.format(GRANT)
    )
    assert exc.as_dict().get("missing_permission") == (operation if suffix else None)
    assert exc.locate(account="999999999999").account == "111111111111"  # the first place named stays


def test_error_translation():
    client_error = ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "DescribeFlowLogs")
    core_error = NoCredentialsError()

    assert (error_code(client_error), error_message(client_error)) == ("Throttling", "Rate exceeded")
    assert error_code(core_error) == "NoCredentialsError"
    assert error_message(core_error) == str(core_error)
    translated = to_aws_error(client_error, "ec2:DescribeFlowLogs", "vpc-0a1b2c3d")
    assert translated.as_dict() == dict(
        operation="ec2:DescribeFlowLogs", code="Throttling", message="Rate exceeded", resource="vpc-0a1b2c3d"
    )
    assert str(translated) == "ec2:DescribeFlowLogs on vpc-0a1b2c3d failed: Throttling: Rate exceeded"


def test_connection_params_keeps_only_connection_options():
    params = dict(region="eu-west-1", profile="p", log_group_name="g", resource_ids=["vpc-0a1b2c3d"])

    picked = connection_params(params)

    assert set(picked) == set(CONNECTION_KEYS)
    assert picked["region"] == "eu-west-1"
    assert picked["profile"] == "p"
    assert "log_group_name" not in picked


# ---------------------------------------------------------------- shared sessions, per-target credentials


def _access_key(client):
    return client._request_signer._credentials.access_key  # pylint: disable=protected-access


def test_one_session_per_profile_and_config_files(no_aws_config, monkeypatch, tmp_path):
    first = botocore_session()
    assert botocore_session() is first
    other = tmp_path / "other"
    other.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(other))
    assert botocore_session() is not first


def test_sts_is_asked_at_its_regional_endpoint_even_where_the_config_says_legacy(no_aws_config, monkeypatch):
    """The global endpoint's session tokens are refused in opt-in regions (AuthFailure) even where they are enabled."""
    monkeypatch.setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy")
    sts = Clients(dict(region="us-east-1", access_key="AKIDEXPLICIT", secret_key="s1"))("sts")

    assert sts.meta.endpoint_url == "https://sts.us-east-1.amazonaws.com"


def test_credentials_of_one_target_never_leak_to_the_next(no_aws_config, monkeypatch):
    explicit = Clients(dict(region="us-east-1", access_key="AKIDEXPLICIT", secret_key="s1"))("ec2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s2")
    from_env = Clients(dict(region="us-east-1"))("ec2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDCHANGED")
    changed = Clients(dict(region="us-east-1"))("ec2")

    assert [_access_key(c) for c in (explicit, from_env, changed)] == ["AKIDEXPLICIT", "AKIDFROMENV", "AKIDCHANGED"]


def test_no_credentials_anywhere_fails_at_the_first_call(no_aws_config):
    ec2 = Clients(dict(region="us-east-1", endpoint_url="http://127.0.0.1:9"))("ec2")
    with pytest.raises(NoCredentialsError):
        ec2.describe_vpcs()


def test_client_classes_are_built_once_for_our_sessions_only(no_aws_config):
    import botocore.session

    preload(("ec2",))
    assert cache_client_classes() is None  # installed (botocore of this venv is one it was made for)
    first = Clients(dict(FAKE, region="us-east-1"))("ec2")
    second = Clients(dict(FAKE, region="eu-west-1"))("ec2")
    foreign = botocore.session.Session().create_client(
        "ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )

    assert type(first) is type(second)
    assert type(foreign) is not type(first)
    assert first.meta.region_name == "us-east-1" and second.meta.region_name == "eu-west-1"


def test_preloaded_paginators_spare_each_worker_a_walk_of_botocore_data(no_aws_config, monkeypatch):
    """After preload (on the controller, before the fork), a client's first can_paginate finds the paginators in the
    shared loader: botocore does not list its data directories again (~20 ms of CPU per task and target)."""
    from ansible_collections.flowlogs.aws.plugins.module_utils._core.botocore_cache import shared_loader

    preload(("ec2",))
    monkeypatch.setattr(
        shared_loader(), "list_available_services", lambda *a, **k: pytest.fail("botocore data listed again")
    )

    assert Clients(dict(FAKE, region="eu-west-1"))("ec2").can_paginate("describe_vpcs")


SIGNATURE = ["self", "service_name", "service_model"]


@pytest.mark.parametrize(
    ("version", "parameters", "environ", "refusal"),
    [
        ("1.44.8", SIGNATURE, {}, None),
        ("1.34.0", SIGNATURE, {"FLOWLOGS_AWS_CLIENT_CLASS_CACHE": "1"}, None),
        (
            "1.44.8",
            SIGNATURE,
            {"FLOWLOGS_AWS_CLIENT_CLASS_CACHE": "0"},
            "switched off with FLOWLOGS_AWS_CLIENT_CLASS_CACHE",
        ),
        ("1.44.8", SIGNATURE, {"FLOWLOGS_AWS_CLIENT_CLASS_CACHE": "false"}, "switched off"),
        ("2.0.0", SIGNATURE, {}, "botocore 2.0.0 is outside the versions it was made for (1.34 to 1.x)"),
        ("1.33.9", SIGNATURE, {}, "botocore 1.33.9 is outside"),
        (
            "1.44.8",
            ["self", "service_name", "service_model", "extra"],
            {},
            "takes (self, service_name, service_model, extra)",
        ),
    ],
)
def test_the_client_class_cache_steps_aside_and_says_why(version, parameters, environ, refusal):
    found = client_class_cache_refusal(version, parameters, environ)

    assert (found is None) == (refusal is None)
    if refusal:
        assert refusal in found


# ---------------------------------------------------------------- amazon.aws's TLS and botocore options


def _created(clients, service="ec2"):
    client = clients(service)
    return client, client._client_config, client._endpoint.http_session  # pylint: disable=protected-access


def test_aws_config_is_merged_over_the_collections_config(no_aws_config):
    clients = Clients(
        dict(
            FAKE,
            region="eu-west-1",
            aws_config={"connect_timeout": 3, "user_agent_extra": "team-x", "max_pool_connections": 4},
        )
    )
    _client, config, _http = _created(clients)
    assert (config.connect_timeout, config.read_timeout, config.max_pool_connections) == (3, 60, 4)
    assert config.retries["total_max_attempts"] == DEFAULT_MAX_ATTEMPTS  # the collection's, kept
    assert config.user_agent_extra == "flowlogs.aws team-x"  # added to ours, not in its place


@pytest.mark.parametrize(
    ("aws_config", "expected"),
    [
        ({"retry": 3}, "has unknown botocore Config setting(s) retry; allowed: "),
        ("adaptive", "must be a dictionary of botocore Config settings, got str"),
        ({"retries": {"mode": "adaptive"}, "bogus": 1, "other": 2}, "setting(s) bogus, other; allowed: "),
    ],
)
def test_aws_config_problems_name_the_allowed_settings(aws_config, expected):
    problem = aws_config_problem(aws_config, config_settings())
    assert problem.startswith(expected) or expected in problem
    if "allowed" in expected:
        assert "connect_timeout" in problem and "retries" in problem


def test_a_bad_aws_config_fails_before_any_client_or_credential(no_aws_config, monkeypatch):
    monkeypatch.setattr(
        "ansible_collections.flowlogs.aws.plugins.module_utils._core.connection._resolve_credentials",
        lambda *a: pytest.fail("credentials resolved despite a bad aws_config"),
    )
    with pytest.raises(ParameterError) as caught:
        Clients(dict(FAKE, region="eu-west-1", aws_config={"connect_timeout": 3, "retry": 1}))("ec2")
    assert caught.value.option == "aws_config"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (dict(), None),  # botocore's default: AWS_CA_BUNDLE, the profile's ca_bundle, certifi
        (dict(validate_certs=True), None),
        (dict(validate_certs=False), False),
        (dict(aws_ca_bundle="BUNDLE", validate_certs=False), "BUNDLE"),  # the bundle wins
    ],
)
def test_tls_verify(tmp_path, params, expected):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-")
    params = {k: (str(bundle) if v == "BUNDLE" else v) for k, v in params.items()}
    assert tls_verify(params) == (str(bundle) if expected == "BUNDLE" else expected)


def test_a_missing_ca_bundle_is_refused_naming_the_option(tmp_path):
    with pytest.raises(ParameterError) as caught:
        tls_verify(dict(aws_ca_bundle=str(tmp_path / "nowhere.pem")))
    assert (caught.value.option, caught.value.detail) == (
        "aws_ca_bundle",
        "is not a file: {}".format(tmp_path / "nowhere.pem"),
    )


def test_the_ca_bundle_reaches_the_clients(no_aws_config, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-")
    _client, _config, http = _created(Clients(dict(FAKE, region="eu-west-1", aws_ca_bundle=str(bundle))))
    assert http._verify == str(bundle)  # pylint: disable=protected-access
    _client, _config, http = _created(Clients(dict(FAKE, region="eu-west-1", validate_certs=False)))
    assert http._verify is False  # pylint: disable=protected-access


def test_a_certificate_failure_says_what_to_set():
    from botocore.exceptions import SSLError

    exc = SSLError(
        endpoint_url="https://ec2.example", error="[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"
    )
    assert to_aws_error(exc, "ec2:DescribeVpcs").aws_message.endswith(TLS_HINT)


def test_an_html_error_page_is_named_in_a_few_words_not_pasted():
    page = (
        "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n"
        "<p>The server encountered an internal error and was unable to complete your request.</p>"
    )
    exc = ClientError({"Error": {"Code": "500", "Message": page}}, "DescribeQueryDefinitions")

    error = to_aws_error(exc, "logs:DescribeQueryDefinitions")

    assert error.aws_message == (
        "500 Internal Server Error (an HTML page, not an AWS API answer: check endpoint_url and any proxy in the way)"
    )


def test_an_aws_message_is_kept_as_it_is():
    exc = ClientError({"Error": {"Code": "AccessDenied", "Message": "User: x is not authorized"}}, "GetRole")

    assert to_aws_error(exc, "iam:GetRole").aws_message == "User: x is not authorized"


NOT_FOUND_PAGE = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"


def _not_found(operation):
    return ClientError(
        {"Error": {"Code": "404", "Message": NOT_FOUND_PAGE}, "ResponseMetadata": {"HTTPStatusCode": 404}},
        operation.split(":")[1],
    )


def test_a_404_page_for_a_protocol_botocore_moved_to_names_the_protocol_and_the_versions(monkeypatch):
    import botocore

    monkeypatch.setattr(error_pages, "botocore_protocol", lambda service: "rest-json")

    error = to_aws_error(_not_found("athena:ListNamedQueries"), "athena:ListNamedQueries")

    assert error.aws_message == (
        "404 Not Found (an HTML page, not an AWS API answer: the endpoint does not serve the rest-json protocol that"
        " botocore {} speaks to athena; botocore 1.44.13 and older speak json, the only protocol moto 5.2.6 and older"
        " serve for athena: use botocore<=1.44.13 with that endpoint, or an endpoint that serves rest-json)".format(
            botocore.__version__
        )
    )


def test_a_404_page_for_another_rest_call_names_the_protocol_of_the_installed_botocore():
    import botocore

    error = to_aws_error(_not_found("glue:GetTable"), "glue:GetTable")  # glue: json in every botocore we support

    assert error.aws_message == (
        "404 Not Found (an HTML page, not an AWS API answer: the endpoint has no such path for the json protocol that"
        " botocore {} speaks to glue: check endpoint_url, any proxy in the way, and that the endpoint serves this"
        " protocol)".format(botocore.__version__)
    )


def test_the_protocol_is_the_installed_botocore_models():
    assert error_pages.botocore_protocol("ec2") == "ec2"
    assert error_pages.botocore_protocol("iam") == "query"
    assert error_pages.botocore_protocol("no-such-service") is None


@pytest.mark.parametrize(
    ("configured", "region", "expected"),
    [
        (None, "eu-west-1", "eu-west-1"),  # the target's own region
        (None, "af-south-1", "us-east-1"),  # an opt-in region the controller's account may not have enabled
        ("eu-central-1", "af-south-1", "eu-central-1"),  # as configured
    ],
)
def test_the_role_is_assumed_through_an_sts_endpoint_the_controller_can_use(configured, region, expected):
    assert connection_module.sts_region(configured, region) == expected


def test_clients_in_another_region_keep_the_credentials_and_the_identity(no_aws_config):
    clients = Clients(dict(region="us-east-1", access_key="AKIDONE", secret_key="one", endpoint_url="http://x:1"))
    clients._identity = dict(account=ACCOUNT, arn="arn:aws:sts::{}:assumed-role/R/s".format(ACCOUNT), partition="aws")

    regional = clients.in_region("eu-west-3")

    assert regional.region == "eu-west-3" and clients.region == "us-east-1"
    ec2 = regional("ec2")
    assert ec2.meta.region_name == "eu-west-3" and ec2.meta.endpoint_url == "http://x:1"
    assert ec2._request_signer._credentials.access_key == "AKIDONE"
    assert regional.known_identity() == clients.known_identity()  # no GetCallerIdentity, no second AssumeRole
    assert clients("ec2").meta.region_name == "us-east-1"


def test_a_refused_assume_role_is_located_at_the_sts_endpoint_it_went_to(no_aws_config):
    """flow_logs_sts_region sends AssumeRole to another region than the target's: the error names that region."""
    clients = Clients(
        dict(
            FAKE,
            region="eu-west-1",
            sts_region="af-south-1",
            assume_role_arn="arn:aws:iam::111111111111:role/OrganizationAccountAccessRole",
            endpoint_url="http://127.0.0.1:9",  # nothing listens: refused at once
            aws_config=dict(retries=dict(total_max_attempts=1)),
        )
    )

    with pytest.raises(AwsError) as caught:
        clients("ec2")

    assert (caught.value.operation, caught.value.region) == ("sts:AssumeRole", "af-south-1")
    assert " in region af-south-1" in str(clients.locate(caught.value))
