"""The report's compliance - what a pipeline gates on - and the words of a prediction (pure)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import (
    compliance,
    compliance_failure,
    converge_report,
    fleet_report,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._report.table import summary_table


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
                    by_verdict=dict(mismatched=1, missing=1), targets_failed=0)),
        # A real run judges them as it left them.
        (False, dict(judged="after the run", resources=3, compliant=2, noncompliant=1,
                     by_verdict=dict(delivery_failed=1), targets_failed=0)),
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
