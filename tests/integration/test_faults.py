"""The fleet playbook when AWS has a bad day: throttling, 5xx and lost answers; a run killed with SIGKILL
at a precise point; two runs started at once. AWS is moto server behind tests/support/fault_proxy.py;
every test checks the whole AWS state afterwards, exactly: no duplicate flow logs, nothing orphaned."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from tests.integration.conftest import BIN, PlaybookRun, playbook_env
from tests.integration.test_fleet import recap
from tests.support import fleet
from tests.support.fault_proxy import FAULT_KINDS, FaultProxy
from tests.support.paths import REPO

PLAYBOOK = REPO / "playbooks" / "enable_flowlogs.yml"
POLICY_NAME = "flow-logs-delivery"
KEYS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def faulty(aws):
    """``faulty(**options)``: a FaultProxy in front of this test's moto server, stopped afterwards."""
    started = []

    def start(**options):
        started.append(FaultProxy(aws.url, **options).start())
        return started[-1]

    yield start
    for proxy in started:
        proxy.stop()


class Fleet:
    """A seeded fleet (a subset of tests/support/fleet.py's accounts x regions) and its playbook runs."""

    def __init__(self, url, tmp_path, accounts=fleet.ACCOUNTS, regions=fleet.REGIONS):
        self.url, self.tmp_path, self.accounts, self.regions = url, tmp_path, accounts, regions
        fleet.seed(url, accounts, regions, vpcs_per_target=1)
        self.seeded = self.snapshot()
        self.targets = [fleet.target_name(a, r) for a in accounts for r in regions]
        self.runs = 0

    def snapshot(self):
        return fleet.snapshot(self.url, self.accounts, self.regions)

    def start(self, endpoint):
        """``enable_flowlogs.yml`` on the fleet through ``endpoint``, in its own process group."""
        self.runs += 1
        work = self.tmp_path / "run{}".format(self.runs)
        work.mkdir()
        inventory = fleet.write_inventory(work / "inventory.json", endpoint, self.accounts, self.regions)
        cmd = [str(BIN / "ansible-playbook"), str(PLAYBOOK), "-i", str(inventory), "--forks", "10"]
        cmd += ["-e", json.dumps(dict(flow_logs_report_dir=str(work)))]
        with open(work / "output.txt", "w") as output:
            proc = subprocess.Popen(
                cmd,
                cwd=REPO,
                env=playbook_env(work),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc.work = work
        return proc

    @staticmethod
    def finish(proc):
        done = PlaybookRun(proc.wait(), (proc.work / "output.txt").read_text(), "")
        done.work = proc.work
        return done

    def run(self, endpoint):
        return self.finish(self.start(endpoint))

    @staticmethod
    def report(run):
        return json.loads((run.work / "flowlogs-report.json").read_text())


def descendants(pid):
    """Process ids under ``pid``, from /proc."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found.extend(below)
        todo.extend(below)
    return found


def kill_run(proc):
    """SIGKILL a playbook run: its process group, and Ansible's workers, which call setsid() and so would
    survive a process-group kill and finish their task."""
    os.kill(proc.pid, signal.SIGSTOP)  # no new worker while the tree is read
    for pid in descendants(proc.pid):
        with contextlib.suppress(ProcessLookupError):  # a worker that just finished
            os.kill(pid, signal.SIGKILL)
    os.killpg(proc.pid, signal.SIGKILL)
    return proc.wait()


def duplicates(state):
    """{account/region/vpc: n} for every VPC with more than one flow log to the collection's group."""
    found = {}
    for account, per_account in state.items():
        for region, target in per_account.items():
            if region == "roles":
                continue
            ours = Counter(f["resource"] for f in target["flow_logs"] if f["group"] == fleet.GROUP)
            found.update({"{}/{}/{}".format(account, region, v): n for v, n in ours.items() if n > 1})
    return found


def problems(state, seeded):
    """How ``state`` differs from the converged fleet, exactly: anything missing, wrong, duplicated or
    left over (a role, group or flow log that neither the seed nor the desired state names) is listed."""
    found = []
    for account, per_account in state.items():
        role_arn = "arn:aws:iam::{}:role/{}".format(account, fleet.ROLE)
        roles = per_account["roles"]
        if set(roles) != set(seeded[account]["roles"]) | {fleet.ROLE}:
            found.append("{}: roles {}".format(account, sorted(roles)))
        role = roles.get(fleet.ROLE) or dict(trust={"Statement": [{}]}, policies={})
        if role["trust"]["Statement"][0].get("Principal") != {"Service": "vpc-flow-logs.amazonaws.com"}:
            found.append("{}: trust {}".format(account, role["trust"]))
        if set(role["policies"]) != {POLICY_NAME}:
            found.append("{}: inline policies {}".format(account, sorted(role["policies"])))
        for region in (r for r in per_account if r != "roles"):
            where = "{}/{}".format(account, region)
            now, before = per_account[region], seeded[account][region]
            if set(now["log_groups"]) != set(before["log_groups"]) | {fleet.GROUP}:
                found.append("{}: log groups {}".format(where, sorted(now["log_groups"])))
            if now["log_groups"].get(fleet.GROUP, {}).get("retention") != 90:
                found.append("{}: retention {}".format(where, now["log_groups"].get(fleet.GROUP)))
            theirs = [f for f in before["flow_logs"] if f["group"] != fleet.GROUP]
            if [f for f in now["flow_logs"] if f["group"] != fleet.GROUP] != theirs:
                found.append("{}: other destinations' flow logs touched".format(where))
            ours = [f for f in now["flow_logs"] if f["group"] == fleet.GROUP]
            if sorted(f["resource"] for f in ours) != now["vpcs"]:
                found.append(
                    "{}: flow logs on {} for VPCs {}".format(where, [f["resource"] for f in ours], now["vpcs"])
                )
            for flow_log in ours:
                if (flow_log["traffic"], flow_log["role"], flow_log["interval"]) != ("ALL", role_arn, 600):
                    found.append("{}: wrong flow log {}".format(where, flow_log))
    return found


def test_each_fault_reaches_botocore_as_the_error_aws_would_send(aws, faulty):
    """The proxy's faults, seen by botocore with retries off: each service's own throttling code, bare
    5xx, closed connections; a lost answer was done upstream, a dropped request was not."""
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    seen = {}
    for kind in FAULT_KINDS:
        proxy = faulty(rate=1.0, kinds=(kind,))
        for service, call in (
            ("ec2", lambda c: c.create_vpc(CidrBlock="10.9.0.0/24")),
            ("iam", lambda c: c.list_roles()),
            ("sts", lambda c: c.get_caller_identity()),
            ("logs", lambda c: c.describe_log_groups()),
        ):
            client = boto3.client(service, endpoint_url=proxy.url, region_name=aws.region, config=config, **KEYS)
            with pytest.raises((ClientError, ConnectionClosedError)) as caught:
                call(client)
            error = caught.value
            seen[kind, service] = (
                (error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"])
                if isinstance(error, ClientError)
                else type(error).__name__
            )
        assert proxy.faults()[kind] == 4 and proxy.forwarded == (4 if kind == "lost_answer" else 0)
    assert seen == {
        ("throttle", "ec2"): ("RequestLimitExceeded", 503),
        ("throttle", "iam"): ("Throttling", 400),
        ("throttle", "sts"): ("Throttling", 400),
        ("throttle", "logs"): ("ThrottlingException", 400),
        **{("http500", s): ("500", 500) for s in ("ec2", "iam", "sts", "logs")},
        **{("http503", s): ("503", 503) for s in ("ec2", "iam", "sts", "logs")},
        **{(k, s): "ConnectionClosedError" for k in ("drop", "lost_answer") for s in ("ec2", "iam", "sts", "logs")},
    }
    vpcs = aws.client("ec2").describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.9.0.0/24"]}])["Vpcs"]
    assert len(vpcs) == 1  # created once: by the lost answer, never by a dropped or refused request


def assert_retries_are_the_faults(report, injected):
    """botocore retried every fault once more (the proxy faults one call 3 times at most, botocore tries
    10): the retries the fleet report counts are the faults the proxy injected."""
    assert injected > 0 and report["api_retries"] > 0
    assert abs(report["api_retries"] - injected) <= max(2, injected // 10), (report, injected)


def test_throttling_5xx_and_lost_answers_on_30_percent_of_calls(aws, faulty, tmp_path):
    lab = Fleet(aws.url, tmp_path)
    proxy = faulty(rate=0.3, seed=2026)

    first = lab.run(proxy.url)
    assert first.rc == 0, str(first)
    state = lab.snapshot()
    assert duplicates(state) == {}
    assert problems(state, lab.seeded) == []
    report = Fleet.report(first)["totals"]
    assert report["targets_failed"] == 0 and report["targets_changed"] == 6
    assert report["compliant_after"] == report["vpcs"] == 12
    faults = proxy.faults()
    assert all(faults[kind] > 0 for kind in FAULT_KINDS), faults
    # ~85 requests, each faulted with probability 0.3 in whatever order the forks send them: the share is binomial
    # (standard deviation ~0.05), so 0.15-0.45 holds at over 3 standard deviations - a tighter band fails at random.
    assert 0.15 < sum(faults.values()) / len(proxy.log) < 0.45, (faults, len(proxy.log))
    assert_retries_are_the_faults(report, sum(faults.values()))
    # Every CreateFlowLogs carries an idempotency token, the same on each retry of one call: a retry after
    # a lost answer is answered with the first result, never creates the flow logs twice.
    tokens = {}
    for entry in (e for e in proxy.log if e["action"] == "CreateFlowLogs"):
        tokens.setdefault(entry["invocation"], set()).add(entry["client_token"])
    assert tokens and all(len(t) == 1 and None not in t for t in tokens.values()), tokens
    assert len({t for found in tokens.values() for t in found}) == len(tokens)

    # Still on a bad day, the next run finds nothing to do and changes nothing.
    before_rerun = sum(proxy.faults().values())
    second = lab.run(proxy.url)
    assert second.rc == 0, str(second)
    stats = recap(second.stdout)
    assert {t: stats[t]["changed"] for t in lab.targets} == {t: 0 for t in lab.targets}
    assert lab.snapshot() == state
    report = Fleet.report(second)["totals"]
    assert report["targets_unchanged"] == 6
    assert_retries_are_the_faults(report, sum(proxy.faults().values()) - before_rerun)


KILL_POINTS = {
    # The run dies right after AWS created the role (before its policy), the log group (before its
    # retention), or the first flow logs (before the rest): the answer is lost with the run.
    "after-role": ("iam", "CreateRole"),
    "after-log-group": ("logs", "CreateLogGroup"),
    "mid-flow-logs": ("ec2", "CreateFlowLogs"),
}


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_killed_run_then_rerun_converges(aws, faulty, tmp_path, point):
    service, action = KILL_POINTS[point]
    # Account 111 has the blog-recipe role, a group without retention and a REJECT flow log; account 222
    # has nothing of ours yet (and another team's flow log).
    lab = Fleet(aws.url, tmp_path, accounts=fleet.ACCOUNTS[:2], regions=fleet.REGIONS[:1])
    proxy = faulty()
    held = proxy.hold(service, action, forward=True)
    killed = lab.start(proxy.url)
    while not held.wait(0.2) and killed.poll() is None:
        pass
    assert held.is_set(), str(Fleet.finish(killed))
    assert kill_run(killed) == -signal.SIGKILL
    proxy.release()

    partial = lab.snapshot()
    assert problems(partial, lab.seeded) != []  # killed before converging
    new_account = partial[fleet.ACCOUNTS[1]]
    if point == "after-role":
        assert new_account["roles"][fleet.ROLE]["policies"] == {}
    elif point == "after-log-group":
        assert new_account[fleet.REGIONS[0]]["log_groups"][fleet.GROUP]["retention"] is None
    else:
        made = [f for t in (partial[a][r] for a in lab.accounts for r in lab.regions) for f in t["flow_logs"]]
        assert len([f for f in made if f["group"] == fleet.GROUP and f["traffic"] == "ALL"]) >= 1

    rerun = lab.run(aws.url)
    assert rerun.rc == 0, str(rerun)
    state = lab.snapshot()
    assert duplicates(state) == {}
    assert problems(state, lab.seeded) == []
    assert Fleet.report(rerun)["totals"]["targets_failed"] == 0


def test_two_runs_at_once_then_a_third_changes_nothing(aws, faulty, tmp_path):
    lab = Fleet(aws.url, tmp_path, accounts=fleet.ACCOUNTS[:2])
    proxy = faulty()
    # Creates are held until every run's twin has arrived: both runs read "absent", both create, at once.
    # Role: once per account per run (account 222 x 2 runs); group: account 222 x 2 regions x 2 runs;
    # first CreateFlowLogs: 4 targets x 2 runs.
    proxy.gather("iam", "CreateRole", parties=2)
    proxy.gather("logs", "CreateLogGroup", parties=4)
    proxy.gather("ec2", "CreateFlowLogs", parties=8)
    runs = [lab.start(proxy.url), lab.start(proxy.url)]
    first, second = (Fleet.finish(proc) for proc in runs)
    assert first.rc == 0, str(first)
    assert second.rc == 0, str(second)
    assert proxy.gathered() == {"ec2:CreateFlowLogs": 8, "iam:CreateRole": 2, "logs:CreateLogGroup": 4}
    state = lab.snapshot()
    assert duplicates(state) == {}
    assert problems(state, lab.seeded) == []
    for run in (first, second):
        assert Fleet.report(run)["totals"]["targets_failed"] == 0

    third = lab.run(aws.url)
    assert third.rc == 0, str(third)
    stats = recap(third.stdout)
    assert {t: stats[t]["changed"] for t in lab.targets} == {t: 0 for t in lab.targets}
    assert lab.snapshot() == state
