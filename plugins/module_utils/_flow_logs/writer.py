# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Applying a flow-log plan: batched, chunked CreateFlowLogs / DeleteFlowLogs / tag calls, make-before-break
replacement, waiting for a new delivery role, and per-resource failures instead of a stop. Private: may change in
any release."""

from __future__ import annotations

import os
import re
import time

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError
from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import normalize_tags
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import drift, goes_where_wanted
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.tag_fields import tag_field_specifications

#: AWS refuses a role VPC Flow Logs cannot assume yet; a new role takes a while to propagate.
ROLE_NOT_READY = "Unable to assume given IAM role"
ROLE_WAIT_SECONDS = 120
#: Private, for the collection's own integration tests: a shorter wait, in seconds (never a user setting).
ROLE_WAIT_ENV = "FLOWLOGS_AWS_ROLE_WAIT_SECONDS"
#: After this many seconds of waiting for the delivery role, the writer's ``role_check`` is asked once for its ARN.
ROLE_CHECK_SECONDS = 30
#: Private, for the collection's own integration tests: a shorter ROLE_CHECK_SECONDS (never a user setting).
ROLE_CHECK_ENV = "FLOWLOGS_AWS_ROLE_CHECK_SECONDS"
#: What a role that never became usable says, after the wait.
ROLE_NEVER_READY = (
    "waited {seconds:.0f} s ({retries} retries) for VPC Flow Logs to be able to assume the delivery role; likely "
    "causes: its trust policy does not let vpc-flow-logs.amazonaws.com assume it for this account (aws:SourceAccount, "
    "aws:SourceArn), or a guardrail of the organisation (a service control policy, a permissions boundary) keeps the "
    "service from assuming it"
)
#: Error codes of CreateFlowLogs that name one resource of the call (EC2's "Invalid<Thing>ID.NotFound" and
#: "....Malformed"): only these make splitting a refused call worthwhile. Anything else (InvalidParameter for
#: a bad LogFormat, access denied, throttling) concerns the whole request: one error, no splitting.
RESOURCE_SCOPED = re.compile(r"^Invalid\w*ID\.(NotFound|Malformed)$")


def is_resource_scoped(code):
    return bool(RESOURCE_SCOPED.match(code or ""))


def role_not_ready(message):
    """True when AWS refused because it cannot assume the delivery role (yet)."""
    return ROLE_NOT_READY in (message or "")


def explained(operation, code, message):
    """A per-resource error of an EC2 answer (an ``Unsuccessful`` item) with its cause and fix, where the diagnosis
    table knows them (a quota, a permission)."""
    found = AwsError(operation, code, message).diagnosis
    return "{} ({}; {})".format(message, found.cause, found.fix) if found else message


def create_request(spec):
    """CreateFlowLogs parameters (without ResourceIds) for ``spec``."""
    request = dict(
        ResourceType=spec["resource_type"],
        LogDestinationType=spec["log_destination_type"],
        MaxAggregationInterval=spec["max_aggregation_interval"],
    )
    if spec.get("traffic_type"):
        request["TrafficType"] = spec["traffic_type"]
    if spec["log_destination_type"] == "cloud-watch-logs":
        request["LogGroupName"] = spec["log_group_name"]
    else:
        request["LogDestination"] = spec["log_destination"]
    if spec.get("deliver_logs_role_arn"):
        request["DeliverLogsPermissionArn"] = spec["deliver_logs_role_arn"]
    if spec.get("deliver_cross_account_role"):
        request["DeliverCrossAccountRole"] = spec["deliver_cross_account_role"]
    if spec.get("log_format"):
        request["LogFormat"] = spec["log_format"]
    if spec.get("tag_fields"):
        request["TagFieldSpecifications"] = tag_field_specifications(spec["tag_fields"])
    if spec.get("destination_options"):
        options = spec["destination_options"]
        request["DestinationOptions"] = dict(
            FileFormat=options["file_format"],
            HiveCompatiblePartitions=options["hive_compatible_partitions"],
            PerHourPartition=options["per_hour_partition"],
        )
    return request


class FlowLogWriter:
    """Applies a plan with batched, chunked calls; records per-resource failures instead of stopping."""

    def __init__(self, ec2, spec, tags, sleep=time.sleep, clock=time.monotonic, role_wait=None, role_check=None):
        self.ec2 = ec2
        self.spec = spec
        self.tags = normalize_tags(tags)
        self.request = create_request(spec)
        self.sleep = sleep
        self.clock = clock
        self.role_wait = float(os.environ.get(ROLE_WAIT_ENV) or ROLE_WAIT_SECONDS) if role_wait is None else role_wait
        self.failures = {}
        #: What was done so far, so that a run interrupted midway reports it: resource -> the id of the flow log
        #: created on it (None when AWS's answer did not say which), and the ids of the flow logs deleted.
        self.created = {}
        self.deleted = set()
        self.role_retries = 0
        #: Seconds slept waiting for the delivery role.
        self.role_wait_seconds = 0.0
        self._deadline = None
        self._delay = 2
        #: Called once after ROLE_CHECK_SECONDS of waiting; returns the delivery role's ARN (a target that left the
        #: role to its account's owner target converges it then: the owner failed or did not run).
        self.role_check = role_check
        self._role_check_after = float(os.environ.get(ROLE_CHECK_ENV) or ROLE_CHECK_SECONDS)

    def _fail(self, rid, code, message):
        self.failures[rid] = dict(resource_id=rid, code=code, message=message)

    def _role_deadline(self):
        """One wait for the delivery role per run, however many calls meet it."""
        if self._deadline is None:
            self._deadline = self.clock() + self.role_wait
        return self._deadline

    def _wait_for_role(self):
        """Sleep before retrying a role AWS cannot assume yet; False once the wait is over."""
        if self.clock() >= self._role_deadline():
            return False
        self.role_retries += 1
        self.sleep(self._delay)
        self.role_wait_seconds += self._delay
        self._delay = min(self._delay * 2, 20)
        if self.role_check is not None and self.role_wait_seconds >= self._role_check_after:
            self._check_role()
        return True

    def _check_role(self):
        """Ask ``role_check`` (once) for the delivery role's ARN, and pass that one from now on."""
        check, self.role_check = self.role_check, None
        arn = check()
        if arn:
            self.request["DeliverLogsPermissionArn"] = arn

    def role_wait_note(self):
        """What the wait for a delivery role that never became usable was, and its likely causes."""
        return ROLE_NEVER_READY.format(seconds=self.role_wait_seconds, retries=self.role_retries)

    def _call_create(self, rids, tags):
        """One CreateFlowLogs call, retried while the delivery role is not assumable yet.

        Returns every resource AWS did not create (Unsuccessful), across the retries."""
        settled = []
        while True:
            unsuccessful = self._create_call(rids, tags)
            waiting = [u for u in unsuccessful if role_not_ready(u["message"])]
            settled.extend(u for u in unsuccessful if u not in waiting)
            if not waiting or not self._wait_for_role():
                return settled + waiting
            rids = [u["resource_id"] for u in waiting]

    def _create_call(self, rids, tags):
        """CreateFlowLogs' Unsuccessful items, the call repeated while AWS refuses all of it for the role."""
        while True:
            try:
                ids, unsuccessful = ec2_api.create_flow_logs(self.ec2, self.request, rids, tags)
                self._created(rids, ids, unsuccessful)
                return unsuccessful
            except AwsError as exc:
                if not role_not_ready(exc.aws_message):
                    raise
                if not self._wait_for_role():
                    exc.hint = self.role_wait_note()
                    raise

    def _created(self, rids, ids, unsuccessful):
        """Record the flow logs a call created. CreateFlowLogs answers with their ids in the order of the resources it
        created them on (EC2's answer; the module's read_after reads them back anyway): zipped when the counts agree."""
        refused = {u["resource_id"] for u in unsuccessful}
        made = [rid for rid in rids if rid not in refused]
        self.created.update(zip(made, ids) if len(made) == len(ids) else ((rid, None) for rid in made))

    def _unsuccessful(self, item):
        message = item["message"]
        if role_not_ready(message):
            if self.role_retries:
                message = "{} ({})".format(message, self.role_wait_note())
        else:
            message = explained("ec2:CreateFlowLogs", item["code"], message)
        self._fail(item["resource_id"], item["code"], message)

    def _state(self, rids):
        """Same-destination flow logs now on ``rids``, split into done / blocked / free."""
        now = ec2_api.describe_flow_logs(self.ec2, rids)
        done, blocked = set(), set()
        for flow_log in now:
            if not goes_where_wanted(self.spec, flow_log):
                continue
            if drift(self.spec, flow_log):
                blocked.add(flow_log["resource_id"])
            else:
                done.add(flow_log["resource_id"])
        blocked -= done
        free = [r for r in rids if r not in done and r not in blocked]
        return done, blocked, free

    def create(self, rids, tags_by_resource=None):
        """Create the desired flow log on ``rids`` (tagged with the writer's tags, or per resource with
        ``tags_by_resource``). Returns the ids refused because one to the same destination already exists
        (AWS refuses a second one); failures are recorded per resource."""
        groups = {}
        for rid in rids:
            tags = (tags_by_resource or {}).get(rid, self.tags) or {}
            groups.setdefault(tuple(sorted(tags.items())), []).append(rid)
        refused = set()
        size = ec2_api.create_chunk_size(self.spec["resource_type"])
        for tags, members in sorted(groups.items()):
            for chunk in ec2_api.chunks(members, size):
                refused |= self._create_chunk(chunk, 0, dict(tags))
        return refused

    def _create_chunk(self, rids, depth, tags):
        if not rids:
            return set()
        try:
            unsuccessful = self._call_create(rids, tags)
        except AwsError as exc:
            return self._refused_call(exc, rids, depth, tags)
        refused = set()
        for item in unsuccessful:
            text = "{} {}".format(item["code"], item["message"]).lower()
            if "already exists" in text or "flowlogalreadyexists" in text:
                refused.add(item["resource_id"])
            else:
                self._unsuccessful(item)
        if refused:
            # Refused because the desired flow log is there already (another run made it meanwhile): done.
            refused -= self._state(sorted(refused))[0]
        return refused

    def _refused_call(self, exc, rids, depth, tags):
        """AWS refused a whole CreateFlowLogs call: find out whether one resource or the request is to blame."""
        if role_not_ready(exc.aws_message):
            # The role wait is over: this concerns every resource of the call, not one of them.
            self._fail_each(rids, exc)
            return set()
        if exc.code == "FlowLogAlreadyExists":
            return self._refused_as_existing(rids, depth, tags)
        named = [rid for rid in rids if rid in (exc.aws_message or "")]
        if named and len(named) < len(rids):
            # AWS names the resource it refuses: take it out, the others go in one more call.
            self._fail_each(named, exc)
            return self._create_chunk([r for r in rids if r not in named], depth + 1, tags)
        return self._refused_unnamed(exc, rids, depth, tags)

    def _fail_each(self, rids, exc):
        message = "{} ({})".format(exc.aws_message, exc.hint) if exc.hint else exc.aws_message
        for rid in rids:
            self._fail(rid, exc.code, message)

    def _refused_as_existing(self, rids, depth, tags):
        """AWS says a flow log to this destination exists on some resource of the call."""
        # The call is not atomic everywhere (moto): see what it did before deciding.
        _done, blocked, free = self._state(rids)
        if free and len(free) < len(rids) and depth < 5:
            return set(blocked) | self._create_chunk(free, depth + 1, tags)
        return set(blocked) | set(free)

    def _refused_unnamed(self, exc, rids, depth, tags):
        """AWS refused the call without naming a resource: the request is to blame, or one of its resources."""
        if not is_resource_scoped(exc.code):
            # The request itself is refused (a bad LogFormat, DestinationOptions, role...): every resource
            # would get the same answer. One error for the call, not one per resource.
            raise exc
        if len(rids) == 1:
            self._fail(rids[0], exc.code, exc.aws_message)
            return set()
        # One unnamed bad id fails the whole call: split to find it, the others still converge.
        half = len(rids) // 2
        return self._create_chunk(rids[:half], depth + 1, tags) | self._create_chunk(rids[half:], depth + 1, tags)

    def delete(self, flow_logs):
        """Delete flow logs; failures are recorded against their resource."""
        by_id = {f["flow_log_id"]: f["resource_id"] for f in flow_logs}
        if not by_id:
            return
        failed = ec2_api.delete_flow_logs(self.ec2, sorted(by_id))
        for item in failed:
            message = explained("ec2:DeleteFlowLogs", item["code"], item["message"])
            self._fail(by_id.get(item["flow_log_id"], item["flow_log_id"]), item["code"], message)
        self.deleted |= set(by_id) - {item["flow_log_id"] for item in failed}

    def retag(self, steps):
        """Tag changes grouped so that flow logs needing the same change share one call."""
        groups = {}
        for step in steps:
            if step["tags_set"]:
                key = ("set", tuple(sorted(step["tags_set"].items())))
                groups.setdefault(key, []).append(step["keep"]["flow_log_id"])
            if step["tags_remove"]:
                key = ("remove", tuple(step["tags_remove"]))
                groups.setdefault(key, []).append(step["keep"]["flow_log_id"])
        for (kind, payload), ids in sorted(groups.items()):
            for part in ec2_api.chunks(ids, ec2_api.DELETE_CHUNK):
                if kind == "set":
                    ec2_api.create_tags(self.ec2, part, dict(payload))
                else:
                    ec2_api.delete_tags(self.ec2, part, list(payload))


def apply_flow_log_plan(writer, plan):
    """Apply in the order that never leaves a resource without logging: create, replace, then delete."""
    new_tags = {s["resource_id"]: s["new_tags"] for s in _steps(plan, "create", "replace")}
    _create(writer, [s["resource_id"] for s in _steps(plan, "create")], new_tags)
    _replace(writer, {s["resource_id"]: s for s in _steps(plan, "replace")}, new_tags)
    writer.delete([f for s in _steps(plan, "update", "delete") for f in s["remove"]])
    writer.retag(_steps(plan, "update"))


def _steps(plan, *actions):
    return [s for s in plan if s["action"] in actions]


def _create(writer, rids, new_tags):
    """Create the flow log on resources with none to the destination; one appearing meanwhile is a failure."""
    for rid in writer.create(rids, new_tags):
        writer._fail(rid, "FlowLogAlreadyExists", "another flow log to this destination appeared during the run")


def _replace(writer, replaces, new_tags):
    """Make-before-break: the new flow log first, the old ones after."""
    refused = writer.create(sorted(replaces), new_tags) if replaces else set()
    writer.delete(
        [f for rid, s in replaces.items() if rid not in refused and rid not in writer.failures for f in s["remove"]]
    )
    if refused:
        # AWS refuses a second flow log to one destination: delete-then-create for those only.
        _break_before_make(writer, [replaces[rid] for rid in sorted(refused)], new_tags)


def _break_before_make(writer, steps, new_tags):
    """The old flow logs deleted, then the new one created (where AWS refused a second one to the destination)."""
    writer.delete([f for s in steps for f in s["remove"]])
    for rid in writer.create([s["resource_id"] for s in steps], new_tags):
        writer._fail(rid, "FlowLogAlreadyExists", "could not replace the flow log: AWS still reports one")
