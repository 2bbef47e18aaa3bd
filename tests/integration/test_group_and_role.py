"""flow_log_group and flow_log_role against state that only boto3 can build or check.

The YAML targets (targets/flow_log_group, targets/flow_log_role) assert the module results; these tests seed
AWS state the modules would never create (a role trusting ec2.amazonaws.com, policies written differently,
a role with extra policies), run one task file of a target against it, and check AWS state afterwards:
unchanged after invalid input, the right account, one role after concurrent creates.
"""

from __future__ import annotations

import json
import threading

import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import TARGETS
from tests.support.aws_proxy import CountingProxy

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111111111111"
GROUP = "itest-flow-logs"
ROLE = "itest-flow-logs-delivery"
POLICY_NAME = "flow-logs-delivery"
DELIVERY_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
#: DescribeLogGroups has no resource type: IAM grants it on "*" only, so it has a statement of its own.
LIST_STATEMENT = {"Sid": "ListLogGroups", "Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"}
#: API actions that only read; anything else is a write.
READ_PREFIXES = ("Describe", "List", "Get")


# ---------------------------------------------------------------- running target task files


@pytest.fixture
def run_tasks(run_playbook, aws, tmp_path):
    """Run a list of tasks as run_target.yml does (module_defaults pointing at moto or ``endpoint``)."""

    def run(tasks, extra_vars=None, endpoint=None, name="tasks"):
        play = [
            {
                "name": name,
                "hosts": "localhost",
                "gather_facts": False,
                "module_defaults": {
                    "group/flowlogs.aws.flowlogs": {
                        "endpoint_url": "{{ aws_endpoint_url }}",
                        "region": "{{ aws_region }}",
                    }
                },
                "tasks": tasks,
            }
        ]
        playbook = tmp_path / "{}.yml".format(name)
        playbook.write_text(json.dumps(play, indent=2))
        variables = dict(aws_endpoint_url=endpoint or aws.url, aws_region=aws.region)
        variables.update(extra_vars or {})
        return run_playbook(playbook, variables)

    return run


@pytest.fixture
def run_target_file(run_tasks):
    """Run one task file of an integration target, e.g. ("flow_log_role", "ec2_trust.yml")."""

    def run(target, tasks_from, extra_vars=None, endpoint=None):
        assert (TARGETS / target / "tasks" / tasks_from).is_file()
        task = {
            "name": "Run {} {}".format(target, tasks_from),
            "ansible.builtin.include_role": {"name": target, "tasks_from": tasks_from},
        }
        return run_tasks([task], extra_vars, endpoint, name="{}-{}".format(target, tasks_from.split(".")[0]))

    return run


def assert_green(result):
    assert result.rc == 0, str(result)
    assert "failed=0" in result.stdout, str(result)


def writes(counts):
    """The API calls in a proxy count that are not reads."""
    return {call: n for call, n in counts.items() if not call.split(":", 1)[1].startswith(READ_PREFIXES)}


# ---------------------------------------------------------------- AWS state helpers


def describe_group(logs, name=GROUP):
    groups = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
    if not groups:
        return None
    group = groups[0]
    tags = logs.list_tags_for_resource(resourceArn=group["logGroupArn"])["tags"]
    return dict(group, tags=tags)


def snapshot_role(iam, name=ROLE):
    role = iam.get_role(RoleName=name)["Role"]
    role.pop("RoleLastUsed", None)
    inline = {
        policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    return dict(role=role, inline=inline, attached=attached)


def role_exists(iam, name=ROLE):
    try:
        iam.get_role(RoleName=name)
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "NoSuchEntity"
        return False
    return True


def trust_statement(principal="vpc-flow-logs.amazonaws.com", account=ACCOUNT, conditions=True):
    statement = {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
    if conditions:
        statement["Condition"] = {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": "arn:aws:ec2:*:{}:vpc-flow-log/*".format(account)},
        }
    return statement


def group_arn_pattern(name, account=ACCOUNT):
    return "arn:aws:logs:*:{}:log-group:{}:*".format(account, name)


def as_list(value):
    return value if isinstance(value, list) else [value]


def assert_delivery_role(iam, account=ACCOUNT, groups=(GROUP,), name=ROLE):
    """The role in ``iam``'s account trusts only VPC Flow Logs of ``account`` and writes only to ``groups``."""
    role = iam.get_role(RoleName=name)["Role"]
    assert role["Arn"] == "arn:aws:iam::{}:role/{}".format(account, name)
    statements = as_list(role["AssumeRolePolicyDocument"]["Statement"])
    assert len(statements) == 1
    (trust,) = statements
    assert as_list(trust["Principal"]["Service"]) == ["vpc-flow-logs.amazonaws.com"]
    assert as_list(trust["Condition"]["StringEquals"]["aws:SourceAccount"]) == [account]
    assert as_list(trust["Condition"]["ArnLike"]["aws:SourceArn"]) == [
        "arn:aws:ec2:*:{}:vpc-flow-log/*".format(account)
    ]
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == [POLICY_NAME]
    policy = iam.get_role_policy(RoleName=name, PolicyName=POLICY_NAME)["PolicyDocument"]
    (statement, listing) = as_list(policy["Statement"])
    assert sorted(as_list(statement["Resource"])) == sorted(group_arn_pattern(g, account) for g in groups)
    assert sorted(as_list(statement["Action"])) == DELIVERY_ACTIONS
    assert dict(listing, Action=as_list(listing["Action"])) == LIST_STATEMENT
    return role


def role_vars(**extra):
    variables = dict(flow_log_role_name=ROLE, flow_log_role_account=ACCOUNT, flow_log_role_log_groups=[GROUP])
    variables.update(extra)
    return variables


# ---------------------------------------------------------------- flow_log_group


def test_group_invalid_input_changes_nothing(aws, proxy, run_target_file):
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=GROUP, tags={"team": "network", "env": "test"})
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=90)
    before = describe_group(logs)

    result = run_target_file(
        "flow_log_group",
        "invalid_input.yml",
        dict(
            flow_log_group_name=GROUP,
            flow_log_group_retention=90,
            flow_log_group_tags={"team": "network", "env": "test"},
        ),
        endpoint=proxy.url,
    )

    assert_green(result)
    assert describe_group(logs) == before
    counts = proxy.counts()
    assert writes(counts) == {}, counts
    # Only the final check-mode run with good parameters read the group: invalid input made no call at all.
    assert counts.get("logs:DescribeLogGroups") == 1, counts


def test_group_kms_key_on_create_with_a_moto_key(aws, run_target_file):
    key_arn = aws.client("kms").create_key(Description="flow logs")["KeyMetadata"]["Arn"]

    result = run_target_file(
        "flow_log_group", "create_options.yml", dict(flow_log_group_name=GROUP, flow_log_group_kms_key_id=key_arn)
    )

    assert_green(result)
    logs = aws.client("logs")
    group = describe_group(logs, GROUP + "-kms")
    assert group["kmsKeyId"] == key_arn  # check-mode disassociate/associate did not touch it
    assert "retentionInDays" not in group
    assert describe_group(logs, GROUP + "-ia") is None  # created in check mode only


def test_group_purge_never_removes_aws_tags(aws, run_tasks):
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=GROUP, tags={"aws:cloudformation:stack-name": "net", "team": "network"})
    purge = {"name": GROUP, "tags": {"owner": "alice"}, "purge_tags": True}
    tasks = [
        {"name": "Purge tags", "flowlogs.aws.flow_log_group": purge, "register": "first"},
        {"name": "Purge tags again", "flowlogs.aws.flow_log_group": purge, "register": "second"},
        {
            "name": "Only the user's tags were purged",
            "ansible.builtin.assert": {
                "that": [
                    "first is changed",
                    "first.actions == ['tag_log_group', 'untag_log_group']",
                    "second is not changed",
                    "second.log_group.tags == {'aws:cloudformation:stack-name': 'net', 'owner': 'alice'}",
                ]
            },
        },
    ]

    result = run_tasks(tasks, name="purge-aws-tags")

    assert_green(result)
    assert describe_group(logs)["tags"] == {"aws:cloudformation:stack-name": "net", "owner": "alice"}


# ---------------------------------------------------------------- flow_log_role


def test_role_trusting_ec2_is_corrected(aws, run_target_file):
    """The classic blog role: trusts ec2.amazonaws.com and may write logs:* anywhere."""
    iam = aws.client("iam")
    iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )
    iam.put_role_policy(
        RoleName=ROLE,
        PolicyName=POLICY_NAME,
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    role_id = iam.get_role(RoleName=ROLE)["Role"]["RoleId"]

    result = run_target_file("flow_log_role", "ec2_trust.yml", role_vars())

    assert_green(result)
    assert assert_delivery_role(iam)["RoleId"] == role_id  # corrected in place, not recreated


@pytest.mark.parametrize(
    "groups, trust, policy",
    [
        pytest.param(
            [GROUP],
            {
                "Version": "2012-10-17",
                "Statement": {  # a single statement object, lists for single values, no Sid
                    "Condition": {
                        "ArnLike": {"aws:SourceArn": ["arn:aws:ec2:*:{}:vpc-flow-log/*".format(ACCOUNT)]},
                        "StringEquals": {"aws:SourceAccount": [ACCOUNT]},
                    },
                    "Action": ["sts:AssumeRole"],
                    "Principal": {"Service": ["vpc-flow-logs.amazonaws.com"]},
                    "Effect": "Allow",
                },
            },
            {
                "Statement": [
                    {"Action": "logs:DescribeLogGroups", "Effect": "Allow", "Resource": ["*"]},  # listed first
                    {
                        "Resource": group_arn_pattern(GROUP),  # a single string, not a list
                        "Effect": "Allow",
                        "Action": list(reversed(DELIVERY_ACTIONS)),
                    },
                ],
                "Version": "2012-10-17",
            },
            id="single-values-as-lists-and-back",
        ),
        pytest.param(
            [GROUP, GROUP + "-eu"],
            {"Statement": [trust_statement()], "Version": "2012-10-17"},
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Resource": "*", "Action": "logs:DescribeLogGroups", "Effect": "Allow", "Sid": "Listing"},
                    {
                        "Sid": "SomeoneElsesLabel",
                        "Action": [  # another order, and a duplicate that adds nothing
                            "logs:PutLogEvents",
                            "logs:CreateLogStream",
                            "logs:DescribeLogStreams",
                            "logs:PutLogEvents",
                        ],
                        "Resource": [group_arn_pattern(GROUP + "-eu"), group_arn_pattern(GROUP)],
                        "Effect": "Allow",
                    },
                ],
            },
            id="other-order-sid-and-duplicates",
        ),
    ],
)
def test_role_with_equivalent_policies_is_not_changed(aws, run_target_file, groups, trust, policy):
    iam = aws.client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=ROLE, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(policy))
    before = snapshot_role(iam)

    result = run_target_file("flow_log_role", "equivalent_policies.yml", role_vars(flow_log_role_log_groups=groups))

    assert_green(result)
    assert snapshot_role(iam) == before  # not rewritten into the module's own spelling


def test_role_absent_deletes_extra_policies_and_profiles(aws, run_target_file):
    iam = aws.client("iam")
    iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust_statement()]}),
    )
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    for name in (POLICY_NAME, "added-by-hand"):
        iam.put_role_policy(RoleName=ROLE, PolicyName=name, PolicyDocument=json.dumps(document))
    managed = iam.create_policy(PolicyName="itest-managed", PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=managed)
    iam.create_instance_profile(InstanceProfileName="itest-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="itest-profile", RoleName=ROLE)

    result = run_target_file("flow_log_role", "absent.yml", role_vars())

    assert_green(result)
    assert not role_exists(iam)
    # What was attached or held the role survives, without the role.
    assert iam.get_policy(PolicyArn=managed)["Policy"]["AttachmentCount"] == 0
    assert iam.get_instance_profile(InstanceProfileName="itest-profile")["InstanceProfile"]["Roles"] == []


def test_role_invalid_input_changes_nothing(aws, proxy, run_target_file):
    iam = aws.client("iam")
    iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust_statement()]}),
        Tags=[{"Key": "team", "Value": "network"}],
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": DELIVERY_ACTIONS, "Resource": [group_arn_pattern(GROUP)]},
            LIST_STATEMENT,
        ],
    }
    iam.put_role_policy(RoleName=ROLE, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(policy))
    before = snapshot_role(iam)

    result = run_target_file("flow_log_role", "invalid_input.yml", role_vars(), endpoint=proxy.url)

    assert_green(result)
    assert snapshot_role(iam) == before
    counts = proxy.counts()
    assert writes(counts) == {}, counts
    # Only the final check-mode run with good parameters read the role: invalid input made no call at all.
    assert counts.get("iam:GetRole") == 1, counts


def test_role_cross_account_through_assume_role(aws, run_target_file):
    result = run_target_file("flow_log_role", "cross_account.yml", role_vars(flow_log_role_account=OTHER_ACCOUNT))

    assert_green(result)
    assert_delivery_role(aws.client("iam", account=OTHER_ACCOUNT), account=OTHER_ACCOUNT)
    assert not role_exists(aws.client("iam"))  # nothing in the credentials' own account


class GetRoleBarrier(CountingProxy):
    """Holds the answers to the first iam:GetRole of each of ``parties`` runs until all of them have been
    answered by moto: every run provably read "no role" before any run could create it, so every run calls
    CreateRole - the race happens every time, whatever the scheduling."""

    def __init__(self, upstream, parties=2):
        super().__init__(upstream)
        self._parties = parties
        self._held = 0
        self._gate = threading.Lock()
        self._barrier = threading.Barrier(parties, timeout=240)

    def _answered(self, service, action):
        if (service, action) != ("iam", "GetRole"):
            return
        with self._gate:
            self._held += 1
            hold = self._held <= self._parties
        if hold:  # later GetRoles (waiters, re-reads) pass straight through
            self._barrier.wait()  # a broken barrier fails the run, and so the test: no silent pass


def test_role_concurrent_creates_both_succeed(aws, run_tasks):
    barrier = GetRoleBarrier(aws.url).start()
    task = {
        "name": "Create the delivery role",
        "flowlogs.aws.flow_log_role": {"name": ROLE, "log_group_names": [GROUP], "tags": {"team": "network"}},
    }
    results = [None, None]

    def create(index):
        results[index] = run_tasks([task], endpoint=barrier.url, name="concurrent-{}".format(index))

    try:
        threads = [threading.Thread(target=create, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        counts = barrier.counts()
    finally:
        barrier.stop()

    for result in results:
        assert_green(result)
    assert counts.get("iam:CreateRole") == 2, counts  # both runs raced to create; one lost and converged
    iam = aws.client("iam")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"] == ROLE] == [ROLE]
    assert_delivery_role(iam)
    assert iam.list_role_tags(RoleName=ROLE)["Tags"] == [{"Key": "team", "Value": "network"}]
