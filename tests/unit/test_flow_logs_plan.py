"""Flow logs: validation of the desired spec, destinations, drift, the per-resource plan and the
CreateFlowLogs request. Pure functions, tables of cases."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.converge import (
    converge_flow_logs,
    desired_spec,
    plan_flow_logs,
    predict_after,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.spec import (
    DEFAULT_LOG_FORMAT,
    FLOW_LOG_FIELDS,
    TRANSIT_GATEWAY_DEFAULT_LOG_FORMAT,
    destination_of,
    drift,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.writer import create_request
from tests.unit.conftest import ACCOUNT, StubbedClients

ROLE = "arn:aws:iam::{}:role/vpc-flow-logs-delivery".format(ACCOUNT)
OTHER_ROLE = "arn:aws:iam::{}:role/other".format(ACCOUNT)
CROSS_ROLE = "arn:aws:iam::111111111111:role/cross-account-delivery"
BUCKET = "arn:aws:s3:::central-flow-logs"
FIREHOSE = "arn:aws:firehose:us-east-1:{}:deliverystream/flow-logs".format(ACCOUNT)
VPC_A, VPC_B, VPC_C = "vpc-0a1b2c3d", "vpc-0123456789abcdef0", "vpc-0000000c"
TGW = "tgw-0123456789abcdef0"
GROUP = "vpc-flow-logs"


def cwl(**overrides):
    params = dict(resource_ids=[VPC_A], log_group_name=GROUP, deliver_logs_role_arn=ROLE)
    params.update(overrides)
    return params


def s3(**overrides):
    params = dict(resource_ids=[VPC_A], destination_type="s3", log_destination=BUCKET)
    params.update(overrides)
    return params


def firehose(**overrides):
    params = dict(resource_ids=[VPC_A], destination_type="kinesis-data-firehose", log_destination=FIREHOSE)
    params.update(overrides)
    return params


# ---------------------------------------------------------------- desired_spec: rejected input

RESOURCE_TYPES_TEXT = "VPC, Subnet, NetworkInterface, TransitGateway, TransitGatewayAttachment"

BAD_INPUT = [
    # (case, params, option, text the message must contain)
    ("unknown resource type", cwl(resource_type="Instance"), "resource_type", RESOURCE_TYPES_TEXT),
    ("resource type in lower case", cwl(resource_type="vpc"), "resource_type", RESOURCE_TYPES_TEXT),
    ("short vpc id", cwl(resource_ids=["vpc-123"]), "resource_ids", "VPC ids"),
    ("upper-case vpc id", cwl(resource_ids=["vpc-0A1B2C3D"]), "resource_ids", "VPC ids"),
    ("subnet id as VPC", cwl(resource_ids=["subnet-0a1b2c3d"]), "resource_ids", "'subnet-0a1b2c3d'"),
    ("vpc id as Subnet", cwl(resource_type="Subnet", resource_ids=[VPC_A]), "resource_ids", "Subnet ids"),
    ("bad eni id", cwl(resource_type="NetworkInterface", resource_ids=["eni-xyz"]), "resource_ids", "eni-"),
    (
        "attachment id as TransitGateway",
        cwl(resource_type="TransitGateway", resource_ids=["tgw-attach-0a1b2c3d"], max_aggregation_interval=60),
        "resource_ids",
        "TransitGateway ids",
    ),
    (
        "tgw id as TransitGatewayAttachment",
        cwl(resource_type="TransitGatewayAttachment", resource_ids=[TGW]),
        "resource_ids",
        "TransitGatewayAttachment ids",
    ),
    ("non-string id", cwl(resource_ids=[12345678]), "resource_ids", "12345678"),
    ("one bad among good", cwl(resource_ids=[VPC_A, "vpc-nothex00"]), "resource_ids", "'vpc-nothex00'"),
    (
        "traffic type on transit gateway",
        cwl(resource_type="TransitGateway", resource_ids=[TGW], traffic_type="ALL"),
        "traffic_type",
        "leave traffic_type unset",
    ),
    (
        "traffic type on attachment",
        cwl(resource_type="TransitGatewayAttachment", resource_ids=["tgw-attach-0a1b2c3d"], traffic_type="REJECT"),
        "traffic_type",
        "transit gateway",
    ),
    ("unknown traffic type", cwl(traffic_type="BOTH"), "traffic_type", "ACCEPT, REJECT, ALL"),
    ("interval 300", cwl(max_aggregation_interval=300), "max_aggregation_interval", "use one of 60, 600"),
    ("interval 0", cwl(max_aggregation_interval=0), "max_aggregation_interval", "use one of 60, 600"),
    (
        "600 on transit gateway",
        cwl(resource_type="TransitGateway", resource_ids=[TGW], max_aggregation_interval=600),
        "max_aggregation_interval",
        "use one of 60",
    ),
    (
        "unknown destination type",
        cwl(destination_type="kinesis"),
        "destination_type",
        "cloud-watch-logs, s3, kinesis-data-firehose",
    ),
    ("missing log_group_name", cwl(log_group_name=None), "log_group_name", "required"),
    ("bad log_group_name", cwl(log_group_name="bad name"), "log_group_name", "not a valid log group name"),
    ("missing role for cwl", cwl(deliver_logs_role_arn=None), "deliver_logs_role_arn", "required"),
    ("log_destination with cwl", cwl(log_destination=BUCKET), "log_destination", "log_group_name"),
    ("log_group_name with s3", s3(log_group_name=GROUP), "log_group_name", "log_destination"),
    ("missing log_destination for s3", s3(log_destination=None), "log_destination", "required"),
    ("missing log_destination for firehose", firehose(log_destination=""), "log_destination", "required"),
    ("role for s3", s3(deliver_logs_role_arn=ROLE), "deliver_logs_role_arn", "bucket policy"),
    ("S3 prefix with AWSLogs folder", s3(log_destination=BUCKET + "/AWSLogs/x"), "log_destination", "AWSLogs"),
    ("S3 prefix ending in AWSLogs", s3(log_destination=BUCKET + "/team/AWSLogs"), "log_destination", "AWSLogs"),
    ("S3 bucket name, not ARN", s3(log_destination="central-flow-logs"), "log_destination", "not an S3 bucket ARN"),
    ("S3 ARN upper case bucket", s3(log_destination="arn:aws:s3:::Bucket"), "log_destination", "not an S3 bucket ARN"),
    ("S3 ARN with region", s3(log_destination="arn:aws:s3:us-east-1::bucket"), "log_destination", "S3 bucket ARN"),
    ("firehose ARN for s3", s3(log_destination=FIREHOSE), "log_destination", "not an S3 bucket ARN"),
    (
        "bad firehose ARN",
        firehose(log_destination="arn:aws:firehose:us-east-1:123:deliverystream/x"),
        "log_destination",
        "not a Firehose delivery stream ARN",
    ),
    ("S3 ARN for firehose", firehose(log_destination=BUCKET), "log_destination", "Firehose"),
    (
        "destination_options with cwl",
        cwl(destination_options=dict(file_format="parquet")),
        "destination_options",
        "only used with destination_type s3",
    ),
    (
        "destination_options with firehose",
        firehose(destination_options=dict(per_hour_partition=True)),
        "destination_options",
        "s3",
    ),
    (
        "unknown file format",
        s3(destination_options=dict(file_format="csv")),
        "destination_options.file_format",
        "plain-text, parquet",
    ),
    ("log format without tokens", cwl(log_format="version srcaddr"), "log_format", "${field}"),
    ("log format with commas", cwl(log_format="${version},${srcaddr}"), "log_format", "space-separated"),
    ("log format with trailing space", cwl(log_format="${version} "), "log_format", "space-separated"),
    ("empty log format", cwl(log_format=""), "log_format", "space-separated"),
    (
        "role ARN with short account",
        cwl(deliver_logs_role_arn="arn:aws:iam::123:role/x"),
        "deliver_logs_role_arn",
        "not an IAM role ARN",
    ),
    (
        "role name, not ARN",
        cwl(deliver_logs_role_arn="vpc-flow-logs-delivery"),
        "deliver_logs_role_arn",
        "arn:<partition>:iam::<account>:role/<name>",
    ),
    (
        "user ARN as role",
        cwl(deliver_logs_role_arn="arn:aws:iam::{}:user/x".format(ACCOUNT)),
        "deliver_logs_role_arn",
        "IAM role ARN",
    ),
    (
        "bad cross-account role",
        s3(deliver_cross_account_role="arn:aws:iam::111111111111:user/x"),
        "deliver_cross_account_role",
        "not an IAM role ARN",
    ),
    (
        "cross-account role name only",
        firehose(deliver_cross_account_role="cross"),
        "deliver_cross_account_role",
        "IAM role ARN",
    ),
]


@pytest.mark.parametrize(("case", "params", "option", "text"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_rejected_naming_the_option(case, params, option, text):
    with pytest.raises(ParameterError) as caught:
        desired_spec(params)

    assert caught.value.option == option, case
    message = str(caught.value)
    assert message.startswith(option + ": ")
    assert text in message


def test_many_bad_ids_are_summarized():
    bad = ["vpc-{}".format(i) for i in range(7)]

    with pytest.raises(ParameterError) as caught:
        desired_spec(cwl(resource_ids=bad))

    message = str(caught.value)
    assert "'vpc-0', 'vpc-1', 'vpc-2', 'vpc-3', 'vpc-4' and 2 more are not valid VPC ids" in message
    assert "'vpc-5'" not in message


@pytest.mark.parametrize(
    "params",
    [
        cwl(state="absent", deliver_logs_role_arn=None),
        s3(log_destination=BUCKET + "/AWSLogsArchive/x"),
        s3(log_destination="arn:aws-cn:s3:::bucket.with.dots/prefix/"),
        firehose(deliver_cross_account_role=CROSS_ROLE, deliver_logs_role_arn=ROLE),
        firehose(deliver_logs_role_arn=ROLE),
        cwl(resource_type="Subnet", resource_ids=["subnet-0123456789abcdef0"]),
        cwl(resource_type="NetworkInterface", resource_ids=["eni-0a1b2c3d"]),
        cwl(
            resource_type="TransitGatewayAttachment", resource_ids=["tgw-attach-0a1b2c3d"], max_aggregation_interval=60
        ),
        cwl(log_format=DEFAULT_LOG_FORMAT),
        cwl(deliver_logs_role_arn="arn:aws:iam::{}:role/service-role/path/name".format(ACCOUNT)),
        cwl(resource_ids=[]),
    ],
)
def test_valid_input_is_accepted(params):
    assert desired_spec(params)["resource_type"] == (params.get("resource_type") or "VPC")


# ---------------------------------------------------------------- desired_spec: defaults and normalization


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (cwl(), dict(resource_type="VPC", traffic_type="ALL", max_aggregation_interval=600)),
        (
            cwl(traffic_type="REJECT", max_aggregation_interval=60),
            dict(traffic_type="REJECT", max_aggregation_interval=60),
        ),
        (
            cwl(resource_type="TransitGateway", resource_ids=[TGW]),
            dict(resource_type="TransitGateway", traffic_type=None, max_aggregation_interval=60),
        ),
        (
            cwl(resource_type="TransitGatewayAttachment", resource_ids=["tgw-attach-0a1b2c3d"]),
            dict(traffic_type=None, max_aggregation_interval=60),
        ),
        (
            cwl(),
            dict(
                log_destination_type="cloud-watch-logs",
                log_group_name=GROUP,
                log_destination=None,
                deliver_logs_role_arn=ROLE,
                deliver_cross_account_role=None,
                log_format=None,
                destination_options=None,
            ),
        ),
        (s3(log_destination=BUCKET + "/prefix/"), dict(log_destination=BUCKET + "/prefix", deliver_logs_role_arn=None)),
        (s3(log_destination=BUCKET + "/"), dict(log_destination=BUCKET)),
        (
            s3(destination_options=dict(file_format="parquet")),
            dict(
                destination_options=dict(
                    file_format="parquet", hive_compatible_partitions=False, per_hour_partition=False
                )
            ),
        ),
        (
            s3(destination_options=dict(hive_compatible_partitions=True, per_hour_partition=True)),
            dict(
                destination_options=dict(
                    file_format="plain-text", hive_compatible_partitions=True, per_hour_partition=True
                )
            ),
        ),
        (s3(destination_options={}), dict(destination_options=None)),
        (
            firehose(deliver_cross_account_role=CROSS_ROLE, deliver_logs_role_arn=ROLE),
            dict(deliver_cross_account_role=CROSS_ROLE, deliver_logs_role_arn=ROLE),
        ),
    ],
)
def test_desired_spec_defaults(params, expected):
    spec = desired_spec(params)

    assert {k: spec[k] for k in expected} == expected


# ---------------------------------------------------------------- destination_of


@pytest.mark.parametrize(
    ("flow_log", "expected"),
    [
        (dict(log_destination_type="cloud-watch-logs", log_group_name="g"), ("cloud-watch-logs", "g")),
        (dict(log_group_name="g"), ("cloud-watch-logs", "g")),
        (
            dict(
                log_destination_type="cloud-watch-logs",
                log_group_name=None,
                log_destination="arn:aws:logs:us-east-1:{}:log-group:/flow/g:*".format(ACCOUNT),
            ),
            ("cloud-watch-logs", "/flow/g"),
        ),
        (
            dict(log_destination_type="cloud-watch-logs", log_destination="arn:aws:logs:us-east-1:1:log-group:g"),
            ("cloud-watch-logs", "g"),
        ),
        (dict(log_destination_type="s3", log_destination=BUCKET + "/"), ("s3", BUCKET)),
        (dict(log_destination_type="s3", log_destination=BUCKET + "/p/"), ("s3", BUCKET + "/p")),
        (dict(log_destination_type="s3", log_destination=BUCKET), ("s3", BUCKET)),
        (
            dict(log_destination_type="kinesis-data-firehose", log_destination=FIREHOSE),
            ("kinesis-data-firehose", FIREHOSE),
        ),
    ],
)
def test_destination_of(flow_log, expected):
    assert destination_of(flow_log) == expected


@pytest.mark.parametrize("params", [cwl(), s3(log_destination=BUCKET + "/"), firehose()])
def test_spec_and_its_flow_log_share_a_destination(params):
    spec = desired_spec(params)

    assert destination_of(spec) == destination_of(aws_flow_log("fl-1", VPC_A, spec))


# ---------------------------------------------------------------- drift


def aws_flow_log(flow_log_id, resource_id, spec=None, **overrides):
    """A flow log as ec2_api.flow_log_from_aws returns it, compliant with ``spec`` unless overridden."""
    spec = spec or desired_spec(cwl())
    flow_log = dict(
        flow_log_id=flow_log_id,
        resource_id=resource_id,
        traffic_type=spec["traffic_type"],
        log_destination_type=spec["log_destination_type"],
        log_group_name=spec["log_group_name"],
        log_destination=spec["log_destination"],
        deliver_logs_role_arn=spec["deliver_logs_role_arn"],
        deliver_cross_account_role=spec["deliver_cross_account_role"],
        max_aggregation_interval=spec["max_aggregation_interval"],
        log_format=spec["log_format"] or DEFAULT_LOG_FORMAT,
        destination_options=spec["destination_options"],
        flow_log_status="ACTIVE",
        deliver_logs_status="SUCCESS",
        deliver_logs_error_message=None,
        creation_time="2026-01-01T00:00:0{}+00:00".format(flow_log_id[-1]),
        tags={},
    )
    flow_log.update(overrides)
    return flow_log


OPTIONS = dict(file_format="parquet", hive_compatible_partitions=False, per_hour_partition=True)


@pytest.mark.parametrize(
    ("case", "params", "actual", "expected"),
    [
        ("compliant", cwl(), {}, []),
        ("traffic type", cwl(), dict(traffic_type="REJECT"), ["traffic_type"]),
        ("role", cwl(), dict(deliver_logs_role_arn=OTHER_ROLE), ["deliver_logs_role_arn"]),
        ("interval", cwl(), dict(max_aggregation_interval=60), ["max_aggregation_interval"]),
        ("two fields", cwl(max_aggregation_interval=60), dict(traffic_type="ACCEPT"), ["traffic_type"]),
        (
            "two fields in field order",
            cwl(),
            dict(traffic_type="ACCEPT", max_aggregation_interval=60),
            ["traffic_type", "max_aggregation_interval"],
        ),
        ("unset log format is not compared", cwl(), dict(log_format="${version} ${srcaddr}"), []),
        (
            "log format differs",
            cwl(log_format="${version} ${srcaddr}"),
            dict(log_format=DEFAULT_LOG_FORMAT),
            ["log_format"],
        ),
        ("default log format equals a missing one", cwl(log_format=DEFAULT_LOG_FORMAT), dict(log_format=None), []),
        ("custom log format vs missing one", cwl(log_format="${version}"), dict(log_format=None), ["log_format"]),
        ("unset cross-account role is not compared", firehose(), dict(deliver_cross_account_role=CROSS_ROLE), []),
        (
            "cross-account role differs",
            firehose(deliver_cross_account_role=CROSS_ROLE, deliver_logs_role_arn=ROLE),
            dict(deliver_cross_account_role=None, deliver_logs_role_arn=ROLE),
            ["deliver_cross_account_role"],
        ),
        (
            "one role under a path: IAM names are unique whatever the path",
            cwl(),
            dict(deliver_logs_role_arn="arn:aws:iam::{}:role/service-role/vpc-flow-logs-delivery".format(ACCOUNT)),
            [],
        ),
        ("another role", cwl(), dict(deliver_logs_role_arn=OTHER_ROLE), ["deliver_logs_role_arn"]),
        (
            "the same name in another account",
            cwl(),
            dict(deliver_logs_role_arn="arn:aws:iam::111111111111:role/vpc-flow-logs-delivery"),
            ["deliver_logs_role_arn"],
        ),
        ("a role that is not a role ARN", cwl(), dict(deliver_logs_role_arn="garbage"), ["deliver_logs_role_arn"]),
        ("unset destination options are not compared", s3(), dict(destination_options=OPTIONS), []),
        ("destination options not reported", s3(destination_options=OPTIONS), dict(destination_options=None), []),
        (
            "destination options differ",
            s3(destination_options=OPTIONS),
            dict(destination_options=dict(OPTIONS, file_format="plain")),
            ["destination_options"],
        ),
        (
            "transit gateway: traffic type not compared",
            cwl(resource_type="TransitGateway", resource_ids=[TGW]),
            dict(traffic_type="ALL", max_aggregation_interval=60),
            [],
        ),
    ],
)
def test_drift(case, params, actual, expected):
    spec = desired_spec(params)
    flow_log = dict(aws_flow_log("fl-1", VPC_A, spec), **actual)

    assert drift(spec, flow_log) == expected, case


# ---------------------------------------------------------------- plan_flow_logs

SPEC = desired_spec(cwl())
S3_SPEC = desired_spec(s3())


def by_resource(plan):
    return {step["resource_id"]: step for step in plan}


def ids(flow_logs):
    return [f["flow_log_id"] for f in flow_logs]


def test_plan_missing_creates():
    [step] = plan_flow_logs(SPEC, [VPC_A], [])

    assert step["action"] == "create"
    assert step["remove"] == [] and step["keep"] is None and step["before"] == []


def test_plan_compliant_is_none():
    existing = [aws_flow_log("fl-1", VPC_A)]

    [step] = plan_flow_logs(SPEC, [VPC_A], existing)

    assert step["action"] == "none"
    assert step["keep"] is existing[0]
    assert step["remove"] == []


def test_plan_reject_where_all_wanted_replaces():
    existing = [aws_flow_log("fl-1", VPC_A, traffic_type="REJECT")]

    [step] = plan_flow_logs(SPEC, [VPC_A], existing)

    assert step["action"] == "replace"
    assert step["changed_fields"] == ["traffic_type"]
    assert ids(step["remove"]) == ["fl-1"]
    assert step["keep"] is None


def test_plan_duplicates_keep_the_oldest_compliant_and_remove_the_rest():
    existing = [
        aws_flow_log("fl-3", VPC_A),
        aws_flow_log("fl-1", VPC_A, traffic_type="REJECT"),
        aws_flow_log("fl-2", VPC_A),
    ]

    [step] = plan_flow_logs(SPEC, [VPC_A], existing)

    assert step["action"] == "update"
    assert step["keep"]["flow_log_id"] == "fl-2"
    assert sorted(ids(step["remove"])) == ["fl-1", "fl-3"]


def test_plan_leaves_other_destinations_alone():
    other_group = aws_flow_log("fl-1", VPC_A, log_group_name="security-team")
    other_s3 = aws_flow_log("fl-2", VPC_A, spec=S3_SPEC)

    [step] = plan_flow_logs(SPEC, [VPC_A], [other_group, other_s3])

    assert step["action"] == "create"
    assert step["remove"] == []
    assert step["before"] == []


def test_plan_replace_does_not_remove_other_destinations():
    wrong = aws_flow_log("fl-1", VPC_A, max_aggregation_interval=60)
    other = aws_flow_log("fl-2", VPC_A, log_group_name="security-team", traffic_type="REJECT")

    [step] = plan_flow_logs(SPEC, [VPC_A], [wrong, other])

    assert step["action"] == "replace"
    assert ids(step["remove"]) == ["fl-1"]


@pytest.mark.parametrize(
    ("existing", "expected_action", "expected_removed"),
    [
        ([], "none", []),
        ([aws_flow_log("fl-1", VPC_A)], "delete", ["fl-1"]),
        ([aws_flow_log("fl-1", VPC_A, traffic_type="REJECT")], "delete", ["fl-1"]),
        ([aws_flow_log("fl-1", VPC_A), aws_flow_log("fl-2", VPC_A)], "delete", ["fl-1", "fl-2"]),
        ([aws_flow_log("fl-1", VPC_A, log_group_name="other")], "none", []),
        ([aws_flow_log("fl-1", VPC_A, spec=S3_SPEC), aws_flow_log("fl-2", VPC_A)], "delete", ["fl-2"]),
    ],
)
def test_plan_absent_deletes_only_the_same_destination(existing, expected_action, expected_removed):
    spec = desired_spec(cwl(state="absent", deliver_logs_role_arn=None))

    [step] = plan_flow_logs(spec, [VPC_A], existing, state="absent")

    assert step["action"] == expected_action
    assert sorted(ids(step["remove"])) == expected_removed


@pytest.mark.parametrize(
    ("current_tags", "tags", "purge", "expected_action", "expected_set", "expected_remove"),
    [
        ({}, None, True, "none", {}, []),
        ({"a": "1"}, None, True, "none", {}, []),
        ({"a": "1"}, {"a": "1"}, True, "none", {}, []),
        ({}, {"a": "1"}, True, "update", {"a": "1"}, []),
        ({"a": "1"}, {"a": "2"}, True, "update", {"a": "2"}, []),
        ({"a": "1", "b": "2"}, {"a": "1"}, True, "update", {}, ["b"]),
        ({"a": "1", "b": "2"}, {"a": "1"}, False, "none", {}, []),
        ({"aws:x": "1"}, {}, True, "none", {}, []),
    ],
)
def test_plan_tag_changes_update(current_tags, tags, purge, expected_action, expected_set, expected_remove):
    existing = [aws_flow_log("fl-1", VPC_A, tags=current_tags)]

    [step] = plan_flow_logs(SPEC, [VPC_A], existing, tags=tags, purge_tags=purge)

    assert step["action"] == expected_action
    assert (step["tags_set"], step["tags_remove"]) == (expected_set, expected_remove)
    assert step["remove"] == []


def test_plan_many_resources_at_once():
    existing = [
        aws_flow_log("fl-1", VPC_A),
        aws_flow_log("fl-2", VPC_B, deliver_logs_role_arn=OTHER_ROLE),
        aws_flow_log("fl-3", "vpc-0000000d"),  # not asked for: not planned
    ]

    plan = plan_flow_logs(SPEC, [VPC_A, VPC_B, VPC_C, VPC_A], existing)

    assert [step["resource_id"] for step in plan] == [VPC_A, VPC_B, VPC_C]
    actions = {rid: step["action"] for rid, step in by_resource(plan).items()}
    assert actions == {VPC_A: "none", VPC_B: "replace", VPC_C: "create"}
    assert by_resource(plan)[VPC_B]["changed_fields"] == ["deliver_logs_role_arn"]


def test_plan_matches_s3_destination_with_trailing_slash():
    existing = [aws_flow_log("fl-1", VPC_A, spec=S3_SPEC, log_destination=BUCKET + "/")]

    [step] = plan_flow_logs(S3_SPEC, [VPC_A], existing)

    assert step["action"] == "none"


# ---------------------------------------------------------------- predict_after


def test_predict_after_create_uses_the_spec_and_default_format():
    [step] = plan_flow_logs(SPEC, [VPC_A], [], tags={"t": "v"})

    after = predict_after(SPEC, step, {"t": "v"})

    assert after["flow_log_id"] is None
    assert after["traffic_type"] == "ALL"
    assert after["log_group_name"] == GROUP
    assert after["log_format"] == DEFAULT_LOG_FORMAT
    assert after["tags"] == {"t": "v"}


def test_predict_after_create_has_string_tag_values_like_aws():
    """Ansible's ``type: dict`` keeps YAML integers; the predicted state must match what a re-plan sees."""
    tags = {"cost_center": 1234}
    [step] = plan_flow_logs(SPEC, [VPC_A], [], tags=tags)

    predicted = predict_after(SPEC, step, tags)

    assert predicted["tags"] == {"cost_center": "1234"}


def test_predict_after_update_applies_tags_and_delete_is_none():
    existing = [aws_flow_log("fl-1", VPC_A, tags={"old": "x"})]
    [update] = plan_flow_logs(SPEC, [VPC_A], existing, tags={"new": "y"})
    [delete] = plan_flow_logs(SPEC, [VPC_A], existing, state="absent")

    assert predict_after(SPEC, update, {"new": "y"})["tags"] == {"new": "y"}
    assert predict_after(SPEC, update, {"new": "y"})["flow_log_id"] == "fl-1"
    assert predict_after(SPEC, delete, None) is None


# ---------------------------------------------------------------- create_request


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            cwl(),
            dict(
                ResourceType="VPC",
                LogDestinationType="cloud-watch-logs",
                MaxAggregationInterval=600,
                TrafficType="ALL",
                LogGroupName=GROUP,
                DeliverLogsPermissionArn=ROLE,
            ),
        ),
        (
            cwl(traffic_type="REJECT", max_aggregation_interval=60, log_format="${version} ${action}"),
            dict(
                ResourceType="VPC",
                LogDestinationType="cloud-watch-logs",
                MaxAggregationInterval=60,
                TrafficType="REJECT",
                LogGroupName=GROUP,
                DeliverLogsPermissionArn=ROLE,
                LogFormat="${version} ${action}",
            ),
        ),
        (
            s3(
                log_destination=BUCKET + "/prefix/",
                destination_options=dict(file_format="parquet", per_hour_partition=True),
            ),
            dict(
                ResourceType="VPC",
                LogDestinationType="s3",
                MaxAggregationInterval=600,
                TrafficType="ALL",
                LogDestination=BUCKET + "/prefix",
                DestinationOptions=dict(FileFormat="parquet", HiveCompatiblePartitions=False, PerHourPartition=True),
            ),
        ),
        (
            firehose(
                deliver_cross_account_role=CROSS_ROLE,
                deliver_logs_role_arn=ROLE,
                resource_type="Subnet",
                resource_ids=["subnet-0a1b2c3d"],
            ),
            dict(
                ResourceType="Subnet",
                LogDestinationType="kinesis-data-firehose",
                MaxAggregationInterval=600,
                TrafficType="ALL",
                LogDestination=FIREHOSE,
                DeliverLogsPermissionArn=ROLE,
                DeliverCrossAccountRole=CROSS_ROLE,
            ),
        ),
        (
            cwl(resource_type="TransitGateway", resource_ids=[TGW]),
            dict(
                ResourceType="TransitGateway",
                LogDestinationType="cloud-watch-logs",
                MaxAggregationInterval=60,
                LogGroupName=GROUP,
                DeliverLogsPermissionArn=ROLE,
            ),
        ),
    ],
)
def test_create_request(params, expected):
    assert create_request(desired_spec(params)) == expected


# ---------------------------------------------------------------- chunking


@pytest.mark.parametrize(
    ("items", "size", "expected"),
    [
        ([], 3, []),
        ([1], 3, [[1]]),
        ([1, 2, 3], 3, [[1, 2, 3]]),
        ([1, 2, 3, 4], 3, [[1, 2, 3], [4]]),
        (range(7), 2, [[0, 1], [2, 3], [4, 5], [6]]),
        (iter("abc"), 1, [["a"], ["b"], ["c"]]),
    ],
)
def test_chunks(items, size, expected):
    assert ec2_api.chunks(items, size) == expected


def test_chunks_of_many_ids_respect_the_limit():
    parts = ec2_api.chunks(["vpc-{:08x}".format(i) for i in range(701)], 300)

    assert [len(p) for p in parts] == [300, 300, 101]


@pytest.mark.parametrize(
    ("resource_type", "size"),
    [
        ("VPC", 300),
        ("Subnet", 300),
        ("NetworkInterface", 300),
        ("TransitGateway", 25),
        ("TransitGatewayAttachment", 25),
    ],
)
def test_create_chunk_size(resource_type, size):
    assert ec2_api.create_chunk_size(resource_type) == size


# ---------------------------------------------------------------- AWS's contract, where moto accepts more (#9)


def aws_s3_flow_log(file_format):
    """An S3 flow log as DescribeFlowLogs reports it (flow_log_from_aws)."""
    return dict(
        flow_log_id="fl-1",
        resource_id=VPC_A,
        traffic_type="ALL",
        log_destination_type="s3",
        log_group_name=None,
        log_destination=BUCKET,
        deliver_logs_role_arn=None,
        deliver_cross_account_role=None,
        max_aggregation_interval=600,
        log_format=None,
        destination_options=dict(file_format=file_format, hive_compatible_partitions=False, per_hour_partition=False),
        tags={},
    )


@pytest.mark.parametrize("given", ["plain-text", "plain"])
def test_s3_file_format_is_sent_and_compared_as_aws_spells_it(given):
    spec = desired_spec(s3(destination_options=dict(file_format=given)))

    assert create_request(spec)["DestinationOptions"]["FileFormat"] == "plain-text"  # EC2's DestinationFileFormat
    plan = plan_flow_logs(spec, [VPC_A], [aws_s3_flow_log("plain-text")])
    assert [step["action"] for step in plan] == ["none"]  # no false replacement on every run


@pytest.mark.parametrize(
    ("log_format", "unknown"),
    [
        ("${version} ${no-such-field}", "no-such-field"),
        ("${srcaddr} ${dstaddr} ${src-addr}", "src-addr"),
    ],
)
def test_log_format_fields_are_checked_against_aws_list(log_format, unknown):
    with pytest.raises(ParameterError) as caught:
        desired_spec(cwl(log_format=log_format))

    assert caught.value.option == "log_format"
    assert "unknown field ${{{}}}".format(unknown) in str(caught.value)


def test_every_documented_field_is_accepted():
    every = " ".join("${{{}}}".format(field) for field in FLOW_LOG_FIELDS)
    assert desired_spec(cwl(log_format=every))["log_format"] == every
    for field in ("ecs-cluster-name", "reject-reason", "pkt-src-aws-service", "flow-direction", "traffic-path"):
        assert field in FLOW_LOG_FIELDS


@pytest.mark.parametrize("name", ["aws/vpc-flow-logs", "aws/", "a" * 513])
def test_log_group_names_aws_refuses(name):
    with pytest.raises(ParameterError) as caught:
        desired_spec(cwl(log_group_name=name))

    assert caught.value.option == "log_group_name"


def test_check_mode_predicts_the_transit_gateway_default_format():
    spec = desired_spec(cwl(resource_type="TransitGateway", resource_ids=[TGW]))
    (step,) = plan_flow_logs(spec, [TGW], [])

    predicted = predict_after(spec, step, None)["log_format"]

    assert predicted == TRANSIT_GATEWAY_DEFAULT_LOG_FORMAT
    assert "${tgw-id}" in predicted and predicted != DEFAULT_LOG_FORMAT


@pytest.mark.parametrize(
    ("resource_type", "resource_id"),
    [("RegionalNatGateway", "nat-0123456789abcdef0"), ("CoreNetworkAttachment", "attachment-0123456789abcdef0")],
)
def test_new_resource_types_are_known_or_refused_clearly(resource_type, resource_id):
    params = cwl(resource_type=resource_type, resource_ids=[resource_id], traffic_type=None)
    if resource_type == "RegionalNatGateway":
        params["traffic_type"] = "ALL"
        assert desired_spec(params)["resource_type"] == resource_type
        return
    with pytest.raises(ParameterError) as caught:
        desired_spec(params)
    assert caught.value.option == "resource_type" and "not supported" in str(caught.value)


# ---------------------------------------------------------------- cross-account delivery (#9)

OTHER = "210987654321"


def test_a_cross_account_role_needs_the_delivery_role_too():
    with pytest.raises(ParameterError) as caught:
        desired_spec(firehose(deliver_cross_account_role=CROSS_ROLE))

    assert caught.value.option == "deliver_cross_account_role"
    assert "deliver_logs_role_arn" in str(caught.value)


@pytest.mark.parametrize(
    ("params", "option", "text"),
    [
        (
            cwl(deliver_logs_role_arn="arn:aws:iam::{}:role/delivery".format(OTHER)),
            "deliver_logs_role_arn",
            "a CloudWatch Logs delivery role must be in the account of the flow logs ({})".format(ACCOUNT),
        ),
        (
            firehose(log_destination="arn:aws:firehose:us-east-1:{}:deliverystream/flows".format(OTHER)),
            "deliver_logs_role_arn",
            "the delivery stream is in account {}, the flow logs in {}".format(OTHER, ACCOUNT),
        ),
    ],
)
def test_cross_account_rules_are_checked_before_any_ec2_call(stubbed, params, option, text):
    ec2, _stubber = stubbed("ec2")  # nothing queued: any EC2 call fails the test

    with pytest.raises(ParameterError) as caught:
        converge_flow_logs(StubbedClients(ec2=ec2), params)

    assert caught.value.option == option
    assert text in str(caught.value)
