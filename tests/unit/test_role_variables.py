"""The role's variables: converted as meta/argument_specs.yml says, one message per variable, misspelt names
caught with the closest known one, and the module options built from one table (pure)."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.flowlogs.aws.plugins.module_utils._role import variables as rv
from tests.support.paths import REPO


def problems_of(raw, **kwargs):
    """The problems the role's checks find in ``raw``, as the messages read."""
    return [str(p) for p in rv.check_variables(raw, **kwargs)[1]]


def target_of(raw):
    """The Target the variables describe; they must have no problem."""
    target, _variables, problems, _warnings = rv.read_target(raw)
    assert problems == [], [str(p) for p in problems]
    return target


ROLE = REPO / "roles" / "flow_logs"
SPECS = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]
OPTIONS = SPECS["main"]["options"]
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
GOOD = dict(DEFAULTS, flow_logs_region="eu-west-1")


def test_defaults_file_and_argument_spec_agree():
    documented = {name: spec.get("default") for name, spec in OPTIONS.items() if "default" in spec}
    assert {k: v for k, v in DEFAULTS.items() if v is not None} == {
        k: v for k, v in documented.items() if v is not None
    }
    assert set(DEFAULTS) <= set(OPTIONS)


def test_the_defaults_pass():
    assert problems_of(GOOD) == []


#: A string as ``-e name=value`` gives it, per typed variable of the spec, and what it must become.
AS_STRINGS = {
    "flow_logs_retention_in_days": ("30", 30),
    "flow_logs_max_aggregation_interval": ("60", 60),
    "flow_logs_alarm_threshold": ("2", 2),
    "flow_logs_alarm_period": ("120", 120),
    "flow_logs_alarms": ("true", True),
    "flow_logs_delete_log_group": ("yes", True),
    "flow_logs_batch": ("no", False),
    "flow_logs_delete_role": ("False", False),
    "flow_logs_log_group_deletion_protection": ("true", True),
    "flow_logs_lift_deletion_protection": ("yes", True),
    "flow_logs_role_purge_policies": ("no", False),
    "flow_logs_delivery_role_owner": ("false", False),
    "flow_logs_vpc_ids": ("vpc-0a1b2c3d,vpc-0a1b2c3e", ["vpc-0a1b2c3d", "vpc-0a1b2c3e"]),
    "flow_logs_exclude_vpc_ids": ('["vpc-0a1b2c3d"]', ["vpc-0a1b2c3d"]),
    "flow_logs_vpc_tag_filters": ("env=prod", {"env": "prod"}),
    "flow_logs_tags": ('{"owner":"network"}', {"owner": "network"}),
    "flow_logs_alarm_rules": ('[{"name":"ssh","port":"22"}]', [{"name": "ssh", "port": 22, "protocol": "tcp"}]),
    "flow_logs_account_id": (123456789012, "123456789012"),  # YAML gives an int; the spec says str
    "flow_logs_validate_certs": ("false", False),
    "flow_logs_resource_types": ("VPC,TransitGateway", ["VPC", "TransitGateway"]),
    "flow_logs_destinations": (
        '[{"type": "s3", "bucket_arn": "arn:aws:s3:::central-flow-logs"}]',
        [{"type": "s3", "bucket_arn": "arn:aws:s3:::central-flow-logs"}],
    ),
    "flow_logs_tag_fields": ('{"instance": ["Name"]}', {"instance": ["Name"]}),
    "flow_logs_aws_config": ('{"connect_timeout": 5}', {"connect_timeout": 5}),
    "flow_logs_aws_ca_bundle": ("/etc/ssl/private-ca.pem", "/etc/ssl/private-ca.pem"),
    "flow_logs_insights_queries": ("false", False),
    "flow_logs_contributor_insights": ("yes", True),
    "flow_logs_athena": ("true", True),
    "flow_logs_check_arrival": ("true", True),
    "flow_logs_delivery_window": ("45", 45),
    "flow_logs_result_max_bytes": ("100000", 100000),
    "flow_logs_require_arrival": ("yes", True),
    "flow_logs_price_table": ('{"s3": {"storage_per_gb_month": 0.025}}', {"s3": {"storage_per_gb_month": 0.025}}),
}


def test_aws_config_with_an_unknown_setting_is_refused_naming_the_variable():
    problems = problems_of(dict(GOOD, flow_logs_aws_config={"retries": {"mode": "adaptive"}, "retry": 3}))
    assert len(problems) == 1
    assert problems[0].startswith("flow_logs_aws_config: has unknown botocore Config setting(s) retry; allowed: ")
    assert "retries" in problems[0] and "proxies" in problems[0]


def test_tls_variables_reach_the_connection_options():
    options = rv.connection_options(
        dict(GOOD, flow_logs_aws_ca_bundle="/ca.pem", flow_logs_validate_certs=False, flow_logs_aws_config={"a": 1})
    )
    assert (options["aws_ca_bundle"], options["validate_certs"], options["aws_config"]) == ("/ca.pem", False, {"a": 1})


#: What a variable of AS_STRINGS needs around it to be valid.
CONTEXT = {
    "flow_logs_tag_fields": {"flow_logs_log_format": "${version} ${srcaddr} ${instance-tag}"},
    "flow_logs_athena": {"flow_logs_destination_type": "s3", "flow_logs_s3_bucket_arn": "arn:aws:s3:::central-logs"},
}


def test_every_typed_variable_has_a_string_case():
    typed = {name for name, spec in OPTIONS.items() if spec.get("type", "str") != "str"}
    assert typed <= set(AS_STRINGS)


@pytest.mark.parametrize("name", sorted(AS_STRINGS))
def test_a_string_converts_as_the_argument_spec_says(name):
    given, expected = AS_STRINGS[name]
    context = dict(GOOD, **CONTEXT.get(name, {}))

    variables, problems, _warnings = rv.check_variables(dict(context, **{name: given}))

    assert problems == []
    assert variables[name] == expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (dict(flow_logs_retention_in_days="31"), ["flow_logs_retention_in_days: must be one of: 0, 1, 3,"]),
        (dict(flow_logs_retention_in_days="forever"), ["flow_logs_retention_in_days: argument"]),
        (dict(flow_logs_tags="team"), ["flow_logs_tags: argument 'flow_logs_tags' is of type str"]),
        (dict(flow_logs_traffic_type="all"), ["flow_logs_traffic_type: must be one of: ACCEPT, REJECT, ALL, got: all"]),
        # Found by two steps' rules (group and delivery role): one message.
        (
            dict(flow_logs_log_group_name="flow logs"),
            ["flow_logs_log_group_name: 'flow logs' is not a valid log group name: 1 to 512 characters"],
        ),
        # In the order of the argument spec, whatever found them.
        (
            dict(flow_logs_role_name="a role", flow_logs_account_id="prod", flow_logs_region="moon-1"),
            [
                "flow_logs_region: 'moon-1' is not an AWS region name",
                "flow_logs_account_id: 'prod' is not a 12-digit",
                "flow_logs_role_name: 'a role' is not a valid IAM role",
            ],
        ),
        # A module option inside a message is named by its role variable.
        (
            dict(flow_logs_destination_type="s3"),
            ["flow_logs_s3_bucket_arn: required when flow_logs_destination_type is s3: an S3 bucket ARN"],
        ),
        (
            dict(flow_logs_destination_type="kinesis-data-firehose", flow_logs_firehose_arn="arn:aws:kinesis:x"),
            ["flow_logs_firehose_arn: 'arn:aws:kinesis:x' is not a Firehose delivery stream ARN"],
        ),
        (dict(flow_logs_exclude_vpc_ids=["default"]), ["flow_logs_exclude_vpc_ids: 'default' is not valid VPC ids"]),
        # The strictest service the tags go to decides: the delivery role (IAM) and the log group (Logs).
        (
            dict(flow_logs_tags={"team": "Network (NOC)"}),
            ["flow_logs_tags: value 'Network (NOC)' of tag team has characters logs does not allow"],
        ),
        (
            dict(flow_logs_alarms=True, flow_logs_alarm_period=90),
            ["flow_logs_alarm_period: 90 is not allowed; use a multiple of 60 seconds"],
        ),
        # Proof of delivery (#22): the window, the price table, a required arrival nobody may check.
        (
            dict(flow_logs_delivery_window=5),
            ["flow_logs_delivery_window: must be a number of minutes from 10 to 1440 (flow logs deliver every"],
        ),
        (dict(flow_logs_delivery_window="half an hour"), ["flow_logs_delivery_window: argument"]),
        (
            dict(flow_logs_price_table={"s3": {"storage": 0.02}}),
            ["flow_logs_price_table: s3.storage is not a price of the table; s3 has ingestion_tiers, parquet_per_gb,"],
        ),
        (
            dict(flow_logs_price_table={"cloudwatch": {}}),
            ["flow_logs_price_table: 'cloudwatch' is not a key of the price table; the keys are cloudwatch_logs, s3"],
        ),
        (
            dict(flow_logs_price_table={"cloudwatch_logs": {"ingestion_tiers": [[10240, 0.5]]}}),
            ["flow_logs_price_table: cloudwatch_logs.ingestion_tiers must be a list of [gigabytes, price per GB]"],
        ),
        (
            dict(flow_logs_price_table={"firehose": {"ingestion_tiers": [[None, -1]]}}),
            ["flow_logs_price_table: firehose.ingestion_tiers must be a list of [gigabytes, price per GB] pairs"],
        ),
        (
            dict(flow_logs_result_max_bytes=-1),
            ["flow_logs_result_max_bytes: is -1; allowed: 0 (never compact) or more bytes"],
        ),
        (
            dict(flow_logs_require_arrival=True, flow_logs_check_arrival=False),
            ["flow_logs_require_arrival: is true, but flow_logs_check_arrival is false"],
        ),
    ],
)
def test_each_problem_is_named_by_its_variable_once(overrides, expected):
    problems = problems_of(dict(GOOD, **overrides))

    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problem


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("flow_logs_retention_days", "did you mean flow_logs_retention_in_days?"),
        ("flow_logs_trafic_type", "did you mean flow_logs_traffic_type?"),
        ("flow_logs_vpc_id", "did you mean flow_logs_vpc_ids?"),
        ("flow_logs_region_name", "did you mean flow_logs_region?"),
        ("flow_logs_something_else_entirely", "see ansible-doc -t role flowlogs.aws.flow_logs"),
    ],
)
def test_a_misspelt_variable_names_the_closest_known_one(name, hint):
    problems = problems_of(dict(GOOD, **{name: "x"}))

    assert problems == ["{}: not a variable of the flowlogs.aws.flow_logs role; {}".format(name, hint)]


def test_tags_that_only_reach_ec2_may_use_any_character():
    s3 = dict(GOOD, flow_logs_destination_type="s3", flow_logs_s3_bucket_arn="arn:aws:s3:::central-flow-logs")

    assert problems_of(dict(s3, flow_logs_tags={"team": "Network (NOC)"})) == []


def test_unknown_variables_can_be_only_a_warning():
    variables, problems, warnings = rv.check_variables(
        dict(GOOD, flow_logs_retention_days=30, flow_logs_unknown_variables="warn")
    )

    assert problems == []
    assert warnings == [
        "flow_logs_retention_days: not a variable of the flowlogs.aws.flow_logs role; "
        "did you mean flow_logs_retention_in_days?"
    ]
    assert variables["flow_logs_retention_in_days"] == 90


def test_what_the_playbooks_and_the_inventory_plugin_set_is_known():
    extra = dict(flow_logs_hosts="prod", flow_logs_account_name="prod", flow_logs_account_tags={"env": "prod"})

    assert problems_of(dict(GOOD, **extra)) == []


def test_the_steps_options_come_from_one_model():
    raw = dict(
        GOOD, flow_logs_tags={"team": "net"}, flow_logs_vpc_ids=["vpc-0a1b2c3d"], flow_logs_account_id="111111111111"
    )
    target = target_of(raw)
    role_arn = "arn:aws:iam::111111111111:role/vpc-flow-logs-delivery"

    converge = target.flow_log_options(target.units[0], role_arn)

    assert converge["resource_ids"] == ["vpc-0a1b2c3d"] and converge["deliver_logs_role_arn"] == role_arn
    assert target.vpc_selection() == dict(vpc_ids=["vpc-0a1b2c3d"], filters=None, exclude_vpc_ids=[])
    assert converge["tags"] == {"team": "net", "managed-by": "flowlogs.aws"}
    assert target.log_group_options(target.destinations[0])["retention_in_days"] == 90
    assert target.role_options()["log_group_names"] == ["vpc-flow-logs"]
    assert target.connection["expected_account_id"] == "111111111111"
    assert target.role_arn(dict(partition="aws-cn", account="111111111111")) == (
        "arn:aws-cn:iam::111111111111:role/vpc-flow-logs-delivery"
    )
    assert target.variable_of("retention_in_days") == "flow_logs_retention_in_days"
    assert target.variable_of("expected_account_id") == "flow_logs_account_id"


# ---------------------------------------------------------------- the troubleshoot entry point

TROUBLESHOOT = SPECS["troubleshoot"]["options"]
QUESTION = dict(GOOD, flow_logs_query_src="10.0.1.25", flow_logs_query_dst="52.219.204.42")


def test_the_troubleshoot_entry_point_documents_the_target_variables_it_reads():
    target = ("flow_logs_region", "flow_logs_assume_role_arn", "flow_logs_account_id", "flow_logs_endpoint_url")
    assert set(target) <= set(TROUBLESHOOT)
    for name in set(TROUBLESHOOT) & set(OPTIONS):
        assert TROUBLESHOOT[name].get("type", "str") == OPTIONS[name].get("type", "str"), name
        assert TROUBLESHOOT[name].get("default") == OPTIONS[name].get("default"), name


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (dict(flow_logs_query_port="443"), dict(flow_logs_query_port=443, flow_logs_query_protocol="tcp")),
        (dict(flow_logs_query_protocol=17), dict(flow_logs_query_protocol="17")),  # YAML gives an int; spec says str
        (dict(flow_logs_query_since="2h"), dict(flow_logs_query_since="2h", flow_logs_query_start=None)),
    ],
)
def test_the_question_converts_as_the_troubleshoot_spec_says(given, expected):
    variables, problems, _warnings = rv.check_variables(dict(QUESTION, **given), entry_point="troubleshoot")

    assert problems == []
    assert {k: variables[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # An enable inventory's variables are known and left alone, even ones the main entry point would refuse.
        (dict(flow_logs_retention_in_days=365, flow_logs_destination_type="s3", flow_logs_tags={"a": "b"}), []),
        (dict(flow_logs_query_port="https"), ["flow_logs_query_port: argument"]),
        (dict(flow_logs_query_src=None, flow_logs_query_dst=None), ["flow_logs_query_src: set flow_logs_query_src"]),
        (
            dict(flow_logs_region="moon-1", flow_logs_query_since="ten minutes"),
            ["flow_logs_region: 'moon-1' is not an AWS region name", "flow_logs_query_since: 'ten minutes' is not"],
        ),
        (dict(flow_logs_log_group_name="flow logs"), ["flow_logs_log_group_name: 'flow logs' is not a valid log"]),
        (
            dict(flow_logs_query_sice="2h"),
            [
                "flow_logs_query_sice: not a variable of the flowlogs.aws.flow_logs role; "
                "did you mean flow_logs_query_since?"
            ],
        ),
    ],
)
def test_troubleshoot_problems_are_named_by_their_variable(overrides, expected):
    problems = problems_of(dict(QUESTION, **overrides), entry_point="troubleshoot")

    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problem


def test_the_question_is_known_to_the_main_entry_point_and_left_alone():
    variables, problems, _warnings = rv.check_variables(
        dict(GOOD, flow_logs_query_src="10.0.1.25", flow_logs_troubleshoot_result={"verdict": "accepted"})
    )

    assert problems == []
    assert "flow_logs_query_src" not in variables
