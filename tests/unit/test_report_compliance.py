"""The report's compliance - what a pipeline gates on - and the words of a prediction (pure)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import verdict_for
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.converge import converge_flow_logs
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import AUDIT, flow_log_spec
from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import (
    compliance,
    compliance_failure,
    converge_report,
    fleet_report,
    target_result,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._report.table import summary_table
from tests.unit.conftest import ACCOUNT, StubbedClients


def row(resource, before, after, action="created", destination="logs:vpc-flow-logs", kind="VPC"):
    return dict(
        vpc_id=resource,
        resource_id=resource,
        resource_type=kind,
        destination=destination,
        action=action,
        before=dict(verdict=before),
        after=dict(verdict=after),
        changed_fields=[],
        error=None,
    )


def entry(target, *rows, status="changed"):
    counts = dict(
        created=0, replaced=0, updated=0, deleted=0, unchanged=0, failed=0, not_run=0, not_owned=0,
        resources=len({r["resource_id"] for r in rows}), vpcs=len(rows), compliant_before=0, compliant_after=0,
        api_calls=0, api_retries=0,
    )  # fmt: skip
    result = dict(result_version=1, target=target, account_id="111111111111", region="eu-west-1", status=status)
    return dict(target=target, result=dict(result, vpcs=list(rows), counts=counts, delivery={}))


FLEET = [
    entry("a", row("vpc-1", "missing", "compliant"), row("vpc-2", "compliant", "compliant", action="unchanged")),
    # vpc-3: compliant at one destination, mismatched at the other: the resource is not compliant.
    entry(
        "b",
        row("vpc-3", "compliant", "compliant", action="unchanged"),
        row("vpc-3", "mismatched", "delivery_failed", action="replaced", destination="s3:archive"),
        row("vpc-9", "not_owned", "not_owned", action="not_owned"),
    ),
]


@pytest.mark.parametrize(
    ("check_mode", "expected"),
    [
        # A prediction (audit, --check) judges the resources as they are now.
        (True, dict(judged="current state", resources=3, compliant=1, noncompliant=2,
                    by_verdict=dict(mismatched=1, missing=1), targets_failed=0, targets_denied=0)),
        # A real run judges them as it left them.
        (False, dict(judged="after the run", resources=3, compliant=2, noncompliant=1,
                     by_verdict=dict(delivery_failed=1), targets_failed=0, targets_denied=0)),
    ],
)  # fmt: skip
def test_a_resource_is_compliant_when_it_is_at_every_destination(check_mode, expected):
    assert compliance(fleet_report(FLEET, "audit", check_mode=check_mode)) == expected


def test_a_disable_report_has_no_compliance_to_gate_on():
    assert fleet_report(FLEET, "disable")["compliance"] is None
    assert compliance_failure(None) is None


def test_the_failure_names_the_count_the_verdicts_the_failed_targets_and_the_switch():
    found = dict(compliance(fleet_report(FLEET, "audit", check_mode=True)), targets_failed=1)

    assert compliance_failure(found) == (
        "2 of 3 resources in scope are not compliant (current state) - mismatched 1, missing 1, and 1 target(s) "
        "failed: see flowlogs-report.json (fail_on_noncompliant, flow_logs_fail_on_noncompliant)"
    )
    assert compliance_failure(dict(found, noncompliant=0, targets_failed=0, by_verdict={})) is None


@pytest.mark.parametrize("switch", [True, False])
def test_fail_on_noncompliant_fails_the_report_task_after_writing_it(tmp_path, switch):
    params = dict(targets=FLEET, mode="audit", predicted=True, dest=str(tmp_path), fail_on_noncompliant=switch)

    found = converge_report(None, params)

    assert bool(found.get("failed")) is switch
    assert (tmp_path / "flowlogs-report.json").exists()  # written either way
    assert found["report"]["compliance"]["noncompliant"] == 2


def test_a_prediction_says_would_create_and_would_change_a_run_says_created_and_changed():
    predicted = "\n".join(summary_table(fleet_report(FLEET, "audit", check_mode=True)))
    done = "\n".join(summary_table(fleet_report(FLEET, "enable")))

    assert "WOULD CREATE" in predicted and "WOULD REPLACE" in predicted and "would change" in predicted
    assert "2 would change, 0 failed" in predicted
    assert "Compliance (current state): 1 of 3 resources compliant - not: mismatched 1, missing 1" in predicted
    assert "CREATED" in done and "would" not in done
    assert "Compliance (after the run): 2 of 3 resources compliant - not: delivery_failed 1" in done


# ---- The after verdict: judged by the audit's judge(), through the flow-log converge, not inferred from the action

ROLE = "arn:aws:iam::{}:role/flow-logs-delivery".format(ACCOUNT)
OPTIONS = dict(
    resource_type="VPC",
    destination_type="cloud-watch-logs",
    log_group_name="vpc-flow-logs",
    deliver_logs_role_arn=ROLE,
    traffic_type="ALL",
    max_aggregation_interval=600,
)


def flow_log(traffic="ALL", status="SUCCESS", group="vpc-flow-logs"):
    return dict(
        flow_log_id="fl-0123456789abcdef0",
        resource_id="vpc-0000000a",
        traffic_type=traffic,
        log_destination_type="cloud-watch-logs",
        log_group_name=group,
        log_destination=None,
        deliver_logs_role_arn=ROLE,
        deliver_cross_account_role=None,
        max_aggregation_interval=600,
        log_format=None,
        destination_options=None,
        tag_fields=None,
        deliver_logs_status=status,
        creation_time="2026-01-01T00:00:00Z",
        tags={},
    )


FAILING = flow_log(status="FAILED")


def converged(stubbed, existing, state="present", delivery=(), failed=False, error=None):
    """The row of vpc-0000000a in its target's result: the before judged by the audit, the converge (check mode,
    as a fleet target's: predicted, not read back) on the same flow logs, the delivery role's actions."""
    options = dict(OPTIONS, state=state)
    verdict, reason, _fields = verdict_for(flow_log_spec(options, AUDIT), existing)
    before = dict(account_id=ACCOUNT, vpcs=[dict(vpc_id="vpc-0000000a", verdict=verdict, reason=reason)])
    ec2, _stubber = stubbed("ec2")  # no call: the converge plans from the flow logs given
    found = converge_flow_logs(
        StubbedClients(ec2=ec2), dict(options, resource_ids=["vpc-0000000a"]), check_mode=True, existing=existing
    )
    if failed:  # as the converge reports a resource AWS refused
        found["flow_logs"][0].update(action="failed", verdict=None, error=dict(code="Throttling", message="slow"))
    steps = dict(before=before, role=dict(changed=bool(delivery), actions=list(delivery)))
    if error is None:
        steps["flow_logs"] = found
    (row,) = target_result("t", "eu-west-1", ACCOUNT, state, steps, error=error)["vpcs"]
    return row["before"]["verdict"], row["action"], row["after"]["verdict"]


@pytest.mark.parametrize(
    ("existing", "kwargs", "expected"),
    [
        ([], {}, ("missing", "created", "compliant")),
        ([flow_log(group="another-team")], {}, ("missing", "created", "compliant")),  # theirs stays, ours is made
        ([flow_log(traffic="REJECT")], {}, ("mismatched", "replaced", "compliant")),
        ([flow_log()], {}, ("compliant", "unchanged", "compliant")),
        # Replacing a flow log whose delivery FAILED would not help: the role or the log group needs the fix...
        ([FAILING], {}, ("delivery_failed", "unchanged", "delivery_failed")),
        # ... which the target's delivery step made (tagging the role is no fix): the flow log delivers again.
        ([FAILING], dict(delivery=["update_trust_policy"]), ("delivery_failed", "unchanged", "compliant")),
        ([FAILING], dict(delivery=["create_role"]), ("delivery_failed", "unchanged", "compliant")),
        ([FAILING], dict(delivery=["tag_role"]), ("delivery_failed", "unchanged", "delivery_failed")),
        # disable: no flow log to the destination is left
        ([flow_log()], dict(state="absent"), ("compliant", "deleted", "missing")),
        ([flow_log(group="another-team")], dict(state="absent"), ("missing", "unchanged", "missing")),
        # a resource the converge failed on, or never reached, is as it was
        ([flow_log(traffic="REJECT")], dict(failed=True), ("mismatched", "failed", "mismatched")),
        ([], dict(error="Flow logs failed: Throttling"), ("missing", "not_run", "missing")),
    ],
)  # fmt: skip
def test_the_after_verdict_is_the_one_the_converge_judged(stubbed, existing, kwargs, expected):
    assert converged(stubbed, existing, **kwargs) == expected
