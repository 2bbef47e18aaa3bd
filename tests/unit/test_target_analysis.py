"""The role's analysis phase (flow_logs_insights_queries, flow_logs_contributor_insights, flow_logs_athena).

moto has no saved Logs Insights queries (no PutQueryDefinition, DescribeQueryDefinitions or DeleteQueryDefinition),
so the role's default - saved queries on every CloudWatch Logs destination - is tested here through the target's
converge on real boto3 clients answered by botocore's Stubber, asserting the exact requests. Contributor Insights and
Athena run end to end against moto server in tests/integration/test_role_analysis.py.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._analysis.insights_definitions import (
    query_names,
    query_string,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.record_format import record_fields
from ansible_collections.flowlogs.aws.plugins.module_utils._role import analysis as ra
from ansible_collections.flowlogs.aws.plugins.module_utils._role import variables as rv
from ansible_collections.flowlogs.aws.plugins.module_utils._role.target import TargetRun, problems_result, run_task
from tests.unit.conftest import StubbedClients
from tests.unit.test_role_variables import GOOD, problems_of, target_of

GROUP = "vpc-flow-logs"
QUESTIONS = ["accepted-without-reply", "rejected-by-source-destination-port", "top-talkers-by-bytes"]
NO_INTERFACE = "${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${action}"


class TargetClients(StubbedClients):
    region = "eu-west-1"

    def __init__(self, **clients):
        super().__init__(**clients)
        self.stats = dict(calls=0, retries=0)

    def target(self, lookup=False):
        return dict(account="123456789012", region=self.region)

    def locate(self, exc):
        return exc.locate(**self.target())

    def known_identity(self):
        return self.identity()


def monitor(clients, variables, check_mode=False, diff=False):
    """The role's monitor task (alarms off: the analysis phase only) on the stubbed clients: no discovery, delivery
    or flow-log call is queued."""
    target, converted, problems, _warnings = rv.read_target(variables)
    if problems:
        return problems_result("t", problems, converted)
    return run_task("monitor", TargetRun(clients, target, "t", check_mode, diff))[0]


def variables(**changes):
    converted, problems, _warnings = rv.check_variables(dict(GOOD, **changes))
    assert problems == []
    return converted


def names(prefix="flowlogs"):
    return query_names(dict(log_group_name=GROUP, name_prefix=prefix))


def describe(stubber, found=()):
    stubber.add_response(
        "describe_query_definitions",
        {"queryDefinitions": list(found)},
        {"queryDefinitionNamePrefix": "flowlogs/{}/".format(GROUP), "maxResults": 1000},
    )


def saved(question, definition_id):
    return {
        "queryDefinitionId": definition_id,
        "name": names()[question],
        "queryString": query_string(question, record_fields(None)),
        "logGroupNames": [GROUP],
    }


def test_by_default_the_target_saves_the_three_queries_for_its_format(stubbed):
    logs, stubber = stubbed("logs")
    describe(stubber)
    for i, question in enumerate(QUESTIONS):
        stubber.add_response(
            "put_query_definition",
            {"queryDefinitionId": "id-{}".format(i)},
            {
                "name": names()[question],
                "queryString": query_string(question, record_fields(None)),
                "logGroupNames": [GROUP],
            },
        )

    result = monitor(TargetClients(logs=logs), variables(), diff=True)

    assert not result.get("failed"), result.get("msg")
    assert result["status"] == "changed"
    analysis = result["delivery"]["analysis"]
    assert sorted(analysis["saved_queries"]) == sorted(names().values())
    assert analysis["insight_rules"] == [] and analysis["athena_tables"] == []
    assert "analysis set up" in result["delivery"]["notes"]
    assert [d["before_header"] for d in result["diff"]] == ["analysis: log group " + GROUP]


def test_as_saved_the_rerun_reads_once_and_changes_nothing(stubbed):
    logs, stubber = stubbed("logs")
    describe(stubber, [saved(q, "id-{}".format(i)) for i, q in enumerate(QUESTIONS)])

    result = monitor(TargetClients(logs=logs), variables())

    assert (result["status"], result["changed"]) == ("unchanged", False)
    assert result["delivery"]["analysis"]["actions"] == []


def test_check_mode_reads_and_predicts_without_saving(stubbed):
    logs, stubber = stubbed("logs")
    describe(stubber)  # nothing else queued: a PutQueryDefinition would fail the test

    result = monitor(TargetClients(logs=logs), variables(), check_mode=True)

    assert result["changed"] is True
    assert result["delivery"]["analysis"]["actions"] == ["create_query_definition"] * 3


def test_a_format_without_the_fields_is_skipped_by_default_with_a_warning_and_no_call(stubbed):
    logs, _stubber = stubbed("logs")  # nothing queued: any call fails the test

    result = monitor(TargetClients(logs=logs), variables(flow_logs_log_format=NO_INTERFACE))

    assert not result.get("failed"), result.get("msg")
    (warning,) = result["warnings"]
    assert warning.startswith("flow_logs_insights_queries: no saved queries on log group vpc-flow-logs - ")
    assert "${interface-id}" in warning and "flow_logs_log_format" in warning
    assert "analysis" not in result["delivery"]


def test_asked_for_explicitly_a_format_without_the_fields_fails_before_any_call(stubbed):
    logs, _stubber = stubbed("logs")

    raw = dict(GOOD, flow_logs_log_format=NO_INTERFACE, flow_logs_insights_queries=True)
    problems = problems_of(raw)

    assert len(problems) == 1
    assert problems[0].startswith("flow_logs_log_format: ") and "${interface-id}" in problems[0]
    result = monitor(TargetClients(logs=logs), raw)
    assert (result["failed"], result["failed_phase"]) == (True, "preflight")


def test_false_saves_and_reads_nothing(stubbed):
    logs, _stubber = stubbed("logs")

    result = monitor(TargetClients(logs=logs), variables(flow_logs_insights_queries=False))

    assert result["status"] == "unchanged" and "analysis" not in result["delivery"]


def test_deleting_the_log_group_deletes_its_saved_queries(stubbed):
    logs, stubber = stubbed("logs")
    describe(stubber, [saved(q, "id-{}".format(i)) for i, q in enumerate(QUESTIONS)])
    for i in range(3):
        stubber.add_response("delete_query_definition", {"success": True}, {"queryDefinitionId": "id-{}".format(i)})
    v = variables(flow_logs_state="absent", flow_logs_delete_log_group=True)

    result = monitor(TargetClients(logs=logs), v)

    assert result["delivery"]["analysis"]["actions"] == ["delete_query_definition"] * 3


def test_disabling_without_deleting_the_group_leaves_the_queries(stubbed):
    logs, _stubber = stubbed("logs")

    result = monitor(TargetClients(logs=logs), variables(flow_logs_state="absent"))

    assert "analysis" not in result["delivery"]


# ---------------------------------------------------------------- pure: the steps the variables make


TWO_BUCKETS = [
    {"type": "cloud-watch-logs", "traffic_type": "REJECT", "log_group_name": "rejects"},
    {
        "type": "s3",
        "bucket_arn": "arn:aws:s3:::central-archive/flows",
        "file_format": "parquet",
        "hive_compatible_partitions": True,
        "per_hour_partition": True,
    },
    {"type": "s3", "bucket_arn": "arn:aws:s3:::second-archive"},
]


def test_athena_gets_one_table_per_s3_destination_with_its_layout():
    target = target_of(dict(GOOD, flow_logs_destinations=TWO_BUCKETS, flow_logs_athena=True))

    steps = ra.athena_steps(target)

    assert [
        (
            s.key,
            s.options["table"],
            s.options["file_format"],
            s.options["hive_compatible_partitions"],
            s.options["per_hour_partition"],
        )
        for s in steps
    ] == [
        ("athena", "flow_logs", "parquet", True, True),
        ("athena:s3:second-archive", "flow_logs_2", "plain-text", False, False),
    ]
    assert steps[0].options["bucket_arn"] == "arn:aws:s3:::central-archive/flows"
    assert steps[1].variable_of("table") == "flow_logs_athena_table"
    assert steps[1].variable_of("bucket_arn") == "flow_logs_destinations[3].bucket_arn"


def test_athena_without_an_s3_destination_is_refused_naming_the_variable():
    problems = problems_of(dict(GOOD, flow_logs_athena=True))

    assert problems == ["flow_logs_athena: Athena reads flow logs in S3, and this target has no s3 destination"]


def test_athena_names_are_checked_as_the_role_variables():
    raw = dict(GOOD, flow_logs_destinations=TWO_BUCKETS, flow_logs_athena=True, flow_logs_athena_table="Bad-Name")
    problems = problems_of(raw)

    assert problems and all(p.startswith("flow_logs_athena_table: ") for p in problems)


def test_contributor_insights_on_every_cloudwatch_destination_named_by_the_group():
    target = target_of(dict(GOOD, flow_logs_destinations=TWO_BUCKETS, flow_logs_contributor_insights=True))

    (step,) = ra.insights_steps(target)[0]
    key, options, header = step.key, step.options, step.header

    assert (key, options["log_group_name"], options["contributor_insights"], options["queries"]) == (
        "insights",
        "rejects",
        True,
        True,
    )
    assert header == "analysis: log group rejects"
    assert options["tags"]["managed-by"] == "flowlogs.aws"


def _refused(stubber):
    stubber.add_client_error(
        "describe_query_definitions",
        service_error_code="AccessDeniedException",
        service_message="User: arn:aws:sts::123456789012:assumed-role/ops/x is not authorized to perform: logs:"
        "DescribeQueryDefinitions because no identity-based policy allows the logs:DescribeQueryDefinitions action",
        http_status_code=400,
    )


def test_by_default_refused_saved_queries_are_a_warning_with_the_cause_not_a_failed_target(stubbed):
    logs, stubber = stubbed("logs")
    _refused(stubber)  # 1.0.0's operator policy: nothing after the refused read is called

    result = monitor(TargetClients(logs=logs), variables())

    assert not result.get("failed"), result.get("msg")
    (unavailable,) = result["delivery"]["analysis"]["unavailable"]
    assert (unavailable["operation"], unavailable["code"]) == ("logs:DescribeQueryDefinitions", "AccessDeniedException")
    assert unavailable["fix"] == ra.UNAVAILABLE_FIX
    assert (
        "saved queries not set up (logs:DescribeQueryDefinitions: AccessDeniedException)" in result["delivery"]["notes"]
    )
    (warning,) = result["warnings"]
    assert warning.startswith("flow_logs_insights_queries: no saved queries on log group vpc-flow-logs - ")
    assert warning.endswith(ra.UNAVAILABLE_FIX)


def test_asked_for_explicitly_refused_saved_queries_fail_the_target_in_the_analysis_phase(stubbed):
    logs, stubber = stubbed("logs")
    _refused(stubber)

    result = monitor(TargetClients(logs=logs), variables(flow_logs_insights_queries=True))

    assert (result["failed"], result["failed_phase"]) == (True, "analysis")
    assert "logs:DescribeQueryDefinitions" in result["msg"] and "AccessDeniedException" in result["msg"]
