"""Runs a pipeline can trust: the exit code, each host's recap line and the fleet report agree under --limit,
host patterns and serial; typed variables work from the command line; misspelt variables are caught.

The fleet is moto's default VPC in 3 accounts x 2 regions (fleet.ACCOUNTS x fleet.REGIONS), reached by
AssumeRole as the playbooks do; the target ``BAD`` claims another account, so it fails at its first call.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.integration.test_fleet import PLAYBOOKS, recap
from tests.support import fleet

TARGETS = [fleet.target_name(a, r) for a in fleet.ACCOUNTS for r in fleet.REGIONS]
BAD = fleet.target_name("222222222222", "eu-west-1")


def write_inventory(path, url, extra_host_vars=None):
    """The fleet inventory, plus a group per account (``account_<3 digits>``) for host patterns."""
    fleet.write_inventory(path, url, extra_host_vars=extra_host_vars)
    inventory = json.loads(path.read_text())
    hosts = inventory["all"]["children"]["flow_logs_targets"]["hosts"]
    for account in fleet.ACCOUNTS:
        members = {h: {} for h in hosts if h.startswith("acct-{}-".format(account[:3]))}
        inventory["all"]["children"]["account_{}".format(account[:3])] = {"hosts": members}
    path.write_text(json.dumps(inventory, indent=2))
    return path


@pytest.fixture
def fleet_run(aws, run_playbook, tmp_path):
    inventory = write_inventory(
        tmp_path / "inventory.json", aws.url, extra_host_vars={BAD: {"flow_logs_account_id": "999999999999"}}
    )

    def run(*args, playbook=PLAYBOOKS / "enable_flowlogs.yml", extra=None):
        report_dir = tmp_path / "report-{}".format(len(list(tmp_path.glob("report-*"))))
        variables = dict(flow_logs_report_dir=str(report_dir), **(extra or {}))
        result = run_playbook(playbook, variables, args=("--forks", "6", *args), inventory=inventory)
        path = report_dir / "flowlogs-report.json"
        report = json.loads(path.read_text()) if path.exists() else None
        return result, report

    return run


def reported(report):
    return {t["target"]: t["status"] for t in report["targets"]}


@pytest.mark.parametrize(
    ("pattern", "selected"),
    [
        (BAD, [BAD]),
        ("account_222", [fleet.target_name("222222222222", r) for r in fleet.REGIONS]),
        ("{}:{}".format(TARGETS[0], BAD), [TARGETS[0], BAD]),
        ("{},{}".format(BAD, TARGETS[-1]), [BAD, TARGETS[-1]]),
        ("all:!{}".format(TARGETS[0]), TARGETS[1:]),
    ],
    ids=["one host", "a group", "a:b", "a,c", "all:!x"],
)
def test_limit_reports_exactly_the_targets_that_ran_and_fails_with_them(fleet_run, pattern, selected):
    result, report = fleet_run("--limit", pattern)

    assert result.rc == 2, str(result)  # BAD is in every selection
    assert report is not None, str(result)
    assert sorted(reported(report)) == sorted(selected)
    assert reported(report)[BAD] == "failed"
    assert "999999999999" in next(t["error"] for t in report["targets"] if t["target"] == BAD)
    stats = recap(result.stdout)
    assert sorted(stats) == sorted(selected), str(result)
    assert {h: stats[h]["failed"] for h in selected} == {h: int(h == BAD) for h in selected}
    assert {h: stats[h]["rescued"] for h in selected} == {h: 0 for h in selected}
    assert all(reported(report)[h] == "changed" for h in selected if h != BAD)


def test_a_limit_without_the_failing_target_is_green(fleet_run):
    result, report = fleet_run("--limit", "all:!{}".format(BAD))

    assert result.rc == 0, str(result)
    assert sorted(reported(report)) == sorted(t for t in TARGETS if t != BAD)
    assert set(reported(report).values()) == {"changed"}


def test_serial_batches_report_every_target_that_ran(fleet_run, tmp_path):
    playbook = tmp_path / "serial.yml"
    play = (
        (PLAYBOOKS / "enable_flowlogs.yml")
        .read_text()
        .replace("  gather_facts: false\n", "  gather_facts: false\n  serial: 2\n", 1)
    )
    assert "serial: 2" in play
    playbook.write_text(play)
    shutil.copy(PLAYBOOKS / "check_targets.yml", tmp_path / "check_targets.yml")  # imported by path

    result, report = fleet_run(playbook=playbook)

    assert result.rc == 2, str(result)
    assert sorted(reported(report)) == sorted(TARGETS)  # the last batch's report covers all batches
    assert {h: s for h, s in reported(report).items() if s == "failed"} == {BAD: "failed"}
    stats = recap(result.stdout)
    assert {h: stats[h]["failed"] for h in TARGETS} == {h: int(h == BAD) for h in TARGETS}


def test_typed_variables_given_as_key_value_strings(aws, run_playbook, tmp_path):
    """Every typed variable of meta/argument_specs.yml, as -e key=value gives it (a string)."""
    account, region = fleet.ACCOUNTS[0], fleet.REGIONS[0]
    ec2 = fleet.session(aws.url, account, region).client("ec2", endpoint_url=aws.url)
    tagged = ec2.create_vpc(
        CidrBlock="10.9.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "team", "Value": "app"}]}]
    )["Vpc"]["VpcId"]
    other = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    inventory = fleet.write_inventory(tmp_path / "inventory.json", aws.url, accounts=[account], regions=[region])
    strings = [
        "flow_logs_retention_in_days=30",  # int
        "flow_logs_max_aggregation_interval=60",  # int
        "flow_logs_alarms=true",  # bool
        "flow_logs_alarm_threshold=2",  # int
        "flow_logs_alarm_period=120",  # int
        "flow_logs_vpc_tag_filters=team=app",  # dict, key=value form
        'flow_logs_tags={"owner":"network"}',  # dict, JSON (a shell word: no spaces)
        "flow_logs_exclude_vpc_ids={}".format(other),  # list, one element
        'flow_logs_alarm_rules=[{"name":"ssh","port":"22"}]',  # list of dicts, JSON, port as a string
        "flow_logs_delete_log_group=false",  # bool
        "flow_logs_delete_role=no",  # bool
        "flow_logs_report_dir={}".format(tmp_path / "report"),
    ]
    args = [part for s in strings for part in ("-e", s)]
    result = run_playbook(PLAYBOOKS / "enable_flowlogs.yml", args=args, inventory=inventory)
    assert result.rc == 0, str(result)

    logs = fleet.session(aws.url, account, region).client("logs", endpoint_url=aws.url)
    (group,) = [g for g in logs.describe_log_groups()["logGroups"] if g["logGroupName"] == fleet.GROUP]
    assert group["retentionInDays"] == 30
    flow_logs = ec2.describe_flow_logs()["FlowLogs"]
    assert [f["ResourceId"] for f in flow_logs] == [tagged]  # the tag filter, not the excluded or default VPC
    assert flow_logs[0]["MaxAggregationInterval"] == 60
    assert {t["Key"]: t["Value"] for t in flow_logs[0]["Tags"]} == {"owner": "network", "managed-by": "flowlogs.aws"}
    cloudwatch = fleet.session(aws.url, account, region).client("cloudwatch", endpoint_url=aws.url)
    (alarm,) = cloudwatch.describe_alarms(AlarmNamePrefix=fleet.GROUP)["MetricAlarms"]
    assert (alarm["AlarmName"], alarm["Threshold"], alarm["Period"]) == ("vpc-flow-logs-rejected-ssh", 2.0, 120)

    # The same strings again: nothing to change (they convert to what the first run converged).
    again = run_playbook(PLAYBOOKS / "enable_flowlogs.yml", args=args, inventory=inventory)
    assert again.rc == 0, str(again)
    assert recap(again.stdout)[fleet.target_name(account, region)]["changed"] == 0, str(again)

    # And a boolean string that deletes: disable with flow_logs_delete_log_group=yes.
    off = run_playbook(
        PLAYBOOKS / "disable_flowlogs.yml",
        args=("-e", "flow_logs_delete_log_group=yes", "-e", "flow_logs_report_dir={}".format(tmp_path / "report")),
        inventory=inventory,
    )
    assert off.rc == 0, str(off)
    assert [g for g in logs.describe_log_groups()["logGroups"] if g["logGroupName"] == fleet.GROUP] == []


def test_a_misspelt_variable_fails_the_target_before_any_aws_call(aws, proxy, run_playbook, tmp_path):
    account, region = fleet.ACCOUNTS[0], fleet.REGIONS[0]
    host = fleet.target_name(account, region)
    inventory = fleet.write_inventory(
        tmp_path / "inventory.json",
        proxy.url,
        accounts=[account],
        regions=[region],
        extra_host_vars={host: {"flow_logs_trafic_type": "REJECT"}},
    )
    proxy.reset()
    report_dir = tmp_path / "report"
    result = run_playbook(
        PLAYBOOKS / "enable_flowlogs.yml",
        args=("-e", "flow_logs_retention_days=30", "-e", "flow_logs_report_dir={}".format(report_dir)),
        inventory=inventory,
    )

    assert result.rc == 2, str(result)
    assert proxy.counts() == {}, proxy.counts()  # refused before any AWS call
    assert recap(result.stdout)[host]["failed"] == 1
    (target,) = json.loads((report_dir / "flowlogs-report.json").read_text())["targets"]
    assert target["failed_phase"] == "preflight"
    assert (
        "flow_logs_retention_days: not a variable of the flowlogs.aws.flow_logs role; did you mean " in target["error"]
    )
    assert "flow_logs_retention_in_days?" in target["error"]
    assert "flow_logs_trafic_type: not a variable" in target["error"] and "flow_logs_traffic_type?" in target["error"]

    # The documented switch makes it a warning: the run converges and says what it ignored.
    warned = run_playbook(
        PLAYBOOKS / "enable_flowlogs.yml",
        args=(
            "-e",
            "flow_logs_retention_days=30",
            "-e",
            "flow_logs_unknown_variables=warn",
            "-e",
            "flow_logs_report_dir={}".format(report_dir),
        ),
        inventory=inventory,
    )
    assert warned.rc == 0, str(warned)
    assert "flow_logs_retention_days: not a variable" in warned.stdout + warned.stderr
    # The delivery and flow-log phases (run once for the batch, whose first host it is) and its result.
    assert recap(warned.stdout)[host]["changed"] == 3
