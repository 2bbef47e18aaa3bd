"""AWX / AAP job slicing, as AWX does it, on this machine: the accounts inventory is read once (AWX's inventory
update), its hosts sorted and dealt round-robin into N = 4 slices (``hosts[i::N]``: an account's region targets land
in different slices), and each slice runs ``enable_flowlogs.yml`` as its own ansible-runner job with a pared-down
inventory of its hosts only (host variables kept), all four at once against one moto server.

Asserted: every target converges in its slice, no slice fails on the account's shared delivery role (made once,
by the account's owner target, ``flow_logs_delivery_role_owner`` from the inventory), and the IAM calls per account
across all slices stay within 1.5x those of the same fleet run as one job."""

from __future__ import annotations

import json
import os
import subprocess

import ansible_runner

from tests.integration.conftest import BIN, job_environment
from tests.support import fleet, organization
from tests.support.aws_proxy import CountingProxy
from tests.support.paths import REPO
from tests.support.propagation_proxy import PropagationProxy

REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"]
SLICES = 4
PLAYBOOK_PATH = REPO / "playbooks" / "enable_flowlogs.yml"
PLAYBOOK = """---
- name: Enable VPC flow logs (flowlogs.aws)
  ansible.builtin.import_playbook: flowlogs.aws.enable_flowlogs
"""


def inventory_update(tmp_path, url, accounts):
    """What AWX's inventory update stores: ``ansible-inventory --list`` of the accounts source."""
    source = tmp_path / "org.flowlogs_accounts.yml"
    source.write_text(
        json.dumps(dict(plugin="flowlogs.aws.accounts", endpoint_url=url, accounts=accounts, regions=REGIONS))
    )
    listed = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(source), "--list"],
        env=dict(os.environ, **job_environment(tmp_path)),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(listed.stdout)


def pared_down(listed, hosts):
    """A static inventory of ``hosts`` only, with their variables and groups, as AWX gives a slice job."""
    hostvars = listed["_meta"]["hostvars"]
    groups = {
        name: dict(hosts={h: {} for h in found.get("hosts", []) if h in hosts})
        for name, found in listed.items()
        if name not in ("_meta", "all", "ungrouped")
    }
    groups["flow_logs_targets"]["hosts"] = {h: hostvars[h] for h in hosts}
    groups["flow_logs_targets"]["vars"] = dict(ansible_connection="local")
    return dict(all=dict(children={name: group for name, group in groups.items() if group["hosts"]}))


def job(tmp_path, name, inventory):
    """A private data directory laid out as AWX lays out a job, with a static inventory."""
    root = tmp_path / name
    (root / "project").mkdir(parents=True)
    (root / "project" / "enable.yml").write_text(PLAYBOOK)
    (root / "inventory").mkdir()
    (root / "inventory" / "hosts.yml").write_text(json.dumps(inventory))
    (root / "env").mkdir()
    env = job_environment(tmp_path, local_temp=tmp_path / name / "ansible-tmp")
    (root / "env" / "envvars").write_text(json.dumps(env))
    extravars = dict(
        flow_logs_report_dir="{{ lookup('ansible.builtin.env', 'AWX_ISOLATED_DATA_DIR') }}",
        flow_logs_insights_queries=False,  # moto has no saved Logs Insights queries
    )
    (root / "env" / "extravars").write_text(json.dumps(extravars))
    return root


def start(root):
    thread, runner = ansible_runner.run_async(
        private_data_dir=str(root), playbook="enable.yml", ident="job-1", quiet=True
    )
    return thread, runner


def finish(started):
    thread, runner = started
    thread.join()
    return runner


def report(root):
    return json.loads((root / "artifacts" / "job-1" / "flowlogs-report.json").read_text())


def iam_calls(proxy, account):
    """IAM calls made in ``account`` (IAM is global: any region its clients signed for)."""
    return sum(
        n for region in REGIONS for call, n in proxy.counts_of(account, region).items() if call.startswith("iam:")
    )


def test_four_slices_at_once_converge_every_target_and_the_role_once_per_account(aws, tmp_path):
    org = organization.create(aws.url)
    whole, sliced = org.ids("prod-a", "prod-b"), org.ids("prod-eu", "sandbox")
    organization.seed_vpcs(aws.url, whole + sliced, REGIONS)
    proxy = CountingProxy(aws.url).start()
    try:
        one_job = finish(start(job(tmp_path, "unsliced", pared_down(*_listed(tmp_path, proxy.url, whole)))))
        listed, hosts = _listed(tmp_path, proxy.url, sliced)
        slices = [hosts[i::SLICES] for i in range(SLICES)]
        roots = [job(tmp_path, "slice-{}".format(i), pared_down(listed, s)) for i, s in enumerate(slices)]
        runners = [finish(started) for started in [start(root) for root in roots]]
    finally:
        proxy.stop()

    assert one_job.rc == 0, one_job.stdout.read()[-4000:]
    for root, runner, hosts_of_slice in zip(roots, runners, slices):
        assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()[-4000:]
        written = report(root)
        assert sorted(t["target"] for t in written["targets"]) == sorted(hosts_of_slice)
        assert written["totals"]["targets_failed"] == 0
        assert written["totals"]["compliant_after"] == written["totals"]["vpcs"]
    # Every account's region targets were in different slices, on one moto.
    assert all(len({h.split("-")[1] for h in s}) == len(sliced) for s in slices), slices
    for account in sliced:
        iam = fleet.session(aws.url, account, "us-east-1").client("iam", endpoint_url=aws.url)
        assert iam.get_role(RoleName="vpc-flow-logs-delivery")["Role"]["Arn"].endswith(":role/vpc-flow-logs-delivery")
        for region in REGIONS:
            ec2 = fleet.session(aws.url, account, region).client("ec2", endpoint_url=aws.url)
            assert len(ec2.describe_flow_logs()["FlowLogs"]) == len(ec2.describe_vpcs()["Vpcs"]), (account, region)
    per_account_whole = max(iam_calls(proxy, a) for a in whole)
    per_account_sliced = max(iam_calls(proxy, a) for a in sliced)
    print("IAM calls per account: one job {}, four slices {}".format(per_account_whole, per_account_sliced))
    assert per_account_whole > 0
    assert per_account_sliced <= 1.5 * per_account_whole, (per_account_sliced, per_account_whole)


def _listed(tmp_path, url, accounts):
    listed = inventory_update(tmp_path, url, accounts)
    return listed, sorted(listed["_meta"]["hostvars"])


def test_the_inventory_marks_one_owner_of_the_delivery_role_per_account(aws, tmp_path):
    org = organization.create(aws.url)
    accounts = org.ids("prod-a", "prod-b")

    listed, hosts = _listed(tmp_path, aws.url, accounts)

    owners = [h for h in hosts if listed["_meta"]["hostvars"][h]["flow_logs_delivery_role_owner"]]
    assert owners == ["acct-{}-ap-southeast-2".format(a) for a in sorted(accounts)]


def test_targets_whose_owner_did_not_run_make_the_role_themselves_after_the_role_check(aws, run_playbook, tmp_path):
    """The account's owner target failed or is in a slice that has not run: its other targets pass the role's ARN as
    named, CreateFlowLogs refuses it (no such role yet, as AWS refuses it), and after the role check
    (FLOWLOGS_AWS_ROLE_CHECK_SECONDS, 30 s for users) one of them converges the role; once IAM has propagated it
    (1 s here), every target converges, the role made once."""
    account, regions = fleet.ACCOUNTS[0], ["us-east-1", "eu-west-1"]
    organization.seed_vpcs(aws.url, [account], regions)
    proxy = PropagationProxy(aws.url, seconds=1, unknown_roles="refuse").start()
    try:
        not_owners = {fleet.target_name(account, r): dict(flow_logs_delivery_role_owner=False) for r in regions}
        inventory = fleet.write_inventory(tmp_path / "inventory.json", proxy.url, [account], regions, not_owners)
        env = {"FLOWLOGS_AWS_ROLE_CHECK_SECONDS": "2", "FLOWLOGS_AWS_ROLE_WAIT_SECONDS": "30"}
        done = run_playbook(PLAYBOOK_PATH, dict(flow_logs_report_dir=str(tmp_path)), inventory=inventory, env=env)
        counts = proxy.counts()
    finally:
        proxy.stop()

    assert done.rc == 0, str(done)
    written = json.loads((tmp_path / "flowlogs-report.json").read_text())
    assert {t["status"] for t in written["targets"]} == {"changed"}
    assert written["totals"]["compliant_after"] == written["totals"]["vpcs"]
    assert counts["iam:CreateRole"] == 1
    assert all(t["counts"]["role_waits"] >= 1 for t in written["targets"]), written["targets"]
    role = "arn:aws:iam::{}:role/vpc-flow-logs-delivery".format(account)
    assert proxy.refused[role] >= 2  # refused before the role existed, and while it propagated
