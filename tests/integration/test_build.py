"""The collection builds, installs offline from its tarball, and works from the installed copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ansible_collections.flowlogs.aws.plugins.module_utils._report import fleet
from ansible_collections.flowlogs.aws.plugins.module_utils._troubleshoot import report as troubleshoot_report
from tests.support.paths import REPO

BIN = Path(sys.executable).parent
MODULES = ("flow_log_alarms", "flow_log_bucket", "flow_log_group", "flow_log_role", "vpc_flow_log", "vpc_flow_log_info")


def run(cmd, env, cwd):
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, "{}\n{}\n{}".format(" ".join(map(str, cmd)), done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


#: Every file the playbooks' reports write into the directory they run in.
REPORT_FILES = fleet.REPORT_FILES + troubleshoot_report.REPORT_FILES


def galaxy_env(tmp_path):
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)
    return env


def build(source, env, tmp_path):
    """``ansible-galaxy collection build`` of ``source``: the tarball and its listing."""
    out = tmp_path / "dist"
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", out, source], env, tmp_path)
    tarballs = list(out.glob("flowlogs-aws-*.tar.gz"))
    assert len(tarballs) == 1
    return tarballs[0], run(["tar", "-tzf", tarballs[0]], env, tmp_path)


def test_build_install_offline_and_use_installed_copy(tmp_path):
    env = galaxy_env(tmp_path)
    tarball, listing = build(REPO, env, tmp_path)
    assert "plugins/modules/vpc_flow_log.py" in listing
    assert "roles/flow_logs/meta/argument_specs.yml" in listing
    assert "playbooks/enable_flowlogs.yml" in listing
    assert ".venv/" not in listing and ".cache/" not in listing and "tests/output" not in listing

    collections = tmp_path / "collections"
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", collections, tarball], env, tmp_path)
    installed = collections / "ansible_collections" / "flowlogs" / "aws"
    assert (installed / "MANIFEST.json").exists()

    env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    for module in MODULES:
        doc = run([BIN / "ansible-doc", "flowlogs.aws." + module], env, tmp_path)
        assert str(installed) in doc and "EXAMPLES" in doc
    inventory_doc = run([BIN / "ansible-doc", "-t", "inventory", "flowlogs.aws.accounts"], env, tmp_path)
    assert str(installed) in inventory_doc and "flowlogs_accounts.yml" in inventory_doc
    role_doc = run([BIN / "ansible-doc", "-t", "role", "flowlogs.aws.flow_logs"], env, tmp_path)
    assert "flow_logs_region" in role_doc
    for playbook in ("enable_flowlogs", "audit_flowlogs", "disable_flowlogs"):
        run([BIN / "ansible-playbook", "--syntax-check", "-i", "localhost,", "flowlogs.aws." + playbook], env, tmp_path)


def test_reports_written_at_the_root_are_neither_committed_nor_shipped(tmp_path):
    """A playbook run in the checkout writes its reports there: git ignores them and the tarball leaves them out."""
    tracked = run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], dict(os.environ), REPO)
    assert not set(tracked.split()) & set(REPORT_FILES)
    ignored = run(["git", "check-ignore", "--no-index", *REPORT_FILES], dict(os.environ), REPO)
    assert sorted(ignored.split()) == sorted(REPORT_FILES)

    copy = tmp_path / "checkout"  # the files of the checkout, with reports at its root as a run leaves them
    for name in tracked.splitlines():
        if (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    for name in REPORT_FILES:
        (copy / name).write_text("a report of a test run\n")
    _tarball, listing = build(copy, galaxy_env(tmp_path), tmp_path)

    assert "plugins/modules/vpc_flow_log.py" in listing.split()
    assert [path for path in listing.split() if path.rsplit("/", 1)[-1] in REPORT_FILES] == []
