"""Every IAM policy the collection ships or generates, linted with parliament (PyPI; the IAM policy linter
people run in their pipelines): nothing at MEDIUM or above, in the aws, aws-cn and aws-us-gov partitions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.bucket_rules import (
    bucket_statements,
    key_statement,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.policies import (
    delivery_policy_for,
    trust_policy_for,
)
from tests.support.paths import REPO

PARLIAMENT = Path(sys.executable).with_name("parliament")
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
ACCOUNT = "111111111111"
SEVERE = ("MEDIUM", "HIGH", "CRITICAL")
#: A trust policy is a resource policy: AWS forbids a Resource element there, parliament (made for identity
#: policies) reports its absence. That one finding is AWS's own rule, not a problem of the policy.
TRUST_POLICY_SHAPE = ("MALFORMED", "Statement contains neither Resource nor NotResource")
#: aws:SourceOrgID is a global condition key (IAM User Guide, "AWS global condition context keys", 2023) that
#: parliament 1.6's key list predates: that finding, for that key only, is parliament's gap, not the policy's.
SOURCE_ORG_ID_UNKNOWN = "Unknown condition aws:SourceOrgID for action "


def parliament(policy):
    """parliament's findings for one policy document: [(severity, issue, detail)]."""
    done = subprocess.run(
        [str(PARLIAMENT), "--string", json.dumps(policy), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr  # 1: findings; a crash is not
    findings = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return [(f["severity"], f["issue"], f.get("detail")) for f in findings]


def severe(findings, allowed=()):
    return [f for f in findings if f[0] in SEVERE and (f[1], f[2]) not in allowed and not _source_org_id(f)]


def _source_org_id(finding):
    return finding[1] == "UNKNOWN_CONDITION_FOR_ACTION" and str(finding[2]).startswith(SOURCE_ORG_ID_UNKNOWN)


#: Managing a bucket policy is flow_log_bucket's job, and IAM has no condition on what a PutBucketPolicy writes: who
#: may put the archive bucket's policy could grant itself its objects. parliament says so for each object action;
#: that is the one finding the bucket operator policy is allowed (the docs say to keep that role to the archive
#: account's pipeline), on the one bucket it names.
BUCKET_POLICY_WRITER = {
    "operator-policy-bucket.json": [
        (
            "RESOURCE_POLICY_PRIVILEGE_ESCALATION",
            "Possible resource policy privilege escalation on arn:aws:s3:::acme-flow-logs-archive due to s3:{} not "
            "being allowed, but does allow s3:PutBucketPolicy".format(action),
        )
        for action in ("PutObject", "GetObject", "DeleteObject")
    ]
}


@pytest.mark.parametrize("path", sorted((REPO / "docs").glob("operator-policy*.json")), ids=lambda p: p.name)
def test_shipped_operator_policies(path):
    findings = parliament(json.loads(path.read_text()))
    allowed = BUCKET_POLICY_WRITER.get(path.name, [])

    assert severe(findings, allowed) == []
    assert sorted((f[1], f[2]) for f in findings if f[0] in SEVERE) == sorted(allowed)  # no more, and no fewer


@pytest.mark.parametrize("partition", PARTITIONS)
def test_generated_delivery_policy(partition):
    policy = delivery_policy_for(ACCOUNT, ["vpc-flow-logs", "other/flows"], partition)

    assert severe(parliament(policy)) == []
    for statement in policy["Statement"]:
        if statement["Resource"] == "*":  # only what has no resource type may be granted on "*"
            assert statement["Action"] == ["logs:DescribeLogGroups"], statement


@pytest.mark.parametrize("partition", PARTITIONS)
@pytest.mark.parametrize("source_conditions", [True, False])
def test_generated_trust_policy(partition, source_conditions):
    policy = trust_policy_for(ACCOUNT, partition, source_conditions)

    assert severe(parliament(policy), allowed=[TRUST_POLICY_SHAPE]) == []


BUCKET_SCOPES = {
    "accounts": dict(source_accounts=[ACCOUNT, "222222222222"]),
    "organization": dict(source_org_id="o-a1b2c3d4e5"),
    "both, prefix, hive": dict(
        source_accounts=[ACCOUNT], source_org_id="o-a1b2c3d4e5", prefix="flows", hive_compatible_partitions=True
    ),
}


@pytest.mark.parametrize("partition", PARTITIONS)
@pytest.mark.parametrize("ownership", [None, "BucketOwnerEnforced"])
@pytest.mark.parametrize("scope", sorted(BUCKET_SCOPES))
def test_generated_bucket_policy(partition, ownership, scope):
    params = dict(name="acme-flow-logs-archive", **BUCKET_SCOPES[scope])
    policy = {"Version": "2012-10-17", "Statement": bucket_statements(params, partition, ownership)}

    assert severe(parliament(policy)) == []


@pytest.mark.parametrize("scope", sorted(BUCKET_SCOPES))
def test_generated_key_policy_statement(scope):
    policy = {"Version": "2012-10-17", "Statement": [key_statement(BUCKET_SCOPES[scope])]}

    # A key policy's Resource is always "*" (the key itself); parliament reports that at LOW only.
    assert severe(parliament(policy)) == []


def test_only_the_source_org_id_gap_is_excused():
    statement = dict(key_statement(BUCKET_SCOPES["organization"]))
    statement["Condition"] = {"StringEquals": {"aws:SourceOrgId2": "o-a1b2c3d4e5"}}

    assert [f[1] for f in severe(parliament({"Version": "2012-10-17", "Statement": [statement]}))] == [
        "UNKNOWN_CONDITION_FOR_ACTION"
    ] * 4


def test_the_lint_can_fail():
    """A policy with the mistakes the collection exists to fix is reported."""
    findings = parliament(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "logs:DescribeLogGroups",
                    "Resource": "arn:aws:logs:*:111111111111:log-group:x:*",
                }
            ],
        }
    )

    assert [f[1] for f in severe(findings)] == ["RESOURCE_MISMATCH"]


#: The calls of the analysis modules (flow_log_insights, flow_log_athena), as their AWS layer names them.
ANALYSIS_CALLS = {
    "glue.py": r'"(glue:\w+)"',
    "athena.py": r'"(athena:\w+)"',
    "logs.py": r'"(logs:\w*QueryDefinitions?)"',
    "cloudwatch.py": r'"(cloudwatch:\w*InsightRules?)"',
}
#: What the rules' tags take besides (shared with the alarms in cloudwatch.py).
RULE_TAG_CALLS = {"cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource"}
#: Actions AWS authorizes on no resource type (Service Authorization Reference): the only ones granted on "*".
NO_RESOURCE_TYPE = {
    "logs:DescribeQueryDefinitions",
    "logs:PutQueryDefinition",
    "logs:DeleteQueryDefinition",
    "cloudwatch:DescribeInsightRules",
}


def test_the_analysis_policy_grants_every_call_of_the_analysis_modules_and_scopes_the_rest():
    import re

    layer = REPO / "plugins" / "module_utils" / "_aws"
    calls = set(RULE_TAG_CALLS)
    for name, pattern in ANALYSIS_CALLS.items():
        calls.update(re.findall(pattern, (layer / name).read_text()))
    policy = json.loads((REPO / "docs" / "operator-policy-analysis.json").read_text())
    granted = {action for s in policy["Statement"] for action in s["Action"]}

    assert calls - granted == set()
    assert granted - calls == set()  # nothing the modules do not call
    for statement in policy["Statement"]:
        if statement["Resource"] == "*":
            assert set(statement["Action"]) <= NO_RESOURCE_TYPE, statement["Sid"]


def test_shipped_service_control_policy_protects_the_flow_logs():
    """docs/scp-protect-flow-logs.json (the destinations guide shows the same document): lint-clean, and it denies
    deleting flow logs and their groups - and lifting the groups' deletion protection - to all but the pipeline."""
    path = REPO / "docs" / "scp-protect-flow-logs.json"
    policy = json.loads(path.read_text())

    assert severe(parliament(policy)) == []
    denied = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/flowlogs-pipeline"}}
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        denied.update((action, resources) for action in actions)
    assert denied["ec2:DeleteFlowLogs"] == ["arn:aws:ec2:*:*:vpc-flow-log/*"]
    assert "arn:aws:logs:*:*:log-group:vpc-flow-logs" in denied["logs:DeleteLogGroup"]
    assert "logs:PutLogGroupDeletionProtection" in denied
    guide = (REPO / "docs" / "docsite" / "rst" / "destinations.rst").read_text()
    blocks = re.findall(r"^\.\. code-block:: json\n\n((?:    .*\n|\n)+)", guide, flags=re.MULTILINE)
    assert policy in [json.loads(textwrap.dedent(b)) for b in blocks]
