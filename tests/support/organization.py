"""An AWS Organization in moto server for the flowlogs.aws.accounts inventory tests.

moto assigns member accounts random 12-digit ids; STS AssumeRole into any id works there (the role need not
exist), so the accounts are seeded through ``fleet.session`` exactly like the hand-written fleet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import boto3

from tests.support import fleet

MANAGEMENT = "123456789012"  # moto's default account: the caller's credentials land there


@dataclass
class Organization:
    root_id: str
    prod_ou: str
    nested_ou: str
    sandbox_ou: str
    #: account name -> id, management account included under "management".
    accounts: dict = field(default_factory=dict)
    #: account id -> the name Organizations has for it (moto calls the management account "master").
    names: dict = field(default_factory=dict)
    suspended: list = field(default_factory=list)

    def ids(self, *names):
        return [self.accounts[n] for n in names]


def create(url, region="us-east-1"):
    """Management account + 6 members: prod-a, prod-b (in OU prod), prod-eu (in OU prod/eu),
    sandbox (OU sandbox), shared (root, tagged), closed (root, CloseAccount -> SUSPENDED).

    Tags: prod-a env=prod, prod-b env=prod team=net, prod-eu env=prod, shared env=shared, sandbox env=dev.
    """
    org = boto3.client("organizations", endpoint_url=url, region_name=region, **fleet.FAKE)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    prod = org.create_organizational_unit(ParentId=root, Name="prod")["OrganizationalUnit"]["Id"]
    nested = org.create_organizational_unit(ParentId=prod, Name="eu")["OrganizationalUnit"]["Id"]
    sandbox = org.create_organizational_unit(ParentId=root, Name="sandbox")["OrganizationalUnit"]["Id"]
    found = Organization(root, prod, nested, sandbox, accounts={"management": MANAGEMENT})
    layout = [
        ("prod-a", prod, {"env": "prod"}),
        ("prod-b", prod, {"env": "prod", "team": "net"}),
        ("prod-eu", nested, {"env": "prod"}),
        ("sandbox", sandbox, {"env": "dev"}),
        ("shared", None, {"env": "shared"}),
        ("closed", None, {"env": "prod"}),
    ]
    for name, parent, tags in layout:
        status = org.create_account(
            AccountName=name,
            Email="{}@example.com".format(name),
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )["CreateAccountStatus"]
        account_id = status["AccountId"]
        found.accounts[name] = account_id
        if parent:
            org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
    org.close_account(AccountId=found.accounts["closed"])
    found.suspended.append(found.accounts["closed"])
    found.names = {a["Id"]: a["Name"] for a in org.list_accounts()["Accounts"]}
    return found


def seed_vpcs(url, accounts, regions, per_target=1):
    """``per_target`` VPCs in each account x region; returns {(account, region): [vpc ids]} (default VPC too)."""
    planted = {}
    for a_index, account in enumerate(accounts):
        for r_index, region in enumerate(regions):
            ec2 = fleet.session(url, account, region).client("ec2", endpoint_url=url)
            for i in range(per_target):
                ec2.create_vpc(CidrBlock="10.{}.{}.0/24".format(a_index * 10 + r_index, i))
            planted[(account, region)] = sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"])
    return planted
