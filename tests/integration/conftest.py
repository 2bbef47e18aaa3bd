"""Integration fixtures: a moto server per test worker, reset before each test, and a way to run
``ansible-playbook`` against it exactly as a user would.

With the AWS contract check on (``FLOWLOGS_CONTRACT=1`` or ``pytest --contract``; the default is
``tests/support/contract.py``'s ``ENABLED_BY_DEFAULT``), every botocore call - in this process and in every
ansible-playbook, Ansible worker and module process a test starts - is checked against botocore's service model
and AWS's documented limits; a test whose playbooks made a violating call fails, naming rule and message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from tests.support import contract, motoctl
from tests.support.aws_proxy import CountingProxy
from tests.support.paths import COLLECTIONS, REPO

HERE = Path(__file__).resolve().parent
TARGETS = HERE / "targets"
BIN = Path(sys.executable).parent
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass
class Aws:
    """The moto server of this worker, and boto3 clients on it for checking state."""

    url: str
    region: str = "us-east-1"

    def client(self, service, region=None, account=None):
        kwargs = dict(endpoint_url=self.url, region_name=region or self.region, **_lower(FAKE_CREDENTIALS))
        if account:
            sts = boto3.client("sts", **kwargs)
            creds = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="tests"
            )["Credentials"]
            kwargs.update(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        return boto3.client(service, **kwargs)


def _lower(creds):
    return {k.lower(): v for k, v in creds.items()}


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory):
    state = tmp_path_factory.mktemp("moto")
    url = motoctl.start(state)
    yield url
    motoctl.stop(state)


@pytest.fixture
def aws(moto_url):
    motoctl.reset(moto_url)
    return Aws(moto_url)


@pytest.fixture
def proxy(aws):
    """A counting proxy in front of moto: point playbooks at ``proxy.url``, read ``proxy.counts()``."""
    counting = CountingProxy(aws.url).start()
    yield counting
    counting.stop()


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str

    def __str__(self):
        return f"rc={self.rc}\n--- stdout ---\n{self.stdout[-6000:]}\n--- stderr ---\n{self.stderr[-3000:]}"


def playbook_env(tmp_path, extra=None):
    env = dict(os.environ)
    env.update(FAKE_CREDENTIALS)
    env.update(
        AWS_REGION="us-east-1",
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_ROLES_PATH=str(TARGETS),
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        env.pop(key, None)
    if contract.enabled():
        contract.child_env(env)  # FLOWLOGS_CONTRACT_LOG and _TEST come from os.environ (aws_contract)
    env.update(extra or {})
    return {k: v for k, v in env.items() if v is not None}  # None in ``extra``: not set at all


def job_environment(tmp_path, local_temp=None, strict_inventory=True):
    """The environment of an ansible-runner job as AWX's credentials and settings give it (env/envvars): fake AWS
    credentials, this checkout's collection, and the contract check passed on to the job's processes."""
    env = dict(
        FAKE_CREDENTIALS,
        AWS_REGION="us-east-1",
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(local_temp or tmp_path / "ansible-tmp"),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        PATH="{}{}{}".format(BIN, os.pathsep, os.environ.get("PATH", "")),
    )
    if strict_inventory:
        env["ANSIBLE_INVENTORY_UNPARSED_FAILED"] = "true"
    if contract.enabled():
        contract.child_env(env)
    return env


@pytest.fixture
def run_playbook(tmp_path):
    """Run a playbook with ansible-playbook; ``extra_vars`` go in as JSON. Returns a PlaybookRun."""

    def run(playbook, extra_vars=None, args=(), env=None, inventory=None, cwd=None):
        cmd = [str(BIN / "ansible-playbook"), str(playbook)]
        if inventory:
            cmd += ["-i", str(inventory)]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        cmd += list(args)
        done = subprocess.run(
            cmd,
            cwd=cwd or REPO,
            env=playbook_env(tmp_path, env),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        return PlaybookRun(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def run_target(run_playbook, aws):
    """Run integration target ``name`` (tests/integration/targets/<name>) against moto or ``endpoint``."""

    def run(name, endpoint=None, extra_vars=None, args=()):
        variables = dict(aws_endpoint_url=endpoint or aws.url, aws_region=aws.region, target=name)
        variables.update(extra_vars or {})
        return run_playbook(HERE / "run_target.yml", variables, args)

    return run


# ---------------------------------------------------------------- AWS contract check (tests/support/contract.py)

CONTRACT_DIR = REPO / ".cache" / "contract"
#: Every record of the run, each with its test: summarized at the end of the run.
CONTRACT_SUMMARY = CONTRACT_DIR / "violations.jsonl"
#: Call counts and checking time of the processes the tests started.
CONTRACT_STATS = CONTRACT_DIR / "stats.jsonl"


def _is_controller(config):
    return not hasattr(config, "workerinput")  # pytest-xdist workers have it


def pytest_configure(config):
    if config.getoption("contract", None):
        os.environ[contract.ENV_SWITCH] = "1"  # xdist workers get the option and run this too
    if not contract.enabled():
        return
    if _is_controller(config):
        CONTRACT_DIR.mkdir(parents=True, exist_ok=True)
        for stale in (CONTRACT_SUMMARY, CONTRACT_STATS):
            stale.unlink(missing_ok=True)
        contract.precompile()  # hundreds of child processes load the checker
    os.environ.setdefault(contract.ENV_STATS, str(CONTRACT_STATS))
    # pytest's own process: the harness's boto3 calls (logged, not raised), during integration tests only.
    contract.ACTIVE = False
    contract.install(None)


@pytest.fixture(autouse=True)
def aws_contract(request, tmp_path_factory, monkeypatch):
    """Each test's own contract log, named to every process the test starts; read after the test's call."""
    if not contract.enabled():
        yield None
        return
    log = tmp_path_factory.mktemp("contract") / "aws-contract.jsonl"
    monkeypatch.setenv(contract.ENV_LOG, str(log))
    monkeypatch.setenv(contract.ENV_TEST, request.node.nodeid)
    monkeypatch.setattr(contract, "ACTIVE", True)
    request.node.aws_contract_log = log
    yield log


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test whose AWS calls broke the contract fails, naming each rule and message."""
    outcome = yield
    log = getattr(item, "aws_contract_log", None)
    if call.when != "call" or log is None:
        return
    records = contract.read_log(log)
    if not records:
        return
    with open(CONTRACT_SUMMARY, "a", encoding="utf-8") as summary:
        for record in records:
            summary.write(json.dumps(dict(record, test=item.nodeid), sort_keys=True) + "\n")
    failing = contract.failing(records)
    if not failing:
        return
    report = outcome.get_result()
    text = "AWS contract violations ({} call(s); log {}):\n{}".format(len(failing), log, contract.describe(failing))
    report.longrepr = text if report.passed else "{}\n\n{}".format(report.longrepr, text)
    report.outcome = "failed"


def pytest_terminal_summary(terminalreporter, config):
    if not contract.enabled() or not _is_controller(config):
        return
    records = contract.read_log(CONTRACT_SUMMARY)
    stats = contract.read_log(CONTRACT_STATS)
    write = terminalreporter.write_line
    terminalreporter.section("AWS contract check")
    calls, seconds = sum(s["calls"] for s in stats), sum(s["seconds"] for s in stats)
    write(
        "{} calls checked in {} processes (pytest and its children), {:.2f} s checking ({:.0f} us a call)".format(
            calls, len(stats), seconds, 1e6 * seconds / calls if calls else 0
        )
    )
    if not records:
        write("no violations")
        return
    groups = {}
    for r in records:
        key = (r.get("origin") == "harness", r["rule"], "{}:{}".format(r.get("service"), r.get("operation")))
        groups.setdefault(key, []).append(r)
    for (harness, rule, operation), found in sorted(groups.items()):
        tests = sorted({r["test"] for r in found})
        write(
            "{}[{}] {} x{} in {} test(s), e.g. {}".format(
                "(harness) " if harness else "", rule, operation, len(found), len(tests), found[0]["message"]
            )
        )
        for test in tests[:5]:
            write("    " + test)
        if len(tests) > 5:
            write("    ... {} more".format(len(tests) - 5))
    write("all records: {}".format(CONTRACT_SUMMARY))
