"""flow_log_insights, pure: saved Logs Insights queries and Contributor Insights rules derived from the record format,
their names, the rules of the options, the plan and its prediction."""

from __future__ import annotations

import json

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.insights import (
    desired_insights,
    plan_insights,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.insights_definitions import (
    QUERIES,
    RULES,
    query_names,
    query_string,
    rule_body,
    rule_names,
    same_definition,
    validate_insights_params,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.record_format import insights_name, record_fields

GROUP = "vpc-flow-logs"
DEFAULT_PARSE = (
    'parse @message "* * * * * * * * * * * * * *" as version, accountId, interfaceId, srcaddr, dstaddr, srcport, '
    "dstport, protocol, packets, bytes, start, end, action, logStatus"
)
CUSTOM = "${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${action}"


def params(**overrides):
    found = dict(
        log_group_name=GROUP,
        log_format=None,
        queries=True,
        contributor_insights=False,
        name_prefix="flowlogs",
        state="present",
        tags=None,
        purge_tags=True,
    )
    found.update(overrides)
    return found


NOTHING = dict(query_definitions=[], insight_rules=[])


def as_found(p, ids="abc"):
    """AWS state exactly as ``p`` asks, as read_insights returns it."""
    wanted = desired_insights(p)
    queries = [dict(q, query_definition_id=i) for q, i in zip(wanted["query_definitions"].values(), ids)]
    rules = [
        dict(r, arn="arn:aws:cloudwatch:us-east-1:123456789012:insight-rule/" + r["name"], tags={})
        for r in wanted["insight_rules"].values()
    ]
    return dict(query_definitions=queries, insight_rules=rules)


# ---------------------------------------------------------------- names and texts


@pytest.mark.parametrize(
    ("field", "name"),
    [("srcaddr", "srcaddr"), ("interface-id", "interfaceId"), ("pkt-src-aws-service", "pktSrcAwsService")],
)
def test_insights_names_are_letters_and_digits(field, name):
    assert insights_name(field) == name


def test_names_carry_prefix_group_and_question():
    p = params(log_group_name="/vpc/flows#1", name_prefix="net")
    assert sorted(query_names(p).values()) == [
        "net//vpc/flows#1/accepted-without-reply",
        "net//vpc/flows#1/rejected-by-source-destination-port",
        "net//vpc/flows#1/top-talkers-by-bytes",
    ]
    assert sorted(rule_names(p).values()) == [
        "net--vpc-flows-1-rejected-tcp-by-interface",
        "net--vpc-flows-1-top-source-ips-by-bytes",
    ]


def test_queries_parse_the_default_format():
    text = query_string("rejected-by-source-destination-port", record_fields(None))
    assert text == (
        DEFAULT_PARSE + '\n| filter action = "REJECT"\n| stats count(*) as records by srcaddr, dstaddr, dstport'
        "\n| sort records desc\n| limit 100"
    )


def test_queries_parse_a_custom_format_by_name_in_order():
    fields = record_fields(CUSTOM)
    for question in QUERIES:
        text = query_string(question, fields)
        assert text.startswith(
            'parse @message "* * * * * * * * *" as vpcId, interfaceId, srcaddr, dstaddr, srcport, dstport, '
            "protocol, bytes, action\n| "
        )
    assert "| stats sum(bytes) as bytesTotal by srcaddr, dstaddr" in query_string("top-talkers-by-bytes", fields)
    without_reply = query_string("accepted-without-reply", fields)
    assert "by interfaceId, protocol, portLow, portHigh\n| filter directions = 1" in without_reply
    assert "least(srcport, dstport) as portLow, greatest(srcport, dstport) as portHigh" in without_reply


@pytest.mark.parametrize(
    ("log_format", "rule", "fields", "contribution", "aggregate"),
    [
        (
            None,
            "top-source-ips-by-bytes",
            {"4": "srcaddr", "10": "bytes"},
            {"Keys": ["srcaddr"], "ValueOf": "bytes"},
            "Sum",
        ),
        (
            CUSTOM,
            "top-source-ips-by-bytes",
            {"3": "srcaddr", "8": "bytes"},
            {"Keys": ["srcaddr"], "ValueOf": "bytes"},
            "Sum",
        ),
        (
            CUSTOM,
            "rejected-tcp-by-interface",
            {"2": "interfaceId", "9": "action", "7": "protocol"},
            {
                "Keys": ["interfaceId"],
                "Filters": [{"Match": "action", "In": ["REJECT"]}, {"Match": "protocol", "In": ["6"]}],
            },
            "Count",
        ),
    ],
)
def test_rules_read_space_delimited_records_at_the_format_positions(log_format, rule, fields, contribution, aggregate):
    body = rule_body(rule, GROUP, record_fields(log_format))
    assert body == {
        "Schema": {"Name": "CloudWatchLogRule", "Version": 1},
        "LogGroupNames": [GROUP],
        "LogFormat": "CLF",
        "Fields": fields,
        "Contribution": contribution,
        "AggregateOn": aggregate,
    }


def test_rule_definitions_are_compared_as_json():
    assert same_definition('{"a": 1, "b": [1, 2]}', '{"b":[1,2],"a":1}')
    assert not same_definition('{"a": 1}', '{"a": 2}')
    assert not same_definition(None, "{}")


# ---------------------------------------------------------------- option rules


@pytest.mark.parametrize(
    ("overrides", "option", "text"),
    [
        (dict(log_group_name="aws/flows"), "log_group_name", "reserved for AWS"),
        (dict(log_format="${srcaddr}  ${dstaddr}"), "log_format", "space-separated ${field} tokens"),
        (dict(log_format="${srcaddr} ${nope}"), "log_format", "unknown field ${nope}"),
        (
            dict(log_format="${srcaddr} ${dstaddr} ${dstport} ${bytes} ${action}"),
            "log_format",
            "the saved query accepted-without-reply needs the fields interface-id, protocol, srcport, which the "
            "record format lacks; add ${interface-id} ${protocol} ${srcport} to the flow log's format or set "
            "queries: false",
        ),
        (
            dict(log_format="${srcaddr} ${bytes}", queries=False, contributor_insights=True),
            "log_format",
            "the Contributor Insights rule rejected-tcp-by-interface needs the fields interface-id, action, protocol",
        ),
        (dict(name_prefix="a/b"), "name_prefix", "1 to 64 of a-z A-Z 0-9 . _ -"),
        (dict(log_group_name="g" * 240), "name_prefix", "AWS allows 255"),
        (dict(log_group_name="g" * 100, contributor_insights=True), "name_prefix", "AWS allows 128"),
        (dict(contributor_insights=True, tags={"aws:x": "1"}), "tags", "reserved for AWS"),
    ],
)
def test_invalid_input_names_the_option(overrides, option, text):
    with pytest.raises(ParameterError) as raised:
        validate_insights_params(params(**overrides))
    assert raised.value.option == option
    assert text in str(raised.value)


@pytest.mark.parametrize(
    "overrides",
    [
        dict(),
        dict(log_format=CUSTOM, contributor_insights=True),
        dict(log_format="${srcaddr} ${bytes}", queries=False),  # nothing managed needs more
        dict(log_format="${srcaddr}", state="absent"),  # absent reads no record
        dict(log_format="${version} ${resource-type} ${srcaddr} ${dstaddr} ${bytes}", queries=False),  # transit gw
    ],
)
def test_valid_input(overrides):
    validate_insights_params(params(**overrides))


# ---------------------------------------------------------------- plan


def test_nothing_there_plans_the_three_queries():
    plan = plan_insights(params(), NOTHING)
    assert [s["action"] for s in plan] == ["create_query_definition"] * 3
    assert [s["query"]["log_group_names"] for s in plan] == [[GROUP]] * 3


def test_as_asked_plans_nothing():
    p = params(contributor_insights=True)
    assert plan_insights(p, as_found(p)) == []


def test_a_changed_format_updates_in_place_and_extra_copies_go():
    old = as_found(params())
    duplicate = dict(old["query_definitions"][0], query_definition_id="z")
    current = dict(old, query_definitions=[*old["query_definitions"], duplicate])
    plan = plan_insights(params(log_format=CUSTOM), current)
    assert [(s["action"], s["query_definition_id"]) for s in plan] == [
        ("update_query_definition", "c"),  # accepted-without-reply
        ("update_query_definition", "a"),  # rejected-by-source-destination-port, kept ...
        ("delete_query_definition", "z"),  # ... and its copy deleted
        ("update_query_definition", "b"),  # top-talkers-by-bytes
    ]


def test_a_query_on_another_group_is_pointed_back():
    current = as_found(params())
    current["query_definitions"][1]["log_group_names"] = ["other"]
    assert [s["action"] for s in plan_insights(params(), current)] == ["update_query_definition"]


def test_a_kind_not_managed_is_left_alone():
    p = params(contributor_insights=True)
    found = as_found(p)
    assert plan_insights(params(queries=False), found) == []  # rules not managed, queries not managed
    assert plan_insights(params(state="absent", queries=False), found) == []


def test_absent_deletes_what_is_managed():
    p = params(contributor_insights=True)
    plan = plan_insights(params(state="absent", contributor_insights=True), as_found(p))
    assert [s["action"] for s in plan] == ["delete_query_definition"] * 3 + ["delete_insight_rules"]
    assert plan[-1]["names"] == sorted(rule_names(p).values())


def test_rule_changes_and_tags():
    p = params(contributor_insights=True, tags={"team": "network"})
    found = as_found(params(contributor_insights=True))
    top, rejected = sorted(found["insight_rules"], key=lambda r: r["name"], reverse=True)
    top["tags"] = {"team": "network"}
    rejected["tags"] = {"old": "1", "aws:cloudformation:stack-name": "s"}
    rejected["state"] = "DISABLED"
    plan = plan_insights(p, found)
    assert [(s["action"], s["name"].rsplit("-", 2)[-1]) for s in plan] == [
        ("update_insight_rule", "interface"),
        ("tag_insight_rule", "interface"),
        ("untag_insight_rule", "interface"),
    ]
    assert plan[1]["tags"] == {"team": "network"} and plan[2]["keys"] == ["old"]  # aws: tags stay


def test_rule_definitions_follow_the_format():
    wanted = desired_insights(params(contributor_insights=True, log_format=CUSTOM))
    definitions = [json.loads(r["definition"]) for r in wanted["insight_rules"].values()]
    assert [d["Fields"] for d in definitions] == [
        {"3": "srcaddr", "8": "bytes"},
        {"2": "interfaceId", "9": "action", "7": "protocol"},
    ]
    assert set(wanted["insight_rules"]) == {"flowlogs-vpc-flow-logs-" + r for r in RULES}
