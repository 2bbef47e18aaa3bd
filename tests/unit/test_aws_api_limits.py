"""Limits AWS enforces on one call that moto does not: the thin AWS layer keeps every request within them.
botocore's Stubber checks the exact requests (moto would accept any size)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs.audit import audit_spec

IDS = ["vpc-{:08x}".format(i) for i in range(250)]


def test_describe_vpcs_keeps_every_call_within_200_filter_values(stubbed):
    """EC2 allows 200 filter values per call in all (FilterLimitExceeded): the tag filter's values count."""
    ec2, stubber = stubbed("ec2")
    tags = {"Name": "tag:env", "Values": ["prod", "staging", "dev"]}
    budget = 200 - 3
    for part in (IDS[:budget], IDS[budget:]):
        stubber.add_response("describe_vpcs", {"Vpcs": []}, {"Filters": [tags, {"Name": "vpc-id", "Values": part}]})

    found = ec2_api.describe_vpcs(ec2, IDS, {"tag:env": ["prod", "staging", "dev"]})

    assert found == []
    stubber.assert_no_pending_responses()  # two calls: 197 ids + 3 tag values, then the other 53


def test_filter_values_alone_past_the_limit_are_refused_before_any_call():
    with pytest.raises(ParameterError) as caught:
        audit_spec(dict(vpc_ids=IDS[:5], filters={"tag:team": ["t{}".format(i) for i in range(200)]}))

    assert caught.value.option == "filters"
    assert "200 filter values" in str(caught.value)
