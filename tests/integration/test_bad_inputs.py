"""Bad input, wherever it enters, fails with a message naming the option and what it accepts - and AWS is
left exactly as it was.

Three ways in: the options of the four modules, the role's variables (typed in meta/argument_specs.yml,
checked again by the preflight) and the inventory's host variables, fed through enable_flowlogs.yml.
The per-module integration targets already reject some inputs (retention 4, traffic type SOME, ...);
these tables hold the others. Two ansible-playbook runs cover every row: one playbook with a task per
module case (ignore_errors, results written to a file), and one enable_flowlogs.yml run on an inventory
with a host per variable case.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.test_fleet import PLAYBOOKS, recap
from tests.support import fleet

ACCOUNT, REGION = fleet.ACCOUNTS[0], fleet.REGIONS[0]
#: The seeded account, and the account of the credentials themselves (reached without assume role).
WATCHED_ACCOUNTS = (ACCOUNT, "123456789012")
ACCESS_ROLE_ARN = "arn:aws:iam::{}:role/{}".format(ACCOUNT, fleet.ACCESS_ROLE)
DELIVERY_ROLE_ARN = "arn:aws:iam::{}:role/{}".format(ACCOUNT, fleet.ROLE)
BUCKET = "arn:aws:s3:::central-flow-logs"
MISSING_VPC = "vpc-0123456789abcdef0"
RETENTION = "0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
S3_ARN = "arn:<partition>:s3:::bucket or arn:<partition>:s3:::bucket/prefix"
ROLE_ARN = "arn:<partition>:iam::<account>:role/<name>"
FIREHOSE_ARN = "arn:<partition>:firehose:<region>:<account>:deliverystream/<name>"
KMS_ARN = "arn:<partition>:kms:<region>:<account>:key/<id>"
LOG_GROUP_CHARS = "a-z A-Z 0-9 . - _ / #"
IAM_NAME_CHARS = "a-z A-Z 0-9 + = , . @ _ -"
NOT_FOUND = "not found in {} of account {}".format(REGION, ACCOUNT)

#: (module, arguments, the option named, what the message says is accepted). Each module case starts
#: from arguments that would change the seeded target (a group without retention, a role trusting EC2,
#: a REJECT-only flow log, a VPC without one), so an input wrongly accepted shows in AWS state.
MODULE_CASES = [
    ("flow_log_group", dict(retention_in_days=3650), "retention_in_days", [RETENTION, "got: 3650"]),
    ("flow_log_group", dict(tags="team"), "tags", ["dict"]),
    ("flow_log_group", dict(purge_tags="sometimes"), "purge_tags", ["bool"]),
    ("flow_log_group", dict(kms_key_id="arn:aws:kms:us-east-1:1234:key/k"), "kms_key_id", [KMS_ARN]),
    ("flow_log_group", dict(name="g" * 513), "name", ["1 to 512 characters", LOG_GROUP_CHARS]),
    ("flow_log_group", dict(name=None), "name", ["missing required arguments"]),
    ("flow_log_role", dict(log_group_names=["flow logs"]), "log_group_names", [LOG_GROUP_CHARS]),
    ("flow_log_role", dict(policy_name="delivery policy"), "policy_name", [IAM_NAME_CHARS]),
    ("flow_log_role", dict(name="r" * 65), "name", ["1 to 64 of", IAM_NAME_CHARS]),
    ("flow_log_role", dict(source_conditions="maybe"), "source_conditions", ["bool"]),
    (
        "flow_log_role",
        dict(permissions_boundary="arn:aws:iam::1234:policy/boundary"),
        "permissions_boundary",
        ["arn:<partition>:iam::<account>:policy/<name>"],
    ),
    ("flow_log_role", dict(path="/service"), "path", ["starts and ends with /"]),
    ("vpc_flow_log", dict(resource_ids=["subnet-0123456789abcdef0"]), "resource_ids", ["VPC ids", "^vpc-"]),
    ("vpc_flow_log", dict(resource_ids=[MISSING_VPC]), "resource_ids", [MISSING_VPC, "does not exist"]),
    ("vpc_flow_log", dict(resource_ids=None), "resource_ids", ["missing required arguments"]),
    ("vpc_flow_log", dict(traffic_type="all"), "traffic_type", ["ACCEPT, REJECT, ALL", "got: all"]),
    ("vpc_flow_log", dict(max_aggregation_interval="ten"), "max_aggregation_interval", ["int"]),
    ("vpc_flow_log", dict(tags=["team"]), "tags", ["dict"]),
    ("vpc_flow_log", dict(deliver_logs_role_arn=fleet.ROLE), "deliver_logs_role_arn", [ROLE_ARN]),
    (
        "vpc_flow_log",
        dict(deliver_cross_account_role="arn:aws:iam::1234:role/cross"),
        "deliver_cross_account_role",
        [ROLE_ARN],
    ),
    ("s3", dict(log_destination="s3://central-flow-logs"), "log_destination", [S3_ARN]),
    ("s3", dict(log_destination=BUCKET + "/AWSLogs"), "log_destination", ["AWSLogs", S3_ARN]),
    ("s3", dict(log_destination=None), "log_destination", ["required when destination_type is s3", S3_ARN]),
    ("s3", dict(log_group_name=fleet.GROUP), "log_group_name", ["only used with destination_type cloud-watch-logs"]),
    (
        "s3",
        dict(destination_options=dict(file_format="csv")),
        "destination_options",
        ["plain-text, parquet", "got: csv"],
    ),
    (
        "firehose",
        dict(log_destination="arn:aws:firehose:us-east-1:{}:stream/flows".format(ACCOUNT)),
        "log_destination",
        [FIREHOSE_ARN],
    ),
    (
        "vpc_flow_log_info",
        dict(destination_type="cwl"),
        "destination_type",
        ["cloud-watch-logs, s3, kinesis-data-firehose", "got: cwl"],
    ),
    ("vpc_flow_log_info", dict(vpc_ids=[MISSING_VPC]), "vpc_ids", [MISSING_VPC, NOT_FOUND]),
    ("vpc_flow_log_info", dict(deliver_logs_role_arn="delivery"), "deliver_logs_role_arn", [ROLE_ARN]),
    ("vpc_flow_log_info", dict(filters="tag:env"), "filters", ["dict"]),
    ("vpc_flow_log_info", dict(check_delivery="yes please"), "check_delivery", ["bool"]),
]

#: (host variables, the variable named, what the message says is accepted). One inventory host each,
#: in the seeded account and region; the role checks every variable before its first AWS call.
VARIABLE_CASES = [
    (dict(flow_logs_region="moon-1"), "flow_logs_region", ["not an AWS region name", "eu-west-1"]),
    (dict(flow_logs_region=None), "flow_logs_region", ["missing required arguments"]),
    (dict(flow_logs_account_id="11111111111"), "flow_logs_account_id", ["12-digit AWS account id"]),
    (
        dict(flow_logs_assume_role_arn="arn:aws:iam::{}:user/admin".format(ACCOUNT)),
        "flow_logs_assume_role_arn",
        ["arn:<partition>:iam::<account>:role/<name>"],
    ),
    (dict(flow_logs_retention_in_days=45), "flow_logs_retention_in_days", [RETENTION, "got: 45"]),
    (dict(flow_logs_retention_in_days="forever"), "flow_logs_retention_in_days", ["int"]),
    (dict(flow_logs_traffic_type="DENY"), "flow_logs_traffic_type", ["ACCEPT, REJECT, ALL", "got: DENY"]),
    (
        dict(flow_logs_destination_type="splunk"),
        "flow_logs_destination_type",
        ["cloud-watch-logs, s3, kinesis-data-firehose", "got: splunk"],
    ),
    (dict(flow_logs_max_aggregation_interval=300), "flow_logs_max_aggregation_interval", ["60, 600", "got: 300"]),
    (dict(flow_logs_vpc_ids=["vpc-12345"]), "flow_logs_vpc_ids", ["VPC ids", "^vpc-"]),
    (dict(flow_logs_vpc_ids=[MISSING_VPC]), "vpc_ids", [MISSING_VPC, NOT_FOUND]),
    (dict(flow_logs_exclude_vpc_ids=["default"]), "flow_logs_exclude_vpc_ids", ["not valid VPC ids", "^vpc-"]),
    (dict(flow_logs_vpc_tag_filters=["env"]), "flow_logs_vpc_tag_filters", ["dict"]),
    (dict(flow_logs_destination_type="s3"), "flow_logs_s3_bucket_arn", ["required", S3_ARN]),
    (
        dict(flow_logs_destination_type="s3", flow_logs_s3_bucket_arn=BUCKET + "/AWSLogs"),
        "flow_logs_s3_bucket_arn",
        ["AWSLogs", S3_ARN],
    ),
    (
        dict(flow_logs_destination_type="s3", flow_logs_s3_bucket_arn="central-flow-logs"),
        "flow_logs_s3_bucket_arn",
        [S3_ARN],
    ),
    (
        dict(
            flow_logs_destination_type="kinesis-data-firehose",
            flow_logs_firehose_arn="arn:aws:kinesis:us-east-1:{}:stream/flows".format(ACCOUNT),
        ),
        "flow_logs_firehose_arn",
        [FIREHOSE_ARN],
    ),
    (dict(flow_logs_log_group_name="flow logs"), "flow_logs_log_group_name", [LOG_GROUP_CHARS]),
    (dict(flow_logs_role_name="flow logs delivery"), "flow_logs_role_name", [IAM_NAME_CHARS]),
    (dict(flow_logs_kms_key_id="alias/flow-logs"), "flow_logs_kms_key_id", [KMS_ARN]),
    (dict(flow_logs_log_group_class="GLACIER"), "flow_logs_log_group_class", ["STANDARD, INFREQUENT_ACCESS"]),
    (dict(flow_logs_log_format="version srcaddr"), "flow_logs_log_format", ["${field}"]),
    (dict(flow_logs_state="enabled"), "flow_logs_state", ["present, absent", "got: enabled"]),
    (dict(flow_logs_delete_log_group="perhaps"), "flow_logs_delete_log_group", ["bool"]),
    (dict(flow_logs_tags="team"), "flow_logs_tags", ["dict"]),
    # The preflight reports every problem at once, each named.
    (
        dict(flow_logs_account_id="prod", flow_logs_log_group_name="flow logs"),
        "flow_logs_account_id",
        ["12-digit AWS account id", "flow_logs_log_group_name", LOG_GROUP_CHARS],
    ),
]

#: Valid arguments per module case kind; the case's own arguments replace them (None removes one).
BASE_ARGS = {
    "flow_log_group": dict(name=fleet.GROUP, retention_in_days=90),
    "flow_log_role": dict(name=fleet.ROLE, log_group_names=[fleet.GROUP]),
    "vpc_flow_log": dict(log_group_name=fleet.GROUP, deliver_logs_role_arn=DELIVERY_ROLE_ARN),
    "s3": dict(destination_type="s3", log_destination=BUCKET),
    "firehose": dict(destination_type="kinesis-data-firehose"),
    "vpc_flow_log_info": dict(log_group_name=fleet.GROUP),
}
MODULE_OF = {"s3": "vpc_flow_log", "firehose": "vpc_flow_log"}


def module_task(index, kind, args, vpcs):
    arguments = dict(BASE_ARGS[kind])
    if MODULE_OF.get(kind, kind) == "vpc_flow_log":
        arguments["resource_ids"] = vpcs
    arguments.update(args)
    arguments = {k: v for k, v in arguments.items() if v is not None}
    return {
        "name": "Case {}".format(index),
        "flowlogs.aws.{}".format(MODULE_OF.get(kind, kind)): arguments,
        "register": "case_{}".format(index),
        "ignore_errors": True,
    }


def module_playbook(path, url, vpcs, results):
    tasks = [module_task(i, kind, args, vpcs) for i, (kind, args, _o, _a) in enumerate(MODULE_CASES)]
    collected = "[{}]".format(", ".join("case_{}".format(i) for i in range(len(MODULE_CASES))))
    tasks.append(
        {
            "name": "Write every result",
            "ansible.builtin.copy": {"dest": str(results), "content": "{{ %s | to_json }}" % collected},
        }
    )
    play = {
        "name": "Bad module inputs",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {
            "group/flowlogs.aws.flowlogs": dict(endpoint_url=url, region=REGION, assume_role_arn=ACCESS_ROLE_ARN)
        },
        "tasks": tasks,
    }
    path.write_text(json.dumps([play], indent=2))
    return path


def variable_host(index):
    return "bad-{:02d}".format(index)


def variable_inventory(path, url):
    fleet.write_inventory(path, url, accounts=(ACCOUNT,), regions=(REGION,))
    inventory = json.loads(path.read_text())
    hosts = inventory["all"]["children"]["flow_logs_targets"]["hosts"]
    base = hosts.pop(fleet.target_name(ACCOUNT, REGION))
    for index, (variables, _o, _a) in enumerate(VARIABLE_CASES):
        host = dict(base, **variables)
        hosts[variable_host(index)] = {k: v for k, v in host.items() if v is not None}
    path.write_text(json.dumps(inventory, indent=2))
    return path


def failures_by_host(stdout):
    """{host: [failure message, ...]} from the task output."""
    found = {}
    for host, payload in re.findall(r"^fatal: \[([^\]]+)\]: FAILED! => (\{.*\})$", stdout, re.M):
        found.setdefault(host, []).append(json.loads(payload).get("msg", ""))
    return found


def assert_names_option_and_accepted(message, option, accepted, case):
    assert option in message, (case, message)
    missing = [a for a in accepted if a not in message]
    assert not missing, (case, missing, message)


@pytest.fixture
def seeded(aws):
    planted = fleet.seed(aws.url, accounts=(ACCOUNT,), regions=(REGION,))
    return planted[fleet.target_name(ACCOUNT, REGION)]


def test_bad_inputs_fail_named_and_change_nothing(aws, seeded, run_playbook, tmp_path):
    before = fleet.snapshot(aws.url, accounts=WATCHED_ACCOUNTS)

    results_file = tmp_path / "module-results.json"
    playbook = module_playbook(tmp_path / "bad_module_inputs.yml", aws.url, seeded["vpcs"], results_file)
    modules = run_playbook(playbook)
    assert modules.rc == 0, str(modules)  # every failure was expected (ignore_errors)

    report_dir = tmp_path / "report"
    variables = run_playbook(
        PLAYBOOKS / "enable_flowlogs.yml",
        dict(flow_logs_report_dir=str(report_dir)),
        args=("--forks", "30"),
        inventory=variable_inventory(tmp_path / "inventory.json", aws.url),
    )

    # Not one AWS change, from either run.
    assert fleet.snapshot(aws.url, accounts=WATCHED_ACCOUNTS) == before

    results = json.loads(results_file.read_text())
    assert len(results) == len(MODULE_CASES)
    for (kind, args, option, accepted), result in zip(MODULE_CASES, results):
        case = (kind, args)
        assert result.get("failed") is True, (case, result)
        assert not result.get("changed"), (case, result)
        assert_names_option_and_accepted(result["msg"], option, accepted, case)

    assert variables.rc != 0, str(variables)
    stats = recap(variables.stdout)
    failures = failures_by_host(variables.stdout)
    for index, (host_vars, option, accepted) in enumerate(VARIABLE_CASES):
        host = variable_host(index)
        case = (host, host_vars)
        assert stats[host]["changed"] == 0, (case, stats[host])
        assert len(failures.get(host, [])) == 1, (case, failures.get(host), str(variables))
        assert_names_option_and_accepted(failures[host][0], option, accepted, case)

    report = json.loads((report_dir / "flowlogs-report.json").read_text())
    reported = {t["target"]: t["status"] for t in report["targets"]}
    # A host without flow_logs_region is no target: the report leaves it out, its task output names it.
    in_report = [variable_host(i) for i, (v, _o, _a) in enumerate(VARIABLE_CASES) if v.get("flow_logs_region", 1)]
    assert {h: reported.get(h) for h in in_report} == {h: "failed" for h in in_report}
    assert report["totals"]["targets_changed"] == 0
