"""Real organisations (issue 19): guardrails, opt-in regions, eventual consistency - through enable_flowlogs.yml.

moto has no organisation around it. A GuardrailProxy (tests/support/guardrail_proxy.py) in front of it answers chosen
calls - by service, action, account and region - with AWS's own error answers (tests/support/aws_errors.py): an SCP's
explicit deny, a region the account has not enabled, iam:PassRole refused with an encoded authorization message, a
permissions boundary required on new roles, a delivery role IAM has not propagated yet, a session that expires, a KMS
key policy that keeps CloudWatch Logs out, one resource refused by a quota. Each scenario runs the playbook on a small
seeded fleet (tests/support/fleet.py) and asserts what the user reads (AWS's words and the diagnosis), each target's
status in flowlogs-report.json, the exit code, the calls the proxy saw, and that a run without the fault converges.
The scenarios are numbered as issue 19's findings; the seventh, real throttling codes on 30% of the calls (every retry
counted in api_retries, then converged), is test_throttling_5xx_and_lost_answers_on_30_percent_of_calls in
tests/integration/test_faults.py."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.support import fleet
from tests.support.aws_errors import (
    encoded_authorization_message,
    kms_key_not_allowed,
    pass_role_denied,
    unrecognised_credentials,
)
from tests.support.aws_proxy import DEFAULT_ACCOUNT as CONTROLLER
from tests.support.guardrail_proxy import (
    GuardrailProxy,
    SessionExpiry,
    partly_unsuccessful,
    role_not_ready,
    scp_deny,
    watch,
    without_boundary,
)
from tests.support.paths import REPO

PLAYBOOK = REPO / "playbooks" / "enable_flowlogs.yml"
A, B = fleet.ACCOUNTS[:2]
HOME, OTHER = fleet.REGIONS
OPT_IN = "af-south-1"  # an opt-in region (moto serves any region name)
SCP_DENY = "with an explicit deny in a service control policy"


def said(text):
    """Output as one line: Ansible wraps warnings."""
    return " ".join(text.split())


@dataclass
class Run:
    """One enable_flowlogs.yml run: its exit code and output, its report, and the calls the proxy saw meanwhile as
    (service, action, account, region), those a rule answered apart."""

    rc: int
    output: str
    report: dict
    calls: list
    refused: list

    def __str__(self):
        return "rc={}\n{}".format(self.rc, self.output[-8000:])

    def target(self, account, region):
        name = fleet.target_name(account, region)
        return next(t for t in self.report["targets"] if t["target"] == name)

    def status(self):
        return {t["target"]: t["status"] for t in self.report["targets"]}

    def count(self, service=None, action=None, account=None, region=None, refused=False):
        wanted = (service, action, account, region)
        seen = [r[:4] for r in self.refused] if refused else self.calls
        return sum(1 for call in seen if all(w is None or w == s for w, s in zip(wanted, call)))


class Lab:
    """A seeded fleet (accounts x regions) behind a GuardrailProxy; ``enable()`` runs the playbook through it."""

    def __init__(self, aws, run_playbook, tmp_path, accounts=(A, B), regions=(HOME, OTHER)):
        self.aws, self.run_playbook, self.tmp_path = aws, run_playbook, tmp_path
        self.accounts, self.regions = accounts, regions
        self.planted = fleet.seed(aws.url, accounts, regions)
        self.proxy = GuardrailProxy(aws.url).start()
        self.log = watch(self.proxy)
        self.runs = 0

    def targets(self, account=None, region=None):
        return [
            fleet.target_name(a, r)
            for a in self.accounts
            for r in self.regions
            if account in (None, a) and region in (None, r)
        ]

    def add(self, answer, **match):
        return self.proxy.add(answer, **match)

    def lift(self):
        """Every fault gone: the calls go to moto again."""
        with self.proxy._rules_lock:
            del self.proxy.rules[1:]  # the first rule is the call log's

    def enable(self, host_vars=None, env=None, args=(), **variables):
        self.runs += 1
        work = self.tmp_path / "run{}".format(self.runs)
        work.mkdir()
        inventory = fleet.write_inventory(
            work / "inventory.json", self.proxy.url, self.accounts, self.regions, extra_host_vars=host_vars
        )
        self.log.clear()
        refused_before = len(self.proxy.refused)
        done = self.run_playbook(
            PLAYBOOK, dict(variables, flow_logs_report_dir=str(work)), inventory=inventory, env=env, args=args
        )
        report = json.loads((work / "flowlogs-report.json").read_text())
        return Run(
            done.rc,
            done.stdout + done.stderr,
            report,
            list(self.log.calls),
            list(self.proxy.refused[refused_before:]),
        )

    def stop(self):
        self.proxy.stop()


@pytest.fixture
def new_lab(aws, run_playbook, tmp_path):
    """``new_lab(accounts=..., regions=...)``: a Lab, its proxy stopped after the test."""
    started = []

    def make(**options):
        started.append(Lab(aws, run_playbook, tmp_path, **options))
        return started[-1]

    yield make
    for each in started:
        each.stop()


def regional_calls(run, account, region):
    """The (service, action) of the calls of one target: those made in its account and region, IAM's aside (IAM is
    global; its calls are signed with the region of whichever target of the account makes them)."""
    return [c[:2] for c in run.calls if c[2:] == (account, region) and c[0] != "iam"]


def converged(run, targets):
    """Every one of ``targets`` left compliant, none failed - and every flow log the run created has its id in the
    same run's report (from CreateFlowLogs' answer)."""
    by_name = {t["target"]: t for t in run.report["targets"]}
    return all(
        by_name[t]["status"] in ("changed", "unchanged")
        and by_name[t]["counts"]["compliant_after"] == by_name[t]["counts"]["resources"]
        and all(v["after"]["flow_log_id"] for v in by_name[t]["vpcs"] if v["action"] in ("created", "replaced"))
        for t in targets
    )


# ---------------------------------------------------------------- 1. an SCP denies a region


def test_scp_region_deny_fails_the_target_denied_or_skips_it(new_lab):
    """An SCP denies every EC2 and Logs call of account B in eu-west-1. Costs, for that target: one refused
    DescribeVpcs per run (fail: the host stops; skip: its later tasks make no call), no write anywhere."""
    lab = new_lab()
    denied = fleet.target_name(B, OTHER)
    for service in ("ec2", "logs"):
        lab.add(scp_deny, service=service, account=B, region=OTHER)

    first = lab.enable()
    skipped = lab.enable(flow_logs_on_denied="skip")
    lab.lift()
    third = lab.enable()

    others = [t for t in lab.targets() if t != denied]
    assert first.rc == 2, str(first)
    assert first.report["totals"]["api_calls"] == len(first.calls)  # the refused calls counted too
    assert first.status() == dict({t: "changed" for t in others}, **{denied: "denied"}), str(first)
    assert converged(first, others)
    target = first.target(B, OTHER)
    # AWS's words, then the diagnosis: a guardrail, never "missing permission".
    assert target["error"].startswith(
        "ec2:DescribeVpcs failed in account {b}, region {r}: UnauthorizedOperation: You are not authorized to perform "
        "this operation. User: arn:aws:sts::{b}:assumed-role/".format(b=B, r=OTHER)
    )
    assert "is not authorized to perform: ec2:DescribeVpcs {}".format(SCP_DENY) in target["error"]
    assert "(ec2:DescribeVpcs denied by a service control policy of the organisation (arn:aws:" in target["error"]
    assert "missing permission" not in target["error"]
    assert target["denial"]["cause"].startswith("ec2:DescribeVpcs denied by a service control policy")
    assert "flow_logs_on_denied: skip" in target["denial"]["fix"]
    assert (target["failed_phase"], first.report["totals"]["targets_denied"]) == ("discover", 1)
    assert "Discover failed: ec2:DescribeVpcs failed in account {}".format(B) in said(first.output)
    assert "1 of 4 targets are denied by the organisation: {}".format(denied) in said(first.output)
    # The first refused call ends the target: one EC2 call in its region, nothing more.
    assert first.refused == [("ec2", "DescribeVpcs", B, OTHER, 403)]
    assert regional_calls(first, B, OTHER) == [("ec2", "DescribeVpcs")]

    # flow_logs_on_denied: skip - reported denied, warned, not failed; its later tasks make no call.
    assert skipped.rc == 0, str(skipped)
    assert skipped.status() == dict({t: "unchanged" for t in others}, **{denied: "denied"})
    assert skipped.target(B, OTHER)["denial"] == target["denial"]
    assert skipped.report["totals"]["targets_denied"] == 1
    assert "denied by the organisation, skipped (flow_logs_on_denied: skip): ec2:DescribeVpcs failed" in said(
        skipped.output
    )
    assert skipped.refused == [("ec2", "DescribeVpcs", B, OTHER, 403)]
    assert regional_calls(skipped, B, OTHER) == [("ec2", "DescribeVpcs")]

    # The organisation lifts the deny: the target converges, the others have nothing to do.
    assert third.rc == 0, str(third)
    assert third.status() == dict({t: "unchanged" for t in others}, **{denied: "changed"})
    assert converged(third, lab.targets()) and third.refused == []


# ---------------------------------------------------------------- 2. an opt-in region not enabled


def test_opt_in_region_not_enabled_is_denied_and_assume_role_goes_through_us_east_1(new_lab):
    """af-south-1 not enabled for account B: one refused DescribeVpcs, the target denied. STS in af-south-1 refusing
    the controller costs nothing by default (every AssumeRole goes to us-east-1), one refused AssumeRole per target
    when flow_logs_sts_region names that region."""
    lab = new_lab(regions=(HOME, OPT_IN))
    denied = fleet.target_name(B, OPT_IN)
    for service in ("ec2", "logs"):
        lab.add(unrecognised_credentials, service=service, account=B, region=OPT_IN)

    first = lab.enable()
    lab.lift()
    # The controller's own account has not enabled the region: its STS there does not know the credentials.
    lab.add(unrecognised_credentials, service="sts", region=OPT_IN)
    second = lab.enable()
    third = lab.enable(flow_logs_sts_region=OPT_IN, args=("--limit", "region_" + OPT_IN.replace("-", "_")))

    others = [t for t in lab.targets() if t != denied]
    assert first.rc == 2, str(first)
    assert first.report["totals"]["api_calls"] == len(first.calls)  # the refused calls counted too
    assert first.status() == dict({t: "changed" for t in others}, **{denied: "denied"}), str(first)
    assert converged(first, others)
    target = first.target(B, OPT_IN)
    assert target["error"] == (
        "ec2:DescribeVpcs failed in account {0}, region {1}: AuthFailure: AWS was not able to validate the provided "
        "access credentials (region {1} is not enabled for account {0}; enable the region in the account's settings "
        "(an opt-in region), or leave the target out (flow_logs_on_denied: skip, or the inventory's region "
        "exclusions); if it is enabled, the session token may come from STS's global endpoint, whose tokens are valid "
        "only in regions enabled by default: get it from a regional STS endpoint (AWS_STS_REGIONAL_ENDPOINTS=regional))"
        "".format(B, OPT_IN)
    )
    assert target["denial"]["cause"] == "region {} is not enabled for account {}".format(OPT_IN, B)
    assert first.refused == [("ec2", "DescribeVpcs", B, OPT_IN, 401)]
    assert regional_calls(first, B, OPT_IN) == [("ec2", "DescribeVpcs")]
    # AssumeRole for every target went through us-east-1's STS: the opt-in region's never saw one.
    assert first.count("sts", "AssumeRole", region=OPT_IN) == 0
    assert first.count("sts", "AssumeRole", region=HOME) == first.count("sts", "AssumeRole") > 0

    # The account enables the region; the controller's own account has not: its STS there refuses the controller.
    # By default the role assumes through us-east-1 and never meets that refusal.
    assert second.rc == 0, str(second)
    assert second.status() == dict({t: "unchanged" for t in others}, **{denied: "changed"})
    assert converged(second, lab.targets()) and second.refused == []
    assert second.count("sts", "AssumeRole", region=OPT_IN) == 0
    assert second.count("sts", "AssumeRole", region=HOME) == second.count("sts", "AssumeRole") > 0

    # Told to use that region's STS, each target fails there, once, and the message says whose region it is.
    assert third.rc == 2, str(third)
    assert third.status() == {t: "failed" for t in lab.targets(region=OPT_IN)}
    for account in (A, B):
        error = third.target(account, OPT_IN)["error"]
        assert error.startswith(
            "sts:AssumeRole on arn:aws:iam::{a}:role/OrganizationAccountAccessRole failed in region {r} before "
            "reaching target account {a} (configured): InvalidClientTokenId: The security token included in the "
            "request is invalid. (AWS STS in region {r} does not recognise the controller's credentials".format(
                a=account, r=OPT_IN
            )
        ), error
        assert "flow_logs_sts_region" in error and "not enabled for account" not in error
    assert third.refused == [("sts", "AssumeRole", CONTROLLER, OPT_IN, 403)] * 2
    assert len(third.calls) == 2


# ---------------------------------------------------------------- 3. iam:PassRole refused


def delivery_role(account, path="/"):
    return "arn:aws:iam::{}:role{}{}".format(account, path, fleet.ROLE)


def test_create_flow_logs_refused_for_pass_role_names_pass_role_and_cuts_the_encoded_message(new_lab):
    """The operator of account B may not pass the delivery role: one refused CreateFlowLogs per target (the whole
    batch), reported as the missing iam:PassRole, the encoded authorization message cut."""
    lab = new_lab()
    lab.add(lambda call: pass_role_denied(call, delivery_role(B)), service="ec2", action="CreateFlowLogs", account=B)

    first = lab.enable()
    lab.lift()
    second = lab.enable()

    failing, others = lab.targets(account=B), lab.targets(account=A)
    assert first.rc == 2, str(first)
    assert first.report["totals"]["api_calls"] == len(first.calls)  # the refused calls counted too
    assert first.status() == dict({t: "changed" for t in others}, **{t: "failed" for t in failing})
    assert converged(first, others)
    for region in lab.regions:
        target = first.target(B, region)
        error = target["error"]
        assert error.startswith("ec2:CreateFlowLogs on vpc-"), error
        assert (
            "UnauthorizedOperation: You are not authorized to perform this operation. User: arn:aws:sts::{}:"
            "assumed-role/OrganizationAccountAccessRole/flowlogs-aws is not authorized to perform: iam:PassRole on "
            "resource: {} because no identity-based policy allows the iam:PassRole action. (encoded authorization "
            "failure message left out: a module's result keeps it as encoded_authorization_message, and aws sts "
            "decode-authorization-message reads it, with sts:DecodeAuthorizationMessage) (missing permission: "
            "iam:PassRole; grant it to the operator".format(B, delivery_role(B))
        ) in error
        assert "ec2:CreateFlowLogs;" not in error and "missing permission: ec2:" not in error
        assert (target["failed_phase"], target["counts"]["created"], target["counts"]["compliant_after"]) == (
            "converge",
            0,
            0,
        )
    # 1.5 KB only STS can read: neither in the report nor on the screen (a module's result keeps it); the target's
    # aws_error has the rest.
    assert encoded_authorization_message()[:200] not in json.dumps(first.report) + first.output
    for region in lab.regions:
        found = first.target(B, region)["aws_error"]
        assert (found["operation"], found["missing_permission"]) == ("ec2:CreateFlowLogs", "iam:PassRole")
        assert "encoded_authorization_message" not in found
    # One refused call per target: the whole CreateFlowLogs, not one per resource.
    assert sorted(first.refused) == [("ec2", "CreateFlowLogs", B, r, 403) for r in sorted(lab.regions)]
    assert first.count("ec2", "CreateFlowLogs", account=B) == 2

    assert second.rc == 0, str(second)
    assert second.status() == dict({t: "unchanged" for t in others}, **{t: "changed" for t in failing})
    assert converged(second, lab.targets()) and second.refused == []


# ---------------------------------------------------------------- 4. new roles need a permissions boundary

BOUNDARY = "flowlogs-boundary"
ROLE_PATH = "/guardrails/"


def test_create_role_refused_without_a_boundary_fails_the_account_once_then_the_role_variables_satisfy_it(new_lab):
    """An SCP requires a permissions boundary on new roles: one refused CreateRole for account B's two targets, then
    flow_logs_role_permissions_boundary and flow_logs_role_path satisfy it and the role under its path is compliant
    on the next run (no IAM write)."""
    lab = new_lab()
    for account in lab.accounts:  # the organisation's boundary policy, in every account
        iam = fleet.session(lab.aws.url, account, HOME).client("iam", endpoint_url=lab.aws.url)
        iam.create_policy(PolicyName=BOUNDARY, PolicyDocument=json.dumps(fleet.WIDE_POLICY))
    lab.add(without_boundary, service="iam", action="CreateRole")
    guardrail = dict(
        flow_logs_role_permissions_boundary="arn:aws:iam::{{ flow_logs_account_id }}:policy/" + BOUNDARY,
        flow_logs_role_path=ROLE_PATH,
    )

    first = lab.enable()
    second = lab.enable(**guardrail)
    third = lab.enable(**guardrail)

    failing, others = lab.targets(account=B), lab.targets(account=A)
    assert first.rc == 2, str(first)
    assert first.report["totals"]["api_calls"] == len(first.calls)  # the refused calls counted too
    assert first.status() == dict({t: "changed" for t in others}, **{t: "failed" for t in failing})
    assert converged(first, others)
    # The account's first region target to get there made the call (and named its region).
    (refused,) = first.refused
    assert refused[:3] + refused[4:] == ("iam", "CreateRole", B, 403) and refused[3] in lab.regions
    errors = [first.target(B, r)["error"] for r in lab.regions]
    for error in errors:
        assert error.startswith(
            "iam:CreateRole on {role} failed in account {b}, region {r}: AccessDenied: User: arn:aws:sts::{b}:"
            "assumed-role/OrganizationAccountAccessRole/flowlogs-aws is not authorized to perform: iam:CreateRole "
            "{deny}".format(role=fleet.ROLE, b=B, r=refused[3], deny=SCP_DENY)
        ), error
        # A guardrail the role's variables satisfy: failed (not denied by design), and the fix names them.
        assert "(iam:CreateRole denied by a service control policy of the organisation (arn:aws:" in error
        assert "set flow_logs_role_permissions_boundary and flow_logs_role_path" in error
    assert [first.target(B, r)["failed_phase"] for r in lab.regions] == ["delivery", "delivery"]
    # The account's other region target fails at once with the same cause: CreateRole was called once per account.
    assert sum("not tried again in this run" in e for e in errors) == 1
    assert first.count("iam", "CreateRole") == 1

    # The role's variables as the organisation asks: the role is made under the path with the boundary.
    assert second.rc == 0, str(second)
    assert {second.status()[t] for t in failing} == {"changed"}
    assert converged(second, lab.targets()) and second.refused == []
    assert second.count("iam", "CreateRole") == 1
    for account, path in ((B, ROLE_PATH), (A, "/")):  # A's existing role adopted as it is, boundary added
        session = fleet.session(lab.aws.url, account, HOME)
        role = session.client("iam", endpoint_url=lab.aws.url).get_role(RoleName=fleet.ROLE)["Role"]
        assert (role["Path"], role["Arn"]) == (path, delivery_role(account, path))
        boundary = "arn:aws:iam::{}:policy/{}".format(account, BOUNDARY)
        assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
        flow_logs = session.client("ec2", endpoint_url=lab.aws.url).describe_flow_logs()["FlowLogs"]
        ours = [f for f in flow_logs if f.get("LogGroupName") == fleet.GROUP]
        assert len(ours) == 3 and {f["DeliverLogsPermissionArn"] for f in ours} == {delivery_role(account, path)}

    # The role under its path is compliant: discovery reads its real ARN. Nothing to do, no IAM write.
    assert third.rc == 0, str(third)
    assert third.status() == {t: "unchanged" for t in lab.targets()}
    assert converged(third, lab.targets())
    assert [c for c in third.calls if c[0] == "iam" and not c[1].startswith(("Get", "List"))] == []


# ---------------------------------------------------------------- 5. a new delivery role not assumable yet

#: The writer's wait for a delivery role, shortened for the test (plugins/module_utils/_flow_logs/writer.py).
ROLE_WAIT = {"FLOWLOGS_AWS_ROLE_WAIT_SECONDS": "5"}


def test_role_not_assumable_yet_is_retried_until_it_is_and_a_role_never_assumable_says_how_long_and_why(new_lab):
    """CreateFlowLogs refused with "Unable to assume given IAM role": twice (3 calls, converged), or for good (3
    calls over the 5 s wait for the whole-call shape, 4 for the Unsuccessful shape: the replacement's call gives up
    at once)."""
    lab = new_lab()
    create = dict(service="ec2", action="CreateFlowLogs")
    # IAM propagation: B's new role refused twice, once in each of AWS's shapes, then accepted.
    lab.add(role_not_ready(delivery_role(B)), account=B, region=HOME, times=2, **create)
    # Never assumable (a trust policy or a guardrail keeps the service out), in each shape.
    lab.add(role_not_ready(delivery_role(B), shapes=("call",)), account=B, region=OTHER, **create)
    lab.add(role_not_ready(delivery_role(A), shapes=("items",)), account=A, region=OTHER, **create)

    first = lab.enable(env=ROLE_WAIT)
    lab.lift()
    second = lab.enable(env=ROLE_WAIT)

    ready, never = [fleet.target_name(a, HOME) for a in (A, B)], [fleet.target_name(a, OTHER) for a in (A, B)]
    assert first.rc == 2, str(first)
    assert first.report["totals"]["api_calls"] == len(first.calls)  # the refused calls counted too
    assert first.status() == dict({t: "changed" for t in ready}, **{t: "failed" for t in never})
    assert converged(first, ready)
    # Refused twice, in both shapes, then created: three CreateFlowLogs calls, the target changed.
    assert first.count("ec2", "CreateFlowLogs", B, HOME) == 3
    assert first.count("ec2", "CreateFlowLogs", B, HOME, refused=True) == 2
    assert sorted(r[4] for r in first.refused if r[2:4] == (B, HOME)) == [200, 400]
    # Never assumable: the writer waited 2 + 4 s (FLOWLOGS_AWS_ROLE_WAIT_SECONDS=5), then gave up; A's second call
    # (its replacement) gives up at once - one wait per target.
    assert first.count("ec2", "CreateFlowLogs", B, OTHER) == first.count(account=B, region=OTHER, refused=True) == 3
    assert first.count("ec2", "CreateFlowLogs", A, OTHER) == first.count(account=A, region=OTHER, refused=True) == 4
    wait_note = (
        "(waited 6 s (2 retries) for VPC Flow Logs to be able to assume the delivery role; likely causes: its trust "
        "policy does not let vpc-flow-logs.amazonaws.com assume it for this account (aws:SourceAccount, "
        "aws:SourceArn), or a guardrail of the organisation (a service control policy, a permissions boundary) keeps "
        "the service from assuming it)"
    )
    for account in (A, B):
        target = first.target(account, OTHER)
        assert target["error"].startswith("resource_ids: 3 of 3 resources failed: vpc-"), target["error"]
        rows = [row for row in target["vpcs"] if row["destination"] == "logs:" + fleet.GROUP]
        assert [(r["action"], r["error"]["code"]) for r in rows] == [("failed", "InvalidParameter")] * 3
        message = "Unable to assume given IAM role: '{}'".format(delivery_role(account))
        # Whether the last refusal came as Unsuccessful items (A) or for the whole call (B): AWS's words, then how
        # long it waited and why.
        assert {r["error"]["message"] for r in rows} == {message + " " + wait_note}
        assert (target["counts"]["role_waits"], target["counts"]["role_wait_seconds"]) == (2, 6)
    # The waits in the report: B's new role in us-east-1 waited 2 + 4 s too before it was accepted.
    assert first.target(B, HOME)["counts"]["role_waits"] == 2
    assert first.report["totals"]["role_waits"] == 6

    assert second.rc == 0, str(second)
    assert second.status() == dict({t: "unchanged" for t in ready}, **{t: "changed" for t in never})
    assert converged(second, lab.targets()) and second.refused == []


# ---------------------------------------------------------------- 6. the session expires mid-converge


def test_session_expiring_between_create_and_replace_fails_the_target_and_a_rerun_converges(new_lab):
    """Account A's sessions expire right after its first CreateFlowLogs in us-east-1: the next call (the
    replacement's CreateFlowLogs) is refused and ends the target; a new session on the rerun finishes the work."""
    lab = new_lab()
    expiry = SessionExpiry(lab.proxy, A)
    lab.add(expiry.answer, account=A, region=HOME)

    first = lab.enable()
    ec2 = fleet.session(lab.aws.url, A, HOME).client("ec2", endpoint_url=lab.aws.url)
    held = [f for f in ec2.describe_flow_logs()["FlowLogs"] if f.get("LogGroupName") == fleet.GROUP]
    lab.lift()
    second = lab.enable()

    expired, others = fleet.target_name(A, HOME), [t for t in lab.targets() if t != fleet.target_name(A, HOME)]
    planted = lab.planted[expired]
    assert first.rc == 2, str(first)
    assert first.report["totals"]["api_calls"] == len(first.calls)  # the refused calls counted too
    assert first.status() == dict({t: "changed" for t in others}, **{expired: "failed"})
    assert converged(first, others)
    target = first.target(A, HOME)
    # The first CreateFlowLogs (the two missing flow logs) went through; the replacement's was the first call refused.
    assert target["error"] == (
        "ec2:CreateFlowLogs on {} failed in account {}, region {}: RequestExpired: Request has expired. (the assumed "
        "role's session expired; a rerun starts a new session and converges what is left)".format(
            planted["vpcs"][0], A, HOME
        )
    )
    # The replacement's CreateFlowLogs was the first call refused; the read-back of what was done, the second.
    assert first.refused == [("ec2", "CreateFlowLogs", A, HOME, 400), ("ec2", "DescribeFlowLogs", A, HOME, 400)]
    assert first.count("ec2", "CreateFlowLogs", A, HOME) == 2
    # What AWS holds: the two new flow logs; the REJECT-only one not replaced yet.
    by_traffic = sorted((f["TrafficType"], f["ResourceId"] == planted["vpcs"][0]) for f in held)
    assert by_traffic == [("ALL", False), ("ALL", False), ("REJECT", True)]
    # What the report says: the two flow logs created (with the ids AWS answered), the replaced VPC failed and as it
    # was (REJECT), nothing not_run.
    counts = target["counts"]
    assert (counts["created"], counts["failed"], counts["not_run"], counts["compliant_after"]) == (2, 1, 0, 2)
    assert target["changed"] is True
    by_vpc = {v["vpc_id"]: v for v in target["vpcs"]}
    assert sorted(v["after"]["flow_log_id"] for v in by_vpc.values() if v["action"] == "created") == sorted(
        f["FlowLogId"] for f in held if f["TrafficType"] == "ALL"
    )
    replaced = by_vpc[planted["vpcs"][0]]
    assert replaced["action"] == "failed" and replaced["after"]["traffic_type"] == "REJECT"
    assert replaced["error"]["code"] == "RequestExpired"

    # A new session: the rerun replaces the REJECT-only flow log and finds the two created ones compliant.
    assert second.rc == 0, str(second)
    assert second.status() == dict({t: "unchanged" for t in others}, **{expired: "changed"})
    assert converged(second, lab.targets()) and second.refused == []
    counts = second.target(A, HOME)["counts"]
    assert (counts["compliant_before"], counts["replaced"], counts["unchanged"]) == (2, 1, 2)


# ---------------------------------------------------------------- 8. a KMS key policy that keeps CloudWatch Logs out


def log_group_arn(call):
    return "arn:aws:logs:{}:{}:log-group:{}".format(call.region, call.account, fleet.GROUP)


def test_kms_key_policy_refusing_cloudwatch_logs_names_the_key_and_the_service_principal(new_lab):
    """Account B's log groups are to be encrypted with keys whose policy keeps CloudWatch Logs out: one refused
    CreateLogGroup per target, no flow-log call."""
    lab = new_lab()
    keys = {}
    for region in lab.regions:  # B's log groups encrypted with a key of their region
        kms = fleet.session(lab.aws.url, B, region).client("kms", endpoint_url=lab.aws.url)
        keys[fleet.target_name(B, region)] = kms.create_key(Description="flow logs")["KeyMetadata"]["Arn"]
    host_vars = {name: dict(flow_logs_kms_key_id=key) for name, key in keys.items()}
    refuse = dict(service="logs", action="CreateLogGroup", account=B)
    lab.add(lambda call: kms_key_not_allowed(call, log_group_arn(call)), **refuse)

    first = lab.enable(host_vars=host_vars)
    lab.lift()
    second = lab.enable(host_vars=host_vars)

    failing, others = lab.targets(account=B), lab.targets(account=A)
    assert first.rc == 2, str(first)
    assert first.report["totals"]["api_calls"] == len(first.calls)  # the refused calls counted too
    assert first.status() == dict({t: "changed" for t in others}, **{t: "failed" for t in failing})
    assert converged(first, others)
    for region in lab.regions:
        target = first.target(B, region)
        assert target["error"] == (
            "logs:CreateLogGroup on {group} failed in account {b}, region {r}: AccessDeniedException: The specified "
            "KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:{r}:{b}:log-group:{group}' "
            "(CloudWatch Logs may not use KMS key {key}; its key policy must allow the service principal "
            "logs.{r}.amazonaws.com kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and "
            "kms:Describe* (AWS's CloudWatch Logs guide, 'Encrypt log data in CloudWatch Logs using AWS KMS'))".format(
                group=fleet.GROUP, b=B, r=region, key=keys[target["target"]]
            )
        )
        assert target["failed_phase"] == "delivery"
    # A log group is per region: one refused CreateLogGroup per target, nothing after it.
    assert sorted(first.refused) == [("logs", "CreateLogGroup", B, r, 400) for r in sorted(lab.regions)]
    assert first.count("ec2", "CreateFlowLogs", account=B) == 0

    assert second.rc == 0, str(second)
    assert second.status() == dict({t: "unchanged" for t in others}, **{t: "changed" for t in failing})
    assert converged(second, lab.targets()) and second.refused == []
    for region in lab.regions:
        logs = fleet.session(lab.aws.url, B, region).client("logs", endpoint_url=lab.aws.url)
        (group,) = logs.describe_log_groups(logGroupNamePrefix=fleet.GROUP)["logGroups"]
        assert group["kmsKeyId"] == keys[fleet.target_name(B, region)]


# ---------------------------------------------------------------- 9. one resource refused in an HTTP 200 answer

#: EC2's documented error code when a resource has as many flow logs as its quota allows, and its description.
QUOTA_REFUSAL = "FlowLogsLimitExceeded", "You've reached the limit on the number of VPC flow logs that you can create."


def test_one_resource_refused_as_unsuccessful_keeps_aws_words_and_the_others_converge(new_lab):
    """One VPC of account A in us-east-1 is refused as an Unsuccessful item of an HTTP 200 CreateFlowLogs answer (a
    quota): one answered call; the other resources of the call converge."""
    lab = new_lab()
    name = fleet.target_name(A, HOME)
    refused = lab.planted[name]["vpcs"][1]
    answer = partly_unsuccessful(lab.proxy, {refused: QUOTA_REFUSAL})
    lab.add(answer, service="ec2", action="CreateFlowLogs", account=A, region=HOME)

    first = lab.enable()
    lab.lift()
    second = lab.enable()

    others = [t for t in lab.targets() if t != name]
    assert first.rc == 2, str(first)
    assert first.report["totals"]["api_calls"] == len(first.calls)  # the refused calls counted too
    assert first.status() == dict({t: "changed" for t in others}, **{name: "failed"})
    assert converged(first, others)
    target = first.target(A, HOME)
    code, message = QUOTA_REFUSAL
    explained = (
        message + " (a quota was reached: Amazon VPC quota 'Flow logs per single network interface, subnet, or VPC in "
        "a Region'; raise the quota in Service Quotas for this account and region, or cover fewer resources)"
    )
    assert target["error"] == "resource_ids: 1 of 3 resources failed: {}: {}: {}".format(refused, code, explained)
    # AWS's code and message kept on the refused resource, with the quota's name; the other two converged in the same
    # calls.
    rows = {row["resource_id"]: row for row in target["vpcs"]}
    assert rows[refused]["action"] == "failed"
    assert rows[refused]["error"] == dict(resource_id=refused, code=code, message=explained)
    assert sorted(r["action"] for r in rows.values()) == ["created", "failed", "replaced"]
    assert (target["counts"]["compliant_after"], target["counts"]["failed"]) == (2, 1)
    assert first.refused == [("ec2", "CreateFlowLogs", A, HOME, 200)]

    assert second.rc == 0, str(second)
    assert second.status() == dict({t: "unchanged" for t in others}, **{name: "changed"})
    assert converged(second, lab.targets()) and second.refused == []
    counts = second.target(A, HOME)["counts"]
    assert (counts["created"], counts["unchanged"]) == (1, 2)
