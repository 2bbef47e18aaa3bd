"""The physical floor: the end state of enable_flowlogs.yml reached with raw boto3, batched calls and
one thread per target, no Ansible. ``python -m benchmarks.floor ENDPOINT TARGETS_JSON``.

Same end state as the collection: per account a delivery role trusting vpc-flow-logs.amazonaws.com
with a scoped policy; per target a log group with 90-day retention and one ALL flow log per VPC.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.loaders
import botocore.session
from botocore.exceptions import ClientError

GROUP = "vpc-flow-logs"
ROLE = "vpc-flow-logs-delivery"
LOADER = botocore.loaders.create_loader()  # models parsed once for every target, as the collection does


def session_for(endpoint, account, region):
    core = botocore.session.Session()
    core.register_component("data_loader", LOADER)
    base = boto3.Session(
        botocore_session=core, aws_access_key_id="bench", aws_secret_access_key="bench", region_name=region
    )
    creds = base.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn="arn:aws:iam::{}:role/OrganizationAccountAccessRole".format(account), RoleSessionName="floor"
    )["Credentials"]
    core = botocore.session.Session()
    core.register_component("data_loader", LOADER)
    return boto3.Session(
        botocore_session=core,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def ensure_role(iam, account):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": "arn:aws:ec2:*:{}:vpc-flow-log/*".format(account)},
                },
            }
        ],
    }
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogStream",
                    "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ],
                "Resource": ["arn:aws:logs:*:{}:log-group:{}:*".format(account, GROUP)],
            }
        ],
    }
    try:
        role = iam.get_role(RoleName=ROLE)["Role"]
    except ClientError:
        try:
            role = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        except ClientError:
            role = iam.get_role(RoleName=ROLE)["Role"]
        iam.put_role_policy(RoleName=ROLE, PolicyName="flow-logs-delivery", PolicyDocument=json.dumps(policy))
        return role["Arn"]
    if role["AssumeRolePolicyDocument"] != trust:
        iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust))
    try:
        current = iam.get_role_policy(RoleName=ROLE, PolicyName="flow-logs-delivery")["PolicyDocument"]
    except ClientError:
        current = None  # another target of the account is creating it right now
    if current != policy:
        iam.put_role_policy(RoleName=ROLE, PolicyName="flow-logs-delivery", PolicyDocument=json.dumps(policy))
    return role["Arn"]


def converge(endpoint, account, region):
    s = session_for(endpoint, account, region)
    iam, logs, ec2 = (s.client(x, endpoint_url=endpoint) for x in ("iam", "logs", "ec2"))
    role_arn = ensure_role(iam, account)
    groups = [g for g in logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"] if g["logGroupName"] == GROUP]
    if not groups:
        logs.create_log_group(logGroupName=GROUP)
    if not groups or groups[0].get("retentionInDays") != 90:
        logs.put_retention_policy(logGroupName=GROUP, retentionInDays=90)
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    have = {
        f["ResourceId"]
        for f in ec2.describe_flow_logs(MaxResults=1000)["FlowLogs"]
        if f.get("LogGroupName") == GROUP and f.get("TrafficType") == "ALL"
    }
    missing = [v for v in vpcs if v not in have]
    for i in range(0, len(missing), 300):
        ec2.create_flow_logs(
            ResourceIds=missing[i : i + 300],
            ResourceType="VPC",
            TrafficType="ALL",
            LogGroupName=GROUP,
            DeliverLogsPermissionArn=role_arn,
            MaxAggregationInterval=600,
        )
    return len(missing)


def main(endpoint, targets):
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        created = list(pool.map(lambda t: converge(endpoint, t["account"], t["region"]), targets))
    print(json.dumps({"created": sum(created)}))


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
