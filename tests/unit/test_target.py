"""One target in one task: which phases the tags select, which hosts the report covers, and the result a
failed target leaves (pure)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._connection import Clients
from ansible_collections.flowlogs.aws.plugins.module_utils._report import fleet_report, report_entries
from ansible_collections.flowlogs.aws.plugins.module_utils._target import PHASES, converge_target, selected_phases
from tests.unit.test_role_variables import GOOD

OWN = ("always",)
ALL = PHASES


@pytest.mark.parametrize(
    ("task_tags", "run_tags", "skip_tags", "expected"),
    [
        (OWN, ["all"], [], ALL),
        (OWN, None, None, ALL),
        (OWN, ["flow_logs"], [], ALL),
        (OWN, ["flow_logs_preflight"], [], ("preflight",)),
        (OWN, ["flow_logs_delivery"], [], ("preflight", "delivery")),
        # The VPCs to converge come from discovery, which only reads.
        (OWN, ["flow_logs_converge"], [], ("preflight", "discover", "converge")),
        (OWN, ["all"], ["flow_logs_alarms"], ("preflight", "discover", "delivery", "converge", "analysis")),
        (OWN, ["all"], ["flow_logs_delivery", "flow_logs_alarms"], ("preflight", "discover", "converge", "analysis")),
        (OWN, ["flow_logs_analysis"], [], ("preflight", "analysis")),
        (OWN, ["all"], ["flow_logs"], ()),
        # Another role's tag: this role's task is not selected.
        (OWN, ["nginx"], [], ()),
        # Tags the user put on the play or the role (inherited by the task) select and skip it whole.
        (("always", "network"), ["network"], [], ALL),
        (("always", "network"), ["all"], ["network"], ()),
        (("always", "network"), ["tagged"], [], ALL),
        (OWN, ["all"], ["all"], ()),
    ],
)
def test_phase_tags_select_and_skip_phases_inside_the_one_task(task_tags, run_tags, skip_tags, expected):
    assert selected_phases(task_tags, run_tags, skip_tags) == expected


RESULT = dict(result_version=1, target="a", status="changed", counts={})


@pytest.mark.parametrize(
    ("hosts", "active", "results", "expected"),
    [
        # Every host ran: all reported.
        (["a", "b"], ["a", "b"], {"a": RESULT, "b": RESULT}, ["a", "b"]),
        # b failed in the role's task: its failed result is reported.
        (["a", "b"], ["a"], {"a": RESULT, "b": dict(RESULT, status="failed")}, ["a", "b"]),
        # b failed before the role's task (no result): reported as failed.
        (["a", "b"], ["a"], {"a": RESULT}, ["a", "b"]),
        # b is in a later serial batch, or a tag skipped it: left out.
        (["a", "b"], ["a", "b"], {"a": RESULT}, ["a"]),
        (["a", "b"], ["a", "b"], {"a": RESULT, "b": dict(skipped=True)}, ["a"]),
    ],
)
def test_the_report_covers_the_hosts_that_ran_and_those_that_failed(hosts, active, results, expected):
    entries = report_entries(hosts, active, lambda h: (results.get(h), "eu-west-1", None))

    assert [e["target"] for e in entries] == expected


def test_a_host_that_failed_before_the_role_ran_is_a_failed_target():
    entries = report_entries(["a"], [], lambda h: (dict(failed=True, msg="undefined variable x"), "eu-west-1", None))

    report = fleet_report(entries)

    (target,) = report["targets"]
    assert (target["status"], target["error"]) == ("failed", "undefined variable x")
    assert report["totals"]["targets_failed"] == 1


def test_bad_variables_fail_before_any_aws_call_with_the_full_result():
    clients = Clients(dict(region="eu-west-1", endpoint_url="http://127.0.0.1:9"))  # nothing listens there
    variables = dict(GOOD, flow_logs_retention_in_days=31, flow_logs_account_id="111111111111")

    result = converge_target(clients, variables, "prod-eu-west-1", problems=None)

    assert result["failed"] is True and result["status"] == "failed"
    assert result["failed_phase"] == "preflight"
    assert result["msg"].startswith("Preflight failed: flow_logs_retention_in_days: 31 is not allowed")
    assert clients.stats == dict(calls=0, retries=0)
    assert (result["result_version"], result["target"], result["account_id"]) == (1, "prod-eu-west-1", "111111111111")
    assert result["vpcs"] == [] and result["counts"]["api_calls"] == 0


def test_a_shared_vpc_is_reported_not_owned_and_left_out_of_the_counts():
    from ansible_collections.flowlogs.aws.plugins.module_utils._report import target_result

    before = dict(
        account_id="111111111111",
        vpcs=[
            dict(vpc_id="vpc-0000000a", verdict="missing", reason="no flow log to g"),
            dict(vpc_id="vpc-0000000b", verdict="not_owned", reason="shared with this account by 999999999999"),
        ],
    )
    flow_logs = dict(flow_logs=[dict(resource_id="vpc-0000000a", action="created", after=dict(flow_log_id="fl-1"))])

    result = target_result("t", "eu-west-1", "111111111111", "present", dict(before=before, flow_logs=flow_logs))

    actions = {row["vpc_id"]: (row["action"], row["after"]["verdict"]) for row in result["vpcs"]}
    assert actions == {"vpc-0000000a": ("created", "compliant"), "vpc-0000000b": ("not_owned", "not_owned")}
    assert (result["counts"]["vpcs"], result["counts"]["compliant_after"], result["counts"]["not_owned"]) == (1, 1, 1)
