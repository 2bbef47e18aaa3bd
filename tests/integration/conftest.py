"""Integration fixtures: a moto server per test worker, reset before each test, and a way to run
``ansible-playbook`` against it exactly as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from tests.support import motoctl
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
    env.update(extra or {})
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
