# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: accounts
short_description: One flow-logs target per account x region of an AWS Organization
version_added: 1.0.0
description:
  - Builds the inventory the P(flowlogs.aws.flow_logs#role) role and the C(enable_flowlogs.yml),
    C(audit_flowlogs.yml) and C(disable_flowlogs.yml) playbooks expect - one host per account and region -
    from AWS Organizations, instead of a hand-written list that falls behind as accounts come and go.
  - Accounts come from C(organizations:ListAccounts), or with O(organizational_units) from
    C(organizations:ListAccountsForParent) under those OUs and every OU nested in them. Only C(ACTIVE)
    accounts are kept (suspended, closed and pending accounts never become targets).
  - Regions are O(regions) when given. Otherwise every region enabled for each account, found with
    C(ec2:DescribeRegions) after assuming the access role in that account (regions that need an opt-in
    count only once opted in). That is one C(sts:AssumeRole) and one C(ec2:DescribeRegions) per account.
    C(account:ListRegions) would need only the management account but needs trusted access for AWS
    Account Management, so it is not used.
  - "Each host gets: C(flow_logs_region), C(flow_logs_account_id), C(flow_logs_account_name),
    C(flow_logs_assume_role_arn) (C(arn:aws:iam::<account>:role/<access_role_name>); not set for the
    management account with O(management_account=direct)), C(flow_logs_assume_role_external_id) when
    O(access_role_external_id) is set, C(flow_logs_endpoint_url) when O(endpoint_url) is set,
    C(flow_logs_aws_ca_bundle) when O(aws_ca_bundle) is set, C(flow_logs_validate_certs) when O(validate_certs=false)
    and
    C(flow_logs_account_tags) when tags were read (O(account_tags) or O(with_account_tags)), and
    C(flow_logs_delivery_role_owner) - true on the first host of each account (in host name order), false on the
    others, so that the account's delivery role is converged by one target even when an AWX sliced job runs the
    account's targets on different nodes."
  - "Groups: C(flow_logs_targets) (every host; it sets C(ansible_connection=local)), C(account_<id>) and
    C(region_<region>) with C(-) turned into C(_), for example C(region_eu_west_1). O(compose), O(groups)
    and O(keyed_groups) add more."
  - The inventory file name must end with C(flowlogs_accounts.yml) or C(flowlogs_accounts.yaml).
author:
  - flowlogs.aws maintainers (@flowlogs)
options:
  plugin:
    description: Marks the file as this plugin's configuration.
    type: str
    required: true
    choices: [flowlogs.aws.accounts]
  regions:
    description:
      - Regions of every account. When empty, every region enabled in each account (see above).
    type: list
    elements: str
    default: []
  exclude_regions:
    description:
      - Regions never to make targets of, whether listed or discovered, in any account.
      - O(exclude_regions_by_account) and O(exclude_regions_by_ou) leave regions out of some accounts only.
    type: list
    elements: str
    default: []
  exclude_regions_by_account:
    description:
      - Regions never to make targets of in one account, as a mapping of account id (a string - quote it in YAML) to a
        list of regions, added to O(exclude_regions) for that account.
      - Every account id and region is checked before any AWS call; an account that is not in the inventory is
        ignored.
    type: dict
    default: {}
    version_added: 2.0.0
  exclude_regions_by_ou:
    description:
      - Regions never to make targets of in the accounts under an organizational unit (C(ou-xxxx-xxxxxxxx)) or root
        (C(r-xxxx)), as a mapping of OU id to a list of regions, added to O(exclude_regions) for every account under
        that OU and every OU nested in it - for example the regions outside those Control Tower governs, for the OUs
        its region deny control applies to.
      - The OUs are walked with C(organizations:ListAccountsForParent) and
        C(organizations:ListOrganizationalUnitsForParent) (once per OU, shared with O(organizational_units)); an OU
        that does not exist fails the inventory.
    type: dict
    default: {}
    version_added: 2.0.0
  skip_denied_regions:
    description:
      - Leave out the regions a guardrail of the organisation denies to each account, found by asking AWS. In every
        account and region that would be a target (after the exclusions), one read-only C(ec2:DescribeVpcs) call
        (at most 5 VPCs) through the account's access role. A region is left out when AWS answers with an explicit
        deny of a service control (or resource control) policy, or says the region is not enabled for the account
        (C(AuthFailure) in an opt-in region) - as the collection reads AWS's answers everywhere. The causes are
        shown with C(-v).
      - Any other error (the access role refuses the call, throttling that outlasts the retries) makes the account
        unreachable, as when its regions cannot be discovered - see O(skip_unreachable_accounts).
      - The access role needs C(ec2:DescribeVpcs), which the operator policy grants already. Cost - one
        C(ec2:DescribeVpcs) per account x region, plus one C(sts:AssumeRole) per account when O(regions) is set
        (without it, region discovery assumes the role already), run O(max_concurrency) at a time; with O(cache=true),
        once per cache period (a run that finds the answers in the cache makes no probe).
    type: bool
    default: false
    version_added: 2.0.0
  organizational_units:
    description:
      - Only accounts under these organizational units (C(ou-xxxx-xxxxxxxx)) or root (C(r-xxxx)), including
        their nested OUs. When empty, every account of the organization.
    type: list
    elements: str
    default: []
  accounts:
    description: Only these account ids (as strings). When empty, every account that passes the other filters.
    type: list
    elements: str
    default: []
  exclude_accounts:
    description: Account ids (as strings) never to make targets of.
    type: list
    elements: str
    default: []
  account_tags:
    description:
      - Only accounts carrying every one of these tags, with the value given or one of a list of values,
        read with C(organizations:ListTagsForResource) (one call per account).
    type: dict
    default: {}
  with_account_tags:
    description:
      - Read every account's tags into C(flow_logs_account_tags) even without O(account_tags), for example
        for O(keyed_groups).
    type: bool
    default: false
  max_concurrency:
    description:
      - How many per-account calls run at once - the C(organizations:ListTagsForResource) of O(account_tags) and
        O(with_account_tags), region discovery and the probes of O(skip_denied_regions). V(1) makes them one after
        another.
      - Hosts, groups and variables are the same whatever the value, in the same order, and an account that fails
        fails the inventory (or is left out) as it would one at a time.
      - Region discovery and the probes count against the quotas of each account they reach. The tag reads all count
        against the caller's account, which Organizations throttles per operation at a low rate; a throttled call
        (C(TooManyRequestsException)) is retried with botocore's backoff (C(AWS_RETRY_MODE), C(AWS_MAX_ATTEMPTS),
        10 attempts by default), so a value above Organizations' rate costs retries, not failures. Lower it when
        other tools share the caller's Organizations quota.
      - In C(make bench) - 1,000 accounts with tags, about 0.1 s a call on moto - the inventory took 150 s one call
        after another and 37 s at V(8) (the scaling guide has the details). On AWS the tags come no faster than
        Organizations' rate.
    type: int
    default: 8
    version_added: 2.0.0
  access_role_name:
    description:
      - The role to assume in each account, optionally with its path (C(path/name)). AWS creates
        C(OrganizationAccountAccessRole) in accounts created through Organizations.
    type: str
    default: OrganizationAccountAccessRole
  access_role_external_id:
    description: External ID the access roles require, passed on as C(flow_logs_assume_role_external_id).
    type: str
  management_account:
    description:
      - V(direct) - the organization's management account is a target reached with the playbook's own
        credentials, without C(flow_logs_assume_role_arn) (it has no C(OrganizationAccountAccessRole)).
        Its C(flow_logs_account_id) still makes the role refuse the target if the playbook's credentials are
        in another account.
      - V(assume_role) - reached through O(access_role_name) like the member accounts.
      - V(exclude) - not a target.
    type: str
    choices: [direct, assume_role, exclude]
    default: direct
  hostname_format:
    description:
      - Host name of a target, with C({account_id}), C({account_name}) and C({region}); characters other than
        letters, digits, C(.), C(_) and C(-) become C(-), and the name is lower-cased.
      - Two targets with the same name fail the inventory (account names are not unique; ids are).
    type: str
    default: acct-{account_id}-{region}
  skip_unreachable_accounts:
    description:
      - When the regions of an account cannot be discovered (the access role is missing or refuses the
        caller), or a probe of O(skip_denied_regions) fails for another reason than a guardrail, leave the account out
        with a warning instead of failing the inventory.
      - Without this, a missing account is an error, so that a fleet run never silently skips one.
    type: bool
    default: false
  region:
    description:
      - Region for the Organizations, STS and EC2 calls the inventory makes.
      - When unset (and C(AWS_REGION) / C(AWS_DEFAULT_REGION) are too), the region the profile's configuration
        gives, so that credentials of the China (C(aws-cn)) or GovCloud (C(aws-us-gov)) partition reach their own
        partition; without one, C(us-east-1) (Organizations in the commercial partition).
    type: str
    aliases: [aws_region]
    env:
      - name: AWS_DEFAULT_REGION
      - name: AWS_REGION
  profile:
    description:
      - A named profile from the AWS shared credentials/config files. When unset, C(AWS_PROFILE) or boto3's
        credential chain.
    type: str
    aliases: [aws_profile]
  access_key:
    description: AWS access key ID. When unset, boto3's credential chain (environment, shared files, instance role).
    type: str
    aliases: [aws_access_key_id]
  secret_key:
    description:
      - AWS secret access key that goes with O(access_key). Never written to host variables or the cache;
        use Ansible Vault to keep it in the file.
    type: str
    aliases: [aws_secret_access_key]
  session_token:
    description: AWS session token for temporary credentials. Never written to host variables or the cache.
    type: str
    aliases: [aws_session_token]
  endpoint_url:
    description:
      - Send every AWS call of the inventory to this URL (a proxy, or a test server such as moto). It is also
        passed to the targets as C(flow_logs_endpoint_url).
      - When unset, the C(AWS_ENDPOINT_URL) environment variable is used, as boto3 does.
    type: str
    aliases: [aws_endpoint_url]
  aws_ca_bundle:
    description:
      - The CA bundle (PEM file) that verifies the TLS certificates of the AWS endpoints, for example a
        TLS-inspecting proxy's CA. It is also passed to the targets as C(flow_logs_aws_ca_bundle).
      - When unset, the C(AWS_CA_BUNDLE) environment variable or the profile's C(ca_bundle) is used, as boto3
        does.
    type: path
    version_added: 1.1.0
  validate_certs:
    description:
      - V(false) turns off TLS certificate verification (strongly discouraged; set O(aws_ca_bundle)). Also
        passed to the targets as C(flow_logs_validate_certs) when V(false).
    type: bool
    default: true
    version_added: 1.1.0
  assume_role_arn:
    description:
      - Role to assume for the Organizations calls only, for example a read-only role in the management
        account or in a delegated administrator account. Region discovery and the playbooks use the
        caller's own credentials with each account's access role.
    type: str
  assume_role_external_id:
    description: External ID for O(assume_role_arn).
    type: str
  assume_role_session_name:
    description: Session name of every AssumeRole the inventory makes.
    type: str
    default: flowlogs-aws-inventory
extends_documentation_fragment:
  - constructed
  - inventory_cache
notes:
  - The caller needs C(organizations:DescribeOrganization), C(organizations:ListAccounts) (or
    C(organizations:ListAccountsForParent) and C(organizations:ListOrganizationalUnitsForParent) with
    O(organizational_units) or O(exclude_regions_by_ou)), C(organizations:ListTagsForResource) when tags are read,
    and - without O(regions) or with O(skip_denied_regions) - C(sts:AssumeRole) on the access roles, which need
    C(ec2:DescribeRegions) (without O(regions)) and C(ec2:DescribeVpcs) (with O(skip_denied_regions)).
  - "With O(cache=true), the accounts and regions (and the probes' answers) are read once and kept for
    O(cache_timeout) seconds in the cache plugin; the cache key includes the file's path and options, so editing
    the file reads AWS again. C(ansible-playbook --flush-cache) (or C(ansible-inventory --flush-cache) from
    ansible-core 2.19 on) reads AWS again now."
requirements:
  - python >= 3.8
  - boto3 >= 1.34.0
  - botocore >= 1.34.0
seealso:
  - module: flowlogs.aws.vpc_flow_log
"""

EXAMPLES = r"""
# prod.flowlogs_accounts.yml - every ACTIVE account, every enabled region
plugin: flowlogs.aws.accounts

---
# eu.flowlogs_accounts.yml - two regions of the accounts under an OU tagged env=prod or env=staging,
# without the log-archive account, cached for an hour
plugin: flowlogs.aws.accounts
organizational_units: [ou-ab12-34cd56ef]
account_tags:
  env: [prod, staging]
exclude_accounts: ["210987654321"]
regions: [eu-west-1, eu-central-1]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/flowlogs-inventory
cache_timeout: 3600

---
# Run from a tooling account: read the organization through a role in the management account, reach every
# account (the management account too) through a custom access role, name hosts after the accounts and
# group them by their cost-center tag.
plugin: flowlogs.aws.accounts
assume_role_arn: arn:aws:iam::123456789012:role/OrgReadOnly
access_role_name: security/FlowLogsOperator
management_account: assume_role
hostname_format: "{account_name}-{region}"
with_account_tags: true
keyed_groups:
  - key: flow_logs_account_tags['cost-center'] | default('none')
    prefix: cost_center
compose:
  flow_logs_retention_in_days: 365 if flow_logs_account_name is search('prod') else 30

---
# Under AWS Control Tower with the region deny control: the OU it governs allows only the governed regions
# (us-east-1 and eu-west-1 here); every other region is excluded there, so no run targets a region it may
# not work in. The sandbox OU, outside Control Tower, keeps every enabled region but eu-central-1, and the
# log-archive account leaves out us-east-1 too.
plugin: flowlogs.aws.accounts
exclude_regions_by_ou:
  ou-ab12-34cd56ef: &outside_governed_regions
    - us-east-2
    - us-west-1
    - us-west-2
    - ca-central-1
    - eu-central-1
    - eu-west-2
    - eu-west-3
    - eu-north-1
    - ap-south-1
    - ap-northeast-1
    - ap-northeast-2
    - ap-northeast-3
    - ap-southeast-1
    - ap-southeast-2
    - sa-east-1
  ou-ab12-98zy76xw: [eu-central-1]
exclude_regions_by_account:
  "210987654321": [us-east-1]

---
# Or let AWS say which regions a guardrail denies: one ec2:DescribeVpcs per account and region, kept in the
# cache for a day. A region denied by an SCP, or not enabled for the account, is left out (-v shows why).
plugin: flowlogs.aws.accounts
skip_denied_regions: true
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/flowlogs-inventory
cache_timeout: 86400

# Then:
#   ansible-inventory -i prod.flowlogs_accounts.yml --graph
#   ansible-playbook flowlogs.aws.enable_flowlogs -i prod.flowlogs_accounts.yml --forks 20
"""

import hashlib
import json

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import (
    BOTO3_IMPORT_ERROR,
    HAS_BOTO3,
    Clients,
    configured_region,
    preload,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.plugin_utils import _accounts_inventory as accounts_inventory
from ansible_collections.flowlogs.aws.plugins.plugin_utils._accounts_inventory import TARGETS_GROUP

FILE_SUFFIXES = ("flowlogs_accounts.yml", "flowlogs_accounts.yaml")
#: Options that decide what is read from AWS: part of the cache key, so editing them reads AWS again.
FETCH_OPTIONS = (
    "regions",
    "organizational_units",
    "accounts",
    "exclude_accounts",
    # With skip_denied_regions the probes cover the regions left after the exclusions: part of what is read.
    "exclude_regions",
    "exclude_regions_by_account",
    "exclude_regions_by_ou",
    "skip_denied_regions",
    "account_tags",
    "with_account_tags",
    "access_role_name",
    "access_role_external_id",
    "management_account",
    "endpoint_url",
    "assume_role_arn",
    "profile",
    "region",
)
CONNECTION_OPTIONS = (
    "profile",
    "access_key",
    "secret_key",
    "session_token",
    "endpoint_url",
    "aws_ca_bundle",
    "validate_certs",
)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "flowlogs.aws.accounts"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(FILE_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if not HAS_BOTO3:
            raise AnsibleError(
                "The flowlogs.aws.accounts inventory needs boto3 and botocore: {}".format(BOTO3_IMPORT_ERROR)
            )
        options = {name: self.get_option(name) for name in self._options}
        try:
            accounts_inventory.validate_options(options)
        except ParameterError as exc:
            raise AnsibleParserError("{}: {}".format(path, exc)) from exc

        fetched = self._reachable(self._cached_or_fetched(path, options, cache), options)
        try:
            targets = accounts_inventory.build_targets(fetched, options)
        except ParameterError as exc:
            raise AnsibleParserError("{}: {}".format(path, exc)) from exc
        self._say_denied(fetched)
        self._populate(targets)

    def _say_denied(self, fetched):
        """With -v: each account and region skip_denied_regions left out, and why (AWS's answer, as diagnosed)."""
        for account_id, regions in sorted((fetched.get("denied") or {}).items()):
            for region, cause in sorted(regions.items()):
                self.display.v("flowlogs.aws.accounts: left out {} in {}: {}".format(account_id, region, cause))

    def _cached_or_fetched(self, path, options, cache):
        """The organization as fetch_organization reads it: from the inventory cache when it may be used and holds
        it, else from AWS - then kept in the cache when it is to be updated."""
        cache_key = self._cache_key(path, options)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        fetched = None
        if use_cache:
            try:
                fetched = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if fetched is None:
            fetched = self._fetch(options)
            # An account that could not be read is tried again next time, not remembered.
            if update_cache and not fetched.get("errors"):
                self._cache[cache_key] = fetched
        return fetched

    def _reachable(self, fetched, options):
        """``fetched`` itself when every account's regions were discovered (and probed); else without the accounts that
        failed, with a warning, when skip_unreachable_accounts allows it, and an error naming them when it does not."""
        if not fetched.get("errors"):
            return fetched
        listed = "; ".join("{}: {}".format(a, e) for a, e in sorted(fetched["errors"].items()))
        if not options.get("skip_unreachable_accounts"):
            raise AnsibleError(
                "Regions of {} account(s) could not be discovered or probed (set skip_unreachable_accounts to leave "
                "them out): {}".format(len(fetched["errors"]), listed)
            )
        self.display.warning(
            "flowlogs.aws.accounts: left out, regions not discoverable or not probed: {}".format(listed)
        )
        return accounts_inventory.drop_unreachable(fetched)

    def _cache_key(self, path, options):
        chosen = json.dumps({k: options.get(k) for k in FETCH_OPTIONS}, sort_keys=True, default=str)
        digest = hashlib.sha256(chosen.encode("utf-8")).hexdigest()[:12]
        return "{}_{}".format(self.get_cache_key(path), digest)

    def _fetch(self, options):
        if options.get("skip_denied_regions"):
            # A probe is a client per account x region: build each service's client class once (~20 ms a client
            # otherwise), before ansible-playbook forks its workers, which inherit it.
            for level, note in preload():
                (self.display.warning if level == "warning" else self.display.vvv)("flowlogs.aws: " + note)
        base = {k: options.get(k) for k in CONNECTION_OPTIONS}
        region = accounts_inventory.inventory_region(options.get("region"), configured_region(options.get("profile")))
        base.update(region=region, assume_role_session_name=options.get("assume_role_session_name"))

        org_clients = Clients(
            dict(
                base,
                assume_role_arn=options.get("assume_role_arn"),
                assume_role_external_id=options.get("assume_role_external_id"),
            )
        )

        def target_clients(role_arn):
            return Clients(
                dict(base, assume_role_arn=role_arn, assume_role_external_id=options.get("access_role_external_id"))
            )

        try:
            return accounts_inventory.fetch_organization(org_clients, target_clients, options)
        except (AwsError, ParameterError) as exc:
            raise AnsibleError("flowlogs.aws.accounts: {}".format(exc)) from exc

    def _populate(self, targets):
        self.inventory.add_group(TARGETS_GROUP)
        # Every target is AWS API calls made from the controller.
        self.inventory.set_variable(TARGETS_GROUP, "ansible_connection", "local")
        strict = self.get_option("strict")
        for target in targets:
            host = self.inventory.add_host(target["name"])
            for group in target["groups"]:
                self.inventory.add_group(group)
                self.inventory.add_child(group, host)
            # Account names and tags come from AWS: never templated.
            host_vars = wrap_var(target["vars"])
            for key, value in host_vars.items():
                self.inventory.set_variable(host, key, value)
            self._set_composite_vars(self.get_option("compose"), host_vars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, host, strict=strict)
