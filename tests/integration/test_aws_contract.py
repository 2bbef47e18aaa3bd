"""What real AWS refuses and moto accepts, end to end through ansible-playbook: each case failed (or would
have reached AWS) before the fixes of the AWS-contract issue. The contract check (tests/support/contract.py)
is on for these runs, as for the whole suite: a request outside AWS's rules fails the test, naming the rule.
"""

from __future__ import annotations

import json

from tests.support.aws_proxy import CountingProxy

MUTATING = ("Create", "Delete", "Put", "Update", "Tag", "Untag", "Associate", "Disassociate", "Attach", "Detach")
INVALID_PARAMETER = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidParameter</Code>'
    b"<Message>Unknown fields provided: no-such-field</Message></Error></Errors>"
    b"<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>"
)


class RefusingCreateFlowLogs(CountingProxy):
    """EC2 refusing every CreateFlowLogs as a whole, as AWS does for a LogFormat it does not know."""

    def __init__(self, upstream):
        super().__init__(upstream)
        self.refusals[("ec2", "CreateFlowLogs")] = (400, "text/xml", INVALID_PARAMETER)


def play(tasks):
    return [
        {
            "name": "AWS contract",
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {
                "group/flowlogs.aws.flowlogs": {"endpoint_url": "{{ aws_endpoint_url }}", "region": "us-east-1"}
            },
            "tasks": tasks,
        }
    ]


def run(run_playbook, tmp_path, url, tasks, name="contract"):
    path = tmp_path / "{}.yml".format(name)
    path.write_text(json.dumps(play(tasks)))
    return run_playbook(path, dict(aws_endpoint_url=url))


def mutating(counts):
    return {k: v for k, v in counts.items() if k.split(":", 1)[1].startswith(MUTATING)}


def test_s3_file_format_is_sent_as_aws_spells_it(aws, run_playbook, tmp_path):
    aws.client("s3").create_bucket(Bucket="central-flow-logs")
    vpcs = [aws.client("ec2").create_vpc(CidrBlock="10.{}.0.0/16".format(i))["Vpc"]["VpcId"] for i in range(2)]
    tasks = [
        {
            "name": "S3 flow log as plain text ({})".format(given),
            "flowlogs.aws.vpc_flow_log": {
                "resource_ids": [vpc],
                "destination_type": "s3",
                "log_destination": "arn:aws:s3:::central-flow-logs",
                "destination_options": {"file_format": given},
            },
        }
        for vpc, given in zip(vpcs, ("plain-text", "plain"))
    ]

    result = run(run_playbook, tmp_path, aws.url, tasks)

    assert result.rc == 0, str(result)  # the contract check refuses FileFormat "plain" (EC2's enum)
    assert len(aws.client("ec2").describe_flow_logs()["FlowLogs"]) == 2


def test_vpc_ids_and_tag_filters_stay_within_200_filter_values_per_call(aws, run_playbook, tmp_path):
    ec2 = aws.client("ec2")
    tag = [{"ResourceType": "vpc", "Tags": [{"Key": "env", "Value": "prod"}]}]
    ids = [ec2.create_vpc(CidrBlock="10.0.0.0/24", TagSpecifications=tag)["Vpc"]["VpcId"] for _index in range(210)]
    tasks = [
        {
            "name": "Audit 210 VPCs by id and tag",
            "flowlogs.aws.vpc_flow_log_info": {
                "vpc_ids": ids,
                "filters": {"tag:env": ["prod", "staging", "dev"]},
                "log_group_name": "vpc-flow-logs",
            },
            "register": "audit",
        },
        {"name": "Every VPC judged", "ansible.builtin.assert": {"that": ["audit.counts.total == 210"]}},
    ]

    result = run(run_playbook, tmp_path, aws.url, tasks)

    assert result.rc == 0, str(result)  # the contract check refuses a call with more than 200 filter values


def test_a_request_refused_as_a_whole_is_one_call_and_one_message(aws, run_playbook, tmp_path):
    ec2 = aws.client("ec2")
    ids = [ec2.create_vpc(CidrBlock="10.0.0.0/24")["Vpc"]["VpcId"] for _index in range(60)]
    refusing = RefusingCreateFlowLogs(aws.url).start()
    try:
        tasks = [
            {
                "name": "Flow logs on 60 VPCs, refused as a whole",
                "flowlogs.aws.vpc_flow_log": {
                    "resource_ids": ids,
                    "log_group_name": "vpc-flow-logs",
                    "deliver_logs_role_arn": "arn:aws:iam::123456789012:role/vpc-flow-logs-delivery",
                },
            }
        ]
        result = run(run_playbook, tmp_path, refusing.url, tasks)
        counts = refusing.counts()
    finally:
        refusing.stop()

    assert result.rc == 2, str(result)
    assert counts["ec2:CreateFlowLogs"] == 1, counts  # 1.0.0 split it: 119 calls and 120 DescribeFlowLogs
    assert counts.get("ec2:DescribeFlowLogs") == 1, counts  # the read before the plan, nothing after
    # One call-level error naming the request, not the same message once per VPC.
    assert "ec2:CreateFlowLogs on 60 resources (" in result.stdout, str(result)
    assert "resources failed" not in result.stdout, str(result)


def test_what_aws_would_refuse_is_refused_before_any_call(aws, proxy, run_playbook, tmp_path):
    vpc = aws.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    role = "arn:aws:iam::123456789012:role/vpc-flow-logs-delivery"
    cases = [
        (
            "flowlogs.aws.vpc_flow_log",
            dict(
                resource_ids=[vpc],
                log_group_name="g",
                deliver_logs_role_arn=role,
                log_format="${version} ${no-such-field}",
            ),
            "unknown field ${no-such-field}",
        ),
        ("flowlogs.aws.flow_log_group", dict(name="aws/vpc-flow-logs"), "reserved for AWS"),
        ("flowlogs.aws.flow_log_group", dict(name="g", tags={"team": "Network (NOC)"}), "logs does not allow"),
        (
            "flowlogs.aws.flow_log_role",
            dict(name="r", log_group_names=["g"], tags={"team": "Network (NOC)"}),
            "iam does not allow",
        ),
        (
            "flowlogs.aws.flow_log_alarms",
            dict(log_group_name="g", metric_namespace="Flow*Logs"),
            "not a CloudWatch namespace",
        ),
    ]
    tasks = [
        {"name": "Case {}".format(i), module: args, "register": "case_{}".format(i), "ignore_errors": True}
        for i, (module, args, _text) in enumerate(cases)
    ]
    results = tmp_path / "results.json"
    collected = "[{}]".format(", ".join("case_{}.msg".format(i) for i in range(len(cases))))
    tasks.append(
        {"name": "Results", "ansible.builtin.copy": {"dest": str(results), "content": "{{ %s | to_json }}" % collected}}
    )
    proxy.reset()

    result = run(run_playbook, tmp_path, proxy.url, tasks)

    assert result.rc == 0, str(result)
    assert mutating(proxy.counts()) == {}, proxy.counts()
    for (module, _args, text), message in zip(cases, json.loads(results.read_text())):
        assert text in message, (module, text, message)
