"""The flowlogs.aws.accounts inventory against an AWS Organization in moto server: ansible-inventory lists
the right hosts, variables and groups; enable_flowlogs.yml converges every target it lists; the cache spares
the Organizations calls."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.integration.conftest import BIN, playbook_env
from tests.integration.test_fleet import recap
from tests.support import fleet, organization
from tests.support.aws_errors import access_denied, region_not_enabled
from tests.support.fault_proxy import FaultProxy
from tests.support.guardrail_proxy import GuardrailProxy, scp_deny
from tests.support.paths import REPO

REGIONS = ["us-east-1", "eu-west-1"]
ACCESS_ROLE_ARN = "arn:aws:iam::{}:role/OrganizationAccountAccessRole"


@pytest.fixture
def org(aws):
    return organization.create(aws.url)


def plain(value):
    """ansible-inventory marks values from inventory plugins as unsafe ({"__ansible_unsafe": ...}): unwrap."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def write_config(tmp_path, url, name="org.flowlogs_accounts.yml", **options):
    config = dict(plugin="flowlogs.aws.accounts", endpoint_url=url)
    config.update(options)
    path = tmp_path / name
    path.write_text(json.dumps(config, indent=2))  # JSON is YAML
    return path


def inventory(tmp_path, config, *args):
    """``ansible-inventory -i config --list`` as {hosts: {name: vars}, groups: {name: [hosts]}} (and its stderr, where
    -v messages go)."""
    done = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(config), "--list", *args],
        cwd=REPO,
        env=playbook_env(tmp_path, {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true", "ANSIBLE_VERBOSE_TO_STDERR": "true"}),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = plain(json.loads(done.stdout))
    groups = {name: sorted(body.get("hosts", [])) for name, body in data.items() if name != "_meta"}
    return dict(hosts=data["_meta"]["hostvars"], groups=groups, stderr=done.stderr)


def inventory_fails(tmp_path, config):
    done = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(config), "--list"],
        cwd=REPO,
        env=playbook_env(tmp_path, {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"}),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0, done.stdout[-2000:]
    # ansible-core before 2.19 wraps warnings at 80 columns: compare the text, not its line breaks.
    return " ".join(done.stderr.split())


def host(account, region):
    return "acct-{}-{}".format(account, region)


def test_lists_active_accounts_under_an_ou_with_vars_and_groups(aws, org, tmp_path):
    prod_a, prod_b, prod_eu = org.ids("prod-a", "prod-b", "prod-eu")
    config = write_config(
        tmp_path,
        aws.url,
        organizational_units=[org.prod_ou],
        exclude_accounts=[prod_b],
        regions=REGIONS,
        keyed_groups=[dict(key="flow_logs_account_name", prefix="name")],
        groups=dict(ireland="flow_logs_region == 'eu-west-1'"),
        compose=dict(flow_logs_tier="'gold' if flow_logs_account_name == 'prod-a' else 'silver'"),
    )
    found = inventory(tmp_path, config)

    # prod-a (OU prod) and prod-eu (nested OU prod/eu); prod-b excluded; nothing outside the OU.
    expected = sorted(host(a, r) for a in (prod_a, prod_eu) for r in REGIONS)
    assert sorted(found["hosts"]) == expected
    assert found["hosts"][host(prod_a, "eu-west-1")] == dict(
        ansible_connection="local",
        flow_logs_region="eu-west-1",
        flow_logs_account_id=prod_a,
        flow_logs_account_name="prod-a",
        flow_logs_assume_role_arn=ACCESS_ROLE_ARN.format(prod_a),
        flow_logs_endpoint_url=aws.url,
        flow_logs_tier="gold",
        flow_logs_delivery_role_owner=True,  # the account's first host converges its delivery role
    )
    assert found["hosts"][host(prod_a, "us-east-1")]["flow_logs_delivery_role_owner"] is False
    assert found["hosts"][host(prod_eu, "us-east-1")]["flow_logs_tier"] == "silver"
    groups = found["groups"]
    assert groups["flow_logs_targets"] == expected
    assert groups["account_" + prod_a] == [host(prod_a, r) for r in sorted(REGIONS)]
    assert groups["region_eu_west_1"] == groups["ireland"] == sorted(host(a, "eu-west-1") for a in (prod_a, prod_eu))
    assert groups["name_prod_eu"] == [host(prod_eu, r) for r in sorted(REGIONS)]
    assert "account_" + prod_b not in groups


def test_account_tags_filter_keeps_only_active_tagged_accounts(aws, org, tmp_path):
    config = write_config(tmp_path, aws.url, account_tags=dict(env=["prod", "shared"]), regions=["eu-west-1"])
    found = inventory(tmp_path, config)
    # "closed" is tagged env=prod but SUSPENDED; sandbox is env=dev; the management account has no tags.
    kept = org.ids("prod-a", "prod-b", "prod-eu", "shared")
    assert sorted(found["hosts"]) == sorted(host(a, "eu-west-1") for a in kept)
    tags = {h["flow_logs_account_id"]: h["flow_logs_account_tags"] for h in found["hosts"].values()}
    assert tags[org.accounts["prod-b"]] == {"env": "prod", "team": "net"}

    config = write_config(tmp_path, aws.url, account_tags=dict(env="prod", team="net"), regions=["eu-west-1"])
    assert sorted(inventory(tmp_path, config)["hosts"]) == [host(org.accounts["prod-b"], "eu-west-1")]


def test_discovers_the_enabled_regions_of_every_active_account(aws, org, tmp_path):
    config = write_config(tmp_path, aws.url, exclude_regions=["eu-west-1"], hostname_format="{account_name}-{region}")
    found = inventory(tmp_path, config)
    active = [org.names[a] for n, a in org.accounts.items() if n != "closed"]
    # moto answers DescribeRegions with every region it knows; the plugin keeps the enabled ones of the
    # account's partition (aws): the same list for every account.
    ec2 = aws.client("ec2", account=org.accounts["prod-a"])
    enabled = sorted(
        r["RegionName"]
        for r in ec2.describe_regions()["Regions"]
        if r["OptInStatus"] != "not-opted-in" and not r["RegionName"].startswith(("cn-", "us-gov-"))
    )
    assert "us-east-1" in enabled and "eu-west-1" in enabled and "af-south-1" in enabled
    regions = [r for r in enabled if r != "eu-west-1"]
    assert sorted(found["hosts"]) == sorted("{}-{}".format(n, r) for n in active for r in regions)
    # The management account is reached with the caller's own credentials: no assume role.
    management = found["hosts"]["{}-us-east-1".format(org.names[organization.MANAGEMENT])]
    assert management["flow_logs_account_id"] == organization.MANAGEMENT
    assert "flow_logs_assume_role_arn" not in management
    assert found["groups"]["region_us_east_1"] == sorted("{}-us-east-1".format(n) for n in active)


def test_invalid_options_fail_naming_the_option(aws, org, tmp_path):
    config = write_config(tmp_path, aws.url, regions=["eu-west-1", "nowhere"])
    assert "regions: 'nowhere' not AWS region names" in inventory_fails(tmp_path, config)
    config = write_config(tmp_path, aws.url, regions=["eu-west-1"], hostname_format="{region}")
    stderr = inventory_fails(tmp_path, config)
    assert "hostname_format:" in stderr and "include {account_id}" in stderr
    config = write_config(tmp_path, aws.url, exclude_regions_by_ou={org.prod_ou: ["eu-west-1", "eu-west"]})
    assert "exclude_regions_by_ou: {}: 'eu-west' not AWS region names".format(org.prod_ou) in inventory_fails(
        tmp_path, config
    )


def test_enable_flowlogs_converges_every_target_of_the_inventory(aws, org, tmp_path, run_playbook):
    active = [a for n, a in org.accounts.items() if n != "closed"]
    planted = organization.seed_vpcs(aws.url, active, REGIONS)
    config = write_config(tmp_path, aws.url, regions=REGIONS)
    report_dir = tmp_path / "report"
    report_dir.mkdir()
    # moto has no saved Logs Insights queries.
    variables = dict(flow_logs_report_dir=str(report_dir), flow_logs_insights_queries=False)

    first = run_playbook(REPO / "playbooks" / "enable_flowlogs.yml", variables, ("--forks", "12"), inventory=config)
    assert first.rc == 0, str(first)
    targets = sorted(host(a, r) for a in active for r in REGIONS)
    report = json.loads((report_dir / "flowlogs-report.json").read_text())
    assert sorted(t["target"] for t in report["targets"]) == targets
    assert report["totals"]["targets_failed"] == 0
    assert report["totals"]["compliant_after"] == report["totals"]["vpcs"] == sum(len(v) for v in planted.values())

    state = fleet.snapshot(aws.url, accounts=active, regions=REGIONS)
    for (account, region), vpcs in planted.items():
        ours = [f for f in state[account][region]["flow_logs"] if f["group"] == fleet.GROUP]
        assert sorted(f["resource"] for f in ours) == vpcs, (account, region)
        assert {f["role"] for f in ours} == {"arn:aws:iam::{}:role/{}".format(account, fleet.ROLE)}
        assert state[account][region]["log_groups"][fleet.GROUP]["retention"] == 90
    # The suspended account was never touched.
    closed = fleet.session(aws.url, org.accounts["closed"], "us-east-1").client("ec2", endpoint_url=aws.url)
    assert closed.describe_flow_logs()["FlowLogs"] == []

    second = run_playbook(REPO / "playbooks" / "enable_flowlogs.yml", variables, ("--forks", "12"), inventory=config)
    assert second.rc == 0, str(second)
    stats = recap(second.stdout)
    assert {h: stats[h]["changed"] for h in targets} == {h: 0 for h in targets}
    assert fleet.snapshot(aws.url, accounts=active, regions=REGIONS) == state


def test_cache_spares_every_aws_call_until_flushed(aws, org, proxy, tmp_path, run_playbook):
    config = write_config(
        tmp_path,
        proxy.url,
        account_tags=dict(env="prod"),
        cache=True,
        cache_plugin="ansible.builtin.jsonfile",
        cache_connection=str(tmp_path / "inventory-cache"),
        cache_timeout=3600,
    )
    first = inventory(tmp_path, config)
    calls = proxy.counts()
    assert calls["organizations:ListAccounts"] == 1
    assert calls["organizations:ListTagsForResource"] == 6  # the ACTIVE accounts only
    assert calls["ec2:DescribeRegions"] == 3  # the three env=prod accounts
    assert list((tmp_path / "inventory-cache").iterdir())

    # A new prod account appears: the cached inventory does not see it, and makes no call at all.
    extra = aws.client("organizations").create_account(
        AccountName="late", Email="late@example.com", Tags=[{"Key": "env", "Value": "prod"}]
    )["CreateAccountStatus"]["AccountId"]
    proxy.reset()
    second = inventory(tmp_path, config)
    assert proxy.counts() == {}
    assert second["hosts"] == first["hosts"]

    # --flush-cache (ansible-inventory has it from ansible-core 2.19 on; ansible-playbook always) reads AWS
    # again and refreshes the cache.
    listed = run_playbook(
        REPO / "playbooks" / "enable_flowlogs.yml", None, ("--flush-cache", "--list-hosts"), inventory=config
    )
    assert listed.rc == 0, str(listed)
    assert host(extra, "us-east-1") in listed.stdout
    assert proxy.counts()["organizations:ListAccounts"] == 1
    proxy.reset()
    third = inventory(tmp_path, config)
    assert proxy.counts() == {}
    added = set(third["hosts"]) - set(first["hosts"])
    assert host(extra, "us-east-1") in added
    assert {third["hosts"][h]["flow_logs_account_id"] for h in added} == {extra}
    assert set(first["hosts"]) <= set(third["hosts"])


def test_throttled_calls_are_retried_and_list_the_same_inventory_at_any_concurrency(aws, org, tmp_path):
    """max_concurrency at its default, against an AWS that throttles a third of the calls (Organizations, STS, EC2):
    botocore backs off and retries, and the hosts, variables and groups are those of one call at a time, unthrottled."""
    options = dict(with_account_tags=True, keyed_groups=[dict(key="flow_logs_account_tags.env", prefix="env")])
    calm = inventory(tmp_path, write_config(tmp_path, aws.url, max_concurrency=1, **options))
    throttling = FaultProxy(aws.url, rate=0.3, kinds=("throttle",), seed=21).start()
    try:
        busy = inventory(tmp_path, write_config(tmp_path, throttling.url, name="busy.flowlogs_accounts.yml", **options))
    finally:
        throttling.stop()

    assert throttling.faults_by_call().get("organizations:ListTagsForResource")
    assert busy["groups"] == calm["groups"]
    assert list(busy["hosts"]) == list(calm["hosts"])
    for name, found in busy["hosts"].items():
        assert found == dict(calm["hosts"][name], flow_logs_endpoint_url=throttling.url)
    assert busy["groups"]["env_prod"] == sorted(
        h for h, v in calm["hosts"].items() if v["flow_logs_account_tags"].get("env") == "prod"
    )


@pytest.fixture
def guardrails(aws):
    """A proxy in front of moto that answers chosen calls as an organisation's guardrails make AWS answer them."""
    proxy = GuardrailProxy(aws.url).start()
    yield proxy
    proxy.stop()


def test_skip_denied_regions_leaves_out_what_guardrails_deny_and_caches_the_probes(aws, org, guardrails, tmp_path):
    prod_a, prod_b, prod_eu = org.ids("prod-a", "prod-b", "prod-eu")
    # Control Tower's region deny in eu-west-1 for prod-a; af-south-1 (an opt-in region) not enabled for prod-b.
    # moto has neither: the proxy answers the probe as AWS does.
    guardrails.add(scp_deny, service="ec2", action="DescribeVpcs", account=prod_a, region="eu-west-1")
    guardrails.add(region_not_enabled, service="ec2", action="DescribeVpcs", account=prod_b, region="af-south-1")
    regions = ["us-east-1", "eu-west-1", "af-south-1"]
    config = write_config(
        tmp_path,
        guardrails.url,
        organizational_units=[org.prod_ou],
        regions=regions,
        exclude_regions_by_ou={org.nested_ou: ["af-south-1"]},  # prod-eu, in prod's nested OU: never probed there
        skip_denied_regions=True,
        cache=True,
        cache_plugin="ansible.builtin.jsonfile",
        cache_connection=str(tmp_path / "inventory-cache"),
        cache_timeout=3600,
    )

    first = inventory(tmp_path, config, "-v")

    kept = [(prod_a, "us-east-1"), (prod_a, "af-south-1"), (prod_b, "us-east-1"), (prod_b, "eu-west-1")]
    kept += [(prod_eu, "us-east-1"), (prod_eu, "eu-west-1")]
    assert sorted(first["hosts"]) == sorted(host(a, r) for a, r in kept)
    calls = guardrails.counts()
    assert calls["ec2:DescribeVpcs"] == 8  # 3 accounts x 3 regions, less the one excluded
    assert calls["sts:AssumeRole"] == 3  # once per account, whatever the regions
    assert sorted(guardrails.refused) == sorted(
        [("ec2", "DescribeVpcs", prod_a, "eu-west-1", 403), ("ec2", "DescribeVpcs", prod_b, "af-south-1", 401)]
    )
    stderr = " ".join(first["stderr"].split())
    assert "left out {} in eu-west-1: ec2:DescribeVpcs denied by a service control policy".format(prod_a) in stderr
    assert "left out {0} in af-south-1: region af-south-1 is not enabled for account {0}".format(prod_b) in stderr

    # The cache holds the decisions: a second run makes no call at all, probes included.
    guardrails.reset()
    second = inventory(tmp_path, config)
    assert guardrails.counts() == {}
    assert second["hosts"] == first["hosts"]


def test_a_probe_refused_by_the_role_itself_is_no_guardrail(aws, org, guardrails, tmp_path):
    prod_b = org.accounts["prod-b"]
    guardrails.add(access_denied, service="ec2", action="DescribeVpcs", account=prod_b, region="eu-west-1")
    options = dict(organizational_units=[org.prod_ou], regions=["eu-west-1"], skip_denied_regions=True)
    stderr = inventory_fails(tmp_path, write_config(tmp_path, guardrails.url, **options))
    assert "Regions of 1 account(s) could not be discovered or probed" in stderr
    assert "ec2:DescribeVpcs failed in account {}, region eu-west-1: UnauthorizedOperation".format(prod_b) in stderr

    config = write_config(tmp_path, guardrails.url, skip_unreachable_accounts=True, **options)
    found = inventory(tmp_path, config)
    assert sorted(found["hosts"]) == sorted(host(a, "eu-west-1") for a in org.ids("prod-a", "prod-eu"))
