"""troubleshoot_flowlogs.yml end to end: flow-log records written into moto exactly as AWS delivers them (one log
stream per network interface, ``eni-...-all``; the default version 2 format and a custom version 5 format), then
the playbook through ansible-playbook, one inventory host per question, and the verdict of each.

One run answers every question (a host per case, all in one play, as a fleet run would) and a second run, through
a counting proxy, shows that bad variables are refused before any AWS call. moto ignores space-delimited filter
patterns and returns every event of the window, so every verdict here also proves the client-side match.
"""

from __future__ import annotations

import json
import time

from tests.integration.test_bad_inputs import failures_by_host
from tests.integration.test_fleet import PLAYBOOKS, recap
from tests.support import fleet
from tests.support.aws_proxy import CountingProxy

ACCOUNT, QUIET_ACCOUNT, BROKEN_ACCOUNT = fleet.ACCOUNTS
REGION = "us-east-1"
GROUP, APP_GROUP = "vpc-flow-logs", "app-flows"
DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} "
    "${bytes} ${start} ${end} ${action} ${log-status}"
)
V5_FORMAT = (
    "${version} ${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} "
    "${bytes} ${start} ${end} ${action} ${log-status} ${flow-direction} ${traffic-path}"
)
TASK, TASK_ENI = "10.0.1.25", "eni-0a1b2c3d4e5f60718"  # the ECS task of the seeds' case
S3 = "52.219.204.42"
DB, SSH_HOST, WEB = "10.0.2.10", "10.0.2.20", "10.0.2.30"
CLIENT, SERVER = "10.1.0.5", "10.1.0.9"
CLIENT_ENI, SERVER_ENI = "eni-0b1b2c3d4e5f60719", "eni-0c1b2c3d4e5f6071a"

#: host -> (its flow_logs_query_* variables, expected verdict, expected reason codes (a subset)).
CASES = {
    "accepted": (dict(src=TASK, dst=DB, port=5432), "accepted", []),
    "ecs-task-to-s3": (dict(src=TASK, dst="52.219.0.0/16", port="443"), "accepted_no_reply", ["no_reply"]),
    "rejected-request": (dict(dst=SSH_HOST, port=22), "rejected", ["rejected_request"]),
    "rejected-reply": (dict(src=TASK, dst=WEB, port=8080), "rejected", ["rejected_reply"]),
    "custom-format": (dict(src=CLIENT, dst=SERVER, port=443), "rejected", ["rejected_request"]),
    "metadata": (dict(src=TASK, dst="169.254.169.254", port=80), "no_records", ["never_logged"]),
    "amazon-dns": (dict(src=TASK, dst="10.0.0.2", port=53, protocol="udp"), "no_records", ["never_logged"]),
    "window-too-short": (dict(src=TASK, dst=S3, port=443, since="5m"), "no_records", ["window_too_short"]),
}
#: Hosts in other accounts: no flow log at all; a REJECT-only flow log whose group is gone (delivery FAILED).
OTHER_CASES = {
    "no-flow-log": (QUIET_ACCOUNT, "no_records", ["no_flow_log", "log_group_missing"]),
    "delivery-failed": (BROKEN_ACCOUNT, "no_records", ["delivery_failed", "traffic_type", "log_group_missing"]),
}
#: Every call a troubleshoot run may make: it reads, it never writes.
READ_ONLY = {
    "sts:AssumeRole",
    "ec2:DescribeFlowLogs",
    "logs:FilterLogEvents",
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
}
ACCESS_DENIED = (
    400,
    "application/x-amz-json-1.1",
    b'{"__type": "AccessDeniedException", "message": "not authorized to perform: logs:FilterLogEvents"}',
)
#: Bad questions, refused before any AWS call: host -> (variables, the variable named, what the message says).
BAD_CASES = {
    "bad-no-address": (dict(port=443), "flow_logs_query_src", "set flow_logs_query_src, flow_logs_query_dst or both"),
    "bad-address": (dict(src="10.0.1.300"), "flow_logs_query_src", "is not an IPv4 or IPv6 address or CIDR"),
    "bad-port": (dict(dst=S3, port=70000), "flow_logs_query_port", "is not a destination port (0 to 65535)"),
    "bad-protocol": (dict(dst=S3, protocol="sctp"), "flow_logs_query_protocol", "is not tcp, udp, icmp"),
    "bad-icmp-port": (dict(dst=S3, protocol="icmp", port=8), "flow_logs_query_port", "icmp has no ports"),
    "bad-since": (dict(dst=S3, since="90"), "flow_logs_query_since", "is not a duration such as 30m"),
    "bad-both": (
        dict(dst=S3, since="1h", start="2026-11-22T09:00:00Z"),
        "flow_logs_query_since",
        "either flow_logs_query_since or flow_logs_query_start",
    ),
    "bad-order": (
        dict(dst=S3, start="2026-11-22T10:00:00Z", end="2026-11-22T09:00:00Z"),
        "flow_logs_query_end",
        "is not after flow_logs_query_start",
    ),
    "bad-time": (dict(dst=S3, start="yesterday"), "flow_logs_query_start", "is not an ISO 8601 time"),
    "bad-name": (dict(dst=S3, protcol="udp"), "flow_logs_query_protcol", "did you mean flow_logs_query_protocol?"),
}


def record(fmt, interface, src, dst, sport, dport, action, start, packets=5, direction="egress", proto=6):
    """One record as VPC Flow Logs writes it for ``fmt`` (default: v2, else the custom v5 above)."""
    common = [interface, src, dst, sport, dport, proto, packets, packets * 60, start, start + 60, action, "OK"]
    if fmt == "v2":
        values = [2, ACCOUNT, *common]
    else:
        values = [5, "vpc-0a1b2c3d4e5f60718", *common, direction, 1]
    return " ".join(str(v) for v in values)


def put_records(logs, group, stream, lines):
    """PutLogEvents as the flow log service does: the event timestamp is the record's start (milliseconds)."""
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events = sorted(
        ({"timestamp": int(line.split()[10]) * 1000, "message": line} for line in lines), key=lambda e: e["timestamp"]
    )
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def seed_flow_logs(url):
    """Account 1: a VPC with a default-format flow log to vpc-flow-logs and a VPC with a v5 flow log to app-flows,
    and their records; account 3: a REJECT-only flow log to a log group that does not exist (delivery FAILED)."""
    now = int(time.time())
    t = now - 1800  # 30 minutes ago: delivered, in a 1h window
    old = now - 3 * 3600  # outside the window
    session = fleet.session(url, ACCOUNT, REGION)
    ec2, logs = session.client("ec2", endpoint_url=url), session.client("logs", endpoint_url=url)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")
    app_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    role = "arn:aws:iam::{}:role/{}".format(ACCOUNT, fleet.ROLE)
    for group, vpc_id, fmt in ((GROUP, vpc, None), (APP_GROUP, app_vpc, V5_FORMAT)):
        logs.create_log_group(logGroupName=group)
        extra = dict(LogFormat=fmt) if fmt else {}
        ec2.create_flow_logs(
            ResourceIds=[vpc_id],
            ResourceType="VPC",
            TrafficType="ALL",
            LogGroupName=group,
            DeliverLogsPermissionArn=role,
            **extra,
        )
    task = [
        # The seeds' case: the task's HTTPS requests to S3 leave the interface, nothing comes back.
        record("v2", TASK_ENI, TASK, S3, 40001, 443, "ACCEPT", t),
        record("v2", TASK_ENI, TASK, S3, 40002, 443, "ACCEPT", t + 60),
        # Postgres: requests and replies accepted (and an old REJECT outside the window, which must not count).
        record("v2", TASK_ENI, TASK, DB, 40003, 5432, "ACCEPT", t),
        record("v2", TASK_ENI, DB, TASK, 5432, 40003, "ACCEPT", t),
        record("v2", TASK_ENI, TASK, DB, 40004, 5432, "REJECT", old),
        # SSH refused on the way out; HTTP to 8080 whose replies the network ACL refuses.
        record("v2", TASK_ENI, TASK, SSH_HOST, 40005, 22, "REJECT", t),
        record("v2", TASK_ENI, TASK, WEB, 40006, 8080, "ACCEPT", t),
        record("v2", TASK_ENI, WEB, TASK, 8080, 40006, "REJECT", t),
        # Noise: other conversations, and a record with no data.
        record("v2", TASK_ENI, "10.0.1.26", S3, 40007, 443, "ACCEPT", t),
        record("v2", TASK_ENI, S3, "10.0.1.26", 443, 40007, "ACCEPT", t),
        "2 {} {} - - - - - - - {} {} - NODATA".format(ACCOUNT, TASK_ENI, t, t + 60),
    ]
    put_records(logs, GROUP, TASK_ENI + "-all", task)
    # v5: the client's request leaves (egress ACCEPT), the server's security group refuses it (ingress REJECT).
    put_records(
        logs, APP_GROUP, CLIENT_ENI + "-all", [record("v5", CLIENT_ENI, CLIENT, SERVER, 50001, 443, "ACCEPT", t)]
    )
    put_records(
        logs,
        APP_GROUP,
        SERVER_ENI + "-all",
        [record("v5", SERVER_ENI, CLIENT, SERVER, 50001, 443, "REJECT", t, direction="ingress")],
    )
    broken = fleet.session(url, BROKEN_ACCOUNT, REGION).client("ec2", endpoint_url=url)
    broken_vpc = broken.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    broken.create_flow_logs(
        ResourceIds=[broken_vpc],
        ResourceType="VPC",
        TrafficType="REJECT",
        LogGroupName="deleted-flow-logs",
        DeliverLogsPermissionArn="arn:aws:iam::{}:role/{}".format(BROKEN_ACCOUNT, fleet.ROLE),
    )


def query_vars(query):
    return {"flow_logs_query_{}".format(k): v for k, v in query.items()}


def host(account, endpoint, **variables):
    found = dict(
        flow_logs_region=REGION,
        flow_logs_account_id=account,
        flow_logs_assume_role_arn="arn:aws:iam::{}:role/{}".format(account, fleet.ACCESS_ROLE),
        flow_logs_endpoint_url=endpoint,
        # Variables of the main entry point an enable inventory has: known, and left alone here.
        flow_logs_retention_in_days=365,
    )
    found.update(variables)
    return found


def write_inventory(path, hosts):
    inventory = {
        "all": {
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
            "hosts": hosts,
        }
    }
    path.write_text(json.dumps(inventory, indent=2))
    return path


def test_every_question_in_one_run(aws, proxy, run_playbook, tmp_path):
    """One troubleshoot_flowlogs.yml run over every case (as a fleet run would), then what it answered. Every call
    goes through a counting proxy; one target's proxy refuses FilterLogEvents."""
    seed_flow_logs(aws.url)
    hosts = {name: host(ACCOUNT, proxy.url, **query_vars(q)) for name, (q, _v, _r) in CASES.items()}
    for name, (account, _v, _r) in OTHER_CASES.items():
        hosts[name] = host(account, proxy.url, **query_vars(dict(src=TASK, dst=S3, port=443)))
    refusing = CountingProxy(aws.url).start()
    refusing.refusals[("logs", "FilterLogEvents")] = ACCESS_DENIED
    hosts["access-denied"] = host(ACCOUNT, refusing.url, **query_vars(dict(src=TASK, dst=S3, port=443)))
    report_dir = tmp_path / "report"
    proxy.reset()
    try:
        run = run_playbook(
            PLAYBOOKS / "troubleshoot_flowlogs.yml",
            dict(flow_logs_report_dir=str(report_dir)),
            args=("--forks", "10"),
            inventory=write_inventory(tmp_path / "inventory.json", hosts),
        )
    finally:
        refusing.stop()

    assert run.rc == 2, str(run)  # the refused target fails its host; the others answered
    assert set(proxy.counts()) <= READ_ONLY, proxy.counts()
    report = json.loads((report_dir / "flowlogs-troubleshoot.json").read_text())
    targets = {t["target"]: t for t in report["targets"]}
    denied = targets.pop("access-denied")
    assert denied["verdict"] == "no_records" and [r["code"] for r in denied["reasons"]] == ["read_failed"]
    assert "logs:FilterLogEvents" in denied["error"] and "AccessDeniedException" in denied["error"]
    assert recap(run.stdout)["access-denied"]["failed"] == 1

    assert_verdicts(run, report, targets)
    assert_flows(targets)
    assert_table(run, report)


def assert_verdicts(run, report, targets):
    assert recap(run.stdout)["accepted"] == dict(recap(run.stdout)["accepted"], changed=0, failed=0)
    expected = {name: verdict for name, (_q, verdict, _r) in {**CASES, **OTHER_CASES}.items()}
    assert {name: t["verdict"] for name, t in targets.items()} == expected
    for name, (_q, _v, codes) in {**CASES, **OTHER_CASES}.items():
        found = [r["code"] for r in targets[name]["reasons"]]
        assert set(codes) <= set(found), (name, found)
    assert report["verdict"] == "rejected"  # the most telling of all
    assert report["totals"]["targets"] == len(expected) + 1 and report["totals"]["targets_failed"] == 1


def assert_flows(targets):
    """Flows say who, what, where; reasons say why and what to check next."""
    (s3,) = targets["ecs-task-to-s3"]["flows"]
    assert s3 == dict(
        src=TASK,
        dst=S3,
        dst_port=443,
        protocol="tcp",
        interface_id=TASK_ENI,
        direction="request",
        action="ACCEPT",
        packets=10,
        bytes=600,
        records=2,
        first_seen=s3["first_seen"],
        last_seen=s3["last_seen"],
        flow_direction=None,
        reject_reason=None,
        traffic_path=None,
        verdict="accepted_no_reply",
    )
    assert targets["ecs-task-to-s3"]["records"] == 2  # not the other task's, not the NODATA record
    (no_reply,) = [r for r in targets["ecs-task-to-s3"]["reasons"] if r["code"] == "no_reply"]
    assert "route table" in no_reply["message"] and "gateway endpoint" in no_reply["message"]

    # The old REJECT is outside the window: requests and replies accepted.
    assert {(f["direction"], f["action"]) for f in targets["accepted"]["flows"]} == {
        ("request", "ACCEPT"),
        ("reply", "ACCEPT"),
    }
    (reply,) = [r for r in targets["rejected-reply"]["reasons"] if r["code"] == "rejected_reply"]
    assert "network ACL" in reply["message"] and "stateful" in reply["message"]

    # The custom format: fields found by name, the direction the interface saw, the refusing side named.
    flows = {(f["interface_id"], f["action"]): f for f in targets["custom-format"]["flows"]}
    assert flows[(CLIENT_ENI, "ACCEPT")]["flow_direction"] == "egress"
    assert flows[(SERVER_ENI, "REJECT")]["flow_direction"] == "ingress"
    (refused,) = [r for r in targets["custom-format"]["reasons"] if r["code"] == "rejected_request"]
    assert "inbound at {}".format(SERVER_ENI) in refused["message"]
    groups = {g["log_group"]: g for g in targets["custom-format"]["log_groups"]}
    assert groups[APP_GROUP]["formats"] == [V5_FORMAT.replace("${", "").replace("}", "")]
    assert any('srcaddr="10.1.0.5"' in p and 'dstport="443"' in p for p in groups[APP_GROUP]["patterns"])

    # The address AWS never logs, found from the VPC's CIDR (DescribeVpcs): 10.0.0.2 is its DNS server.
    (dns,) = [r for r in targets["amazon-dns"]["reasons"] if r["code"] == "never_logged"]
    assert "10.0.0.2 is the Amazon DNS server of its VPC" in dns["message"]
    (imds,) = [r for r in targets["metadata"]["reasons"] if r["code"] == "never_logged"]
    assert "169.254.169.254 is instance metadata" in imds["message"]
    (failed,) = [r for r in targets["delivery-failed"]["reasons"] if r["code"] == "delivery_failed"]
    assert "Access error" in failed["message"]


def assert_table(run, report):
    assert report["query"]["port"] == 5432  # the first target's (by account, region, name)
    table = run.stdout[run.stdout.index("flowlogs.aws troubleshoot - ") :]
    for name in (*CASES, *OTHER_CASES, "access-denied"):
        assert name in table
    assert "10.0.1.25 -> 52.219.204.42:443/tcp" in table
    assert "verdict: rejected - " in table


def test_bad_questions_are_refused_before_any_aws_call(aws, proxy, run_playbook, tmp_path):
    hosts = {name: host(ACCOUNT, proxy.url, **query_vars(q)) for name, (q, _o, _m) in BAD_CASES.items()}
    report_dir = tmp_path / "report"
    proxy.reset()
    run = run_playbook(
        PLAYBOOKS / "troubleshoot_flowlogs.yml",
        dict(flow_logs_report_dir=str(report_dir)),
        args=("--forks", "10"),
        inventory=write_inventory(tmp_path / "inventory.json", hosts),
    )

    assert run.rc == 2, str(run)
    assert proxy.counts() == {}, proxy.counts()
    failures = failures_by_host(run.stdout)
    for name, (_q, variable, message) in BAD_CASES.items():
        assert len(failures.get(name, [])) == 1, (name, failures.get(name))
        assert "{}: ".format(variable) in failures[name][0] and message in failures[name][0], (name, failures[name])
    report = json.loads((report_dir / "flowlogs-troubleshoot.json").read_text())
    assert {t["target"]: t["verdict"] for t in report["targets"]} == {name: "no_records" for name in BAD_CASES}
    assert {r["code"] for t in report["targets"] for r in t["reasons"]} == {"invalid_variables"}
