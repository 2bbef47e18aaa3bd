"""Molecule verify: AWS state read with boto3 directly - not with the collection's own modules, so a bug shared by
the role and its audit cannot pass both. ``python verify_aws.py ENDPOINT TARGETS_JSON``; exits non-zero naming
every target that is not as the role leaves it."""

from __future__ import annotations

import json
import sys

import boto3

GROUP = "vpc-flow-logs"
ROLE = "vpc-flow-logs-delivery"
RETENTION_DAYS = 90


def session(endpoint, account, region):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=region)
    arn = "arn:aws:iam::{}:role/OrganizationAccountAccessRole".format(account)
    creds = sts.assume_role(RoleArn=arn, RoleSessionName="molecule-verify")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def as_list(value):
    return value if isinstance(value, list) else [value]


def flow_log_problems(ec2, account):
    """Every VPC: one flow log to the group, all traffic, through the delivery role; nothing else to the group."""
    problems = []
    role_arn = "arn:aws:iam::{}:role/{}".format(account, ROLE)
    flow_logs = [f for f in ec2.describe_flow_logs()["FlowLogs"] if f.get("LogGroupName") == GROUP]
    for vpc in (v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]):
        ours = [
            (f["TrafficType"], f["DeliverLogsPermissionArn"], f["MaxAggregationInterval"])
            for f in flow_logs
            if f["ResourceId"] == vpc
        ]
        if ours != [("ALL", role_arn, 600)]:
            problems.append("{}: flow logs to {}: {}".format(vpc, GROUP, ours))
    return problems


def delivery_problems(logs, iam, account):
    """The log group keeps its logs RETENTION_DAYS; the role trusts only VPC Flow Logs of this account and may only
    deliver to the group."""
    problems = []
    groups = [g for g in logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"] if g["logGroupName"] == GROUP]
    if [g.get("retentionInDays") for g in groups] != [RETENTION_DAYS]:
        problems.append("log group {}: {}".format(GROUP, groups))
    try:
        statements = as_list(iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]["Statement"])
    except iam.exceptions.NoSuchEntityException:
        return [*problems, "role {} is missing".format(ROLE)]
    principals = [as_list(s["Principal"].get("Service")) for s in statements]
    if principals != [["vpc-flow-logs.amazonaws.com"]]:
        problems.append("role {} trusts {}".format(ROLE, principals))
    condition = statements[0].get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount")
    if as_list(condition) != [account]:
        problems.append("role {} trust conditions {}".format(ROLE, statements[0].get("Condition")))
    inline = iam.list_role_policies(RoleName=ROLE)["PolicyNames"]
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    if inline != ["flow-logs-delivery"] or attached:
        return [*problems, "role {} policies: inline {}, managed {}".format(ROLE, inline, attached)]
    policy = iam.get_role_policy(RoleName=ROLE, PolicyName="flow-logs-delivery")["PolicyDocument"]
    scoped = "arn:aws:logs:*:{}:log-group:{}:*".format(account, GROUP)
    resources = sorted({r for s in as_list(policy["Statement"]) for r in as_list(s["Resource"])})
    if resources != sorted(["*", scoped]):  # "*" for DescribeLogGroups only, which has no resource type
        problems.append("role {} policy resources {}".format(ROLE, resources))
    return problems


def target_problems(endpoint, target):
    account, region = target["account"], target["region"]
    aws = session(endpoint, account, region)
    ec2, logs, iam = (aws.client(s, endpoint_url=endpoint) for s in ("ec2", "logs", "iam"))
    problems = flow_log_problems(ec2, account) + delivery_problems(logs, iam, account)
    return ["{} {}: {}".format(account, region, p) for p in problems]


def main(endpoint, targets):
    problems = [p for target in targets for p in target_problems(endpoint, target)]
    for problem in problems:
        print(problem)
    print("verified {} targets with boto3: {}".format(len(targets), "FAILED" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], json.loads(sys.argv[2])))
