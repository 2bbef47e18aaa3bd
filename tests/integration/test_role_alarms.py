"""The flow_logs role with flow_logs_alarms: metric filters and alarms on rejected SSH and RDP traffic are
created on the log group of every target, and a second run changes nothing."""

from __future__ import annotations

from tests.integration.test_fleet import recap
from tests.support import fleet
from tests.support.paths import REPO

ACCOUNTS = ("111111111111", "222222222222")
REGIONS = ("us-east-1",)
TOPIC = "arn:aws:sns:us-east-1:{}:security-alerts"


def test_enable_with_alarms_creates_filters_and_alarms_and_reruns_unchanged(aws, run_playbook, tmp_path):
    fleet.seed(aws.url, accounts=ACCOUNTS, regions=REGIONS, vpcs_per_target=1)
    # One topic per account, as a host variable.
    topics = {
        fleet.target_name(a, r): {"flow_logs_alarm_sns_topic_arn": TOPIC.format(a)} for a in ACCOUNTS for r in REGIONS
    }
    inventory = fleet.write_inventory(tmp_path / "inventory.json", aws.url, ACCOUNTS, REGIONS, extra_host_vars=topics)
    variables = dict(flow_logs_alarms=True, flow_logs_report_dir=str(tmp_path))
    playbook = REPO / "playbooks" / "enable_flowlogs.yml"

    first = run_playbook(playbook, variables, inventory=inventory)
    assert first.rc == 0, str(first)
    names = ["{}-rejected-rdp".format(fleet.GROUP), "{}-rejected-ssh".format(fleet.GROUP)]
    for account in ACCOUNTS:
        logs = fleet.session(aws.url, account, REGIONS[0]).client("logs", endpoint_url=aws.url)
        filters = logs.describe_metric_filters(logGroupName=fleet.GROUP)["metricFilters"]
        assert sorted(f["filterName"] for f in filters) == names
        assert any('dstport="22", protocol="6"' in f["filterPattern"] for f in filters)
        cloudwatch = fleet.session(aws.url, account, REGIONS[0]).client("cloudwatch", endpoint_url=aws.url)
        alarms = cloudwatch.describe_alarms(AlarmNamePrefix=fleet.GROUP)["MetricAlarms"]
        assert sorted(a["AlarmName"] for a in alarms) == names
        assert {tuple(a["AlarmActions"]) for a in alarms} == {(TOPIC.format(account),)}
        tags = cloudwatch.list_tags_for_resource(ResourceARN=alarms[0]["AlarmArn"])["Tags"]
        assert {"Key": "managed-by", "Value": "flowlogs.aws"} in tags

    second = run_playbook(playbook, variables, inventory=inventory)
    assert second.rc == 0, str(second)
    stats = recap(second.stdout)
    targets = list(topics)
    assert {h: stats[h]["changed"] for h in targets} == {h: 0 for h in targets}


def test_invalid_alarm_variables_fail_the_target_before_any_change(aws, run_playbook, tmp_path):
    fleet.seed(aws.url, accounts=ACCOUNTS[:1], regions=REGIONS, vpcs_per_target=1)
    inventory = fleet.write_inventory(tmp_path / "inventory.json", aws.url, ACCOUNTS[:1], REGIONS)
    before = fleet.snapshot(aws.url, ACCOUNTS[:1], REGIONS)
    variables = dict(
        flow_logs_alarms=True,
        flow_logs_alarm_sns_topic_arn="security-alerts",
        flow_logs_alarm_rules=[{"name": "ssh", "port": 70000}],
        flow_logs_report_dir=str(tmp_path),
    )
    result = run_playbook(REPO / "playbooks" / "enable_flowlogs.yml", variables, inventory=inventory)
    assert result.rc != 0
    assert "flow_logs_alarm_sns_topic_arn: 'security-alerts' is not an SNS topic ARN" in result.stdout
    assert "flow_logs_alarm_rules: port 70000 of rule ssh is not a port number" in result.stdout
    assert fleet.snapshot(aws.url, ACCOUNTS[:1], REGIONS) == before
