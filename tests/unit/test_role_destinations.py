"""The role's destinations and resource types: normalized, inherited from the single-destination variables,
checked before any AWS call with messages naming the variable (pure)."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.flowlogs.aws.plugins.module_utils._role.model import Unit
from tests.support.paths import REPO
from tests.unit.test_role_variables import problems_of, target_of

DEFAULTS = yaml.safe_load((REPO / "roles" / "flow_logs" / "defaults" / "main.yml").read_text())
GOOD = dict(DEFAULTS, flow_logs_region="eu-west-1")
BUCKET = "arn:aws:s3:::central-flow-logs/network"
ARCHIVE = [
    dict(type="cloud-watch-logs", traffic_type="REJECT", log_group_name="vpc-rejects", retention_in_days=14),
    dict(type="s3", bucket_arn=BUCKET, file_format="parquet", hive_compatible_partitions=True),
]


def problems(**overrides):
    return problems_of(dict(GOOD, **overrides))


def test_unset_is_the_single_destination_of_1_0_0():
    target = target_of(GOOD)
    (only,) = target.destinations
    assert (only.type, only.log_group_name, only.retention_in_days, only.label) == (
        "cloud-watch-logs",
        "vpc-flow-logs",
        90,
        "logs:vpc-flow-logs",
    )
    assert target.flow_log_options(target.units[0])["destination_type"] == "cloud-watch-logs"
    assert (only.variable("retention_in_days"), only.variable("bucket_arn")) == (
        "flow_logs_retention_in_days",
        "flow_logs_s3_bucket_arn",
    )


def test_two_destinations_inherit_what_they_leave_unset():
    target = target_of(dict(GOOD, flow_logs_destinations=ARCHIVE, flow_logs_max_aggregation_interval=60))
    logs, s3 = target.destinations
    assert (logs.traffic_type, logs.retention_in_days, logs.max_aggregation_interval) == ("REJECT", 14, 60)
    assert (s3.traffic_type, s3.log_destination, s3.label) == ("ALL", BUCKET, "s3:central-flow-logs/network")
    assert s3.destination_options == dict(
        file_format="parquet", hive_compatible_partitions=True, per_hour_partition=False
    )
    assert s3.variable("file_format") == "flow_logs_destinations[2].file_format"
    assert target.role_options()["log_group_names"] == ["vpc-rejects"]
    assert target.alarm_options()["log_group_name"] == "vpc-rejects"


def test_transit_gateways_ignore_traffic_type_and_interval_and_use_their_format():
    v = dict(GOOD, flow_logs_destinations=[dict(ARCHIVE[1], transit_gateway_log_format="${version} ${tgw-id}")])
    target = target_of(v)
    options = target.flow_log_options(Unit("TransitGateway", target.destinations[0]))
    assert (options["traffic_type"], options["max_aggregation_interval"], options["log_format"]) == (
        None,
        None,
        "${version} ${tgw-id}",
    )
    assert (
        problems(flow_logs_destinations=v["flow_logs_destinations"], flow_logs_resource_types=["VPC", "TransitGateway"])
        == []
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            dict(flow_logs_destinations=[dict(type="s3")]),
            ["flow_logs_destinations[1].bucket_arn: required for a s3 destination"],
        ),
        (
            dict(flow_logs_destinations=[dict(type="ftp")]),
            ["flow_logs_destinations[1].type: must be one of: cloud-watch-logs, s3, kinesis-data-firehose, got: ftp"],
        ),
        (
            dict(flow_logs_destinations=[dict(type="cloud-watch-logs", bucket_arn=BUCKET)]),
            ["flow_logs_destinations[1]: 'bucket_arn' is not a setting of a cloud-watch-logs destination; allowed: "],
        ),
        (
            dict(flow_logs_destinations=[ARCHIVE[1], dict(ARCHIVE[1], file_format="plain-text")]),
            ["flow_logs_destinations[2]: goes where flow_logs_destinations[1] goes (s3:central-flow-logs/network)"],
        ),
        (
            dict(flow_logs_destinations=[dict(ARCHIVE[0], retention_in_days=13)]),
            ["flow_logs_destinations[1].retention_in_days: 13 is not allowed"],
        ),
        (
            dict(flow_logs_destinations=[dict(ARCHIVE[0], traffic_type="SOME")]),
            ["flow_logs_destinations[1].traffic_type: 'SOME' is not allowed; use one of ACCEPT, REJECT, ALL"],
        ),
        (
            dict(flow_logs_destinations=[dict(type="s3", bucket_arn="arn:aws:s3:::bucket/AWSLogs/x")]),
            ["flow_logs_destinations[1].bucket_arn: the S3 prefix may not contain a folder named AWSLogs"],
        ),
        (
            dict(flow_logs_destinations=[dict(ARCHIVE[1], file_format="orc")]),
            ["flow_logs_destinations[1].file_format: must be one of: plain-text, parquet, got: orc"],
        ),
        (
            dict(flow_logs_resource_types=["VPC", "Subnet"]),
            ["flow_logs_resource_types: value of flow_logs_resource_types must be one or more of: VPC, TransitGateway"],
        ),
        (
            dict(flow_logs_destinations=[dict(ARCHIVE[1], log_format="${version} ${tgw-id}")]),
            ["flow_logs_destinations[1].log_format: unknown field ${tgw-id} for VPC flow logs"],
        ),
        (
            dict(flow_logs_resource_types=["TransitGateway"], flow_logs_log_format="${version} ${srcaddr}"),
            [],  # the VPC format does not apply to transit gateways
        ),
        (
            dict(flow_logs_tag_fields={"instance": ["Name"]}),
            ["flow_logs_tag_fields: no destination's log format has a tag field"],
        ),
        (
            dict(flow_logs_log_format="${version} ${instance-tag}"),
            ["flow_logs_log_format: ${instance-tag} shows tag key number 1 of tag_fields.instance, which has none"],
        ),
        (
            dict(
                flow_logs_destinations=[dict(ARCHIVE[1], log_format="${version} ${instance-tag} ${instance-tag-2}")],
                flow_logs_tag_fields={"instance": ["Name"]},
            ),
            ["flow_logs_destinations[1].log_format: ${instance-tag-2} shows tag key number 2 of tag_fields.instance"],
        ),
    ],
)
def test_problems_name_the_variable(overrides, expected):
    found = problems(**overrides)
    assert len(found) == len(expected), found
    for problem, start in zip(found, expected):
        assert problem.startswith(start), problem


def test_tag_fields_go_only_to_destinations_that_show_them():
    v = dict(
        GOOD,
        flow_logs_destinations=[ARCHIVE[0], dict(ARCHIVE[1], log_format="${version} ${srcaddr} ${instance-tag}")],
        flow_logs_tag_fields={"instance": ["Name"]},
    )
    target = target_of(v)
    logs, s3 = target.destinations
    assert target.flow_log_options(Unit("VPC", logs))["tag_fields"] is None
    assert target.flow_log_options(Unit("VPC", s3))["tag_fields"] == {"instance": ["Name"]}
    assert target.flow_log_options(Unit("TransitGateway", s3))["tag_fields"] is None


def test_no_cloudwatch_logs_destination_means_no_alarms_and_no_delivery_role_groups():
    target = target_of(dict(GOOD, flow_logs_destinations=[ARCHIVE[1]], flow_logs_alarms=True))
    assert target.alarm_destination is None and target.cloudwatch_destinations == ()
