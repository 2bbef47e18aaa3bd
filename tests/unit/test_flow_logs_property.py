"""Property: applying a flow-log plan converges in one step and never touches other destinations.

Existing flow logs are drawn from a small pool of resources and destinations; the plan is applied in
pure Python the way AWS would (remove the ``remove`` flow logs, create a compliant one for create and
replace, retag the kept one for update). Planning again must find nothing to do.
"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.flowlogs.aws.plugins.module_utils.flow_logs import (
    DEFAULT_LOG_FORMAT,
    desired_spec,
    destination_of,
    drift,
    plan_flow_logs,
)
from ansible_collections.flowlogs.aws.plugins.module_utils.tags import apply_tag_changes
from tests.unit.conftest import ACCOUNT

POOL = ["vpc-0000000{}".format(c) for c in "abcde"]
ROLES = ["arn:aws:iam::{}:role/delivery".format(ACCOUNT), "arn:aws:iam::{}:role/other".format(ACCOUNT)]
CUSTOM_FORMAT = "${version} ${srcaddr} ${dstaddr} ${action}"
FORMATS = [None, DEFAULT_LOG_FORMAT, CUSTOM_FORMAT]
#: (destination type, log group name, log destination) as DescribeFlowLogs may report them.
EXISTING_DESTINATIONS = [
    ("cloud-watch-logs", "g1", None),
    ("cloud-watch-logs", None, "arn:aws:logs:us-east-1:{}:log-group:g1:*".format(ACCOUNT)),
    ("cloud-watch-logs", "g2", None),
    ("s3", None, "arn:aws:s3:::bucket-a"),
    ("s3", None, "arn:aws:s3:::bucket-a/"),
    ("s3", None, "arn:aws:s3:::bucket-b/p"),
]
DESIRED_DESTINATIONS = [
    dict(log_group_name="g1", deliver_logs_role_arn=ROLES[0]),
    dict(log_group_name="g2", deliver_logs_role_arn=ROLES[1]),
    dict(destination_type="s3", log_destination="arn:aws:s3:::bucket-a"),
    dict(destination_type="s3", log_destination="arn:aws:s3:::bucket-a/"),
    dict(destination_type="s3", log_destination="arn:aws:s3:::bucket-b/p"),
]
TAGS = st.dictionaries(st.sampled_from(["a", "b", "aws:c"]), st.sampled_from(["1", "2"]), max_size=3)


@st.composite
def scenarios(draw):
    existing = []
    for index in range(draw(st.integers(0, 10))):
        kind, group, destination = draw(st.sampled_from(EXISTING_DESTINATIONS))
        existing.append(
            dict(
                flow_log_id="fl-{:04d}".format(index),
                resource_id=draw(st.sampled_from(POOL)),
                traffic_type=draw(st.sampled_from(["ACCEPT", "REJECT", "ALL"])),
                log_destination_type=kind,
                log_group_name=group,
                log_destination=destination,
                deliver_logs_role_arn=draw(st.sampled_from(ROLES)) if kind == "cloud-watch-logs" else None,
                deliver_cross_account_role=None,
                max_aggregation_interval=draw(st.sampled_from([60, 600])),
                log_format=draw(st.sampled_from(FORMATS)),
                destination_options=None,
                deliver_logs_status="SUCCESS",
                creation_time="2026-01-01T00:00:{:02d}+00:00".format(draw(st.integers(0, 59))),
                tags=draw(TAGS),
            )
        )
    params = dict(
        draw(st.sampled_from(DESIRED_DESTINATIONS)),
        resource_ids=draw(st.lists(st.sampled_from(POOL), max_size=6)),
        traffic_type=draw(st.sampled_from([None, "ACCEPT", "REJECT", "ALL"])),
        max_aggregation_interval=draw(st.sampled_from([None, 60, 600])),
        log_format=draw(st.sampled_from(FORMATS)),
        state=draw(st.sampled_from(["present", "absent"])),
    )
    tags = draw(st.none() | TAGS.map(lambda t: {k: v for k, v in t.items() if not k.startswith("aws:")}))
    purge = draw(st.booleans())
    return existing, params, tags, purge


def created_flow_log(spec, resource_id, tags, number):
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
        log_format=spec["log_format"] or DEFAULT_LOG_FORMAT,
        destination_options=None,  # not returned by every endpoint
        deliver_logs_status="SUCCESS",
        creation_time="2027-01-01T00:00:{:02d}+00:00".format(number % 60),
        tags={str(k): str(v) for k, v in (tags or {}).items()},
    )


def apply_plan(spec, plan, existing, tags):
    """What AWS holds after the plan is applied."""
    after = {f["flow_log_id"]: copy.deepcopy(f) for f in existing}
    for number, step in enumerate(plan):
        for flow_log in step["remove"]:
            del after[flow_log["flow_log_id"]]
        if step["action"] in ("create", "replace"):
            new = created_flow_log(spec, step["resource_id"], tags, number)
            after[new["flow_log_id"]] = new
        elif step["action"] == "update":
            kept = after[step["keep"]["flow_log_id"]]
            kept["tags"] = apply_tag_changes(kept["tags"], step["tags_set"], step["tags_remove"])
    return list(after.values())


def untouchable(spec, resource_ids, flow_logs):
    """Flow logs the plan must leave exactly as they are: other destinations, other resources."""
    wanted = destination_of(spec)
    kept = [f for f in flow_logs if destination_of(f) != wanted or f["resource_id"] not in resource_ids]
    return sorted(kept, key=lambda f: f["flow_log_id"])


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_one_plan_converges_and_leaves_other_destinations_alone(scenario):
    existing, params, tags, purge = scenario
    spec = desired_spec(params)
    state = params["state"]
    resource_ids = params["resource_ids"]

    plan = plan_flow_logs(spec, resource_ids, existing, state, tags, purge)
    after = apply_plan(spec, plan, existing, tags)
    again = plan_flow_logs(spec, resource_ids, after, state, tags, purge)

    assert [step["action"] for step in again] == ["none"] * len(set(resource_ids))
    assert untouchable(spec, resource_ids, after) == untouchable(spec, resource_ids, existing)
    assert sorted(step["resource_id"] for step in plan) == sorted(set(resource_ids))
    wanted = destination_of(spec)
    for resource_id in set(resource_ids):
        same = [f for f in after if destination_of(f) == wanted and f["resource_id"] == resource_id]
        if state == "absent":
            assert same == []
        else:
            assert len(same) == 1, "exactly one flow log per resource and destination"
            assert drift(spec, same[0]) == []
