"""execution-environment.yml: ansible-builder makes a build context whose Containerfile installs ansible-core,
the collection's Python and system requirements and this checkout of the collection. No image is built (no
container engine here); the collection copied into the context is installed offline and introspected the way
the image build does it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.paths import REPO

BIN = Path(sys.executable).parent
BUILDER = BIN / "ansible-builder"
pytestmark = pytest.mark.skipif(not BUILDER.exists(), reason="ansible-builder is not installed next to pytest")


def run(cmd, cwd, env=None):
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, "{}\n{}\n{}".format(" ".join(map(str, cmd)), done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


def requirement_names(path):
    lines = (line.split("#", 1)[0].strip() for line in Path(path).read_text().splitlines())
    return sorted(line for line in lines if line)


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    ctx = tmp_path_factory.mktemp("ee") / "context"
    run(
        [BUILDER, "create", "-f", REPO / "execution-environment.yml", "-c", ctx, "--output-filename", "Containerfile"],
        REPO,
    )
    return ctx


def test_definition_is_schema_3_with_the_collection_requirements():
    definition = yaml.safe_load((REPO / "execution-environment.yml").read_text())
    assert definition["version"] == 3
    deps = definition["dependencies"]
    assert deps["python"] == "meta/ee-requirements.txt"
    assert deps["system"] == "meta/ee-bindep.txt"
    assert "ansible-core" in deps["ansible_core"]["package_pip"]
    # The collection itself declares the same files for images that pull it from Galaxy.
    own = yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())
    assert own["dependencies"] == {"python": "meta/ee-requirements.txt", "system": "meta/ee-bindep.txt"}


def test_containerfile_installs_ansible_core_requirements_and_the_collection(context):
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core>=2.17,<2.20 ansible-runner"' in containerfile
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile
    assert "--user-pip=requirements.txt --user-bindep=bindep.txt" in containerfile
    assert "install-from-bindep" in containerfile

    build = context / "_build"
    assert requirement_names(build / "requirements.txt") == ["boto3>=1.34.0", "botocore>=1.34.0"]
    assert requirement_names(build / "bindep.txt") == requirement_names(REPO / "meta" / "ee-bindep.txt")
    galaxy = yaml.safe_load((build / "requirements.yml").read_text())
    assert galaxy["collections"] == [{"name": "/build/flowlogs.aws", "type": "dir"}]

    copied = build / "flowlogs.aws"
    for path in ("galaxy.yml", "meta/runtime.yml", "plugins/modules/vpc_flow_log.py", "roles/flow_logs/tasks/main.yml"):
        assert (copied / path).is_file(), path
    for path in ("playbooks/enable_flowlogs.yml", "meta/execution-environment.yml"):
        assert (copied / path).is_file(), path
    # Only collection content: no venvs, caches or tests.
    assert not any((copied / name).exists() for name in (".venv", ".cache", "tests", ".git"))


def test_collection_in_context_installs_and_introspects_like_the_image_build(context, tmp_path):
    source = context / "_build" / "flowlogs.aws"
    collections = tmp_path / "collections"
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", collections, source], tmp_path, env)

    installed = collections / "ansible_collections" / "flowlogs" / "aws"
    manifest = yaml.safe_load((installed / "MANIFEST.json").read_text())
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    assert manifest["collection_info"]["version"] == version

    # What the image build's introspection finds in the installed collection, as "<requirement>  # from ...".
    found = yaml.safe_load(run([BUILDER, "introspect", collections], tmp_path))
    ours = "  # from collection flowlogs.aws"
    assert found["python"] == [req + ours for req in requirement_names(REPO / "meta" / "ee-requirements.txt")]
    assert found["system"] == [req + ours for req in requirement_names(REPO / "meta" / "ee-bindep.txt")]
