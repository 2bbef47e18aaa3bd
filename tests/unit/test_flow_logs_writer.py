"""FlowLogWriter against a real boto3 EC2 client whose answers come from botocore's Stubber.

moto cannot produce "Unable to assume given IAM role" (it never checks the delivery role), nor
answer CreateFlowLogs with a per-resource ``Unsuccessful`` item for it, so these cases script EC2's
answers with a Stubber: the requests are checked against the EC2 model and against the expected
parameters, and nothing reaches the network. Sleeping and time come from a fake clock.
"""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import ANY

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.converge import (
    FlowLogWriter,
    apply_flow_log_plan,
    converge_flow_logs,
    desired_spec,
    plan_flow_logs,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.writer import (
    ROLE_CHECK_ENV,
    ROLE_NOT_READY,
    ROLE_WAIT_ENV,
    ROLE_WAIT_SECONDS,
    create_request,
)
from tests.unit.conftest import ACCOUNT, FAKE_CREDENTIALS, REGION, StubbedClients

ROLE = "arn:aws:iam::{}:role/vpc-flow-logs-delivery".format(ACCOUNT)
GROUP = "vpc-flow-logs"
VPC_A, VPC_B, VPC_C, VPC_D = "vpc-0000000a", "vpc-0000000b", "vpc-0000000c", "vpc-0000000d"
SPEC = desired_spec(dict(resource_ids=[VPC_A], log_group_name=GROUP, deliver_logs_role_arn=ROLE))
REQUEST = create_request(SPEC)
ROLE_MESSAGE = "{}: {}".format(ROLE_NOT_READY, ROLE)


def create_params(rids, tags=None):
    params = dict(REQUEST, ResourceIds=list(rids), ClientToken=ANY)
    if tags:
        params["TagSpecifications"] = [
            {"ResourceType": "vpc-flow-log", "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}
        ]
    return params


def created(stubber, rids, unsuccessful=(), tags=None):
    failed = {u["ResourceId"] for u in unsuccessful}
    stubber.add_response(
        "create_flow_logs",
        {"FlowLogIds": ["fl-" + r[4:] for r in rids if r not in failed], "Unsuccessful": list(unsuccessful)},
        create_params(rids, tags),
    )


def create_fails(stubber, rids, code, message):
    stubber.add_client_error(
        "create_flow_logs",
        service_error_code=code,
        service_message=message,
        http_status_code=400,
        expected_params=create_params(rids),
    )


def described(stubber, rids, flow_logs=()):
    stubber.add_response(
        "describe_flow_logs",
        {"FlowLogs": list(flow_logs)},
        {"Filters": [{"Name": "resource-id", "Values": sorted(set(rids))}], "MaxResults": 1000},
    )


def aws_flow_log(flow_log_id, rid, traffic_type="ALL"):
    """A flow log as DescribeFlowLogs returns it."""
    return {
        "FlowLogId": flow_log_id,
        "ResourceId": rid,
        "TrafficType": traffic_type,
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": GROUP,
        "DeliverLogsPermissionArn": ROLE,
        "MaxAggregationInterval": 600,
        "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
        "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
        "FlowLogStatus": "ACTIVE",
        "DeliverLogsStatus": "SUCCESS",
        "CreationTime": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
        "Tags": [],
    }


def unsuccessful(rid, code, message):
    return {"ResourceId": rid, "Error": {"Code": code, "Message": message}}


@pytest.fixture
def ec2(stubbed):
    return stubbed("ec2")


@pytest.fixture
def writer_for(fake_clock):
    def make(client, tags=None, role_wait=ROLE_WAIT_SECONDS):
        return FlowLogWriter(client, SPEC, tags, sleep=fake_clock.sleep, clock=fake_clock.clock, role_wait=role_wait)

    return make


# ---------------------------------------------------------------- the delivery role is not assumable yet


def test_the_wait_for_a_new_role_is_120_s_unless_the_test_suite_shortens_it(monkeypatch):
    monkeypatch.delenv(ROLE_WAIT_ENV, raising=False)
    assert FlowLogWriter(None, SPEC, None).role_wait == ROLE_WAIT_SECONDS == 120
    monkeypatch.setenv(ROLE_WAIT_ENV, "5")  # tests/integration/test_guardrails.py
    assert FlowLogWriter(None, SPEC, None).role_wait == 5
    assert FlowLogWriter(None, SPEC, None, role_wait=30).role_wait == 30


def test_role_not_ready_twice_then_created(ec2, writer_for, fake_clock):
    client, stubber = ec2
    create_fails(stubber, [VPC_A], "InvalidParameter", ROLE_MESSAGE)
    create_fails(stubber, [VPC_A], "InvalidParameter", ROLE_MESSAGE)
    created(stubber, [VPC_A])
    writer = writer_for(client)

    refused = writer.create([VPC_A])

    assert refused == set()
    assert writer.failures == {}
    assert writer.role_retries == 2
    assert len(fake_clock.sleeps) == 2
    assert fake_clock.sleeps[0] < fake_clock.sleeps[1]


def test_role_never_ready_gives_up_after_role_wait_and_records_the_error(ec2, writer_for, fake_clock):
    """With the fake clock, each retry sleeps 2, 4, 8, 16 then 20 s; at 130 s the 120 s wait is over."""
    client, stubber = ec2
    for _attempt in range(10):
        create_fails(stubber, [VPC_A], "InvalidParameter", ROLE_MESSAGE)
    writer = writer_for(client)

    writer.create([VPC_A])

    assert fake_clock.sleeps == [2, 4, 8, 16, 20, 20, 20, 20, 20]
    assert ROLE_WAIT_SECONDS <= fake_clock.now <= ROLE_WAIT_SECONDS + 20
    assert writer.role_retries == 9
    assert writer.failures == {
        VPC_A: dict(
            resource_id=VPC_A, code="InvalidParameter", message="{} ({})".format(ROLE_MESSAGE, writer.role_wait_note())
        ),
    }
    assert writer.failures[VPC_A]["message"].startswith(ROLE_MESSAGE + " (waited 130 s (9 retries)")


def test_role_check_after_30_s_of_waiting_passes_the_role_it_returns(ec2, writer_for, fake_clock, monkeypatch):
    """A target that left the role to its account's owner: after 30 s of refusals (2+4+8+16) the writer asks once
    for the role (the target converges it), then passes that ARN - path included - from the next call on."""
    monkeypatch.delenv(ROLE_CHECK_ENV, raising=False)
    client, stubber = ec2
    for _attempt in range(4):
        create_fails(stubber, [VPC_A], "InvalidParameter", ROLE_MESSAGE)
    real = "arn:aws:iam::{}:role/service-role/vpc-flow-logs-delivery".format(ACCOUNT)
    stubber.add_response(
        "create_flow_logs",
        {"FlowLogIds": ["fl-0000000a"], "Unsuccessful": []},
        dict(create_params([VPC_A]), DeliverLogsPermissionArn=real),
    )
    asked = []
    writer = writer_for(client)
    writer.role_check = lambda: asked.append(fake_clock.now) or real

    assert writer.create([VPC_A]) == set()
    assert asked == [30] and fake_clock.sleeps == [2, 4, 8, 16]
    assert writer.failures == {} and writer.created == {VPC_A: "fl-0000000a"}
    stubber.assert_no_pending_responses()


def test_role_not_ready_for_one_resource_retries_that_resource_only(ec2, writer_for, fake_clock):
    client, stubber = ec2
    created(stubber, [VPC_A, VPC_B, VPC_C], [unsuccessful(VPC_B, "InvalidParameter", ROLE_MESSAGE)])
    created(stubber, [VPC_B])  # the retry names VPC_B alone
    writer = writer_for(client)

    refused = writer.create([VPC_A, VPC_B, VPC_C])

    assert refused == set()
    assert writer.failures == {}
    assert writer.role_retries == 1
    assert fake_clock.sleeps == [2]


def test_role_not_ready_for_one_resource_until_the_deadline(ec2, writer_for, fake_clock):
    client, stubber = ec2
    created(stubber, [VPC_A, VPC_B], [unsuccessful(VPC_B, "InvalidParameter", ROLE_MESSAGE)])
    created(stubber, [VPC_B], [unsuccessful(VPC_B, "InvalidParameter", ROLE_MESSAGE)])
    created(stubber, [VPC_B], [unsuccessful(VPC_B, "InvalidParameter", ROLE_MESSAGE)])
    writer = writer_for(client, role_wait=5)  # sleeps 2 then 4: past 5 s

    writer.create([VPC_A, VPC_B])

    assert fake_clock.sleeps == [2, 4]
    assert list(writer.failures) == [VPC_B]
    assert writer.role_wait_seconds == 6
    message = writer.failures[VPC_B]["message"]
    assert message.startswith(ROLE_MESSAGE + " (waited 6 s (2 retries) for VPC Flow Logs to be able to assume")
    assert "its trust policy does not let vpc-flow-logs.amazonaws.com assume it" in message


def test_already_exists_next_to_role_not_ready_is_refused_not_failed(ec2, writer_for):
    """An "already exists" answer means refused (the caller replaces delete-first), also when another
    resource in the same call waits for the role."""
    client, stubber = ec2
    created(
        stubber,
        [VPC_A, VPC_B],
        [
            unsuccessful(VPC_A, "FlowLogAlreadyExists", "A flow log with the same destination already exists"),
            unsuccessful(VPC_B, "InvalidParameter", ROLE_MESSAGE),
        ],
    )
    created(stubber, [VPC_B])
    described(stubber, [VPC_A], [aws_flow_log("fl-old", VPC_A, traffic_type="REJECT")])
    writer = writer_for(client)

    refused = writer.create([VPC_A, VPC_B])

    assert refused == {VPC_A}
    assert writer.failures == {}


class ForeverEc2:
    """EC2 answers from a botocore ``before-call`` hook (the mechanism Stubber itself uses), for cases
    that need the same answer an unbounded number of times."""

    def __init__(self, client, create_error):
        self.create_error = create_error
        self.calls = []
        client.meta.events.register("before-call.ec2.*", self)

    def __call__(self, model, params, **kwargs):
        self.calls.append((model.name, params))
        if model.name == "CreateFlowLogs":
            code, message = self.create_error
            return AWSResponse(None, 400, {}, None), {
                "Error": {"Code": code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            }
        if model.name == "DescribeFlowLogs":
            return AWSResponse(None, 200, {}, None), {"FlowLogs": [], "ResponseMetadata": {"HTTPStatusCode": 200}}
        raise AssertionError("unexpected call " + model.name)


def test_role_never_ready_for_many_resources_still_gives_up_after_role_wait(fake_clock):
    """The role is the same for every resource: waiting longer than role_wait in total helps none."""
    client = boto3.client("ec2", region_name=REGION, **FAKE_CREDENTIALS)
    ForeverEc2(client, ("InvalidParameter", ROLE_MESSAGE))
    writer = FlowLogWriter(client, SPEC, None, sleep=fake_clock.sleep, clock=fake_clock.clock)

    writer.create([VPC_A, VPC_B, VPC_C, VPC_D])

    assert sorted(writer.failures) == [VPC_A, VPC_B, VPC_C, VPC_D]
    assert all(f["message"].startswith(ROLE_MESSAGE + " (waited ") for f in writer.failures.values())
    assert fake_clock.now <= ROLE_WAIT_SECONDS + 20, "waited {} s in all".format(fake_clock.now)


# ---------------------------------------------------------------- other answers of CreateFlowLogs


def test_an_unnamed_bad_id_is_found_by_splitting(ec2, writer_for, fake_clock):
    client, stubber = ec2
    create_fails(stubber, [VPC_A, VPC_B], "InvalidVpcID.NotFound", "The vpc ID does not exist")
    created(stubber, [VPC_A])
    create_fails(stubber, [VPC_B], "InvalidVpcID.NotFound", "The vpc ID does not exist")
    writer = writer_for(client)

    writer.create([VPC_A, VPC_B])

    assert list(writer.failures) == [VPC_B]
    assert writer.failures[VPC_B]["code"] == "InvalidVpcID.NotFound"
    assert writer.role_retries == 0
    assert fake_clock.sleeps == []


MANY = ["vpc-{:08x}".format(i) for i in range(60)]


def test_a_request_refused_as_a_whole_costs_one_call_and_is_one_error(ec2, writer_for):
    """A bad LogFormat, DestinationOptions or cross-account role concerns every resource: no splitting, one
    call, one message - not 119 CreateFlowLogs and 120 DescribeFlowLogs with the same message per VPC."""
    client, stubber = ec2
    create_fails(stubber, MANY, "InvalidParameter", "Unknown fields provided: no-such-field")
    writer = writer_for(client)

    with pytest.raises(AwsError) as caught:
        writer.create(MANY)

    assert (caught.value.code, caught.value.operation) == ("InvalidParameter", "ec2:CreateFlowLogs")
    assert writer.failures == {}
    stubber.assert_no_pending_responses()


def test_a_bad_id_named_by_aws_is_taken_out_in_one_more_call(ec2, writer_for):
    client, stubber = ec2
    bad = MANY[17]
    create_fails(stubber, MANY, "InvalidVpcID.NotFound", "The vpc ID '{}' does not exist".format(bad))
    created(stubber, [r for r in MANY if r != bad])
    writer = writer_for(client)

    writer.create(MANY)

    assert list(writer.failures) == [bad]
    assert writer.failures[bad]["code"] == "InvalidVpcID.NotFound"


def test_already_exists_for_the_whole_call_retries_the_free_resources(ec2, writer_for):
    """moto's behaviour: the call fails as a whole, some flow logs may already be created."""
    client, stubber = ec2
    create_fails(stubber, [VPC_A, VPC_B], "FlowLogAlreadyExists", "already exists")
    described(stubber, [VPC_A, VPC_B], [aws_flow_log("fl-a", VPC_A)])
    created(stubber, [VPC_B])
    writer = writer_for(client)

    refused = writer.create([VPC_A, VPC_B])

    assert refused == set()
    assert writer.failures == {}


def test_already_exists_in_unsuccessful_is_refused(ec2, writer_for):
    client, stubber = ec2
    created(stubber, [VPC_A, VPC_B], [unsuccessful(VPC_A, "FlowLogAlreadyExists", "already exists")])
    described(stubber, [VPC_A], [aws_flow_log("fl-old", VPC_A, traffic_type="REJECT")])
    writer = writer_for(client)

    assert writer.create([VPC_A, VPC_B]) == {VPC_A}
    assert writer.failures == {}


def test_already_exists_because_another_run_just_made_it_is_done_not_failed(ec2, writer_for):
    """Real AWS answers a second run creating the same flow log at the same moment with a per-resource
    "already exists": the desired flow log is there, so the resource is converged, not failed."""
    client, stubber = ec2
    plan = plan_flow_logs(SPEC, [VPC_A, VPC_B], [])
    created(stubber, [VPC_A, VPC_B], [unsuccessful(VPC_A, "FlowLogAlreadyExists", "already exists")])
    described(stubber, [VPC_A], [aws_flow_log("fl-other-run", VPC_A)])
    writer = writer_for(client)

    apply_flow_log_plan(writer, plan)

    assert writer.failures == {}


def test_every_create_call_carries_its_own_idempotency_token(fake_clock):
    """botocore resends a call's parameters on every retry: with a ClientToken, a retry after a lost
    answer is answered with the first result instead of creating the flow logs again."""
    client = boto3.client("ec2", region_name=REGION, **FAKE_CREDENTIALS)
    tokens = []

    def answer(model, params, **_kwargs):
        tokens.append(params["body"].get("ClientToken"))  # the serialized request
        return AWSResponse(None, 200, {}, None), {"FlowLogIds": ["fl-1"], "Unsuccessful": []}

    client.meta.events.register("before-call.ec2.CreateFlowLogs", answer)
    writer = FlowLogWriter(client, SPEC, None, sleep=fake_clock.sleep, clock=fake_clock.clock)

    writer.create([VPC_A], {VPC_A: {"team": "a"}})
    writer.create([VPC_B, VPC_C], {VPC_B: {"team": "b"}, VPC_C: {"team": "c"}})

    assert len(tokens) == 3 and len(set(tokens)) == 3 and all(tokens), tokens


def test_per_resource_error_is_recorded(ec2, writer_for):
    client, stubber = ec2
    created(stubber, [VPC_A, VPC_B], [unsuccessful(VPC_B, "InvalidParameter", "Access Denied for LogDestination")])
    writer = writer_for(client)

    writer.create([VPC_A, VPC_B])

    assert writer.failures == {
        VPC_B: dict(resource_id=VPC_B, code="InvalidParameter", message="Access Denied for LogDestination")
    }


@pytest.mark.parametrize("code", ["UnauthorizedOperation", "RequestLimitExceeded", "InternalError"])
def test_call_level_errors_raise(ec2, writer_for, code):
    client, stubber = ec2
    create_fails(stubber, [VPC_A, VPC_B], code, "no")
    writer = writer_for(client)

    with pytest.raises(AwsError) as caught:
        writer.create([VPC_A, VPC_B])

    assert caught.value.code == code
    assert caught.value.operation == "ec2:CreateFlowLogs"


def test_tags_go_in_the_create_call(ec2, writer_for):
    client, stubber = ec2
    created(stubber, [VPC_A], tags={"team": "net", "env": "prod"})

    refused = writer_for(client, tags={"team": "net", "env": "prod"}).create([VPC_A])

    assert refused == set()
    stubber.assert_no_pending_responses()  # the one CreateFlowLogs, with the tags in it


def test_integer_tag_values_are_sent_as_strings(ec2):
    """Ansible's ``type: dict`` keeps YAML integers; EC2 tag values must be strings."""
    client, stubber = ec2
    created(stubber, [VPC_A], tags={"cost_center": "1234"})

    flow_log_ids, failed = ec2_api.create_flow_logs(client, REQUEST, [VPC_A], {"cost_center": 1234})

    assert (flow_log_ids, failed) == (["fl-0000000a"], [])


@pytest.mark.parametrize(
    ("resource_type", "prefix", "count", "sizes"),
    [("VPC", "vpc-", 301, [300, 1]), ("TransitGateway", "tgw-", 26, [25, 1])],
)
def test_create_is_chunked_per_resource_type(stubbed, fake_clock, resource_type, prefix, count, sizes):
    client, stubber = stubbed("ec2")
    rids = ["{}{:08x}".format(prefix, i) for i in range(count)]
    spec = desired_spec(
        dict(resource_type=resource_type, resource_ids=rids, log_group_name=GROUP, deliver_logs_role_arn=ROLE)
    )
    start = 0
    for size in sizes:
        stubber.add_response(
            "create_flow_logs",
            {"FlowLogIds": []},
            dict(create_request(spec), ResourceIds=rids[start : start + size], ClientToken=ANY),
        )
        start += size

    writer = FlowLogWriter(client, spec, None, sleep=fake_clock.sleep, clock=fake_clock.clock)
    refused = writer.create(rids)

    assert (refused, writer.failures) == (set(), {})
    stubber.assert_no_pending_responses()  # one call per chunk, of the sizes AWS allows for the type


# ---------------------------------------------------------------- delete, retag, apply order


def test_delete_ignores_flow_logs_already_gone_and_records_other_errors(ec2, writer_for):
    client, stubber = ec2
    stubber.add_response(
        "delete_flow_logs",
        {
            "Unsuccessful": [
                unsuccessful("fl-a", "InvalidFlowLogId.NotFound", "gone"),
                unsuccessful("fl-b", "UnauthorizedOperation", "no"),
            ]
        },
        {"FlowLogIds": ["fl-a", "fl-b"]},
    )
    writer = writer_for(client)

    writer.delete([dict(flow_log_id="fl-b", resource_id=VPC_B), dict(flow_log_id="fl-a", resource_id=VPC_A)])

    assert writer.failures == {
        VPC_B: dict(
            resource_id=VPC_B,
            code="UnauthorizedOperation",
            message="no (missing permission: ec2:DeleteFlowLogs; grant it to the operator (docs/operator-policy.json))",
        )
    }


def test_delete_when_every_id_is_gone(ec2, writer_for):
    client, stubber = ec2
    stubber.add_client_error("delete_flow_logs", "InvalidFlowLogId.NotFound", "gone", 400, {"FlowLogIds": ["fl-a"]})
    writer = writer_for(client)

    writer.delete([dict(flow_log_id="fl-a", resource_id=VPC_A)])

    assert writer.failures == {}


def test_retag_groups_identical_changes_in_one_call(ec2, writer_for):
    client, stubber = ec2
    steps = [
        dict(keep=dict(flow_log_id="fl-a"), tags_set={"t": "1"}, tags_remove=["old"]),
        dict(keep=dict(flow_log_id="fl-b"), tags_set={"t": "1"}, tags_remove=[]),
        dict(keep=dict(flow_log_id="fl-c"), tags_set={}, tags_remove=["old"]),
    ]
    stubber.add_response("delete_tags", {}, {"Resources": ["fl-a", "fl-c"], "Tags": [{"Key": "old"}]})
    stubber.add_response("create_tags", {}, {"Resources": ["fl-a", "fl-b"], "Tags": [{"Key": "t", "Value": "1"}]})

    writer_for(client).retag(steps)

    stubber.assert_no_pending_responses()  # two calls for three flow logs: one per distinct change


def test_replace_creates_the_new_flow_log_before_deleting_the_old(ec2, writer_for):
    client, stubber = ec2
    old = dict(
        flow_log_id="fl-old",
        resource_id=VPC_A,
        traffic_type="REJECT",
        log_group_name=GROUP,
        log_destination_type="cloud-watch-logs",
        deliver_logs_role_arn=ROLE,
        max_aggregation_interval=600,
    )
    plan = plan_flow_logs(SPEC, [VPC_A], [old])
    assert [s["action"] for s in plan] == ["replace"]
    created(stubber, [VPC_A])
    stubber.add_response("delete_flow_logs", {"Unsuccessful": []}, {"FlowLogIds": ["fl-old"]})
    writer = writer_for(client)

    apply_flow_log_plan(writer, plan)

    assert writer.failures == {}


def test_replace_refused_by_aws_deletes_first_then_creates(ec2, writer_for):
    """Where AWS refuses a second flow log to one destination, the old one goes first."""
    client, stubber = ec2
    old = aws_flow_log("fl-old", VPC_A, traffic_type="REJECT")
    old_planned = dict(
        flow_log_id="fl-old",
        resource_id=VPC_A,
        traffic_type="REJECT",
        log_group_name=GROUP,
        log_destination_type="cloud-watch-logs",
        deliver_logs_role_arn=ROLE,
        max_aggregation_interval=600,
    )
    plan = plan_flow_logs(SPEC, [VPC_A], [old_planned])
    create_fails(stubber, [VPC_A], "FlowLogAlreadyExists", "already exists")
    described(stubber, [VPC_A], [old])
    stubber.add_response("delete_flow_logs", {"Unsuccessful": []}, {"FlowLogIds": ["fl-old"]})
    created(stubber, [VPC_A])
    writer = writer_for(client)

    apply_flow_log_plan(writer, plan)

    assert writer.failures == {}


# ---------------------------------------------------------------- an error midway (#19): what was done is reported


def converge_params():
    return dict(resource_ids=[VPC_A, VPC_B], log_group_name=GROUP, deliver_logs_role_arn=ROLE)


def expire(stubber, operation, expected_params):
    stubber.add_client_error(
        operation,
        service_error_code="ExpiredToken",
        service_message="The security token included in the request is expired",
        http_status_code=400,
        expected_params=expected_params,
    )


def by_rid(result):
    return {entry["resource_id"]: entry for entry in result["flow_logs"]}


def test_session_expiring_before_a_replacement_deletes_the_old_flow_log_reports_what_was_done(ec2, fake_clock):
    """VPC_A gets its flow log, VPC_B its new one; the session expires before the old one on VPC_B goes and the
    read-back fails too: the error carries the partial result, with the created ids from CreateFlowLogs' answer."""
    client, stubber = ec2
    described(stubber, [VPC_A, VPC_B], [aws_flow_log("fl-old", VPC_B, traffic_type="REJECT")])
    created(stubber, [VPC_A])
    created(stubber, [VPC_B])
    expire(stubber, "delete_flow_logs", {"FlowLogIds": ["fl-old"]})
    expire(
        stubber,
        "describe_flow_logs",
        {"Filters": [{"Name": "resource-id", "Values": [VPC_A, VPC_B]}], "MaxResults": 1000},
    )

    with pytest.raises(AwsError) as caught:
        converge_flow_logs(StubbedClients(ec2=client), converge_params(), sleep=fake_clock.sleep)

    assert caught.value.code == "ExpiredToken"
    entries = by_rid(caught.value.partial)
    assert entries[VPC_A]["action"] == "created"
    assert entries[VPC_A]["after"]["flow_log_id"] == "fl-0000000a"
    assert "error" not in entries[VPC_A]
    assert entries[VPC_B]["action"] == "replaced"
    assert entries[VPC_B]["after"]["flow_log_id"] == "fl-0000000b"
    assert entries[VPC_B]["error"]["code"] == "ExpiredToken"
    assert "still there: fl-old" in entries[VPC_B]["error"]["message"]
    assert caught.value.partial["changed"] is True


def test_an_error_on_the_second_create_call_fails_that_resource_and_reads_back_the_first(ec2, fake_clock):
    client, stubber = ec2
    described(stubber, [VPC_A, VPC_B], [aws_flow_log("fl-old", VPC_B, traffic_type="REJECT")])
    created(stubber, [VPC_A])
    expire(stubber, "create_flow_logs", create_params([VPC_B]))
    described(stubber, [VPC_A, VPC_B], [aws_flow_log("fl-new", VPC_A), aws_flow_log("fl-old", VPC_B, "REJECT")])

    with pytest.raises(AwsError) as caught:
        converge_flow_logs(StubbedClients(ec2=client), converge_params(), sleep=fake_clock.sleep)

    entries = by_rid(caught.value.partial)
    assert entries[VPC_A]["after"]["flow_log_id"] == "fl-new"  # read back from AWS
    assert entries[VPC_B]["action"] == "failed"
    assert "no flow log was created" in entries[VPC_B]["error"]["message"]
    assert [f["resource_id"] for f in caught.value.partial["failures"]] == [VPC_B]


def test_an_error_before_anything_was_done_is_raised_as_it_is(ec2, fake_clock):
    """The first CreateFlowLogs refused as a whole: no partial result, no read-back (nothing to read)."""
    client, stubber = ec2
    described(stubber, [VPC_A, VPC_B])
    expire(stubber, "create_flow_logs", create_params([VPC_A, VPC_B]))

    with pytest.raises(AwsError) as caught:
        converge_flow_logs(StubbedClients(ec2=client), converge_params(), sleep=fake_clock.sleep)

    assert getattr(caught.value, "partial", None) is None
    stubber.assert_no_pending_responses()


def test_a_quota_refusal_of_one_resource_names_the_quota(ec2, writer_for):
    """An Unsuccessful item gets the diagnosis a call-level error gets: AWS's words, then the cause and fix."""
    client, stubber = ec2
    limit = "You have reached the limit of flow logs for this resource"
    created(stubber, [VPC_A, VPC_B], [unsuccessful(VPC_B, "FlowLogsLimitExceeded", limit)])
    writer = writer_for(client)

    writer.create([VPC_A, VPC_B])

    message = writer.failures[VPC_B]["message"]
    assert message.startswith(limit + " (")
    assert "Flow logs per single network interface, subnet, or VPC in a Region" in message
