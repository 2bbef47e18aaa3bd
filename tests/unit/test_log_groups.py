"""Log group rules, plan and prediction (pure), and the apply path for KMS keys through a Stubber."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.log_groups import (
    RETENTION_DAYS,
    converge_log_group,
    plan_log_group,
    predict_log_group,
    validate_log_group_params,
)
from tests.unit.conftest import ACCOUNT, StubbedClients

NAME = "vpc-flow-logs"
ARN = "arn:aws:logs:us-east-1:{}:log-group:{}".format(ACCOUNT, NAME)
KEY_A = "arn:aws:kms:us-east-1:{}:key/0b4e8f5c-1234-4a6b-9d1e-123456789abc".format(ACCOUNT)
KEY_B = "arn:aws:kms:us-east-1:{}:key/11111111-2222-3333-4444-555555555555".format(ACCOUNT)
AWS_RETENTIONS = [
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
]


def current_group(**overrides):
    group = dict(
        name=NAME,
        arn=ARN,
        retention_in_days=None,
        kms_key_id=None,
        log_group_class="STANDARD",
        stored_bytes=0,
        creation_time=1,
        tags={},
    )
    group.update(overrides)
    return group


# ---------------------------------------------------------------- validate_log_group_params


def test_retention_days_are_exactly_the_22_values_aws_accepts():
    assert list(RETENTION_DAYS) == AWS_RETENTIONS


@pytest.mark.parametrize("days", [0, *AWS_RETENTIONS])
def test_every_valid_retention_is_accepted(days):
    validate_log_group_params(dict(name=NAME, retention_in_days=days))


@pytest.mark.parametrize("days", [2, 4, -1, 10000, 6, 366, 3652])
def test_invalid_retention_is_rejected_naming_the_option_and_the_values(days):
    with pytest.raises(ParameterError) as caught:
        validate_log_group_params(dict(name=NAME, retention_in_days=days))

    assert caught.value.option == "retention_in_days"
    message = str(caught.value)
    assert message.startswith("retention_in_days: {} is not allowed".format(days))
    assert "0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, " in message
    assert "3288, 3653" in message


@pytest.mark.parametrize(
    ("params", "option"),
    [
        (dict(name=""), "name"),
        (dict(name=None), "name"),
        (dict(name="has space"), "name"),
        (dict(name="bad*char"), "name"),
        (dict(name="x" * 513), "name"),
        (dict(name="colon:name"), "name"),
        (dict(name=NAME, kms_key_id="alias/flow-logs"), "kms_key_id"),
        (dict(name=NAME, kms_key_id="0b4e8f5c-1234-4a6b-9d1e-123456789abc"), "kms_key_id"),
        (dict(name=NAME, kms_key_id="arn:aws:kms:us-east-1:123:key/abc"), "kms_key_id"),
        (dict(name=NAME, kms_key_id="arn:aws:kms:us-east-1:{}:alias/x".format(ACCOUNT)), "kms_key_id"),
        (dict(name=NAME, log_group_class="COLD"), "log_group_class"),
    ],
)
def test_invalid_params_are_rejected(params, option):
    with pytest.raises(ParameterError) as caught:
        validate_log_group_params(params)

    assert caught.value.option == option
    assert str(caught.value).startswith(option + ": ")


@pytest.mark.parametrize(
    "params",
    [
        dict(name=NAME),
        dict(name="/aws/vpc/flow-logs_#1.x"),
        dict(name="x" * 512),
        dict(name=NAME, kms_key_id=""),
        dict(name=NAME, kms_key_id=None),
        dict(name=NAME, kms_key_id=KEY_A),
        dict(name=NAME, kms_key_id="arn:aws-cn:kms:cn-north-1:{}:key/abc-123".format(ACCOUNT)),
        dict(name=NAME, log_group_class="INFREQUENT_ACCESS"),
        dict(name=NAME, log_group_class="STANDARD"),
    ],
)
def test_valid_params_are_accepted(params):
    validate_log_group_params(params)


def test_kms_error_message_tells_how_to_disassociate():
    with pytest.raises(ParameterError, match="use an empty string to disassociate"):
        validate_log_group_params(dict(name=NAME, kms_key_id="alias/x"))


# ---------------------------------------------------------------- plan_log_group


@pytest.mark.parametrize(
    ("case", "params", "current", "expected"),
    [
        (
            "create, no retention",
            dict(name=NAME),
            None,
            [
                dict(
                    action="create_log_group",
                    name=NAME,
                    kms_key_id=None,
                    tags={},
                    log_group_class=None,
                    deletion_protection=False,
                )
            ],
        ),
        (
            "create with retention, key, tags and class",
            dict(name=NAME, retention_in_days=90, kms_key_id=KEY_A, tags={"team": "net"}, log_group_class="STANDARD"),
            None,
            [
                dict(
                    action="create_log_group",
                    name=NAME,
                    kms_key_id=KEY_A,
                    tags={"team": "net"},
                    log_group_class="STANDARD",
                    deletion_protection=False,
                ),
                dict(action="put_retention_policy", name=NAME, days=90),
            ],
        ),
        (
            "create with retention 0 sets no policy, empty key is no key",
            dict(name=NAME, retention_in_days=0, kms_key_id=""),
            None,
            [
                dict(
                    action="create_log_group",
                    name=NAME,
                    kms_key_id=None,
                    tags={},
                    log_group_class=None,
                    deletion_protection=False,
                )
            ],
        ),
        ("unchanged", dict(name=NAME, retention_in_days=90), current_group(retention_in_days=90), []),
        (
            "retention change",
            dict(name=NAME, retention_in_days=365),
            current_group(retention_in_days=90),
            [dict(action="put_retention_policy", name=NAME, days=365)],
        ),
        (
            "retention set where none",
            dict(name=NAME, retention_in_days=7),
            current_group(),
            [dict(action="put_retention_policy", name=NAME, days=7)],
        ),
        (
            "0 removes a retention that is set",
            dict(name=NAME, retention_in_days=0),
            current_group(retention_in_days=90),
            [dict(action="delete_retention_policy", name=NAME)],
        ),
        ("0 with no retention does nothing", dict(name=NAME, retention_in_days=0), current_group(), []),
        ("unset retention leaves it alone", dict(name=NAME), current_group(retention_in_days=90), []),
        (
            "key associated",
            dict(name=NAME, kms_key_id=KEY_A),
            current_group(),
            [dict(action="associate_kms_key", name=NAME, kms_key_id=KEY_A)],
        ),
        (
            "key changed",
            dict(name=NAME, kms_key_id=KEY_B),
            current_group(kms_key_id=KEY_A),
            [dict(action="associate_kms_key", name=NAME, kms_key_id=KEY_B)],
        ),
        ("key unchanged", dict(name=NAME, kms_key_id=KEY_A), current_group(kms_key_id=KEY_A), []),
        (
            "empty key disassociates",
            dict(name=NAME, kms_key_id=""),
            current_group(kms_key_id=KEY_A),
            [dict(action="disassociate_kms_key", name=NAME)],
        ),
        ("empty key and no key does nothing", dict(name=NAME, kms_key_id=""), current_group(), []),
        ("unset key leaves it alone", dict(name=NAME), current_group(kms_key_id=KEY_A), []),
        ("same class", dict(name=NAME, log_group_class="STANDARD"), current_group(), []),
        (
            "tags added, others purged, aws: kept",
            dict(name=NAME, tags={"team": "net"}),
            current_group(tags={"old": "x", "aws:owner": "y"}),
            [
                dict(action="tag_log_group", name=NAME, tags={"team": "net"}),
                dict(action="untag_log_group", name=NAME, keys=["old"]),
            ],
        ),
        (
            "tags added, purge false",
            dict(name=NAME, tags={"team": "net"}, purge_tags=False),
            current_group(tags={"old": "x"}),
            [dict(action="tag_log_group", name=NAME, tags={"team": "net"})],
        ),
        ("tags unset leaves them alone", dict(name=NAME), current_group(tags={"old": "x"}), []),
        (
            "absent deletes",
            dict(name=NAME, state="absent"),
            current_group(),
            [dict(action="delete_log_group", name=NAME)],
        ),
        ("absent and missing", dict(name=NAME, state="absent"), None, []),
        ("absent ignores other options", dict(name=NAME, state="absent", retention_in_days=7), None, []),
    ],
)
def test_plan_log_group(case, params, current, expected):
    assert plan_log_group(params, current) == expected, case


@pytest.mark.parametrize(
    ("current_class", "wanted"),
    [("STANDARD", "INFREQUENT_ACCESS"), ("INFREQUENT_ACCESS", "STANDARD")],
)
def test_class_of_an_existing_group_cannot_change(current_class, wanted):
    with pytest.raises(ParameterError) as caught:
        plan_log_group(dict(name=NAME, log_group_class=wanted), current_group(log_group_class=current_class))

    assert caught.value.option == "log_group_class"
    assert current_class in str(caught.value)
    assert wanted in str(caught.value)


def test_create_step_tags_are_strings_like_every_other_tag_change():
    """Ansible's ``type: dict`` keeps YAML integers; AWS tag values must be strings."""
    [create] = plan_log_group(dict(name=NAME, tags={"cost_center": 1234}), None)

    assert create["tags"] == {"cost_center": "1234"}


# ---------------------------------------------------------------- predict_log_group


@pytest.mark.parametrize(
    ("params", "current", "expected_changes"),
    [
        (dict(name=NAME, retention_in_days=365), current_group(retention_in_days=90), dict(retention_in_days=365)),
        (dict(name=NAME, retention_in_days=0), current_group(retention_in_days=90), dict(retention_in_days=None)),
        (dict(name=NAME, kms_key_id=KEY_A), current_group(), dict(kms_key_id=KEY_A)),
        (dict(name=NAME, kms_key_id=""), current_group(kms_key_id=KEY_A), dict(kms_key_id=None)),
        (dict(name=NAME, tags={"a": "1"}), current_group(tags={"b": "2"}), dict(tags={"a": "1"})),
        (
            dict(name=NAME, tags={"a": "1"}, purge_tags=False),
            current_group(tags={"b": "2"}),
            dict(tags={"a": "1", "b": "2"}),
        ),
    ],
)
def test_predict_log_group_changes_only_what_the_plan_changes(params, current, expected_changes):
    before = dict(current)
    after = predict_log_group(current, plan_log_group(params, current))

    assert after == dict(current, **expected_changes)
    assert current == before  # prediction works on a copy


def test_predict_new_group():
    params = dict(name=NAME, retention_in_days=30, kms_key_id=KEY_A, tags={"t": "v"})

    after = predict_log_group(None, plan_log_group(params, None))

    assert after == dict(
        name=NAME,
        arn=None,
        retention_in_days=30,
        kms_key_id=KEY_A,
        log_group_class="STANDARD",
        stored_bytes=0,
        creation_time=None,
        deletion_protection=False,
        tags={"t": "v"},
    )


def test_predict_deleted_group_is_none():
    assert predict_log_group(current_group(), plan_log_group(dict(name=NAME, state="absent"), current_group())) is None


@pytest.mark.parametrize(
    ("params", "current"),
    [
        (dict(name=NAME, retention_in_days=90, kms_key_id=KEY_A, tags={"a": "1"}), None),
        (dict(name=NAME, retention_in_days=0, kms_key_id=""), None),
        (dict(name=NAME, retention_in_days=0, kms_key_id=""), current_group(retention_in_days=5, kms_key_id=KEY_A)),
        (
            dict(name=NAME, retention_in_days=14, kms_key_id=KEY_B, tags={}),
            current_group(kms_key_id=KEY_A, tags={"x": "y"}),
        ),
        (dict(name=NAME, tags={"a": "1"}, purge_tags=False), current_group(tags={"x": "y"})),
    ],
)
def test_plan_on_the_predicted_group_is_empty(params, current):
    after = predict_log_group(current, plan_log_group(params, current))

    assert plan_log_group(params, after) == []


# ---------------------------------------------------------------- converge through a Stubber


def _describe(stubber, tags=None, **group):
    """DescribeLogGroups + ListTagsForResource, as describe_log_group calls them."""
    found = dict(
        logGroupName=NAME,
        arn=ARN + ":*",
        logGroupArn=ARN,
        creationTime=1,
        storedBytes=0,
        logGroupClass="STANDARD",
    )
    found.update(group)
    stubber.add_response("describe_log_groups", {"logGroups": [found]}, {"logGroupNamePrefix": NAME})
    stubber.add_response("list_tags_for_resource", {"tags": tags or {}}, {"resourceArn": ARN})


def _describe_none(stubber):
    stubber.add_response("describe_log_groups", {"logGroups": []}, {"logGroupNamePrefix": NAME})


class TestKmsKeyThroughStubber:
    """moto does not implement AssociateKmsKey / DisassociateKmsKey (HTTP 500), so these calls are
    checked with botocore's Stubber on a real boto3 logs client: the exact requests sent, in order,
    and no CreateLogGroup/DeleteLogGroup for a group that exists."""

    def test_associate_key_on_existing_group(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber, retentionInDays=90)
        stubber.add_response("associate_kms_key", {}, {"logGroupName": NAME, "kmsKeyId": KEY_A})
        _describe(stubber, retentionInDays=90, kmsKeyId=KEY_A)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, kms_key_id=KEY_A))

        assert result["changed"] is True
        assert result["actions"] == ["associate_kms_key"]
        assert result["before"]["kms_key_id"] is None
        assert result["log_group"]["kms_key_id"] == KEY_A
        assert result["log_group"]["retention_in_days"] == 90

    def test_replace_key_on_existing_group(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber, kmsKeyId=KEY_A)
        stubber.add_response("associate_kms_key", {}, {"logGroupName": NAME, "kmsKeyId": KEY_B})
        _describe(stubber, kmsKeyId=KEY_B)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, kms_key_id=KEY_B))

        assert result["actions"] == ["associate_kms_key"]
        assert result["after"]["kms_key_id"] == KEY_B

    def test_disassociate_key_and_remove_retention(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber, kmsKeyId=KEY_A, retentionInDays=30)
        stubber.add_response("delete_retention_policy", {}, {"logGroupName": NAME})
        stubber.add_response("disassociate_kms_key", {}, {"logGroupName": NAME})
        _describe(stubber)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, kms_key_id="", retention_in_days=0))

        assert result["actions"] == ["delete_retention_policy", "disassociate_kms_key"]
        assert result["log_group"]["kms_key_id"] is None
        assert result["log_group"]["retention_in_days"] is None

    def test_unchanged_key_sends_nothing(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber, kmsKeyId=KEY_A)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, kms_key_id=KEY_A))

        assert result["changed"] is False
        assert result["actions"] == []

    def test_check_mode_predicts_the_key_and_sends_no_write(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, kms_key_id=KEY_A), check_mode=True)

        assert result["changed"] is True
        assert result["after"]["kms_key_id"] == KEY_A
        assert result["before"]["kms_key_id"] is None

    def test_aws_refusal_is_an_aws_error_with_its_code(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber)
        stubber.add_client_error(
            "associate_kms_key",
            service_error_code="AccessDeniedException",
            service_message="The specified KMS key does not exist or is not allowed to be used",
            http_status_code=400,
            expected_params={"logGroupName": NAME, "kmsKeyId": KEY_A},
        )

        with pytest.raises(AwsError) as caught:
            converge_log_group(StubbedClients(logs=logs), dict(name=NAME, kms_key_id=KEY_A))

        assert caught.value.code == "AccessDeniedException"
        assert caught.value.operation == "logs:AssociateKmsKey"
        assert caught.value.resource == NAME
        assert caught.value.kms_key == KEY_A

    def test_a_key_cloudwatch_logs_may_not_use_is_named_in_the_error(self, stubbed):
        """AWS's answer names the log group only: the error says which key's policy must let CloudWatch Logs in."""
        logs, stubber = stubbed("logs")
        _describe_none(stubber)
        refusal = "The specified KMS key does not exist or is not allowed to be used with Arn '{}'".format(ARN)
        stubber.add_client_error(
            "create_log_group",
            service_error_code="AccessDeniedException",
            service_message=refusal,
            http_status_code=400,
            expected_params={"logGroupName": NAME, "kmsKeyId": KEY_A},
        )

        with pytest.raises(AwsError) as caught:
            converge_log_group(StubbedClients(logs=logs), dict(name=NAME, kms_key_id=KEY_A))

        assert (caught.value.operation, caught.value.kms_key) == ("logs:CreateLogGroup", KEY_A)
        assert caught.value.diagnosis.cause == "CloudWatch Logs may not use KMS key " + KEY_A

    def test_new_group_gets_its_key_at_creation_not_by_associate(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe_none(stubber)
        stubber.add_response("create_log_group", {}, {"logGroupName": NAME, "kmsKeyId": KEY_A})
        _describe(stubber, kmsKeyId=KEY_A)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, kms_key_id=KEY_A))

        assert result["actions"] == ["create_log_group"]
        assert result["log_group"]["kms_key_id"] == KEY_A

    def test_new_group_with_integer_tag_value_is_created(self, stubbed):
        """Ansible's ``type: dict`` keeps YAML integers; botocore (like AWS) accepts only string values."""
        logs, stubber = stubbed("logs")
        _describe_none(stubber)
        stubber.add_response("create_log_group", {})  # botocore's own validation checks the request
        _describe(stubber, tags={"cost_center": "1234"})

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, tags={"cost_center": 1234}))

        assert result["actions"] == ["create_log_group"]
        assert result["log_group"]["tags"] == {"cost_center": "1234"}


class TestGroupCreatedMeanwhile:
    """CreateLogGroup answered "already exists": another run created the group between our read and our
    create, or botocore retried our own create after its answer was lost. Either way the group is there:
    converge it instead of failing the target."""

    def test_the_group_is_finished_not_failed(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe_none(stubber)
        stubber.add_client_error(
            "create_log_group",
            service_error_code="ResourceAlreadyExistsException",
            service_message="The specified log group already exists",
            http_status_code=400,
            expected_params={"logGroupName": NAME},
        )
        _describe(stubber)  # there, without retention
        stubber.add_response("put_retention_policy", {}, {"logGroupName": NAME, "retentionInDays": 90})
        _describe(stubber, retentionInDays=90)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, retention_in_days=90))

        assert result["changed"] is True
        assert result["log_group"]["retention_in_days"] == 90

    def test_a_group_already_as_wanted_gets_no_more_writes(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe_none(stubber)
        stubber.add_client_error(
            "create_log_group", service_error_code="ResourceAlreadyExistsException", http_status_code=400
        )
        _describe(stubber, retentionInDays=90)
        _describe(stubber, retentionInDays=90)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, retention_in_days=90))

        assert result["log_group"]["retention_in_days"] == 90

    def test_other_create_errors_still_fail(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe_none(stubber)
        stubber.add_client_error("create_log_group", service_error_code="LimitExceededException", http_status_code=400)

        with pytest.raises(AwsError) as caught:
            converge_log_group(StubbedClients(logs=logs), dict(name=NAME, retention_in_days=90))

        assert caught.value.code == "LimitExceededException"


@pytest.mark.parametrize(
    "params",
    [dict(name=NAME, retention_in_days=4), dict(name="bad name"), dict(name=NAME, kms_key_id="alias/x")],
)
def test_invalid_params_fail_before_any_client_is_made(params):
    clients = StubbedClients()

    with pytest.raises(ParameterError):
        converge_log_group(clients, params)

    assert clients.requested == []


class TestAccountLevelRetentionPolicy:
    """An account-level retention policy (CloudWatch Logs' PutAccountPolicy) governs the group: AWS reports
    its name as retentionPolicyName and its period as retentionInDays. Putting a retention on the group
    would not show and would be reported as a change on every run. moto does not model account policies:
    botocore's Stubber answers as AWS does."""

    def test_the_plan_leaves_a_retention_the_account_governs_alone(self):
        current = current_group(retention_in_days=30, retention_policy_name="org-retention")

        assert plan_log_group(dict(name=NAME, retention_in_days=90), current) == []

    def test_converge_reads_and_reports_it_and_changes_nothing(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber, retentionInDays=30, retentionPolicyName="org-retention")

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, retention_in_days=90))

        assert result["changed"] is False and result["actions"] == []
        assert result["log_group"]["retention_policy_name"] == "org-retention"
        assert result["log_group"]["retention_in_days"] == 30
        assert "account-level retention policy org-retention" in result["warnings"][0]
