"""The role's variable checks (role_variable_problems): every problem named by the role variable, each named once."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.flowlogs.aws.plugins.module_utils._role.variables import role_variable_problems
from tests.support.paths import REPO

DEFAULTS = yaml.safe_load((REPO / "roles" / "flow_logs" / "defaults" / "main.yml").read_text())
GOOD = dict(DEFAULTS, flow_logs_region="eu-west-1")


def test_the_defaults_pass():
    assert role_variable_problems(GOOD) == []


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
    problems = role_variable_problems(dict(GOOD, **overrides))

    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problem


def test_a_module_option_inside_a_message_is_named_by_its_role_variable():
    problems = role_variable_problems(dict(GOOD, flow_logs_destination_type="s3"))

    assert problems == [
        "flow_logs_s3_bucket_arn: required when flow_logs_destination_type is s3: an S3 bucket ARN"
        " (arn:<partition>:s3:::bucket or arn:<partition>:s3:::bucket/prefix)"
    ]


def _role_defaults(**overrides):
    import yaml

    from tests.support.paths import REPO

    variables = yaml.safe_load((REPO / "roles" / "flow_logs" / "defaults" / "main.yml").read_text())
    variables["flow_logs_region"] = "eu-west-1"
    return dict(variables, **overrides)


def test_every_problem_of_the_role_variables_is_listed_at_once():
    bad = _role_defaults(flow_logs_region="moon-1", flow_logs_state="gone", flow_logs_traffic_type="SOME")

    problems = role_variable_problems(bad)

    assert problems[0].startswith("flow_logs_region: 'moon-1' is not an AWS region name")
    assert "flow_logs_state: must be one of: present, absent, got: gone" in problems
    assert any(p.startswith("flow_logs_traffic_type:") and "ACCEPT, REJECT, ALL" in p for p in problems)


def test_the_role_defaults_pass():
    assert role_variable_problems(_role_defaults()) == []
