"""The role's three tasks: their tags, which hosts the report covers, and the result a failed target leaves
(pure)."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.flowlogs.aws.plugins.action.flow_logs_result import TASK_TAGS
from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import fleet_report, report_entries
from ansible_collections.flowlogs.aws.plugins.module_utils._role.task import role_task
from ansible_collections.flowlogs.aws.plugins.module_utils._role.variables import read_target
from ansible_collections.flowlogs.aws.plugins.plugin_utils._role_task import selected
from tests.support.paths import REPO
from tests.unit.test_role_variables import GOOD

TASKS = REPO / "roles" / "flow_logs" / "tasks"
#: The phase tags, fixed names (DESIGN.md section 8), in the order the role runs them.
PHASE_TAGS = [
    "flow_logs_preflight",
    "flow_logs_discover",
    "flow_logs_delivery",
    "flow_logs_converge",
    "flow_logs_alarms",
    "flow_logs_analysis",
]


def _module_of(task):
    return next(k for k in task if k.startswith("flowlogs.aws."))


def test_the_role_is_four_visible_phase_tasks_with_the_phase_tags_then_the_result_per_host():
    main = yaml.safe_load((TASKS / "main.yml").read_text())

    found = [(_module_of(t), t.get("register"), t["tags"], t.get("run_once", False)) for t in main]

    assert found == [
        (
            "flowlogs.aws.flow_logs_discover",
            "flow_logs_discovery",
            ["flow_logs", "flow_logs_preflight", "flow_logs_discover"],
            True,
        ),
        ("flowlogs.aws.flow_logs_delivery", None, ["flow_logs", "flow_logs_delivery"], True),
        ("flowlogs.aws.flow_logs_converge", None, ["flow_logs", "flow_logs_converge"], True),
        ("flowlogs.aws.flow_logs_monitor", None, ["flow_logs", "flow_logs_alarms", "flow_logs_analysis"], True),
        ("flowlogs.aws.flow_logs_result", "flow_logs_result", ["always", "flow_logs_result"], False),
    ]
    assert [tag for entry in found for tag in entry[2] if tag in PHASE_TAGS] == PHASE_TAGS


@pytest.mark.parametrize("entry_point", ["main", "discover", "converge", "monitor"])
def test_each_entry_point_ends_with_the_result_of_its_own_phases_whose_tags_the_result_task_knows(entry_point):
    tasks = yaml.safe_load((TASKS / (entry_point + ".yml")).read_text())
    phases, result = tasks[:-1], tasks[-1]
    names = [_module_of(t).split("flow_logs_", 1)[1] for t in phases]

    assert _module_of(result) == "flowlogs.aws.flow_logs_result"
    assert ((result["flowlogs.aws.flow_logs_result"] or {}).get("tasks") or list(TASK_TAGS)) == names
    assert [tuple(t["tags"]) for t in phases] == [TASK_TAGS[n] for n in names]


@pytest.mark.parametrize(
    ("tags", "only", "skip", "expected"),
    [
        (["flow_logs", "flow_logs_converge"], ["all"], [], True),
        (["flow_logs", "flow_logs_converge"], ["flow_logs_discover"], [], False),
        (["flow_logs", "flow_logs_converge"], ["flow_logs_converge"], [], True),
        (["flow_logs", "flow_logs_converge"], ["all"], ["flow_logs_converge"], False),
        (["flow_logs", "flow_logs_converge"], ["tagged"], [], True),
        (["flow_logs", "flow_logs_converge"], ["all"], ["tagged"], False),
        (["always"], ["flow_logs_discover"], [], True),
        (["always"], ["all"], ["all"], True),
        (["always"], ["all"], ["always"], False),
        (["never", "x"], ["all"], [], False),
    ],
)
def test_the_result_task_judges_tags_as_ansible_does(tags, only, skip, expected):
    assert selected(tags, only, skip) is expected


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
    variables = dict(GOOD, flow_logs_retention_in_days=31, flow_logs_account_id="111111111111")

    for task in ("discover", "converge", "monitor"):
        result, carried = role_task(task, read_target(variables), "prod-eu-west-1", carried={"kept": True})
        assert carried == {"kept": True}  # nothing ran: what the previous task left stays

    assert result["failed"] is True and result["status"] == "failed"
    assert result["failed_phase"] == "preflight"
    assert result["msg"].startswith("Preflight failed: flow_logs_retention_in_days: must be one of: 0, 1, 3, ")
    assert (result["result_version"], result["target"], result["account_id"]) == (1, "prod-eu-west-1", "111111111111")
    assert result["vpcs"] == [] and result["counts"]["api_calls"] == 0


def test_a_shared_vpc_is_reported_not_owned_and_left_out_of_the_counts():
    from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import target_result

    before = dict(
        account_id="111111111111",
        vpcs=[
            dict(vpc_id="vpc-0000000a", verdict="missing", reason="no flow log to g"),
            dict(vpc_id="vpc-0000000b", verdict="not_owned", reason="shared with this account by 999999999999"),
        ],
    )
    created = dict(resource_id="vpc-0000000a", action="created", after=dict(flow_log_id="fl-1"), verdict="compliant")
    flow_logs = dict(flow_logs=[created])

    result = target_result("t", "eu-west-1", "111111111111", "present", dict(before=before, flow_logs=flow_logs))

    actions = {row["vpc_id"]: (row["action"], row["after"]["verdict"]) for row in result["vpcs"]}
    assert actions == {"vpc-0000000a": ("created", "compliant"), "vpc-0000000b": ("not_owned", "not_owned")}
    assert (result["counts"]["vpcs"], result["counts"]["compliant_after"], result["counts"]["not_owned"]) == (1, 1, 1)


DENIAL = dict(
    cause="ec2:DescribeVpcs denied by a service control policy of the organisation",
    fix="no permission of this account can lift it",
)
DENIED_ERROR = "ec2:DescribeVpcs failed in account 111111111111, region eu-west-1: UnauthorizedOperation: ..."


@pytest.mark.parametrize("on_denied", ["skip", "fail"])
def test_a_target_denied_by_an_earlier_task_makes_no_call_and_stays_denied(on_denied):
    """The discover task met the denial; with skip the later tasks run, and must neither call AWS again nor report the
    target unchanged (with fail, Ansible stops the host: a later task that runs anyway still fails)."""
    variables = dict(GOOD, flow_logs_on_denied=on_denied, flow_logs_account_id="111111111111")
    carried = dict(denied=dict(denial=DENIAL, error=DENIED_ERROR, phase="discover"), phases=["preflight", "discover"])

    for task in ("converge", "monitor"):
        result, kept = role_task(task, read_target(variables), "t", carried=carried)

        assert (result["status"], result["denial"], result["error"]) == ("denied", DENIAL, DENIED_ERROR)
        assert (result["failed_phase"], result["phases"], result["counts"]["api_calls"]) == (
            "discover",
            ["preflight", "discover"],
            0,
        )
        assert result.get("failed", False) is (on_denied == "fail")
        assert "warnings" not in result  # the task that met the denial said it
        assert kept["denied"] == carried["denied"]


def test_a_denied_target_whose_host_failed_is_reported_denied_not_stopped():
    """flow_logs_on_denied: fail stops the host after the task that met the denial: still denied, with AWS's words."""
    result = dict(
        RESULT,
        account_id="111111111111",
        region="eu-west-1",
        status="denied",
        error=DENIED_ERROR,
        denial=DENIAL,
        counts=dict(vpcs=0),
        vpcs=[],
        failed=True,
    )
    entries = report_entries(["a"], [], lambda h: (result, "eu-west-1", "111111111111"))

    report = fleet_report(entries)

    (target,) = report["targets"]
    assert (target["status"], target["error"], target["denial"]) == ("denied", DENIED_ERROR, DENIAL)
    assert (report["totals"]["targets_denied"], report["totals"]["targets_failed"]) == (1, 0)
