"""The flowlogs.aws.sqs_events event source without a network: its checks as tables of cases, and its poll loop
on a real boto3 SQS client answered by botocore's Stubber (the requests are checked against the SQS model)."""

from __future__ import annotations

import asyncio
import json
import logging
import runpy

import boto3
import pytest
from botocore.stub import Stubber

from tests.support.paths import REPO

# ansible-rulebook loads the plugin with runpy, not as a package: so do the tests.
SOURCE = runpy.run_path(str(REPO / "extensions" / "eda" / "plugins" / "event_source" / "sqs_events.py"))
QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/flowlogs-events"
EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "AWS API Call via CloudTrail",
    "source": "aws.ec2",
    "account": "210987654321",
    "time": "2026-12-01T12:00:00Z",
    "region": "eu-west-1",
    "resources": [],
    "detail": {"eventSource": "ec2.amazonaws.com", "eventName": "CreateVpc"},
}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (json.dumps(EVENT), None),
        ("not JSON {", "not JSON"),
        (None, "not JSON"),
        (json.dumps([EVENT]), "JSON list instead of an EventBridge event"),
        (json.dumps({"Type": "Notification", "Message": "{}"}), "no detail-type, source, account, region, detail"),
        (json.dumps({k: v for k, v in EVENT.items() if k != "account"}), "(no account)"),
        (json.dumps(dict(EVENT, detail="CreateVpc")), "detail is not an object"),
    ],
)
def test_parse_event(body, problem):
    event, why = SOURCE["parse_event"](body)
    if problem is None:
        assert (event, why) == (EVENT, None)
    else:
        assert event is None and problem in why


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"queue_url": QUEUE_URL}, dict(queue_url=QUEUE_URL, region="eu-west-1", endpoint_url=None, delay=20)),
        (
            {"queue_url": QUEUE_URL, "region": "us-east-1", "endpoint_url": "http://127.0.0.1:5000", "delay": "0"},
            dict(queue_url=QUEUE_URL, region="us-east-1", endpoint_url="http://127.0.0.1:5000", delay=0),
        ),
        # The rulebook passes '' for variables it was not given.
        (
            {"queue_url": "http://127.0.0.1:5000/123456789012/q", "region": "", "endpoint_url": ""},
            dict(queue_url="http://127.0.0.1:5000/123456789012/q", region=None, endpoint_url=None, delay=20),
        ),
        ({}, "queue_url is required"),
        ({"queue_url": QUEUE_URL, "delay": 21}, "delay must be 0-20 seconds"),
        ({"queue_url": QUEUE_URL, "delay": "soon"}, "delay must be a number of seconds"),
    ],
)
def test_settings(args, expected):
    if isinstance(expected, str):
        with pytest.raises(ValueError, match=expected):
            SOURCE["settings"](args)
    else:
        assert SOURCE["settings"](args) == expected


def message(number, body):
    return {"MessageId": "m{}".format(number), "ReceiptHandle": "r{}".format(number), "Body": body}


def test_every_message_is_put_then_deleted_and_bad_ones_only_deleted(monkeypatch, caplog):
    client = boto3.client("sqs", region_name="eu-west-1", aws_access_key_id="t", aws_secret_access_key="t")
    stubber = Stubber(client)
    receive = {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 5}
    batch = [message(1, "not JSON {"), message(2, json.dumps(EVENT)), message(3, json.dumps({"hello": 1}))]
    stubber.add_response("receive_message", {"Messages": batch}, receive)
    for number in (1, 2, 3):
        stubber.add_response("delete_message", {}, {"QueueUrl": QUEUE_URL, "ReceiptHandle": "r{}".format(number)})
    # A throttled poll is retried, then the queue is gone: the source stops.
    stubber.add_client_error("receive_message", "ThrottlingException", expected_params=receive)
    stubber.add_client_error("receive_message", "AWS.SimpleQueueService.NonExistentQueue", expected_params=receive)
    monkeypatch.setitem(SOURCE["main"].__globals__, "sqs_client", lambda config: client)
    monkeypatch.setitem(SOURCE["main"].__globals__, "RETRY_SECONDS", (0,))
    queue = asyncio.Queue()
    caplog.set_level(logging.INFO, logger="flowlogs.aws.sqs_events")

    async def go():
        with stubber:
            await SOURCE["main"](queue, {"queue_url": QUEUE_URL, "delay": 5})

    with pytest.raises(client.exceptions.ClientError, match="NonExistentQueue"):
        asyncio.run(go())
    stubber.assert_no_pending_responses()
    assert queue.qsize() == 1 and queue.get_nowait() == EVENT
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings[0].startswith("SQS message m1 ignored and deleted: not JSON")
    assert warnings[1].startswith("SQS message m3 ignored and deleted: not an EventBridge event")
    assert "ReceiveMessage failed (1 in a row), again in 0 s" in warnings[2]
