"""Alarms on rejected SSH/RDP traffic: validation, filter patterns, plan and prediction (pure)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._alarms.converge import (
    DEFAULT_RULES,
    desired_state,
    filter_pattern,
    normalized_state,
    plan_alarms,
    predict_alarms,
    validate_alarm_params,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from tests.unit.conftest import StubbedClients

GROUP = "vpc-flow-logs"
TOPIC = "arn:aws:sns:eu-west-1:111111111111:security-alerts"
SSH = GROUP + "-rejected-ssh"
RDP = GROUP + "-rejected-rdp"


def params(**overrides):
    found = dict(
        log_group_name=GROUP,
        state="present",
        rules=[dict(r) for r in DEFAULT_RULES],
        purge_rules=True,
        sns_topic_arn=TOPIC,
        threshold=1,
        period=300,
        evaluation_periods=1,
        metric_namespace="VPCFlowLogs",
        name_prefix=None,
        log_format=None,
        tags=None,
        purge_tags=True,
    )
    found.update(overrides)
    return found


def existing(p=None, tags=None):
    """AWS state exactly as ``p`` asks, as read_alarm_state returns it."""
    wanted = desired_state(p or params())
    alarms = [
        dict(
            a,
            arn="arn:aws:cloudwatch:eu-west-1:111111111111:alarm:" + a["name"],
            ok_actions=[],
            insufficient_data_actions=[],
            tags=dict(tags or {}),
        )
        for a in wanted["alarms"].values()
    ]
    return dict(metric_filters=list(wanted["metric_filters"].values()), alarms=alarms)


# ---------------------------------------------------------------- patterns


@pytest.mark.parametrize(
    ("port", "protocol", "log_format", "expected"),
    [
        (
            22,
            "tcp",
            None,
            '[version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport="22", protocol="6", packets, '
            'bytes, start, end, action="REJECT", log_status]',
        ),
        (3389, "tcp", None, None),
        (53, "udp", None, None),
        (
            22,
            "tcp",
            "${srcaddr} ${dstaddr} ${dstport} ${protocol} ${action} ${tcp-flags}",
            '[srcaddr, dstaddr, dstport="22", protocol="6", action="REJECT", tcp_flags]',
        ),
    ],
)
def test_filter_pattern(port, protocol, log_format, expected):
    pattern = filter_pattern(port, protocol, log_format)
    if expected:
        assert pattern == expected
    assert 'dstport="{}"'.format(port) in pattern
    assert 'protocol="{}"'.format({"tcp": 6, "udp": 17}[protocol]) in pattern
    assert 'action="REJECT"' in pattern


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("overrides", "option", "message"),
    [
        (dict(sns_topic_arn="security-alerts"), "sns_topic_arn", "is not an SNS topic ARN"),
        (dict(sns_topic_arn="arn:aws:sqs:eu-west-1:111111111111:q"), "sns_topic_arn", "is not an SNS topic ARN"),
        (dict(sns_topic_arn="arn:aws:sns:eu-west-1:1111:t"), "sns_topic_arn", "is not an SNS topic ARN"),
        (dict(region="us-east-1"), "sns_topic_arn", "is in region eu-west-1; CloudWatch alarms in us-east-1 can only"),
        (dict(rules=[]), "rules", "at least one rule"),
        (dict(rules=[dict(name="ssh", port=65536)]), "rules", "port 65536 of rule ssh is not a port number"),
        (dict(rules=[dict(name="ssh", port=-1)]), "rules", "is not a port number"),
        (dict(rules=[dict(name="ssh", port="22")]), "rules", "is not a port number"),
        (dict(rules=[dict(name="ssh", port=True)]), "rules", "is not a port number"),
        (dict(rules=[dict(name="ssh", port=22), dict(name="ssh", port=2222)]), "rules", "used twice"),
        (dict(rules=[dict(name="s s h", port=22)]), "rules", "rule name 's s h' is not valid"),
        (dict(rules=[dict(name="dns", port=53, protocol="icmp")]), "rules", "protocol 'icmp' of rule dns"),
        (dict(rules=["ssh"]), "rules", "is not a rule"),
        (dict(threshold=0), "threshold", "1 or more"),
        (dict(period=90), "period", "multiple of 60"),
        (dict(period=30), "period", "multiple of 60"),
        (dict(evaluation_periods=0), "evaluation_periods", "1 or more"),
        (dict(period=300, evaluation_periods=289), "evaluation_periods", "at most 86400 seconds (one day)"),
        # Periods of an hour or more may look back 7 days (PutMetricAlarm).
        (dict(period=3600, evaluation_periods=169), "evaluation_periods", "at most 604800 seconds (7 days)"),
        (dict(metric_namespace=":bad"), "metric_namespace", "not a CloudWatch namespace"),
        (dict(metric_namespace="Flow*Logs"), "metric_namespace", "not a CloudWatch namespace"),
        (dict(metric_namespace="Flow$Logs"), "metric_namespace", "not a CloudWatch namespace"),
        (dict(metric_namespace="AWS/VPC"), "metric_namespace", "AWS/ is reserved"),
        (dict(metric_namespace="n" * 256), "metric_namespace", "not a CloudWatch namespace"),
        # <name_prefix>-rejected-<rule> names the filter, the metric and the alarm: 255 characters at most.
        (dict(name_prefix="p" * 250), "name_prefix", "255"),
        (dict(log_group_name="g" * 300), "log_group_name", "set name_prefix"),
        (dict(log_format="${srcaddr} ${dstport}"), "log_format", "no protocol, action field"),
        (dict(log_group_name="bad name!"), "log_group_name", "not a valid log group name"),
    ],
)
def test_invalid_input_names_the_option(overrides, option, message):
    with pytest.raises(ParameterError) as raised:
        validate_alarm_params(params(**overrides))
    assert raised.value.option == option
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        dict(sns_topic_arn=None),
        dict(region="eu-west-1"),
        dict(region="us-east-1", sns_topic_arn=None),
        dict(sns_topic_arn="arn:aws-us-gov:sns:us-gov-west-1:111111111111:alerts_1"),
        dict(rules=[dict(name="telnet", port=23), dict(name="dns-udp", port=53, protocol="udp")]),
        dict(period=60, evaluation_periods=1440),
        dict(period=3600, evaluation_periods=168),
        dict(name_prefix="p" * 200),
        dict(log_format="${dstport} ${protocol} ${action}"),
        dict(state="absent", rules=None, threshold=0),  # absent needs only the group
    ],
)
def test_valid_input(overrides):
    validate_alarm_params(params(**overrides))


def test_a_topic_in_another_region_than_the_clients_is_refused_before_any_aws_call():
    from ansible_collections.flowlogs.aws.plugins.module_utils._alarms.converge import converge_flow_log_alarms

    class InRegion(StubbedClients):
        region = "us-east-1"

    clients = InRegion()
    with pytest.raises(ParameterError) as raised:
        converge_flow_log_alarms(clients, params())  # no region option: the clients' region (environment)
    assert raised.value.option == "sns_topic_arn"
    assert clients.requested == []


def test_validation_comes_before_any_aws_call():
    from ansible_collections.flowlogs.aws.plugins.module_utils._alarms.converge import converge_flow_log_alarms

    clients = StubbedClients()
    with pytest.raises(ParameterError):
        converge_flow_log_alarms(clients, params(sns_topic_arn="nope"))
    assert clients.requested == []


# ---------------------------------------------------------------- desired state


def test_desired_state_names_and_alarm_settings():
    wanted = desired_state(params(name_prefix="net", threshold=5, rules=[dict(name="ssh", port=22)]))
    assert list(wanted["metric_filters"]) == ["net-rejected-ssh"]
    alarm = wanted["alarms"]["net-rejected-ssh"]
    assert alarm["metric_name"] == "net-rejected-ssh" == wanted["metric_filters"]["net-rejected-ssh"]["metric_name"]
    assert alarm["threshold"] == 5.0
    assert alarm["alarm_actions"] == [TOPIC]
    assert alarm["statistic"] == "Sum"
    assert alarm["comparison_operator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["treat_missing_data"] == "notBreaching"
    assert "tcp/22 (ssh)" in alarm["description"]
    assert desired_state(params(sns_topic_arn=None))["alarms"][SSH]["alarm_actions"] == []


# ---------------------------------------------------------------- plan


def actions(plan):
    return [(s["action"], s.get("name") or s.get("names")) for s in plan]


@pytest.mark.parametrize(
    ("asked", "before", "expected"),
    [
        (
            params(),
            dict(metric_filters=[], alarms=[]),
            [
                ("create_metric_filter", RDP),
                ("create_metric_filter", SSH),
                ("create_alarm", RDP),
                ("create_alarm", SSH),
            ],
        ),
        (params(), existing(), []),
        (params(threshold=10), existing(), [("update_alarm", RDP), ("update_alarm", SSH)]),
        (params(sns_topic_arn=None), existing(), [("update_alarm", RDP), ("update_alarm", SSH)]),
        (
            params(rules=[dict(name="ssh", port=2222, protocol="tcp"), dict(name="rdp", port=3389, protocol="tcp")]),
            existing(),
            [("update_metric_filter", SSH), ("update_alarm", SSH)],
        ),
        (
            params(rules=[dict(name="ssh", port=22, protocol="tcp")]),
            existing(),
            [("delete_alarms", [RDP]), ("delete_metric_filter", RDP)],
        ),
        (params(rules=[dict(name="ssh", port=22, protocol="tcp")], purge_rules=False), existing(), []),
        (
            params(state="absent"),
            existing(),
            [("delete_alarms", [RDP, SSH]), ("delete_metric_filter", RDP), ("delete_metric_filter", SSH)],
        ),
        (params(state="absent"), dict(metric_filters=[], alarms=[]), []),
        (params(tags={"team": "sec"}), existing(tags={"team": "sec"}), []),
        (params(tags=None), existing(tags={"team": "sec"}), []),  # unset tags: leave them alone
        (params(tags={"team": "soc"}), existing(tags={"team": "sec"}), [("tag_alarm", RDP), ("tag_alarm", SSH)]),
        (params(tags={}), existing(tags={"team": "sec", "aws:x": "y"}), [("untag_alarm", RDP), ("untag_alarm", SSH)]),
        (params(tags={}, purge_tags=False), existing(tags={"team": "sec"}), []),
    ],
)
def test_plan(asked, before, expected):
    assert actions(plan_alarms(asked, before)) == expected


def test_new_alarms_get_their_tags_on_create():
    plan = plan_alarms(params(tags={"team": 1}), dict(metric_filters=[], alarms=[]))
    assert [s["tags"] for s in plan if s["action"] == "create_alarm"] == [{"team": "1"}, {"team": "1"}]


def test_update_keeps_the_actions_the_module_does_not_manage():
    before = existing()
    next(a for a in before["alarms"] if a["name"] == SSH)["ok_actions"] = ["arn:aws:sns:eu-west-1:111111111111:ok"]
    plan = {s["name"]: s for s in plan_alarms(params(threshold=3), before)}
    assert plan[SSH]["action"] == plan[RDP]["action"] == "update_alarm"
    assert plan[SSH]["alarm"]["ok_actions"] == ["arn:aws:sns:eu-west-1:111111111111:ok"]
    assert plan[RDP]["alarm"]["ok_actions"] == []
    assert plan[SSH]["fields"] == ["threshold"]


def test_alarm_read_back_with_int_threshold_and_unsorted_actions_is_unchanged():
    before = existing(params(sns_topic_arn=TOPIC))
    for alarm in before["alarms"]:
        alarm["threshold"] = 1  # AWS answers 1.0; either way it is the same threshold
    assert plan_alarms(params(), before) == []


def test_a_filter_put_twice_under_one_name_is_deleted_once_per_copy():
    # moto keeps the old copy when a filter is put again; the last copy is the current one.
    before = existing()
    stale = dict(next(f for f in before["metric_filters"] if f["name"] == SSH), pattern="[old]")
    before["metric_filters"].insert(0, stale)
    assert plan_alarms(params(), before) == []
    plan = plan_alarms(params(state="absent"), before)
    copies = {s["name"]: s["copies"] for s in plan if s["action"] == "delete_metric_filter"}
    assert copies == {RDP: 1, SSH: 2}


# ---------------------------------------------------------------- prediction


@pytest.mark.parametrize(
    "asked",
    [
        params(),
        params(threshold=7, period=600),
        params(rules=[dict(name="ssh", port=2200, protocol="udp")], tags={"a": "b"}),
        params(state="absent"),
        params(tags={}),
    ],
)
def test_prediction_is_what_a_second_plan_finds_nothing_to_change_in(asked):
    before = existing(tags={"team": "sec"})
    plan = plan_alarms(asked, before)
    after = predict_alarms(before, plan)
    if asked["state"] == "absent":
        assert after == dict(metric_filters=[], alarms=[])
        return
    assert plan_alarms(asked, after) == []
    assert [a["name"] for a in after["alarms"]] == sorted(desired_state(asked)["alarms"])


def test_prediction_of_new_alarms_has_no_arn_and_no_extra_actions():
    after = predict_alarms(
        dict(metric_filters=[], alarms=[]), plan_alarms(params(), dict(metric_filters=[], alarms=[]))
    )
    assert [a["arn"] for a in after["alarms"]] == [None, None]
    assert {k for a in after["alarms"] for k in a} >= {"ok_actions", "insufficient_data_actions", "tags"}
    assert after == normalized_state(after["metric_filters"], after["alarms"])


# ---------------------------------------------------------------- role preflight


ROLE_VARS = dict(
    flow_logs_region="eu-west-1",
    flow_logs_state="present",
    flow_logs_destination_type="cloud-watch-logs",
    flow_logs_log_group_name=GROUP,
    flow_logs_retention_in_days=90,
    flow_logs_role_name="vpc-flow-logs-delivery",
    flow_logs_traffic_type="ALL",
    flow_logs_max_aggregation_interval=600,
    flow_logs_alarms=True,
    flow_logs_alarm_sns_topic_arn=TOPIC,
    flow_logs_alarm_rules=[dict(name="ssh", port=22), dict(name="rdp", port=3389)],
    flow_logs_alarm_threshold=1,
    flow_logs_alarm_period=300,
)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        (dict(flow_logs_alarm_threshold="5", flow_logs_alarm_period="600"), []),  # -e key=value gives strings
        (dict(flow_logs_alarm_rules=[dict(name="ssh", port="22")]), []),
        (dict(flow_logs_alarms=False, flow_logs_alarm_sns_topic_arn="nope"), []),  # not checked when off
        (dict(flow_logs_destination_type="s3", flow_logs_s3_bucket_arn="arn:aws:s3:::b", flow_logs_alarm_period=7), []),
        (dict(flow_logs_alarm_sns_topic_arn="nope"), ["flow_logs_alarm_sns_topic_arn: 'nope' is not an SNS topic ARN"]),
        (
            dict(flow_logs_region="us-east-1"),
            ["flow_logs_alarm_sns_topic_arn: {} is in region eu-west-1; CloudWatch alarms in us-east-1".format(TOPIC)],
        ),
        (dict(flow_logs_alarms="yes", flow_logs_alarm_period=90), ["flow_logs_alarm_period: 90 is not allowed"]),
        (dict(flow_logs_alarm_rules=[dict(name="ssh", port=99999)]), ["flow_logs_alarm_rules: port 99999 of rule ssh"]),
        (dict(flow_logs_log_format="${srcaddr} ${bytes}"), ["flow_logs_log_format: the record format has no dstport"]),
    ],
)
def test_role_preflight_checks_alarm_variables(overrides, expected):
    from ansible_collections.flowlogs.aws.plugins.module_utils._role.variables import role_variable_problems

    problems = [p for p in role_variable_problems(dict(ROLE_VARS, **overrides)) if "alarm" in p or "log_format" in p]
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problem
