# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flowlogs.aws.accounts inventory: which accounts and regions of an AWS Organization become targets.

Pure decisions (option checks, account filters, enabled and excluded regions, host names, groups, host vars) are
plain functions over plain data; ``fetch_organization`` is the only part that calls AWS, through aws_api: the
Organizations walk, then in each account (through its access role) region discovery and, with
``skip_denied_regions``, one probe per region that tells a region a guardrail of the organisation denies (a service
control policy, a region not enabled) from one that works - read with the collection's diagnosis table.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

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
#: Default of max_concurrency: how many per-account calls run at once. Region discovery (one AssumeRole and one
#: DescribeRegions per account) and the probes (one DescribeVpcs per account and region) each count against the quotas
#: of their own account, well within EC2's and STS's request rates at 8. ListTagsForResource (one per account) all
#: count against the caller's account: Organizations throttles each caller account per operation at a low rate
#: ("Quotas for AWS Organizations", docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
#: #throttling-limits; ListRoots, for one, 1 request a second with a burst of 2) and answers TooManyRequestsException,
#: which botocore's retry modes back off and retry (10 attempts); 8 at ~50-100 ms a call offer at most ~80-160
#: requests a second, which the backoff brings down to Organizations' rate: retries, not failures.
DEFAULT_CONCURRENCY = 8

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


#: (option, pattern of a key, what a key is, what a good key is) for the options that map an account or OU to the
#: regions to leave out of it.
EXCLUSION_OPTIONS = (
    ("exclude_regions_by_account", ACCOUNT_ID, "account id", "12-digit account ids (quote them in YAML)"),
    (
        "exclude_regions_by_ou",
        PARENT_ID,
        "OU id",
        "organizational unit ids (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)",
    ),
)


def _check_region_exclusions(options):
    for option, pattern, key_name, good in EXCLUSION_OPTIONS:
        exclusions = options.get(option) or {}
        if not isinstance(exclusions, dict):
            raise ParameterError(option, "give a mapping of {} to a list of region names".format(key_name))
        bad = [k for k in exclusions if not isinstance(k, str) or not pattern.match(k)]
        if bad:
            raise ParameterError(option, "{} not {}".format(", ".join(map(repr, bad)), good))
        for key, regions in exclusions.items():
            _check_excluded_regions(option, key, regions)


def _check_excluded_regions(option, key, regions):
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise ParameterError(option, "{}: give a list of region names".format(key))
    bad = [r for r in regions if not REGION.match(r)]
    if bad:
        raise ParameterError(
            option, "{}: {} not AWS region names (for example eu-west-1)".format(key, ", ".join(map(repr, bad)))
        )


def _check_concurrency(options):
    value = options.get("max_concurrency")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ParameterError("max_concurrency", "{!r} is not a whole number of 1 or more".format(value))


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
    _check_region_exclusions,
    _check_account_tags,
    _check_access_role,
    _check_management_account,
    _check_hostname_format,
    _check_concurrency,
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


def excluded_regions(options, account_id=None, ou_accounts=None):
    """The regions an account is never a target in: ``exclude_regions``, its own in ``exclude_regions_by_account``, and
    those of every OU of ``exclude_regions_by_ou`` it is under (``ou_accounts``: OU id -> ids of the accounts under it,
    nested OUs included)."""
    excluded = set(options.get("exclude_regions") or [])
    excluded.update((options.get("exclude_regions_by_account") or {}).get(account_id) or [])
    for ou_id, regions in (options.get("exclude_regions_by_ou") or {}).items():
        if account_id in (ou_accounts or {}).get(ou_id, ()):
            excluded.update(regions or [])
    return excluded


def target_regions(options, discovered=None, account_id=None, ou_accounts=None):
    """Explicit ``regions`` (as given), else the discovered ones; minus the account's exclusions (excluded_regions)."""
    regions = options.get("regions") or discovered or []
    excluded = excluded_regions(options, account_id, ou_accounts)
    return sorted(set(r for r in regions if r not in excluded))


def account_regions(fetched, options, account_id):
    """The regions an account is a target in: target_regions, without those a guardrail denies (the probe's)."""
    denied = (fetched.get("denied") or {}).get(account_id) or {}
    discovered = (fetched.get("regions") or {}).get(account_id)
    regions = target_regions(options, discovered, account_id, fetched.get("ou_accounts"))
    return [r for r in regions if r not in denied]


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
    targets, seen = [], {}
    for account in fetched.get("accounts") or []:
        for region in account_regions(fetched, options, account["account_id"]):
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
    return _with_role_owners(sorted(targets, key=lambda t: t["name"]))


def _with_role_owners(targets):
    """The first target of each account (in host order) owns its delivery role: flow_logs_delivery_role_owner is
    true there and false on the account's other targets, so that an AWX sliced job converges it once."""
    seen = set()
    for target in targets:
        account = target["vars"]["flow_logs_account_id"]
        target["vars"]["flow_logs_delivery_role_owner"] = account not in seen
        seen.add(account)
    return targets


# ---------------------------------------------------------------- the calls (through aws_api)


class OrgTree:
    """The organization's roots and OUs as far as walked, each listed once (ListAccountsForParent and
    ListOrganizationalUnitsForParent) however many walks pass it: organizational_units and exclude_regions_by_ou."""

    def __init__(self, org):
        self.org = org
        self._listed = {}

    def _children(self, parent):
        """(accounts, child OU ids) directly under a root or OU."""
        if parent not in self._listed:
            self._listed[parent] = (
                organizations_api.list_accounts_for_parent(self.org, parent),
                organizations_api.list_child_ou_ids(self.org, parent),
            )
        return self._listed[parent]

    def accounts_under(self, parent_ids):
        """Accounts under roots/OUs, down through every nested OU."""
        found, queue, visited = {}, list(parent_ids), set()
        while queue:
            parent = queue.pop(0)
            if parent in visited:
                continue
            visited.add(parent)
            accounts, child_ous = self._children(parent)
            found.update((a["account_id"], dict(a)) for a in accounts)
            queue.extend(child_ous)
        return list(found.values())

    def account_ids_under(self, parent_id):
        return sorted(a["account_id"] for a in self.accounts_under([parent_id]))


@dataclass(frozen=True)
class Probe:
    """One probe of skip_denied_regions: DescribeVpcs in one account and region, through the account's clients there
    (``assumed``: through its access role, not the caller's own credentials)."""

    account_id: str
    region: str
    clients: object
    assumed: bool = False


def reach_account(target_clients, account, options, management_account_id, ou_accounts=None):
    """One account through its access role: its enabled regions (DescribeRegions; None with ``regions``) and, with
    ``skip_denied_regions``, a Probe for each region it would be a target in - the role is assumed once and its
    session serves every region. Raises AwsError."""
    role_arn = access_role_arn(account, options, management_account_id)
    clients = target_clients(role_arn)
    discovered = None
    if not options.get("regions"):
        discovered = enabled_regions(ec2_api.describe_regions(clients("ec2")), partition_of(account.get("arn")))
    if not options.get("skip_denied_regions"):
        return discovered, []
    account_id = account["account_id"]
    regions = target_regions(options, discovered, account_id, ou_accounts)
    return discovered, [Probe(account_id, r, clients.in_region(r), bool(role_arn)) for r in regions]


def concurrency(options):
    """How many per-account calls run at once (max_concurrency)."""
    value = options.get("max_concurrency")
    return DEFAULT_CONCURRENCY if value is None else value


def in_order(work, items, workers):
    """[work(item) for item in items], at most ``workers`` at once, in the items' order whatever order they finish in.

    An exception is raised as the loop would raise it: the first in the items' order (the calls not started yet are
    cancelled; those under way finish - reads only). One worker, or one item: the plain loop, no thread.
    """
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        futures = [pool.submit(work, item) for item in items]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def run_probe(probe):
    """None when the probe's DescribeVpcs passes, else AWS's refusal (an AwsError located in the probe's account and
    region, which its diagnosis needs: an unrecognised token means "not enabled" only in an opt-in region)."""
    try:
        ec2_api.probe_vpcs(probe.clients("ec2"))
        return None
    except AwsError as exc:
        exc.assumed = probe.assumed
        return exc.locate(probe.account_id, probe.region)


def judge_probes(probes, outcomes):
    """(denied, errors) from the probes and their outcomes (run_probe's). A region a guardrail of the organisation
    denies - an explicit deny of a service or resource control policy, a region not enabled, as the diagnosis table
    reads AWS's answer (AwsError.denied) - is denied: {account: {region: cause}}. Any other error makes its account
    unreachable: {account: its first error, with how many more regions failed}."""
    denied, failed = {}, {}
    for probe, exc in zip(probes, outcomes):
        if exc is None:
            continue
        if exc.denied:
            denied.setdefault(probe.account_id, {})[probe.region] = exc.diagnosis.cause
        else:
            failed.setdefault(probe.account_id, []).append(str(exc))
    errors = {
        account_id: messages[0] + (" (and {} more region(s))".format(len(messages) - 1) if messages[1:] else "")
        for account_id, messages in failed.items()
    }
    return denied, errors


def read_accounts(target_clients, accounts, management_account_id, options, ou_accounts=None):
    """The calls in the accounts, max_concurrency at once (reach_account in each, then every probe): (regions
    discovered, regions denied, errors), each keyed by account id. An account that could not be reached is not
    probed."""

    def reach(account):
        try:
            found = reach_account(target_clients, account, options, management_account_id, ou_accounts)
            return account["account_id"], found, None
        except AwsError as exc:
            return account["account_id"], (None, []), str(exc)

    workers = concurrency(options)
    regions, errors, probes = {}, {}, []
    for account_id, (discovered, found), error in in_order(reach, accounts, workers):
        if error:
            errors[account_id] = error
            continue
        if discovered is not None:
            regions[account_id] = discovered
        probes.extend(found)
    denied, failed = judge_probes(probes, in_order(run_probe, probes, workers))
    errors.update(failed)
    return regions, denied, errors


def _listed_accounts(org, tree, options):
    """The organization's accounts, or those under ``organizational_units``."""
    parents = options.get("organizational_units") or []
    return tree.accounts_under(parents) if parents else organizations_api.list_accounts(org)


def _tagged(org, accounts, options, management):
    """The accounts with their tags read, without those account_tags leaves out (as they are, without tags)."""
    if not needs_tags(options):
        return accounts

    def tags_of(account):
        return organizations_api.list_account_tags(org, account["account_id"])

    # One ListTagsForResource per account, max_concurrency at once on the one (thread-safe) client; a failure fails
    # the inventory as the loop did, with the first failing account's error.
    for account, tags in zip(accounts, in_order(tags_of, accounts, concurrency(options))):
        account["tags"] = tags
    return select_accounts(accounts, options, management, tags_known=True)


def fetch_organization(org_clients, target_clients, options):
    """What the inventory needs from AWS, as plain data (this is what the inventory cache keeps).

    ``org_clients``: clients for the Organizations calls. ``target_clients(role_arn)``: clients in one
    account (role_arn None: the caller's own credentials), for region discovery and the probes (``in_region``).
    """
    validate_options(options)
    org = org_clients("organizations")
    organization = organizations_api.describe_organization(org)
    management = organization["management_account_id"]
    tree = OrgTree(org)
    accounts = select_accounts(_listed_accounts(org, tree, options), options, management)
    accounts = _tagged(org, accounts, options, management)
    # Which accounts each OU of exclude_regions_by_ou holds: an account's region exclusions, before any probe.
    ou_accounts = {ou: tree.account_ids_under(ou) for ou in sorted(options.get("exclude_regions_by_ou") or {})}
    regions, denied, errors = {}, {}, {}
    if accounts and (not options.get("regions") or options.get("skip_denied_regions")):
        regions, denied, errors = read_accounts(target_clients, accounts, management, options, ou_accounts)
    return dict(
        organization_id=organization["organization_id"],
        management_account_id=management,
        accounts=accounts,
        regions=regions,
        ou_accounts=ou_accounts,
        denied=denied,
        errors=errors,
    )


def drop_unreachable(fetched):
    """The fetched data without the accounts whose regions could not be discovered or probed."""
    failed = set(fetched.get("errors") or {})
    return dict(fetched, accounts=[a for a in fetched["accounts"] if a["account_id"] not in failed], errors={})
