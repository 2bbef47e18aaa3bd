"""A small broken fleet in moto server, as people leave it after following blog recipes by hand.

Used by ``make demo`` and by the fleet tests. Every account is reached the way the playbooks reach it:
STS AssumeRole into ``arn:aws:iam::<account>:role/OrganizationAccountAccessRole``.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3

ACCOUNTS = ("111111111111", "222222222222", "333333333333")
REGIONS = ("us-east-1", "eu-west-1")
ACCESS_ROLE = "OrganizationAccountAccessRole"
GROUP = "vpc-flow-logs"
ROLE = "vpc-flow-logs-delivery"
OTHER_TEAM_GROUP = "security-team-flows"
OTHER_TEAM_ROLE = "security-team-delivery"
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
WIDE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["logs:*"], "Resource": "*"}],
}
WIDE_MANAGED_POLICY = "logs-full-access"
FAKE = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}


def target_name(account, region):
    return "acct-{}-{}".format(account[:3], region)


def session(url, account, region):
    """A boto3 session in ``account`` (through AssumeRole, as the playbooks do)."""
    sts = boto3.client("sts", endpoint_url=url, region_name=region, **FAKE)
    creds = sts.assume_role(RoleArn="arn:aws:iam::{}:role/{}".format(account, ACCESS_ROLE), RoleSessionName="seed")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def _vpc(ec2, cidr, name, **tags):
    tag_list = [{"Key": "Name", "Value": name}] + [{"Key": k, "Value": v} for k, v in tags.items()]
    return ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": tag_list}])["Vpc"]["VpcId"]


def seed(url, accounts=ACCOUNTS, regions=REGIONS, vpcs_per_target=2):
    """Seed the broken fleet; returns what was planted, for the tests to check afterwards."""
    planted = {}
    for a_index, account in enumerate(accounts):
        iam = session(url, account, regions[0]).client("iam", endpoint_url=url)
        role_arn = "arn:aws:iam::{}:role/{}".format(account, ROLE)
        if a_index == 0:
            # The blog recipe: the delivery role trusts EC2 and may do anything in CloudWatch Logs - through its
            # inline policy and a managed policy someone attached "to make it work".
            iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
            iam.put_role_policy(RoleName=ROLE, PolicyName="flow-logs-delivery", PolicyDocument=json.dumps(WIDE_POLICY))
            wide = iam.create_policy(PolicyName=WIDE_MANAGED_POLICY, PolicyDocument=json.dumps(WIDE_POLICY))
            iam.attach_role_policy(RoleName=ROLE, PolicyArn=wide["Policy"]["Arn"])
        other_role_arn = None
        if a_index == 1:
            other = iam.create_role(RoleName=OTHER_TEAM_ROLE, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
            other_role_arn = other["Role"]["Arn"]
        for r_index, region in enumerate(regions):
            s = session(url, account, region)
            ec2 = s.client("ec2", endpoint_url=url)
            logs = s.client("logs", endpoint_url=url)
            vpcs = [
                _vpc(ec2, "10.{}.{}.0/24".format(a_index * 10 + r_index, i), "app-{}".format(i), team="app")
                for i in range(vpcs_per_target)
            ]
            entry = dict(account=account, region=region, vpcs=vpcs, kept_flow_logs=[])
            if a_index == 0:
                # A log group with no retention (kept and billed forever) and a REJECT-only flow log.
                logs.create_log_group(logGroupName=GROUP)
                fl = ec2.create_flow_logs(
                    ResourceIds=[vpcs[0]],
                    ResourceType="VPC",
                    TrafficType="REJECT",
                    LogGroupName=GROUP,
                    DeliverLogsPermissionArn=role_arn,
                )["FlowLogIds"][0]
                entry["reject_only_flow_log"] = fl
            if a_index == 1:
                # Another team's flow log to its own destination: it must survive every run.
                logs.create_log_group(logGroupName=OTHER_TEAM_GROUP)
                fl = ec2.create_flow_logs(
                    ResourceIds=[vpcs[0]],
                    ResourceType="VPC",
                    TrafficType="ALL",
                    LogGroupName=OTHER_TEAM_GROUP,
                    DeliverLogsPermissionArn=other_role_arn,
                )["FlowLogIds"][0]
                entry["kept_flow_logs"].append(fl)
            planted[target_name(account, region)] = entry
    return planted


def write_inventory(path, url, accounts=ACCOUNTS, regions=REGIONS, extra_host_vars=None, saved_queries=False):
    """An inventory with one host per account x region, reaching each account by AssumeRole; groups
    ``account_<id>`` and ``region_<region with _>`` as the flowlogs.aws.accounts inventory makes them.
    ``saved_queries``: flow_logs_insights_queries (None: unset, as a user's inventory leaves it)."""
    hosts, groups = {}, {}
    for account in accounts:
        for region in regions:
            for group in ("account_" + account, "region_" + region.replace("-", "_")):
                groups.setdefault(group, {"hosts": {}})["hosts"][target_name(account, region)] = {}
            host = dict(
                flow_logs_region=region,
                flow_logs_account_id=account,
                flow_logs_assume_role_arn="arn:aws:iam::{}:role/{}".format(account, ACCESS_ROLE),
                flow_logs_endpoint_url=url,
            )
            if saved_queries is not None:
                # moto has no saved Logs Insights queries (PutQueryDefinition): tests/unit/test_target_analysis.py
                host["flow_logs_insights_queries"] = saved_queries
            host.update((extra_host_vars or {}).get(target_name(account, region), {}))
            hosts[target_name(account, region)] = host
    inventory = {
        "all": {
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
            "children": dict(groups, flow_logs_targets={"hosts": hosts}),
        }
    }
    Path(path).write_text(json.dumps(inventory, indent=2))
    return path


def snapshot(url, accounts=ACCOUNTS, regions=REGIONS):
    """Everything the collection could touch, per target, without volatile fields: compare two of these."""
    state = {}
    for account in accounts:
        iam = session(url, account, regions[0]).client("iam", endpoint_url=url)
        roles = {}
        for role in iam.list_roles()["Roles"]:
            name = role["RoleName"]
            if name == ACCESS_ROLE:
                continue
            policies = {
                p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
            }
            attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
            attached = sorted(p["PolicyArn"] for p in attached)
            roles[name] = dict(trust=role["AssumeRolePolicyDocument"], policies=policies, attached=attached)
        state[account] = dict(roles=roles)
        for region in regions:
            s = session(url, account, region)
            ec2 = s.client("ec2", endpoint_url=url)
            logs = s.client("logs", endpoint_url=url)
            flow_logs = sorted(
                (
                    dict(
                        id=f["FlowLogId"],
                        resource=f["ResourceId"],
                        traffic=f.get("TrafficType"),
                        group=f.get("LogGroupName"),
                        destination=f.get("LogDestination"),
                        role=f.get("DeliverLogsPermissionArn"),
                        interval=f.get("MaxAggregationInterval"),
                        tags=sorted((t["Key"], t["Value"]) for t in f.get("Tags", [])),
                    )
                    for f in ec2.describe_flow_logs()["FlowLogs"]
                ),
                key=lambda f: f["id"],
            )
            groups = {
                g["logGroupName"]: dict(retention=g.get("retentionInDays"), kms=g.get("kmsKeyId"))
                for g in logs.describe_log_groups()["logGroups"]
            }
            vpcs = sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"])
            state[account][region] = dict(flow_logs=flow_logs, log_groups=groups, vpcs=vpcs)
    return state


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 4 or sys.argv[1] != "seed":
        sys.exit("usage: python -m tests.support.fleet seed ENDPOINT_URL INVENTORY_PATH")
    print(json.dumps(seed(sys.argv[2]), indent=2))
    write_inventory(sys.argv[3], sys.argv[2])
