# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM: the delivery role, its policies and tags. Private: may change in any release."""

from __future__ import annotations

import json
from urllib.parse import unquote

from ansible_collections.flowlogs.aws.plugins.module_utils._aws._calls import call, iso, paginate, tag_dict, tag_list
from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import (
    AWS_ERRORS,
    to_aws_error,
)


def policy_document(document):
    """IAM returns documents as dicts through boto3, but URL-encoded JSON in some paths."""
    if document is None or isinstance(document, dict):
        return document
    return json.loads(unquote(document))


def get_role(iam, name):
    """The role with its trust policy, tags and boundary, or None."""
    found = call(iam, "get_role", "iam:GetRole", name, missing="NoSuchEntity", RoleName=name)
    if found is None:
        return None
    role = found["Role"]
    boundary = role.get("PermissionsBoundary") or {}
    tags = role.get("Tags") or []  # GetRole answers with the role's tags (none: no key)
    return dict(
        name=role["RoleName"],
        arn=role["Arn"],
        role_id=role.get("RoleId"),
        path=role.get("Path", "/"),
        description=role.get("Description"),
        trust_policy=policy_document(role.get("AssumeRolePolicyDocument")),
        permissions_boundary=boundary.get("PermissionsBoundaryArn"),
        create_date=iso(role.get("CreateDate")),
        tags=tag_dict(tags),
    )


def get_role_policy(iam, role_name, policy_name):
    answer = call(
        iam,
        "get_role_policy",
        "iam:GetRolePolicy",
        "{}/{}".format(role_name, policy_name),
        missing="NoSuchEntity",
        default={},
        RoleName=role_name,
        PolicyName=policy_name,
    )
    return policy_document(answer.get("PolicyDocument"))


def create_role(iam, name, path, trust_policy, description=None, boundary=None, tags=None):
    """Create the role. Raises AwsError with code EntityAlreadyExists when another run was first."""
    kwargs = dict(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust_policy))
    if description:
        kwargs["Description"] = description
    if boundary:
        kwargs["PermissionsBoundary"] = boundary
    if tags:
        kwargs["Tags"] = tag_list(tags)
    call(iam, "create_role", "iam:CreateRole", name, **kwargs)


def wait_for_role(iam, name):
    try:
        iam.get_waiter("role_exists").wait(RoleName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 30})
    except AWS_ERRORS as exc:  # WaiterError is a BotoCoreError
        raise to_aws_error(exc, "iam:GetRole (waiting for the new role)", name) from exc


def update_trust_policy(iam, name, trust_policy):
    call(
        iam,
        "update_assume_role_policy",
        "iam:UpdateAssumeRolePolicy",
        name,
        RoleName=name,
        PolicyDocument=json.dumps(trust_policy),
    )


def put_role_policy(iam, name, policy_name, policy):
    call(
        iam,
        "put_role_policy",
        "iam:PutRolePolicy",
        "{}/{}".format(name, policy_name),
        RoleName=name,
        PolicyName=policy_name,
        PolicyDocument=json.dumps(policy),
    )


def update_role_description(iam, name, description):
    call(iam, "update_role", "iam:UpdateRole", name, RoleName=name, Description=description)


def put_permissions_boundary(iam, name, boundary):
    call(
        iam,
        "put_role_permissions_boundary",
        "iam:PutRolePermissionsBoundary",
        name,
        RoleName=name,
        PermissionsBoundary=boundary,
    )


def delete_permissions_boundary(iam, name):
    call(iam, "delete_role_permissions_boundary", "iam:DeleteRolePermissionsBoundary", name, RoleName=name)


def tag_role(iam, name, tags):
    call(iam, "tag_role", "iam:TagRole", name, RoleName=name, Tags=tag_list(tags))


def untag_role(iam, name, keys):
    call(iam, "untag_role", "iam:UntagRole", name, RoleName=name, TagKeys=sorted(keys))


def list_role_policies(iam, name):
    """Names of the role's inline policies."""
    return paginate(iam, "list_role_policies", "PolicyNames", "iam:ListRolePolicies", name, RoleName=name)


def list_attached_role_policies(iam, name):
    """ARNs of the managed policies attached to the role."""
    attached = paginate(
        iam, "list_attached_role_policies", "AttachedPolicies", "iam:ListAttachedRolePolicies", name, RoleName=name
    )
    return [policy["PolicyArn"] for policy in attached]


def delete_role_policy(iam, name, policy_name):
    call(
        iam,
        "delete_role_policy",
        "iam:DeleteRolePolicy",
        "{}/{}".format(name, policy_name),
        gone="NoSuchEntity",
        RoleName=name,
        PolicyName=policy_name,
    )


def detach_role_policy(iam, name, policy_arn):
    call(
        iam,
        "detach_role_policy",
        "iam:DetachRolePolicy",
        "{} {}".format(name, policy_arn),
        gone="NoSuchEntity",
        RoleName=name,
        PolicyArn=policy_arn,
    )


def delete_role(iam, name):
    """Delete the role after what IAM requires first: inline policies, managed policies, profiles."""
    for policy_name in list_role_policies(iam, name):
        delete_role_policy(iam, name, policy_name)
    for policy_arn in list_attached_role_policies(iam, name):
        detach_role_policy(iam, name, policy_arn)
    profiles = paginate(
        iam,
        "list_instance_profiles_for_role",
        "InstanceProfiles",
        "iam:ListInstanceProfilesForRole",
        name,
        RoleName=name,
    )
    for profile in profiles:
        call(
            iam,
            "remove_role_from_instance_profile",
            "iam:RemoveRoleFromInstanceProfile",
            name,
            gone="NoSuchEntity",
            RoleName=name,
            InstanceProfileName=profile["InstanceProfileName"],
        )
    call(iam, "delete_role", "iam:DeleteRole", name, gone="NoSuchEntity", RoleName=name)
