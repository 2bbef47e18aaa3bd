# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Flow logs on many resources: validation, the desired spec, planning (pure) and converge.

A flow log "matches" a resource's desired one when it goes to the same destination. A matching flow
log whose immutable settings differ is replaced, make-before-break. Other destinations are never touched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import (
    apply_tag_changes,
    normalize_tags,
    tag_changes,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import (
    CONVERGE,
    account_problem,
    default_log_format,
    drift,
    flow_log_spec,
    goes_where_wanted,
    judge,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.writer import (
    FlowLogWriter,
    apply_flow_log_plan,
)


def desired_spec(params, validated=False):
    """Validate ``params`` (before any AWS call, unless the caller did) and return the normalized desired flow log."""
    return flow_log_spec(params, CONVERGE, validated)


def summary(flow_log):
    """The part of a flow log the reports and diffs show."""
    if not flow_log:
        return None
    keys = (
        "flow_log_id",
        "traffic_type",
        "log_destination_type",
        "log_group_name",
        "log_destination",
        "deliver_logs_role_arn",
        "max_aggregation_interval",
        "log_format",
        "tag_fields",
        "deliver_logs_status",
        "tags",
    )
    return {k: flow_log.get(k) for k in keys}


def plan_flow_logs(spec, resource_ids, existing, state="present", tags=None, purge_tags=True):
    """Per-resource plan (pure). ``existing`` is every flow log on these resources, any destination.

    Returns a list of dicts: resource_id, action (create|replace|delete|update|none), keep (the flow log
    kept), remove (flow logs to delete), tags_set / tags_remove (on the kept one), changed_fields.
    """
    by_resource = _to_destination_by_resource(spec, existing)
    plan = []
    for rid in _unique(resource_ids):
        same = sorted(by_resource.get(rid, []), key=lambda f: (f.get("creation_time") or "", f["flow_log_id"]))
        plan.append(_plan_step(spec, rid, same, state, tags, purge_tags))
    return plan


def _to_destination_by_resource(spec, flow_logs):
    """resource id -> its flow logs to the spec's destination, in the order given; other destinations left out."""
    by_resource = {}
    for flow_log in flow_logs:
        if goes_where_wanted(spec, flow_log):
            by_resource.setdefault(flow_log["resource_id"], []).append(flow_log)
    return by_resource


def _plan_step(spec, rid, same, state, tags, purge_tags):
    """One resource's step, from its flow logs to the destination (``same``, oldest first)."""
    step = dict(resource_id=rid, before=same, keep=None, remove=[], tags_set={}, tags_remove=[], changed_fields=[])
    if state == "absent":
        step.update(action="delete" if same else "none", remove=same)
    elif not same:
        step.update(action="create", new_tags=normalize_tags(tags) or {})
    else:
        good = [f for f in same if not drift(spec, f)]
        if good:
            step.update(_keep_step(good[0], same, tags, purge_tags))
        else:
            step.update(_replace_step(spec, same, tags, purge_tags))
    return step


def _keep_step(keep, same, tags, purge_tags):
    """The step's fields when ``keep`` matches: the other flow logs to the destination go, its tags are updated."""
    remove = [f for f in same if f is not keep]  # duplicates to one destination
    tags_set, tags_remove = tag_changes(keep.get("tags"), tags, purge_tags)
    changed = remove or tags_set or tags_remove
    return dict(
        keep=keep, remove=remove, tags_set=tags_set, tags_remove=tags_remove, action="update" if changed else "none"
    )


def _replace_step(spec, same, tags, purge_tags):
    """The step's fields when none of ``same`` matches: a new flow log replaces them all, with the old tags."""
    return dict(
        action="replace",
        remove=same,
        changed_fields=drift(spec, same[0]),
        new_tags=replacement_tags(same[0].get("tags"), tags, purge_tags),
    )


def replacement_tags(old, desired, purge):
    """Tags of the flow log that replaces one tagged ``old``: a replacement is not a reason to lose tags."""
    kept = {k: v for k, v in (old or {}).items() if not k.startswith("aws:")}
    if desired is None:
        return kept
    desired = normalize_tags(desired)
    return desired if purge else dict(kept, **desired)


def _unique(items):
    seen = set()
    return [i for i in items if not (i in seen or seen.add(i))]


def predict_after(spec, step, tags):
    """The flow log a resource will have after its step (check mode). Pure."""
    if step["action"] in ("delete",):
        return None
    if step["action"] in ("create", "replace"):
        return dict(
            summary(dict(spec, flow_log_id=None, tags=step.get("new_tags", normalize_tags(tags) or {}))),
            log_format=spec.get("log_format") or default_log_format(spec["resource_type"]),
            deliver_logs_status=None,
        )
    keep = step["keep"]
    if keep is None:
        return None
    after = summary(keep)
    after["tags"] = apply_tag_changes(keep.get("tags"), step["tags_set"], step["tags_remove"])
    return after


def failure_message(result):
    """The message of a converge where some resources failed (the others converged)."""
    failures = result["failures"]
    listed = "; ".join("{}: {}: {}".format(f["resource_id"], f["code"], f["message"]) for f in failures[:20])
    more = " (and {} more)".format(len(failures) - 20) if len(failures) > 20 else ""
    total = result["counts"]["total"]
    return "resource_ids: {} of {} resources failed: {}{}".format(len(failures), total, listed, more)


ACTION_NAMES = dict(create="created", replace="replaced", delete="deleted", update="updated", none="unchanged")


def _check_accounts(clients, spec, params):
    """Cross-account rules that need the caller's account, before any EC2 call."""
    if params.get("state", "present") != "present" or not params.get("resource_ids"):
        return
    if spec["deliver_logs_role_arn"] or spec["log_destination_type"] != "s3":
        problem = account_problem(spec, clients.identity()["account"])
        if problem:
            raise ParameterError(*problem)


def _predicted(spec, step, tags, created_id):
    """(after, the flow logs judged) as the plan predicts them, with the id of the flow log the run created."""
    after = predict_after(spec, step, tags)
    if after is not None and step["action"] in ("create", "replace"):
        after["flow_log_id"] = created_id
    return after, ([dict(spec, **after)] if after else [])  # what a summary leaves out, a prediction has as wanted


def _after(spec, step, tags, applied, predicted):
    """(after, the flow logs now) of one resource: read back; or predicted - a failed resource as it was, but for
    what the run deleted."""
    rid = step["resource_id"]
    if predicted and rid in applied.failures:
        now = [f for f in step["before"] if f["flow_log_id"] not in applied.deleted]
        return (summary(now[-1]) if now else None), now
    if step["action"] == "none" or predicted:
        return _predicted(spec, step, tags, applied.created.get(rid))
    now = applied.after_by_resource.get(rid, [])
    return (summary(now[-1]) if now else None), now


def _entry(spec, step, tags, applied, predicted):
    """The result of one resource: before, action, after (read back, or predicted - with the id of a flow log the
    run created), and the verdict of the after by the audit's judge() (none for a failed resource)."""
    rid = step["resource_id"]
    after, now = _after(spec, step, tags, applied, predicted)
    entry = dict(
        resource_id=rid,
        action=ACTION_NAMES[step["action"]],
        flow_log_id=(after or {}).get("flow_log_id"),
        before=[summary(f) for f in step["before"]],
        after=after,
        verdict=judge(spec, now)[0],
        removed_flow_log_ids=[f["flow_log_id"] for f in step["remove"]],
        changed_fields=step["changed_fields"],
    )
    if rid in applied.failures:
        entry.update(action="failed", error=applied.failures[rid], verdict=None)
    elif rid in applied.incomplete:
        entry["error"] = applied.incomplete[rid]
    return entry


def converge_flow_logs(
    clients,
    params,
    check_mode=False,
    sleep=time.sleep,
    existing=None,
    read_after=True,
    validated=False,
    role_check=None,
):
    """Make every resource in ``resource_ids`` carry the desired flow log (or none, when absent).

    ``existing``: the flow logs on these resources, when the caller read them already (a fleet target's
    discovery); ``read_after``: read the flow logs back after the changes (the module does, for their ids and
    delivery status; a fleet target reports what it did without one more call per target); ``validated``: the
    caller checked ``params`` with the same rules (the role's target model did); ``role_check``: called once when AWS
    has refused the delivery role for a while, returns the role's ARN to pass from then on (see FlowLogWriter)."""
    spec = desired_spec(params, validated)
    resource_ids = _unique(params.get("resource_ids") or [])
    _check_accounts(clients, spec, params)
    tags = params.get("tags")
    ec2 = clients("ec2")
    existing = _flow_logs_on(ec2, resource_ids, existing)
    plan = plan_flow_logs(
        spec, resource_ids, existing, params.get("state") or "present", tags, params.get("purge_tags", True)
    )
    changing = [s for s in plan if s["action"] != "none"]
    applied = _Applied()
    if changing and not check_mode:
        writer = FlowLogWriter(ec2, spec, tags, sleep=sleep, role_check=role_check)
        applied = _apply(ec2, spec, writer, changing, read_after)
    result = _result(spec, tags, plan, applied, predicted=check_mode or not applied.read_back)
    if applied.interrupted is not None:
        applied.interrupted.partial = result  # what was done before the error, for the caller's report
        raise applied.interrupted
    return result


def _flow_logs_on(ec2, resource_ids, known):
    """Every flow log on ``resource_ids``: read now, or taken from what the caller read (``known``)."""
    if known is None:
        return ec2_api.describe_flow_logs(ec2, resource_ids) if resource_ids else []
    wanted = set(resource_ids)
    return [f for f in known if f["resource_id"] in wanted]


@dataclass(frozen=True)
class _Applied:
    """What applying the changing steps left: failures by resource, the retries waiting for the delivery role, and
    the flow logs to the destination read back, by resource (all empty when nothing was applied or read back)."""

    failures: dict = field(default_factory=dict)
    role_retries: int = 0
    after_by_resource: dict = field(default_factory=dict)
    role_wait_seconds: float = 0.0
    #: resource -> the id of the flow log created on it (None when AWS's answer did not say).
    created: dict = field(default_factory=dict)
    #: resource -> the error of a replacement cut short: the new flow log is there, an old one too.
    incomplete: dict = field(default_factory=dict)
    #: The AWS error that stopped the run midway, or None.
    interrupted: Optional[AwsError] = None
    #: Whether the flow logs were read back (else the result is the plan's prediction).
    read_back: bool = False
    #: The ids of the flow logs the run deleted.
    deleted: frozenset = frozenset()


def _apply(ec2, spec, writer, changing, read_after):
    """Apply the changing steps with one writer, then read back the flow logs of the resources it touched (always,
    when an error stopped the run after it created or deleted a flow log: what was done is then read from AWS, where
    the credentials still may)."""
    interrupted = None
    try:
        apply_flow_log_plan(writer, changing)
    except AwsError as exc:
        if not (writer.created or writer.deleted):
            raise  # nothing was done: the error is the whole story
        interrupted = exc
    after = _read_back(ec2, spec, changing) if read_after or interrupted else None
    failures, incomplete = writer.failures, {}
    if interrupted is not None:
        failures, incomplete = _unfinished(spec, changing, writer, interrupted, after)
    return _Applied(
        failures,
        writer.role_retries,
        after or {},
        writer.role_wait_seconds,
        dict(writer.created),
        incomplete,
        interrupted,
        after is not None,
        frozenset(writer.deleted),
    )


def _read_back(ec2, spec, changing):
    """The flow logs to the destination now on the changed resources, by resource; None when they cannot be read."""
    try:
        return _to_destination_by_resource(spec, ec2_api.describe_flow_logs(ec2, [s["resource_id"] for s in changing]))
    except AwsError:
        return None


def _unfinished(spec, changing, writer, exc, after):
    """What an error midway left undone: (failures, incomplete replacements), from what the writer saw done and, where
    it could be read, what AWS holds now (``after``)."""
    failures, incomplete = dict(writer.failures), {}
    for step in (s for s in changing if s["resource_id"] not in failures):
        kind, found = _step_left(spec, step, writer, exc, after)
        {"failed": failures, "incomplete": incomplete}.get(kind, {})[step["resource_id"]] = found
    return failures, incomplete


def _step_left(spec, step, writer, exc, after):
    """("failed", error) when a step's new flow log was not created, ("incomplete", error) when old flow logs it was
    to remove are still there, (None, None) when it was done."""
    rid = step["resource_id"]
    made = rid in writer.created or any(not drift(spec, f) for f in (after or {}).get(rid, []))
    if step["action"] in ("create", "replace") and not made:
        return "failed", _not_done(rid, exc, "no flow log was created")
    left = [f["flow_log_id"] for f in step["remove"] if not _removed(f["flow_log_id"], rid, writer, after)]
    if left:
        return "incomplete", _not_done(rid, exc, "still there: " + ", ".join(left))
    return None, None


def _removed(flow_log_id, rid, writer, after):
    if flow_log_id in writer.deleted:
        return True
    return after is not None and flow_log_id not in [f["flow_log_id"] for f in after.get(rid, [])]


def _not_done(rid, exc, what):
    return dict(resource_id=rid, code=exc.code, message="stopped midway ({}): {}".format(what, exc.aws_message))


def _result(spec, tags, plan, applied, predicted):
    """converge_flow_logs' answer: an entry per resource, the counts, the failures and the diff of what changed."""
    failures = applied.failures
    results = [_entry(spec, step, tags, applied, predicted) for step in plan]
    changed_entries = [e for e, step in zip(results, plan) if step["action"] != "none"]
    return dict(
        changed=bool(changed_entries) and len(failures) < len(changed_entries),
        flow_logs=results,
        counts=_counts(results),
        failures=[failures[r] for r in sorted(failures)],
        role_retries=applied.role_retries,
        role_wait_seconds=applied.role_wait_seconds,
        before={e["resource_id"]: e["before"] for e in changed_entries},
        after={e["resource_id"]: [e["after"]] if e["after"] else [] for e in changed_entries},
    )


def _counts(results):
    """How many resources each action concerned, and the total."""
    counts = {name: 0 for name in ("created", "replaced", "updated", "deleted", "unchanged", "failed")}
    for entry in results:
        counts[entry["action"]] += 1
    counts["total"] = len(results)
    return counts
