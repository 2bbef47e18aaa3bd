"""Deletes are idempotent: a delete whose answer was lost is retried by botocore and finds nothing."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import iam as iam_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError

ROLE = "vpc-flow-logs-delivery"


def test_log_group_already_gone_is_deleted(stubbed):
    logs, stubber = stubbed("logs")
    stubber.add_client_error("delete_log_group", "ResourceNotFoundException", "gone")

    assert logs_api.delete_log_group(logs, "vpc-flow-logs") is None


def test_log_group_delete_refused_is_an_error(stubbed):
    logs, stubber = stubbed("logs")
    stubber.add_client_error("delete_log_group", "AccessDeniedException", "no", http_status_code=400)

    with pytest.raises(AwsError) as caught:
        logs_api.delete_log_group(logs, "vpc-flow-logs")
    assert (caught.value.operation, caught.value.code) == ("logs:DeleteLogGroup", "AccessDeniedException")


def test_role_whose_policy_and_role_vanish_midway_is_deleted(stubbed):
    iam, stubber = stubbed("iam")
    stubber.add_response("list_role_policies", dict(PolicyNames=["delivery"]), dict(RoleName=ROLE))
    stubber.add_client_error("delete_role_policy", "NoSuchEntity", "gone", http_status_code=404)
    stubber.add_response("list_attached_role_policies", dict(AttachedPolicies=[]), dict(RoleName=ROLE))
    stubber.add_response("list_instance_profiles_for_role", dict(InstanceProfiles=[]), dict(RoleName=ROLE))
    stubber.add_client_error("delete_role", "NoSuchEntity", "gone", http_status_code=404)

    assert iam_api.delete_role(iam, ROLE) is None
    stubber.assert_no_pending_responses()  # it went on past the vanished policy to the role itself


def test_role_delete_conflict_is_an_error(stubbed):
    iam, stubber = stubbed("iam")
    stubber.add_response("list_role_policies", dict(PolicyNames=[]), dict(RoleName=ROLE))
    stubber.add_response("list_attached_role_policies", dict(AttachedPolicies=[]), dict(RoleName=ROLE))
    stubber.add_response("list_instance_profiles_for_role", dict(InstanceProfiles=[]), dict(RoleName=ROLE))
    stubber.add_client_error("delete_role", "DeleteConflict", "in use", http_status_code=409)

    with pytest.raises(AwsError) as caught:
        iam_api.delete_role(iam, ROLE)
    assert (caught.value.operation, caught.value.code, caught.value.resource) == (
        "iam:DeleteRole",
        "DeleteConflict",
        ROLE,
    )
