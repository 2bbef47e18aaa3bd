"""The role's phase tasks run once for the play's batch: the batch's threads, each group of hosts under its own task
environment, and the summary the phase task returns (pure)."""

from __future__ import annotations

import os
import threading

from ansible_collections.flowlogs.aws.plugins.plugin_utils import _role_batch as batch
from ansible_collections.flowlogs.aws.plugins.plugin_utils._role_batch import BatchHost, batch_summary, run_batch

PLAN = dict(created=1, replaced=1, updated=0, deleted=0, unchanged=2, replacing=["vpc-1"])


def host(name, environment=None):
    return BatchHost(name, dict(environment=environment or {}), None)


def test_each_host_runs_under_its_own_environment_and_the_answers_keep_the_batch_order(monkeypatch):
    monkeypatch.setattr(batch, "concurrency", lambda: 3)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    hosts = [host("a", {"AWS_PROFILE": "one"}), host("b"), host("c", {"AWS_PROFILE": "one"}), host("d", {})]
    seen, threads = {}, set()

    def run_one(h, scrub):
        seen[h.name] = os.environ.get("AWS_PROFILE")
        threads.add(threading.get_ident())
        return dict(name=h.name, scrubbed=scrub({"v": "x"}))

    answers = run_batch(hosts, run_one, lambda h: h.variables["environment"])

    assert list(answers) == ["a", "b", "c", "d"]
    assert seen == {"a": "one", "b": None, "c": "one", "d": None}
    assert "AWS_PROFILE" not in os.environ  # put back as it was
    assert answers["a"]["scrubbed"] == {"v": "x"}


def test_a_secret_of_a_hosts_environment_is_masked_in_its_answer(monkeypatch):
    monkeypatch.setattr(batch, "concurrency", lambda: 2)
    hosts = [host("a", {"AWS_SECRET_ACCESS_KEY": "s3cr3t-value"})]

    answers = run_batch(
        hosts, lambda h, scrub: scrub(dict(msg="key s3cr3t-value")), lambda h: h.variables["environment"]
    )

    assert "s3cr3t-value" not in str(answers)


def test_the_summary_counts_the_targets_and_the_discovery_sums_their_plans():
    results = {
        "a": dict(changed=False, plan=PLAN),
        "b": dict(changed=True, failed=True, msg="Discover failed: AccessDenied", plan=None),
        "c": dict(changed=False, plan=dict(PLAN, replacing=["vpc-2", "vpc-1"])),
    }

    converge = batch_summary("converge", results, ["d"], 250000)
    discover = batch_summary("discover", results, [], 250000)

    assert (converge["targets"], converge["targets_changed"], converge["targets_failed"]) == (3, 1, ["b"])
    assert converge["targets_left"] == ["d"] and converge["changed"] is True
    assert "plan" not in converge and "by_target" not in converge
    assert discover["plan"] == dict(
        created=2, replaced=2, updated=0, deleted=0, unchanged=4, replacing=["vpc-1", "vpc-2"]
    )
    assert discover["by_target"]["b"] == dict(plan=None, failed=True, msg="Discover failed: AccessDenied")
    assert discover["by_target"]["a"] == dict(plan=PLAN, failed=False)


def test_the_discovery_leaves_out_each_targets_plan_above_the_limit_and_says_so():
    results = {"t{}".format(i): dict(changed=False, plan=PLAN) for i in range(50)}

    small = batch_summary("discover", results, [], 2000)

    assert small["by_target"] == {} and "flow_logs_result_max_bytes" in small["compact"]["note"]
    assert small["plan"]["unchanged"] == 100  # the totals stay
    assert batch_summary("discover", results, [], 0)["by_target"]  # 0: never compact


def test_the_batch_runs_as_many_targets_at_a_time_as_the_runs_forks(monkeypatch):
    monkeypatch.setattr(batch.context, "CLIARGS", {"forks": 7})
    assert batch.concurrency() == 7
    monkeypatch.setattr(batch.context, "CLIARGS", {})
    assert batch.concurrency() >= 1


class _Task:
    when = []
    connection = None


class _Templar:
    @staticmethod
    def template(value):
        return value


def test_a_host_runs_in_the_batch_with_a_local_connection_and_flow_logs_batch_not_false():
    def runs(**variables):
        return batch._runs_in_batch(_Task(), _Templar(), variables)  # pylint: disable=protected-access

    assert runs(ansible_connection="local") and runs(ansible_connection="ansible.builtin.local")
    assert runs(ansible_connection="local", flow_logs_batch=None)  # null: unset, the default
    assert not runs(ansible_connection="local", flow_logs_batch="no")
    assert not runs(ansible_connection="local", flow_logs_batch=False)
    assert not runs(ansible_connection="ssh") and not runs()  # no connection variable: Ansible's default, ssh
