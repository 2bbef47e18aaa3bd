"""Credentials that may not do everything: the targets they fail are named with what was refused, and
the rest of the fleet converges.

moto enforces IAM only for the whole server (``POST /moto-api/reset-auth``), so this file runs its own
moto server: the other tests share one with enforcement off. Everything is seeded with enforcement off;
then only real IAM identities of that server work: an operator user whose keys run the playbook, and in
every target account the role the operator assumes.
"""

from __future__ import annotations

import json
import urllib.request

import boto3
import pytest

from tests.integration.test_fleet import PLAYBOOKS, recap
from tests.support import fleet, motoctl

OPERATOR = "flowlogs-operator"
OPERATOR_ACCOUNT = "123456789012"
#: The operator may not assume the access role of this account.
NO_ASSUME = dict(account="444444444444", region="eu-west-1")
#: The access role of this account may do everything the role needs except ec2:CreateFlowLogs.
NO_CREATE = dict(account="555555555555", region="us-east-1")
NO_ASSUME_TARGET = fleet.target_name(NO_ASSUME["account"], NO_ASSUME["region"])
NO_CREATE_TARGET = fleet.target_name(NO_CREATE["account"], NO_CREATE["region"])
FAILING = {NO_ASSUME_TARGET: NO_ASSUME, NO_CREATE_TARGET: NO_CREATE}
CONVERGING = [fleet.target_name(a, r) for a in fleet.ACCOUNTS for r in fleet.REGIONS]
ALL_ACCOUNTS = (*fleet.ACCOUNTS, NO_ASSUME["account"], NO_CREATE["account"])
#: Everything the role calls, except creating flow logs.
WITHOUT_CREATE_FLOW_LOGS = [
    "ec2:Describe*",
    "ec2:DeleteFlowLogs",
    "ec2:CreateTags",
    "ec2:DeleteTags",
    "logs:*",
    "iam:*",
]


def access_role_arn(account):
    return "arn:aws:iam::{}:role/{}".format(account, fleet.ACCESS_ROLE)


def allow(actions, resources="*"):
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}]}
    )


def enforce_iam(url, on):
    """moto's switch: IAM is enforced after this many more requests (0: now; inf: never)."""
    request = urllib.request.Request(
        url + "/moto-api/reset-auth",
        data=b"0" if on else b"inf",
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def seed_access(url):
    """The operator user (its keys run the playbook) and, in every target account, the role it assumes."""
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::{}:root".format(OPERATOR_ACCOUNT)},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    for account in ALL_ACCOUNTS:
        iam = fleet.session(url, account, "us-east-1").client("iam", endpoint_url=url)
        iam.create_role(RoleName=fleet.ACCESS_ROLE, AssumeRolePolicyDocument=trust)
        actions = WITHOUT_CREATE_FLOW_LOGS if account == NO_CREATE["account"] else ["*"]
        iam.put_role_policy(RoleName=fleet.ACCESS_ROLE, PolicyName="access", PolicyDocument=allow(actions))
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", **fleet.FAKE)
    iam.create_user(UserName=OPERATOR)
    assumable = [access_role_arn(a) for a in ALL_ACCOUNTS if a != NO_ASSUME["account"]]
    iam.put_user_policy(UserName=OPERATOR, PolicyName="assume", PolicyDocument=allow("sts:AssumeRole", assumable))
    key = iam.create_access_key(UserName=OPERATOR)["AccessKey"]
    return dict(AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])


def seed_vpcs(url, target, count=2):
    ec2 = fleet.session(url, target["account"], target["region"]).client("ec2", endpoint_url=url)
    return [ec2.create_vpc(CidrBlock="10.9{}.0.0/24".format(i))["Vpc"]["VpcId"] for i in range(count)]


def inventory_with_failing_targets(path, url):
    fleet.write_inventory(path, url)
    inventory = json.loads(path.read_text())
    hosts = inventory["all"]["children"]["flow_logs_targets"]["hosts"]
    for name, target in FAILING.items():
        hosts[name] = dict(
            flow_logs_region=target["region"],
            flow_logs_account_id=target["account"],
            flow_logs_assume_role_arn=access_role_arn(target["account"]),
            flow_logs_endpoint_url=url,
            flow_logs_insights_queries=False,  # moto has no saved Logs Insights queries
        )
    path.write_text(json.dumps(inventory, indent=2))
    return path


@pytest.fixture(scope="module")
def auth_moto(tmp_path_factory):
    """A moto server of this file's own: IAM enforcement is server-wide."""
    state = tmp_path_factory.mktemp("moto-iam")
    url = motoctl.start(state)
    yield url
    motoctl.stop(state)


def test_refused_targets_are_named_and_the_rest_converge(auth_moto, run_playbook, tmp_path):
    url = auth_moto
    planted = fleet.seed(url)
    failing_vpcs = {name: seed_vpcs(url, target) for name, target in FAILING.items()}
    operator = seed_access(url)
    inventory = inventory_with_failing_targets(tmp_path / "inventory.json", url)
    report_dir = tmp_path / "report"
    before = fleet.snapshot(url, accounts=ALL_ACCOUNTS)

    enforce_iam(url, on=True)
    try:
        result = run_playbook(
            PLAYBOOKS / "enable_flowlogs.yml",
            dict(flow_logs_report_dir=str(report_dir)),
            args=("--forks", "10"),
            inventory=inventory,
            env=operator,
        )
    finally:
        enforce_iam(url, on=False)

    # The run fails, and only because of the two refused targets: each fails its own host (failed=1 on
    # its recap line, as AWX counts them), every other host succeeded, and the report names exactly those two.
    assert result.rc != 0, str(result)
    stats = recap(result.stdout)
    assert {h: stats[h]["failed"] for h in [*CONVERGING, *FAILING]} == {
        **{h: 0 for h in CONVERGING},
        **{h: 1 for h in FAILING},
    }
    assert {h: stats[h]["rescued"] for h in [*CONVERGING, *FAILING]} == {h: 0 for h in [*CONVERGING, *FAILING]}
    assert "2 of 8 targets failed: {}".format(", ".join(sorted(FAILING))) in result.stdout, str(result)

    report = json.loads((report_dir / "flowlogs-report.json").read_text())
    by_name = {t["target"]: t for t in report["targets"]}
    assert report["totals"]["targets_failed"] == 2
    assert sorted(t["target"] for t in report["targets"] if t["status"] == "failed") == sorted(FAILING)

    # Each refused target: its account, its region, the AWS action refused, AWS's code and the permission
    # the credentials lack - in the report and in the task output.
    expected = {
        NO_ASSUME_TARGET: (
            "sts:AssumeRole on {}".format(access_role_arn(NO_ASSUME["account"])),
            "missing permission: sts:AssumeRole",
        ),
        NO_CREATE_TARGET: (
            "ec2:CreateFlowLogs on ",
            "missing permission: ec2:CreateFlowLogs",
        ),
    }
    for name, (action, permission) in expected.items():
        target = FAILING[name]
        error = by_name[name]["error"]
        assert by_name[name]["account_id"] == target["account"]
        assert by_name[name]["region"] == target["region"]
        where = "in account {}, region {}".format(target["account"], target["region"])
        if name == NO_ASSUME_TARGET:  # AssumeRole was refused: the target's account is the one configured, not reached
            where = "in region {} before reaching target account {} (configured)".format(
                target["region"], target["account"]
            )
        for part in (
            action,
            where,
            "AccessDenied",
            permission,
        ):
            assert part in error, (name, part, error)
        assert error in result.stdout, (name, error)
        assert error in (report_dir / "flowlogs-report.txt").read_text(), (name, error)
        assert by_name[name]["failed_phase"] == ("connect" if name == NO_ASSUME_TARGET else "converge"), name
    assert {v["action"] for v in by_name[NO_CREATE_TARGET]["vpcs"]} == {"not_run"}

    # Every other target converged, as the fleet test expects of a run with full permissions.
    after = fleet.snapshot(url, accounts=ALL_ACCOUNTS)
    for name in CONVERGING:
        assert by_name[name]["status"] == "changed", by_name[name]
        assert by_name[name]["counts"]["compliant_after"] == by_name[name]["counts"]["vpcs"] == 3
        entry = planted[name]
        target = after[entry["account"]][entry["region"]]
        ours = [f for f in target["flow_logs"] if f["group"] == fleet.GROUP]
        assert sorted(f["resource"] for f in ours) == sorted(target["vpcs"]), name
        for kept in entry["kept_flow_logs"]:
            assert kept in [f["id"] for f in target["flow_logs"]]

    # Where the operator could not get in, nothing changed; where it could not create flow logs, there are
    # none (the delivery role and log group it was allowed to make are there).
    no_assume, no_create = NO_ASSUME["account"], NO_CREATE["account"]
    assert after[no_assume] == before[no_assume]
    assert after[no_create][NO_CREATE["region"]]["flow_logs"] == []
    assert set(failing_vpcs[NO_CREATE_TARGET]) <= set(after[no_create][NO_CREATE["region"]]["vpcs"])
    assert fleet.ROLE in after[no_create]["roles"]
