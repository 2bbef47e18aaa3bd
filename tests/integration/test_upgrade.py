"""A minor upgrade never needs a new permission: enable_flowlogs.yml converges under 1.0.0's documented operator
policy (tests/integration/fixtures/operator-policy-1.0.0.json), enforced by a proxy that answers every call the
policy does not allow with AWS's own AccessDenied; the optional steps that need more say so and fail nothing."""

from __future__ import annotations

import json

from tests.support import fleet
from tests.support.guardrail_proxy import GuardrailProxy
from tests.support.paths import REPO

HERE = REPO / "tests" / "integration"
POLICY_1_0 = json.loads((HERE / "fixtures" / "operator-policy-1.0.0.json").read_text())
ACCOUNTS = fleet.ACCOUNTS[:2]
REGIONS = ("us-east-1",)
#: The calls 1.1.0 made by default that 1.0.0's operator policy does not allow.
NEW_IN_1_1 = {"iam:ListRolePolicies", "logs:DescribeQueryDefinitions"}


def _enable(run_playbook, inventory, report_dir):
    done = run_playbook(
        REPO / "playbooks" / "enable_flowlogs.yml", dict(flow_logs_report_dir=str(report_dir)), inventory=inventory
    )
    return done, json.loads((report_dir / "flowlogs-report.json").read_text())


def test_enable_converges_under_the_1_0_operator_policy_and_says_what_it_left_out(aws, run_playbook, tmp_path):
    fleet.seed(aws.url, accounts=ACCOUNTS, regions=REGIONS)
    proxy = GuardrailProxy(aws.url).start()
    try:
        for account in ACCOUNTS:
            proxy.operator_policy(POLICY_1_0, account=account)
        # The README's inventory shape, flow_logs_insights_queries left unset as a user leaves it.
        inventory = fleet.write_inventory(
            tmp_path / "inventory.json", proxy.url, accounts=ACCOUNTS, regions=REGIONS, saved_queries=None
        )
        first, report = _enable(run_playbook, inventory, tmp_path)
        refused_first = proxy.refused_calls()
        second, again = _enable(run_playbook, inventory, tmp_path)
    finally:
        proxy.stop()

    assert first.rc == 0, str(first)
    assert set(refused_first) == NEW_IN_1_1, refused_first
    totals = report["totals"]
    assert (totals["targets_failed"], totals["compliant_after"]) == (0, totals["resources"]), totals
    by_target = {t["target"]: t for t in report["targets"]}
    for target in by_target.values():
        (unavailable,) = target["delivery"]["analysis"]["unavailable"]
        assert (unavailable["operation"], unavailable["code"]) == (
            "logs:DescribeQueryDefinitions",
            "AccessDeniedException",
        )
        assert (
            "saved queries not set up (logs:DescribeQueryDefinitions: AccessDeniedException)"
            in target["delivery"]["notes"]
        )
    # Account 111's hand-made role: its own policy scoped as 1.0.0 did; the attached one could not be listed.
    role = by_target[fleet.target_name(ACCOUNTS[0], REGIONS[0])]["delivery"]["role"]
    assert "put_role_policy" in role["actions"] and not role["purged_policies"]
    said = " ".join((first.stdout + first.stderr).split())  # warnings go to stderr, wrapped
    assert "its other policies were not checked - iam:ListRolePolicies was refused (AccessDenied)" in said
    assert "no saved queries on log group vpc-flow-logs" in said
    assert second.rc == 0, str(second)
    assert again["totals"]["targets_changed"] == 0, again["totals"]
