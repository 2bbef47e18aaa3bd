"""enable_flowlogs.yml through ansible-runner, the engine of AWX and Ansible Automation Platform, laid out as AWX
lays out a job: a private data directory with the project (a playbook importing flowlogs.aws.enable_flowlogs),
the inventory (a flowlogs.aws.accounts source on an AWS Organization in moto server), env/envvars (what an AWS
credential injects) and env/extravars. Asserted: what AWX stores - status and rc, the per-host events of the
role's task, the per-host stats, the stdout - and the fleet report written into the job's artifacts directory."""

from __future__ import annotations

import json

import ansible_runner
import pytest

from tests.integration.conftest import job_environment
from tests.support import organization

REGIONS = ["us-east-1", "eu-west-1"]
MEMBERS = ("prod-a", "prod-b")
#: The role's tasks (roles/flow_logs/tasks/main.yml): the first checks and discovers, the third converges the flow logs.
#: The role's last task, per host: each target's event (the phase tasks run once for the play's batch).
RESULT_TASK = "Result of the target"
#: The project's playbook, as a job template names it: the collection's playbook, imported.
PROJECT_PLAYBOOK = """---
- name: Enable VPC flow logs (flowlogs.aws)
  ansible.builtin.import_playbook: flowlogs.aws.enable_flowlogs
"""


@pytest.fixture
def org(aws):
    found = organization.create(aws.url)
    organization.seed_vpcs(aws.url, found.ids(*MEMBERS), REGIONS)
    return found


def host(account, region):
    return "acct-{}-{}".format(account, region)


def private_data_dir(tmp_path, url, accounts, host_vars=None):
    """project/, inventory/ (+ host_vars/), env/envvars and env/extravars, as AWX writes them for a job."""
    root = tmp_path / "job"
    (root / "project").mkdir(parents=True)
    (root / "project" / "enable.yml").write_text(PROJECT_PLAYBOOK)
    inventory = root / "inventory"
    (inventory / "host_vars").mkdir(parents=True)
    source = dict(plugin="flowlogs.aws.accounts", endpoint_url=url, accounts=accounts, regions=REGIONS)
    (inventory / "org.flowlogs_accounts.yml").write_text(json.dumps(source, indent=2))
    for name, variables in (host_vars or {}).items():
        (inventory / "host_vars" / "{}.yml".format(name)).write_text(json.dumps(variables))
    envvars = job_environment(tmp_path)
    (root / "env").mkdir()
    (root / "env" / "envvars").write_text(json.dumps(envvars))
    # ansible-runner names the job's artifacts directory in AWX_ISOLATED_DATA_DIR: the report goes there.
    extravars = dict(
        flow_logs_report_dir="{{ lookup('ansible.builtin.env', 'AWX_ISOLATED_DATA_DIR') }}",
        flow_logs_insights_queries=False,  # moto has no saved Logs Insights queries
    )
    (root / "env" / "extravars").write_text(json.dumps(extravars))
    return root


def run_job(root):
    """ansible_runner.run as AWX's worker calls it; the events as AWX's callback receiver gets them."""
    events = []
    result = ansible_runner.run(
        private_data_dir=str(root),
        playbook="enable.yml",
        ident="job-1",
        quiet=True,
        event_handler=lambda event: events.append(event) or True,
    )
    return result, events


def task_events(events, kind, task=RESULT_TASK):
    """{host: event_data} of one of the role's tasks for one event type (runner_on_ok, runner_on_failed)."""
    found = {}
    for event in events:
        data = event.get("event_data", {})
        if event["event"] == kind and data.get("task") == task:
            assert data["host"] not in found, "two {} events for {}".format(kind, data["host"])
            found[data["host"]] = data
    return found


def stats_event(events):
    (stats,) = [e["event_data"] for e in events if e["event"] == "playbook_on_stats"]
    return stats


def report(root):
    return json.loads((root / "artifacts" / "job-1" / "flowlogs-report.json").read_text())


def test_job_converges_every_target_and_leaves_its_report_as_an_artifact(aws, org, tmp_path):
    accounts = org.ids(*MEMBERS)
    targets = sorted(host(a, r) for a in accounts for r in REGIONS)
    root = private_data_dir(tmp_path, aws.url, accounts)

    result, events = run_job(root)
    stdout = (root / "artifacts" / "job-1" / "stdout").read_text()
    assert (result.status, result.rc) == ("successful", 0), stdout[-6000:]

    ok = task_events(events, "runner_on_ok")
    assert sorted(ok) == targets
    assert {h: (d["task_action"], d["res"]["changed"]) for h, d in ok.items()} == {
        h: ("flowlogs.aws.flow_logs_result", True) for h in targets
    }
    assert task_events(events, "runner_on_failed") == {}
    stats = stats_event(events)
    assert stats["failures"] == {} and stats["dark"] == {}
    assert sorted(stats["changed"]) == targets
    assert result.stats["failures"] == {}  # what the job's host summaries come from
    assert "PLAY RECAP" in stdout

    written = report(root)
    assert sorted(t["target"] for t in written["targets"]) == targets
    assert written["totals"]["targets_failed"] == 0
    assert written["totals"]["compliant_after"] == written["totals"]["vpcs"]


def test_a_failing_target_fails_the_job_and_only_its_host(aws, org, tmp_path):
    accounts = org.ids(*MEMBERS)
    targets = sorted(host(a, r) for a in accounts for r in REGIONS)
    # A host variable naming the wrong account, as a stale host_vars file would: the role refuses that target.
    wrong = host(accounts[0], "eu-west-1")
    root = private_data_dir(tmp_path, aws.url, accounts, {wrong: dict(flow_logs_account_id=accounts[1])})

    result, events = run_job(root)
    stdout = (root / "artifacts" / "job-1" / "stdout").read_text()
    assert result.status == "failed" and result.rc != 0, stdout[-6000:]

    failed = task_events(events, "runner_on_failed")
    assert sorted(failed) == [wrong]
    assert failed[wrong]["res"]["failed_phase"] == "connect"  # the account is checked before any other call
    assert accounts[1] in failed[wrong]["res"]["msg"], failed[wrong]["res"]["msg"]
    assert sorted(task_events(events, "runner_on_ok")) == [t for t in targets if t != wrong]
    stats = stats_event(events)
    assert stats["failures"] == {wrong: 1}
    assert result.stats["failures"] == {wrong: 1}

    # The report is still written (the playbook's always section), naming the failed target.
    written = report(root)
    assert written["totals"]["targets_failed"] == 1
    assert [t["target"] for t in written["targets"] if t["status"] == "failed"] == [wrong]
