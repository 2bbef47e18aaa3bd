"""run_converge: the result and error message every module returns, for each way a run ends."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import Clients
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._core.module_runner import run_converge


def converge_returning(result):
    def converge(clients, params, check_mode=False):
        return dict(result)

    return converge


def converge_raising(exc):
    def converge(clients, params, check_mode=False):
        raise exc

    return converge


def test_parameter_error_names_the_option():
    converge = converge_raising(ParameterError("retention_in_days", "4 is not allowed; use one of 0, 1, 3"))

    result, error = run_converge(converge, {}, check_mode=False, diff=False)

    assert result == dict(changed=False, option="retention_in_days", aws_stats=dict(calls=0, retries=0))
    assert error == "retention_in_days: 4 is not allowed; use one of 0, 1, 3"


def test_aws_error_is_reported_with_its_code():
    exc = AwsError("logs:PutRetentionPolicy", "ResourceNotFoundException", "no such group", "vpc-flow-logs")

    result, error = run_converge(converge_raising(exc), {}, check_mode=False, diff=False)

    assert result == dict(
        changed=False,
        error=dict(
            operation="logs:PutRetentionPolicy",
            code="ResourceNotFoundException",
            message="no such group",
            resource="vpc-flow-logs",
        ),
        aws_stats=dict(calls=0, retries=0),
    )
    assert error == "logs:PutRetentionPolicy on vpc-flow-logs failed: ResourceNotFoundException: no such group"


ADMIN = "arn:aws:iam::111111111111:role/Admin"


@pytest.mark.parametrize(
    ("params", "where", "located"),
    [
        (dict(region="eu-west-1"), " in region eu-west-1", dict(region="eu-west-1")),
        (  # no call reached the account of the role: it is the one configured, not one reached
            dict(region="eu-west-1", assume_role_arn=ADMIN),
            " in region eu-west-1 before reaching target account 111111111111 (configured)",
            dict(configured_account="111111111111", region="eu-west-1"),
        ),
        (
            dict(assume_role_arn=ADMIN, expected_account_id="222222222222"),
            " before reaching target account 222222222222 (configured)",
            dict(configured_account="222222222222"),
        ),
        ({}, "", {}),
    ],
)
def test_refused_call_names_target_action_and_missing_permission(params, where, located):
    """No client was made, so nothing is looked up: the target is named from the parameters alone."""
    exc = AwsError("ec2:CreateFlowLogs", "UnauthorizedOperation", "You are not authorized", "vpc-0a1b2c3d")

    result, error = run_converge(converge_raising(exc), params, check_mode=False, diff=False)

    assert error == (
        "ec2:CreateFlowLogs on vpc-0a1b2c3d failed{}: UnauthorizedOperation: You are not authorized "
        "(missing permission: ec2:CreateFlowLogs; grant it to the operator (docs/operator-policy.json))".format(where)
    )
    assert result["error"] == dict(
        operation="ec2:CreateFlowLogs",
        code="UnauthorizedOperation",
        message="You are not authorized",
        resource="vpc-0a1b2c3d",
        missing_permission="ec2:CreateFlowLogs",
        cause="missing permission: ec2:CreateFlowLogs",
        fix="grant it to the operator (docs/operator-policy.json)",
        **located,
    )
    assert result["aws_stats"] == dict(calls=0, retries=0)


def _failure(i):
    return dict(resource_id="vpc-{:08x}".format(i), code="InvalidParameter", message="m{}".format(i))


@pytest.mark.parametrize(
    ("failures", "total", "expected"),
    [
        (
            [_failure(1)],
            3,
            "resource_ids: 1 of 3 resources failed: vpc-00000001: InvalidParameter: m1",
        ),
        (
            [_failure(1), _failure(2)],
            2,
            "resource_ids: 2 of 2 resources failed: vpc-00000001: InvalidParameter: m1; "
            "vpc-00000002: InvalidParameter: m2",
        ),
    ],
)
def test_failures_are_listed_by_resource(failures, total, expected):
    converge = converge_returning(dict(changed=True, failures=failures, counts=dict(total=total)))

    result, error = run_converge(converge, {}, check_mode=False, diff=False)

    assert error == expected
    assert result["failures"] == failures


def test_many_failures_list_the_first_twenty():
    failures = [_failure(i) for i in range(25)]
    converge = converge_returning(dict(changed=True, failures=failures, counts=dict(total=30)))

    error = run_converge(converge, {}, check_mode=False, diff=False)[1]

    assert error.startswith("resource_ids: 25 of 30 resources failed: vpc-00000000: InvalidParameter: m0; ")
    assert "vpc-00000013: InvalidParameter: m19" in error
    assert "vpc-00000014" not in error
    assert error.endswith(" (and 5 more)")


@pytest.mark.parametrize(
    ("diff", "changed", "has_diff"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_diff_only_when_asked_and_changed(diff, changed, has_diff):
    converge = converge_returning(dict(changed=changed, failures=[], before={"a": 1}, after={"a": 2}))

    result, error = run_converge(converge, {}, check_mode=False, diff=diff)

    assert error is None
    assert ("diff" in result) is has_diff
    if has_diff:
        assert result["diff"] == dict(before={"a": 1}, after={"a": 2})
    assert "before" not in result
    assert "after" not in result


@pytest.mark.parametrize("check_mode", [True, False])
def test_converge_gets_lazy_clients_params_and_check_mode(check_mode):
    seen = {}

    def converge(clients, params, check_mode=False):
        seen.update(clients=clients, params=params, check_mode=check_mode)
        return dict(changed=False)

    params = dict(region="nowhere-1", profile="no-such-profile", name="x")

    result, error = run_converge(converge, params, check_mode=check_mode, diff=False)

    assert (result, error) == (dict(changed=False, aws_stats=dict(calls=0, retries=0)), None)
    assert isinstance(seen["clients"], Clients)
    assert seen["params"] is params
    assert seen["check_mode"] is check_mode
