"""flowlogs.aws.accounts inventory: option checks, account filters, regions, host names, groups and vars
(pure), and the Organizations walk through botocore's Stubber (OU recursion, tags only for survivors,
unreachable accounts)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.inventory.accounts import InventoryModule
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError
from ansible_collections.flowlogs.aws.plugins.plugin_utils import _accounts_inventory as accounts_inventory
from ansible_collections.flowlogs.aws.plugins.plugin_utils._accounts_inventory import (
    access_role_arn,
    build_targets,
    drop_unreachable,
    enabled_regions,
    fetch_organization,
    host_name,
    region_partition,
    safe_group_name,
    select_accounts,
    tag_matches,
    target_regions,
    validate_options,
)
from tests.unit.conftest import StubbedClients

MANAGEMENT = "123456789012"
ORG = "o-abcdef1234"


def account(account_id, name=None, state="ACTIVE", partition="aws", **extra):
    found = dict(
        account_id=account_id,
        name=name or "acct-" + account_id[:3],
        arn="arn:{}:organizations::{}:account/{}/{}".format(partition, MANAGEMENT, ORG, account_id),
        state=state,
    )
    found.update(extra)
    return found


ACCOUNTS = [
    account(MANAGEMENT, "management"),
    account("111111111111", "prod", tags={"env": "prod"}),
    account("222222222222", "staging", tags={"env": "staging", "team": "net"}),
    account("333333333333", "old", state="SUSPENDED", tags={"env": "prod"}),
    account("444444444444", "new", state="PENDING_ACTIVATION"),
    account("555555555555", "closing", state="PENDING_CLOSURE"),
]


def ids(accounts):
    return [a["account_id"] for a in accounts]


# ---------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("options", "option", "message"),
    [
        (dict(regions=["eu-west-1", "Europe"]), "regions", "'Europe' not AWS region names"),
        (dict(exclude_regions=["us-east-1a"]), "exclude_regions", "'us-east-1a' not AWS region names"),
        (dict(regions="eu-west-1"), "regions", "give a list of strings"),
        (dict(accounts=["1234"]), "accounts", "'1234' not 12-digit account ids"),
        (dict(exclude_accounts=[111111111111]), "exclude_accounts", "give a list of strings"),
        (dict(organizational_units=["prod"]), "organizational_units", "'prod' not organizational unit ids"),
        (dict(account_tags=["env"]), "account_tags", "mapping"),
        (dict(access_role_name="bad role"), "access_role_name", "not an IAM role name"),
        (dict(management_account="skip"), "management_account", "one of direct, assume_role, exclude"),
        (dict(hostname_format="{account}-{region}"), "hostname_format", "is not a format"),
        (dict(hostname_format="{account_id}"), "hostname_format", "must contain {region}"),
    ],
)
def test_invalid_options_name_the_option(options, option, message):
    with pytest.raises(ParameterError) as raised:
        validate_options(options)
    assert raised.value.option == option
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "options",
    [
        {},
        dict(regions=["eu-west-1", "us-gov-west-1", "cn-north-1", "us-iso-east-1"]),
        dict(organizational_units=["r-ab12", "ou-ab12-34cd56ef"]),
        dict(accounts=["111111111111"], exclude_accounts=["222222222222"]),
        dict(access_role_name="security/FlowLogsOperator", management_account="exclude"),
        dict(hostname_format="{account_name}.{region}", account_tags={"env": ["prod", "dev"]}),
    ],
)
def test_valid_options(options):
    validate_options(options)


# ---------------------------------------------------------------- accounts


@pytest.mark.parametrize(
    ("tags", "wanted", "expected"),
    [
        ({"env": "prod"}, {}, True),
        ({"env": "prod"}, {"env": "prod"}, True),
        ({"env": "prod"}, {"env": ["dev", "prod"]}, True),
        ({"env": "prod"}, {"env": "dev"}, False),
        ({"env": "prod"}, {"env": "prod", "team": "net"}, False),
        ({}, {"env": "prod"}, False),
        ({"tier": "1"}, {"tier": 1}, True),  # YAML gives numbers; tags are strings
    ],
)
def test_tag_matches(tags, wanted, expected):
    assert tag_matches(tags, wanted) is expected


@pytest.mark.parametrize(
    ("options", "tags_known", "expected"),
    [
        ({}, False, ["111111111111", MANAGEMENT, "222222222222"]),  # ACTIVE only, by id
        (dict(exclude_accounts=["222222222222"]), False, ["111111111111", MANAGEMENT]),
        (dict(accounts=["222222222222", "333333333333"]), False, ["222222222222"]),  # never a suspended one
        (dict(management_account="exclude"), False, ["111111111111", "222222222222"]),
        (dict(management_account="assume_role"), False, ["111111111111", MANAGEMENT, "222222222222"]),
        (dict(account_tags={"env": "prod"}), False, ["111111111111", MANAGEMENT, "222222222222"]),  # tags later
        (dict(account_tags={"env": "prod"}), True, ["111111111111"]),
        (dict(account_tags={"env": ["prod", "staging"]}), True, ["111111111111", "222222222222"]),
    ],
)
def test_select_accounts(options, tags_known, expected):
    assert ids(select_accounts(ACCOUNTS, options, MANAGEMENT, tags_known=tags_known)) == expected


def test_select_accounts_sorts_and_drops_duplicates():
    found = select_accounts([ACCOUNTS[2], ACCOUNTS[1], ACCOUNTS[2]], {}, MANAGEMENT)
    assert ids(found) == ["111111111111", "222222222222"]


# ---------------------------------------------------------------- regions


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("eu-west-1", "aws"),
        ("af-south-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
    ],
)
def test_region_partition(region, partition):
    assert region_partition(region) == partition


DESCRIBED = [
    dict(region="us-east-1", opt_in_status="opt-in-not-required"),
    dict(region="af-south-1", opt_in_status="opted-in"),
    dict(region="ap-east-1", opt_in_status="not-opted-in"),
    dict(region="eu-west-1", opt_in_status=None),
    dict(region="cn-north-1", opt_in_status="opt-in-not-required"),
    dict(region="us-gov-west-1", opt_in_status="opt-in-not-required"),
]


def test_enabled_regions_are_opted_in_and_in_the_account_partition():
    assert enabled_regions(DESCRIBED) == ["af-south-1", "eu-west-1", "us-east-1"]
    assert enabled_regions(DESCRIBED, "aws-us-gov") == ["us-gov-west-1"]
    assert enabled_regions([]) == []


@pytest.mark.parametrize(
    ("options", "discovered", "expected"),
    [
        (dict(regions=["us-east-1", "eu-west-1"]), ["ap-south-1"], ["eu-west-1", "us-east-1"]),  # explicit wins
        ({}, ["us-east-1", "eu-west-1"], ["eu-west-1", "us-east-1"]),
        (dict(exclude_regions=["eu-west-1"]), ["us-east-1", "eu-west-1"], ["us-east-1"]),
        (dict(regions=["eu-west-1"], exclude_regions=["eu-west-1"]), None, []),
        ({}, None, []),
    ],
)
def test_target_regions(options, discovered, expected):
    assert target_regions(options, discovered) == expected


# ---------------------------------------------------------------- names, roles, targets


@pytest.mark.parametrize(
    ("options", "acct", "expected"),
    [
        ({}, account("111111111111"), "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"),
        ({}, account(MANAGEMENT), None),  # direct: the caller's own credentials
        (dict(management_account="assume_role"), account(MANAGEMENT), "arn:aws:iam::{}:role/Org".format(MANAGEMENT)),
        (dict(access_role_name="ops/FlowLogs"), account("111111111111"), "arn:aws:iam::111111111111:role/ops/FlowLogs"),
        (
            {},
            account("111111111111", partition="aws-cn"),
            "arn:aws-cn:iam::111111111111:role/OrganizationAccountAccessRole",
        ),
    ],
)
def test_access_role_arn(options, acct, expected):
    if options.get("management_account") == "assume_role":
        options = dict(options, access_role_name="Org")
    assert access_role_arn(acct, options, MANAGEMENT) == expected


@pytest.mark.parametrize(
    ("template", "name", "expected"),
    [
        (None, "prod", "acct-111111111111-eu-west-1"),
        ("{account_name}-{region}", "Prod Account (EU)", "prod-account-eu-eu-west-1"),
        ("{account_name}_{region}", "Ünïcode", "n-code_eu-west-1"),
        ("{region}.{account_id}", "x", "eu-west-1.111111111111"),
    ],
)
def test_host_name(template, name, expected):
    assert host_name(template, account("111111111111", name), "eu-west-1") == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("region_eu-west-1", "region_eu_west_1"), ("account_111111111111", "account_111111111111"), ("a.b c", "a_b_c")],
)
def test_safe_group_name(raw, expected):
    assert safe_group_name(raw) == expected


def fetched(accounts, regions=None, **extra):
    found = dict(management_account_id=MANAGEMENT, accounts=accounts, regions=regions or {}, errors={})
    found.update(extra)
    return found


def test_build_targets_one_host_per_account_and_region():
    data = fetched(
        [account(MANAGEMENT, "management"), account("111111111111", "prod", tags={"env": "prod"})],
        regions={MANAGEMENT: ["us-east-1"], "111111111111": ["us-east-1", "eu-west-1"]},
    )
    targets = build_targets(data, dict(endpoint_url="http://127.0.0.1:5000", access_role_external_id="ext"))
    assert [t["name"] for t in targets] == [
        "acct-111111111111-eu-west-1",
        "acct-111111111111-us-east-1",
        "acct-123456789012-us-east-1",
    ]
    prod_eu = targets[0]
    assert prod_eu["vars"] == dict(
        flow_logs_region="eu-west-1",
        flow_logs_account_id="111111111111",
        flow_logs_account_name="prod",
        flow_logs_assume_role_arn="arn:aws:iam::111111111111:role/OrganizationAccountAccessRole",
        flow_logs_assume_role_external_id="ext",
        flow_logs_endpoint_url="http://127.0.0.1:5000",
        flow_logs_account_tags={"env": "prod"},
    )
    assert prod_eu["groups"] == ["flow_logs_targets", "account_111111111111", "region_eu_west_1"]
    management = targets[2]["vars"]
    assert "flow_logs_aws_ca_bundle" not in management and "flow_logs_validate_certs" not in management
    assert "flow_logs_assume_role_arn" not in management
    assert "flow_logs_assume_role_external_id" not in management
    assert "flow_logs_account_tags" not in management  # tags were not read


def test_tls_options_reach_the_targets():
    data = fetched([account(MANAGEMENT, "management")], regions={MANAGEMENT: ["us-east-1"]})
    options = dict(aws_ca_bundle="/etc/pki/corp.pem", validate_certs=False)
    found = build_targets(data, options)[0]["vars"]
    assert (found["flow_logs_aws_ca_bundle"], found["flow_logs_validate_certs"]) == ("/etc/pki/corp.pem", False)


def test_build_targets_with_explicit_regions_needs_no_discovery():
    targets = build_targets(fetched([account("111111111111")]), dict(regions=["eu-west-1"]))
    assert [t["name"] for t in targets] == ["acct-111111111111-eu-west-1"]
    assert "flow_logs_endpoint_url" not in targets[0]["vars"]


def test_two_targets_with_one_host_name_fail_naming_hostname_format():
    data = fetched([account("111111111111", "prod"), account("222222222222", "prod")])
    with pytest.raises(ParameterError) as raised:
        build_targets(data, dict(regions=["eu-west-1"], hostname_format="{account_name}-{region}"))
    assert raised.value.option == "hostname_format"
    assert "111111111111 in eu-west-1 and 222222222222 in eu-west-1 would both be host 'prod-eu-west-1'" in str(
        raised.value
    )


def test_drop_unreachable():
    data = fetched([account("111111111111"), account("222222222222")], errors={"222222222222": "AccessDenied"})
    assert ids(drop_unreachable(data)["accounts"]) == ["111111111111"]
    assert drop_unreachable(data)["errors"] == {}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("prod.flowlogs_accounts.yml", True),
        ("flowlogs_accounts.yaml", True),
        ("inventory.yml", False),
        ("flowlogs_accounts.json", False),
        ("missing.flowlogs_accounts.yml", False),
    ],
)
def test_verify_file(tmp_path, path, expected):
    if not path.startswith("missing"):
        (tmp_path / path).write_text("plugin: flowlogs.aws.accounts\n")
    assert InventoryModule().verify_file(str(tmp_path / path)) is expected


# ---------------------------------------------------------------- the Organizations walk, through a Stubber


def _org_account(account_id, name, state="ACTIVE"):
    return dict(
        Id=account_id,
        Arn="arn:aws:organizations::{}:account/{}/{}".format(MANAGEMENT, ORG, account_id),
        Email="{}@example.com".format(name),
        Name=name,
        Status=state,
        State=state,
    )


def _describe_organization(stubber):
    stubber.add_response(
        "describe_organization",
        dict(
            Organization=dict(
                Id=ORG,
                Arn="arn:aws:organizations::{}:organization/{}".format(MANAGEMENT, ORG),
                MasterAccountId=MANAGEMENT,
            )
        ),
        {},
    )


class Targets:
    """``target_clients(role_arn)``: one stubbed EC2 client per role ARN, recording who was asked."""

    def __init__(self, stubbed, answers):
        self.asked = []
        self.clients = {}
        for role_arn, answer in answers.items():
            ec2, stubber = stubbed("ec2")
            if isinstance(answer, str):
                stubber.add_client_error("describe_regions", service_error_code=answer, service_message="denied")
            else:
                stubber.add_response(
                    "describe_regions", dict(Regions=[dict(RegionName=r, OptInStatus="opted-in") for r in answer]), {}
                )
            self.clients[role_arn] = ec2

    def __call__(self, role_arn):
        self.asked.append(role_arn)
        return StubbedClients(ec2=self.clients[role_arn])


def test_walks_ous_recursively_and_reads_tags_of_survivors_only(stubbed):
    org, stubber = stubbed("organizations")
    _describe_organization(stubber)
    # ou-prod holds 111 and the nested ou-prod-eu, which holds 222 (and a suspended 333).
    stubber.add_response(
        "list_accounts_for_parent",
        dict(Accounts=[_org_account("111111111111", "prod")]),
        {"ParentId": "ou-ab12-prod0000"},
    )
    stubber.add_response(
        "list_organizational_units_for_parent",
        dict(OrganizationalUnits=[dict(Id="ou-ab12-eu000000", Name="eu")]),
        {"ParentId": "ou-ab12-prod0000"},
    )
    stubber.add_response(
        "list_accounts_for_parent",
        dict(Accounts=[_org_account("222222222222", "prod-eu"), _org_account("333333333333", "old", "SUSPENDED")]),
        {"ParentId": "ou-ab12-eu000000"},
    )
    stubber.add_response(
        "list_organizational_units_for_parent", dict(OrganizationalUnits=[]), {"ParentId": "ou-ab12-eu000000"}
    )
    stubber.add_response(
        "list_tags_for_resource", dict(Tags=[dict(Key="env", Value="prod")]), {"ResourceId": "111111111111"}
    )
    stubber.add_response(
        "list_tags_for_resource", dict(Tags=[dict(Key="env", Value="dev")]), {"ResourceId": "222222222222"}
    )
    role = "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"
    targets = Targets(stubbed, {role: ["us-east-1", "eu-west-1"]})

    options = dict(organizational_units=["ou-ab12-prod0000"], account_tags={"env": "prod"})
    data = fetch_organization(StubbedClients(organizations=org), targets, options)

    assert ids(data["accounts"]) == ["111111111111"]
    assert data["accounts"][0]["tags"] == {"env": "prod"}
    assert data["regions"] == {"111111111111": ["eu-west-1", "us-east-1"]}
    assert data["errors"] == {}
    assert targets.asked == [role]  # regions discovered only for accounts that passed every filter


def test_accounts_whose_regions_cannot_be_discovered_are_reported(stubbed):
    org, stubber = stubbed("organizations")
    _describe_organization(stubber)
    stubber.add_response(
        "list_accounts",
        dict(Accounts=[_org_account(MANAGEMENT, "management"), _org_account("111111111111", "prod")]),
        {},
    )
    role = "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"
    targets = Targets(stubbed, {None: ["us-east-1"], role: "AccessDenied"})

    data = fetch_organization(StubbedClients(organizations=org), targets, {})

    assert sorted(targets.asked, key=str) == sorted([None, role], key=str)  # the management account: direct
    assert data["regions"] == {MANAGEMENT: ["us-east-1"]}
    assert list(data["errors"]) == ["111111111111"]
    assert "ec2:DescribeRegions failed: AccessDenied: denied" in data["errors"]["111111111111"]
    assert [t["name"] for t in build_targets(drop_unreachable(data), {})] == ["acct-123456789012-us-east-1"]


def test_explicit_regions_need_no_call_in_the_accounts(stubbed):
    org, stubber = stubbed("organizations")
    _describe_organization(stubber)
    stubber.add_response("list_accounts", dict(Accounts=[_org_account("111111111111", "prod")]), {})
    targets = Targets(stubbed, {})
    data = fetch_organization(StubbedClients(organizations=org), targets, dict(regions=["eu-west-1"]))
    assert targets.asked == []
    assert data["regions"] == {}
    assert [t["name"] for t in build_targets(data, dict(regions=["eu-west-1"]))] == ["acct-111111111111-eu-west-1"]


@pytest.mark.parametrize(
    ("option", "configured", "expected"),
    [
        ("eu-west-1", "cn-north-1", "eu-west-1"),  # the option (or AWS_REGION) wins
        (None, "cn-north-1", "cn-north-1"),  # China credentials: their profile's region, not us-east-1
        (None, "us-gov-west-1", "us-gov-west-1"),
        (None, None, "us-east-1"),
    ],
)
def test_the_inventory_region_follows_the_partition_of_the_configuration(option, configured, expected):
    assert accounts_inventory.inventory_region(option, configured) == expected
