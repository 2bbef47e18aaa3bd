# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flowlogs.aws.accounts inventory: which accounts and regions of an AWS Organization become targets.

Pure decisions (option checks, account filters, enabled regions, host names, groups, host vars) are plain
functions over plain data; ``fetch_organization`` is the only part that calls AWS, through aws_api.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import ec2 as ec2_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import organizations as organizations_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import (
    AwsError,
    ParameterError,
    raise_first,
    run_checks,
)

ACCESS_ROLE = "OrganizationAccountAccessRole"
DEFAULT_HOSTNAME_FORMAT = "acct-{account_id}-{region}"
HOSTNAME_FIELDS = ("account_id", "account_name", "region")
#: How the organization's management account becomes targets: with the playbook's own credentials (it has
#: no OrganizationAccountAccessRole), through the access role like the members, or not at all.
MANAGEMENT_MODES = ("direct", "assume_role", "exclude")
#: DescribeRegions statuses of regions the account can use.
ENABLED_OPT_IN = ("opt-in-not-required", "opted-in")
TARGETS_GROUP = "flow_logs_targets"
#: Region discovery is one AssumeRole and one DescribeRegions per account: run a few accounts at once.
DISCOVERY_WORKERS = 8

ACCOUNT_ID = re.compile(r"^\d{12}$")
PARENT_ID = re.compile(r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
ROLE_NAME = re.compile(r"^([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
UNSAFE_HOST_CHARS = re.compile(r"[^A-Za-z0-9_.\-]+")
UNSAFE_GROUP_CHARS = re.compile(r"[^A-Za-z0-9_]")


def _strings(value, option):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParameterError(option, "give a list of strings")
    return value


#: (option, pattern, what a good value is) for the options that list ids.
ID_OPTIONS = (
    ("regions", REGION, "AWS region names (for example eu-west-1)"),
    ("exclude_regions", REGION, "AWS region names (for example eu-west-1)"),
    ("accounts", ACCOUNT_ID, "12-digit account ids (quote them in YAML)"),
    ("exclude_accounts", ACCOUNT_ID, "12-digit account ids (quote them in YAML)"),
    ("organizational_units", PARENT_ID, "organizational unit ids (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)"),
)


def _validate_ids(options):
    for option, pattern, good in ID_OPTIONS:
        bad = [v for v in _strings(options.get(option), option) if not pattern.match(v)]
        if bad:
            raise ParameterError(option, "{} not {}".format(", ".join(map(repr, bad)), good))


def _check_account_tags(options):
    if not isinstance(options.get("account_tags") or {}, dict):
        raise ParameterError("account_tags", "give a mapping of tag key to a value or a list of values")


def _check_access_role(options):
    role = options.get("access_role_name") or ACCESS_ROLE
    if not ROLE_NAME.match(role):
        raise ParameterError("access_role_name", "{!r} is not an IAM role name (optionally with a path)".format(role))


def _check_management_account(options):
    mode = options.get("management_account") or "direct"
    if mode not in MANAGEMENT_MODES:
        raise ParameterError(
            "management_account", "{!r} is not allowed; use one of {}".format(mode, ", ".join(MANAGEMENT_MODES))
        )


def _check_hostname_format(options):
    template = options.get("hostname_format") or DEFAULT_HOSTNAME_FORMAT
    try:
        template.format(account_id="1", account_name="n", region="r")
    except (KeyError, IndexError, ValueError) as exc:
        raise ParameterError(
            "hostname_format",
            "{!r} is not a format with only {}: {}".format(
                template, ", ".join("{" + f + "}" for f in HOSTNAME_FIELDS), exc
            ),
        ) from exc
    if "{region}" not in template:
        raise ParameterError(
            "hostname_format", "{!r} must contain {{region}}: one host per account and region".format(template)
        )


OPTION_CHECKS = (
    _validate_ids,
    _check_account_tags,
    _check_access_role,
    _check_management_account,
    _check_hostname_format,
)


def validate_options(options):
    """Check the inventory file's options before any AWS call; the message names the option."""
    raise_first(run_checks(OPTION_CHECKS, options))


def tag_matches(tags, wanted):
    """Every key of ``wanted`` is on the account with the value (or one of the values) asked for."""
    for key, values in (wanted or {}).items():
        allowed = values if isinstance(values, list) else [values]
        if tags.get(str(key)) not in [str(v) for v in allowed]:
            return False
    return True


def select_accounts(accounts, options, management_account_id=None, tags_known=False):
    """The ACTIVE accounts the options keep, sorted by id, without duplicates.

    Account-tag filters apply only once ``tags_known`` (the tags are fetched for the survivors only).
    """
    only, excluded = set(options.get("accounts") or []), _excluded_ids(options, management_account_id)
    kept = {}
    for account in accounts:
        if not _active_and_listed(account, only, excluded):
            continue
        if tags_known and not tag_matches(account.get("tags") or {}, options.get("account_tags")):
            continue
        kept[account["account_id"]] = account
    return [kept[k] for k in sorted(kept)]


def _excluded_ids(options, management_account_id):
    """exclude_accounts, and the management account when management_account is exclude."""
    excluded = set(options.get("exclude_accounts") or [])
    if (options.get("management_account") or "direct") == "exclude" and management_account_id:
        excluded.add(management_account_id)
    return excluded


def _active_and_listed(account, only, excluded):
    """ACTIVE, not excluded, and among ``only`` when it names accounts."""
    account_id = account["account_id"]
    return account.get("state") == "ACTIVE" and account_id not in excluded and (not only or account_id in only)


def needs_tags(options):
    return bool(options.get("account_tags")) or bool(options.get("with_account_tags"))


#: Where Organizations answers when nothing says otherwise: the commercial partition.
DEFAULT_REGION = "us-east-1"


def inventory_region(option, configured):
    """The region of the inventory's own calls: the option (or AWS_REGION / AWS_DEFAULT_REGION), else the
    region the profile configures - credentials of aws-cn or aws-us-gov come with a region of their partition -
    else us-east-1."""
    return option or configured or DEFAULT_REGION


def region_partition(region):
    """The partition a region belongs to (cn-north-1 -> aws-cn, us-gov-west-1 -> aws-us-gov, ...)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    iso = re.match(r"^[a-z]{2}-iso([a-z]?)-", region)
    if iso:
        return "aws-iso-" + iso.group(1) if iso.group(1) else "aws-iso"
    return "aws"


def enabled_regions(described, partition="aws"):
    """Regions the account can use, from DescribeRegions: enabled and in the account's partition (moto also
    answers with regions not opted in and regions of other partitions)."""
    return sorted(
        r["region"]
        for r in described
        if r.get("opt_in_status") in (None, *ENABLED_OPT_IN) and region_partition(r["region"]) == partition
    )


def target_regions(options, discovered=None):
    """Explicit ``regions`` (as given), else the discovered ones; minus ``exclude_regions``."""
    regions = options.get("regions") or discovered or []
    excluded = set(options.get("exclude_regions") or [])
    return sorted(set(r for r in regions if r not in excluded))


def partition_of(arn):
    parts = (arn or "").split(":")
    return parts[1] if len(parts) > 2 and parts[1] else "aws"


def access_role_arn(account, options, management_account_id=None):
    """The role a target assumes, or None for the management account reached with the caller's credentials."""
    if account["account_id"] == management_account_id and (options.get("management_account") or "direct") == "direct":
        return None
    return "arn:{}:iam::{}:role/{}".format(
        partition_of(account.get("arn")), account["account_id"], options.get("access_role_name") or ACCESS_ROLE
    )


def safe_host_name(name):
    return re.sub(r"-{2,}", "-", UNSAFE_HOST_CHARS.sub("-", name)).strip("-").lower()


def safe_group_name(name):
    return UNSAFE_GROUP_CHARS.sub("_", name).lower()


def host_name(template, account, region):
    return safe_host_name(
        (template or DEFAULT_HOSTNAME_FORMAT).format(
            account_id=account["account_id"], account_name=account.get("name") or account["account_id"], region=region
        )
    )


def host_vars(account, region, options, management_account_id=None):
    found = dict(
        flow_logs_region=region,
        flow_logs_account_id=account["account_id"],
        flow_logs_account_name=account.get("name"),
    )
    role_arn = access_role_arn(account, options, management_account_id)
    if role_arn:
        found["flow_logs_assume_role_arn"] = role_arn
        if options.get("access_role_external_id"):
            found["flow_logs_assume_role_external_id"] = options["access_role_external_id"]
    if options.get("endpoint_url"):
        found["flow_logs_endpoint_url"] = options["endpoint_url"]
    if options.get("aws_ca_bundle"):
        found["flow_logs_aws_ca_bundle"] = options["aws_ca_bundle"]
    if options.get("validate_certs") is False:
        found["flow_logs_validate_certs"] = False
    if "tags" in account:
        found["flow_logs_account_tags"] = dict(account["tags"])
    return found


def build_targets(fetched, options):
    """One host per account x region: [{name, vars, groups}], sorted by name.

    Raises ParameterError (naming ``hostname_format``) when two targets would get the same host name.
    """
    management = fetched.get("management_account_id")
    regions_by_account = fetched.get("regions") or {}
    targets, seen = [], {}
    for account in fetched.get("accounts") or []:
        for region in target_regions(options, regions_by_account.get(account["account_id"])):
            name = host_name(options.get("hostname_format"), account, region)
            where = "{} in {}".format(account["account_id"], region)
            if name in seen:
                raise ParameterError(
                    "hostname_format",
                    "{} and {} would both be host {!r}; include {{account_id}} in the format".format(
                        seen[name], where, name
                    ),
                )
            seen[name] = where
            targets.append(
                dict(
                    name=name,
                    vars=host_vars(account, region, options, management),
                    groups=[
                        TARGETS_GROUP,
                        safe_group_name("account_" + account["account_id"]),
                        safe_group_name("region_" + region),
                    ],
                )
            )
    return sorted(targets, key=lambda t: t["name"])


# ---------------------------------------------------------------- the calls (through aws_api)


def accounts_under(org, parent_ids):
    """Accounts under roots/OUs, down through every nested OU (ListAccountsForParent, recursively)."""
    found, queue, visited = {}, list(parent_ids), set()
    while queue:
        parent = queue.pop(0)
        if parent in visited:
            continue
        visited.add(parent)
        for account in organizations_api.list_accounts_for_parent(org, parent):
            found[account["account_id"]] = account
        queue.extend(organizations_api.list_child_ou_ids(org, parent))
    return list(found.values())


def discover_regions(target_clients, accounts, management_account_id, options):
    """Enabled regions per account (AssumeRole + DescribeRegions in each), and the accounts that failed."""

    def one(account):
        clients = target_clients(access_role_arn(account, options, management_account_id))
        try:
            described = ec2_api.describe_regions(clients("ec2"))
            return account["account_id"], enabled_regions(described, partition_of(account.get("arn"))), None
        except AwsError as exc:
            return account["account_id"], None, str(exc)

    regions, errors = {}, {}
    with ThreadPoolExecutor(max_workers=max(1, min(DISCOVERY_WORKERS, len(accounts)))) as pool:
        for account_id, found, error in pool.map(one, accounts):
            if error:
                errors[account_id] = error
            else:
                regions[account_id] = found
    return regions, errors


def fetch_organization(org_clients, target_clients, options):
    """What the inventory needs from AWS, as plain data (this is what the inventory cache keeps).

    ``org_clients``: clients for the Organizations calls. ``target_clients(role_arn)``: clients in one
    account (role_arn None: the caller's own credentials), for region discovery.
    """
    validate_options(options)
    org = org_clients("organizations")
    organization = organizations_api.describe_organization(org)
    management = organization["management_account_id"]
    parents = options.get("organizational_units") or []
    accounts = accounts_under(org, parents) if parents else organizations_api.list_accounts(org)
    accounts = select_accounts(accounts, options, management)
    if needs_tags(options):
        for account in accounts:
            account["tags"] = organizations_api.list_account_tags(org, account["account_id"])
        accounts = select_accounts(accounts, options, management, tags_known=True)
    regions, errors = {}, {}
    if not options.get("regions") and accounts:
        regions, errors = discover_regions(target_clients, accounts, management, options)
    return dict(
        organization_id=organization["organization_id"],
        management_account_id=management,
        accounts=accounts,
        regions=regions,
        errors=errors,
    )


def drop_unreachable(fetched):
    """The fetched data without the accounts whose regions could not be discovered."""
    failed = set(fetched.get("errors") or {})
    return dict(fetched, accounts=[a for a in fetched["accounts"] if a["account_id"] not in failed], errors={})
