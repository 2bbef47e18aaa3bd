"""flow_log_insights's converge on real boto3 clients answered by botocore's Stubber, asserting the exact requests.

moto has no saved Logs Insights queries (no PutQueryDefinition, DescribeQueryDefinitions or DeleteQueryDefinition),
so they are tested here at unit level; its TagResource refuses Contributor Insights rules, so retagging a rule is
tested here too. The rules themselves run end to end against moto server (tests/integration/targets/
flow_log_insights). The answers below are shaped as the CloudWatch Logs and CloudWatch API References document them.
"""

from __future__ import annotations

import pytest
from botocore.stub import ANY

from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.insights import converge_flow_log_insights
from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.insights_definitions import (
    query_names,
    query_string,
    rule_names,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.record_format import record_fields
from tests.unit.conftest import StubbedClients

GROUP = "vpc-flow-logs"
PREFIX = "flowlogs/vpc-flow-logs/"
FORMAT = "${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${action}"
ARN = "arn:aws:cloudwatch:us-east-1:123456789012:insight-rule/"


class Clients(StubbedClients):
    region = "us-east-1"


def params(**overrides):
    found = dict(log_group_name=GROUP, log_format=FORMAT, queries=True, contributor_insights=False, state="present")
    found.update(overrides)
    return found


def names():
    return query_names(params())


def texts(log_format=FORMAT):
    return {q: query_string(q, record_fields(log_format)) for q in names()}


def saved(question, definition_id, text=None, groups=(GROUP,)):
    return {
        "queryDefinitionId": definition_id,
        "name": names()[question],
        "queryString": text if text is not None else texts()[question],
        "lastModified": 1700000000000,
        "logGroupNames": list(groups),
    }


def describe(stubber, found):
    stubber.add_response(
        "describe_query_definitions",
        {"queryDefinitions": found},
        {"queryDefinitionNamePrefix": PREFIX, "maxResults": 1000},
    )


QUESTIONS = ["accepted-without-reply", "rejected-by-source-destination-port", "top-talkers-by-bytes"]


def test_saved_queries_are_created_for_the_flow_logs_format(stubbed):
    logs, stubber = stubbed("logs")
    describe(stubber, [])
    for i, question in enumerate(QUESTIONS):
        stubber.add_response(
            "put_query_definition",
            {"queryDefinitionId": "id-{}".format(i)},
            {"name": names()[question], "queryString": texts()[question], "logGroupNames": [GROUP]},
        )
    describe(stubber, [saved(q, "id-{}".format(i)) for i, q in enumerate(QUESTIONS)])

    result = converge_flow_log_insights(Clients(logs=logs), params())

    assert result["changed"] is True
    assert result["actions"] == ["create_query_definition"] * 3
    assert [q["query_definition_id"] for q in result["query_definitions"]] == ["id-0", "id-1", "id-2"]
    assert result["query_definitions"][0]["query_string"].startswith(
        'parse @message "* * * * * * * *" as interfaceId, srcaddr, dstaddr, srcport, dstport, protocol, bytes, action'
    )
    assert result["insight_rules"] == []


def test_a_query_that_differs_is_updated_in_place_and_extra_copies_are_deleted(stubbed):
    logs, stubber = stubbed("logs")
    found = [
        saved("accepted-without-reply", "a1", text="fields @message"),  # edited by hand
        saved("rejected-by-source-destination-port", "r1"),
        saved("rejected-by-source-destination-port", "r2"),  # a second query of the same name
        saved("top-talkers-by-bytes", "t1", groups=["other-group"]),
    ]
    describe(stubber, found)
    stubber.add_response(
        "put_query_definition",
        {"queryDefinitionId": "a1"},
        {
            "name": names()["accepted-without-reply"],
            "queryString": texts()["accepted-without-reply"],
            "logGroupNames": [GROUP],
            "queryDefinitionId": "a1",
        },
    )
    stubber.add_response("delete_query_definition", {"success": True}, {"queryDefinitionId": "r2"})
    stubber.add_response(
        "put_query_definition",
        {"queryDefinitionId": "t1"},
        {
            "name": names()["top-talkers-by-bytes"],
            "queryString": texts()["top-talkers-by-bytes"],
            "logGroupNames": [GROUP],
            "queryDefinitionId": "t1",
        },
    )
    describe(stubber, [saved(q, i) for q, i in zip(QUESTIONS, ("a1", "r1", "t1"))])

    result = converge_flow_log_insights(Clients(logs=logs), params())

    assert result["actions"] == ["update_query_definition", "delete_query_definition", "update_query_definition"]
    assert [q["query_definition_id"] for q in result["query_definitions"]] == ["a1", "r1", "t1"]
    assert [q["query_definition_id"] for q in result["before"]["query_definitions"]] == ["a1", "r1", "r2", "t1"]


def test_as_asked_makes_one_call(stubbed):
    logs, stubber = stubbed("logs")
    describe(stubber, [saved(q, str(i)) for i, q in enumerate(QUESTIONS)])  # nothing changed: nothing read after

    result = converge_flow_log_insights(Clients(logs=logs), params())

    assert result["changed"] is False and result["actions"] == []


def test_check_mode_predicts_without_writing(stubbed):
    logs, stubber = stubbed("logs")
    describe(stubber, [saved("top-talkers-by-bytes", "t1", text="fields @message")])

    result = converge_flow_log_insights(Clients(logs=logs), params(), check_mode=True)

    assert result["actions"] == ["create_query_definition", "create_query_definition", "update_query_definition"]
    assert [q["query_definition_id"] for q in result["query_definitions"]] == [None, None, "t1"]
    assert result["after"]["query_definitions"][2]["query_string"] == texts()["top-talkers-by-bytes"]


def test_absent_deletes_every_copy_by_id(stubbed):
    logs, stubber = stubbed("logs")
    describe(stubber, [saved(q, "id-{}".format(i)) for i, q in enumerate(QUESTIONS)])
    for i in range(3):
        stubber.add_response("delete_query_definition", {"success": True}, {"queryDefinitionId": "id-{}".format(i)})
    describe(stubber, [])

    result = converge_flow_log_insights(Clients(logs=logs), params(state="absent"))

    assert result["actions"] == ["delete_query_definition"] * 3
    assert result["query_definitions"] == []


def test_a_saved_query_already_deleted_counts_as_deleted(stubbed):
    logs, stubber = stubbed("logs")
    describe(stubber, [saved("top-talkers-by-bytes", "t1")])
    stubber.add_client_error(
        "delete_query_definition", "ResourceNotFoundException", expected_params={"queryDefinitionId": "t1"}
    )
    describe(stubber, [])

    result = converge_flow_log_insights(Clients(logs=logs), params(state="absent"))

    assert result["changed"] is True and result["query_definitions"] == []


def test_pages_of_saved_queries_are_all_read(stubbed):
    logs, stubber = stubbed("logs")
    page = [saved(q, str(i)) for i, q in enumerate(QUESTIONS)]
    stubber.add_response(
        "describe_query_definitions",
        {"queryDefinitions": page[:1], "nextToken": "next"},
        {"queryDefinitionNamePrefix": PREFIX, "maxResults": 1000},
    )
    stubber.add_response(
        "describe_query_definitions",
        {"queryDefinitions": page[1:]},
        {"queryDefinitionNamePrefix": PREFIX, "maxResults": 1000, "nextToken": "next"},
    )

    result = converge_flow_log_insights(Clients(logs=logs), params(), check_mode=True)

    assert result["actions"] == []


def test_nothing_managed_makes_no_call():
    clients = Clients()
    result = converge_flow_log_insights(clients, params(queries=False))
    assert result["changed"] is False
    assert clients.requested == []


def test_invalid_input_is_refused_before_any_call():
    clients = Clients()
    with pytest.raises(ParameterError) as raised:
        converge_flow_log_insights(clients, params(log_format="${srcaddr} ${dstaddr}"))
    assert raised.value.option == "log_format"
    assert clients.requested == []


# ---------------------------------------------------------------- Contributor Insights rules: tags


def test_rule_tags_are_changed_with_tag_resource_on_the_rule_arn(stubbed):
    from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.insights import desired_insights

    cloudwatch, stubber = stubbed("cloudwatch")
    p = params(queries=False, contributor_insights=True, tags={"team": "network"})
    wanted = desired_insights(p)["insight_rules"]
    rules = [
        {"Name": name, "State": "ENABLED", "Schema": "{}", "Definition": rule["definition"], "ManagedRule": False}
        for name, rule in sorted(wanted.items())
    ]
    rejected, top = sorted(rule_names(p).values())
    stubber.add_response("describe_insight_rules", {"InsightRules": rules}, {"MaxResults": 500})
    stubber.add_response(
        "list_tags_for_resource", {"Tags": [{"Key": "old", "Value": "1"}]}, {"ResourceARN": ARN + rejected}
    )
    stubber.add_response(
        "list_tags_for_resource", {"Tags": [{"Key": "team", "Value": "network"}]}, {"ResourceARN": ARN + top}
    )
    stubber.add_response(
        "tag_resource", {}, {"ResourceARN": ARN + rejected, "Tags": [{"Key": "team", "Value": "network"}]}
    )
    stubber.add_response("untag_resource", {}, {"ResourceARN": ARN + rejected, "TagKeys": ["old"]})

    result = converge_flow_log_insights(Clients(cloudwatch=cloudwatch), p, read_after=False)

    assert result["actions"] == ["tag_insight_rule", "untag_insight_rule"]
    assert [r["tags"] for r in result["insight_rules"]] == [{"team": "network"}, {"team": "network"}]


def test_a_new_rule_is_tagged_as_it_is_created_and_an_update_leaves_tags_to_tag_resource(stubbed):
    cloudwatch, stubber = stubbed("cloudwatch")
    p = params(queries=False, contributor_insights=True, tags={"team": "network"})
    rejected, top = sorted(rule_names(p).values())
    stubber.add_response(
        "describe_insight_rules",
        {"InsightRules": [{"Name": top, "State": "DISABLED", "Schema": "{}", "Definition": '{"old": true}'}]},
        {"MaxResults": 500},
    )
    stubber.add_response(
        "list_tags_for_resource", {"Tags": [{"Key": "team", "Value": "network"}]}, {"ResourceARN": ARN + top}
    )
    stubber.add_response(
        "put_insight_rule",
        {},
        {
            "RuleName": rejected,
            "RuleState": "ENABLED",
            "RuleDefinition": ANY,
            "Tags": [{"Key": "team", "Value": "network"}],
        },
    )
    stubber.add_response("put_insight_rule", {}, {"RuleName": top, "RuleState": "ENABLED", "RuleDefinition": ANY})

    result = converge_flow_log_insights(Clients(cloudwatch=cloudwatch), p, read_after=False)

    assert result["actions"] == ["create_insight_rule", "update_insight_rule"]
    assert [r["state"] for r in result["insight_rules"]] == ["ENABLED", "ENABLED"]
    assert result["insight_rules"][1]["definition"]["Fields"] == {"2": "srcaddr", "7": "bytes"}
