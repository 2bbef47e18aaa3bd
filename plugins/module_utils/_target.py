# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One target of the flowlogs.aws.flow_logs role (one account in one region), converged in one go.

Private to the collection: not a public API, it may change in any release. The steps are the modules'
own converge functions, run in the order the role documents: preflight (every variable checked before any
AWS call) -> discovery with a verdict per VPC -> delivery role and log group -> one batched flow-log
converge -> alarms (or, when disabling, what was asked to be deleted). The result is the target's
``flow_logs_result``, built the same way whether the target succeeded or failed.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils import _role_analysis as ra
from ansible_collections.flowlogs.aws.plugins.module_utils import _role_destinations as rd
from ansible_collections.flowlogs.aws.plugins.module_utils import _role_variables as rv
from ansible_collections.flowlogs.aws.plugins.module_utils._alarms import converge_flow_log_alarms
from ansible_collections.flowlogs.aws.plugins.module_utils._athena import converge_flow_log_athena
from ansible_collections.flowlogs.aws.plugins.module_utils._audit import NOT_OWNED
from ansible_collections.flowlogs.aws.plugins.module_utils._bucket_delivery import (
    read_bucket_delivery_state,
    s3_delivery_problems,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs import converge_flow_logs, failure_message
from ansible_collections.flowlogs.aws.plugins.module_utils._iam_roles import converge_role
from ansible_collections.flowlogs.aws.plugins.module_utils._insights import converge_flow_log_insights
from ansible_collections.flowlogs.aws.plugins.module_utils._log_groups import converge_log_group
from ansible_collections.flowlogs.aws.plugins.module_utils._report import target_result
from ansible_collections.flowlogs.aws.plugins.module_utils._target_discovery import discover_units

#: The phases of a target, in order; each has a tag (flow_logs_<phase>) that selects or skips it.
PHASES = ("preflight", "discover", "delivery", "converge", "alarms", "analysis")
PHASE_TITLES = dict(
    preflight="Preflight",
    connect="Connect (credentials, assume role, account check)",
    discover="Discover",
    delivery="Delivery role and log group",
    converge="Flow logs",
    alarms="Alarms",
    analysis="Analysis (saved queries, Contributor Insights, Athena)",
)
#: The tags of the role's one task; selecting or skipping one of them selects or skips its phase.
OWN_TAGS = ("flow_logs", "flow_logs_result", *("flow_logs_" + p for p in PHASES))


def selected_phases(task_tags, run_tags, skip_tags):
    """The phases ``--tags`` / ``--skip-tags`` select for the role's task (tagged ``always`` so that
    skipping one phase does not skip the others). ``task_tags`` are the task's own and inherited tags
    (a play or a role the user tagged). Pure."""
    run_tags, skip_tags = set(run_tags or ("all",)), set(skip_tags or ())
    inherited = set(task_tags or ()) - set(OWN_TAGS) - {"always"}
    everything = (
        "all" in run_tags
        or "flow_logs" in run_tags
        or bool(inherited & run_tags)
        or ("tagged" in run_tags and inherited)
    )
    chosen = [p for p in PHASES if everything or "flow_logs_" + p in run_tags]
    if "flow_logs" in skip_tags or inherited & skip_tags or "all" in skip_tags:
        return ()
    chosen = [p for p in chosen if "flow_logs_" + p not in skip_tags]
    if not chosen:
        return ()
    if "converge" in chosen and "discover" not in chosen and "flow_logs_discover" not in skip_tags:
        chosen.append("discover")  # the VPCs to converge come from discovery (it only reads)
    return tuple(p for p in PHASES if p == "preflight" or p in chosen)


class _Run:
    """The steps of one target and what each returned."""

    def __init__(self, clients, variables, check_mode, want_diff, target=None, shared=None):
        self.clients = clients
        self.v = variables
        self.check_mode = check_mode
        self.want_diff = want_diff
        self.target = target
        self.shared = shared
        self.steps = {}
        self.units = []
        self.diffs = []
        self.warnings = []
        self.phase = "preflight"

    def step(self, key, converge, options, header, **kwargs):
        """Run one module's converge function; keep its result, its diff apart. A fleet target reports what
        it did without reading it all back (``read_after=False``): the plan it applied says so."""
        found = converge(self.clients, options, check_mode=self.check_mode, **kwargs)
        return self._keep(key, found, header)

    def _keep(self, key, found, header):
        before, after = found.pop("before", None), found.pop("after", None)
        self.warnings.extend(found.pop("warnings", None) or [])
        if self.want_diff and found.get("changed"):
            self.diffs.append(dict(before=before, after=after, before_header=header, after_header=header))
        self.steps[key] = found
        return found

    def converge(self, phases):
        v = self.v
        present = v.get("flow_logs_state") != "absent"
        logs_destinations = rd.cloudwatch_destinations(v)
        self.phase = "connect"
        identity = self.clients.identity()  # also refuses another account than flow_logs_account_id
        role_arn = rv.delivery_role_arn(v, identity)
        existing = None
        if "discover" in phases:
            self.phase = "discover"
            self.units, existing = discover_units(self.clients, v, role_arn)
            for unit in self.units:
                self._keep(unit_key("before", unit), unit["before"], unit_header(unit))
        if present and logs_destinations and "delivery" in phases:
            self.phase = "delivery"
            role = self._delivery_role(identity)
            role_arn = (role.get("role") or {}).get("arn") or role_arn
            self._log_groups(logs_destinations, "present")
        if "converge" in phases:
            self.phase = "converge"
            if present:
                self._check_buckets(identity["account"])
            self._flow_logs(role_arn, existing)
        if "converge" in phases and not present and logs_destinations:
            self._delete_delivery(logs_destinations)
        if present and v.get("flow_logs_alarms") and "alarms" in phases:
            self._alarms()
        if "analysis" in phases and (present or v.get("flow_logs_delete_log_group")):
            self._analysis(present)

    def _flow_logs(self, role_arn, existing):
        """One batched converge per unit with resources; the units that failed some resources are named together."""
        failures = []
        for unit in self.units:
            ids = [row["resource_id"] for row in unit["before"]["vpcs"] if row["verdict"] != NOT_OWNED]
            if not ids:
                continue
            options = rv.flow_log_options(self.v, role_arn, ids, unit["dest"], unit["resource_type"])
            found = self.step(
                unit_key("flow_logs", unit),
                converge_flow_logs,
                options,
                "flow logs: " + unit_header(unit),
                existing=existing,
                read_after=False,
            )
            unit["flow_logs"] = found
            if found.get("failures"):
                failures.append(failure_message(found))
        if failures:
            raise _Failures("; ".join(failures))

    def _check_buckets(self, account):
        """Before delivering to a bucket: what its policy and object ownership say about delivery of this account's
        flow logs, read where these credentials may (only the bucket owner's account can read its policy), once per
        bucket and account per run. A likely failure is a warning; AWS's answer to CreateFlowLogs stays the verdict."""
        for dest in rd.destinations(self.v):
            if dest["type"] != "s3" or not dest["log_destination"]:
                continue
            bucket = dest["log_destination"].split(":::", 1)[-1].split("/", 1)[0]

            def read(bucket=bucket):
                return read_bucket_delivery_state(self.clients, bucket)

            state = self.shared.once(["bucket-state", account, bucket], read)[0] if self.shared else read()
            problems = [p for p in state["problems"] if p.endswith("does not exist")]
            if state["policy_read"]:
                options = dest["destination_options"] or {}
                problems += s3_delivery_problems(
                    state["policy"],
                    state["object_ownership"],
                    account,
                    dest["log_destination"],
                    hive_compatible_partitions=bool(options.get("hive_compatible_partitions")),
                    region=self.clients.region,
                )
            self.steps["bucket:" + dest["label"]] = dict(
                changed=False, bucket=bucket, policy_read=state["policy_read"], problems=problems
            )
            self.warnings.extend(
                "{}: delivery to bucket {} would likely fail - {}".format(dest["variable"]("bucket_arn"), bucket, p)
                for p in problems
            )

    def _log_groups(self, destinations, state):
        for dest in destinations:
            key = "log_group" if dest is destinations[0] else "log_group:" + dest["label"]
            header = "log group {}".format(dest["log_group_name"])
            self.step(key, converge_log_group, rv.log_group_options(self.v, state, dest), header, read_after=False)

    def _alarms(self):
        if rd.alarm_destination(self.v) is None:
            self.warnings.append(
                "flow_logs_alarms: no alarms - they read rejected traffic from a CloudWatch Logs destination with "
                "traffic_type ALL or REJECT, and this target has none"
            )
            return
        self.phase = "alarms"
        self.step("alarms", converge_flow_log_alarms, rv.alarm_options(self.v), "alarms")

    def _analysis(self, present):
        """Saved queries and rules on the CloudWatch Logs groups, Athena over the S3 destinations; when the log
        groups are deleted, their saved queries and rules go too. Saved queries the user did not ask for (the
        default) are best effort: refused or unsupported, they are a warning, never a failed target."""
        self.phase = "analysis"
        steps, warnings = ra.insights_steps(self.v, "present" if present else "absent")
        self.warnings.extend(warnings)
        for key, options, header, _name in steps:
            try:
                self.step(key, converge_flow_log_insights, options, header, read_after=False)
            except AwsError as exc:
                if ra.asked_for(self.v, options):
                    raise
                self._unavailable(key, options, self.clients.locate(exc))
        for key, options, header, _name in ra.athena_steps(self.v) if present else []:
            self.step(key, converge_flow_log_athena, options, header, read_after=False)

    def _unavailable(self, key, options, exc):
        """An optional analysis step AWS refused (or the endpoint does not serve): recorded and warned, not failed."""
        self.steps[key] = dict(changed=False, unavailable=dict(exc.as_dict(), fix=ra.UNAVAILABLE_FIX))
        self.warnings.append(
            "flow_logs_insights_queries: no saved queries on log group {} - {}: {}".format(
                options["log_group_name"], exc, ra.UNAVAILABLE_FIX
            )
        )

    def _delivery_role(self, identity):
        """The account's delivery role, converged once per account per run: the first region target of the
        account does it (under the run's lock), the others read its result and change nothing."""
        v = self.v
        options = rv.delivery_role_options(v)
        header = "delivery role {}".format(v["flow_logs_role_name"])
        if self.shared is None:
            return self.step("role", converge_role, options, header, read_after=False)
        key = ["delivery-role", identity["account"], options, self.check_mode]

        def converge_once():
            found = converge_role(self.clients, options, check_mode=self.check_mode, read_after=False)
            return dict(found, converged_by=self.target)

        found, first = self.shared.once(key, converge_once)
        if not first:  # another target of the account did it: nothing changed here
            found = dict(found, changed=False, actions=[], purged_policies=[], principals_before=None, warnings=[])
            found["before"] = found["after"]
        return self._keep("role", found, header)

    def _delete_delivery(self, destinations):
        v = self.v
        if v.get("flow_logs_delete_log_group"):
            self._log_groups(destinations, "absent")
        if v.get("flow_logs_delete_role"):
            self.step(
                "role",
                converge_role,
                rv.delivery_role_options(v, state="absent"),
                "delivery role {}".format(v["flow_logs_role_name"]),
            )


def unit_key(step, unit):
    """The step key of a unit's discovery (``before``) or converge (``flow_logs``): the plain key for the first
    destination's VPCs, as in 1.0.0."""
    if unit["resource_type"] == "VPC" and unit["dest"]["index"] in (0, 1):
        return step
    return "{}:{}:{}".format(step, unit["resource_type"], unit["destination"])


def unit_header(unit):
    return "{} -> {}".format(unit["resource_type"], unit["destination"])


class _Failures(Exception):
    """Some resources failed; the others converged (their results are kept)."""


def converge_target(
    clients, variables, target, check_mode=False, phases=PHASES, diff=False, problems=None, shared=None
):
    """Converge one target from the role's (converted) variables; never raises for AWS or input errors.

    ``problems``: what the caller found checking the variables (``check_variables``); None to check them
    here (the module on a remote host gets variables the controller converted). ``shared``: the run's cache
    (``once(key, compute)``) for work done once per account, when the caller has one. Returns the task result:
    ``changed``, ``failed``, ``msg``, ``diff`` and the public per-target result (see ``target_result``).
    """
    v = variables
    run = _Run(clients, v, check_mode, diff, target, shared)
    error = None
    problems = rv.variable_problems(v) if problems is None else problems
    try:
        if problems:
            raise rv.RoleVariablesError(problems)
        if phases != ("preflight",):
            run.converge(phases)
    except ParameterError as exc:
        name = rv.error_namer(v)
        error = str(exc) if isinstance(exc, rv.RoleVariablesError) else "{}: {}".format(name(exc.option), exc.detail)
    except AwsError as exc:
        clients.locate(exc)
        error = str(exc)
    except _Failures as exc:
        error = str(exc)
    # The account the target is configured for, even when credentials of another answered (the message names both).
    account = v.get("flow_logs_account_id") or (clients.known_identity() or {}).get("account")
    result = target_result(
        target=target,
        region=v.get("flow_logs_region"),
        account_id=account,
        state=v.get("flow_logs_state") or "present",
        check_mode=check_mode,
        steps=run.steps,
        units=run.units,
        error=error,
        failed_phase=run.phase if error else None,
        phases=list(phases),
        aws_stats=dict(clients.stats),
    )
    task = dict(result)
    if error:
        task.update(failed=True, msg="{} failed: {}".format(PHASE_TITLES[run.phase], error))
    if run.diffs:
        task["diff"] = run.diffs
    if run.warnings:
        task["warnings"] = run.warnings
    return task
