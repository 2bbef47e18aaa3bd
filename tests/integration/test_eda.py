"""Event-Driven Ansible end to end: ansible-rulebook runs the collection's rulebook (flowlogs.aws.new_resources)
with its event source (flowlogs.aws.sqs_events) on an SQS queue in moto server, over a fleet inventory with the
account_<id> / region_<region> groups. A CreateVpc event converges exactly the target it came from; a malformed
message, a body that is not an EventBridge event, a failed CreateVpc and an unrelated event are logged and
deleted, and run nothing. A new account (Organizations' CreateAccountResult, Control Tower's CreateManagedAccount)
is converged although the cached flowlogs.aws.accounts inventory did not hold it; a failed, incomplete or malformed
account event runs nothing."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import textwrap
import time
import uuid

import pytest
import yaml

from tests.integration.conftest import BIN, playbook_env
from tests.integration.test_inventory_plugin import host, inventory, write_config
from tests.support import fleet
from tests.support.paths import REPO

ACCOUNTS = ("111111111111", "222222222222")
REGIONS = ("us-east-1", "eu-west-1")
#: The target the CreateVpc event comes from; the other three must stay untouched.
TARGET = ("222222222222", "eu-west-1")
#: Where the noise comes from: had it run anything, that run (before the CreateVpc's, actions run in order)
#: would have left flow logs there.
NOISE = ("111111111111", "us-east-1")
QUEUE_ACCOUNT_REGION = "us-east-1"  # the queue lives in moto's default account, as in a central security account
DEADLINE = 120


def eventbridge_event(account, region, name, **detail):
    """An event as EventBridge delivers a CloudTrail-recorded EC2 call to an SQS target."""
    body = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ec2",
        "account": account,
        "time": "2026-12-01T12:00:00Z",
        "region": region,
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            "eventSource": "ec2.amazonaws.com",
            "eventName": name,
            "awsRegion": region,
            "eventType": "AwsApiCall",
            "recipientAccountId": account,
            **detail,
        },
    }
    return json.dumps(body)


class Rulebook:
    """ansible-rulebook in its own process group, output to a file; stopped by its PID."""

    def __init__(self, cmd, env, cwd, log):
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip

    def output(self):
        return self.log.read_text(errors="replace")

    def wait_for(self, what, check, timeout=DEADLINE):
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            assert self.proc.poll() is None, "ansible-rulebook exited ({}):\n{}".format(
                self.proc.returncode, self.output()[-6000:]
            )
            assert time.monotonic() < deadline, "no {} within {} s:\n{}".format(what, timeout, self.output()[-6000:])
            time.sleep(0.5)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)


@pytest.fixture
def rulebook(tmp_path):
    assert shutil.which("java"), "ansible-rulebook needs Java 17+: make java (openjdk-17-jre-headless)"
    started = []

    def start(inventory, variables):
        vars_file = tmp_path / "rulebook-vars.json"
        vars_file.write_text(json.dumps(variables))
        cmd = [str(BIN / "ansible-rulebook"), "-r", "flowlogs.aws.new_resources", "-i", str(inventory)]
        cmd += ["-e", str(vars_file), "-v"]
        env = playbook_env(tmp_path, {"AWS_REGION": QUEUE_ACCOUNT_REGION})
        started.append(Rulebook(cmd, env, tmp_path, tmp_path / "rulebook.log"))
        return started[-1]

    yield start
    for running in started:
        running.stop()


def queue_depth(sqs, url):
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def flow_logs_by_vpc(aws, account, region):
    ec2 = fleet.session(aws.url, account, region).client("ec2", endpoint_url=aws.url)
    found = {}
    for flow_log in ec2.describe_flow_logs()["FlowLogs"]:
        found.setdefault(flow_log["ResourceId"], []).append(flow_log.get("LogGroupName"))
    return found


def recaps(output):
    """Host names of every PLAY RECAP in the output, one list per playbook run; a host that only skipped (the
    first host of playbooks/check_targets.yml's play, when there are targets) is left out."""
    runs = []
    for block in output.split("PLAY RECAP")[1:]:
        found = re.findall(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", block, re.M)
        runs.append([host for host, *counts in found if any(int(c) for c in counts)])
    return runs


def test_create_vpc_event_converges_only_its_target(aws, tmp_path, rulebook):
    vpcs = {}
    for account in ACCOUNTS:
        for region in REGIONS:
            ec2 = fleet.session(aws.url, account, region).client("ec2", endpoint_url=aws.url)
            vpcs[(account, region)] = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    inventory = fleet.write_inventory(tmp_path / "inventory.json", aws.url, ACCOUNTS, REGIONS)
    sqs = aws.client("sqs", region=QUEUE_ACCOUNT_REGION)
    queue_url = sqs.create_queue(QueueName="flowlogs-events")["QueueUrl"]
    running = rulebook(
        inventory,
        dict(
            flow_logs_sqs_queue_url=queue_url,
            flow_logs_sqs_region=QUEUE_ACCOUNT_REGION,
            flow_logs_endpoint_url=aws.url,
        ),
    )

    # Noise first: none of it may run anything, and all of it leaves the queue.
    for body in (
        "this is not JSON {",
        json.dumps({"Message": "an SNS envelope, not an EventBridge event"}),
        eventbridge_event(*NOISE, "RunInstances"),
        eventbridge_event(*NOISE, "CreateVpc", errorCode="Client.UnauthorizedOperation"),
    ):
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    running.wait_for("drained queue", lambda: queue_depth(sqs, queue_url) == 0)
    output = running.wait_for(
        "the source's log lines", lambda: running.output().count("CloudTrail") == 2 and running.output()
    )
    assert "ignored and deleted: not JSON" in output
    assert "ignored and deleted: not an EventBridge event (no detail-type, source, account, region, detail)" in output
    assert "PLAY" not in output

    # The CreateVpc of the target, and one from an account the inventory does not hold: two runs.
    account, region = TARGET
    sqs.send_message(QueueUrl=queue_url, MessageBody=eventbridge_event(account, region, "CreateVpc"))
    sqs.send_message(QueueUrl=queue_url, MessageBody=eventbridge_event("333333333333", "us-east-1", "CreateVpc"))
    target_vpc = vpcs[TARGET]
    running.wait_for(
        "flow log on the new VPC", lambda: fleet.GROUP in flow_logs_by_vpc(aws, account, region).get(target_vpc, [])
    )
    # ansible-rulebook prints a failed run's output twice (the run's, then in its own ERROR log line): at least two.
    output = running.wait_for(
        "the end of both playbook runs", lambda: running.output().count("PLAY RECAP") >= 2 and running.output()
    )
    runs = recaps(output)
    # One run converged the event's target only: the same account's other region, the other account in the same
    # region and the noise's target are untouched.
    assert [fleet.target_name(account, region)] in runs, output[-6000:]
    for other in vpcs:
        if other != TARGET:
            assert flow_logs_by_vpc(aws, *other) == {}, other
    assert queue_depth(sqs, queue_url) == 0
    # The other account's run failed, visibly, and the rulebook goes on.
    assert "no target: the host pattern 'account_333333333333:&region_us_east_1' (flow_logs_hosts) matches" in " ".join(
        output.split()
    ), output[-6000:]
    failed = [
        b
        for b in output.split("PLAY RECAP")[1:]
        if re.search(r"^\S+\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=1", b, re.M)
    ]
    assert failed, output[-6000:]
    assert running.proc.poll() is None


def lifecycle_event(source, name, account, region, status_key=None, status=None, detail_type=None, **detail):
    """An account event as EventBridge delivers it: a Control Tower lifecycle event or Organizations'
    CreateAccountResult (AWS Service Event via CloudTrail, ``serviceEventDetails.<status_key>``) from the management
    account, or an AcceptHandshake call (``detail_type`` AWS API Call via CloudTrail)."""
    body = json.loads(eventbridge_event(account, region, name, **detail))
    body.update(source=source, **{"detail-type": detail_type or "AWS Service Event via CloudTrail"})
    body["detail"].update(eventSource=source.split(".", 1)[1] + ".amazonaws.com", eventType="AwsServiceEvent")
    if status_key:
        body["detail"]["serviceEventDetails"] = {status_key: status}
    return json.dumps(body)


def created_by_organizations(account_id, state="SUCCEEDED", **status):
    status = dict(id="car-0123456789abcdef", state=state, accountName="vended", **status)
    if account_id:
        status["accountId"] = account_id
    return lifecycle_event(
        "aws.organizations", "CreateAccountResult", MANAGEMENT, "us-east-1", "createAccountStatus", status
    )


def created_by_control_tower(account_id, state="SUCCEEDED", name="CreateManagedAccount", **detail):
    key = "createManagedAccountStatus" if name == "CreateManagedAccount" else "updateManagedAccountStatus"
    status = dict(
        organizationalUnit=dict(organizationalUnitName="Workloads", organizationalUnitId="ou-ab12-34cd56ef"),
        account=dict(accountName="factory", accountId=account_id),
        state=state,
        message="AWS Control Tower successfully created a managed account.",
    )
    return lifecycle_event("aws.controltower", name, MANAGEMENT, NEW_ACCOUNT_REGION, key, status, **detail)


MANAGEMENT = "123456789012"  # moto's default account, where the organisation is created
NEW_ACCOUNT_REGION = "us-east-1"


def test_new_account_events_converge_the_new_accounts_past_a_cached_inventory(aws, tmp_path, rulebook):
    orgs = aws.client("organizations", region=NEW_ACCOUNT_REGION)
    orgs.create_organization(FeatureSet="ALL")
    old = orgs.create_account(AccountName="old", Email="old@example.com")["CreateAccountStatus"]["AccountId"]
    config = write_config(
        tmp_path,
        aws.url,
        regions=[NEW_ACCOUNT_REGION],
        cache=True,
        cache_plugin="ansible.builtin.jsonfile",
        cache_connection=str(tmp_path / "inventory-cache"),
        cache_timeout=3600,
    )
    primed = inventory(tmp_path, config)  # the cache, before the new accounts exist
    vended = orgs.create_account(AccountName="vended", Email="v@example.com")["CreateAccountStatus"]["AccountId"]
    factory = orgs.create_account(AccountName="factory", Email="f@example.com")["CreateAccountStatus"]["AccountId"]
    assert host(vended, NEW_ACCOUNT_REGION) not in primed["hosts"]
    vpcs = {}
    for account in (old, vended, factory):
        ec2 = fleet.session(aws.url, account, NEW_ACCOUNT_REGION).client("ec2", endpoint_url=aws.url)
        vpcs[account] = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    sqs = aws.client("sqs", region=QUEUE_ACCOUNT_REGION)
    queue_url = sqs.create_queue(QueueName="flowlogs-events")["QueueUrl"]
    running = rulebook(
        config,
        dict(
            flow_logs_sqs_queue_url=queue_url,
            flow_logs_sqs_region=QUEUE_ACCOUNT_REGION,
            flow_logs_endpoint_url=aws.url,
        ),
    )

    # Failed, incomplete and malformed account events: none runs anything, all leave the queue.
    for body in (
        created_by_organizations(None, state="FAILED", failureReason="EMAIL_ALREADY_EXISTS"),
        created_by_organizations(vended, state="IN_PROGRESS"),
        created_by_organizations("all"),  # not an account id: never a host pattern
        lifecycle_event("aws.organizations", "CreateAccountResult", MANAGEMENT, "us-east-1"),  # no status at all
        created_by_control_tower(factory, state="FAILED"),
        created_by_control_tower(factory, errorCode="InternalFailure"),
        lifecycle_event(
            "aws.organizations",
            "AcceptHandshake",
            old,
            "us-east-1",
            detail_type="AWS API Call via CloudTrail",
            errorCode="HandshakeConstraintViolationException",
        ),
    ):
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    running.wait_for("drained queue", lambda: queue_depth(sqs, queue_url) == 0)
    output = running.wait_for(
        "the source's log lines", lambda: running.output().count("SQS message") >= 7 and running.output()
    )
    assert "PLAY" not in output, output[-6000:]

    # Organizations created one account, Control Tower the other: each run converges its account's targets.
    sqs.send_message(QueueUrl=queue_url, MessageBody=created_by_organizations(vended))
    sqs.send_message(QueueUrl=queue_url, MessageBody=created_by_control_tower(factory))
    for account in (vended, factory):
        running.wait_for(
            "flow log in new account {}".format(account),
            lambda account=account: (
                fleet.GROUP in flow_logs_by_vpc(aws, account, NEW_ACCOUNT_REGION).get(vpcs[account], [])
            ),
            timeout=DEADLINE * 2,
        )
    output = running.wait_for(
        "the end of both playbook runs", lambda: running.output().count("PLAY RECAP") >= 2 and running.output()
    )
    runs = recaps(output)
    assert [host(vended, NEW_ACCOUNT_REGION)] in runs, output[-6000:]
    assert [host(factory, NEW_ACCOUNT_REGION)] in runs, output[-6000:]
    assert flow_logs_by_vpc(aws, old, NEW_ACCOUNT_REGION) == {}
    assert running.proc.poll() is None


def doc_blocks(kind):
    """The ``.. code-block:: <kind>`` bodies of the events page, dedented, in order."""
    text = (REPO / "docs" / "docsite" / "rst" / "events.rst").read_text()
    blocks = re.findall(r"^\.\. code-block:: {}\n\n((?:    .*\n|\n)+)".format(kind), text, flags=re.MULTILINE)
    return [textwrap.dedent(b) for b in blocks]


def documented_pattern(source):
    """The events page's event pattern for ``source`` and the CloudFormation rules that use that source."""
    (pattern,) = [json.loads(b) for b in doc_blocks("json") if '"detail-type"' in b and source in b]
    templates = [yaml.safe_load(b) for b in doc_blocks("yaml") if "AWSTemplateFormatVersion" in b]
    rules = [r for t in templates for r in t["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    return pattern, [r for r in rules if source in r["Properties"]["EventPattern"]["source"]]


def test_documented_account_pattern_selects_what_the_new_account_rules_act_on(aws):
    """The management account's pattern, JSON and CloudFormation alike, in moto's EventBridge: the four account
    events reach the queue, a failed call (errorCode) and other Organizations or Control Tower events do not."""
    pattern, rules = documented_pattern("aws.controltower")
    assert len(rules) == 1 and rules[0]["Properties"]["EventPattern"] == pattern
    sqs, events = aws.client("sqs"), aws.client("events")
    queue_url = sqs.create_queue(QueueName="flowlogs-accounts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="flowlogs-new-accounts", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="flowlogs-new-accounts", Targets=[{"Id": "queue", "Arn": queue_arn}])
    service, call = "AWS Service Event via CloudTrail", "AWS API Call via CloudTrail"
    sent = [
        ("aws.controltower", service, "CreateManagedAccount", {}),
        ("aws.controltower", service, "UpdateManagedAccount", {}),
        ("aws.controltower", service, "EnableGuardrail", {}),
        ("aws.organizations", service, "CreateAccountResult", {}),
        ("aws.organizations", call, "AcceptHandshake", {}),
        ("aws.organizations", call, "AcceptHandshake", {"errorCode": "AccessDeniedException"}),
        ("aws.organizations", call, "LeaveOrganization", {}),
    ]
    for source, detail_type, name, extra in sent:
        entry = dict(Source=source, DetailType=detail_type, Detail=json.dumps(dict(eventName=name, **extra)))
        assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0
    delivered = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(json.loads(m["Body"])["detail"]["eventName"] for m in delivered) == [
        "AcceptHandshake",
        "CreateAccountResult",
        "CreateManagedAccount",
        "UpdateManagedAccount",
    ]


def test_documented_event_pattern_selects_what_the_rulebook_acts_on(aws):
    """The events page's event pattern - the JSON and both CloudFormation templates - in moto's EventBridge: a rule
    with it sends CreateVpc, CreateTransitGateway and CreateTransitGatewayVpcAttachment to the queue, and neither
    another EC2 call nor a call that failed."""
    pattern, rules = documented_pattern("aws.ec2")
    assert len(rules) == 2 and all(r["Properties"]["EventPattern"] == pattern for r in rules)

    sqs, events = aws.client("sqs"), aws.client("events")
    queue_url = sqs.create_queue(QueueName="flowlogs-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="flowlogs-new-resources", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="flowlogs-new-resources", Targets=[{"Id": "queue", "Arn": queue_arn}])
    calls = [
        ("CreateVpc", {}),
        ("RunInstances", {}),
        ("CreateVpc", {"errorCode": "Client.UnauthorizedOperation"}),
        ("CreateTransitGateway", {}),
        ("CreateTransitGatewayVpcAttachment", {}),
        ("DeleteVpc", {}),
    ]
    for name, extra in calls:
        detail = dict(eventSource="ec2.amazonaws.com", eventName=name, **extra)
        entry = dict(Source="aws.ec2", DetailType="AWS API Call via CloudTrail", Detail=json.dumps(detail))
        assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0
    delivered = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(json.loads(m["Body"])["detail"]["eventName"] for m in delivered) == [
        "CreateTransitGateway",
        "CreateTransitGatewayVpcAttachment",
        "CreateVpc",
    ]
