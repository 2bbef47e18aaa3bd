"""The classic module path, end to end: every module shipped over a real ssh connection and run there.

Each module's action plugin runs the module's converge function in Ansible's worker when the connection is
local; any other connection falls back to ``_execute_module``: the module is packaged (AnsiballZ), sent to the
target and run by the target's Python - a bastion with an instance profile, say. Here the target is a
throwaway sshd on 127.0.0.1 (tests/support/sshd.py) and its Python is this test's venv, so boto3 is there;
the ssh session does not inherit the test's environment, so the endpoint and the credentials are module
options (module_defaults), as they would be on a real bastion.

One playbook runs every module of the action group and the report module that is not in it (fleet_report),
each changing module in check mode first and then for real, with --diff. It runs twice: at
-vvv with Ansible's default transport (the payload file copied over, then run), then at -v pipelined (the
payload through ssh's stdin). Asserted: the modules really ran remotely (Ansible loaded each module's file to
ship it, ran its payload over ssh with the bastion's Python, and what came back is the module's own JSON with
the ``invocation`` only AnsibleModule adds; sshd served the sessions), each result (changed, then not; check
mode predicts the same actions; diff before/after), AWS state in moto, and that no secret reaches the output,
the registered results, the report files or the bastion's temp directory.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import time

import pytest

from tests.integration.test_fleet import recap
from tests.support import sshd as sshd_support

ACCOUNT = "123456789012"
GROUP = "remote-flow-logs"
ROLE = "remote-flow-logs-delivery"
TOPIC = "remote-security-alerts"
ALARMS = ["{}-rejected-rdp".format(GROUP), "{}-rejected-ssh".format(GROUP)]
#: Marker secrets (moto does not check them); they must never be printed.
SECRET = "SECRETMARKERremote000000000000000000000000"
TOKEN = "TOKENMARKERremote" + "q" * 40
MARKERS = ("SECRETMARKER", "TOKENMARKER")
#: Modules of the action group (meta/runtime.yml), then the one that makes no AWS call.
GROUP_MODULES = ("flow_log_alarms", "flow_log_group", "flow_log_role", "vpc_flow_log", "vpc_flow_log_info")
MODULES = (*GROUP_MODULES, "fleet_report")
#: Registered results of the changing tasks: (check mode, for real).
CHANGING = {
    "flow_log_group": ("group_check", "group"),
    "flow_log_role": ("role_check", "role"),
    "vpc_flow_log": ("flow_check", "flow"),
    "flow_log_alarms": ("alarms_check", "alarms"),
}
#: The module of each task the playbook runs on the bastion, in order (the last task, handing the results
#: over, runs on the controller).
REMOTE_MODULE_TASKS = [
    *["flow_log_group"] * 2,
    *["flow_log_role"] * 2,
    "vpc_flow_log_info",
    *["vpc_flow_log"] * 2,
    *["flow_log_alarms"] * 2,
    "fleet_report",
]

PLAYBOOK = """
- name: Every flowlogs.aws module, run on the bastion over ssh
  hosts: bastion
  gather_facts: false
  module_defaults:
    group/flowlogs.aws.flowlogs:
      endpoint_url: "{{ moto_url }}"
      region: us-east-1
      access_key: AKIAREMOTEMARKER
      secret_key: "{{ remote_secret_key }}"
      session_token: "{{ remote_session_token }}"
  vars:
    report_targets:
      - target: "{{ inventory_hostname }}"
        region: us-east-1
        account_id: "{{ before.account_id }}"
        # A flow_logs_result (version 1) made of what the modules did: the report module runs on the bastion too.
        result:
          result_version: 1
          target: "{{ inventory_hostname }}"
          status: "{{ 'changed' if flow.changed else 'unchanged' }}"
          state: present
          region: us-east-1
          account_id: "{{ before.account_id }}"
          delivery: {}
          vpcs: []
          counts: {created: "{{ flow.counts.created }}", replaced: 0, updated: 0, deleted: 0, failed: 0,
                   unchanged: "{{ flow.counts.unchanged }}", not_run: 0, not_owned: 0, resources: 1, vpcs: 1,
                   compliant_before: "{{ (before.vpcs | selectattr('verdict', 'eq', 'compliant') | list | length) }}",
                   compliant_after: 1, api_calls: 0, api_retries: 0}
  tasks:
    - name: Log group (check mode)
      flowlogs.aws.flow_log_group: &group
        name: remote-flow-logs
        retention_in_days: 30
        tags: {team: network}
      check_mode: true
      register: group_check

    - name: Log group
      flowlogs.aws.flow_log_group: *group
      register: group

    - name: Delivery role (check mode)
      flowlogs.aws.flow_log_role: &role
        name: remote-flow-logs-delivery
        log_group_names: [remote-flow-logs]
      check_mode: true
      register: role_check

    - name: Delivery role
      flowlogs.aws.flow_log_role: *role
      register: role

    - name: Flow logs before
      flowlogs.aws.vpc_flow_log_info:
        vpc_ids: ["{{ vpc_id }}"]
        log_group_name: remote-flow-logs
        deliver_logs_role_arn: "{{ role.role.arn }}"
      register: before

    - name: Flow log (check mode)
      flowlogs.aws.vpc_flow_log: &flow
        resource_ids: ["{{ vpc_id }}"]
        log_group_name: remote-flow-logs
        deliver_logs_role_arn: "{{ role.role.arn }}"
        tags: {team: network}
      check_mode: true
      register: flow_check

    - name: Flow log
      flowlogs.aws.vpc_flow_log: *flow
      register: flow

    - name: Alarms (check mode)
      flowlogs.aws.flow_log_alarms: &alarms
        log_group_name: remote-flow-logs
        sns_topic_arn: "{{ topic_arn }}"
      check_mode: true
      register: alarms_check

    - name: Alarms
      flowlogs.aws.flow_log_alarms: *alarms
      register: alarms

    - name: Fleet report
      flowlogs.aws.fleet_report:
        targets: "{{ report_targets }}"
        dest: "{{ report_dir }}"
      register: report

    - name: Hand the registered results to the test
      ansible.builtin.debug:
        msg: >-
          REGISTERED {{ dict(group_check=group_check, group=group, role_check=role_check, role=role, before=before,
                             flow_check=flow_check, flow=flow, alarms_check=alarms_check, alarms=alarms,
                             report=report) | to_json }}
"""


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    """An sshd on 127.0.0.1 for the tests of this module, stopped by its PID afterwards."""
    assert sshd_support.find_sshd(), "sshd is needed: make integration installs the Debian package openssh-server"
    server = sshd_support.start(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


def write_inventory(path, server, remote_tmp, **variables):
    bastion = dict(
        ansible_connection="ssh",
        ansible_host="127.0.0.1",
        ansible_port=server.port,
        ansible_user=server.user,
        ansible_ssh_private_key_file=str(server.client_key),
        ansible_ssh_common_args="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes",
        # Ansible's default ssh_args, with a short ControlPersist: no ssh master outlives the test for long.
        ansible_ssh_args="-C -o ControlMaster=auto -o ControlPersist=5s",
        ansible_control_path_dir=str(server.directory / "cp"),  # short: a socket path has ~100 characters
        ansible_python_interpreter=sys.executable,  # boto3 is installed "remotely" too
        ansible_remote_tmp=str(remote_tmp),
    )
    path.write_text(json.dumps({"all": {"hosts": {"bastion": bastion}, "vars": variables}}, indent=2))
    return path


def leaks(text):
    return [marker for marker in MARKERS if marker in text]


def module_file_loaded(stdout, module):
    """Ansible (-vvv) loaded the module's own file to ship it: only _execute_module does that."""
    pattern = r"Using module file \S*/ansible_collections/flowlogs/aws/plugins/modules/{}\.py".format(module)
    return re.search(pattern, stdout)


#: -vvv: the ssh command that runs a module's AnsiballZ payload with the target's Python.
PAYLOAD_EXEC = re.compile(r"^<127\.0\.0\.1> SSH: EXEC ssh .*'(/\S+) /\S+/AnsiballZ_(\w+)\.py && sleep 0")
#: -vvv: what an ssh command returned, as Python's repr of (rc, stdout bytes, stderr bytes).
SSH_RETURN = re.compile(r"^<127\.0\.0\.1> (\(-?\d+, b.*\))$")


def remote_runs(stdout):
    """[(module, interpreter, the JSON the module printed on the target)] from -vvv output, in order."""
    runs, pending = [], None
    for line in stdout.splitlines():
        payload = PAYLOAD_EXEC.match(line)
        if payload:
            pending = payload.group(2), payload.group(1)
            continue
        returned = SSH_RETURN.match(line)
        if returned and pending:
            _rc, out, _err = ast.literal_eval(returned.group(1))
            runs.append((*pending, json.loads(out.decode())))
            pending = None
    return runs


def registered(stdout):
    """The registered results the playbook's last task prints (a debug message, one JSON document)."""
    start = stdout.index("{", stdout.index("TASK [Hand the registered results to the test]"))
    message = json.JSONDecoder().raw_decode(stdout, start)[0]["msg"]
    assert message.startswith("REGISTERED "), message[:200]
    return json.loads(message[len("REGISTERED ") :])


def flow_logs_of(ec2, vpc_id):
    return ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]


def planned(result):
    """What a changing module did (or would do in check mode): its actions, or vpc_flow_log's nonzero counts."""
    if "actions" in result:
        return result["actions"]
    return sorted(action for action, n in result["counts"].items() if n and action not in ("total", "unchanged"))


def sessions_started(server):
    """How many exec sessions (one per command Ansible ran over ssh) sshd has served so far."""
    return server.log.read_text().count("Starting session: command")


def test_every_module_runs_over_ssh_against_moto(aws, sshd, run_playbook, tmp_path):
    # The ssh session has nothing of the test's AWS environment: credentials must come as module options.
    session_env = sshd.ssh("env")
    assert session_env.returncode == 0, session_env.stderr
    assert [line for line in session_env.stdout.splitlines() if line.startswith("AWS_")] == []

    ec2 = aws.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    topic_arn = aws.client("sns").create_topic(Name=TOPIC)["TopicArn"]
    remote_tmp = tmp_path / "remote-tmp"
    report_dir = tmp_path / "report"
    inventory = write_inventory(
        tmp_path / "inventory.json",
        sshd,
        remote_tmp,
        moto_url=aws.url,
        vpc_id=vpc_id,
        topic_arn=topic_arn,
        report_dir=str(report_dir),
        remote_secret_key=SECRET,
        remote_session_token=TOKEN,
    )
    playbook = tmp_path / "remote.yml"
    playbook.write_text(PLAYBOOK)

    # ---- first run, -vvv, Ansible's default transport (AnsiballZ file copied over, then run)
    sessions = sessions_started(sshd)
    first = run_playbook(playbook, inventory=inventory, args=("-vvv", "--diff"))
    assert first.rc == 0, str(first)
    assert recap(first.stdout)["bastion"] == dict(
        ok=len(REMOTE_MODULE_TASKS) + 1, changed=8, unreachable=0, failed=0, skipped=0, rescued=0, ignored=0
    ), str(first)
    assert "ESTABLISH SSH CONNECTION FOR USER: {}".format(sshd.user) in first.stdout
    for module in MODULES:
        assert module_file_loaded(first.stdout, module), module
    # Each module task ran the module's payload over ssh with the bastion's Python, and the module itself
    # answered: AnsibleModule's own `invocation` (the controller-side path never makes one), with the
    # no_log options masked by the module, on the target.
    runs = remote_runs(first.stdout)
    assert [run[0] for run in runs] == REMOTE_MODULE_TASKS, runs
    for module, interpreter, printed in runs:
        assert interpreter == sys.executable, module
        args = printed["invocation"]["module_args"]
        if module in GROUP_MODULES:
            assert args["endpoint_url"] == aws.url and args["access_key"] == "AKIAREMOTEMARKER", module
            assert args["secret_key"] == args["session_token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", module
    # sshd served them: mkdir, chmod, run and rm of the temp directory make several sessions per task.
    assert sessions_started(sshd) - sessions >= 3 * len(REMOTE_MODULE_TASKS), sshd.log.read_text()[-3000:]

    results = registered(first.stdout)
    for module, (check_name, real_name) in CHANGING.items():
        check, real = results[check_name], results[real_name]
        assert check["changed"] is True and real["changed"] is True, module
        assert planned(check) == planned(real) and planned(real), module  # check mode predicts the run
        assert set(check["diff"]) == set(real["diff"]) == {"before", "after"}, module
        assert real["diff"]["before"] != real["diff"]["after"], module
    group, role, flow, alarms = (results[k] for k in ("group", "role", "flow", "alarms"))
    assert results["group_check"]["log_group"]["arn"] is None  # predicted: check mode created nothing
    assert results["group_check"]["log_group"]["retention_in_days"] == 30
    assert group["actions"] == ["create_log_group", "put_retention_policy"]
    assert group["log_group"]["retention_in_days"] == 30 and group["log_group"]["tags"] == {"team": "network"}
    assert group["diff"]["after"]["retention_in_days"] == 30
    assert "create_role" in role["actions"]
    assert role["role"]["arn"] == "arn:aws:iam::{}:role/{}".format(ACCOUNT, ROLE)
    before = results["before"]
    assert before["changed"] is False and (before["account_id"], before["region"]) == (ACCOUNT, "us-east-1")
    assert [(v["vpc_id"], v["verdict"]) for v in before["vpcs"]] == [(vpc_id, "missing")]
    predicted = [(e["resource_id"], e["action"], e["flow_log_id"]) for e in results["flow_check"]["flow_logs"]]
    assert predicted == [(vpc_id, "created", None)]
    assert [(e["resource_id"], e["action"]) for e in flow["flow_logs"]] == [(vpc_id, "created")]
    assert flow["counts"]["created"] == 1 and flow["failures"] == []
    flow_log_id = flow["flow_logs"][0]["flow_log_id"]
    assert flow_log_id.startswith("fl-")
    assert sorted(a["name"] for a in alarms["alarms"]) == ALARMS
    assert all(a["alarm_actions"] == [topic_arn] for a in alarms["alarms"])
    report = results["report"]
    assert report["files"] == [
        str(report_dir / name) for name in ("flowlogs-report.json", "flowlogs-report.html", "flowlogs-report.txt")
    ]
    totals = report["report"]["totals"]
    assert (totals["targets"], totals["targets_changed"], totals["created"], totals["compliant_after"]) == (1, 1, 1, 1)

    # ---- AWS state in moto, read with boto3
    logs, iam = aws.client("logs"), aws.client("iam")
    (log_group,) = [g for g in logs.describe_log_groups()["logGroups"] if g["logGroupName"] == GROUP]
    assert log_group["retentionInDays"] == 30
    assert logs.list_tags_for_resource(resourceArn=log_group["logGroupArn"])["tags"] == {"team": "network"}
    trust = iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    statements = trust["Statement"] if isinstance(trust["Statement"], list) else [trust["Statement"]]
    assert [s["Principal"] for s in statements] == [{"Service": "vpc-flow-logs.amazonaws.com"}]
    policy = iam.get_role_policy(RoleName=ROLE, PolicyName="flow-logs-delivery")["PolicyDocument"]
    resources = [
        r
        for s in policy["Statement"]
        if s.get("Sid") != "ListLogGroups"  # DescribeLogGroups: on "*", the only resource IAM grants it on
        for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
    ]
    assert resources and all(r.endswith(":log-group:{}:*".format(GROUP)) for r in resources), policy
    (flow_log,) = flow_logs_of(ec2, vpc_id)
    assert flow_log["FlowLogId"] == flow_log_id
    assert (flow_log["LogGroupName"], flow_log["DeliverLogsPermissionArn"], flow_log["TrafficType"]) == (
        GROUP,
        role["role"]["arn"],
        "ALL",
    )
    assert {t["Key"]: t["Value"] for t in flow_log.get("Tags", [])} == {"team": "network"}
    filters = logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert sorted(f["filterName"] for f in filters) == ALARMS
    found = aws.client("cloudwatch").describe_alarms(AlarmNamePrefix=GROUP)["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in found) == ALARMS
    assert all(a["AlarmActions"] == [topic_arn] for a in found)
    # The report files the module wrote on the bastion (the same machine here).
    assert json.loads((report_dir / "flowlogs-report.json").read_text())["totals"] == totals

    # ---- second run, -v, pipelined (the other way Ansible ships a module: through ssh's stdin, no file, so
    # one ssh session per task): nothing changes, and check mode predicts no change either
    sessions = sessions_started(sshd)
    second = run_playbook(playbook, inventory=inventory, args=("-v", "--diff"), env=dict(ANSIBLE_PIPELINING="True"))
    assert second.rc == 0, str(second)
    assert recap(second.stdout)["bastion"]["changed"] == 0, str(second)
    assert sessions_started(sshd) - sessions == len(REMOTE_MODULE_TASKS), sshd.log.read_text()[-3000:]
    again = registered(second.stdout)
    for name, result in again.items():
        assert result["changed"] is False and "diff" not in result, name
    for check_name, real_name in CHANGING.values():
        assert planned(again[check_name]) == planned(again[real_name]) == [], real_name
    assert [(v["vpc_id"], v["verdict"]) for v in again["before"]["vpcs"]] == [(vpc_id, "compliant")]
    for name in ("flow_check", "flow"):
        assert [(e["action"], e["flow_log_id"]) for e in again[name]["flow_logs"]] == [("unchanged", flow_log_id)]
    totals = again["report"]["report"]["totals"]
    assert (totals["targets_unchanged"], totals["compliant_before"], totals["created"]) == (1, 1, 0), totals
    assert [f["FlowLogId"] for f in flow_logs_of(ec2, vpc_id)] == [flow_log_id]

    # ---- no secret anywhere: the output at -vvv and -v (registered results included), the report files,
    # and nothing left in the bastion's temp directory
    for name, text in (
        ("first stdout", first.stdout),
        ("first stderr", first.stderr),
        ("second stdout", second.stdout),
        ("second stderr", second.stderr),
    ):
        assert leaks(text) == [], name
    for path in report_dir.iterdir():
        assert leaks(path.read_text()) == [], path.name
    assert [p for p in remote_tmp.rglob("*") if p.is_file()] == []


ROLE_PLAYBOOK = """
- name: The flow_logs role on the bastion over ssh (credentials from the bastion's environment)
  hosts: bastion
  gather_facts: false
  environment:
    AWS_ACCESS_KEY_ID: testing
    AWS_SECRET_ACCESS_KEY: testing
  tasks:
    - name: Converge, then report
      block:
        - name: Flow logs of this target
          ansible.builtin.import_role:
            name: flowlogs.aws.flow_logs
            rolespec_validate: false
      always:
        - name: Fleet report
          flowlogs.aws.fleet_report:
            dest: "{{ report_dir }}"
          run_once: true
"""


def test_the_role_runs_its_modules_over_ssh(aws, sshd, run_playbook, tmp_path):
    ec2 = aws.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    report_dir = tmp_path / "report"
    inventory = write_inventory(
        tmp_path / "inventory.json",
        sshd,
        tmp_path / "remote-tmp",
        report_dir=str(report_dir),
        flow_logs_region="us-east-1",
        flow_logs_endpoint_url=aws.url,
        flow_logs_insights_queries=False,  # moto has no saved Logs Insights queries
        flow_logs_vpc_ids=[vpc_id],
        flow_logs_log_group_name=GROUP,
        flow_logs_role_name=ROLE,
    )
    playbook = tmp_path / "role.yml"
    playbook.write_text(ROLE_PLAYBOOK)
    # A typed variable given as a string: converted on the controller before the module is shipped.
    first = run_playbook(playbook, inventory=inventory, args=("-vvv", "-e", "flow_logs_retention_in_days=30"))
    assert first.rc == 0, str(first)
    for module in ("flow_logs_discover", "flow_logs_delivery", "flow_logs_converge", "flow_logs_monitor"):
        assert module_file_loaded(first.stdout, module), str(first)
    for module in (
        "flow_logs_discover",
        "flow_logs_delivery",
        "flow_logs_converge",
        "flow_logs_monitor",
        "fleet_report",
    ):
        assert re.search(r"SSH: EXEC ssh .*AnsiballZ_{}\.py && sleep 0".format(module), first.stdout), module  # ssh
    # The phase tasks leave a host with another connection to its result task, which runs their modules over ssh.
    assert recap(first.stdout)["bastion"]["changed"] == 1, str(first)
    report = json.loads((report_dir / "flowlogs-report.json").read_text())
    (target,) = report["targets"]
    assert (target["target"], target["status"], target["counts"]["created"]) == ("bastion", "changed", 1)
    (flow_log,) = flow_logs_of(ec2, vpc_id)
    assert flow_log["LogGroupName"] == GROUP
    (group,) = [g for g in aws.client("logs").describe_log_groups()["logGroups"] if g["logGroupName"] == GROUP]
    assert group["retentionInDays"] == 30

    second = run_playbook(playbook, inventory=inventory, args=("-e", "flow_logs_retention_in_days=30"))
    assert second.rc == 0, str(second)
    assert recap(second.stdout)["bastion"]["changed"] == 0, str(second)
    assert [f["FlowLogId"] for f in flow_logs_of(ec2, vpc_id)] == [flow_log["FlowLogId"]]


TROUBLESHOOT_PLAYBOOK = """
- name: The flow_logs role's troubleshoot entry point on the bastion over ssh
  hosts: bastion
  gather_facts: false
  environment:
    AWS_ACCESS_KEY_ID: testing
    AWS_SECRET_ACCESS_KEY: testing
  tasks:
    - name: Read, then report
      block:
        - name: Flow-log records of this target
          ansible.builtin.import_role:
            name: flowlogs.aws.flow_logs
            tasks_from: troubleshoot
            rolespec_validate: false
      always:
        - name: Troubleshooting report
          flowlogs.aws.troubleshoot_report:
            dest: "{{ report_dir }}"
          run_once: true
"""


def test_the_troubleshoot_entry_point_runs_its_module_over_ssh(aws, sshd, run_playbook, tmp_path):
    from tests.integration.test_troubleshoot import put_records, record

    ec2, logs = aws.client("ec2"), aws.client("logs")
    vpc_id = ec2.create_vpc(CidrBlock="10.79.0.0/16")["Vpc"]["VpcId"]
    logs.create_log_group(logGroupName=GROUP)
    ec2.create_flow_logs(
        ResourceIds=[vpc_id],
        ResourceType="VPC",
        TrafficType="ALL",
        LogGroupName=GROUP,
        DeliverLogsPermissionArn="arn:aws:iam::{}:role/{}".format(ACCOUNT, ROLE),
    )
    start = int(time.time()) - 1800
    lines = [record("v2", "eni-0a1b2c3d", "10.79.1.5", "52.219.204.42", 40001, 443, "ACCEPT", start)]
    put_records(logs, GROUP, "eni-0a1b2c3d-all", lines)
    report_dir = tmp_path / "report"
    inventory = write_inventory(
        tmp_path / "inventory.json",
        sshd,
        tmp_path / "remote-tmp",
        report_dir=str(report_dir),
        flow_logs_region="us-east-1",
        flow_logs_endpoint_url=aws.url,
        flow_logs_query_src="10.79.1.5",
        flow_logs_query_dst="52.219.204.42",
    )
    playbook = tmp_path / "troubleshoot.yml"
    playbook.write_text(TROUBLESHOOT_PLAYBOOK)
    # A typed variable given as a string: converted on the controller before the module is shipped.
    done = run_playbook(playbook, inventory=inventory, args=("-vvv", "-e", "flow_logs_query_port=443"))

    assert done.rc == 0, str(done)
    assert module_file_loaded(done.stdout, "flow_logs_troubleshoot"), str(done)
    for module in ("flow_logs_troubleshoot", "troubleshoot_report"):  # their payloads ran over ssh
        assert re.search(r"SSH: EXEC ssh .*AnsiballZ_{}\.py && sleep 0".format(module), done.stdout), module
    (target,) = json.loads((report_dir / "flowlogs-troubleshoot.json").read_text())["targets"]
    assert (target["target"], target["verdict"], target["records"]) == ("bastion", "accepted_no_reply", 1)
    assert target["query"]["port"] == 443
