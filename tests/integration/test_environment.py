"""The ``environment`` keyword reaches the modules that run in Ansible's worker (issue 20, item 3).

With a local connection every flowlogs.aws action runs its module's code in the worker process; Ansible applies a
play's or task's ``environment`` only to module processes it starts, so the actions apply it themselves
(plugins/plugin_utils/_task_environment.py). Here the ansible-playbook process has no region, no endpoint and no
credentials (and empty AWS config files): whatever reaches moto came from ``environment``. The credentials are
AssumeRole credentials of account 111111111111, so state landing in that account proves they were used; moto's
default account 123456789012 would get it otherwise. Every play runs through ansible-playbook; AWS state is read
back with boto3.
"""

from __future__ import annotations

import json
import shutil

import yaml

from tests.integration.test_fleet import recap
from tests.support.paths import REPO

ACCOUNT = "111111111111"
REGION, OTHER_REGION = "eu-west-1", "ap-south-1"
GROUP = "env-flow-logs"
ROLE = "env-flow-logs-delivery"
#: What the run's note at -vvv names: the variables set in the worker, never their values.
NOTE = "flowlogs.aws: the task's environment, set in this process: "


def _process_env(tmp_path):
    """ansible-playbook's own environment: nothing that could reach moto or name a region or credentials (an empty
    value counts as unset; conftest's playbook_env already drops AWS_PROFILE and AWS_ENDPOINT_URL)."""
    empty = tmp_path / "empty-aws-file"
    empty.write_text("")
    blank = ("AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    return dict({name: "" for name in blank}, AWS_CONFIG_FILE=str(empty), AWS_SHARED_CREDENTIALS_FILE=str(empty))


def _assumed_role(aws):
    """Temporary credentials of account ACCOUNT, as moto hands them out for AssumeRole."""
    role = "arn:aws:iam::{}:role/OrganizationAccountAccessRole".format(ACCOUNT)
    return aws.client("sts").assume_role(RoleArn=role, RoleSessionName="environment")["Credentials"]


def _credentials_env(aws, creds):
    return {
        "AWS_ENDPOINT_URL": aws.url,
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }


def _write(tmp_path, name, plays):
    """The plays as a playbook in ``tmp_path``, with check_targets.yml beside it (the playbooks import it by path)."""
    path = tmp_path / "{}.yml".format(name)
    path.write_text(json.dumps(plays, indent=2))
    shutil.copy(REPO / "playbooks" / "check_targets.yml", tmp_path / "check_targets.yml")
    return path


def _hand_over(tmp_path, names):
    """The task that writes the registered results ``names`` to results.json, for the test to read."""
    expression = "dict({}) | to_json".format(", ".join("{0}={0}".format(n) for n in names))
    dest = str(tmp_path / "results.json")
    return {"name": "Hand over the results", "ansible.builtin.copy": {"dest": dest, "content": "{{ %s }}" % expression}}


def _registered(tmp_path):
    return json.loads((tmp_path / "results.json").read_text())


def _module_tasks(vpc_id):
    """One task per module family, not one connection option among them."""
    return [
        {
            "name": "Log group",
            "flowlogs.aws.flow_log_group": {"name": GROUP, "retention_in_days": 7},
            "register": "group",
        },
        {"name": "Role", "flowlogs.aws.flow_log_role": {"name": ROLE, "log_group_names": [GROUP]}, "register": "role"},
        {
            "name": "Flow log",
            "flowlogs.aws.vpc_flow_log": {
                "resource_ids": [vpc_id],
                "log_group_name": GROUP,
                "deliver_logs_role_arn": "{{ role.role.arn }}",
            },
            "register": "flow",
        },
        {"name": "Alarms", "flowlogs.aws.flow_log_alarms": {"log_group_name": GROUP}, "register": "alarms"},
        {
            "name": "Contributor Insights rules",  # moto has no saved Logs Insights queries
            "flowlogs.aws.flow_log_insights": {"log_group_name": GROUP, "queries": False, "contributor_insights": True},
            "register": "insights",
        },
        {"name": "Read back", "flowlogs.aws.vpc_flow_log_info": {"vpc_ids": [vpc_id]}, "register": "info"},
        {
            "name": "Task-level environment over the play's: another region, same endpoint and credentials",
            "flowlogs.aws.flow_log_group": {"name": GROUP},
            "environment": {"AWS_REGION": "{{ other_region }}"},
            "register": "other_group",
        },
        {
            "name": "Read the other region",
            "flowlogs.aws.vpc_flow_log_info": {},
            "environment": {"AWS_REGION": "{{ other_region }}"},
            "register": "other_info",
        },
    ]


def test_play_and_task_environment_reach_every_module_family(aws, run_playbook, tmp_path):
    creds = _assumed_role(aws)
    vpc_id = aws.client("ec2", region=REGION, account=ACCOUNT).create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    names = ["group", "role", "flow", "alarms", "insights", "info", "other_group", "other_info"]
    play = {
        "name": "Everything from the environment keyword",
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {"other_region": OTHER_REGION},
        "environment": dict(_credentials_env(aws, creds), AWS_REGION=REGION),
        "tasks": _module_tasks(vpc_id),
    }
    # Its own play: Ansible's copy module, run the classic way, would print the play's environment at -vvv.
    hand_over = {
        "name": "Hand over",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [_hand_over(tmp_path, names)],
    }

    run = run_playbook(_write(tmp_path, "modules", [play, hand_over]), env=_process_env(tmp_path), args=["-vvv"])

    assert run.rc == 0, str(run)
    found = _registered(tmp_path)
    assert found["group"]["changed"] and found["flow"]["changed"] and found["alarms"]["changed"], found
    assert found["role"]["role"]["arn"] == "arn:aws:iam::{}:role/{}".format(ACCOUNT, ROLE)
    assert (found["info"]["region"], found["info"]["counts"]["compliant"]) == (REGION, 1)
    assert found["other_info"]["region"] == OTHER_REGION
    logs = aws.client("logs", region=REGION, account=ACCOUNT)
    assert logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"][0]["retentionInDays"] == 7
    assert logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"], "the alarms' metric filters"
    rules = aws.client("cloudwatch", region=REGION, account=ACCOUNT).describe_insight_rules()["InsightRules"]
    assert len(rules) == 2, rules
    flow_logs = aws.client("ec2", region=REGION, account=ACCOUNT).describe_flow_logs()["FlowLogs"]
    assert [(f["ResourceId"], f["LogGroupName"]) for f in flow_logs] == [(vpc_id, GROUP)]
    other = aws.client("logs", region=OTHER_REGION, account=ACCOUNT).describe_log_groups(logGroupNamePrefix=GROUP)
    assert [g["logGroupName"] for g in other["logGroups"]] == [GROUP]
    assert aws.client("logs", region=REGION).describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"] == []
    # -vvv names the variables set in the worker; no secret of the environment reaches the output.
    assert (
        NOTE + "AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, AWS_REGION, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN" in run.stdout
    )
    for secret in (creds["SecretAccessKey"], creds["SessionToken"]):
        assert secret not in run.stdout + run.stderr


def _shipped_plays(name, environment, extra_vars):
    """The collection's playbook ``name`` as shipped, each play given ``environment`` and some variables."""
    plays = yaml.safe_load((REPO / "playbooks" / name).read_text())
    for entry in plays:
        if "hosts" in entry:
            entry.update(environment=environment, vars=dict(entry.get("vars") or {}, **extra_vars))
    return plays


def test_the_role_and_troubleshoot_entry_point_under_a_play_environment(aws, run_playbook, tmp_path):
    """enable_flowlogs.yml then troubleshoot_flowlogs.yml, each play with ``environment``: the target's variables
    name its region only (the role requires it), the endpoint and credentials come from the environment."""
    creds = _assumed_role(aws)
    vpc_id = aws.client("ec2", region=REGION, account=ACCOUNT).create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
    inventory = tmp_path / "hosts.json"
    target = {
        "ansible_connection": "local",
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "flow_logs_region": REGION,
        "flow_logs_vpc_ids": [vpc_id],
        "flow_logs_insights_queries": False,  # moto has no saved Logs Insights queries
    }
    inventory.write_text(json.dumps({"all": {"hosts": {"env-target": target}}}))
    enable_dir, troubleshoot_dir = tmp_path / "enable", tmp_path / "troubleshoot"
    environment = _credentials_env(aws, creds)
    plays = [
        *_shipped_plays("enable_flowlogs.yml", environment, {"flow_logs_report_dir": str(enable_dir)}),
        *_shipped_plays(
            "troubleshoot_flowlogs.yml",
            environment,
            {"flow_logs_report_dir": str(troubleshoot_dir), "flow_logs_query_dst": "10.71.0.10"},
        ),
    ]

    run = run_playbook(_write(tmp_path, "role", plays), inventory=inventory, env=_process_env(tmp_path))

    assert run.rc == 0, str(run)
    assert recap(run.stdout)["env-target"]["failed"] == 0
    ec2 = aws.client("ec2", region=REGION, account=ACCOUNT)
    assert [(f["ResourceId"], f["LogGroupName"]) for f in ec2.describe_flow_logs()["FlowLogs"]] == [
        (vpc_id, "vpc-flow-logs")
    ]
    role = aws.client("iam", account=ACCOUNT).get_role(RoleName="vpc-flow-logs-delivery")["Role"]
    assert role["Arn"].startswith("arn:aws:iam::{}:".format(ACCOUNT))
    report = json.loads((enable_dir / "flowlogs-report.json").read_text())
    assert (report["totals"]["targets"], report["totals"]["targets_failed"]) == (1, 0)
    assert report["totals"]["compliant_after"] == 1
    answer = json.loads((troubleshoot_dir / "flowlogs-troubleshoot.json").read_text())
    (entry,) = answer["targets"]
    assert (entry["account_id"], entry["region"], entry["error"]) == (ACCOUNT, REGION, None), entry
    assert "no_flow_log" not in [r["code"] for r in entry["reasons"]], entry  # it found the flow log made above


def test_profile_and_config_files_from_the_environment(aws, run_playbook, tmp_path):
    """AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE only from ``environment``: the profile gives
    the region, the endpoint and the keys."""
    creds = _assumed_role(aws)
    config, credentials = tmp_path / "aws-config", tmp_path / "aws-credentials"
    config.write_text("[profile envtest]\nregion = {}\nendpoint_url = {}\n".format(REGION, aws.url))
    credentials.write_text(
        "[envtest]\naws_access_key_id = {AccessKeyId}\naws_secret_access_key = {SecretAccessKey}\n"
        "aws_session_token = {SessionToken}\n".format(**creds)
    )
    play = {
        "name": "A profile of the environment's files",
        "hosts": "localhost",
        "gather_facts": False,
        "environment": {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)},
        "tasks": [
            {
                "name": "Log group",
                "flowlogs.aws.flow_log_group": {"name": GROUP},
                "environment": {"AWS_PROFILE": "envtest"},
                "register": "group",
            },
            _hand_over(tmp_path, ["group"]),
        ],
    }

    run = run_playbook(_write(tmp_path, "profile", [play]), env=_process_env(tmp_path))

    assert run.rc == 0, str(run)
    assert _registered(tmp_path)["group"]["changed"] is True
    found = aws.client("logs", region=REGION, account=ACCOUNT).describe_log_groups(logGroupNamePrefix=GROUP)
    assert [g["logGroupName"] for g in found["logGroups"]] == [GROUP]


def test_the_workers_environment_is_restored_after_each_run(aws, run_playbook, tmp_path):
    """A loop runs its items in one worker: the second item's environment has no AWS_REGION, and the first item's
    must be gone by then. The next task, without ``environment``, has no region either."""
    creds = _assumed_role(aws)
    vpc_id = aws.client("ec2", region=REGION, account=ACCOUNT).create_vpc(CidrBlock="10.72.0.0/16")["Vpc"]["VpcId"]
    play = {
        "name": "Environment per loop item, then none",
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {"reach": _credentials_env(aws, creds)},
        "tasks": [
            {
                "name": "One item with a region, one without",
                "flowlogs.aws.vpc_flow_log_info": {"vpc_ids": [vpc_id]},
                "loop": [REGION, ""],
                "environment": "{{ reach | combine({'AWS_REGION': item} if item else {}) }}",
                "ignore_errors": True,
                "register": "looped",
            },
            {
                "name": "No environment",
                "flowlogs.aws.vpc_flow_log_info": {},
                "ignore_errors": True,
                "register": "after",
            },
            _hand_over(tmp_path, ["looped", "after"]),
        ],
    }

    run = run_playbook(_write(tmp_path, "restore", [play]), env=_process_env(tmp_path))

    assert run.rc == 0, str(run)
    found = _registered(tmp_path)
    first, second = found["looped"]["results"]
    assert not first.get("failed") and first["region"] == REGION, first
    assert [v["vpc_id"] for v in first["vpcs"]] == [vpc_id]
    no_region = "no region: set the region option (alias aws_region) or the AWS_REGION environment variable"
    for result in (second, found["after"]):
        assert result["failed"] and no_region in result["msg"], result
    for secret in (creds["SecretAccessKey"], creds["SessionToken"]):
        assert secret not in json.dumps(found)
