"""The shipped Molecule scenario extensions/molecule/fleet_example works where users put it: the commands of its
README, run as written with bash in a scratch project outside this repository, copy it out of the installed
collection and run ``molecule test``. It starts its own moto server and stops it again by PID.

Only the two commands that need the network are stood in for: ``ansible-galaxy collection install flowlogs.aws``
installs the tarball built from this checkout, offline, into the project's collections path; ``pip install -r``
of the scenario's requirements is checked instead - every pin is the version installed in the Python running this
test (the one whose bin directory is first on the commands' PATH)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement

from tests.support.paths import REPO

BIN = Path(sys.executable).parent
SCENARIO = "fleet_example"
README = REPO / "extensions" / "molecule" / SCENARIO / "README.md"
INSTALL = "ansible-galaxy collection install flowlogs.aws"
PIP_INSTALL = "python3 -m pip install -r molecule/{}/requirements.txt".format(SCENARIO)
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


def readme_commands(readme):
    """The ``$ `` commands of the README's console block, each with its continuation lines (bash joins them)."""
    (block,) = re.findall(r"^```console\n(.*?)^```", readme.read_text(), re.S | re.M)
    commands = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append(line[2:])
        else:
            commands[-1] += "\n" + line
    return commands


def pins_installed(requirements):
    """Every pin of a requirements file, and whether it is the version installed here."""
    pins = []
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line
            pins.append((requirement.name, spec.version, version(requirement.name) == spec.version))
    return pins


def test_fleet_example_runs_from_a_scratch_project(tmp_path):
    project = tmp_path / "project"
    collections = project / "collections"
    project.mkdir()
    assert REPO not in project.resolve().parents
    env = user_env(tmp_path, collections)
    ok(run([BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path / "dist", REPO], env, tmp_path))
    (tarball,) = (tmp_path / "dist").glob("flowlogs-aws-*.tar.gz")

    commands = readme_commands(README)
    assert INSTALL in commands and PIP_INSTALL in commands and commands[-1] == "molecule test -s " + SCENARIO, commands
    for command in commands:
        if command == INSTALL:  # from the built tarball, offline, into the first collections path as Galaxy would
            ok(run([BIN / "ansible-galaxy", "collection", "install", "--offline", tarball], env, project))
            listed = ok(run([BIN / "ansible-galaxy", "collection", "list", "flowlogs.aws"], env, tmp_path))
            assert str(collections) in listed and str(REPO) not in listed
        elif command == PIP_INSTALL:  # no index here: the pins must be what this test runs with
            pins = pins_installed(project / PIP_INSTALL.rsplit(" ", 1)[1])
            assert pins and [pin for pin in pins if not pin[2]] == [], pins
        elif command == commands[-1]:  # the copy it runs is the installed collection's, nothing of this repository
            copied = list((project / "molecule" / SCENARIO).iterdir())
            assert copied and [p for p in copied if [s for s in REPO_ONLY if s in p.read_text()]] == []
            done = run(["bash", "-c", command], env, project, timeout=900)
        else:
            ok(run(["bash", "-c", command], env, project))

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
    # The verify step proves delivery (#22): its assertions ran (and passed, or verify would not be Successful).
    assert "TASK [No flow log failed, and none is silent for a reason that needs fixing]" in output, output[-8000:]
    assert "TASK [In the account seeded with traffic, records arrived]" in output, output[-8000:]
