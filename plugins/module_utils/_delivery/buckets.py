# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The central log-archive bucket: read, plan and converge the statements flow-log delivery needs in the bucket
policy (and in the key policy of the bucket's KMS key). Private: may change in any release.

The bucket itself is never created or deleted, and statements without the collection's Sids are never changed.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._aws import kms as kms_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws import s3 as s3_api
from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import policy_text
from ansible_collections.flowlogs.aws.plugins.module_utils._core.converge import Resource, StepType
from ansible_collections.flowlogs.aws.plugins.module_utils._core.converge import converge as converge_resource
from ansible_collections.flowlogs.aws.plugins.module_utils._core.errors import AwsError, ParameterError
from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.bucket_rules import (
    ACL_CONDITION_KEY,
    BUCKET_SIDS,
    KEY_SIDS,
    KMS_KEY_ARN,
    MAX_BUCKET_POLICY,
    MAX_KEY_POLICY,
    SID_WRITE,
    bucket_arn,
    bucket_statements,
    key_statement,
    owned_statements,
    same_statements,
    validate_bucket_params,
    with_statements,
)

#: The actions of a bucket plan.
PUT_BUCKET_POLICY = "put_bucket_policy"
DELETE_BUCKET_POLICY = "delete_bucket_policy"
PUT_KEY_POLICY = "put_key_policy"


def _present(params):
    return params.get("state", "present") == "present"


def _checked_size(policy, limit, what, option):
    size = len(policy_text(policy))
    if size > limit:
        raise ParameterError(
            option,
            "the {} would be {} bytes; AWS allows {} - list fewer accounts, or use source_org_id for a whole "
            "organization".format(what, size, limit),
        )
    return policy


def plan_bucket(params, current, partition):
    """Steps turning ``current`` (read_bucket_state's answer) into what ``params`` ask. Pure."""
    if not current["exists"]:
        return []  # state=absent on a bucket that is not there (present refuses it when reading)
    plan = []
    policy = current["bucket_policy"]
    wanted = bucket_statements(params, partition, current["object_ownership"]) if _present(params) else []
    if not same_statements(owned_statements(policy, BUCKET_SIDS), wanted):
        after = with_statements(policy, wanted, BUCKET_SIDS)
        if after is None:
            plan.append(dict(action=DELETE_BUCKET_POLICY, bucket=params["name"]))
        else:
            _checked_size(after, MAX_BUCKET_POLICY, "bucket policy", "source_accounts")
            plan.append(dict(action=PUT_BUCKET_POLICY, bucket=params["name"], policy=after))
    key = current.get("key")
    if key:
        plan += _plan_key(params, key)
    return plan


def _plan_key(params, key):
    wanted = [key_statement(params)] if _present(params) else []
    if same_statements(owned_statements(key["policy"], KEY_SIDS), wanted):
        return []
    after = with_statements(key["policy"], wanted, KEY_SIDS)
    if after is None:
        return []  # a key policy cannot be empty: see key_policy_warnings
    _checked_size(after, MAX_KEY_POLICY, "key policy", "source_accounts")
    return [dict(action=PUT_KEY_POLICY, key_id=key["key_id"], policy=after)]


def _put_bucket_policy(client, step, _current):
    s3_api.put_bucket_policy(client["s3"], step["bucket"], step["policy"], client["owner"])


def _delete_bucket_policy(client, step, _current):
    s3_api.delete_bucket_policy(client["s3"], step["bucket"], client["owner"])


STEP_TYPES = {
    PUT_BUCKET_POLICY: StepType(_put_bucket_policy, lambda state, step, _c: dict(state, bucket_policy=step["policy"])),
    DELETE_BUCKET_POLICY: StepType(_delete_bucket_policy, lambda state, _step, _c: dict(state, bucket_policy=None)),
    PUT_KEY_POLICY: StepType(
        lambda client, step, _c: kms_api.put_key_policy(client["kms"](), step["key_id"], step["policy"]),
        lambda state, step, _c: dict(state, key=dict(state["key"], policy=step["policy"])),
    ),
}


# ---------------------------------------------------------------- reading


def _missing_bucket(params, owner):
    where = " of account {}".format(owner) if owner else ""
    return ParameterError(
        "name",
        "there is no bucket {}{}: this module manages the policy of an existing bucket, it never creates one".format(
            params["name"], where
        ),
    )


def _read_key(kms, params, account):
    """The key with its policy; None when it does not exist and nothing is asked of it (state=absent)."""
    key = kms_api.describe_key(kms, params["kms_key_id"])
    if key is None:
        if not _present(params):
            return None
        raise ParameterError(
            "kms_key_id", "there is no KMS key {} in this account and region".format(params["kms_key_id"])
        )
    problem = None
    if key["key_manager"] == "AWS":
        problem = "{} is an AWS managed key, whose policy AWS owns; use a customer managed key".format(key["arn"])
    elif account and key["arn"].split(":")[4] != account:
        problem = "{} belongs to account {}; a key policy can only be changed by the key's own account ({})".format(
            key["arn"], key["arn"].split(":")[4], account
        )
    if problem:
        raise ParameterError("kms_key_id", problem)
    return dict(key, policy=kms_api.get_key_policy(kms, key["key_id"]))


def read_bucket_state(client, params):
    """The bucket policy, the object ownership and (with kms_key_id) the key and its policy."""
    state = dict(exists=True, bucket_policy=None, object_ownership=None, key=None)
    try:
        state["bucket_policy"] = s3_api.get_bucket_policy(client["s3"], params["name"], client["owner"])
        if _present(params):
            state["object_ownership"] = s3_api.get_object_ownership(client["s3"], params["name"], client["owner"])
    except AwsError as exc:
        if exc.code != "NoSuchBucket":
            raise
        if _present(params):
            raise _missing_bucket(params, client["owner"]) from exc
        state["exists"] = False
    if params.get("kms_key_id"):
        state["key"] = _read_key(client["kms"](), params, client["owner"])
    return state


# ---------------------------------------------------------------- the module's view


def _has_acl_condition(policy):
    for statement in owned_statements(policy, (SID_WRITE,)):
        for condition in (statement.get("Condition") or {}).values():
            if any(key.lower() == ACL_CONDITION_KEY for key in condition):
                return True
    return False


def diff_view(state):
    view = dict(bucket_policy=state["bucket_policy"])
    if state.get("key") is not None:
        view["key_policy"] = state["key"]["policy"]
    return view


def key_policy_warnings(params, state):
    """state=absent cannot take the last statement out of a key policy (KMS refuses an empty one)."""
    key = state.get("key")
    if _present(params) or not key or not owned_statements(key["policy"], KEY_SIDS):
        return []
    if with_statements(key["policy"], [], KEY_SIDS) is not None:
        return []
    return [
        "the key policy of {} has no statement but {}; it was left as it is (a key policy cannot be empty)".format(
            key["arn"], KEY_SIDS[0]
        )
    ]


class LogArchiveBucket(Resource):
    """The delivery statements of one bucket's policy (and of its KMS key's policy)."""

    step_types = STEP_TYPES

    def __init__(self):
        self.identity = None

    def validate(self, params):
        validate_bucket_params(params)

    def context(self, clients, params):
        key = params.get("kms_key_id") or ""
        match = KMS_KEY_ARN.match(key)
        region = getattr(clients, "region", None)
        if match and region and match.group(2) != region:
            raise ParameterError(
                "kms_key_id",
                "{} is in region {}; run the task in the key's (and the bucket's) region, not {}".format(
                    key, match.group(2), region
                ),
            )
        self.identity = clients.identity()
        return self.identity

    def client(self, clients):
        return dict(s3=clients("s3"), kms=lambda: clients("kms"), owner=self.identity["account"])

    def read(self, client, params):
        return read_bucket_state(client, params)

    def read_after(self, client, params):
        return read_bucket_state(client, params)

    def plan(self, params, current, context):
        return plan_bucket(params, current, context["partition"])

    def result(self, params, before, after, plan, context):
        found = dict(
            changed=bool(plan),
            bucket=dict(
                name=params["name"],
                arn=bucket_arn(context["partition"], params["name"]),
                exists=after["exists"],
                object_ownership=after["object_ownership"],
                acl_condition=_has_acl_condition(after["bucket_policy"]),
                policy=after["bucket_policy"],
            ),
            kms_key=None,
            actions=[step["action"] for step in plan],
            before=diff_view(before),
            after=diff_view(after),
        )
        if after.get("key") is not None:
            key = after["key"]
            found["kms_key"] = dict(key_id=key["key_id"], arn=key["arn"], policy=key["policy"])
        warnings = key_policy_warnings(params, after)
        if warnings:
            found["warnings"] = warnings
        return found


def converge_flow_log_bucket(clients, params, check_mode=False, read_after=True, validated=False):
    """Make the bucket policy (and key policy) hold the delivery statements ``params`` ask for, or none of them
    with state=absent. Returns changed, bucket, kms_key, actions, before, after."""
    return converge_resource(LogArchiveBucket(), clients, params, check_mode, read_after, validated)
