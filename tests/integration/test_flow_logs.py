"""vpc_flow_log and vpc_flow_log_info against moto server, with AWS state seeded and checked by boto3.

The YAML targets (targets/vpc_flow_log, targets/vpc_flow_log_info) assert what the modules return. These
tests seed what the collection cannot create itself (VPCs, tagged VPCs, an S3 bucket, duplicate flow logs,
a role trusting the wrong service), pick the target's cases, and check AWS state with describe_flow_logs,
and API call counts through the counting proxy, around them.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import pytest

ACCOUNT = "123456789012"
GROUP = "itest-flow-logs"
OTHER_GROUP = "itest-flow-logs-other"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/itest-flow-logs-delivery"
MISSING_VPC = "vpc-0bad0bad0bad0bad0"


# ---------------------------------------------------------------- seeding and reading AWS state


def create_vpcs(ec2, count, tags=None):
    spec = [{"ResourceType": "vpc", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}] if tags else []
    return [ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec)["Vpc"]["VpcId"] for _index in range(count)]


def seed_flow_logs(ec2, vpc_ids, traffic_type="ALL", group=GROUP, **kwargs):
    """Flow logs created behind the module's back, 300 VPCs per call (the AWS limit)."""
    destination = dict(LogGroupName=group) if group else {}
    ids = []
    for start in range(0, len(vpc_ids), 300):
        answer = ec2.create_flow_logs(
            ResourceType="VPC",
            ResourceIds=vpc_ids[start : start + 300],
            TrafficType=traffic_type,
            DeliverLogsPermissionArn=ROLE_ARN,
            **destination,
            **kwargs,
        )
        assert answer["Unsuccessful"] == [], answer["Unsuccessful"]
        ids += answer["FlowLogIds"]
    return ids


def all_flow_logs(ec2):
    """Every flow log of the region, comparable before/after (CreationTime dropped, tags sorted)."""
    found = ec2.describe_flow_logs()["FlowLogs"]
    return sorted(
        (dict(f, CreationTime=None, Tags=sorted(f.get("Tags", []), key=lambda t: t["Key"])) for f in found),
        key=lambda f: f["FlowLogId"],
    )


def by_vpc(flow_logs, group=None):
    """{vpc_id: [flow log, ...]}, only those to ``group`` when given."""
    found = {}
    for flow_log in flow_logs:
        if group is None or flow_log.get("LogGroupName") == group:
            found.setdefault(flow_log["ResourceId"], []).append(flow_log)
    return found


def tags_of(flow_log):
    return {t["Key"]: t["Value"] for t in flow_log.get("Tags", [])}


def run_cases(run_target, target, cases, endpoint=None, **extra):
    started = time.monotonic()
    result = run_target(target, endpoint=endpoint, extra_vars={f"{target}_cases": cases, **extra})
    assert result.rc == 0, str(result)
    assert "failed=0" in result.stdout, str(result)
    return time.monotonic() - started


# ---------------------------------------------------------------- vpc_flow_log


def test_lifecycle_on_several_vpcs(aws, run_target):
    """Create, replace (traffic type, interval), retag, then absent, on three VPCs in one task each."""
    ec2 = aws.client("ec2")
    vpcs = create_vpcs(ec2, 3)
    aws.client("logs").create_log_group(logGroupName="itest-seeded")
    [seeded] = seed_flow_logs(ec2, vpcs[1:2], group="itest-seeded")
    seeded_before = [f for f in all_flow_logs(ec2) if f["FlowLogId"] == seeded]

    run_cases(run_target, "vpc_flow_log", ["lifecycle"], vpc_flow_log_vpc_ids=vpcs)

    now = all_flow_logs(ec2)
    ours = by_vpc(now, GROUP)
    assert sorted(ours) == sorted(vpcs)
    for vpc in vpcs:
        # Replaced twice and retagged: exactly one flow log to the group remains, with the last settings.
        assert len(ours[vpc]) == 1, ours[vpc]
        flow_log = ours[vpc][0]
        assert (flow_log["TrafficType"], flow_log["MaxAggregationInterval"]) == ("ALL", 60)
        assert tags_of(flow_log) == {"team": "platform", "env": "test"}
    assert [f for f in now if f["FlowLogId"] == seeded] == seeded_before
    assert [f["ResourceId"] for f in now if f.get("LogGroupName") == OTHER_GROUP] == vpcs[:1]

    run_cases(run_target, "vpc_flow_log", ["absent"], vpc_flow_log_vpc_ids=vpcs)

    now = all_flow_logs(ec2)
    assert by_vpc(now, GROUP) == {}
    assert [f for f in now if f["FlowLogId"] == seeded] == seeded_before
    assert [f["ResourceId"] for f in now if f.get("LogGroupName") == OTHER_GROUP] == vpcs[:1]


def test_replace_keeps_tags(aws, run_target):
    vpcs = create_vpcs(aws.client("ec2"), 1)

    run_cases(run_target, "vpc_flow_log", ["replace_tags"], vpc_flow_log_vpc_ids=vpcs)


def test_tag_fields_reach_create_flow_logs(aws, proxy, run_target):
    """tag_fields become CreateFlowLogs' TagFieldSpecifications (moto ignores them: the request is checked)."""
    vpcs = create_vpcs(aws.client("ec2"), 2)

    run_cases(run_target, "vpc_flow_log", ["tag_fields"], endpoint=proxy.url, vpc_flow_log_vpc_ids=vpcs)

    bodies = [parse_qs(body) for service, action, body in proxy.requests if action == "CreateFlowLogs"]
    assert len(bodies) == 1, "one call for both VPCs"
    fields = {k: v for k, v in bodies[0].items() if k.startswith("TagFieldSpecification")}
    assert fields == {
        "TagFieldSpecification.1.ResourceType": ["auto-scaling-group"],
        "TagFieldSpecification.1.TagKey.1": ["aws:autoscaling:groupName"],
        "TagFieldSpecification.2.ResourceType": ["instance"],
        "TagFieldSpecification.2.TagKey.1": ["Name"],
        "TagFieldSpecification.2.TagKey.2": ["team"],
    }
    assert len(by_vpc(all_flow_logs(aws.client("ec2")), GROUP)) == 2


def test_invalid_inputs_change_nothing(aws, proxy, run_target):
    """Every invalid input fails before any EC2 call: no flow log created, changed or deleted."""
    ec2 = aws.client("ec2")
    vpcs = create_vpcs(ec2, 2)
    aws.client("logs").create_log_group(logGroupName=GROUP)
    seed_flow_logs(ec2, vpcs[:1], traffic_type="REJECT")
    before = all_flow_logs(ec2)

    run_cases(run_target, "vpc_flow_log", ["bad_inputs"], endpoint=proxy.url, vpc_flow_log_vpc_ids=vpcs)

    assert all_flow_logs(ec2) == before
    assert [call for call in proxy.counts() if call.startswith("ec2:")] == []


def test_one_missing_vpc_fails_only_itself(aws, run_target):
    ec2 = aws.client("ec2")
    vpcs = create_vpcs(ec2, 2)

    run_cases(
        run_target,
        "vpc_flow_log",
        ["partial_failure"],
        vpc_flow_log_vpc_ids=vpcs,
        vpc_flow_log_missing_vpc_id=MISSING_VPC,
    )

    now = by_vpc(all_flow_logs(ec2))
    assert sorted(now) == sorted(vpcs)
    assert all(len(now[vpc]) == 1 and now[vpc][0]["LogGroupName"] == GROUP for vpc in vpcs), now


def test_duplicates_collapse_to_one(aws, run_target):
    ec2 = aws.client("ec2")
    vpcs = create_vpcs(ec2, 2)
    aws.client("logs").create_log_group(logGroupName=GROUP)
    first = seed_flow_logs(ec2, vpcs)
    # moto refuses a second flow log naming the same group; naming the group by its ARN gets through.
    [duplicate] = seed_flow_logs(
        ec2,
        vpcs[:1],
        group=None,
        LogDestinationType="cloud-watch-logs",
        LogDestination=f"arn:aws:logs:{aws.region}:{ACCOUNT}:log-group:{GROUP}",
    )
    [other] = seed_flow_logs(ec2, vpcs[:1], group=OTHER_GROUP)

    run_cases(run_target, "vpc_flow_log", ["duplicates"], vpc_flow_log_vpc_ids=vpcs)

    now = by_vpc(all_flow_logs(ec2))
    left = sorted(f["FlowLogId"] for f in now[vpcs[0]] if f["FlowLogId"] != other)
    assert len(left) == 1 and left[0] in (first[0], duplicate), now[vpcs[0]]
    assert other in [f["FlowLogId"] for f in now[vpcs[0]]]
    assert [f["FlowLogId"] for f in now[vpcs[1]]] == first[1:]


def test_s3_destination(aws, run_target):
    ec2 = aws.client("ec2")
    vpcs = create_vpcs(ec2, 2)
    aws.client("s3").create_bucket(Bucket="itest-flow-logs-bucket")
    bucket = "arn:aws:s3:::itest-flow-logs-bucket"
    aws.client("logs").create_log_group(logGroupName=GROUP)
    [cloudwatch] = seed_flow_logs(ec2, vpcs[:1])

    run_cases(run_target, "vpc_flow_log", ["s3"], vpc_flow_log_vpc_ids=vpcs, vpc_flow_log_bucket_arn=bucket)

    now = by_vpc(all_flow_logs(ec2))
    for vpc in vpcs:
        to_s3 = [f for f in now[vpc] if f["LogDestinationType"] == "s3"]
        assert [(f["LogDestination"], f["TrafficType"]) for f in to_s3] == [(bucket, "ALL")]
        assert tags_of(to_s3[0]) == {"team": "network"}
    assert [f["FlowLogId"] for f in now[vpcs[0]] if f["LogDestinationType"] == "cloud-watch-logs"] == [cloudwatch]


def test_batch_of_651_vpcs_in_few_calls(aws, proxy, run_target):
    """650 new VPCs and the default one, in one task: 3 CreateFlowLogs (300+300+51), few DescribeFlowLogs."""
    ec2 = aws.client("ec2")
    create_vpcs(ec2, 650)
    vpcs = sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"])
    assert len(vpcs) == 651

    proxy.reset()
    took = run_cases(
        run_target,
        "vpc_flow_log",
        ["batch"],
        vpc_flow_log_vpc_ids=vpcs,
        vpc_flow_log_endpoint=proxy.url,
        vpc_flow_log_expect={"changed": True, "counts": {"created": 651, "failed": 0, "total": 651}},
    )
    first = proxy.counts()
    print(f"\nbatch create, 651 VPCs: {first} ({took:.1f} s for the whole playbook)")
    assert first.get("ec2:CreateFlowLogs") == 3
    assert first.get("ec2:DescribeFlowLogs", 0) <= 3
    assert first.get("ec2:DeleteFlowLogs", 0) == 0
    ours = by_vpc(all_flow_logs(ec2), GROUP)
    assert sorted(ours) == vpcs
    assert {len(found) for found in ours.values()} == {1}

    proxy.reset()
    took = run_cases(
        run_target,
        "vpc_flow_log",
        ["batch"],
        vpc_flow_log_vpc_ids=vpcs,
        vpc_flow_log_endpoint=proxy.url,
        vpc_flow_log_expect={"changed": False, "counts": {"unchanged": 651, "total": 651}},
    )
    again = proxy.counts()
    print(f"batch re-run, 651 VPCs: {again} ({took:.1f} s)")
    assert again.get("ec2:CreateFlowLogs", 0) == 0
    assert again.get("ec2:DeleteFlowLogs", 0) == 0
    assert again.get("ec2:DescribeFlowLogs", 0) <= 2


def test_replace_at_scale(aws, proxy, run_target):
    """400 REJECT flow logs converge to ALL in one task: each VPC ends with exactly one ALL flow log."""
    ec2 = aws.client("ec2")
    vpcs = create_vpcs(ec2, 400)
    aws.client("logs").create_log_group(logGroupName=GROUP)
    old = seed_flow_logs(ec2, vpcs, traffic_type="REJECT")

    proxy.reset()
    took = run_cases(
        run_target,
        "vpc_flow_log",
        ["batch"],
        vpc_flow_log_vpc_ids=vpcs,
        vpc_flow_log_endpoint=proxy.url,
        vpc_flow_log_traffic_type="ALL",
        vpc_flow_log_expect={"changed": True, "counts": {"replaced": 400, "failed": 0, "total": 400}},
    )
    calls = proxy.counts()
    print(f"\nreplace REJECT -> ALL, 400 VPCs: {calls} ({took:.1f} s for the whole playbook)")
    ours = by_vpc(all_flow_logs(ec2), GROUP)
    assert sorted(ours) == sorted(vpcs)
    assert {len(found) for found in ours.values()} == {1}
    assert {found[0]["TrafficType"] for found in ours.values()} == {"ALL"}
    assert not set(old) & {found[0]["FlowLogId"] for found in ours.values()}
    # Batched, not per VPC: a handful of calls whichever way the endpoint takes the replacement.
    assert sum(n for call, n in calls.items() if call.startswith("ec2:")) <= 12, calls


def test_transit_gateways_in_chunks_of_25(aws, proxy, run_target):
    """Transit gateway flow logs: 25 ids per CreateFlowLogs, 60 s interval, no traffic type; idempotent."""
    ec2 = aws.client("ec2")
    gateways = [ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"] for _index in range(30)]
    batch = dict(
        vpc_flow_log_vpc_ids=gateways, vpc_flow_log_resource_type="TransitGateway", vpc_flow_log_endpoint=proxy.url
    )

    proxy.reset()
    expect = {"changed": True, "counts": {"created": 30, "failed": 0, "total": 30}}
    run_cases(run_target, "vpc_flow_log", ["batch"], vpc_flow_log_expect=expect, **batch)
    assert proxy.counts().get("ec2:CreateFlowLogs") == 2, proxy.counts()
    ours = by_vpc(all_flow_logs(ec2), GROUP)
    assert sorted(ours) == sorted(gateways)
    assert {(len(found), found[0]["MaxAggregationInterval"]) for found in ours.values()} == {(1, 60)}
    assert {found[0].get("TrafficType") for found in ours.values()} == {None}

    proxy.reset()
    expect = {"changed": False, "counts": {"unchanged": 30, "total": 30}}
    run_cases(run_target, "vpc_flow_log", ["batch"], vpc_flow_log_expect=expect, **batch)
    assert proxy.counts().get("ec2:CreateFlowLogs", 0) == 0


# ---------------------------------------------------------------- vpc_flow_log_info


@pytest.fixture
def info_fleet(aws):
    """Tagged VPCs with one flow log each: compliant, delivery failed (role trusts ec2), mismatched."""
    ec2, iam = aws.client("ec2"), aws.client("iam")
    aws.client("logs").create_log_group(logGroupName=GROUP)
    trust = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    )
    wrong_role = iam.create_role(RoleName="itest-trusts-ec2", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    [prod_a, prod_b] = create_vpcs(ec2, 2, tags={"env": "prod"})
    [dev] = create_vpcs(ec2, 1, tags={"env": "dev"})
    seed_flow_logs(ec2, [prod_a])
    # No such log group: moto marks delivery FAILED ("Access error"), as AWS does for a role it cannot assume.
    ec2.create_flow_logs(
        ResourceType="VPC",
        ResourceIds=[prod_b],
        TrafficType="ALL",
        LogGroupName="itest-no-such-group",
        DeliverLogsPermissionArn=wrong_role,
    )
    seed_flow_logs(ec2, [dev], traffic_type="REJECT")
    return dict(prod_a=prod_a, prod_b=prod_b, dev=dev, wrong_role=wrong_role)


def test_info_verdicts_and_filters(aws, info_fleet, run_target):
    before = all_flow_logs(aws.client("ec2"))

    run_cases(run_target, "vpc_flow_log_info", ["fleet"], vpc_flow_log_info_fleet=info_fleet)

    assert all_flow_logs(aws.client("ec2")) == before
