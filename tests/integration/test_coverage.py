"""What organisations run, end to end through the playbooks against moto server: two destinations per resource
(REJECT traffic to CloudWatch Logs for the alarms, ALL traffic to a central bucket in a log-archive account, in
Parquet with Hive partitions), on VPCs, transit gateways and their attachments.

moto's limits, and what stands in for them: it accepts a central bucket of another account only without a key
prefix (it looks the prefix up as part of the bucket name), so the bucket ARN here has none; it ignores
DestinationOptions, so the file format is checked in the CreateFlowLogs requests a proxy recorded.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest

from tests.integration.test_fleet import PLAYBOOKS, recap
from tests.support import fleet
from tests.support.aws_proxy import CountingProxy

ARCHIVE_ACCOUNT = "333333333333"
ACCOUNTS = ("111111111111", "222222222222")
REGION = "us-east-1"
BUCKET = "central-flow-logs"
REJECTS = "vpc-rejects"
TOPIC = "arn:aws:sns:us-east-1:{}:security-alerts"
DESTINATIONS = [
    dict(type="cloud-watch-logs", traffic_type="REJECT", log_group_name=REJECTS, retention_in_days=14),
    dict(type="s3", bucket_arn="arn:aws:s3:::" + BUCKET, file_format="parquet", hive_compatible_partitions=True),
]
TYPES = ["VPC", "TransitGateway", "TransitGatewayAttachment"]
TARGETS = [fleet.target_name(a, REGION) for a in ACCOUNTS]


@pytest.fixture
def organisation(aws, tmp_path):
    """Two workload accounts, each with two VPCs, a transit gateway and an attachment; the archive account's
    bucket; an inventory with two destinations and three resource types; a proxy recording the calls."""
    archive = fleet.session(aws.url, ARCHIVE_ACCOUNT, REGION)
    archive.client("s3", endpoint_url=aws.url).create_bucket(Bucket=BUCKET)
    resources = {}
    for index, account in enumerate(ACCOUNTS):
        ec2 = fleet.session(aws.url, account, REGION).client("ec2", endpoint_url=aws.url)
        vpcs = [ec2.create_vpc(CidrBlock="10.{}.{}.0/24".format(index, i))["Vpc"]["VpcId"] for i in range(2)]
        subnet = ec2.create_subnet(VpcId=vpcs[0], CidrBlock="10.{}.0.0/25".format(index))["Subnet"]["SubnetId"]
        tgw = ec2.create_transit_gateway(Description="core")["TransitGateway"]["TransitGatewayId"]
        attachment = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpcs[0], SubnetIds=[subnet])
        default = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"]]
        resources[account] = dict(
            VPC=sorted(vpcs + default),
            TransitGateway=[tgw],
            TransitGatewayAttachment=[attachment["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]],
        )
    proxy = CountingProxy(aws.url).start()
    shared = dict(
        flow_logs_destinations=DESTINATIONS,
        flow_logs_resource_types=TYPES,
        flow_logs_alarms=True,
    )
    hosts = {
        fleet.target_name(a, REGION): dict(shared, flow_logs_alarm_sns_topic_arn=TOPIC.format(a)) for a in ACCOUNTS
    }
    inventory = fleet.write_inventory(
        tmp_path / "inventory.json", proxy.url, accounts=ACCOUNTS, regions=(REGION,), extra_host_vars=hosts
    )
    report_dir = tmp_path / "report"
    yield dict(resources=resources, inventory=inventory, report_dir=report_dir, proxy=proxy)
    proxy.stop()


def _run(run_playbook, org, playbook="enable_flowlogs.yml", *args, extra=None):
    variables = dict(flow_logs_report_dir=str(org["report_dir"]), **(extra or {}))
    return run_playbook(PLAYBOOKS / playbook, variables, args=("--forks", "4", *args), inventory=org["inventory"])


def _flow_logs(aws, account):
    ec2 = fleet.session(aws.url, account, REGION).client("ec2", endpoint_url=aws.url)
    return ec2.describe_flow_logs()["FlowLogs"]


def _report(org):
    return json.loads((org["report_dir"] / "flowlogs-report.json").read_text())


def test_two_destinations_on_vpcs_transit_gateways_and_attachments(aws, run_playbook, organisation):
    org = organisation
    first = _run(run_playbook, org)
    assert first.rc == 0, str(first)

    for account in ACCOUNTS:
        found = _flow_logs(aws, account)
        for kind in TYPES:
            for resource in org["resources"][account][kind]:
                mine = {
                    (f.get("LogDestinationType"), f.get("LogGroupName") or f.get("LogDestination")): f
                    for f in found
                    if f["ResourceId"] == resource
                }
                assert set(mine) == {("cloud-watch-logs", REJECTS), ("s3", "arn:aws:s3:::" + BUCKET)}, (kind, mine)
                if kind == "VPC":
                    assert mine[("cloud-watch-logs", REJECTS)]["TrafficType"] == "REJECT"
                    assert mine[("s3", "arn:aws:s3:::" + BUCKET)]["TrafficType"] == "ALL"
                else:  # transit gateways: all traffic, 60 seconds
                    assert {f["MaxAggregationInterval"] for f in mine.values()} == {60}
        logs = fleet.session(aws.url, account, REGION).client("logs", endpoint_url=aws.url)
        (group,) = logs.describe_log_groups(logGroupNamePrefix=REJECTS)["logGroups"]
        assert group["retentionInDays"] == 14
        assert logs.describe_metric_filters(logGroupName=REJECTS)["metricFilters"], "the alarms read the REJECT group"

    # Batched per unit: one CreateFlowLogs per resource type and destination in each target.
    creates = [parse_qs(body) for _s, action, body in org["proxy"].requests if action == "CreateFlowLogs"]
    assert len(creates) == len(ACCOUNTS) * len(TYPES) * len(DESTINATIONS)
    s3_creates = [c for c in creates if c["LogDestinationType"] == ["s3"]]
    assert {c["DestinationOptions.FileFormat"][0] for c in s3_creates} == {"parquet"}
    assert {c["DestinationOptions.HiveCompatiblePartitions"][0] for c in s3_creates} == {"true"}
    assert all("TrafficType" not in c for c in creates if c["ResourceType"][0] != "VPC")

    data = _report(org)
    target = data["targets"][0]
    rows = {(r["resource_type"], r["destination"]) for r in target["vpcs"]}
    assert rows == {(k, d) for k in TYPES for d in ("logs:" + REJECTS, "s3:" + BUCKET)}
    assert target["counts"]["resources"] == 5  # 3 VPCs (one is the default VPC), a transit gateway, an attachment
    assert target["counts"]["compliant_after"] == 5 and target["counts"]["created"] == 10

    second = _run(run_playbook, org)
    assert second.rc == 0, str(second)
    assert {t: recap(second.stdout)[t]["changed"] for t in TARGETS} == {t: 0 for t in TARGETS}
    assert _report(org)["totals"]["compliant_before"] == 10


def test_check_diff_predicts_one_destination_and_changes_nothing(aws, run_playbook, organisation):
    org = organisation
    assert _run(run_playbook, org).rc == 0
    before = {a: sorted(f["FlowLogId"] for f in _flow_logs(aws, a)) for a in ACCOUNTS}

    all_traffic = [dict(DESTINATIONS[0], traffic_type="ALL"), DESTINATIONS[1]]
    check = _run(
        run_playbook, org, "enable_flowlogs.yml", "--check", "--diff", extra=dict(flow_logs_destinations=all_traffic)
    )
    assert check.rc == 0, str(check)
    assert {a: sorted(f["FlowLogId"] for f in _flow_logs(aws, a)) for a in ACCOUNTS} == before
    # The diffs name each unit that would change: the VPCs' CloudWatch Logs flow logs (REJECT -> ALL) only;
    # transit gateways have no traffic type, and the S3 flow logs are unchanged.
    headers = set(re.findall(r"^--- before: (flow logs: .*)$", check.stdout, re.M))
    assert headers == {"flow logs: VPC -> logs:" + REJECTS}, check.stdout[-4000:]
    assert "RESOURCES" in check.stdout and "(check mode: nothing was changed)" in check.stdout


def test_disable_removes_both_destinations_and_nothing_else(aws, run_playbook, organisation):
    org = organisation
    assert _run(run_playbook, org).rc == 0
    other = fleet.session(aws.url, ACCOUNTS[0], REGION).client("ec2", endpoint_url=aws.url)
    vpc = org["resources"][ACCOUNTS[0]]["VPC"][0]
    kept = other.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::" + BUCKET + "-other",
    )
    done = _run(run_playbook, org, "disable_flowlogs.yml")
    assert done.rc == 0, str(done)
    left = [f["FlowLogId"] for a in ACCOUNTS for f in _flow_logs(aws, a)]
    assert left == kept.get("FlowLogIds", [])
