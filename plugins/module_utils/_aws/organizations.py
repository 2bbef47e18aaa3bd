# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Organizations: the organization, its accounts, organizational units and tags. Private: may change in
any release."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import call, paginate, tag_dict


def account_from_aws(account):
    # ``State`` replaces the deprecated ``Status`` (same values for ACTIVE and SUSPENDED).
    return dict(
        account_id=account["Id"],
        name=account.get("Name"),
        arn=account.get("Arn"),
        state=account.get("State") or account.get("Status"),
    )


def describe_organization(org):
    """The caller's organization: its id, ARN and management account."""
    found = call(org, "describe_organization", "organizations:DescribeOrganization").get("Organization", {})
    return dict(
        organization_id=found.get("Id"),
        arn=found.get("Arn"),
        management_account_id=found.get("MasterAccountId"),
    )


def list_accounts(org):
    """Every account of the organization (ListAccounts, all pages)."""
    found = paginate(org, "list_accounts", "Accounts", "organizations:ListAccounts")
    return [account_from_aws(a) for a in found]


def list_accounts_for_parent(org, parent_id):
    """Accounts directly under a root or an organizational unit."""
    found = paginate(
        org,
        "list_accounts_for_parent",
        "Accounts",
        "organizations:ListAccountsForParent",
        parent_id,
        ParentId=parent_id,
    )
    return [account_from_aws(a) for a in found]


def list_child_ou_ids(org, parent_id):
    """Ids of the organizational units directly under a root or an organizational unit."""
    found = paginate(
        org,
        "list_organizational_units_for_parent",
        "OrganizationalUnits",
        "organizations:ListOrganizationalUnitsForParent",
        parent_id,
        ParentId=parent_id,
    )
    return [ou["Id"] for ou in found]


def list_account_tags(org, account_id):
    found = paginate(
        org, "list_tags_for_resource", "Tags", "organizations:ListTagsForResource", account_id, ResourceId=account_id
    )
    return tag_dict(found)
