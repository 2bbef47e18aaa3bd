"""Security: secrets never reach the output or the reports; the delivery role trusts only VPC Flow Logs of
its own account; disable keeps the log group and its data unless asked, and deletes it when asked.

Already asserted elsewhere, so not repeated here: the aws:SourceAccount condition and the inline policy
scoped to the log group ARN (never "*") after enable_flowlogs.yml (test_fleet.py), both again with
aws:SourceArn for the module (test_group_and_role.py, targets/flow_log_role); disable leaving the log
group itself in place (test_fleet.py). Added here: aws:SourceArn after enable_flowlogs.yml, the group's
data kept, and the deletion when asked.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.test_fleet import PLAYBOOKS, recap
from tests.support import fleet

ACCOUNT = fleet.ACCOUNTS[0]
#: Marker credentials moto accepts (it does not enforce IAM here): one target gets them from the
#: environment, the other from a profile named by its host variable flow_logs_profile.
ENV_SECRET = "SECRETMARKERenv0000000000000000000000000"
ENV_TOKEN = "TOKENMARKERenv" + "x" * 40
PROFILE_SECRET = "SECRETMARKERprofile000000000000000000000"
PROFILE_TOKEN = "TOKENMARKERprofile" + "y" * 40
MODULE_SECRET = "SECRETMARKERmodule0000000000000000000000"
MODULE_TOKEN = "TOKENMARKERmodule" + "z" * 40
MARKERS = ("SECRETMARKER", "TOKENMARKER")
#: Every STS session token moto hands out starts so: the assumed role's credentials are secrets too.
MOTO_SESSION_TOKEN_PREFIX = "FQoGZXIvYXdz"

#: Module tasks given the secrets as options (no_log), at -vvvv with --diff: a change, a read, a
#: parameter error and an AWS failure, so every way a result is printed is seen. The secrets are in the
#: playbook: ansible-playbook -vvvv prints its own command line, extra vars included.
MODULE_PLAYBOOK = """
- name: Secrets as module options
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/flowlogs.aws.flowlogs:
      endpoint_url: "{{{{ url }}}}"
      region: us-east-1
      access_key: AKIAMODULEMARKER
      secret_key: {secret}
      session_token: {token}
  tasks:
    - name: A change, shown with its diff
      flowlogs.aws.flow_log_group:
        name: secrets-test
        retention_in_days: 30

    - name: A read
      flowlogs.aws.vpc_flow_log_info:
        log_group_name: secrets-test

    - name: A parameter error
      flowlogs.aws.flow_log_group:
        name: secrets-test
        retention_in_days: 4
      ignore_errors: true

    - name: An AWS failure
      flowlogs.aws.vpc_flow_log:
        resource_ids: [vpc-0123456789abcdef0]
        log_group_name: secrets-test
        deliver_logs_role_arn: arn:aws:iam::123456789012:role/delivery
      ignore_errors: true
"""


def leaks(text):
    return [m for m in (*MARKERS, MOTO_SESSION_TOKEN_PREFIX) if m in text]


def test_secrets_never_printed_nor_reported(aws, run_playbook, tmp_path):
    fleet.seed(aws.url, accounts=(ACCOUNT,))
    profile_target = fleet.target_name(ACCOUNT, fleet.REGIONS[1])
    inventory = fleet.write_inventory(
        tmp_path / "inventory.json",
        aws.url,
        accounts=(ACCOUNT,),
        extra_host_vars={profile_target: {"flow_logs_profile": "marker"}},
    )
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[marker]\naws_access_key_id = AKIAPROFILEMARKER\naws_secret_access_key = {}\naws_session_token = {}\n".format(
            PROFILE_SECRET, PROFILE_TOKEN
        )
    )
    (tmp_path / "config").write_text("")
    env = dict(
        AWS_ACCESS_KEY_ID="AKIAENVMARKER",
        AWS_SECRET_ACCESS_KEY=ENV_SECRET,
        AWS_SESSION_TOKEN=ENV_TOKEN,
        AWS_SHARED_CREDENTIALS_FILE=str(credentials),
        AWS_CONFIG_FILE=str(tmp_path / "config"),
    )
    report_dir = tmp_path / "report"

    enable = run_playbook(
        PLAYBOOKS / "enable_flowlogs.yml",
        dict(flow_logs_report_dir=str(report_dir)),
        args=("-vvvv", "--diff"),
        inventory=inventory,
        env=env,
    )
    assert enable.rc == 0, str(enable)
    stats = recap(enable.stdout)
    assert stats[profile_target]["changed"] > 0 and stats[fleet.target_name(ACCOUNT, fleet.REGIONS[0])]["changed"] > 0
    (tmp_path / "modules.yml").write_text(MODULE_PLAYBOOK.format(secret=MODULE_SECRET, token=MODULE_TOKEN))
    modules = run_playbook(
        tmp_path / "modules.yml",
        dict(url=aws.url),
        args=("-vvvv", "--diff"),
        env=env,
    )
    assert modules.rc == 0, str(modules)
    assert "retention_in_days" in modules.stdout and "InvalidVpcID.NotFound" in modules.stdout

    for name, text in (
        ("enable stdout", enable.stdout),
        ("enable stderr", enable.stderr),
        ("modules stdout", modules.stdout),
        ("modules stderr", modules.stderr),
    ):
        assert leaks(text) == [], name
    files = sorted(report_dir.iterdir())
    assert [f.name for f in files] == ["flowlogs-report.html", "flowlogs-report.json", "flowlogs-report.txt"]
    for path in files:
        assert leaks(path.read_text()) == [], path.name

    # The role enable made trusts VPC Flow Logs of its own account only: aws:SourceArn as well as the
    # aws:SourceAccount test_fleet.py checks.
    trust = aws.client("iam", account=ACCOUNT).get_role(RoleName=fleet.ROLE)["Role"]["AssumeRolePolicyDocument"]
    statements = trust["Statement"] if isinstance(trust["Statement"], list) else [trust["Statement"]]
    assert [s["Principal"] for s in statements] == [{"Service": "vpc-flow-logs.amazonaws.com"}]
    assert statements[0]["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:ec2:*:{}:vpc-flow-log/*".format(ACCOUNT)}


@pytest.fixture
def enabled(aws, run_playbook, tmp_path):
    """Two accounts converged by enable_flowlogs.yml, with log data in their groups; another team's log
    group (account 222222222222) is there too."""
    accounts = fleet.ACCOUNTS[:2]
    planted = fleet.seed(aws.url, accounts=accounts, regions=fleet.REGIONS[:1])
    inventory = fleet.write_inventory(
        tmp_path / "inventory.json", aws.url, accounts=accounts, regions=fleet.REGIONS[:1]
    )
    report_dir = tmp_path / "report"
    result = run_playbook(
        PLAYBOOKS / "enable_flowlogs.yml", dict(flow_logs_report_dir=str(report_dir)), inventory=inventory
    )
    assert result.rc == 0, str(result)
    for account in accounts:
        logs = aws.client("logs", account=account)
        logs.create_log_stream(logGroupName=fleet.GROUP, logStreamName="eni-0123456789abcdef0-all")
        logs.put_log_events(
            logGroupName=fleet.GROUP,
            logStreamName="eni-0123456789abcdef0-all",
            logEvents=[
                {"timestamp": int(time.time() * 1000), "message": "2 {} eni-0 10.0.0.1 ACCEPT OK".format(account)}
            ],
        )

    def disable(**extra):
        variables = dict(flow_logs_report_dir=str(report_dir), **extra)
        done = run_playbook(PLAYBOOKS / "disable_flowlogs.yml", variables, inventory=inventory)
        assert done.rc == 0, str(done)
        return done

    return dict(accounts=accounts, planted=planted, disable=disable)


def log_data(aws, account):
    """{group: [messages]} of every log group in ``account``."""
    logs = aws.client("logs", account=account)
    found = {}
    for group in logs.describe_log_groups()["logGroups"]:
        name = group["logGroupName"]
        events = logs.filter_log_events(logGroupName=name)["events"]
        found[name] = [e["message"] for e in events]
    return found


def roles_of(aws, account):
    return sorted(r["RoleName"] for r in aws.client("iam", account=account).list_roles()["Roles"])


def test_disable_keeps_the_log_group_and_its_data_unless_asked(aws, enabled):
    data_before = {a: log_data(aws, a) for a in enabled["accounts"]}
    roles_before = {a: roles_of(aws, a) for a in enabled["accounts"]}
    for account in enabled["accounts"]:
        assert data_before[account][fleet.GROUP], "the fixture wrote log data"

    enabled["disable"]()  # not asked: flow logs go, the group and every event stay
    for account in enabled["accounts"]:
        assert log_data(aws, account) == data_before[account]
        assert roles_of(aws, account) == roles_before[account]
        ec2 = aws.client("ec2", account=account)
        ours = [f for f in ec2.describe_flow_logs()["FlowLogs"] if f.get("LogGroupName") == fleet.GROUP]
        assert ours == []

    enabled["disable"](flow_logs_delete_log_group="no")  # a falsy string is not asking either
    assert {a: log_data(aws, a) for a in enabled["accounts"]} == data_before

    enabled["disable"](flow_logs_delete_log_group=True)  # asked: our group goes, nothing else
    for account in enabled["accounts"]:
        expected = {g: d for g, d in data_before[account].items() if g != fleet.GROUP}
        assert log_data(aws, account) == expected
        assert roles_of(aws, account) == roles_before[account]  # the role stays unless asked for too
    assert fleet.OTHER_TEAM_GROUP in log_data(aws, enabled["accounts"][1])
