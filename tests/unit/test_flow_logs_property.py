"""Properties: applying a flow-log plan converges in one step and never touches other destinations; the audit's
verdict and the converge's action agree on every resource.

Existing flow logs are drawn from a small pool of resources and destinations (CloudWatch Logs by name
or by ARN, S3 with and without options, Firehose; cross-account roles; VPCs or transit gateways); the
plan is applied in pure Python the way AWS would (remove the ``remove`` flow logs, create a compliant
one - with the tags the writer gives it - for create and replace, retag the kept one for update).
Planning again must find nothing to do, and check mode must have predicted what the run left.
"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.flowlogs.aws.plugins.module_utils._core.tags import apply_tag_changes
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import audit_spec, verdict_for
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.converge import (
    desired_spec,
    plan_flow_logs,
    predict_after,
    summary,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import (
    DEFAULT_LOG_FORMAT,
    TRANSIT_GATEWAY_DEFAULT_LOG_FORMAT,
    TRANSIT_GATEWAY_TYPES,
    default_log_format,
    drift,
    judge,
)
from tests.unit.conftest import ACCOUNT

POOLS = {
    "VPC": ["vpc-0000000{}".format(c) for c in "abcde"],
    "TransitGateway": ["tgw-0000000{}".format(c) for c in "abc"],
}
ROLES = ["arn:aws:iam::{}:role/delivery".format(ACCOUNT), "arn:aws:iam::{}:role/other".format(ACCOUNT)]
CROSS_ACCOUNT_ROLES = [None, "arn:aws:iam::210987654321:role/flow-logs-cross-account"]
CUSTOM_FORMAT = "${version} ${srcaddr} ${dstaddr} ${action}"
TGW_CUSTOM_FORMAT = "${version} ${tgw-id} ${srcaddr} ${dstaddr}"
#: Formats by kind of resource: AWS knows other fields for transit gateways.
FORMATS_OF = {
    False: [None, DEFAULT_LOG_FORMAT, CUSTOM_FORMAT],
    True: [None, TRANSIT_GATEWAY_DEFAULT_LOG_FORMAT, TGW_CUSTOM_FORMAT],
}
FORMATS = FORMATS_OF[False] + FORMATS_OF[True][1:]
FIREHOSE = "arn:aws:firehose:us-east-1:{}:deliverystream/flows".format(ACCOUNT)
PARQUET = dict(file_format="parquet", hive_compatible_partitions=True, per_hour_partition=False)
PLAIN = dict(file_format="plain-text", hive_compatible_partitions=False, per_hour_partition=False)
#: (destination type, log group name, log destination) as DescribeFlowLogs may report them.
EXISTING_DESTINATIONS = [
    ("cloud-watch-logs", "g1", None),
    ("cloud-watch-logs", None, "arn:aws:logs:us-east-1:{}:log-group:g1:*".format(ACCOUNT)),
    ("cloud-watch-logs", "g2", None),
    ("s3", None, "arn:aws:s3:::bucket-a"),
    ("s3", None, "arn:aws:s3:::bucket-a/"),
    ("s3", None, "arn:aws:s3:::bucket-b/p"),
    ("kinesis-data-firehose", None, FIREHOSE),
]
DESIRED_DESTINATIONS = [
    dict(log_group_name="g1", deliver_logs_role_arn=ROLES[0]),
    dict(
        destination_type="kinesis-data-firehose",
        log_destination=FIREHOSE,
        deliver_logs_role_arn=ROLES[0],
        deliver_cross_account_role=CROSS_ACCOUNT_ROLES[1],
    ),
    dict(log_group_name="g2", deliver_logs_role_arn=ROLES[1]),
    dict(destination_type="s3", log_destination="arn:aws:s3:::bucket-a"),
    dict(destination_type="s3", log_destination="arn:aws:s3:::bucket-a/"),
    dict(destination_type="s3", log_destination="arn:aws:s3:::bucket-b/p"),
    dict(destination_type="s3", log_destination="arn:aws:s3:::bucket-b/p", destination_options=PARQUET),
    dict(destination_type="kinesis-data-firehose", log_destination=FIREHOSE),
]
TAGS = st.dictionaries(st.sampled_from(["a", "b", "aws:c"]), st.sampled_from(["1", "2"]), max_size=3)


#: Values a field of an existing flow log may have instead of the desired one.
ALTERNATIVES = dict(
    traffic_type=["ACCEPT", "REJECT", "ALL"],
    deliver_logs_role_arn=ROLES,
    deliver_cross_account_role=CROSS_ACCOUNT_ROLES,
    max_aggregation_interval=[60, 600],
    log_format=FORMATS,
    destination_options=[None, PLAIN, PARQUET],
)


def any_flow_log(draw, pool, tgw):
    """A flow log to any destination, with any settings."""
    kind, group, destination = draw(st.sampled_from(EXISTING_DESTINATIONS))
    return dict(
        resource_id=draw(st.sampled_from(pool)),
        traffic_type=None if tgw else draw(st.sampled_from(ALTERNATIVES["traffic_type"])),
        log_destination_type=kind,
        log_group_name=group,
        log_destination=destination,
        deliver_logs_role_arn=draw(st.sampled_from(ROLES)) if kind == "cloud-watch-logs" else None,
        deliver_cross_account_role=draw(st.sampled_from(CROSS_ACCOUNT_ROLES)),
        max_aggregation_interval=60 if tgw else draw(st.sampled_from([60, 600])),
        log_format=draw(st.sampled_from(FORMATS_OF[tgw])),
        destination_options=draw(st.sampled_from(ALTERNATIVES["destination_options"])) if kind == "s3" else None,
    )


def near_flow_log(draw, resource_ids, spec):
    """A flow log on a resource of the plan to the desired destination, as the spec would create it but
    for at most one field: the cases where keeping, replacing and collapsing duplicates are decided."""
    flow_log = created_flow_log(spec, draw(st.sampled_from(resource_ids)), {}, 0)
    if spec["log_destination_type"] == "s3":
        flow_log["log_destination"] += draw(st.sampled_from(["", "/"]))
    default = default_log_format(spec["resource_type"])
    if spec["log_format"] in (None, default):
        flow_log["log_format"] = draw(st.sampled_from([None, default]))
    changeable = [f for f in ALTERNATIVES if flow_log[f] is not None or f == "deliver_cross_account_role"]
    field = draw(st.sampled_from([None, *changeable]))
    if field:
        flow_log[field] = draw(st.sampled_from(ALTERNATIVES[field]))
    return flow_log


@st.composite
def scenarios(draw):
    resource_type = draw(st.sampled_from(sorted(POOLS)))
    pool = POOLS[resource_type]
    tgw = resource_type in TRANSIT_GATEWAY_TYPES
    params = dict(
        draw(st.sampled_from(DESIRED_DESTINATIONS)),
        resource_type=resource_type,
        resource_ids=draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6)),
        traffic_type=None if tgw else draw(st.sampled_from([None, "ACCEPT", "REJECT", "ALL"])),
        max_aggregation_interval=draw(st.sampled_from([None, 60] if tgw else [None, 60, 600])),
        log_format=draw(st.sampled_from(FORMATS_OF[tgw])),
        state=draw(st.sampled_from(["present", "absent"])),
    )
    params.setdefault("deliver_cross_account_role", None)  # only firehose delivery across accounts has one
    spec = desired_spec(params)
    existing = []
    for index in range(draw(st.integers(0, 10))):
        near = draw(st.booleans())
        flow_log = near_flow_log(draw, params["resource_ids"], spec) if near else any_flow_log(draw, pool, tgw)
        flow_log.update(
            flow_log_id="fl-{:04d}".format(index),
            deliver_logs_status="SUCCESS",
            creation_time="2026-01-01T00:00:{:02d}+00:00".format(draw(st.integers(0, 59))),
            tags=draw(TAGS),
        )
        existing.append(flow_log)
    # Some endpoints (moto) never report DestinationOptions, not even for the flow logs just created.
    reports_options = draw(st.booleans())
    for flow_log in existing:
        flow_log["destination_options"] = flow_log["destination_options"] if reports_options else None
    tags = draw(st.none() | TAGS.map(lambda t: {k: v for k, v in t.items() if not k.startswith("aws:")}))
    purge = draw(st.booleans())
    return existing, params, tags, purge, reports_options


def created_flow_log(spec, resource_id, tags, number, reports_options=True):
    """The flow log AWS reports after CreateFlowLogs with ``spec``."""
    return dict(
        flow_log_id="fl-new-{:04d}".format(number),
        resource_id=resource_id,
        traffic_type=spec["traffic_type"],
        log_destination_type=spec["log_destination_type"],
        log_group_name=spec["log_group_name"],
        log_destination=spec["log_destination"],
        deliver_logs_role_arn=spec["deliver_logs_role_arn"],
        deliver_cross_account_role=spec["deliver_cross_account_role"],
        max_aggregation_interval=spec["max_aggregation_interval"],
        log_format=spec["log_format"] or default_log_format(spec["resource_type"]),
        destination_options=spec["destination_options"] if reports_options else None,
        deliver_logs_status="SUCCESS",
        creation_time="2027-01-01T00:00:{:02d}+00:00".format(number % 60),
        tags={str(k): str(v) for k, v in (tags or {}).items()},
    )


def apply_plan(spec, plan, existing, reports_options):
    """What AWS holds after the plan is applied."""
    after = {f["flow_log_id"]: copy.deepcopy(f) for f in existing}
    for number, step in enumerate(plan):
        for flow_log in step["remove"]:
            del after[flow_log["flow_log_id"]]
        if step["action"] in ("create", "replace"):
            # The tags apply_flow_log_plan creates it with: a replacement keeps the old flow log's.
            new = created_flow_log(spec, step["resource_id"], step["new_tags"], number, reports_options)
            after[new["flow_log_id"]] = new
        elif step["action"] == "update":
            kept = after[step["keep"]["flow_log_id"]]
            kept["tags"] = apply_tag_changes(kept["tags"], step["tags_set"], step["tags_remove"])
    return list(after.values())


def where(flow_log):
    """Where a flow log (or the spec) delivers - worked out here, independently of destination_of(): a log
    group by name or by ARN, a bucket ARN with or without a trailing slash."""
    kind = flow_log["log_destination_type"]
    if kind == "cloud-watch-logs":
        return kind, flow_log["log_group_name"] or flow_log["log_destination"].split(":")[6]
    return kind, flow_log["log_destination"].rstrip("/")


def untouchable(spec, resource_ids, flow_logs):
    """Flow logs the plan must leave exactly as they are: other destinations, other resources."""
    kept = [f for f in flow_logs if where(f) != where(spec) or f["resource_id"] not in resource_ids]
    return sorted(kept, key=lambda f: f["flow_log_id"])


def unmatched(spec, flow_log):
    """Fields the flow log left in place differs on from what the spec sets - said independently of drift()."""
    fields = ["traffic_type", "deliver_logs_role_arn", "deliver_cross_account_role", "max_aggregation_interval"]
    found = [f for f in fields if spec[f] is not None and flow_log[f] != spec[f]]
    default = default_log_format(spec["resource_type"])
    if spec["log_format"] is not None and (flow_log["log_format"] or default) != spec["log_format"]:
        found.append("log_format")
    options = flow_log["destination_options"]
    if spec["destination_options"] is not None and options is not None and options != spec["destination_options"]:
        found.append("destination_options")
    return found


@settings(
    max_examples=200, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(scenarios())
def test_one_plan_converges_and_leaves_other_destinations_alone(scenario):
    existing, params, tags, purge, reports_options = scenario
    spec = desired_spec(params)
    state = params["state"]
    resource_ids = params["resource_ids"]

    plan = plan_flow_logs(spec, resource_ids, existing, state, tags, purge)
    after = apply_plan(spec, plan, existing, reports_options)
    again = plan_flow_logs(spec, resource_ids, after, state, tags, purge)

    assert [step["action"] for step in again] == ["none"] * len(set(resource_ids))
    assert untouchable(spec, resource_ids, after) == untouchable(spec, resource_ids, existing)
    assert sorted(step["resource_id"] for step in plan) == sorted(set(resource_ids))
    for resource_id in set(resource_ids):
        same = [f for f in after if where(f) == where(spec) and f["resource_id"] == resource_id]
        if state == "absent":
            assert same == []
        else:
            assert len(same) == 1, "exactly one flow log per resource and destination"
            assert drift(spec, same[0]) == []
            assert unmatched(spec, same[0]) == []
    # Check mode shows what the run leaves (the ids and delivery status of new flow logs aside).
    for step in plan:
        same = [f for f in after if where(f) == where(spec) and f["resource_id"] == step["resource_id"]]
        actual = summary(same[0]) if same else None
        predicted = predict_after(spec, step, tags)
        if step["action"] in ("create", "replace"):
            actual = dict(actual, flow_log_id=None, deliver_logs_status=None)
        assert predicted == actual, step["action"]


#: The converge action each audit verdict allows: the audit and the converge can never disagree.
ACTIONS_FOR_VERDICT = dict(
    missing={"create"},
    mismatched={"replace"},
    compliant={"none", "update"},  # update: collapse duplicates, retag
    delivery_failed={"none", "update"},  # replacing it would not help: the role or the group needs fixing
)


@settings(
    max_examples=1000, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(scenarios(), st.data())
def test_audit_verdict_and_converge_plan_agree_on_every_resource(scenario, data):
    existing, params, tags, purge, _reports_options = scenario
    for flow_log in existing:
        flow_log["deliver_logs_status"] = data.draw(st.sampled_from(["SUCCESS", "FAILED"]))
    spec = desired_spec(dict(params, state="present"))
    # vpc_flow_log_info (VPCs only) given what vpc_flow_log was given (the role passes both the same values).
    audit = None
    if spec["resource_type"] == "VPC" and spec["deliver_cross_account_role"] is None:
        audit = audit_spec(
            dict(
                destination_type=spec["log_destination_type"],
                log_group_name=spec["log_group_name"],
                log_destination=spec["log_destination"],
                deliver_logs_role_arn=spec["deliver_logs_role_arn"],
                traffic_type=spec["traffic_type"],
                max_aggregation_interval=spec["max_aggregation_interval"],
                log_format=spec["log_format"],
                destination_options=spec["destination_options"],
            )
        )

    plan = plan_flow_logs(spec, params["resource_ids"], existing, "present", tags, purge)

    for step in plan:
        on_resource = [f for f in existing if f["resource_id"] == step["resource_id"]]
        verdict = judge(spec, on_resource)[0]
        assert step["action"] in ACTIONS_FOR_VERDICT[verdict], (verdict, step["action"])
        if audit is not None:
            assert verdict_for(audit, on_resource)[0] == verdict
