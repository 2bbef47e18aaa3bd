"""flowlogs.aws.accounts at organisation size: the per-account calls (ListTagsForResource, region discovery, the
probes) run max_concurrency at once, and nothing else shows it - the same accounts, tags, regions, errors and hosts, in
the same order, as one at a time. AWS answers through handlers on real boto3 clients (thread-safe, unlike a Stubber's
queue), each call after a random short wait, so that the calls finish out of order."""

from __future__ import annotations

import functools
import json
import random
import threading
import time

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError
from ansible_collections.flowlogs.aws.plugins.plugin_utils._accounts_inventory import (
    DEFAULT_CONCURRENCY,
    build_targets,
    fetch_organization,
    in_order,
)
from tests.unit.conftest import FAKE_CREDENTIALS, REGION, StubbedClients

MANAGEMENT = "123456789012"
ORG = "o-abcdef1234"
MEMBERS = ["{:012d}".format(200000000000 + i) for i in range(24)]
REGIONS = ["eu-west-1", "us-east-1"]


class InFlight:
    """How many calls are under way at once, at most: every answer waits a random 1-8 ms inside it."""

    def __init__(self, seed=0):
        self.now = self.most = 0
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def wait(self):
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
            pause = self._random.uniform(0.001, 0.008)
        time.sleep(pause)
        with self._lock:
            self.now -= 1


def answer(parsed, status=200):
    return AWSResponse("https://aws.test", status, {}, None), dict(parsed, ResponseMetadata=dict(HTTPStatusCode=status))


def refused(code, message="denied"):
    return answer(dict(Error=dict(Code=code, Message=message)), 403)


def answered_client(service, handler):
    """A real boto3 client whose every call ``handler(operation name, parameters)`` answers, from any thread."""
    client = boto3.client(service, region_name=REGION, **FAKE_CREDENTIALS)

    def before_call(model, params, **_kwargs):
        body = params.get("body") if model.metadata["protocol"] == "json" else None
        return handler(model.name, json.loads(body or b"{}"))

    service_id = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register("before-call.{}.*".format(service_id), before_call)
    return client


class Organization:
    """Organizations with the management account and MEMBERS, each tagged ``index=<n>``; ``failing``: account id ->
    the error code its ListTagsForResource gets."""

    def __init__(self, in_flight, failing=None):
        self.in_flight, self.failing = in_flight, failing or {}
        self.client = answered_client("organizations", self._answer)

    def _answer(self, operation, params):
        if operation == "DescribeOrganization":
            return answer(dict(Organization=dict(Id=ORG, MasterAccountId=MANAGEMENT)))
        if operation == "ListAccounts":
            return answer(dict(Accounts=[_org_account(a) for a in [MANAGEMENT, *reversed(MEMBERS)]]))
        assert operation == "ListTagsForResource", operation
        account_id = params["ResourceId"]
        self.in_flight.wait()
        if account_id in self.failing:
            return refused(self.failing[account_id])
        return answer(dict(Tags=[dict(Key="index", Value=str(_index(account_id)))]))


def _index(account_id):
    return -1 if account_id == MANAGEMENT else MEMBERS.index(account_id)


def _org_account(account_id):
    return dict(
        Id=account_id,
        Arn="arn:aws:organizations::{}:account/{}/{}".format(MANAGEMENT, ORG, account_id),
        Name="acct-{}".format(_index(account_id)),
        State="ACTIVE",
    )


class Accounts:
    """``target_clients(role_arn)``: each account's EC2 answers DescribeRegions with REGIONS, or with the error code
    ``unreachable`` gives its account. The clients are built once for all tests (30-100 ms each) and answer for the
    Accounts made last."""

    clients = {}
    current = None

    def __init__(self, in_flight, unreachable=None):
        self.in_flight, self.unreachable = in_flight, unreachable or {}
        Accounts.current = self

    def __call__(self, role_arn):
        account_id = role_arn.split(":")[4] if role_arn else MANAGEMENT
        if account_id not in self.clients:
            self.clients[account_id] = StubbedClients(
                ec2=answered_client("ec2", functools.partial(_regions, account_id))
            )
        return self.clients[account_id]


def _regions(account_id, operation, _params):
    assert operation == "DescribeRegions", operation
    Accounts.current.in_flight.wait()
    if account_id in Accounts.current.unreachable:
        return refused(Accounts.current.unreachable[account_id], "not authorized")
    return answer(dict(Regions=[dict(RegionName=r, OptInStatus="opt-in-not-required") for r in REGIONS]))


def fetched_with(max_concurrency, failing=None, unreachable=None, **options):
    in_flight = InFlight()
    org, accounts = Organization(in_flight, failing), Accounts(in_flight, unreachable)
    for account_id in [MANAGEMENT, *MEMBERS]:  # built before the run: a boto3 client built in 8 threads at once is slow
        accounts(None if account_id == MANAGEMENT else "arn:aws:iam::{}:role/x".format(account_id))
    options.update(max_concurrency=max_concurrency)
    data = fetch_organization(StubbedClients(organizations=org.client), accounts, options)
    return data, in_flight.most


# ---------------------------------------------------------------- in_order: a loop's results, a few at once


@pytest.mark.parametrize("workers", [1, 2, 8, 100])
def test_in_order_gives_the_loop_s_results_at_most_workers_at_once(workers):
    in_flight = InFlight(seed=workers)

    def square(n):
        in_flight.wait()
        return n * n

    assert in_order(square, range(40), workers) == [n * n for n in range(40)]
    assert in_flight.most <= workers
    assert (in_flight.most > 1) is (workers > 1)


def test_in_order_raises_the_first_failure_in_the_items_order_as_the_loop_would():
    def work(n):
        if n == 3:
            time.sleep(0.05)  # finishes last
            raise ValueError("item 3")
        if n == 30:
            raise ValueError("item 30")  # fails first
        return n

    with pytest.raises(ValueError, match=r"item 3$"):
        in_order(work, range(40), 8)
    with pytest.raises(ValueError, match=r"item 3$"):
        in_order(work, range(40), 1)


def test_in_order_with_one_worker_is_the_plain_loop_in_the_caller_s_thread():
    threads = set()
    in_order(lambda n: threads.add(threading.get_ident()), range(5), 1)
    assert threads == {threading.get_ident()}
    assert in_order(str, [], 8) == []


# ---------------------------------------------------------------- the inventory: the same whatever max_concurrency


def test_tags_and_regions_are_the_same_at_any_concurrency():
    options = dict(with_account_tags=True)
    one, one_most = fetched_with(1, **options)
    many, many_most = fetched_with(DEFAULT_CONCURRENCY, **options)

    assert (one_most, 1 < many_most <= DEFAULT_CONCURRENCY) == (1, True)
    assert many == one
    assert [a["account_id"] for a in many["accounts"]] == sorted([MANAGEMENT, *MEMBERS])
    assert [a["tags"] for a in many["accounts"][1:]] == [dict(index=str(i)) for i in range(len(MEMBERS))]
    assert many["regions"] == {a: REGIONS for a in [MANAGEMENT, *MEMBERS]}
    assert build_targets(many, options) == build_targets(one, options)
    assert len(build_targets(many, options)) == 2 * (1 + len(MEMBERS))


def test_account_tags_keep_the_same_accounts_at_any_concurrency():
    options = dict(account_tags=dict(index=["0", "5", "23"]), regions=["eu-west-1"])
    one = fetched_with(1, **options)[0]
    many = fetched_with(4, **options)[0]
    assert many == one
    assert [a["account_id"] for a in many["accounts"]] == [MEMBERS[0], MEMBERS[5], MEMBERS[23]]


def test_a_tag_read_that_fails_fails_the_inventory_with_the_same_error_at_any_concurrency():
    # Two accounts refused: one at a time, the first in account order fails the inventory; so it does 8 at a time.
    failing = {MEMBERS[20]: "AccessDeniedException", MEMBERS[4]: "TooManyRequestsException"}
    raised = []
    for workers in (1, DEFAULT_CONCURRENCY):
        with pytest.raises(AwsError) as error:
            fetched_with(workers, failing=failing, with_account_tags=True)
        raised.append(str(error.value))
    assert raised[0] == raised[1]
    assert "organizations:ListTagsForResource" in raised[0] and "TooManyRequestsException" in raised[0]


def test_unreachable_accounts_are_the_same_errors_at_any_concurrency():
    unreachable = {MEMBERS[2]: "UnauthorizedOperation", MEMBERS[17]: "AuthFailure"}
    one = fetched_with(1, unreachable=unreachable)[0]
    many = fetched_with(DEFAULT_CONCURRENCY, unreachable=unreachable)[0]
    assert many == one
    assert list(many["errors"]) == [MEMBERS[2], MEMBERS[17]]
    assert "ec2:DescribeRegions failed" in many["errors"][MEMBERS[2]]
    assert MEMBERS[2] not in many["regions"] and MEMBERS[3] in many["regions"]
