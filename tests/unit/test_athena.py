"""flow_log_athena: the Glue table from the record format and the S3 layout, the named queries, the rules of the
options and the plan (pure); and, through botocore's Stubber, what moto cannot do - UpdateNamedQuery and
DeleteNamedQuery (moto 5.2 has neither): the exact requests."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.athena import (
    OWN_PARAMETERS,
    converge_flow_log_athena,
    plan_athena,
    wanted_table,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.athena_table import (
    desired_named_queries,
    named_query_string,
    validate_athena_params,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from tests.unit.conftest import StubbedClients

BUCKET = "arn:aws:s3:::central-flow-logs"
CONTEXT = dict(accounts=["111111111111", "222222222222"], regions=["eu-west-1"])


class Clients(StubbedClients):
    region = "eu-west-1"


def params(**overrides):
    found = dict(
        bucket_arn=BUCKET,
        prefix=None,
        log_format=None,
        file_format="plain-text",
        hive_compatible_partitions=False,
        per_hour_partition=False,
        database="vpc_flow_logs",
        table="flow_logs",
        workgroup="primary",
        named_queries=True,
        source_accounts=None,
        regions=None,
        state="present",
    )
    found.update(overrides)
    return found


def table(**overrides):
    return wanted_table(params(**overrides), CONTEXT)


# ---------------------------------------------------------------- the table


def test_columns_follow_the_format_with_athena_types():
    columns = table(log_format="${version} ${interface-id} ${srcport} ${tcp-flags} ${bytes} ${end} ${reject-reason}")[
        "columns"
    ]
    assert columns == [
        dict(name="version", type="int"),
        dict(name="interface_id", type="string"),
        dict(name="srcport", type="int"),
        dict(name="tcp_flags", type="int"),
        dict(name="bytes", type="bigint"),
        dict(name="end", type="bigint"),
        dict(name="reject_reason", type="string"),
    ]


@pytest.mark.parametrize(
    ("hive", "hourly", "keys", "template"),
    [
        (False, False, ["day"], "AWSLogs/${aws_account_id}/vpcflowlogs/${aws_region}/${day}"),
        (False, True, ["day", "hour"], "AWSLogs/${aws_account_id}/vpcflowlogs/${aws_region}/${day}/${hour}"),
        (
            True,
            False,
            ["year", "month", "day"],
            "AWSLogs/aws-account-id=${aws_account_id}/aws-service=vpcflowlogs/aws-region=${aws_region}/"
            "year=${year}/month=${month}/day=${day}",
        ),
        (
            True,
            True,
            ["year", "month", "day", "hour"],
            "AWSLogs/aws-account-id=${aws_account_id}/aws-service=vpcflowlogs/aws-region=${aws_region}/"
            "year=${year}/month=${month}/day=${day}/hour=${hour}",
        ),
    ],
)
def test_partitions_project_the_s3_key_layout(hive, hourly, keys, template):
    found = table(bucket_arn=BUCKET + "/vpc", hive_compatible_partitions=hive, per_hour_partition=hourly)
    assert [k["name"] for k in found["partition_keys"]] == ["aws_account_id", "aws_region", *keys]
    assert {k["type"] for k in found["partition_keys"]} == {"string"}
    assert found["location"] == "s3://central-flow-logs/vpc/AWSLogs/"
    parameters = found["parameters"]
    assert parameters["storage.location.template"] == "s3://central-flow-logs/vpc/" + template
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.aws_account_id.values"] == "111111111111,222222222222"
    assert parameters["projection.aws_region.values"] == "eu-west-1"
    projected = {k.split(".")[1] for k in parameters if k.startswith("projection.") and k != "projection.enabled"}
    assert projected == {"aws_account_id", "aws_region", *keys}


def test_time_projection_in_each_layout():
    aws = table()["parameters"]
    assert (aws["projection.day.type"], aws["projection.day.format"], aws["projection.day.range"]) == (
        "date",
        "yyyy/MM/dd",
        "2018/01/01,NOW",
    )
    assert aws["projection.day.interval.unit"] == "DAYS"
    hive = table(hive_compatible_partitions=True, per_hour_partition=True)["parameters"]
    assert (hive["projection.year.type"], hive["projection.year.format"], hive["projection.year.range"]) == (
        "date",
        "yyyy",
        "2018,NOW",
    )
    assert [hive["projection.{}.range".format(c)] for c in ("month", "day", "hour")] == ["1,12", "1,31", "0,23"]
    assert {hive["projection.{}.digits".format(c)] for c in ("month", "day", "hour")} == {"2"}


def test_file_formats():
    plain, parquet = table(), table(file_format="parquet")
    assert plain["serde"].endswith("LazySimpleSerDe") and plain["serde_parameters"]["field.delim"] == " "
    assert plain["parameters"]["skip.header.line.count"] == "1"  # the field names on each file's first line
    assert parquet["serde"].endswith("ParquetHiveSerDe") and parquet["input_format"].endswith(
        "MapredParquetInputFormat"
    )
    assert "skip.header.line.count" not in parquet["parameters"]


@pytest.mark.parametrize(
    ("overrides", "location"),
    [
        (dict(), "s3://central-flow-logs/AWSLogs/"),
        (dict(prefix="/flows/vpc/"), "s3://central-flow-logs/flows/vpc/AWSLogs/"),
        (dict(bucket_arn="arn:aws-cn:s3:::cn-flows/a/b"), "s3://cn-flows/a/b/AWSLogs/"),
    ],
)
def test_location_is_the_awslogs_folder_under_the_prefix(overrides, location):
    assert table(**overrides)["location"] == location


# ---------------------------------------------------------------- named queries


def test_named_queries_read_todays_partitions():
    aws = named_query_string("rejected-by-source-destination-port", params())
    assert aws == (
        "SELECT srcaddr, dstaddr, dstport, count(*) AS records\nFROM vpc_flow_logs.flow_logs\n"
        "WHERE action = 'REJECT' AND day = date_format(current_date, '%Y/%m/%d')\n"
        "GROUP BY srcaddr, dstaddr, dstport\nORDER BY records DESC\nLIMIT 100"
    )
    hive = named_query_string("top-talkers-by-bytes", params(hive_compatible_partitions=True))
    assert (
        "WHERE year = date_format(current_date, '%Y') AND month = date_format(current_date, '%m') AND "
        "day = date_format(current_date, '%d')\n" in hive
    )


def test_accepted_without_reply_looks_for_the_swapped_flow():
    sql = named_query_string("accepted-without-reply", params())
    assert (
        "FROM vpc_flow_logs.flow_logs r\nLEFT JOIN (SELECT DISTINCT srcaddr, dstaddr, srcport, dstport, protocol" in sql
    )
    assert (
        "ON s.srcaddr = r.dstaddr AND s.dstaddr = r.srcaddr AND s.srcport = r.dstport AND s.dstport = r.srcport" in sql
    )
    assert "WHERE r.action = 'ACCEPT' AND r.day = date_format(current_date, '%Y/%m/%d') AND s.srcaddr IS NULL" in sql


def test_named_query_names_and_databases():
    found = desired_named_queries(params(table="flows", database="network"))
    assert sorted(found) == [
        "flows-accepted-without-reply",
        "flows-rejected-by-source-destination-port",
        "flows-top-talkers-by-bytes",
    ]
    assert {(q["database"], q["workgroup"]) for q in found.values()} == {("network", "primary")}
    assert desired_named_queries(params(named_queries=False)) == {}


# ---------------------------------------------------------------- option rules


@pytest.mark.parametrize(
    ("overrides", "option", "text"),
    [
        (dict(bucket_arn=None), "bucket_arn", "is required with state present"),
        (dict(bucket_arn="arn:aws:s3:::Bad_Bucket"), "bucket_arn", "arn:<partition>:s3:::bucket/prefix"),
        (dict(bucket_arn=BUCKET + "/a", prefix="b"), "prefix", "give the prefix once"),
        (dict(prefix="x/AWSLogs"), "prefix", "AWSLogs cannot be a folder"),
        (dict(prefix="with space"), "prefix", "no spaces"),
        (dict(file_format="json"), "file_format", "use one of plain-text, parquet"),
        (dict(log_format="${srcaddr} ${dstaddr} ${bytes}"), "log_format", "the named query rejected-by-source"),
        (
            dict(log_format="${action} ${srcaddr} ${dstaddr} ${dstport} ${bytes}"),
            "log_format",
            "the named query accepted-without-reply needs the fields protocol, srcport",
        ),
        (dict(database="VPC"), "database", "a-z 0-9 _"),
        (dict(table="flow-logs"), "table", "a-z 0-9 _"),
        (dict(table="t" * 120), "table", "Athena allows 128"),
        (dict(workgroup="a b"), "workgroup", "a-z A-Z 0-9 . _ -"),
        (dict(source_accounts=[]), "source_accounts", "12-digit AWS account ids"),
        (dict(source_accounts=["111111111111", 2]), "source_accounts", "got [2]"),
        (dict(regions=["eu-west"]), "regions", "like eu-west-1"),
    ],
)
def test_invalid_input_names_the_option(overrides, option, text):
    with pytest.raises(ParameterError) as raised:
        validate_athena_params(params(**overrides))
    assert raised.value.option == option
    assert text in str(raised.value)


@pytest.mark.parametrize(
    "overrides",
    [
        dict(),
        dict(file_format="plain", regions=["us-gov-west-1", "cn-north-1"], source_accounts=["111111111111"]),
        dict(log_format="${srcaddr} ${bytes}", named_queries=False),
        dict(bucket_arn=None, log_format="${nope}", state="absent"),  # absent needs the names only
    ],
)
def test_valid_input(overrides):
    validate_athena_params(params(**overrides))


# ---------------------------------------------------------------- plan


def existing(p=None, queries=True):
    p = p or params()
    wanted = wanted_table(p, CONTEXT)
    found = [dict(q, named_query_id="id-" + name) for name, q in sorted(desired_named_queries(p).items())]
    return dict(
        database=dict(name="vpc_flow_logs", description="x"), table=wanted, named_queries=found if queries else []
    )


def test_nothing_there():
    plan = plan_athena(params(), dict(database=None, table=None, named_queries=[]), CONTEXT)
    assert [s["action"] for s in plan] == ["create_database", "create_table"] + ["create_named_query"] * 3


def test_as_asked_plans_nothing():
    assert plan_athena(params(), existing(), CONTEXT) == []


def test_an_update_keeps_the_properties_others_set_and_drops_stale_projection():
    current = existing(params(per_hour_partition=True))
    current["table"]["parameters"]["transient_lastDdlTime"] = "1700000000"
    plan = plan_athena(params(), current, CONTEXT)
    assert [s["action"] for s in plan] == ["update_table"]
    assert plan[0]["fields"] == ["partition_keys", "parameters"]
    updated = plan[0]["table"]["parameters"]
    assert updated["transient_lastDdlTime"] == "1700000000"
    assert not any(k.startswith("projection.hour") for k in updated)
    assert "EXTERNAL" in OWN_PARAMETERS


def test_a_new_account_or_region_updates_the_projection():
    plan = plan_athena(params(), existing(), dict(CONTEXT, regions=["eu-west-1", "us-east-1"]))
    assert [(s["action"], s["fields"]) for s in plan] == [("update_table", ["parameters"])]
    assert plan[0]["table"]["parameters"]["projection.aws_region.values"] == "eu-west-1,us-east-1"


def test_named_queries_follow_the_layout_and_copies_go():
    current = existing()
    current["named_queries"].append(dict(current["named_queries"][0], named_query_id="copy"))
    plan = plan_athena(params(hive_compatible_partitions=True), current, CONTEXT)
    assert [s["action"] for s in plan] == [
        "update_table",
        "update_named_query",
        "delete_named_query",
        "update_named_query",
        "update_named_query",
    ]
    # One of the two copies is kept (the first by id), the other deleted.
    assert (plan[1]["named_query_id"], plan[2]["named_query_id"]) == ("copy", "id-flow_logs-accepted-without-reply")


def test_named_queries_not_managed_are_left_alone():
    current = existing()
    current["named_queries"][0]["query_string"] = "SELECT 1"
    assert plan_athena(params(named_queries=False), current, CONTEXT) == []
    plan = plan_athena(params(state="absent", named_queries=False), current, None)
    assert [s["action"] for s in plan] == ["delete_table"]


def test_absent_deletes_the_table_and_the_named_queries_never_the_database():
    plan = plan_athena(params(state="absent"), existing(), None)
    assert [s["action"] for s in plan] == ["delete_table"] + ["delete_named_query"] * 3
    assert plan_athena(params(state="absent"), dict(database=None, table=None, named_queries=[]), None) == []


# ---------------------------------------------------------------- Stubber: what moto cannot do


def named_query(name, named_query_id, database="vpc_flow_logs", text=None, p=None):
    wanted = desired_named_queries(p or params())
    query = wanted.get(name) or dict(description="other", query_string="SELECT 1")
    return {
        "NamedQuery": {
            "Name": name,
            "Description": query["description"],
            "Database": database,
            "QueryString": text or query["query_string"],
            "NamedQueryId": named_query_id,
            "WorkGroup": "primary",
        }
    }


def read_glue(glue_stub, p):
    from ansible_collections.flowlogs.aws.plugins.module_utils._aws.glue import table_input

    table = wanted_table(p, dict(accounts=["123456789012"], regions=["eu-west-1"]))
    glue_stub.add_response("get_database", {"Database": {"Name": "vpc_flow_logs"}}, {"Name": "vpc_flow_logs"})
    answer = dict(table_input(table), DatabaseName="vpc_flow_logs")
    glue_stub.add_response("get_table", {"Table": answer}, {"DatabaseName": "vpc_flow_logs", "Name": "flow_logs"})


def test_named_queries_are_updated_and_copies_deleted_with_athena_calls(stubbed):
    glue, glue_stub = stubbed("glue")
    athena, athena_stub = stubbed("athena")
    p = params(hive_compatible_partitions=True)
    old = params()  # the queries were made for AWS's layout
    read_glue(glue_stub, p)
    ids = ["a", "r", "r2", "t", "other", "elsewhere"]
    athena_stub.add_response("list_named_queries", {"NamedQueryIds": ids}, {"WorkGroup": "primary"})
    answers = [
        named_query("flow_logs-accepted-without-reply", "a", p=old),
        named_query("flow_logs-rejected-by-source-destination-port", "r", p=old),
        named_query("flow_logs-rejected-by-source-destination-port", "r2", p=old),
        named_query("flow_logs-top-talkers-by-bytes", "t", p=p),  # already right
        named_query("someone-elses-query", "other"),
        named_query("flow_logs-top-talkers-by-bytes", "elsewhere", database="another_db"),
    ]
    for query_id, answer in zip(ids, answers):
        athena_stub.add_response("get_named_query", answer, {"NamedQueryId": query_id})
    wanted = desired_named_queries(p)
    for query_id, name in (
        ("a", "flow_logs-accepted-without-reply"),
        ("r", "flow_logs-rejected-by-source-destination-port"),
    ):
        athena_stub.add_response(
            "update_named_query",
            {},
            {
                "NamedQueryId": query_id,
                "Name": name,
                "Description": wanted[name]["description"],
                "QueryString": wanted[name]["query_string"],
            },
        )
        if query_id == "r":
            athena_stub.add_response("delete_named_query", {}, {"NamedQueryId": "r2"})

    clients = Clients(glue=glue, athena=athena)
    result = converge_flow_log_athena(clients, dict(p, source_accounts=None), read_after=False)

    assert result["actions"] == ["update_named_query", "update_named_query", "delete_named_query"]
    assert [q["named_query_id"] for q in result["named_queries"]] == ["a", "r", "t"]
    assert all("year = date_format" in q["query_string"] for q in result["named_queries"])


def test_absent_deletes_the_table_and_the_named_queries(stubbed):
    glue, glue_stub = stubbed("glue")
    athena, athena_stub = stubbed("athena")
    read_glue(glue_stub, params())
    athena_stub.add_response("list_named_queries", {"NamedQueryIds": ["t"]}, {"WorkGroup": "primary"})
    athena_stub.add_response(
        "get_named_query", named_query("flow_logs-top-talkers-by-bytes", "t"), {"NamedQueryId": "t"}
    )
    glue_stub.add_response("delete_table", {}, {"DatabaseName": "vpc_flow_logs", "Name": "flow_logs"})
    athena_stub.add_client_error("delete_named_query", "InvalidRequestException", expected_params={"NamedQueryId": "t"})

    result = converge_flow_log_athena(
        Clients(glue=glue, athena=athena), dict(table="flow_logs", state="absent"), read_after=False
    )

    assert result["actions"] == ["delete_table", "delete_named_query"]  # a query already gone counts as deleted
    assert result["table"] is None and result["named_queries"] == []
    assert result["database"]["name"] == "vpc_flow_logs"


def test_the_accounts_default_to_the_credentials_and_the_region_to_the_clients(stubbed):
    glue, glue_stub = stubbed("glue")
    athena, _athena_stub = stubbed("athena")
    glue_stub.add_client_error("get_database", "EntityNotFoundException", expected_params={"Name": "vpc_flow_logs"})
    glue_stub.add_client_error(
        "get_table", "EntityNotFoundException", expected_params={"DatabaseName": "vpc_flow_logs", "Name": "flow_logs"}
    )

    result = converge_flow_log_athena(Clients(glue=glue, athena=athena), params(named_queries=False), check_mode=True)

    assert result["actions"] == ["create_database", "create_table"]
    assert result["table"]["parameters"]["projection.aws_account_id.values"] == "123456789012"
    assert result["table"]["parameters"]["projection.aws_region.values"] == "eu-west-1"


def test_invalid_input_is_refused_before_any_call():
    clients = Clients()
    with pytest.raises(ParameterError):
        converge_flow_log_athena(clients, params(bucket_arn="central-flow-logs"))
    assert clients.requested == []
