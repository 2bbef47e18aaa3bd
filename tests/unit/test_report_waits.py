"""The fleet report carries the waits for new delivery roles and the AWS error of a failed target (#19)."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError
from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import fleet_report, target_result
from ansible_collections.flowlogs.aws.plugins.module_utils._report.table import summary_table


def converged(role_retries, role_wait_seconds):
    """A flow-log converge's result, as converge_flow_logs returns it (what the report reads of it)."""
    return dict(
        changed=True,
        flow_logs=[],
        counts={},
        failures=[],
        role_retries=role_retries,
        role_wait_seconds=role_wait_seconds,
    )


def result(name, steps, error=None, aws_error=None):
    return target_result(
        target=name,
        region="eu-west-1",
        account_id="111111111111",
        state="present",
        steps=steps,
        error=error,
        aws_error=aws_error,
    )


def test_the_waits_for_a_new_delivery_role_are_counted_per_target_and_in_the_totals():
    waited = result("a", {"flow_logs:VPC:logs": converged(2, 6.0), "flow_logs:TransitGateway:logs": converged(1, 2)})
    quiet = result("b", {"flow_logs:VPC:logs": converged(0, 0)})

    assert (waited["counts"]["role_waits"], waited["counts"]["role_wait_seconds"]) == (3, 8.0)
    report = fleet_report([dict(target=t["target"], result=t) for t in (waited, quiet)], "enable")
    assert (report["totals"]["role_waits"], report["totals"]["role_wait_seconds"]) == (3, 8.0)
    assert "Waited for new delivery roles (IAM propagation): 3 CreateFlowLogs retries, 8 s in all" in "\n".join(
        summary_table(report)
    )


def test_no_wait_no_line():
    report = fleet_report([dict(target="b", result=result("b", {"flow_logs:VPC:logs": converged(0, 0)}))], "enable")

    assert report["totals"]["role_waits"] == 0
    assert not [line for line in summary_table(report) if line.startswith("Waited")]


def test_a_failed_target_keeps_the_aws_error_and_a_succeeded_one_has_none():
    exc = AwsError(
        "ec2:CreateFlowLogs",
        "UnauthorizedOperation",
        "You are not authorized to perform this operation. User: arn:aws:sts::111111111111:assumed-role/R/s is not "
        "authorized to perform: iam:PassRole on resource: arn:aws:iam::111111111111:role/d "
        "Encoded authorization failure message: abc123",
    )

    failed = result("a", {}, error=str(exc), aws_error=exc.as_dict())
    fine = result("b", {}, aws_error=exc.as_dict())

    assert failed["aws_error"]["missing_permission"] == "iam:PassRole"
    assert "abc123" not in failed["error"]
    assert fine["aws_error"] is None
