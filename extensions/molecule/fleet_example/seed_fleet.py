"""Molecule prepare: a small fleet in moto server, broken the way hand-made set-ups often are.
``python seed_fleet.py ENDPOINT TARGETS_JSON`` (TARGETS_JSON: [{"account": ..., "region": ...}, ...]).

Every account is reached as the role reaches it, by AssumeRole into OrganizationAccountAccessRole (moto lets any
role be assumed). Per target one VPC besides the default one; in the first account, per region, a log group
without retention and a REJECT-only flow log delivered through a role that trusts ec2.amazonaws.com and may do
anything in CloudWatch Logs - and a network interface whose records reach the group as VPC Flow Logs writes them (a
log stream named after the interface), so that the verify step's proof of delivery has something to find.
"""

from __future__ import annotations

import json
import sys
import time

import boto3

GROUP = "vpc-flow-logs"
ROLE = "vpc-flow-logs-delivery"
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
WIDE_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}


def session(endpoint, account, region):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=region)
    arn = "arn:aws:iam::{}:role/OrganizationAccountAccessRole".format(account)
    creds = sts.assume_role(RoleArn=arn, RoleSessionName="molecule-prepare")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def seed(endpoint, targets):
    broken_account = targets[0]["account"]
    role_arn = "arn:aws:iam::{}:role/{}".format(broken_account, ROLE)
    iam = session(endpoint, broken_account, targets[0]["region"]).client("iam", endpoint_url=endpoint)
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
    iam.put_role_policy(RoleName=ROLE, PolicyName="flow-logs-delivery", PolicyDocument=json.dumps(WIDE_POLICY))
    for index, target in enumerate(targets):
        aws = session(endpoint, target["account"], target["region"])
        ec2 = aws.client("ec2", endpoint_url=endpoint)
        vpc = ec2.create_vpc(CidrBlock="10.{}.0.0/16".format(index))["Vpc"]["VpcId"]
        if target["account"] != broken_account:
            continue
        logs = aws.client("logs", endpoint_url=endpoint)
        logs.create_log_group(logGroupName=GROUP)  # no retention: kept forever
        ec2.create_flow_logs(
            ResourceIds=[vpc],
            ResourceType="VPC",
            TrafficType="REJECT",
            LogGroupName=GROUP,
            DeliverLogsPermissionArn=role_arn,
        )
        put_records(ec2, logs, vpc, target["account"], index)
    print("seeded {} targets; broken account {}".format(len(targets), broken_account))


def put_records(ec2, logs, vpc, account, index):
    """A network interface in the VPC and a record of its traffic in its log stream (``eni-...-all``)."""
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.{}.1.0/24".format(index))["Subnet"]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    end = int(time.time())
    record = "2 {account} {eni} 10.{i}.1.5 10.{i}.1.9 443 40001 6 5 300 {start} {end} REJECT OK".format(
        account=account, eni=eni, i=index, start=end - 60, end=end
    )
    logs.create_log_stream(logGroupName=GROUP, logStreamName=eni + "-all")
    logs.put_log_events(
        logGroupName=GROUP, logStreamName=eni + "-all", logEvents=[{"timestamp": (end - 60) * 1000, "message": record}]
    )


if __name__ == "__main__":
    seed(sys.argv[1], json.loads(sys.argv[2]))
