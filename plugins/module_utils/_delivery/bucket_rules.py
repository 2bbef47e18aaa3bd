# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The central log-archive bucket: the rules of its options, the bucket-policy and key-policy statements flow-log
delivery needs, and the surgery that puts them into a policy without touching anything else. Private: may change
in any release. Pure: no AWS call.

The statements follow the Amazon VPC User Guide ("Amazon S3 bucket permissions for flow logs", "Required key
policy for use with SSE-KMS"): ``delivery.logs.amazonaws.com`` may put objects under ``AWSLogs/<account>/`` and
check the bucket's ACL, scoped to the source accounts (``aws:SourceAccount``) or organization (``aws:SourceOrgID``).
"""

from __future__ import annotations

import json
import re

from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import ParameterError, raise_first, run_checks
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.policies import POLICY_VERSION, normalize_policy

DELIVERY_PRINCIPAL = "delivery.logs.amazonaws.com"
#: The collection's statements are the ones with these Sids; every other statement belongs to someone else.
SID_WRITE = "FlowLogsAWSLogDeliveryWrite"
SID_ACL_CHECK = "FlowLogsAWSLogDeliveryAclCheck"
SID_KEY = "FlowLogsAWSLogDeliveryUseKey"
BUCKET_SIDS = (SID_WRITE, SID_ACL_CHECK)
KEY_SIDS = (SID_KEY,)
#: The ObjectOwnership under which S3 ignores ACLs: delivery then sends none, so an x-amz-acl condition denies.
ACLS_DISABLED = "BucketOwnerEnforced"
ACL_CONDITION_KEY = "s3:x-amz-acl"
ACL_CONDITION_VALUE = "bucket-owner-full-control"
#: Documented size limits: bucket policy 20 KB (S3 User Guide), key policy 32 KB (KMS quotas).
MAX_BUCKET_POLICY = 20 * 1024
MAX_KEY_POLICY = 32 * 1024

ACCOUNT_ID = re.compile(r"^\d{12}$")
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
IP_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
PREFIX_CHARS = re.compile(r"^[A-Za-z0-9!_.'()=\-/]*$")
KEY_ID = r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})"
KMS_KEY_ID = re.compile(r"^{}$".format(KEY_ID))
KMS_KEY_ARN = re.compile(r"^arn:(aws[a-z\-]*):kms:([a-z0-9\-]+):(\d{12}):key/" + KEY_ID + "$")
KMS_KEY_FORM = (
    "a key id (1234abcd-12ab-34cd-56ef-1234567890ab or mrk-<32 hex digits>) or a key ARN "
    "(arn:<partition>:kms:<region>:<account>:key/<key id>)"
)


def bucket_name_problem(name):
    """What S3's naming rules for general purpose buckets say against ``name``, or None."""
    rules = "3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
    if not isinstance(name, str) or not BUCKET_NAME.match(name):
        hint = "; give the bucket name, not its ARN" if isinstance(name, str) and name.startswith("arn:") else ""
        return "{!r} is not a valid S3 bucket name: {}{}".format(name, rules, hint)
    if ".." in name or IP_ADDRESS.match(name):
        return "{!r} is not a valid S3 bucket name: no two adjacent dots, not an IP address".format(name)
    reserved = _reserved_affix(name)
    if reserved:
        return "{!r} is not a valid S3 bucket name: {} is reserved by S3".format(name, reserved)
    return None


def _reserved_affix(name):
    """The first prefix or suffix S3 reserves that ``name`` has, or None."""
    reserved = [p for p in RESERVED_PREFIXES if name.startswith(p)] + [s for s in RESERVED_SUFFIXES if name.endswith(s)]
    return reserved[0] if reserved else None


def prefix_problem(prefix):
    """What is wrong with a key prefix flow logs write under (before ``AWSLogs/``), or None."""
    if prefix.startswith("/"):
        return "{!r} starts with /; give the folder without it, for example flow-logs or flow-logs/".format(prefix)
    if "AWSLogs" in prefix.split("/"):
        return "{!r} contains a folder named AWSLogs: AWS adds AWSLogs/ after the prefix itself".format(prefix)
    if "//" in prefix or len(prefix) > 512 or not PREFIX_CHARS.match(prefix):
        return "{!r} is not allowed: up to 512 of letters, digits and ! _ . ' ( ) = - /, no empty folder".format(prefix)
    return None


def kms_key_problem(key):
    if KMS_KEY_ID.match(key) or KMS_KEY_ARN.match(key):
        return None
    if key.startswith("alias/") or ":alias/" in key:
        return "{!r} is an alias; a key policy belongs to the key: use {}".format(key, KMS_KEY_FORM)
    return "{!r} is not {}".format(key, KMS_KEY_FORM)


def _check_name(params):
    problem = bucket_name_problem(params.get("name"))
    if problem:
        raise ParameterError("name", problem)


def _check_source_accounts(params):
    bad = [a for a in params.get("source_accounts") or [] if not isinstance(a, str) or not ACCOUNT_ID.match(a)]
    if bad:
        raise ParameterError(
            "source_accounts",
            "{} {} (quote account ids in YAML so leading zeros stay)".format(
                ", ".join(repr(a) for a in bad[:5]),
                "is not a 12-digit AWS account id" if len(bad) == 1 else "are not 12-digit AWS account ids",
            ),
        )


def _check_source_org_id(params):
    org = params.get("source_org_id")
    if org is not None and not (isinstance(org, str) and ORG_ID.match(org)):
        raise ParameterError(
            "source_org_id",
            "{!r} is not an AWS Organizations id (o- and 10 to 32 lowercase letters or digits)".format(org),
        )


def _check_sources_given(params):
    """Delivery is scoped to its source accounts or organization (confused-deputy protection): one must be given."""
    if (
        params.get("state", "present") == "present"
        and not params.get("source_accounts")
        and not params.get("source_org_id")
    ):
        raise ParameterError(
            "source_accounts",
            "give the accounts whose flow logs deliver here (source_accounts), their organization (source_org_id), "
            "or both",
        )


def _check_prefix(params):
    problem = prefix_problem(params["prefix"]) if params.get("prefix") else None
    if problem:
        raise ParameterError("prefix", problem)


def _check_kms_key(params):
    problem = kms_key_problem(params["kms_key_id"]) if params.get("kms_key_id") else None
    if problem:
        raise ParameterError("kms_key_id", problem)


BUCKET_CHECKS = (
    _check_name,
    _check_source_accounts,
    _check_source_org_id,
    _check_sources_given,
    _check_prefix,
    _check_kms_key,
)


def bucket_param_errors(params):
    """Every problem with ``params``, one ParameterError per option, before any AWS call."""
    return run_checks(BUCKET_CHECKS, params)


def validate_bucket_params(params):
    raise_first(bucket_param_errors(params))


# ---------------------------------------------------------------- the statements


def log_prefix(prefix):
    """The key prefix before ``AWSLogs/``: '' or a folder ending in /."""
    prefix = (prefix or "").strip("/")
    return prefix + "/" if prefix else ""


def bucket_arn(partition, bucket):
    return "arn:{}:s3:::{}".format(partition, bucket)


def object_resources(partition, bucket, prefix, accounts, hive=False):
    """Where flow logs of ``accounts`` write (``AWSLogs/*`` for a whole organization); with ``hive``, also the
    Hive-compatible form ``AWSLogs/aws-account-id=<account>/``."""
    base = "{}/{}AWSLogs/".format(bucket_arn(partition, bucket), log_prefix(prefix))
    if not accounts:
        return [base + "*"]
    forms = ("{}/*", "aws-account-id={}/*") if hive else ("{}/*",)
    return sorted(base + form.format(account) for account in accounts for form in forms)


def source_condition(accounts, org_id):
    """Confused-deputy protection: only deliveries on behalf of these accounts / this organization."""
    found = {}
    if accounts:
        found["aws:SourceAccount"] = _one_or_list(sorted(set(accounts)))
    if org_id:
        found["aws:SourceOrgID"] = org_id
    return found


def acls_enabled(object_ownership):
    """No ownership controls means ACLs apply (ObjectWriter)."""
    return object_ownership != ACLS_DISABLED


def _one_or_list(values):
    return values[0] if len(values) == 1 else list(values)


def bucket_statements(params, partition, object_ownership):
    """The two statements delivery needs on the bucket: write the logs, check the bucket's ACL."""
    bucket, accounts, org = (
        params["name"],
        sorted(set(params.get("source_accounts") or [])),
        params.get("source_org_id"),
    )
    principal = {"Service": DELIVERY_PRINCIPAL}
    write_condition = dict(source_condition(accounts, org))
    if acls_enabled(object_ownership):
        write_condition[ACL_CONDITION_KEY] = ACL_CONDITION_VALUE
    resources = object_resources(
        partition, bucket, params.get("prefix"), accounts, params.get("hive_compatible_partitions")
    )
    return [
        {
            "Sid": SID_WRITE,
            "Effect": "Allow",
            "Principal": principal,
            "Action": "s3:PutObject",
            "Resource": _one_or_list(resources),
            "Condition": {"StringEquals": write_condition},
        },
        {
            "Sid": SID_ACL_CHECK,
            "Effect": "Allow",
            "Principal": principal,
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": bucket_arn(partition, bucket),
            "Condition": {"StringEquals": source_condition(accounts, org)},
        },
    ]


def key_statement(params):
    """The key-policy statement letting delivery encrypt the log objects it writes with the bucket's key."""
    return {
        "Sid": SID_KEY,
        "Effect": "Allow",
        "Principal": {"Service": DELIVERY_PRINCIPAL},
        "Action": "kms:GenerateDataKey*",
        "Resource": "*",
        "Condition": {"StringEquals": source_condition(params.get("source_accounts"), params.get("source_org_id"))},
    }


# ---------------------------------------------------------------- policy surgery


def statements_of(policy):
    statements = (policy or {}).get("Statement") or []
    return [statements] if isinstance(statements, dict) else list(statements)


def owned_statements(policy, sids):
    return [s for s in statements_of(policy) if isinstance(s, dict) and s.get("Sid") in sids]


def _canonical(statement):
    """A statement in a form where order, single-vs-list and condition key case do not count."""
    found = normalize_policy({"Statement": [statement]})["Statement"][0]
    conditions = found.get("Condition")
    if conditions:
        found["Condition"] = {op: {k.lower(): v for k, v in cond.items()} for op, cond in conditions.items()}
    return json.dumps(dict(found, Sid=statement.get("Sid")), sort_keys=True)


def same_statements(current, wanted):
    """True when the statements say the same thing under the same Sids."""
    return sorted(_canonical(s) for s in current) == sorted(_canonical(s) for s in wanted)


def with_statements(policy, wanted, sids):
    """``policy`` with its statements under ``sids`` replaced by ``wanted`` (where the first of them stood, else at
    the end); every other statement kept as it is. None when no statement is left."""
    kept, position = [], None
    for statement in statements_of(policy):
        if isinstance(statement, dict) and statement.get("Sid") in sids:
            position = len(kept) if position is None else position
            continue
        kept.append(statement)
    position = len(kept) if position is None else position
    statements = kept[:position] + [dict(s) for s in wanted] + kept[position:]
    if not statements:
        return None
    document = dict(policy) if policy else {"Version": POLICY_VERSION}
    document["Statement"] = statements
    return document
