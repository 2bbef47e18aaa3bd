"""Deletion protection of the flow-log group (flow_log_group's ``deletion_protection``, the role's
``flow_logs_log_group_deletion_protection`` / ``flow_logs_lift_deletion_protection``).

moto (5.2.5) has no CloudWatch Logs deletion protection: it ignores CreateLogGroup's ``deletionProtectionEnabled``,
answers DescribeLogGroups without it and does not implement PutLogGroupDeletionProtection. So the calls are checked
here with botocore's Stubber on a real boto3 logs client - the exact requests, in order - and the plan as a table."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.log_groups import (
    converge_log_group,
    plan_log_group,
    predict_log_group,
    protection_problem,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import log_groups_protection
from ansible_collections.flowlogs.aws.plugins.module_utils._report.delivery import delivery, delivery_notes
from ansible_collections.flowlogs.aws.plugins.module_utils._role import variables as rv
from ansible_collections.flowlogs.aws.plugins.module_utils._role.model import target_of
from ansible_collections.flowlogs.aws.plugins.module_utils._role.target import TargetRun, run_task
from tests.unit.conftest import StubbedClients
from tests.unit.test_log_groups import NAME, _describe, _describe_none, current_group
from tests.unit.test_target_analysis import TargetClients, variables

PUT = "put_deletion_protection"


@pytest.mark.parametrize(
    ("case", "params", "current", "expected"),
    [
        ("unset leaves a protected group", dict(name=NAME), current_group(deletion_protection=True), []),
        ("unset leaves an unprotected group", dict(name=NAME), current_group(deletion_protection=False), []),
        (
            "true protects an existing group",
            dict(name=NAME, deletion_protection=True),
            current_group(deletion_protection=False),
            [dict(action=PUT, name=NAME, enabled=True)],
        ),
        (
            "false unprotects",
            dict(name=NAME, deletion_protection=False),
            current_group(deletion_protection=True),
            [dict(action=PUT, name=NAME, enabled=False)],
        ),
        ("already protected", dict(name=NAME, deletion_protection=True), current_group(deletion_protection=True), []),
        (
            "a group read without the field is unprotected",
            dict(name=NAME, deletion_protection=False),
            current_group(),
            [],
        ),
        (
            "absent deletes an unprotected group",
            dict(name=NAME, state="absent"),
            current_group(deletion_protection=False),
            [dict(action="delete_log_group", name=NAME)],
        ),
        (
            "absent with false lifts the protection, then deletes",
            dict(name=NAME, state="absent", deletion_protection=False),
            current_group(deletion_protection=True),
            [dict(action=PUT, name=NAME, enabled=False), dict(action="delete_log_group", name=NAME)],
        ),
        (
            "absent with false on an unprotected group only deletes",
            dict(name=NAME, state="absent", deletion_protection=False),
            current_group(deletion_protection=False),
            [dict(action="delete_log_group", name=NAME)],
        ),
    ],
)
def test_plan(case, params, current, expected):
    assert plan_log_group(params, current) == expected, case


def test_a_new_group_is_protected_by_its_create_call_not_a_second_one():
    [create] = plan_log_group(dict(name=NAME, deletion_protection=True), None)

    assert create["action"] == "create_log_group" and create["deletion_protection"] is True
    assert predict_log_group(None, [create])["deletion_protection"] is True
    [unprotected] = plan_log_group(dict(name=NAME), None)
    assert unprotected["deletion_protection"] is False


@pytest.mark.parametrize("lift", [None, True])
def test_a_protected_group_is_not_deleted_unless_lifted(lift):
    with pytest.raises(ParameterError) as caught:
        plan_log_group(
            dict(name=NAME, state="absent", deletion_protection=lift), current_group(deletion_protection=True)
        )

    assert caught.value.option == "deletion_protection"
    assert "deletion_protection=false" in str(caught.value)
    assert "nothing was deleted" in str(caught.value)


def test_protection_problem():
    assert protection_problem(None, False) is None
    assert protection_problem(current_group(deletion_protection=False), False) is None
    assert protection_problem(current_group(deletion_protection=True), True) is None
    assert NAME in protection_problem(current_group(deletion_protection=True), False)


class TestThroughStubber:
    def test_create_sends_deletion_protection_enabled(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe_none(stubber)
        stubber.add_response("create_log_group", {}, {"logGroupName": NAME, "deletionProtectionEnabled": True})
        _describe(stubber, deletionProtectionEnabled=True)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, deletion_protection=True))

        assert result["actions"] == ["create_log_group"]
        assert result["log_group"]["deletion_protection"] is True
        stubber.assert_no_pending_responses()

    def test_a_create_without_the_option_sends_no_deletion_protection(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe_none(stubber)
        stubber.add_response("create_log_group", {}, {"logGroupName": NAME})
        _describe(stubber)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME))

        assert result["log_group"]["deletion_protection"] is False

    def test_an_existing_group_gets_put_log_group_deletion_protection(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber)
        stubber.add_response(
            "put_log_group_deletion_protection",
            {},
            {"logGroupIdentifier": NAME, "deletionProtectionEnabled": True},
        )
        _describe(stubber, deletionProtectionEnabled=True)

        result = converge_log_group(StubbedClients(logs=logs), dict(name=NAME, deletion_protection=True))

        assert result["changed"] is True
        assert result["actions"] == [PUT]
        assert (result["before"]["deletion_protection"], result["after"]["deletion_protection"]) == (False, True)

    def test_check_mode_predicts_and_writes_nothing(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber)

        result = converge_log_group(
            StubbedClients(logs=logs), dict(name=NAME, deletion_protection=True), check_mode=True
        )

        assert result["changed"] is True
        assert result["after"]["deletion_protection"] is True
        stubber.assert_no_pending_responses()

    def test_a_protected_group_is_lifted_then_deleted(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber, deletionProtectionEnabled=True)
        stubber.add_response(
            "put_log_group_deletion_protection",
            {},
            {"logGroupIdentifier": NAME, "deletionProtectionEnabled": False},
        )
        stubber.add_response("delete_log_group", {}, {"logGroupName": NAME})

        result = converge_log_group(
            StubbedClients(logs=logs), dict(name=NAME, state="absent", deletion_protection=False)
        )

        assert result["actions"] == [PUT, "delete_log_group"]
        stubber.assert_no_pending_responses()

    def test_a_protected_group_without_lift_fails_after_the_read_only(self, stubbed):
        logs, stubber = stubbed("logs")
        _describe(stubber, deletionProtectionEnabled=True)

        with pytest.raises(ParameterError):
            converge_log_group(StubbedClients(logs=logs), dict(name=NAME, state="absent"))
        stubber.assert_no_pending_responses()  # the read, and no write


def test_a_botocore_without_the_api_is_refused_before_any_call(stubbed, monkeypatch):
    logs, stubber = stubbed("logs")
    model = logs.meta.service_model
    monkeypatch.setattr(type(model), "operation_names", property(lambda _self: ["CreateLogGroup"]))

    problem = logs_api.deletion_protection_unsupported(logs)
    assert "botocore" in problem and "PutLogGroupDeletionProtection" in problem
    with pytest.raises(ParameterError) as caught:
        converge_log_group(StubbedClients(logs=logs), dict(name=NAME, deletion_protection=True))
    assert caught.value.option == "deletion_protection"
    stubber.assert_no_pending_responses()


def test_the_installed_botocore_has_the_api(stubbed):
    logs, _stubber = stubbed("logs")

    assert logs_api.deletion_protection_unsupported(logs) is None


# ---------------------------------------------------------------- the role and the report


def _target(**v):
    base = dict(flow_logs_region="us-east-1", flow_logs_role_name="vpc-flow-logs-delivery")
    base.update(v)
    return target_of(base)


@pytest.mark.parametrize(
    ("variables", "state", "expected"),
    [
        ({}, "present", None),
        (dict(flow_logs_log_group_deletion_protection=True), "present", True),
        (dict(flow_logs_log_group_deletion_protection=False), "present", False),
        ({}, "absent", None),
        (dict(flow_logs_log_group_deletion_protection=True), "absent", None),
        (dict(flow_logs_lift_deletion_protection=True), "absent", False),
    ],
)
def test_the_role_passes_deletion_protection_only_when_asked(variables, state, expected):
    target = _target(**variables)
    options = target.log_group_options(target.cloudwatch_destinations[0], state)

    assert options.get("deletion_protection", "unset") == ("unset" if expected is None else expected)


def test_the_report_shows_the_protection_and_its_change():
    group = current_group(deletion_protection=True)
    steps = dict(log_group=dict(changed=True, log_group=copy.deepcopy(group), actions=[PUT]))

    found = delivery(steps)

    assert found["log_group"]["deletion_protection"] is True
    assert "deletion protection on" in delivery_notes(found)


# ---------------------------------------------------------------- disable_flowlogs.yml: refused before any deletion


def _disable(stubbed, **changes):
    """The role's converge task disabling a target whose discovery found one VPC with a flow log to delete. The
    clients hold a logs client only: an EC2 call (DeleteFlowLogs) would fail the test with a KeyError."""
    logs, stubber = stubbed("logs")
    v = variables(flow_logs_state="absent", flow_logs_delete_log_group=True, **changes)
    target, _converted, problems, _warnings = rv.read_target(v)
    assert problems == []
    unit = dict(resource_type="VPC", destination=target.destinations[0].label, first=True)
    unit["before"] = dict(vpcs=[dict(vpc_id="vpc-0a1b2c3d", resource_id="vpc-0a1b2c3d", verdict="compliant")])
    carried = dict(existing={}, units=[unit], role_arn="arn:aws:iam::123456789012:role/vpc-flow-logs-delivery")
    run = TargetRun(TargetClients(logs=logs), target, "t", carried=carried)
    return run, stubber


def test_disable_refuses_a_protected_group_before_any_flow_log_is_deleted(stubbed):
    run, stubber = _disable(stubbed)
    _describe(stubber, deletionProtectionEnabled=True)

    result, _carry = run_task("converge", run)

    assert result["failed"] is True
    assert "flow_logs_lift_deletion_protection=true" in result["msg"]
    assert "nothing was deleted" in result["msg"]
    assert run.clients.requested == ["logs"]  # no EC2 client: no flow log deleted
    stubber.assert_no_pending_responses()


def test_disable_goes_ahead_when_the_group_is_not_protected(stubbed):
    run, stubber = _disable(stubbed)
    _describe(stubber)

    with pytest.raises(KeyError, match="ec2"):  # on to the flow logs' deletion (no EC2 client here)
        run_task("converge", run)


# ---------------------------------------------------------------- vpc_flow_log_info's check_deletion_protection


def test_the_audit_reads_each_log_group_once_without_its_tags(stubbed):
    """Two flow logs to one group, one to a deleted group, one to S3 and one to another account's group: one
    DescribeLogGroups per group of this account (no ListTagsForResource), protection as AWS answers it."""
    client, stubber = stubbed("logs")
    found = dict(logGroupName=NAME, arn="arn:aws:logs:us-east-1:123456789012:log-group:{}:*".format(NAME))
    stubber.add_response(
        "describe_log_groups",
        {"logGroups": [dict(found, deletionProtectionEnabled=True)]},
        {"logGroupNamePrefix": NAME},
    )
    stubber.add_response("describe_log_groups", {"logGroups": []}, {"logGroupNamePrefix": "zz-deleted"})
    flow_logs = [
        dict(log_destination_type="cloud-watch-logs", log_group_name=NAME),
        dict(log_destination_type="cloud-watch-logs", log_group_name=NAME),
        dict(log_destination_type="cloud-watch-logs", log_group_name="zz-deleted"),
        dict(log_destination_type="s3", log_group_name=None),
        dict(log_destination_type="cloud-watch-logs", log_group_name="theirs", deliver_cross_account_role="arn:x"),
    ]

    with stubber:
        groups = log_groups_protection(StubbedClients(logs=client), flow_logs)

    assert groups == [
        dict(name=NAME, exists=True, deletion_protection=True),
        dict(name="zz-deleted", exists=False, deletion_protection=None),
    ]
    stubber.assert_no_pending_responses()
