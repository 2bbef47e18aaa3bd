"""The ``environment`` keyword in the worker: plugin_utils/_task_environment.py and the session key it relies on."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from ansible import template
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.task import Task
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import shell_loader
from ansible.template import Templar

from ansible_collections.flowlogs.aws.plugins.module_utils._core.aws_environment import is_secret, session_settings
from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import Clients, botocore_session
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError
from ansible_collections.flowlogs.aws.plugins.plugin_utils._task_environment import (
    applied_environment,
    effective_environment,
    task_environment,
)

#: ansible-core 2.19 templates only strings trusted as templates (playbook text is); earlier versions all of them.
trusted = getattr(template, "trust_as_template", lambda value: value)
SECRET = "wJalrXUtnFEMI-secret-from-environment"
TOKEN = "FwoGZXIvYXdzE-token-from-environment"
AWS_VARIABLES = ("AWS_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


@pytest.fixture
def clean_env(monkeypatch):
    for name in (*AWS_VARIABLES, "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "FLOWLOGS_TEST_ADDED"):
        monkeypatch.delenv(name, raising=False)


class ProbeAction(ActionBase):
    def run(self, tmp=None, task_vars=None):
        return {}


def action_with(environment, variables=None):
    """A real ActionBase whose task carries ``environment`` (a list, as play/block/role/task leave it)."""
    task = Task()
    task.environment = environment
    connection = SimpleNamespace(_shell=shell_loader.get("sh"), transport="local")
    templar = Templar(loader=DataLoader(), variables=variables or {})
    return ProbeAction(task, connection, None, DataLoader(), templar, None)


def test_applies_then_restores_a_changed_variable_and_removes_an_added_one(clean_env, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    with applied_environment({"AWS_REGION": "eu-west-1", "FLOWLOGS_TEST_ADDED": "yes"}) as applied:
        assert (os.environ["AWS_REGION"], os.environ["FLOWLOGS_TEST_ADDED"]) == ("eu-west-1", "yes")
        assert applied.names == ("AWS_REGION", "FLOWLOGS_TEST_ADDED")
    assert os.environ["AWS_REGION"] == "us-east-1"
    assert "FLOWLOGS_TEST_ADDED" not in os.environ


def test_restores_when_the_block_raises(clean_env):
    with pytest.raises(RuntimeError), applied_environment({"AWS_REGION": "eu-west-1"}):
        raise RuntimeError("converge blew up")
    assert "AWS_REGION" not in os.environ


def test_an_empty_environment_changes_nothing(clean_env):
    before = dict(os.environ)
    with applied_environment({}) as applied:
        assert dict(os.environ) == before
    assert applied.names == ()
    assert dict(os.environ) == before


def test_ansibles_merge_later_entries_win_and_values_are_templated_text():
    """Play, block, role, task: Ansible's own merge (ActionBase._compute_environment_string), values as text."""
    action = action_with(
        [{"AWS_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": 3}, None, {"AWS_REGION": trusted("{{ target_region }}")}],
        variables={"target_region": "eu-west-1"},
    )
    assert effective_environment(action) == {"AWS_REGION": "eu-west-1", "AWS_MAX_ATTEMPTS": "3"}


def test_task_environment_sets_and_restores_the_tasks_environment(clean_env):
    action = action_with([{"AWS_REGION": "ap-south-1", "AWS_SECRET_ACCESS_KEY": SECRET}])
    with task_environment(action):
        assert (os.environ["AWS_REGION"], os.environ["AWS_SECRET_ACCESS_KEY"]) == ("ap-south-1", SECRET)
    assert "AWS_REGION" not in os.environ and "AWS_SECRET_ACCESS_KEY" not in os.environ


def test_what_it_yields_holds_no_secret_and_scrubs_them_from_a_result(clean_env):
    values = {"AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN, "AWS_REGION": "eu-west-1"}
    with applied_environment(values) as applied:
        scrubbed = applied.scrub({"msg": "refused " + SECRET, "nested": [{"token": TOKEN}], "region": "eu-west-1"})
    assert SECRET not in repr(vars(applied)) and TOKEN not in repr(vars(applied))
    assert SECRET not in repr(scrubbed) and TOKEN not in repr(scrubbed)
    assert scrubbed["region"] == "eu-west-1"  # not a secret: kept


def test_a_secret_already_in_the_process_is_not_the_tasks_to_scrub(clean_env, monkeypatch):
    """Only what the task's environment set is scrubbed; the result is returned as it is otherwise."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with applied_environment({"AWS_REGION": "eu-west-1"}) as applied:
        assert applied.scrub({"msg": "testing"}) == {"msg": "testing"}


@pytest.mark.parametrize(
    "name, secret",
    [
        ("AWS_SECRET_ACCESS_KEY", True),
        ("AWS_SESSION_TOKEN", True),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", True),
        ("aws_security_token", True),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", False),
        ("AWS_ACCESS_KEY_ID", False),
        ("AWS_PROFILE", False),
    ],
)
def test_which_variables_are_secrets(name, secret):
    assert is_secret(name) is secret


def test_session_settings_keep_settings_and_leave_credentials_out():
    environ = {
        "AWS_PROFILE": "x",
        "AWS_CONFIG_FILE": "/c",
        "AWS_WEB_IDENTITY_TOKEN_FILE": "/t",
        "AWS_ACCESS_KEY_ID": "AKID",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": TOKEN,
        "HOME": "/root",
    }
    assert session_settings(environ) == (
        ("AWS_CONFIG_FILE", "/c"),
        ("AWS_PROFILE", "x"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
    )


@pytest.fixture
def two_profiles(clean_env, monkeypatch, tmp_path):
    """A config and credentials file with a default profile and an ``envtest`` one, each its own keys."""
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[default]\nregion = us-west-2\n[profile envtest]\nregion = eu-west-1\n")
    credentials.write_text(
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n"
        "[envtest]\naws_access_key_id = AKIDENVTEST\naws_secret_access_key = s2\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))


def _target(clients):
    return clients.region, clients._credentials["aws_access_key_id"]


def test_a_profile_from_the_environment_gets_its_own_session_and_credentials(two_profiles):
    """botocore keeps the profile its credential chain was built for: a session made before the task's
    AWS_PROFILE must not be reused with it (region from one profile, keys from the other)."""
    assert _target(Clients({})) == ("us-west-2", "AKIDDEFAULT")
    before = botocore_session()
    with applied_environment({"AWS_PROFILE": "envtest"}):
        assert _target(Clients({})) == ("eu-west-1", "AKIDENVTEST")
        assert botocore_session() is not before
    assert botocore_session() is before
    assert _target(Clients({})) == ("us-west-2", "AKIDDEFAULT")


def test_every_setting_of_the_environment_reaches_the_clients_and_goes_with_it(two_profiles, tmp_path):
    """Region, endpoints (all services and one service), CA bundle, retries and keys, as a task would set them."""
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-")
    values = {
        "AWS_REGION": "ap-south-1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://127.0.0.1:5001",
        "AWS_CA_BUNDLE": str(bundle),
        "AWS_RETRY_MODE": "adaptive",
        "AWS_MAX_ATTEMPTS": "4",
        "AWS_ACCESS_KEY_ID": "AKIDTASK",
        "AWS_SECRET_ACCESS_KEY": SECRET,
    }
    with applied_environment(values):
        clients = Clients({})
        ec2, logs = clients("ec2"), clients("logs")
    assert (ec2.meta.region_name, ec2.meta.endpoint_url, logs.meta.endpoint_url) == (
        "ap-south-1",
        "http://127.0.0.1:5000",
        "http://127.0.0.1:5001",
    )
    assert ec2._endpoint.http_session._verify == str(bundle)  # pylint: disable=protected-access
    assert ec2.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 4}
    assert clients._credentials["aws_access_key_id"] == "AKIDTASK"
    after = Clients({"region": "eu-west-1"})
    assert after("ec2").meta.endpoint_url == "https://ec2.eu-west-1.amazonaws.com"
    assert after._credentials["aws_access_key_id"] == "AKIDDEFAULT"


def test_without_the_environment_there_is_no_region_again(clean_env, monkeypatch, tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with applied_environment({"AWS_REGION": "eu-west-1"}):
        assert Clients({}).region == "eu-west-1"
    with pytest.raises(AwsError, match="no region"):
        Clients({}).region  # noqa: B018  pylint: disable=expression-not-assigned
