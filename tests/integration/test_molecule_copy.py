"""The shipped Molecule scenario extensions/molecule/fleet_example works where users put it: copied from the
installed collection (built tarball, ``ansible-galaxy collection install``) into a scratch project outside this
repository, run with ``molecule test``. It starts its own moto server and stops it again by PID."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.support.paths import REPO

BIN = Path(sys.executable).parent
SCENARIO = "fleet_example"
#: What the scenario may not lean on: this repository's test support, Makefile variables, make molecule's moto.
REPO_ONLY = ("tests.support", "FLOWLOGS_REPO", "FLOWLOGS_MOTO_URL")


def user_env(tmp_path, collections):
    """A user's shell: no variable of this repository's Makefile, test run or AWS set-up; only the venv's tools."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANSIBLE_", "AWS_", "FLOWLOGS_", "MOLECULE_", "PYTEST_")) and k != "PYTHONPATH"
    }
    env.update(
        PATH="{}{}{}".format(BIN, os.pathsep, os.environ.get("PATH", "")),
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        NO_COLOR="1",
        PY_COLORS="0",
        ANSIBLE_FORCE_COLOR="0",
    )
    return env


def run(cmd, env, cwd, timeout=300):
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def ok(done):
    assert done.returncode == 0, "{}\n{}\n{}".format(" ".join(done.args), done.stdout[-6000:], done.stderr[-4000:])
    return done.stdout


def gone(pid):
    """The process has exited (a zombie waiting for its new parent to reap it counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path("/proc/{}/stat".format(pid))
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


def answers(url):
    try:
        with urllib.request.urlopen(url + "/moto-api/", timeout=2):
            return True
    except OSError:
        return False


def test_fleet_example_runs_from_a_scratch_project(tmp_path):
    project = tmp_path / "project"
    collections = project / "collections"
    assert REPO not in project.resolve().parents
    env = user_env(tmp_path, collections)

    ok(run([BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path / "dist", REPO], env, tmp_path))
    (tarball,) = (tmp_path / "dist").glob("flowlogs-aws-*.tar.gz")
    ok(
        run(
            [BIN / "ansible-galaxy", "collection", "install", "--offline", "--force", "-p", collections, tarball],
            env,
            project.parent,
        )
    )
    installed = collections / "ansible_collections" / "flowlogs" / "aws"
    listed = ok(run([BIN / "ansible-galaxy", "collection", "list", "flowlogs.aws"], env, tmp_path))
    assert str(collections) in listed and str(REPO) not in listed

    # What the scenario's README says to do: copy it out of the installed collection into the project.
    shutil.copytree(installed / "extensions" / "molecule" / SCENARIO, project / "molecule" / SCENARIO)
    for path in (project / "molecule" / SCENARIO).iterdir():
        text = path.read_text()
        assert not [s for s in REPO_ONLY if s in text], path

    done = run([BIN / "molecule", "test", "-s", SCENARIO], env, project, timeout=900)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-8000:]
    started = re.search(r"started moto server pid (\d+) at (http://127\.0\.0\.1:\d+)", output)
    assert started, output[-8000:]
    pid, url = int(started.group(1)), started.group(2)
    assert "stopped moto server pid {}".format(pid) in output
    assert gone(pid), "moto server pid {} still runs".format(pid)
    assert not answers(url)
    for step in ("prepare", "converge", "idempotence", "verify", "destroy"):
        assert "[{} > {}] Executed: Successful".format(SCENARIO, step) in output
