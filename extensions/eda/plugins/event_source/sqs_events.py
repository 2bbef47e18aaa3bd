# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""flowlogs.aws.sqs_events - an ansible-rulebook event source: AWS events (EventBridge -> SQS) as rulebook events.

ansible-rulebook loads this file on its own (runpy), so it imports nothing from the collection: boto3 only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re

import boto3
from botocore.exceptions import BotoCoreError, ClientError

DOCUMENTATION = r"""
---
short_description: AWS events from an SQS queue that an EventBridge rule feeds
description:
  - Long-polls an Amazon SQS queue that an EventBridge rule delivers events to (the way AWS recommends to bring
    events of many accounts to one place) and puts each event - the EventBridge event as JSON, with
    C(detail-type), C(source), C(account), C(region) and C(detail) - on the rulebook's queue, then deletes the
    message from SQS.
  - A message that is not an EventBridge event (not JSON, or JSON without those keys) is logged and deleted;
    it never stops the source.
  - Credentials come from boto3's chain (environment, C(AWS_PROFILE), web identity, instance or task role).
    They need C(sqs:ReceiveMessage) and C(sqs:DeleteMessage) on the queue (and C(kms:Decrypt) when the queue
    is encrypted with a customer managed key).
options:
  queue_url:
    description: URL of the queue (C(https://sqs.<region>.amazonaws.com/<account>/<name>)).
    type: str
    required: true
  region:
    description: Region of the queue. Default - the region in O(queue_url), else boto3's configured region.
    type: str
  endpoint_url:
    description: Send the SQS calls to this URL instead of the regional endpoint (a VPC endpoint, a test server).
    type: str
  delay:
    description:
      - Seconds each ReceiveMessage waits for a message (SQS long polling, 0 to 20). With 0 the source short-polls
        and sleeps a second after an empty answer.
    type: int
    default: 20
"""

EXAMPLES = r"""
- name: Flow logs for new VPCs
  hosts: all
  sources:
    - flowlogs.aws.sqs_events:
        queue_url: https://sqs.eu-west-1.amazonaws.com/123456789012/flowlogs-events
        delay: 20
  rules:
    - name: A VPC was created
      condition: event.detail.eventName == "CreateVpc"
      action:
        debug:
"""

LOG = logging.getLogger("flowlogs.aws.sqs_events")
#: The keys every EventBridge event has; a body without them is not one.
EVENT_KEYS = ("detail-type", "source", "account", "region", "detail")
#: sqs.<region>.amazonaws.com[.cn] in a queue URL.
QUEUE_URL_REGION = re.compile(r"^https?://sqs[.-]([a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+)\.amazonaws\.com")
MAX_WAIT_SECONDS = 20
#: How long to wait before polling again after a failed ReceiveMessage: doubles up to the last value.
RETRY_SECONDS = (1, 2, 5, 10, 30, 60)
#: Errors that no retry mends: the source stops, so the activation fails where someone sees it.
FATAL_CODES = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "InvalidAddress")


def parse_event(body):
    """The EventBridge event in a message body, or (None, why) when the body is not one."""
    try:
        event = json.loads(body)
    except (TypeError, ValueError) as exc:
        return None, "not JSON ({})".format(exc)
    if not isinstance(event, dict):
        return None, "JSON {} instead of an EventBridge event".format(type(event).__name__)
    missing = [k for k in EVENT_KEYS if k not in event]
    if missing:
        return None, "not an EventBridge event (no {})".format(", ".join(missing))
    if not isinstance(event["detail"], dict):
        return None, "not an EventBridge event (detail is not an object)"
    return event, None


def describe(event):
    """One line naming an event, for the log."""
    detail = event.get("detail") or {}
    return "{} {} {} in {} {}".format(
        event.get("id", "-"),
        event.get("detail-type"),
        detail.get("eventName", ""),
        event.get("account"),
        event.get("region"),
    ).replace("  ", " ")


def queue_region(queue_url):
    found = QUEUE_URL_REGION.match(queue_url or "")
    return found.group(1) if found else None


def settings(args):
    """The source's arguments, checked; raises ValueError naming the argument."""
    queue_url = args.get("queue_url")
    if not queue_url or not isinstance(queue_url, str):
        raise ValueError("flowlogs.aws.sqs_events: queue_url is required (the queue's URL)")
    try:
        delay = int(args.get("delay", MAX_WAIT_SECONDS))
    except (TypeError, ValueError):
        raise ValueError("flowlogs.aws.sqs_events: delay must be a number of seconds (0-20)") from None
    if not 0 <= delay <= MAX_WAIT_SECONDS:
        raise ValueError("flowlogs.aws.sqs_events: delay must be 0-20 seconds, not {}".format(delay))
    return dict(
        queue_url=queue_url,
        region=args.get("region") or queue_region(queue_url),
        endpoint_url=args.get("endpoint_url") or None,
        delay=delay,
    )


def sqs_client(config):
    return boto3.session.Session().client("sqs", region_name=config["region"], endpoint_url=config["endpoint_url"])


def receive(client, config):
    """One ReceiveMessage (blocking: run in a thread)."""
    answer = client.receive_message(
        QueueUrl=config["queue_url"], MaxNumberOfMessages=10, WaitTimeSeconds=config["delay"]
    )
    return answer.get("Messages", [])


def delete(client, config, message):
    client.delete_message(QueueUrl=config["queue_url"], ReceiptHandle=message["ReceiptHandle"])


async def handle(queue, client, config, message):
    """Put the message's event on the rulebook's queue (or log why not), then delete it from SQS."""
    event, problem = parse_event(message.get("Body"))
    if event is None:
        LOG.warning("SQS message %s ignored and deleted: %s", message.get("MessageId"), problem)
    else:
        LOG.info("SQS message %s: event %s", message.get("MessageId"), describe(event))
        await queue.put(event)
    # After the put: a source stopped in between leaves the message for SQS to deliver again.
    try:
        await asyncio.to_thread(delete, client, config, message)
    except (BotoCoreError, ClientError) as exc:
        LOG.warning("SQS message %s not deleted (SQS will deliver it again): %s", message.get("MessageId"), exc)


async def main(queue: asyncio.Queue, args: dict):
    """The ansible-rulebook entry point: poll until cancelled."""
    config = settings(args)
    client = sqs_client(config)
    LOG.info("polling %s (long poll %s s)", config["queue_url"], config["delay"])
    failures = 0
    while True:
        try:
            messages = await asyncio.to_thread(receive, client, config)
        except (BotoCoreError, ClientError) as exc:
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in FATAL_CODES:
                raise
            failures += 1
            wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS)) - 1]
            LOG.warning("ReceiveMessage failed (%s in a row), again in %s s: %s", failures, wait, exc)
            await asyncio.sleep(wait)
            continue
        failures = 0
        for message in messages:
            await handle(queue, client, config, message)
        if not messages and not config["delay"]:
            await asyncio.sleep(1)


if __name__ == "__main__":
    # python sqs_events.py QUEUE_URL [ENDPOINT_URL]: print the events the source would put on the queue.

    class _PrintQueue:
        async def put(self, event):
            print(json.dumps(event, indent=2, sort_keys=True))

    import sys

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(_PrintQueue(), dict(queue_url=sys.argv[1], endpoint_url=(sys.argv[2:] or [None])[0])))
