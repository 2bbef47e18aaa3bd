# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""KMS: a key's metadata and its key policy. Private: may change in any release."""

from __future__ import annotations

import json

from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import call, policy_text

#: A key has one key policy, and it is called "default".
KEY_POLICY_NAME = "default"


def describe_key(kms, key_id):
    """The key's id, ARN, manager (CUSTOMER or AWS) and state, or None when there is no such key."""
    answer = call(kms, "describe_key", "kms:DescribeKey", key_id, missing="NotFoundException", KeyId=key_id)
    if answer is None:
        return None
    meta = answer["KeyMetadata"]
    return dict(
        key_id=meta["KeyId"],
        arn=meta["Arn"],
        key_manager=meta.get("KeyManager"),
        key_state=meta.get("KeyState"),
    )


def get_key_policy(kms, key_id):
    answer = call(kms, "get_key_policy", "kms:GetKeyPolicy", key_id, KeyId=key_id, PolicyName=KEY_POLICY_NAME)
    return json.loads(answer["Policy"]) if answer.get("Policy") else None


def put_key_policy(kms, key_id, policy):
    call(
        kms,
        "put_key_policy",
        "kms:PutKeyPolicy",
        key_id,
        KeyId=key_id,
        PolicyName=KEY_POLICY_NAME,
        Policy=policy_text(policy),
    )
