# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why flow logs of an account would fail to deliver to an S3 bucket, read from the bucket policy and the bucket's
object ownership. Private: may change in any release.

``s3_delivery_problems`` is pure: it evaluates the bucket policy for the two requests delivery makes
(``s3:GetBucketAcl`` on the bucket, ``s3:PutObject`` of a log object under ``<prefix>AWSLogs/<account>/``) as
``delivery.logs.amazonaws.com`` on behalf of the account, and names what stands in the way. It is a diagnosis, not
IAM: conditions it cannot evaluate count as met for an Allow and as not met for a Deny, so it only reports what it
is sure of. ``read_bucket_delivery_state`` reads what it needs; a bucket it may not read is a problem, not a failure.
"""

from __future__ import annotations

import re

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import s3 as s3_api
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.bucket_rules import (
    ACL_CONDITION_KEY,
    ACL_CONDITION_VALUE,
    DELIVERY_PRINCIPAL,
    acls_enabled,
    statements_of,
)

#: Stands for an ownership setting that could not be read: the ACL condition is then not judged.
UNREAD = "unread"
#: A condition key the request does not carry (as opposed to one whose value is unknown here).
ABSENT = object()
SAMPLE_DAY = "2026/01/01"


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _glob(pattern, text, ignore_case=False):
    """IAM wildcard matching: * any run of characters, ? one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in str(pattern))
    return re.fullmatch(regex, str(text), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def _object_ownership(ownership_controls):
    """ObjectOwnership from a string, GetBucketOwnershipControls' answer or its OwnershipControls."""
    if not isinstance(ownership_controls, dict):
        return ownership_controls
    rules = (ownership_controls.get("OwnershipControls") or ownership_controls).get("Rules") or []
    return rules[0].get("ObjectOwnership") if rules else None


def _destination(bucket_arn_or_prefix):
    """(partition, bucket, key prefix ending in / or '') of ``arn:aws:s3:::bucket/prefix`` or ``bucket/prefix``."""
    text = bucket_arn_or_prefix
    partition = "aws"
    if text.startswith("arn:"):
        partition, text = text.split(":")[1], text.split(":::", 1)[1]
    bucket, _slash, prefix = text.partition("/")
    prefix = prefix.strip("/")
    return partition, bucket, prefix + "/" if prefix else ""


def _requests(destination, account, hive, region):
    """The two requests delivery makes: (action, resource ARN, what it is), the log object under a sample name."""
    partition, bucket, prefix = destination
    bucket_arn = "arn:{}:s3:::{}".format(partition, bucket)
    if hive:
        folder = "aws-account-id={}/aws-service=vpcflowlogs/aws-region={}/year=2026/month=01/day=01".format(
            account, region or "us-east-1"
        )
    else:
        folder = "{}/vpcflowlogs/{}/{}".format(account, region or "us-east-1", SAMPLE_DAY)
    key = "{}AWSLogs/{}/{}_vpcflowlogs_sample.log.gz".format(prefix, folder, account)
    return [
        ("s3:GetBucketAcl", bucket_arn, "the bucket ACL check"),
        (
            "s3:PutObject",
            "{}/{}".format(bucket_arn, key),
            "writes under {}AWSLogs/{}/".format(prefix, folder.split("/")[0]),
        ),
    ]


def _context(account, org_id, ownership, region, partition):
    """Condition keys of delivery's requests: key -> value, ABSENT, or missing (unknown here)."""
    context = {"aws:sourceaccount": account, "aws:securetransport": "true"}
    if org_id:
        context["aws:sourceorgid"] = org_id
    if region:
        context["aws:sourcearn"] = "arn:{}:logs:{}:{}:*".format(partition, region, account)
    if ownership != UNREAD:
        context[ACL_CONDITION_KEY] = ACL_CONDITION_VALUE if acls_enabled(ownership) else ABSENT
    return context


# ---------------------------------------------------------------- one statement against one request


def _principal_matches(statement):
    if "NotPrincipal" in statement:
        principal = statement["NotPrincipal"]
        return not (isinstance(principal, dict) and DELIVERY_PRINCIPAL in _as_list(principal.get("Service")))
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return DELIVERY_PRINCIPAL in _as_list(principal.get("Service")) or "*" in _as_list(principal.get("AWS"))


def _matches(statement, key, value, ignore_case):
    """Whether ``value`` is matched by the statement's ``key`` (Action/Resource) or not by its ``NotKey``."""
    if key in statement:
        return any(_glob(p, value, ignore_case) for p in _as_list(statement[key]))
    if "Not" + key in statement:
        return not any(_glob(p, value, ignore_case) for p in _as_list(statement["Not" + key]))
    return False


def _test(operator, values, actual):
    """One condition operator on a value the request carries (None: an operator this check does not know)."""
    base = operator.replace("Not", "", 1) if operator.startswith(("StringNot", "ArnNot")) else operator
    negated = base != operator
    if base in ("StringEquals", "ArnEquals", "Bool"):
        found = any(str(v).lower() == str(actual).lower() if base == "Bool" else v == actual for v in values)
    elif base in ("StringLike", "ArnLike"):
        found = any(_glob(v, actual) for v in values)
    elif base == "StringEqualsIgnoreCase":
        found = any(str(v).lower() == str(actual).lower() for v in values)
    else:
        return None
    return found != negated


def _condition(operator, key, values, context):
    """True / False / None (cannot tell) for one condition key."""
    operator = operator.split(":", 1)[-1]  # ForAnyValue: / ForAllValues: on single values
    if_exists = operator.endswith("IfExists")
    operator = operator[: -len("IfExists")] if if_exists else operator
    values = _as_list(values)
    actual = context.get(key.lower())
    if operator == "Null":
        return None if actual is None else (actual is ABSENT) == (str(values[0]).lower() == "true")
    if actual is None:
        return None
    if actual is ABSENT:
        return if_exists or operator.startswith(("StringNot", "ArnNot"))
    return _test(operator, values, actual)


def _unmet_conditions(statement, context):
    """(keys whose condition is not met, whether some could not be evaluated)."""
    unmet, unknown = [], False
    for operator, conditions in (statement.get("Condition") or {}).items():
        for key, values in (conditions or {}).items():
            met = _condition(operator, key, values, context)
            if met is None:
                unknown = True
            elif not met:
                unmet.append((operator, key, _as_list(values)))
    return unmet, unknown


# ---------------------------------------------------------------- the verdict


def _name(statement, index):
    return "statement {}".format(statement.get("Sid") or "#{}".format(index + 1))


def _why_not(statement, index, request, unmet, context, ownership):
    action, resource, what = request
    account = context["aws:sourceaccount"]
    name = _name(statement, index)
    if not _matches(statement, "Resource", resource, False):
        return "{} lets {} {} only on {}, which does not cover {} of account {}".format(
            name, DELIVERY_PRINCIPAL, action, ", ".join(_as_list(statement.get("Resource"))) or "nothing", what, account
        )
    reasons = []
    for operator, key, values in unmet:
        if key.lower() == ACL_CONDITION_KEY and not acls_enabled(ownership):
            reasons.append(
                "{} requires {} = {}, but the bucket's object ownership is BucketOwnerEnforced (ACLs disabled): "
                "delivery sends no ACL, so every write is denied - drop that condition".format(name, key, values[0])
            )
        elif key.lower() in ("aws:sourceaccount", "aws:sourceorgid"):
            who = "account {}".format(account)
            if key.lower() == "aws:sourceorgid":
                who += " (organization {})".format(context.get("aws:sourceorgid"))
            reasons.append(
                "{} allows {} for {} {} only, not for {}".format(
                    name, action, key, ", ".join(str(v) for v in values), who
                )
            )
        else:
            reasons.append(
                "{} needs {} {} {} for {}, which delivery for account {} does not meet".format(
                    name, key, operator, ", ".join(str(v) for v in values), action, account
                )
            )
    return "; ".join(reasons)


def _applicable(statements, action):
    """(index, statement) of the statements about delivery's principal and ``action``."""
    for index, statement in enumerate(statements):
        if (
            isinstance(statement, dict)
            and _principal_matches(statement)
            and _matches(statement, "Action", action, True)
        ):
            yield index, statement


def _explicit_denies(statements, request, context):
    """The Deny statements sure to refuse the request (every condition met, none unknown)."""
    denies = []
    for index, statement in _applicable(statements, request[0]):
        if statement.get("Effect") != "Deny" or not _matches(statement, "Resource", request[1], False):
            continue
        unmet, unknown = _unmet_conditions(statement, context)
        if not unmet and not unknown:
            denies.append(
                "{} explicitly denies {} to {}".format(_name(statement, index), request[0], DELIVERY_PRINCIPAL)
            )
    return denies


def _missing_allow(statements, request, context, ownership):
    """[] when an Allow covers the request, else why each near one does not."""
    near = []
    for index, statement in _applicable(statements, request[0]):
        if statement.get("Effect") == "Deny":
            continue
        unmet, _unknown = _unmet_conditions(statement, context)  # an Allow's unknown conditions count as met
        if _matches(statement, "Resource", request[1], False) and not unmet:
            return []
        near.append(_why_not(statement, index, request, unmet, context, ownership))
    return near or ["no statement lets {} {} ({})".format(DELIVERY_PRINCIPAL, request[0], request[2])]


def _judge(statements, request, context, ownership):
    """Problems with one request: explicit denies, else why no Allow covers it."""
    return _explicit_denies(statements, request, context) or _missing_allow(statements, request, context, ownership)


def s3_delivery_problems(
    bucket_policy,
    ownership_controls,
    account_id,
    bucket_arn_or_prefix,
    org_id=None,
    hive_compatible_partitions=False,
    region=None,
):
    """The likely causes, in words, why flow logs of ``account_id`` cannot deliver to ``bucket_arn_or_prefix``
    (``arn:<partition>:s3:::bucket[/prefix]``, the flow logs' log_destination, or ``bucket[/prefix]``); [] when the
    bucket policy lets them.

    ``bucket_policy``: the policy document (dict) or None when the bucket has none. ``ownership_controls``: the
    bucket's ObjectOwnership (or GetBucketOwnershipControls' answer), None when it has no ownership controls,
    ``UNREAD`` when unknown. ``org_id``: the account's organization, to judge aws:SourceOrgID (unknown when None).
    ``region``: the flow logs' region, to judge aws:SourceArn (unknown when None). Pure.
    """
    destination = _destination(bucket_arn_or_prefix)
    if bucket_policy is None:
        return [
            "bucket {} has no bucket policy: nothing lets {} deliver flow logs of account {}".format(
                destination[1], DELIVERY_PRINCIPAL, account_id
            )
        ]
    ownership = _object_ownership(ownership_controls)
    context = _context(account_id, org_id, ownership, region, destination[0])
    statements = statements_of(bucket_policy)
    problems = []
    for request in _requests(destination, account_id, hive_compatible_partitions, region):
        for problem in _judge(statements, request, context, ownership):
            if problem not in problems:
                problems.append(problem)
    return problems


def read_bucket_delivery_state(clients, bucket):
    """The bucket's policy and object ownership, as far as these credentials may read them.

    Returns ``{bucket, policy, policy_read, object_ownership, problems}``: what could not be read is a problem in
    words (GetBucketPolicy only answers the bucket owner's account), never an exception.
    """
    s3 = clients("s3")
    state = dict(bucket=bucket, policy=None, policy_read=False, object_ownership=UNREAD, problems=[])
    try:
        state["policy"] = s3_api.get_bucket_policy(s3, bucket)
        state["policy_read"] = True
    except AwsError as exc:
        if exc.code == "NoSuchBucket":
            state["problems"].append("bucket {} does not exist".format(bucket))
            return state
        state["problems"].append(
            "could not read the bucket policy of {} ({}: {}); only the bucket owner's account can".format(
                bucket, exc.code, exc.aws_message
            )
        )
    try:
        state["object_ownership"] = s3_api.get_object_ownership(s3, bucket)
    except AwsError as exc:
        state["problems"].append("could not read the object ownership of {} ({})".format(bucket, exc.code))
    return state


def bucket_delivery_problems(state, account_id, bucket_arn_or_prefix, **kwargs):
    """``read_bucket_delivery_state``'s problems, then (when the policy was read) ``s3_delivery_problems``'."""
    problems = list(state["problems"])
    if state["policy_read"]:
        problems += s3_delivery_problems(
            state["policy"], state["object_ownership"], account_id, bucket_arn_or_prefix, **kwargs
        )
    return problems
