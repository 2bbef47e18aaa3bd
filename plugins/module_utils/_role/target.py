# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One target of the flowlogs.aws.flow_logs role (one account in one region), in the role's four tasks.

Private to the collection: not a public API, it may change in any release. Each task is one call here, on the
Target its variables describe (model.py), and each step is the converge function of the module of the same name:

- ``discover``: the account checked, the resources and their flow logs read, a verdict and a plan per unit
  (read-only; the role registers the result as ``flow_logs_discovery``);
- ``delivery``: the delivery role (once per account per run, or by the account's owner target) and log groups;
- ``converge``: the S3 buckets' policies read, then one batched flow-log converge per unit - or, when disabling, the
  deletions asked for;
- ``monitor``: alarms and analysis.

Each task returns the target's result so far (report.fleet.target_result: the public ``flow_logs_result``), built the
same way whether it succeeded or failed. What the next task needs - the steps' results, the units, the flow logs read,
the delivery role's ARN - travels as ``Carried`` through the run's cache, never in the result.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._alarms.converge import converge_flow_log_alarms
from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.athena import converge_flow_log_athena
from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.insights import converge_flow_log_insights
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import logs as logs_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.bucket_delivery import (
    read_bucket_delivery_state,
    s3_delivery_problems,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.log_groups import (
    converge_log_group,
    protection_problem,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.roles import converge_role
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import NOT_OWNED
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.converge import (
    converge_flow_logs,
    failure_message,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import same_role
from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import target_result
from ansible_collections.flowlogs.aws.plugins.module_utils._role import analysis as ra
from ansible_collections.flowlogs.aws.plugins.module_utils._role.arrival import check_target_arrival
from ansible_collections.flowlogs.aws.plugins.module_utils._role.discovery import discover_units
from ansible_collections.flowlogs.aws.plugins.module_utils._role.variables import RoleVariablesError

#: The role's tasks and the phases each runs, in order; each phase has a tag (flow_logs_<phase>).
TASKS = dict(
    discover=("discover",), delivery=("delivery",), converge=("delivery", "converge"), monitor=("alarms", "analysis")
)
PHASE_TITLES = dict(
    preflight="Preflight",
    connect="Connect (credentials, assume role, account check)",
    discover="Discover",
    delivery="Delivery role and log group",
    converge="Flow logs",
    alarms="Alarms",
    analysis="Analysis (saved queries, Contributor Insights, Athena)",
)


class _Failures(Exception):
    """Some resources failed; the others converged (their results are kept)."""


def unit_key(step, unit):
    """The step key of a unit's discovery (``before``) or converge (``flow_logs``): the plain key for the first
    VPC unit, as in 1.0.0."""
    if unit["resource_type"] == "VPC" and unit.get("first"):
        return step
    return "{}:{}:{}".format(step, unit["resource_type"], unit["destination"])


def unit_header(unit):
    return "{} -> {}".format(unit["resource_type"], unit["destination"])


def plan_totals(units):
    """What the converge would do, counted over ``units`` (each with its ``plan``: a target's units, or the targets
    of a batch; ``replacing``: the resources whose flow log would be replaced)."""
    totals = dict(created=0, replaced=0, updated=0, deleted=0, unchanged=0, replacing=[])
    for unit in units:
        for key, value in (unit.get("plan") or {}).items():
            totals[key] = totals[key] + value
    totals["replacing"] = sorted(set(totals["replacing"]))
    return totals


class TargetRun:
    """One task's steps on one target, with what earlier tasks carried (``carried``: a dict, see ``carry()``)."""

    def __init__(self, clients, target, name, check_mode=False, want_diff=False, shared=None, carried=None):
        carried = carried or {}
        self.clients, self.target, self.name, self.shared = clients, target, name, shared
        self.check_mode, self.want_diff = check_mode, want_diff
        self.steps = dict(carried.get("steps") or {})
        self.units = [dict(u) for u in carried.get("units") or []]
        self.existing = carried.get("existing")
        self.role_arn = carried.get("role_arn")
        #: Whether the delivery task ran (the converge does it itself otherwise).
        self.delivered = bool(carried.get("delivered"))
        self.phases = list(carried.get("phases") or ["preflight"])
        self.earlier_stats = dict(carried.get("aws_stats") or dict(calls=0, retries=0))
        self.changed = False
        self.plan = None
        #: The cause and fix of a guardrail of the organisation that denies the target by design.
        self.denial = None
        #: The AWS error that failed the task, as a dict (AwsError.as_dict), or None.
        self.aws_error = None
        #: An earlier task's denial of the target (with its error and phase), skipped as flow_logs_on_denied asks.
        self.denied = carried.get("denied")
        self.diffs, self.warnings = [], []
        self.phase = "preflight"

    def carry(self):
        """What the next task needs, JSON-able."""
        return dict(
            steps=self.steps,
            units=self.units,
            existing=self.existing,
            role_arn=self.role_arn,
            delivered=self.delivered,
            phases=self.phases,
            aws_stats=self.aws_stats(),
            denied=self.denied,
        )

    def aws_stats(self):
        here = self.clients.stats
        return dict(
            calls=self.earlier_stats["calls"] + here.get("calls", 0),
            retries=self.earlier_stats["retries"] + here.get("retries", 0),
        )

    def step(self, key, converge, options, header, **kwargs):
        """Run one module's converge function; keep its result, its diff apart. A fleet target reports what it did
        without reading it all back (``read_after=False``): the plan it applied says so."""
        found = converge(self.clients, options, check_mode=self.check_mode, validated=True, **kwargs)
        return self.keep(key, found, header)

    def keep(self, key, found, header):
        before, after = found.pop("before", None), found.pop("after", None)
        self.warnings.extend(found.pop("warnings", None) or [])
        if found.get("changed"):
            self.changed = True
            if self.want_diff:
                self.diffs.append(dict(before=before, after=after, before_header=header, after_header=header))
        self.steps[key] = found
        return found

    def enter(self, phase):
        self.phase = phase
        if phase not in self.phases:
            self.phases.append(phase)

    # ------------------------------------------------------------ discover

    def connect(self):
        """The account (refusing another than flow_logs_account_id) and the delivery role's ARN as named (path
        included); the delivery's converge reads the real one."""
        self.phase = "connect"
        identity = self.clients.identity()
        self.role_arn = self.role_arn or self.target.role_arn(identity)
        return identity

    def discover(self):
        self.connect()
        self.enter("discover")
        self.units, self.existing = discover_units(self.clients, self.target, self.role_arn, with_plan=True)
        first = next((u for u in self.units if u["resource_type"] == "VPC"), None)
        for unit in self.units:
            unit["first"] = unit is first
            self.keep(unit_key("before", unit), dict(unit["before"]), unit_header(unit))
        self.plan = plan_totals(self.units)
        check_target_arrival(self)  # proof of delivery (#22): on the rows just kept, and the ``arrival`` step

    # ------------------------------------------------------------ converge

    def delivery(self):
        """The delivery role and log groups, a task of its own before the flow logs: in a run of many targets every
        account's new role is made while the other targets make theirs, so that IAM has propagated it before the
        account's first CreateFlowLogs (on AWS a new role cannot be passed for a few seconds)."""
        identity = self.connect()
        if self.existing is None:  # the discover task did not run (--tags): discover first, it only reads
            self.discover()
        self.delivered = True
        if self.target.present and self.target.cloudwatch_destinations:
            self.enter("delivery")
            role = self._owners_role(identity) if self.target.role.owner is False else self._delivery_role(identity)
            self.role_arn = ((role or {}).get("role") or {}).get("arn") or self.role_arn
            self._log_groups("present")

    def converge(self):
        identity = self.connect()
        if not self.delivered:  # the delivery task did not run (--tags flow_logs_converge)
            self.delivery()
        target = self.target
        self.enter("converge")
        if target.present:
            self._check_buckets(identity["account"])
        elif target.delete_log_group:
            self._refuse_protected_log_groups()
        self._flow_logs()
        if not target.present and target.cloudwatch_destinations:
            self._delete_delivery()

    def _unit(self, carried):
        return next(
            u
            for u in self.target.units
            if u.resource_type == carried["resource_type"] and u.destination.label == carried["destination"]
        )

    def _flow_logs(self):
        """One batched converge per unit with resources; the units that failed some resources are named together."""
        failures = []
        for unit in self.units:
            ids = [row["resource_id"] for row in unit["before"]["vpcs"] if row["verdict"] != NOT_OWNED]
            if not ids:
                continue
            options = self.target.flow_log_options(self._unit(unit), self.role_arn, ids)
            found = self._unit_flow_logs(unit, options)
            unit["flow_logs"] = found
            if found.get("failures"):
                failures.append(failure_message(found))
        if failures:
            raise _Failures("; ".join(failures))

    def _unit_flow_logs(self, unit, options):
        """One unit's flow-log converge; an error midway keeps what was done before it (read back where it can be)."""
        key, header = unit_key("flow_logs", unit), "flow logs: " + unit_header(unit)
        try:
            role_check = self._take_over_role if self.target.role.owner is False else None
            return self.step(
                key,
                converge_flow_logs,
                options,
                header,
                existing=self.existing,
                read_after=False,
                role_check=role_check,
            )
        except AwsError as exc:
            partial = getattr(exc, "partial", None)
            if partial is not None:
                unit["flow_logs"] = self.keep(key, partial, header)
            raise

    def _check_buckets(self, account):
        """Before delivering to a bucket: what its policy and object ownership say about delivery of this account's
        flow logs, read where these credentials may (only the bucket owner's account can read its policy), once per
        bucket and account per run. A likely failure is a warning; AWS's answer to CreateFlowLogs stays the verdict."""
        for dest in self.target.destinations:
            if dest.type != "s3" or not dest.log_destination:
                continue
            bucket = dest.log_destination.split(":::", 1)[-1].split("/", 1)[0]
            state = self._bucket_state(account, bucket)
            problems = [p for p in state["problems"] if p.endswith("does not exist")]
            if state["policy_read"]:
                problems += s3_delivery_problems(
                    state["policy"],
                    state["object_ownership"],
                    account,
                    dest.log_destination,
                    hive_compatible_partitions=bool((dest.destination_options or {}).get("hive_compatible_partitions")),
                    region=self.clients.region,
                )
            self.steps["bucket:" + dest.label] = dict(
                changed=False, bucket=bucket, policy_read=state["policy_read"], problems=problems
            )
            self.warnings.extend(
                "{}: delivery to bucket {} would likely fail - {}".format(dest.variable("bucket_arn"), bucket, p)
                for p in problems
            )

    def _bucket_state(self, account, bucket):
        def read():
            return read_bucket_delivery_state(self.clients, bucket)

        return self.shared.once(["bucket-state", account, bucket], read)[0] if self.shared else read()

    def _log_groups(self, state):
        groups = self.target.cloudwatch_destinations
        for dest in groups:
            key = "log_group" if dest is groups[0] else "log_group:" + dest.label
            options = self.target.log_group_options(dest, state)
            self.step(key, converge_log_group, options, "log group {}".format(dest.log_group_name), read_after=False)

    def _role_key(self, identity):
        return ["delivery-role", identity["account"], self.target.role_options(), self.check_mode]

    def _delivery_role(self, identity):
        """The account's delivery role, converged once per account per run: the first region target of the
        account does it (under the run's lock), the others read its result and change nothing."""
        options = self.target.role_options()
        header = "delivery role {}".format(self.target.role.name)
        if self.shared is None:
            return self.step("role", converge_role, options, header, read_after=False)

        def converge_once():
            try:
                found = converge_role(
                    self.clients, options, check_mode=self.check_mode, read_after=False, validated=True
                )
            except AwsError as exc:  # remembered: the account's other region targets fail at once, without a call
                return dict(failed=self.clients.locate(exc).as_dict(), converged_by=self.name)
            return dict(found, converged_by=self.name)

        found, first = self.shared.once(self._role_key(identity), converge_once)
        return self.keep("role", _as_read(found, first), header)

    def _owners_role(self, identity):
        """The delivery role of a target that does not own it (flow_logs_delivery_role_owner=false): what the owner
        target did in this run on this controller, else no call - the ARN is the one an existing flow log names, or
        the one named (an AWX slice whose owner target runs in another slice)."""
        found = self.shared.load(self._role_key(identity)) if self.shared else None
        if found:
            return self.keep("role", _as_read(found, False), "delivery role {}".format(self.target.role.name))
        self.role_arn = _role_named_by(self.existing or (), self.role_arn)
        return None

    def _take_over_role(self):
        """CreateFlowLogs still refuses the named role after a while: the owner target failed or did not run, so this
        target converges the role (once per account per run on this controller) and passes its real ARN."""
        role = self._delivery_role(self.clients.identity())
        return (role.get("role") or {}).get("arn")

    def _refuse_protected_log_groups(self):
        """Before any flow log is deleted: a log group to delete that is protected from deletion fails the target,
        unless flow_logs_lift_deletion_protection lifts the protection (never flow logs gone, then a failed delete)."""
        for dest in self.target.cloudwatch_destinations:
            current = logs_api.describe_log_group(self.clients("logs"), dest.log_group_name)
            problem = protection_problem(current, self.target.lift_deletion_protection)
            if problem:
                raise ParameterError(
                    "flow_logs_lift_deletion_protection",
                    "{}; set flow_logs_lift_deletion_protection=true to lift the protection and delete the group, "
                    "or flow_logs_delete_log_group=false to keep it".format(problem),
                )

    def _delete_delivery(self):
        if self.target.delete_log_group:
            self._log_groups("absent")
        if self.target.delete_role:
            header = "delivery role {}".format(self.target.role.name)
            self.step("role", converge_role, self.target.role_options(state="absent"), header)

    # ------------------------------------------------------------ monitor

    def monitor(self):
        target = self.target
        if target.present and target.alarms:
            self.enter("alarms")
            self._alarms()
        if target.present or target.delete_log_group:
            self.enter("analysis")
            self._analysis()

    def _alarms(self):
        if self.target.alarm_destination is None:
            self.warnings.append(
                "flow_logs_alarms: no alarms - they read rejected traffic from a CloudWatch Logs destination with "
                "traffic_type ALL or REJECT, and this target has none"
            )
            return
        self.step("alarms", converge_flow_log_alarms, self.target.alarm_options(), "alarms")

    def _analysis(self):
        """Saved queries and rules on the CloudWatch Logs groups, Athena over the S3 destinations; when the log
        groups are deleted, their saved queries and rules go too. Saved queries the user did not ask for (the
        default) are best effort: refused or unsupported, they are a warning, never a failed target."""
        steps, warnings = ra.insights_steps(self.target, "present" if self.target.present else "absent")
        self.warnings.extend(warnings)
        for step in steps:
            try:
                self.step(step.key, converge_flow_log_insights, step.options, step.header, read_after=False)
            except AwsError as exc:
                if ra.asked_for(self.target, step.options):
                    raise
                self._unavailable(step, self.clients.locate(exc))
        for step in ra.athena_steps(self.target) if self.target.present else []:
            self.step(step.key, converge_flow_log_athena, step.options, step.header, read_after=False)

    def _unavailable(self, step, exc):
        """An optional analysis step AWS refused (or the endpoint does not serve): recorded and warned, not failed."""
        self.steps[step.key] = dict(changed=False, unavailable=dict(exc.as_dict(), fix=ra.UNAVAILABLE_FIX))
        self.warnings.append(
            "flow_logs_insights_queries: no saved queries on log group {} - {}: {}".format(
                step.options["log_group_name"], exc, ra.UNAVAILABLE_FIX
            )
        )

    # ------------------------------------------------------------ the result

    def error_of(self, exc):
        """The message of what stopped the task, named in the target's variables."""
        if isinstance(exc, RoleVariablesError) or not isinstance(exc, ParameterError):
            return str(exc)
        return "{}: {}".format(self.target.variable_of(exc.option), exc.detail)

    def result(self, error=None):
        """The task's result: the target's result so far, and the task's own ``changed``, ``msg``, ``diff``."""
        target = self.target
        account = target.account_id or (self.clients.known_identity() or {}).get("account")
        found = target_result(
            target=self.name,
            region=target.region,
            account_id=account,
            state=target.state,
            check_mode=self.check_mode,
            steps=self.steps,
            units=self.units,
            error=error,
            failed_phase=self.phase if error else None,
            phases=list(self.phases),
            aws_stats=self.aws_stats(),
            denial=self.denial,
            aws_error=self.aws_error,
        )
        task = dict(found, changed=self.changed)
        if self.plan is not None:
            task["plan"] = self.plan
        if error:
            self._failed(task, error)
        if self.diffs:
            task["diff"] = self.diffs
        if self.warnings:
            task["warnings"] = self.warnings
        return task

    def _failed(self, task, error):
        """A task that met ``error`` fails - unless the organisation denies the target by design and the user said
        to skip such targets (flow_logs_on_denied: skip): then it is reported ``denied`` and warned about."""
        if self.denial and self.target.on_denied == "skip":
            if not self.denied:  # said once, by the task that met it
                self.warnings.append("denied by the organisation, skipped (flow_logs_on_denied: skip): " + error)
            return
        task.update(failed=True, msg="{} failed: {}".format(PHASE_TITLES[self.phase], error))


def _role_named_by(flow_logs, role_arn):
    """The ARN, path included, that an existing flow log names for the role ``role_arn`` names, else ``role_arn``."""
    named = (f.get("deliver_logs_role_arn") for f in flow_logs)
    return next((arn for arn in named if same_role(arn, role_arn)), role_arn)


def _as_read(found, first):
    """A delivery role's converge result as the target that made it (``first``) or another target of the account
    reports it: the other changed nothing. A failure is raised, naming the target that met it for the others."""
    if found.get("failed"):
        raise AwsError.from_dict(found["failed"], met_by=None if first else found["converged_by"])
    if first:
        return found
    found = dict(found, changed=False, actions=[], purged_policies=[], principals_before=None, warnings=[])
    found["before"] = found["after"]
    return found


def run_task(task, run):
    """Run one of the role's tasks (``TASKS``) on ``run``'s target; never raises for AWS or input errors.
    Returns (task result, what to carry to the next task). A target an earlier task found denied by design (and
    skipped, flow_logs_on_denied: skip) makes no call in its later tasks and stays denied."""
    if run.denied:
        run.denial, run.phase = run.denied["denial"], run.denied["phase"]
        return run.result(run.denied["error"]), run.carry()
    error = None
    try:
        getattr(run, task)()
    except ParameterError as exc:
        error = run.error_of(exc)
    except AwsError as exc:
        run.clients.locate(exc)
        error, run.aws_error = str(exc), _without_encoded_message(exc.as_dict())
        if exc.denied:
            run.denial = dict(cause=exc.diagnosis.cause, fix=exc.diagnosis.fix)
    except _Failures as exc:
        error = str(exc)
    found = run.result(error)
    if run.denial:
        run.denied = dict(denial=run.denial, error=error, phase=run.phase)
    return found, run.carry()


def _without_encoded_message(found):
    """An AWS error as the role reports it: without the kilobytes of an encoded authorization failure message, which
    a failed host's output would print for every target (vpc_flow_log's result keeps it)."""
    found.pop("encoded_authorization_message", None)
    return found


def problems_result(name, problems, variables):
    """The result of a task whose variables have problems: failed in preflight, before any AWS call."""
    error = str(RoleVariablesError(problems))
    found = target_result(
        target=name,
        region=variables.get("flow_logs_region"),
        account_id=variables.get("flow_logs_account_id"),
        state=variables.get("flow_logs_state") or "present",
        steps={},
        error=error,
        failed_phase="preflight",
        phases=["preflight"],
        aws_stats=dict(calls=0, retries=0),
    )
    return dict(found, changed=False, failed=True, msg="{} failed: {}".format(PHASE_TITLES["preflight"], error))
