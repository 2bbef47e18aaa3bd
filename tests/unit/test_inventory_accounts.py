"""flowlogs.aws.accounts inventory: option checks, account filters, regions (exclusions per account and OU), host
names, groups and vars (pure), and the Organizations walk through botocore's Stubber (OU recursion, tags only for
survivors, unreachable accounts, the probes of skip_denied_regions read with the diagnosis table)."""

from __future__ import annotations

import pytest

from ansible_collections.flowlogs.aws.plugins.inventory.accounts import InventoryModule
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.plugin_utils import _accounts_inventory as accounts_inventory
from ansible_collections.flowlogs.aws.plugins.plugin_utils._accounts_inventory import (
    access_role_arn,
    build_targets,
    drop_unreachable,
    enabled_regions,
    excluded_regions,
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
        (dict(max_concurrency=0), "max_concurrency", "0 is not a whole number of 1 or more"),
        (dict(max_concurrency="8"), "max_concurrency", "'8' is not a whole number"),
        (dict(max_concurrency=True), "max_concurrency", "True is not a whole number"),
        (
            dict(exclude_regions_by_account={"1234": ["eu-west-1"]}),
            "exclude_regions_by_account",
            "'1234' not 12-digit account ids",
        ),
        (  # an unquoted account id is a YAML number
            dict(exclude_regions_by_account={111111111111: ["eu-west-1"]}),
            "exclude_regions_by_account",
            "111111111111 not 12-digit account ids (quote them in YAML)",
        ),
        (
            dict(exclude_regions_by_account={"111111111111": ["eu-west-1", "eu-west"]}),
            "exclude_regions_by_account",
            "111111111111: 'eu-west' not AWS region names",
        ),
        (
            dict(exclude_regions_by_account={"111111111111": "eu-west-1"}),
            "exclude_regions_by_account",
            "111111111111: give a list of region names",
        ),
        (dict(exclude_regions_by_account=["111111111111"]), "exclude_regions_by_account", "give a mapping"),
        (
            dict(exclude_regions_by_ou={"ou-ab12-34cd56ef": ["us-east-1"], "Workloads": ["us-east-1"]}),
            "exclude_regions_by_ou",
            "'Workloads' not organizational unit ids",
        ),
        (
            dict(exclude_regions_by_ou={"ou-ab12-34cd56ef": ["us-east-1", "Frankfurt"]}),
            "exclude_regions_by_ou",
            "ou-ab12-34cd56ef: 'Frankfurt' not AWS region names",
        ),
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
        dict(
            exclude_regions_by_account={"111111111111": ["eu-west-1"], "222222222222": []},
            exclude_regions_by_ou={"ou-ab12-34cd56ef": ["us-west-2", "ap-southeast-2"], "r-ab12": ["sa-east-1"]},
            skip_denied_regions=True,
        ),
        dict(exclude_regions_by_account=None, exclude_regions_by_ou=None),
        dict(max_concurrency=1),
        dict(max_concurrency=32),
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


#: OU ids -> the accounts under them (nested OUs included), as fetch_organization records them: 111 is in OU
#: prod and in prod's nested OU eu, 222 only in prod, 333 in no OU of the options.
OU_ACCOUNTS = {"ou-ab12-prod0000": ["111111111111", "222222222222"], "ou-ab12-eu000000": ["111111111111"]}
EXCLUSIONS = dict(
    exclude_regions=["sa-east-1"],
    exclude_regions_by_account={"222222222222": ["us-west-2"], "999999999999": ["us-east-1"]},
    exclude_regions_by_ou={"ou-ab12-prod0000": ["ap-south-1"], "ou-ab12-eu000000": ["us-east-1"]},
)


@pytest.mark.parametrize(
    ("account_id", "expected"),
    [
        ("111111111111", {"sa-east-1", "ap-south-1", "us-east-1"}),  # its OU and the nested OU it is in
        ("222222222222", {"sa-east-1", "ap-south-1", "us-west-2"}),  # its OU and its own
        ("333333333333", {"sa-east-1"}),  # in no OU of the option: the global exclusions only
    ],
)
def test_excluded_regions_per_account_and_ou(account_id, expected):
    assert excluded_regions(EXCLUSIONS, account_id, OU_ACCOUNTS) == expected


@pytest.mark.parametrize(
    ("options", "account_id", "discovered", "expected"),
    [
        (EXCLUSIONS, "111111111111", ["us-east-1", "eu-west-1", "ap-south-1"], ["eu-west-1"]),
        (EXCLUSIONS, "222222222222", ["us-east-1", "us-west-2", "sa-east-1"], ["us-east-1"]),
        (EXCLUSIONS, "333333333333", ["us-east-1", "us-west-2", "sa-east-1"], ["us-east-1", "us-west-2"]),
        # Explicit regions are excluded per account too.
        (dict(EXCLUSIONS, regions=["us-east-1", "us-west-2"]), "222222222222", None, ["us-east-1"]),
    ],
)
def test_target_regions_of_an_account(options, account_id, discovered, expected):
    assert target_regions(options, discovered, account_id, OU_ACCOUNTS) == expected


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
        flow_logs_delivery_role_owner=True,
    )
    # One owner of the delivery role per account: its first host.
    assert [t["vars"]["flow_logs_delivery_role_owner"] for t in targets] == [True, False, True]
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


def test_build_targets_leaves_out_excluded_and_denied_regions():
    data = fetched(
        [account("111111111111"), account("222222222222"), account("333333333333")],
        regions={a: ["us-east-1", "eu-west-1", "ap-south-1"] for a in ("111111111111", "222222222222", "333333333333")},
        ou_accounts={"ou-ab12-prod0000": ["111111111111", "222222222222"]},
        denied={"222222222222": {"eu-west-1": "ec2:DescribeVpcs denied by a service control policy"}},
    )
    options = dict(
        exclude_regions_by_ou={"ou-ab12-prod0000": ["ap-south-1"]},
        exclude_regions_by_account={"333333333333": ["us-east-1"]},
    )
    assert [t["name"] for t in build_targets(data, options)] == [
        "acct-111111111111-eu-west-1",
        "acct-111111111111-us-east-1",
        "acct-222222222222-us-east-1",
        "acct-333333333333-ap-south-1",
        "acct-333333333333-eu-west-1",
    ]


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

    # One at a time: a Stubber answers in the order its answers were queued.
    options = dict(organizational_units=["ou-ab12-prod0000"], account_tags={"env": "prod"}, max_concurrency=1)
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


# ---------------------------------------------------------------- skip_denied_regions: one probe per account x region

SCP_ARN = "arn:aws:organizations::{}:policy/{}/service_control_policy/p-ctregion".format(MANAGEMENT, ORG)
ROLE_111 = "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"
ROLE_222 = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"


def user(account_id):
    return "arn:aws:sts::{}:assumed-role/OrganizationAccountAccessRole/flowlogs-aws-inventory".format(account_id)


def scp_denied(account_id):
    """EC2's answer to a call an SCP of the organisation denies (Control Tower's region deny)."""
    return (
        "UnauthorizedOperation",
        "You are not authorized to perform this operation. User: {} is not authorized to perform: ec2:DescribeVpcs "
        "with an explicit deny in a service control policy: {}".format(user(account_id), SCP_ARN),
        403,
    )


def not_granted(account_id):
    return (
        "UnauthorizedOperation",
        "You are not authorized to perform this operation. User: {} is not authorized to perform: ec2:DescribeVpcs "
        "because no identity-based policy allows the ec2:DescribeVpcs action".format(user(account_id)),
        403,
    )


#: EC2's answer in a region the account has not enabled (and to credentials it does not know, anywhere).
AUTH_FAILURE = ("AuthFailure", "AWS was not able to validate the provided access credentials", 401)


class AccountClients(StubbedClients):
    """One account's clients for the probes: ``in_region(region)`` gives that region's stubbed EC2 client, which
    answers the probe (DescribeVpcs, MaxResults=5) as ``probes[region]`` says - None: VPCs, else (code, message,
    HTTP status) of AWS's refusal. ``regions``: DescribeRegions' answer, when the regions are discovered.
    ``unassumable``: the AwsError of an access role that cannot be assumed."""

    def __init__(self, stubbed, probes, regions=None, unassumable=None):
        clients = {}
        if regions is not None:
            ec2, stubber = stubbed("ec2")
            stubber.add_response(
                "describe_regions", dict(Regions=[dict(RegionName=r, OptInStatus="opted-in") for r in regions]), {}
            )
            clients["ec2"] = ec2
        super().__init__(**clients)
        self.regional = {region: self._probe(stubbed, answer) for region, answer in probes.items()}
        self.unassumable = unassumable

    @staticmethod
    def _probe(stubbed, answer):
        ec2, stubber = stubbed("ec2")
        if answer is None:
            stubber.add_response("describe_vpcs", dict(Vpcs=[]), dict(MaxResults=5))
        else:
            code, message, status = answer
            stubber.add_client_error("describe_vpcs", code, message, status, expected_params=dict(MaxResults=5))
        return StubbedClients(ec2=ec2)

    def in_region(self, region):
        if self.unassumable:
            raise self.unassumable
        return self.regional[region]  # a KeyError: a region that should not have been probed


def _list_accounts(stubber, *account_ids):
    names = {MANAGEMENT: "management", "111111111111": "prod", "222222222222": "staging"}
    stubber.add_response("list_accounts", dict(Accounts=[_org_account(a, names[a]) for a in account_ids]), {})


def test_skip_denied_regions_leaves_out_what_a_guardrail_denies_and_probes_nothing_excluded(stubbed):
    org, stubber = stubbed("organizations")
    _describe_organization(stubber)
    _list_accounts(stubber, MANAGEMENT, "111111111111", "222222222222")
    # exclude_regions_by_ou: the OU's accounts (111), nested OUs included, before any probe.
    stubber.add_response(
        "list_accounts_for_parent",
        dict(Accounts=[_org_account("111111111111", "prod")]),
        {"ParentId": "ou-ab12-prod0000"},
    )
    stubber.add_response(
        "list_organizational_units_for_parent", dict(OrganizationalUnits=[]), {"ParentId": "ou-ab12-prod0000"}
    )
    discovered = ["us-east-1", "eu-west-1", "af-south-1"]
    accounts = {
        None: AccountClients(stubbed, {r: None for r in discovered}, discovered),  # the management account: direct
        # us-east-1 excluded by its OU; eu-west-1 denied by an SCP (Control Tower's region deny).
        ROLE_111: AccountClients(stubbed, {"eu-west-1": scp_denied("111111111111"), "af-south-1": None}, discovered),
        # eu-west-1 excluded for the account; af-south-1, an opt-in region, not enabled.
        ROLE_222: AccountClients(stubbed, {"us-east-1": None, "af-south-1": AUTH_FAILURE}, discovered),
    }
    options = dict(
        skip_denied_regions=True,
        exclude_regions_by_ou={"ou-ab12-prod0000": ["us-east-1"]},
        exclude_regions_by_account={"222222222222": ["eu-west-1"]},
    )

    data = fetch_organization(StubbedClients(organizations=org), accounts.__getitem__, options)

    assert data["errors"] == {}
    assert data["ou_accounts"] == {"ou-ab12-prod0000": ["111111111111"]}
    assert data["denied"] == {
        "111111111111": {
            "eu-west-1": "ec2:DescribeVpcs denied by a service control policy of the organisation ({})".format(SCP_ARN)
        },
        "222222222222": {"af-south-1": "region af-south-1 is not enabled for account 222222222222"},
    }
    assert [t["name"] for t in build_targets(data, options)] == [
        "acct-111111111111-af-south-1",
        "acct-123456789012-af-south-1",
        "acct-123456789012-eu-west-1",
        "acct-123456789012-us-east-1",
        "acct-222222222222-us-east-1",
    ]


def test_a_probe_refused_for_another_reason_makes_the_account_unreachable(stubbed):
    org, stubber = stubbed("organizations")
    _describe_organization(stubber)
    _list_accounts(stubber, MANAGEMENT, "111111111111", "222222222222")
    unassumable = AwsError("sts:AssumeRole", "AccessDenied", "User: x is not authorized to perform: sts:AssumeRole")
    accounts = {
        None: AccountClients(stubbed, {"eu-west-1": None, "us-east-1": None}),
        # A missing permission, and an unknown token outside the opt-in regions: no guardrail, nothing to skip.
        ROLE_111: AccountClients(stubbed, {"eu-west-1": not_granted("111111111111"), "us-east-1": AUTH_FAILURE}),
        ROLE_222: AccountClients(stubbed, {}, unassumable=unassumable),
    }
    options = dict(regions=["us-east-1", "eu-west-1"], skip_denied_regions=True)

    data = fetch_organization(StubbedClients(organizations=org), accounts.__getitem__, options)

    assert data["denied"] == {}
    assert data["regions"] == {}  # explicit regions: nothing discovered
    assert sorted(data["errors"]) == ["111111111111", "222222222222"]
    first = data["errors"]["111111111111"]
    assert first.startswith("ec2:DescribeVpcs failed in account 111111111111, region eu-west-1: UnauthorizedOperation")
    assert "missing permission: ec2:DescribeVpcs" in first and first.endswith("(and 1 more region(s))")
    assert data["errors"]["222222222222"].startswith("sts:AssumeRole failed: AccessDenied")
    assert [t["name"] for t in build_targets(drop_unreachable(data), options)] == [
        "acct-123456789012-eu-west-1",
        "acct-123456789012-us-east-1",
    ]


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
