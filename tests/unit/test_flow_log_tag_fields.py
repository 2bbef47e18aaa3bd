"""Tag-enriched records: tag_fields against the log format, and the TagFieldSpecifications they become (pure)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.converge import plan_flow_logs
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import flow_log_problems, flow_log_spec
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.tag_fields import (
    normalize_tag_fields,
    tag_field_specifications,
    tag_fields_from_aws,
    tag_fields_problem,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.writer import create_request

TAGGED = "${version} ${srcaddr} ${dstaddr} ${action} ${instance-tag} ${instance-tag-2} ${asg-tag}"
BASE = dict(
    resource_ids=["vpc-0a1b2c3d"],
    log_group_name="vpc-flow-logs",
    deliver_logs_role_arn="arn:aws:iam::111111111111:role/vpc-flow-logs-delivery",
)


@pytest.mark.parametrize(
    ("tag_fields", "log_format", "resource_type", "problem"),
    [
        ({"instance": ["Name", "team"], "auto_scaling_group": ["app"]}, TAGGED, "VPC", None),
        (None, "${version} ${srcaddr}", "VPC", None),
        ({"instance": None, "network_interface": None}, "${version}", "VPC", None),  # unset suboptions
        (
            {"instance": ["Name"], "auto_scaling_group": ["app"]},
            TAGGED,
            "VPC",
            "log_format: ${instance-tag-2} shows tag key number 2 of tag_fields.instance, which has 1",
        ),
        (None, TAGGED, "VPC", "log_format: ${instance-tag} shows tag key number 1 of tag_fields.instance"),
        (
            {"instance": ["Name", "team"], "auto_scaling_group": ["app"], "network_interface": ["Name"]},
            TAGGED,
            "VPC",
            "tag_fields.network_interface: log_format has no ${interface-tag} field to show these tags in",
        ),
        ({"instance": ["a", "b", "c"]}, TAGGED, "VPC", "tag_fields.instance: give 1 or 2 tag keys as a list"),
        ({"instance": ["x" * 129]}, "${instance-tag}", "VPC", "is not a tag key (1 to 128 characters)"),
        ({"instance": ["Name", "Name"]}, TAGGED, "VPC", "tag_fields.instance: Name is listed twice"),
        ({"vpc": ["Name"]}, TAGGED, "VPC", "tag_fields: 'vpc' is not allowed; use one of network_interface, instance"),
        ({"instance": ["Name"]}, "${version}", "TransitGateway", "transit gateway flow logs carry no EC2 tags"),
    ],
)
def test_tag_fields_problem(tag_fields, log_format, resource_type, problem):
    found = tag_fields_problem(tag_fields, log_format, resource_type)
    if problem is None:
        assert found is None
    else:
        assert found is not None and (found == problem or problem in found), found


def test_the_module_option_named_in_the_problem():
    problems = flow_log_problems(dict(BASE, log_format=TAGGED, tag_fields={"instance": ["Name"]}))
    assert [(p.option, p.detail) for p in problems] == [
        ("log_format", "${instance-tag-2} shows tag key number 2 of tag_fields.instance, which has 1")
    ]


def test_tag_fields_go_in_the_request_in_aws_terms():
    spec = flow_log_spec(
        dict(BASE, log_format=TAGGED, tag_fields={"instance": ["Name", "team"], "auto_scaling_group": ["app"]})
    )
    assert spec["tag_fields"] == {"auto-scaling-group": ["app"], "instance": ["Name", "team"]}
    assert create_request(spec)["TagFieldSpecifications"] == [
        {"ResourceType": "auto-scaling-group", "TagKeys": ["app"]},
        {"ResourceType": "instance", "TagKeys": ["Name", "team"]},
    ]
    assert "TagFieldSpecifications" not in create_request(flow_log_spec(BASE))


def test_round_trip_through_describe_flow_logs():
    wanted = normalize_tag_fields({"network_interface": ["Name"], "instance": ["team"]})
    assert tag_fields_from_aws(tag_field_specifications(wanted)) == wanted
    assert tag_fields_from_aws(None) is None


def _existing(**fields):
    found = dict(
        flow_log_id="fl-1",
        resource_id="vpc-0a1b2c3d",
        log_destination_type="cloud-watch-logs",
        log_group_name="vpc-flow-logs",
        traffic_type="ALL",
        deliver_logs_role_arn=BASE["deliver_logs_role_arn"],
        max_aggregation_interval=600,
        log_format=TAGGED,
        tags={},
    )
    found.update(fields)
    return found


@pytest.mark.parametrize(
    ("reported", "action"),
    [
        ({"instance": ["Name", "team"], "auto-scaling-group": ["app"]}, "none"),
        ({"instance": ["Name", "owner"], "auto-scaling-group": ["app"]}, "replace"),  # immutable: replaced
        (None, "none"),  # not reported by the endpoint: not compared
    ],
)
def test_other_tag_keys_replace_the_flow_log(reported, action):
    spec = flow_log_spec(
        dict(BASE, log_format=TAGGED, tag_fields={"instance": ["Name", "team"], "auto_scaling_group": ["app"]})
    )
    plan = plan_flow_logs(spec, ["vpc-0a1b2c3d"], [_existing(tag_fields=reported)])
    assert plan[0]["action"] == action
