"""What a new user meets on a first run of enable_flowlogs.yml, and what the fleet report says about it: a region
that looks right but does not exist, no credentials at all, credentials of another account than the inventory says."""

from __future__ import annotations

import json

import botocore

from tests.support import fleet
from tests.support.paths import REPO

PLAYBOOK = REPO / "playbooks" / "enable_flowlogs.yml"
CONFIGURED = "111111111111"
OTHER = "222222222222"


def enable(run_playbook, aws, tmp_path, region="us-east-1", env=None, **host_vars):
    """enable_flowlogs.yml on one target (account 111111111111 in ``region``); returns (run, its report target, the
    report's text table)."""
    name = fleet.target_name(CONFIGURED, region)
    inventory = fleet.write_inventory(
        tmp_path / "inventory.json", aws.url, (CONFIGURED,), (region,), extra_host_vars={name: host_vars}
    )
    report_dir = tmp_path / "report"
    run = run_playbook(PLAYBOOK, dict(flow_logs_report_dir=str(report_dir)), inventory=inventory, env=env)
    assert (report_dir / "flowlogs-report.json").exists(), str(run)
    report = json.loads((report_dir / "flowlogs-report.json").read_text())
    [target] = report["targets"]
    return run, target, (report_dir / "flowlogs-report.txt").read_text()


def account_column(table, target):
    """The ACCOUNT column of ``target``'s row in the report's text table."""
    [row] = [line.split() for line in table.splitlines() if line.startswith(target + " ")]
    return row[1]


def test_a_region_that_does_not_exist_is_named_with_the_phase_and_the_calls(aws, run_playbook, tmp_path):
    run, target, table = enable(run_playbook, aws, tmp_path, region="eu-west-9")

    assert run.rc != 0, str(run)
    assert target["status"] == "failed" and target["failed_phase"] == "discover"
    # sts:AssumeRole, then the EC2 call that failed
    assert target["counts"]["api_calls"] == 2
    error = target["error"]
    assert "ResponseParserError: 500 Internal Server Error (an HTML page, not an AWS API answer" in error, error
    assert "Unable to parse response" not in error and "<!doctype" not in error.lower()
    assert " in account {}, region eu-west-9".format(CONFIGURED) in error  # AssumeRole reached it
    assert "(likely cause: eu-west-9 is not a region botocore {} knows for ec2".format(botocore.__version__) in error
    assert "error: " + error in table


def test_no_credentials_at_all_say_what_to_set_and_claim_no_account(aws, run_playbook, tmp_path):
    nowhere = tmp_path / "no-such-dir"
    env = dict(
        AWS_ACCESS_KEY_ID=None,
        AWS_SECRET_ACCESS_KEY=None,
        AWS_SESSION_TOKEN=None,
        AWS_PROFILE=None,
        AWS_CONFIG_FILE=str(nowhere / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(nowhere / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",  # no instance role to look for here: the same answer, without a timeout
    )

    run, target, table = enable(run_playbook, aws, tmp_path, env=env)

    assert run.rc != 0, str(run)
    assert target["failed_phase"] == "connect" and target["counts"]["api_calls"] == 0
    error = target["error"]
    assert error.startswith(
        "sts:AssumeRole on arn:aws:iam::{0}:role/{1} failed in region us-east-1 before reaching target account {0}"
        " (configured): NoCredentialsError: Unable to locate credentials (no credentials found: set AWS_PROFILE".format(
            CONFIGURED, fleet.ACCESS_ROLE
        )
    ), error
    assert "aws sso login --profile NAME" in error and "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in error
    assert "attach an Amazon Web Services credential" in error
    assert "in account {}".format(CONFIGURED) not in error
    assert target["account_id"] == CONFIGURED  # the target's account, as the inventory says
    assert account_column(table, target["target"]) == CONFIGURED


def test_credentials_of_another_account_name_both_and_report_the_configured_one(aws, run_playbook, tmp_path):
    other_role = "arn:aws:iam::{}:role/{}".format(OTHER, fleet.ACCESS_ROLE)

    run, target, table = enable(run_playbook, aws, tmp_path, flow_logs_assume_role_arn=other_role)

    assert run.rc != 0, str(run)
    assert target["failed_phase"] == "connect" and target["counts"]["api_calls"] == 1  # sts:AssumeRole only
    assert target["error"].startswith(
        "flow_logs_account_id: is {0} but the credentials resolve to account {1}"
        " (arn:aws:sts::{1}:assumed-role/".format(CONFIGURED, OTHER)
    ), target["error"]
    assert target["error"].endswith(
        "nothing was read or changed; use credentials (or a role to assume) of account {}, or correct the account ID"
        " if {} is the one meant".format(CONFIGURED, OTHER)
    )
    assert target["account_id"] == CONFIGURED
    assert account_column(table, target["target"]) == CONFIGURED
    assert fleet.snapshot(aws.url, (OTHER,), ("us-east-1",))[OTHER]["us-east-1"]["flow_logs"] == []
