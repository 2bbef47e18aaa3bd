"""A target's assumed-role session kept between the role's tasks (plugins/module_utils/_core/sessions.py) in the run's
cache (plugins/plugin_utils/_run_cache.py): used by the same target for the same request while it has more than five
minutes left, in files only their owner can read."""

from __future__ import annotations

import datetime
import os
import stat

from ansible_collections.flowlogs.aws.plugins.module_utils._core.sessions import SessionStore
from ansible_collections.flowlogs.aws.plugins.plugin_utils._run_cache import RunCache

NOW = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.timezone.utc)
REQUEST = dict(RoleArn="arn:aws:iam::111111111111:role/OrganizationAccountAccessRole", RoleSessionName="flowlogs-aws")
IDENTITY = dict(account="111111111111", arn="arn:aws:sts::111111111111:assumed-role/x/flowlogs-aws", partition="aws")
CREDENTIALS = dict(aws_access_key_id="ASIA", aws_secret_access_key="secret", aws_session_token="token")


def store(tmp_path, target="acct-a-eu-west-1", minutes_later=0):
    return SessionStore(RunCache(str(tmp_path)), target, now=lambda: NOW + datetime.timedelta(minutes=minutes_later))


def test_a_kept_session_is_used_by_the_same_target_for_the_same_request(tmp_path):
    store(tmp_path).save(REQUEST, "us-east-1", IDENTITY, CREDENTIALS, NOW + datetime.timedelta(hours=1))

    kept = store(tmp_path, minutes_later=54).load(REQUEST, "us-east-1")

    assert (kept["identity"], kept["credentials"]) == (IDENTITY, CREDENTIALS)
    assert store(tmp_path, target="acct-a-us-east-1").load(REQUEST, "us-east-1") is None
    assert store(tmp_path).load(dict(REQUEST, ExternalId="x"), "us-east-1") is None
    assert store(tmp_path).load(REQUEST, "eu-west-1") is None


def test_a_session_with_less_than_five_minutes_left_is_not_used(tmp_path):
    store(tmp_path).save(REQUEST, "us-east-1", IDENTITY, CREDENTIALS, NOW + datetime.timedelta(hours=1))

    assert store(tmp_path, minutes_later=56).load(REQUEST, "us-east-1") is None


def test_a_session_without_expiration_is_not_kept(tmp_path):
    store(tmp_path).save(REQUEST, "us-east-1", IDENTITY, CREDENTIALS, None)

    assert store(tmp_path).load(REQUEST, "us-east-1") is None


def test_the_run_cache_files_are_readable_by_their_owner_only(tmp_path):
    store(tmp_path).save(REQUEST, "us-east-1", IDENTITY, CREDENTIALS, "2026-12-07T13:00:00+00:00")

    files = list(tmp_path.iterdir())
    assert len(files) == 1 and not files[0].name.endswith(".tmp")
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
