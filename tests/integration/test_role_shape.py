"""The role reads and runs as a role: four visible phase tasks with the phase tags, run once for the play's batch,
then each target's result per host; entry points a play can put its own task between (an approval gate on
replacements), and tags that select whole tasks."""

from __future__ import annotations

import json
import re

from tests.support import fleet
from tests.support.paths import REPO

PLAYBOOKS = REPO / "playbooks"
DISCOVER = "Check the variables, discover the resources and their flow logs (read-only)"
DELIVERY = "Converge the delivery role and log groups"
CONVERGE = "Converge the flow logs"
MONITOR = "Alarms and analysis"
RESULT = "Result of the target"
#: The demo fleet's account 111's targets each have a REJECT-only flow log to replace.
ACCOUNTS, REGIONS = fleet.ACCOUNTS[:2], ("us-east-1",)
REPLACING = fleet.target_name(ACCOUNTS[0], REGIONS[0])
OTHER = fleet.target_name(ACCOUNTS[1], REGIONS[0])


def task_statuses(stdout, task, occurrence=1):
    """{host: ok|changed|failed|skipping} of one of the role's tasks in a playbook's output (its ``occurrence``-th
    run: each entry point of the role ends with the result task)."""
    block = stdout.split("TASK [flowlogs.aws.flow_logs : {}]".format(task))[occurrence].split("\nTASK [", 1)[0]
    return {
        host: status for status, host in re.findall(r"^(ok|changed|failed|fatal|skipping): \[([^\]]+)\]", block, re.M)
    }


def test_list_tasks_and_tags_show_the_phases(run_playbook, tmp_path):
    inventory = fleet.write_inventory(tmp_path / "inventory.json", "http://127.0.0.1:9", ACCOUNTS, REGIONS)

    done = run_playbook(PLAYBOOKS / "enable_flowlogs.yml", args=("--list-tasks", "--list-tags"), inventory=inventory)

    assert done.rc == 0, str(done)
    out = done.stdout
    for task, tags in (
        (DISCOVER, "flow_logs, flow_logs_discover, flow_logs_preflight"),
        (DELIVERY, "flow_logs, flow_logs_delivery"),
        (CONVERGE, "flow_logs, flow_logs_converge"),
        (MONITOR, "flow_logs, flow_logs_alarms, flow_logs_analysis"),
        (RESULT, "always, flow_logs_result"),
    ):
        assert re.search(r"flowlogs\.aws\.flow_logs : {}\s+TAGS: \[{}\]".format(re.escape(task), tags), out), out
    phase_tags = "flow_logs_alarms, flow_logs_analysis, flow_logs_converge, flow_logs_delivery, flow_logs_discover"
    assert "TASK TAGS: [always, flow_logs, {}, flow_logs_preflight, flow_logs_result]".format(phase_tags) in out, out


def test_each_task_says_what_it_changed_and_a_gate_between_them_stops_a_replacement(aws, run_playbook, tmp_path):
    fleet.seed(aws.url, accounts=ACCOUNTS, regions=REGIONS)
    inventory = fleet.write_inventory(tmp_path / "inventory.json", aws.url, ACCOUNTS, REGIONS)
    before = fleet.snapshot(aws.url, ACCOUNTS, REGIONS)
    variables = dict(flow_logs_report_dir=str(tmp_path), max_replacements=0)

    gated = run_playbook(REPO / "examples" / "approval_gate.yml", variables, inventory=inventory)

    assert gated.rc == 2, str(gated)
    said = " ".join(gated.stdout.split())
    assert "1 flow logs would be replaced ({})".format(before[ACCOUNTS[0]][REGIONS[0]]["vpcs"][0]) in said or (
        "1 flow logs would be replaced (vpc-" in said
    ), said[-3000:]
    # The phase tasks run once for the batch (the recap line names its first host); the result task, per host.
    assert task_statuses(gated.stdout, DISCOVER) == {REPLACING: "ok"}  # read-only
    assert task_statuses(gated.stdout, RESULT) == {REPLACING: "ok", OTHER: "ok"}
    assert task_statuses(gated.stdout, DELIVERY) == {OTHER: "changed"}  # the gated target left the batch
    assert task_statuses(gated.stdout, CONVERGE) == {OTHER: "changed"}
    assert task_statuses(gated.stdout, RESULT, 2) == {OTHER: "changed"}
    assert task_statuses(gated.stdout, MONITOR) == {OTHER: "ok"}
    state = fleet.snapshot(aws.url, ACCOUNTS, REGIONS)
    assert state[ACCOUNTS[0]][REGIONS[0]] == before[ACCOUNTS[0]][REGIONS[0]]  # nothing changed behind the gate
    report = {t["target"]: t for t in json.loads((tmp_path / "flowlogs-report.json").read_text())["targets"]}
    assert (
        report[REPLACING]["status"] == "failed"
        and "stopped after the role's discover phase" in report[REPLACING]["error"]
    )
    assert report[REPLACING]["counts"]["compliant_before"] == 0 and report[OTHER]["status"] == "changed"

    opened = run_playbook(
        REPO / "examples" / "approval_gate.yml", dict(variables, max_replacements=10), inventory=inventory
    )

    assert opened.rc == 0, str(opened)
    assert task_statuses(opened.stdout, DELIVERY) == {REPLACING: "changed"}  # some target of the batch changed
    assert task_statuses(opened.stdout, CONVERGE) == {REPLACING: "changed"}
    assert task_statuses(opened.stdout, RESULT, 2) == {REPLACING: "changed", OTHER: "ok"}


def test_tags_select_whole_tasks_and_the_converge_discovers_for_itself(aws, run_playbook, tmp_path):
    fleet.seed(aws.url, accounts=ACCOUNTS, regions=REGIONS)
    inventory = fleet.write_inventory(tmp_path / "inventory.json", aws.url, ACCOUNTS, REGIONS)
    report = dict(flow_logs_report_dir=str(tmp_path))

    preflight = run_playbook(
        PLAYBOOKS / "enable_flowlogs.yml", report, args=("--tags", "flow_logs_preflight"), inventory=inventory
    )
    converge = run_playbook(
        PLAYBOOKS / "enable_flowlogs.yml", report, args=("--tags", "flow_logs_converge"), inventory=inventory
    )

    assert preflight.rc == 0 and converge.rc == 0, str(preflight) + str(converge)
    assert CONVERGE not in preflight.stdout and DELIVERY not in preflight.stdout and MONITOR not in preflight.stdout
    assert DISCOVER not in converge.stdout and DELIVERY not in converge.stdout and MONITOR not in converge.stdout
    written = json.loads((tmp_path / "flowlogs-report.json").read_text())
    assert (written["totals"]["compliant_before"], written["totals"]["compliant_after"]) == (
        0,
        written["totals"]["resources"],
    )
    assert {t["target"]: t["phases"] for t in written["targets"]} == {
        REPLACING: ["preflight", "discover", "delivery", "converge"],
        OTHER: ["preflight", "discover", "delivery", "converge"],
    }
