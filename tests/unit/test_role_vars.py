"""Role preflight (flow_logs_problems): every problem named by the role variable, each named once."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.flowlogs.aws.plugins.module_utils._role_variables import flow_logs_problems
from tests.support.paths import REPO

DEFAULTS = yaml.safe_load((REPO / "roles" / "flow_logs" / "defaults" / "main.yml").read_text())
GOOD = dict(DEFAULTS, flow_logs_region="eu-west-1")


def test_the_defaults_pass():
    assert flow_logs_problems(GOOD) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # Checked by both the log group and the role rules: one problem, named by the role variable.
        (
            dict(flow_logs_log_group_name="flow logs"),
            ["flow_logs_log_group_name: 'flow logs' is not a valid log group name: 1 to 512 characters"],
        ),
        (
            dict(flow_logs_account_id="prod", flow_logs_role_name="a role"),
            ["flow_logs_account_id: 'prod' is not a 12-digit", "flow_logs_role_name: 'a role' is not a valid IAM role"],
        ),
        (
            dict(flow_logs_destination_type="s3", flow_logs_s3_bucket_arn="arn:aws:s3:::b-1/AWSLogs"),
            ["flow_logs_s3_bucket_arn: the S3 prefix may not contain a folder named AWSLogs"],
        ),
    ],
)
def test_problems_are_named_by_role_variable_once(overrides, expected):
    problems = flow_logs_problems(dict(GOOD, **overrides))

    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problem


def test_a_module_option_inside_a_message_is_named_by_its_role_variable():
    problems = flow_logs_problems(dict(GOOD, flow_logs_destination_type="s3"))

    assert problems == [
        "flow_logs_s3_bucket_arn: required when flow_logs_destination_type is s3: an S3 bucket ARN"
        " (arn:<partition>:s3:::bucket or arn:<partition>:s3:::bucket/prefix)"
    ]
