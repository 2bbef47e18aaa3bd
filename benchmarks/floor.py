"""The floor: the end state of enable_flowlogs.yml reached by a plain threaded boto3 script, no Ansible.

    python -m benchmarks.floor ENDPOINT TARGETS_JSON_FILE [--threads 64]

TARGETS_JSON_FILE holds ``[{"account": "...", "region": "..."}, ...]``. One thread per target, at most
``--threads`` (default 64: with 2 cores the work is CPU-bound long before that; with 50 ms per AWS call,
64 threads keep ~64 calls in flight, more than 20 Ansible forks can). Each target is converged on its own,
as one inventory host is: its own AssumeRole into the account; the account's role once per account.

Same end state as the collection's defaults:

- per account, role ``vpc-flow-logs-delivery`` (tag managed-by=flowlogs.aws) trusting
  vpc-flow-logs.amazonaws.com with aws:SourceAccount / aws:SourceArn conditions, and only the inline
  policy ``flow-logs-delivery``: DeliverToFlowLogGroups (logs:CreateLogStream, DescribeLogStreams,
  PutLogEvents on ``arn:aws:logs:*:<account>:log-group:vpc-flow-logs:*``) and ListLogGroups
  (logs:DescribeLogGroups on ``*``); no other inline or attached policy (the collection purges them);
- per target, log group ``vpc-flow-logs`` with 90-day retention, tagged managed-by=flowlogs.aws;
- per VPC, one flow log of ALL traffic to it, MaxAggregationInterval 600, tagged managed-by=flowlogs.aws.

Calls are batched (CreateFlowLogs takes 300 VPCs, tags go with the create calls) and reads are the ones
needed to know the end state holds, so a re-run on a converged fleet makes no mutating call. The first
target of an account to get there reads, creates or fixes the role while the account's other targets wait for it
(no CreateRole race), and they use its ARN: the role is converged once per account per run, as the collection
does it.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import botocore.loaders
import botocore.session
from botocore.exceptions import ClientError

GROUP = "vpc-flow-logs"
ROLE = "vpc-flow-logs-delivery"
POLICY = "flow-logs-delivery"
RETENTION = 90
INTERVAL = 600
TAGS = {"managed-by": "flowlogs.aws"}
CHUNK = 300
THREADS = 64
ACCESS_ROLE = "OrganizationAccountAccessRole"
ROLE_NOT_READY = "Unable to assume given IAM role"
LOADER = botocore.loaders.create_loader()  # models parsed once for every target, as the collection does


def trust_policy(account):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "VpcFlowLogsDelivery",
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


def delivery_policy(account):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DeliverToFlowLogGroups",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                "Resource": ["arn:aws:logs:*:{}:log-group:{}:*".format(account, GROUP)],
            },
            {"Sid": "ListLogGroups", "Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"},
        ],
    }


def canonical(policy):
    """Statements without Sids, single values as sorted lists, in a stable order (semantic comparison)."""
    if isinstance(policy, str):
        policy = json.loads(policy)

    def value(v):
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items()}
        return sorted(v) if isinstance(v, list) else [v]

    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    out = [{k: value(v) for k, v in s.items() if k != "Sid"} for s in statements]
    return policy.get("Version"), sorted(json.dumps(s, sort_keys=True) for s in out)


_THREAD = threading.local()


def _thread_session():
    """One botocore session per thread (boto3 sessions are not thread-safe), models parsed once for all."""
    if not hasattr(_THREAD, "session"):
        core = botocore.session.Session()
        core.register_component("data_loader", LOADER)
        _THREAD.session = core
        _THREAD.sts = {}
    return _THREAD.session


def clients_for(endpoint, account, region, services=("iam", "logs", "ec2")):
    """Clients in ``account`` (AssumeRole into it, as the playbooks do) for ``region``."""
    core = _thread_session()
    if region not in _THREAD.sts:
        _THREAD.sts[region] = core.create_client(
            "sts", region_name=region, endpoint_url=endpoint, aws_access_key_id="bench", aws_secret_access_key="bench"
        )
    creds = _THREAD.sts[region].assume_role(
        RoleArn="arn:aws:iam::{}:role/{}".format(account, ACCESS_ROLE), RoleSessionName="floor"
    )["Credentials"]
    return [
        core.create_client(
            service,
            region_name=region,
            endpoint_url=endpoint,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        for service in services
    ]


_GUARD = threading.Lock()
_ROLE_CHECKED = {}  # account -> Event set once its first target has converged the role
_ROLE_ARN = {}  # account -> the role's ARN, once converged


def _first_look(iam, account):
    """The role as GetRole returns it; created (with its policy) if missing. (role, created)."""
    try:
        return iam.get_role(RoleName=ROLE)["Role"], False
    except ClientError as err:
        if err.response["Error"]["Code"] != "NoSuchEntity":
            raise
    role = iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=json.dumps(trust_policy(account)),
        Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()],
    )["Role"]
    iam.put_role_policy(RoleName=ROLE, PolicyName=POLICY, PolicyDocument=json.dumps(delivery_policy(account)))
    return role, True


def ensure_role(iam, account):
    """The account's role, converged once per account per run (as the collection does): the account's first
    target reads, creates or fixes it while the others wait, then they use its ARN without a call."""
    with _GUARD:
        first = account not in _ROLE_CHECKED
        ready = _ROLE_CHECKED.setdefault(account, threading.Event())
    if not first:
        ready.wait()
        if account in _ROLE_ARN:
            return _ROLE_ARN[account]
    try:
        arn = _converge_role(iam, account)[0]
        _ROLE_ARN[account] = arn
        return arn
    finally:
        ready.set()


def _converge_role(iam, account):
    """(the role's ARN, whether it was created)."""
    role, created = _first_look(iam, account)
    if created:
        return role["Arn"], True
    if canonical(role["AssumeRolePolicyDocument"]) != canonical(trust_policy(account)):
        iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust_policy(account)))
    tags = {t["Key"]: t["Value"] for t in role.get("Tags") or []}
    if any(tags.get(k) != v for k, v in TAGS.items()):
        iam.tag_role(RoleName=ROLE, Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()])
    pages = iam.get_paginator("list_role_policies").paginate(RoleName=ROLE)
    inline = [name for page in pages for name in page["PolicyNames"]]
    for name in inline:
        if name != POLICY:
            iam.delete_role_policy(RoleName=ROLE, PolicyName=name)
    current = iam.get_role_policy(RoleName=ROLE, PolicyName=POLICY)["PolicyDocument"] if POLICY in inline else None
    if current is None or canonical(current) != canonical(delivery_policy(account)):
        iam.put_role_policy(RoleName=ROLE, PolicyName=POLICY, PolicyDocument=json.dumps(delivery_policy(account)))
    pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=ROLE)
    for attached in [a for page in pages for a in page["AttachedPolicies"]]:
        iam.detach_role_policy(RoleName=ROLE, PolicyArn=attached["PolicyArn"])
    return role["Arn"], False


def ensure_log_group(logs):
    found = [g for g in logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"] if g["logGroupName"] == GROUP]
    if not found:
        logs.create_log_group(logGroupName=GROUP, tags=TAGS)
        logs.put_retention_policy(logGroupName=GROUP, retentionInDays=RETENTION)
        return
    group = found[0]
    if group.get("retentionInDays") != RETENTION:
        logs.put_retention_policy(logGroupName=GROUP, retentionInDays=RETENTION)
    arn = group.get("logGroupArn") or group["arn"].rstrip("*").rstrip(":")
    tags = logs.list_tags_for_resource(resourceArn=arn).get("tags") or {}
    if any(tags.get(k) != v for k, v in TAGS.items()):
        logs.tag_resource(resourceArn=arn, tags=TAGS)


def ensure_flow_logs(ec2, role_arn):
    vpcs = [v["VpcId"] for page in ec2.get_paginator("describe_vpcs").paginate() for v in page["Vpcs"]]
    pages = ec2.get_paginator("describe_flow_logs").paginate(PaginationConfig={"PageSize": 1000})
    ours = [f for page in pages for f in page["FlowLogs"] if f.get("LogGroupName") == GROUP]
    good, wrong = {}, []
    for f in ours:
        right = (
            f.get("TrafficType") == "ALL"
            and f.get("MaxAggregationInterval") == INTERVAL
            and f.get("DeliverLogsPermissionArn") == role_arn
            and f["ResourceId"] not in good
        )
        if right:
            good[f["ResourceId"]] = f
        else:
            wrong.append(f["FlowLogId"])
    for i in range(0, len(wrong), 1000):
        ec2.delete_flow_logs(FlowLogIds=wrong[i : i + 1000])
    untagged = [
        f["FlowLogId"]
        for f in good.values()
        if any({t["Key"]: t["Value"] for t in f.get("Tags") or []}.get(k) != v for k, v in TAGS.items())
    ]
    for i in range(0, len(untagged), 1000):
        ec2.create_tags(Resources=untagged[i : i + 1000], Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()])
    missing = [v for v in vpcs if v not in good]
    for i in range(0, len(missing), CHUNK):
        create_flow_logs(
            ec2,
            ResourceIds=missing[i : i + CHUNK],
            ResourceType="VPC",
            TrafficType="ALL",
            LogGroupName=GROUP,
            DeliverLogsPermissionArn=role_arn,
            MaxAggregationInterval=INTERVAL,
            TagSpecifications=[
                {"ResourceType": "vpc-flow-log", "Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()]}
            ],
        )
    return len(missing)


def create_flow_logs(ec2, **request):
    """CreateFlowLogs, retried every second while AWS cannot assume a new role yet (IAM propagation), in both of
    AWS's answers: the whole call refused, or each resource as an Unsuccessful item."""
    while True:
        try:
            answer = ec2.create_flow_logs(**request)
        except ClientError as err:
            if ROLE_NOT_READY not in err.response["Error"].get("Message", ""):
                raise
            time.sleep(1)
            continue
        waiting = [u["ResourceId"] for u in answer.get("Unsuccessful") or [] if ROLE_NOT_READY in str(u)]
        if not waiting:
            return answer
        request = dict(request, ResourceIds=waiting)
        time.sleep(1)


def converge(endpoint, account, region):
    iam, logs, ec2 = clients_for(endpoint, account, region)
    role_arn = ensure_role(iam, account)
    ensure_log_group(logs)
    return ensure_flow_logs(ec2, role_arn)


def roles_first(endpoint, accounts, threads):
    """Every account's role converged before any flow log, then ONE wait for IAM propagation: as long as it takes
    for CreateFlowLogs to accept the youngest role (``create_flow_logs`` retries any refusal left after it)."""
    created_at = {}

    def one(account):
        iam = clients_for(endpoint, account, "us-east-1", services=("iam",))[0]
        with _GUARD:
            _ROLE_CHECKED[account] = threading.Event()
        _ROLE_ARN[account], created = _converge_role(iam, account)
        if created:
            created_at[account] = time.monotonic()
        _ROLE_CHECKED[account].set()

    with ThreadPoolExecutor(max_workers=max(1, min(threads, len(accounts)))) as pool:
        list(pool.map(one, accounts))
    return max(created_at.values(), default=None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("endpoint")
    parser.add_argument("targets", help="JSON file: a list of {account, region}")
    parser.add_argument("--threads", type=int, default=THREADS, help="at most this many targets at once")
    parser.add_argument(
        "--roles-first",
        type=float,
        metavar="SECONDS",
        help="converge every account's role first, then wait once until the youngest is SECONDS old (IAM propagation)",
    )
    args = parser.parse_args(argv)
    with open(args.targets, encoding="utf-8") as handle:
        targets = json.load(handle)
    # Parse the models once, before the threads start: else every thread misses the loader's cache at once.
    warm = _thread_session()
    for service in ("sts", "iam", "logs", "ec2"):
        warm.create_client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    if args.roles_first is not None:
        youngest = roles_first(args.endpoint, sorted({t["account"] for t in targets}), args.threads)
        if youngest is not None:
            time.sleep(max(0.0, youngest + args.roles_first - time.monotonic()))
    # Region-major order: the first targets to start are of different accounts, so few wait for a role.
    targets = sorted(targets, key=lambda t: (t["region"], t["account"]))
    with ThreadPoolExecutor(max_workers=max(1, min(args.threads, len(targets)))) as pool:
        created = list(pool.map(lambda t: converge(args.endpoint, t["account"], t["region"]), targets))
    print(json.dumps({"targets": len(targets), "flow_logs_created": sum(created)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
