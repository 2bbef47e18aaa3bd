"""Unit-test helpers: real boto3 clients answered by botocore's Stubber (never the network), a
``clients`` callable like the modules get, and a fake clock."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

REGION = "us-east-1"
ACCOUNT = "123456789012"
FAKE_CREDENTIALS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")


class StubbedClients:
    """What converge functions receive: ``clients(service)``, ``clients.identity()``, ``clients.region`` and
    ``clients.stats`` (the calls answered, counted as Clients counts them: botocore's after-call event)."""

    region = REGION

    def __init__(self, **clients):
        self._clients = clients
        self.requested = []
        self.stats = dict(calls=0, retries=0)
        for client in clients.values():
            client.meta.events.register("after-call.*", self._count)

    def _count(self, **_kwargs):
        self.stats["calls"] += 1

    def __call__(self, service):
        self.requested.append(service)
        return self._clients[service]

    def identity(self):
        return dict(account=ACCOUNT, arn="arn:aws:iam::{}:user/tests".format(ACCOUNT), partition="aws")


class FakeClock:
    """``clock`` and ``sleep`` for FlowLogWriter: sleeping moves time forward, instantly."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.call_failed = report.failed


@pytest.fixture
def stubbed(request):
    """``stubbed("ec2")`` -> (client, stubber); every queued answer must be used by a passing test."""
    stubbers = []

    def make(service):
        client = boto3.client(service, region_name=REGION, **FAKE_CREDENTIALS)
        stubber = Stubber(client)
        stubber.activate()
        stubbers.append(stubber)
        return client, stubber

    yield make
    for stubber in stubbers:
        stubber.deactivate()
        if not getattr(request.node, "call_failed", True):
            stubber.assert_no_pending_responses()


@pytest.fixture
def fake_clock():
    return FakeClock()
