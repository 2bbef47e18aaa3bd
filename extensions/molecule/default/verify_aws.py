"""Molecule verify: AWS state read with boto3 directly - not with the collection's own modules, so a bug shared
by the converge and the audit cannot pass both. ``python verify_aws.py ENDPOINT TARGETS_JSON``; exits non-zero
naming every target that is not as the role leaves it."""

from __future__ import annotations

import json
import sys

import boto3

GROUP = "vpc-flow-logs"
ROLE = "vpc-flow-logs-delivery"
OTHER_TEAM_GROUP = "security-team-flows"


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


def target_problems(endpoint, target):
    account, region = target["account"], target["region"]
    aws = session(endpoint, account, region)
    ec2, logs, iam = (aws.client(s, endpoint_url=endpoint) for s in ("ec2", "logs", "iam"))
    problems = []
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    flow_logs = ec2.describe_flow_logs()["FlowLogs"]
    role_arn = "arn:aws:iam::{}:role/{}".format(account, ROLE)
    for vpc in vpcs:
        ours = [f for f in flow_logs if f["ResourceId"] == vpc and f.get("LogGroupName") == GROUP]
        if [(f["TrafficType"], f["DeliverLogsPermissionArn"], f["MaxAggregationInterval"]) for f in ours] != [
            ("ALL", role_arn, 600)
        ]:
            problems.append("{}: flow logs to {}: {}".format(vpc, GROUP, ours))
    if account == "222222222222" and not [f for f in flow_logs if f.get("LogGroupName") == OTHER_TEAM_GROUP]:
        problems.append("another team's flow log to {} is gone".format(OTHER_TEAM_GROUP))
    groups = [g for g in logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"] if g["logGroupName"] == GROUP]
    if [g.get("retentionInDays") for g in groups] != [90]:
        problems.append("log group {}: {}".format(GROUP, groups))
    trust = iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    statements = as_list(trust["Statement"])
    principals = [as_list(s["Principal"].get("Service")) for s in statements]
    if principals != [["vpc-flow-logs.amazonaws.com"]]:
        problems.append("role {} trusts {}".format(ROLE, principals))
    condition = statements[0].get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount")
    if as_list(condition) != [account]:
        problems.append("role {} trust conditions {}".format(ROLE, statements[0].get("Condition")))
    inline = iam.list_role_policies(RoleName=ROLE)["PolicyNames"]
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    if inline != ["flow-logs-delivery"] or attached:
        problems.append("role {} policies: inline {}, managed {}".format(ROLE, inline, attached))
    else:
        policy = iam.get_role_policy(RoleName=ROLE, PolicyName="flow-logs-delivery")["PolicyDocument"]
        scoped = "arn:aws:logs:*:{}:log-group:{}:*".format(account, GROUP)
        resources = sorted({r for s in as_list(policy["Statement"]) for r in as_list(s["Resource"])})
        if resources != sorted(["*", scoped]):  # "*" for DescribeLogGroups only, which has no resource type
            problems.append("role {} policy resources {}".format(ROLE, resources))
    return ["{} {}: {}".format(account, region, p) for p in problems]


def main(endpoint, targets):
    problems = [p for target in targets for p in target_problems(endpoint, target)]
    for problem in problems:
        print(problem)
    print("verified {} targets with boto3: {}".format(len(targets), "FAILED" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], json.loads(sys.argv[2])))
