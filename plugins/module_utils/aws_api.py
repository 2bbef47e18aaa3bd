# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The only layer that calls boto3.

One function per AWS call (plus pagination and chunking). Each takes a client, returns plain
snake_case data and raises :class:`AwsError` carrying AWS's error code. Nothing here decides anything.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import unquote

from ansible_collections.flowlogs.aws.plugins.module_utils.connection import (
    AwsError,
    BotoCoreError,
    ClientError,
    error_code,
    to_aws_error,
)

#: CreateFlowLogs limits per call, by resource type.
CREATE_CHUNK = {"TransitGateway": 25, "TransitGatewayAttachment": 25}
CREATE_CHUNK_DEFAULT = 300
#: Filter values EC2 accepts in one Describe call, all filters together (FilterLimitExceeded beyond).
FILTER_CHUNK = 200
DELETE_CHUNK = 1000


def chunks(items, size):
    items = list(items)
    return [items[i : i + size] for i in range(0, len(items), size)]


def create_chunk_size(resource_type):
    return CREATE_CHUNK.get(resource_type, CREATE_CHUNK_DEFAULT)


def _call(client, method, operation, resource=None, gone=None, **kwargs):
    """One AWS call. ``gone``: the error code meaning "already deleted", which a delete counts as done -
    botocore retries a delete whose answer was lost, and the retry then finds nothing to delete."""
    try:
        return getattr(client, method)(**kwargs)
    except (BotoCoreError, ClientError) as exc:
        if gone is not None and error_code(exc) == gone:
            return None
        raise to_aws_error(exc, operation, resource) from exc


def _paginate(client, method, key, operation, resource=None, **kwargs):
    try:
        found = []
        for page in client.get_paginator(method).paginate(**kwargs):
            found.extend(page.get(key, []))
        return found
    except (BotoCoreError, ClientError) as exc:
        raise to_aws_error(exc, operation, resource) from exc


def tag_dict(tags):
    return {t["Key"]: t["Value"] for t in tags or []}


def tag_list(tags):
    return [{"Key": str(k), "Value": str(v)} for k, v in sorted((tags or {}).items())]


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


# ---------------------------------------------------------------- EC2: VPCs and flow logs


def vpc_from_aws(vpc):
    tags = tag_dict(vpc.get("Tags"))
    return dict(
        vpc_id=vpc["VpcId"],
        name=tags.get("Name"),
        cidr_block=vpc.get("CidrBlock"),
        is_default=bool(vpc.get("IsDefault")),
        state=vpc.get("State"),
        owner_id=vpc.get("OwnerId"),
        tags=tags,
    )


def _filter_value(value):
    """EC2 filter values are strings; YAML gives booleans and numbers too (is-default: true)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe_vpcs(ec2, vpc_ids=None, filters=None):
    """VPCs by id and/or EC2 filters (``{"tag:env": "prod"}``); all VPCs of the region when neither."""
    ec2_filters = [
        {"Name": k, "Values": [_filter_value(x) for x in (v if isinstance(v, list) else [v])]}
        for k, v in (filters or {}).items()
    ]
    if not vpc_ids:
        found = _paginate(ec2, "describe_vpcs", "Vpcs", "ec2:DescribeVpcs", Filters=ec2_filters)
        return [vpc_from_aws(v) for v in found]
    # EC2 counts every filter's values against one limit per call: the ids get what the others leave.
    budget = FILTER_CHUNK - sum(len(f["Values"]) for f in ec2_filters)
    found = []
    for part in chunks(vpc_ids, budget):
        found.extend(
            _paginate(
                ec2,
                "describe_vpcs",
                "Vpcs",
                "ec2:DescribeVpcs",
                ", ".join(part),
                Filters=[*ec2_filters, {"Name": "vpc-id", "Values": part}],
            )
        )
    return [vpc_from_aws(v) for v in found]


def flow_log_from_aws(fl):
    options = fl.get("DestinationOptions")
    return dict(
        flow_log_id=fl["FlowLogId"],
        resource_id=fl.get("ResourceId"),
        traffic_type=fl.get("TrafficType"),
        log_destination_type=fl.get("LogDestinationType", "cloud-watch-logs"),
        log_group_name=fl.get("LogGroupName"),
        log_destination=fl.get("LogDestination"),
        deliver_logs_role_arn=fl.get("DeliverLogsPermissionArn"),
        deliver_cross_account_role=fl.get("DeliverCrossAccountRole"),
        max_aggregation_interval=fl.get("MaxAggregationInterval"),
        log_format=fl.get("LogFormat"),
        destination_options=None
        if not options
        else dict(
            file_format=options.get("FileFormat"),
            hive_compatible_partitions=options.get("HiveCompatiblePartitions"),
            per_hour_partition=options.get("PerHourPartition"),
        ),
        flow_log_status=fl.get("FlowLogStatus"),
        deliver_logs_status=fl.get("DeliverLogsStatus"),
        deliver_logs_error_message=fl.get("DeliverLogsErrorMessage"),
        creation_time=_iso(fl.get("CreationTime")),
        tags=tag_dict(fl.get("Tags")),
    )


def describe_flow_logs(ec2, resource_ids=None):
    """Flow logs on the given resources (all flow logs of the region when None), in few pages."""
    if resource_ids is None or len(set(resource_ids)) > FILTER_CHUNK:
        # Past one filter's worth of ids, one unfiltered page (1,000 flow logs) beats several filtered ones.
        found = _paginate(ec2, "describe_flow_logs", "FlowLogs", "ec2:DescribeFlowLogs", MaxResults=1000)
        if resource_ids is None:
            return [flow_log_from_aws(f) for f in found]
        wanted = set(resource_ids)
        return [flow_log_from_aws(f) for f in found if f.get("ResourceId") in wanted]
    found = []
    for part in chunks(sorted(set(resource_ids)), FILTER_CHUNK):
        found.extend(
            _paginate(
                ec2,
                "describe_flow_logs",
                "FlowLogs",
                "ec2:DescribeFlowLogs",
                Filters=[{"Name": "resource-id", "Values": part}],
                MaxResults=1000,
            )
        )
    wanted = set(resource_ids)
    return [flow_log_from_aws(f) for f in found if f.get("ResourceId") in wanted]


def create_flow_logs(ec2, request, resource_ids, tags=None):
    """One CreateFlowLogs call (the caller chunks). Returns (flow_log_ids, unsuccessful).

    The call carries a new idempotency token; botocore's retries resend it, so a retry after a lost
    answer gets the first answer back instead of creating the flow logs twice."""
    kwargs = dict(request, ResourceIds=list(resource_ids), ClientToken=str(uuid.uuid4()))
    if tags:
        kwargs["TagSpecifications"] = [{"ResourceType": "vpc-flow-log", "Tags": tag_list(tags)}]
    answer = _call(ec2, "create_flow_logs", "ec2:CreateFlowLogs", ", ".join(resource_ids), **kwargs)
    unsuccessful = [
        dict(
            resource_id=item.get("ResourceId"),
            code=item.get("Error", {}).get("Code"),
            message=item.get("Error", {}).get("Message"),
        )
        for item in answer.get("Unsuccessful") or []
    ]
    return answer.get("FlowLogIds") or [], unsuccessful


def delete_flow_logs(ec2, flow_log_ids):
    """Delete flow logs; ids already gone count as deleted. Returns per-id failures."""
    failures = []
    for part in chunks(flow_log_ids, DELETE_CHUNK):
        try:
            answer = ec2.delete_flow_logs(FlowLogIds=part)
        except (BotoCoreError, ClientError) as exc:
            if error_code(exc) == "InvalidFlowLogId.NotFound":
                continue
            raise to_aws_error(exc, "ec2:DeleteFlowLogs", ", ".join(part)) from exc
        for item in answer.get("Unsuccessful") or []:
            code = item.get("Error", {}).get("Code")
            if code != "InvalidFlowLogId.NotFound":
                failures.append(
                    dict(flow_log_id=item.get("ResourceId"), code=code, message=item["Error"].get("Message"))
                )
    return failures


def create_tags(ec2, resource_ids, tags):
    _call(
        ec2, "create_tags", "ec2:CreateTags", ", ".join(resource_ids), Resources=list(resource_ids), Tags=tag_list(tags)
    )


def delete_tags(ec2, resource_ids, keys):
    _call(
        ec2,
        "delete_tags",
        "ec2:DeleteTags",
        ", ".join(resource_ids),
        Resources=list(resource_ids),
        Tags=[{"Key": k} for k in sorted(keys)],
    )


# ---------------------------------------------------------------- CloudWatch Logs


def log_group_from_aws(group, tags):
    return dict(
        name=group["logGroupName"],
        arn=group.get("logGroupArn") or group.get("arn", "").rstrip("*").rstrip(":"),
        retention_in_days=group.get("retentionInDays"),
        # Set when an account-level retention policy governs the group (retentionInDays is then its period).
        retention_policy_name=group.get("retentionPolicyName"),
        kms_key_id=group.get("kmsKeyId"),
        log_group_class=group.get("logGroupClass", "STANDARD"),
        stored_bytes=group.get("storedBytes"),
        creation_time=group.get("creationTime"),
        tags=tags,
    )


def describe_log_group(logs, name):
    """The log group called ``name`` with its tags, or None."""
    groups = _paginate(
        logs, "describe_log_groups", "logGroups", "logs:DescribeLogGroups", name, logGroupNamePrefix=name
    )
    for group in groups:
        if group["logGroupName"] == name:
            arn = group.get("logGroupArn") or group["arn"].rstrip("*").rstrip(":")
            tags = _call(logs, "list_tags_for_resource", "logs:ListTagsForResource", name, resourceArn=arn).get(
                "tags", {}
            )
            return log_group_from_aws(group, tags)
    return None


def create_log_group(logs, name, kms_key_id=None, tags=None, log_group_class=None):
    kwargs = dict(logGroupName=name)
    if kms_key_id:
        kwargs["kmsKeyId"] = kms_key_id
    if tags:
        kwargs["tags"] = {str(k): str(v) for k, v in tags.items()}
    if log_group_class:
        kwargs["logGroupClass"] = log_group_class
    _call(logs, "create_log_group", "logs:CreateLogGroup", name, **kwargs)


def put_retention_policy(logs, name, days):
    _call(logs, "put_retention_policy", "logs:PutRetentionPolicy", name, logGroupName=name, retentionInDays=days)


def delete_retention_policy(logs, name):
    _call(logs, "delete_retention_policy", "logs:DeleteRetentionPolicy", name, logGroupName=name)


def associate_kms_key(logs, name, kms_key_id):
    _call(logs, "associate_kms_key", "logs:AssociateKmsKey", name, logGroupName=name, kmsKeyId=kms_key_id)


def disassociate_kms_key(logs, name):
    _call(logs, "disassociate_kms_key", "logs:DisassociateKmsKey", name, logGroupName=name)


def tag_log_group(logs, arn, tags):
    _call(
        logs, "tag_resource", "logs:TagResource", arn, resourceArn=arn, tags={str(k): str(v) for k, v in tags.items()}
    )


def untag_log_group(logs, arn, keys):
    _call(logs, "untag_resource", "logs:UntagResource", arn, resourceArn=arn, tagKeys=sorted(keys))


def delete_log_group(logs, name):
    _call(logs, "delete_log_group", "logs:DeleteLogGroup", name, gone="ResourceNotFoundException", logGroupName=name)


# ---------------------------------------------------------------- IAM


def policy_document(document):
    """IAM returns documents as dicts through boto3, but URL-encoded JSON in some paths."""
    if document is None or isinstance(document, dict):
        return document
    return json.loads(unquote(document))


def get_role(iam, name):
    """The role with its trust policy, tags and boundary, or None."""
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except (BotoCoreError, ClientError) as exc:
        if error_code(exc) == "NoSuchEntity":
            return None
        raise to_aws_error(exc, "iam:GetRole", name) from exc
    boundary = role.get("PermissionsBoundary") or {}
    tags = role.get("Tags")
    if tags is None:
        tags = _call(iam, "list_role_tags", "iam:ListRoleTags", name, RoleName=name).get("Tags", [])
    return dict(
        name=role["RoleName"],
        arn=role["Arn"],
        role_id=role.get("RoleId"),
        path=role.get("Path", "/"),
        description=role.get("Description"),
        trust_policy=policy_document(role.get("AssumeRolePolicyDocument")),
        permissions_boundary=boundary.get("PermissionsBoundaryArn"),
        create_date=_iso(role.get("CreateDate")),
        tags=tag_dict(tags),
    )


def get_role_policy(iam, role_name, policy_name):
    try:
        answer = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)
    except (BotoCoreError, ClientError) as exc:
        if error_code(exc) == "NoSuchEntity":
            return None
        raise to_aws_error(exc, "iam:GetRolePolicy", "{}/{}".format(role_name, policy_name)) from exc
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
    _call(iam, "create_role", "iam:CreateRole", name, **kwargs)


def wait_for_role(iam, name):
    try:
        iam.get_waiter("role_exists").wait(RoleName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 30})
    except (BotoCoreError, ClientError) as exc:  # WaiterError is a BotoCoreError
        raise to_aws_error(exc, "iam:GetRole (waiting for the new role)", name) from exc


def update_trust_policy(iam, name, trust_policy):
    _call(
        iam,
        "update_assume_role_policy",
        "iam:UpdateAssumeRolePolicy",
        name,
        RoleName=name,
        PolicyDocument=json.dumps(trust_policy),
    )


def put_role_policy(iam, name, policy_name, policy):
    _call(
        iam,
        "put_role_policy",
        "iam:PutRolePolicy",
        "{}/{}".format(name, policy_name),
        RoleName=name,
        PolicyName=policy_name,
        PolicyDocument=json.dumps(policy),
    )


def update_role_description(iam, name, description):
    _call(iam, "update_role", "iam:UpdateRole", name, RoleName=name, Description=description)


def put_permissions_boundary(iam, name, boundary):
    _call(
        iam,
        "put_role_permissions_boundary",
        "iam:PutRolePermissionsBoundary",
        name,
        RoleName=name,
        PermissionsBoundary=boundary,
    )


def delete_permissions_boundary(iam, name):
    _call(iam, "delete_role_permissions_boundary", "iam:DeleteRolePermissionsBoundary", name, RoleName=name)


def tag_role(iam, name, tags):
    _call(iam, "tag_role", "iam:TagRole", name, RoleName=name, Tags=tag_list(tags))


def untag_role(iam, name, keys):
    _call(iam, "untag_role", "iam:UntagRole", name, RoleName=name, TagKeys=sorted(keys))


def list_role_policies(iam, name):
    """Names of the role's inline policies."""
    return _paginate(iam, "list_role_policies", "PolicyNames", "iam:ListRolePolicies", name, RoleName=name)


def list_attached_role_policies(iam, name):
    """ARNs of the managed policies attached to the role."""
    attached = _paginate(
        iam, "list_attached_role_policies", "AttachedPolicies", "iam:ListAttachedRolePolicies", name, RoleName=name
    )
    return [policy["PolicyArn"] for policy in attached]


def delete_role_policy(iam, name, policy_name):
    _call(
        iam,
        "delete_role_policy",
        "iam:DeleteRolePolicy",
        "{}/{}".format(name, policy_name),
        gone="NoSuchEntity",
        RoleName=name,
        PolicyName=policy_name,
    )


def detach_role_policy(iam, name, policy_arn):
    _call(
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
    profiles = _paginate(
        iam,
        "list_instance_profiles_for_role",
        "InstanceProfiles",
        "iam:ListInstanceProfilesForRole",
        name,
        RoleName=name,
    )
    for profile in profiles:
        _call(
            iam,
            "remove_role_from_instance_profile",
            "iam:RemoveRoleFromInstanceProfile",
            name,
            gone="NoSuchEntity",
            RoleName=name,
            InstanceProfileName=profile["InstanceProfileName"],
        )
    _call(iam, "delete_role", "iam:DeleteRole", name, gone="NoSuchEntity", RoleName=name)


# ---------------------------------------------------------------- Organizations (accounts inventory)


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
    found = _call(org, "describe_organization", "organizations:DescribeOrganization").get("Organization", {})
    return dict(
        organization_id=found.get("Id"),
        arn=found.get("Arn"),
        management_account_id=found.get("MasterAccountId"),
    )


def list_accounts(org):
    """Every account of the organization (ListAccounts, all pages)."""
    found = _paginate(org, "list_accounts", "Accounts", "organizations:ListAccounts")
    return [account_from_aws(a) for a in found]


def list_accounts_for_parent(org, parent_id):
    """Accounts directly under a root or an organizational unit."""
    found = _paginate(
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
    found = _paginate(
        org,
        "list_organizational_units_for_parent",
        "OrganizationalUnits",
        "organizations:ListOrganizationalUnitsForParent",
        parent_id,
        ParentId=parent_id,
    )
    return [ou["Id"] for ou in found]


def list_account_tags(org, account_id):
    found = _paginate(
        org, "list_tags_for_resource", "Tags", "organizations:ListTagsForResource", account_id, ResourceId=account_id
    )
    return tag_dict(found)


def describe_regions(ec2):
    """Regions of the caller's account, each with its opt-in status."""
    found = _call(ec2, "describe_regions", "ec2:DescribeRegions").get("Regions", [])
    return [dict(region=r["RegionName"], opt_in_status=r.get("OptInStatus")) for r in found]


# ---------------------------------------------------------------- CloudWatch Logs metric filters, CloudWatch alarms


def metric_filter_from_aws(found):
    transformation = (found.get("metricTransformations") or [{}])[0]
    default = transformation.get("defaultValue")
    return dict(
        name=found["filterName"],
        log_group_name=found.get("logGroupName"),
        pattern=found.get("filterPattern"),
        metric_name=transformation.get("metricName"),
        metric_namespace=transformation.get("metricNamespace"),
        metric_value=transformation.get("metricValue"),
        default_value=None if default is None else float(default),
    )


def describe_metric_filters(logs, log_group_name, prefix=None):
    """Metric filters of a log group (by name prefix); none when the group does not exist."""
    kwargs = dict(logGroupName=log_group_name)
    if prefix:
        kwargs["filterNamePrefix"] = prefix
    try:
        found = []
        for page in logs.get_paginator("describe_metric_filters").paginate(**kwargs):
            found.extend(page.get("metricFilters", []))
    except (BotoCoreError, ClientError) as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return []
        raise to_aws_error(exc, "logs:DescribeMetricFilters", log_group_name) from exc
    return [metric_filter_from_aws(f) for f in found]


def put_metric_filter(logs, log_group_name, name, pattern, metric_name, metric_namespace, metric_value, default_value):
    transformation = dict(metricName=metric_name, metricNamespace=metric_namespace, metricValue=metric_value)
    if default_value is not None:
        transformation["defaultValue"] = default_value
    _call(
        logs,
        "put_metric_filter",
        "logs:PutMetricFilter",
        "{}/{}".format(log_group_name, name),
        logGroupName=log_group_name,
        filterName=name,
        filterPattern=pattern,
        metricTransformations=[transformation],
    )


def delete_metric_filter(logs, log_group_name, name):
    """Delete a metric filter; one already gone counts as deleted."""
    try:
        logs.delete_metric_filter(logGroupName=log_group_name, filterName=name)
    except (BotoCoreError, ClientError) as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return
        raise to_aws_error(exc, "logs:DeleteMetricFilter", "{}/{}".format(log_group_name, name)) from exc


def alarm_from_aws(alarm):
    return dict(
        name=alarm["AlarmName"],
        arn=alarm.get("AlarmArn"),
        description=alarm.get("AlarmDescription"),
        metric_name=alarm.get("MetricName"),
        namespace=alarm.get("Namespace"),
        statistic=alarm.get("Statistic"),
        period=alarm.get("Period"),
        evaluation_periods=alarm.get("EvaluationPeriods"),
        threshold=alarm.get("Threshold"),
        comparison_operator=alarm.get("ComparisonOperator"),
        treat_missing_data=alarm.get("TreatMissingData"),
        actions_enabled=alarm.get("ActionsEnabled"),
        alarm_actions=sorted(alarm.get("AlarmActions") or []),
        ok_actions=sorted(alarm.get("OKActions") or []),
        insufficient_data_actions=sorted(alarm.get("InsufficientDataActions") or []),
    )


def describe_alarms(cloudwatch, prefix):
    """Metric alarms whose name starts with ``prefix``, without tags."""
    found = _paginate(
        cloudwatch,
        "describe_alarms",
        "MetricAlarms",
        "cloudwatch:DescribeAlarms",
        prefix,
        AlarmNamePrefix=prefix,
        AlarmTypes=["MetricAlarm"],
    )
    return [alarm_from_aws(a) for a in found]


def list_alarm_tags(cloudwatch, arn):
    return tag_dict(
        _call(cloudwatch, "list_tags_for_resource", "cloudwatch:ListTagsForResource", arn, ResourceARN=arn).get("Tags")
    )


def put_metric_alarm(cloudwatch, alarm, tags=None):
    """Create or overwrite a metric alarm. AWS applies ``tags`` only when it creates the alarm."""
    kwargs = dict(
        AlarmName=alarm["name"],
        AlarmDescription=alarm.get("description") or "",
        ActionsEnabled=bool(alarm.get("actions_enabled", True)),
        AlarmActions=list(alarm.get("alarm_actions") or []),
        OKActions=list(alarm.get("ok_actions") or []),
        InsufficientDataActions=list(alarm.get("insufficient_data_actions") or []),
        MetricName=alarm["metric_name"],
        Namespace=alarm["namespace"],
        Statistic=alarm["statistic"],
        Period=alarm["period"],
        EvaluationPeriods=alarm["evaluation_periods"],
        Threshold=float(alarm["threshold"]),
        ComparisonOperator=alarm["comparison_operator"],
        TreatMissingData=alarm["treat_missing_data"],
    )
    if tags:
        kwargs["Tags"] = tag_list(tags)
    _call(cloudwatch, "put_metric_alarm", "cloudwatch:PutMetricAlarm", alarm["name"], **kwargs)


def delete_alarms(cloudwatch, names):
    # DeleteAlarms takes up to 100 names per call.
    for part in chunks(sorted(names), 100):
        _call(cloudwatch, "delete_alarms", "cloudwatch:DeleteAlarms", ", ".join(part), AlarmNames=part)


def tag_alarm(cloudwatch, arn, tags):
    _call(cloudwatch, "tag_resource", "cloudwatch:TagResource", arn, ResourceARN=arn, Tags=tag_list(tags))


def untag_alarm(cloudwatch, arn, keys):
    _call(cloudwatch, "untag_resource", "cloudwatch:UntagResource", arn, ResourceARN=arn, TagKeys=sorted(keys))


__all__ = ["AwsError"]
