"""amazon.aws habits: ``module_defaults`` for amazon.aws's ``aws`` group, and its connection options.

ansible-core resolves ``group/aws`` to ``ansible.builtin.aws`` = amazon.aws's + community.aws's ``aws`` groups,
so these tests install a minimal fixture collection standing in for amazon.aws's group declaration
(tests/integration/fixtures/amazon_aws_stub: a ``meta/runtime.yml`` with an ``aws`` group and one module that
echoes the options it was given). Every play runs through ansible-playbook against moto server; AWS state is
read back with boto3.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.integration.conftest import HERE
from tests.support.aws_proxy import CountingProxy
from tests.support.paths import COLLECTIONS
from tests.support.tls import make_pki

STUB = HERE / "fixtures" / "amazon_aws_stub"
GROUP = "habits-flow-logs"
ROLE = "habits-flow-logs-delivery"


def _play(tmp_path, module_defaults, tasks, name="habits"):
    play = [
        {"name": name, "hosts": "localhost", "gather_facts": False, "module_defaults": module_defaults, "tasks": tasks}
    ]
    path = tmp_path / f"{name}.yml"
    path.write_text(json.dumps(play, indent=2))
    return path


def _with_stub(env=None):
    extra = {"ANSIBLE_COLLECTIONS_PATH": os.pathsep.join([str(COLLECTIONS), str(STUB)])}
    extra.update(env or {})
    return extra


def _every_module(vpc_id):
    """One task per flowlogs.aws module, without a single connection option."""
    return [
        {"name": "Log group", "flowlogs.aws.flow_log_group": {"name": GROUP, "retention_in_days": 7}},
        {
            "name": "Delivery role",
            "flowlogs.aws.flow_log_role": {"name": ROLE, "log_group_names": [GROUP]},
            "register": "role",
        },
        {
            "name": "Flow log",
            "flowlogs.aws.vpc_flow_log": {
                "resource_ids": [vpc_id],
                "log_group_name": GROUP,
                "deliver_logs_role_arn": "{{ role.role.arn }}",
            },
        },
        {"name": "Alarms", "flowlogs.aws.flow_log_alarms": {"log_group_name": GROUP}},
        {"name": "Read back", "flowlogs.aws.vpc_flow_log_info": {"vpc_ids": [vpc_id]}, "register": "info"},
        {
            "name": "Read back found the flow log",
            "ansible.builtin.assert": {"that": ["info.counts.compliant == 1", "info.region == 'us-east-1'"]},
        },
    ]


def test_group_aws_defaults_reach_every_module(run_playbook, aws, tmp_path):
    """The one ``group/aws`` block amazon.aws users have sets region, endpoint and credentials of every module.

    The environment points elsewhere (another region, no endpoint, wrong keys): the calls reach moto's
    us-east-1 with the group's keys only if the group's options got to the modules.
    """
    vpc_id = aws.client("ec2").create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    defaults = {
        "group/aws": {
            "region": "us-east-1",
            "aws_endpoint_url": aws.url,
            "aws_access_key": "testing",
            "aws_secret_key": "testing",
            "debug_botocore_endpoint_logs": False,  # amazon.aws-only: left out, not an error
        }
    }
    tasks = [
        {"name": "amazon.aws's module gets them too", "amazon.aws.options_probe": {}, "register": "probe"},
        {"name": "Probe saw the region", "ansible.builtin.assert": {"that": ["probe.options.region == 'us-east-1'"]}},
        *_every_module(vpc_id),
    ]
    env = _with_stub({"AWS_REGION": "eu-west-3", "AWS_ACCESS_KEY_ID": "wrong", "AWS_SECRET_ACCESS_KEY": "wrong"})
    run = run_playbook(_play(tmp_path, defaults, tasks), env=env, args=["-vvv"])
    assert run.rc == 0, str(run)
    assert "module_defaults for amazon.aws's group not used here: debug_botocore_endpoint_logs" in run.stdout
    logs = aws.client("logs")
    assert logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"][0]["retentionInDays"] == 7
    found = aws.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    assert [f["LogGroupName"] for f in found] == [GROUP]
    assert logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"], "alarms' metric filters"


def test_precedence_task_then_own_group_then_amazon_aws_group(run_playbook, aws, tmp_path):
    """A task's own option wins, then flowlogs.aws's groups, then amazon.aws's group (fully qualified too)."""
    east = aws.client("ec2").create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    west = aws.client("ec2", region="eu-west-1").create_vpc(CidrBlock="10.62.0.0/16")["Vpc"]["VpcId"]
    defaults = {
        "group/amazon.aws.aws": {"region": "ap-south-1", "endpoint_url": aws.url},
        "group/flowlogs.aws.flowlogs": {"region": "eu-west-1"},
    }
    tasks = [
        {"name": "Own group's region", "flowlogs.aws.vpc_flow_log_info": {}, "register": "own"},
        {"name": "Task's region", "flowlogs.aws.vpc_flow_log_info": {"aws_region": "us-east-1"}, "register": "task"},
        {
            "name": "Regions",
            "ansible.builtin.assert": {
                "that": [
                    f"own.region == 'eu-west-1' and '{west}' in own.vpcs | map(attribute='vpc_id')",
                    f"task.region == 'us-east-1' and '{east}' in task.vpcs | map(attribute='vpc_id')",
                ]
            },
        },
    ]
    run = run_playbook(_play(tmp_path, defaults, tasks), env=_with_stub())
    assert run.rc == 0, str(run)


def test_own_aws_group_includes_amazon_aws_modules(run_playbook, aws, tmp_path):
    """``group/flowlogs.aws.aws`` extends amazon.aws's group: one block for both collections' modules."""
    vpc_id = aws.client("ec2").create_vpc(CidrBlock="10.63.0.0/16")["Vpc"]["VpcId"]
    defaults = {"group/flowlogs.aws.aws": {"region": "us-east-1", "endpoint_url": aws.url}}
    tasks = [
        {"name": "amazon.aws's module", "amazon.aws.options_probe": {}, "register": "probe"},
        {"name": "flowlogs.aws's module", "flowlogs.aws.vpc_flow_log_info": {"vpc_ids": [vpc_id]}, "register": "info"},
        {
            "name": "Both got them",
            "ansible.builtin.assert": {
                "that": [
                    f"probe.options.endpoint_url == '{aws.url}'",
                    f"info.vpcs | map(attribute='vpc_id') | list == ['{vpc_id}']",
                ]
            },
        },
    ]
    run = run_playbook(_play(tmp_path, defaults, tasks), env=_with_stub({"AWS_REGION": "eu-west-3"}))
    assert run.rc == 0, str(run)


def test_own_aws_group_without_amazon_aws(run_playbook, aws, tmp_path):
    """Without amazon.aws installed, ``group/flowlogs.aws.aws`` still covers this collection's modules."""
    vpc_id = aws.client("ec2").create_vpc(CidrBlock="10.64.0.0/16")["Vpc"]["VpcId"]
    defaults = {"group/flowlogs.aws.aws": {"region": "us-east-1", "endpoint_url": aws.url}}
    tasks = [
        {"name": "Read", "flowlogs.aws.vpc_flow_log_info": {"vpc_ids": [vpc_id]}, "register": "info"},
        {
            "name": "Found",
            "ansible.builtin.assert": {"that": [f"info.vpcs | map(attribute='vpc_id') | list == ['{vpc_id}']"]},
        },
    ]
    run = run_playbook(_play(tmp_path, defaults, tasks), env={"AWS_REGION": "eu-west-3"})
    assert run.rc == 0, str(run)


# ---------------------------------------------------------------- TLS: a private CA in front of moto


@pytest.fixture
def tls_endpoint(aws, tmp_path):
    """HTTPS on 127.0.0.1 in front of moto, with a certificate only a private CA (``.pki.ca_bundle``) vouches for."""
    pki = make_pki(tmp_path / "pki")
    proxy = CountingProxy(aws.url, tls=pki.server_context()).start()
    proxy.pki = pki
    yield proxy
    proxy.stop()


def _log_group_play(tmp_path, options, name="tls"):
    tasks = [
        {
            "name": "Log group over TLS",
            "flowlogs.aws.flow_log_group": dict(
                {"name": GROUP, "retention_in_days": 7, "region": "us-east-1"}, **options
            ),
        }
    ]
    return _play(tmp_path, {}, tasks, name=name)


def _log_groups(aws):
    return [g["logGroupName"] for g in aws.client("logs").describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]]


def test_aws_ca_bundle_trusts_a_private_ca(run_playbook, aws, tls_endpoint, tmp_path):
    options = {"endpoint_url": tls_endpoint.url, "aws_ca_bundle": str(tls_endpoint.pki.ca_bundle)}
    run = run_playbook(_log_group_play(tmp_path, options))
    assert run.rc == 0, str(run)
    assert _log_groups(aws) == [GROUP]
    assert tls_endpoint.counts().get("logs:CreateLogGroup") == 1


def test_an_untrusted_certificate_fails_saying_what_to_set_and_changes_nothing(
    run_playbook, aws, tls_endpoint, tmp_path
):
    # botocore retries a TLS failure as a connection error; one attempt is enough to see the message.
    run = run_playbook(_log_group_play(tmp_path, {"endpoint_url": tls_endpoint.url}), env={"AWS_MAX_ATTEMPTS": "1"})
    assert run.rc == 2, str(run)
    assert "CERTIFICATE_VERIFY_FAILED" in run.stdout
    assert "set aws_ca_bundle, or the AWS_CA_BUNDLE environment variable" in run.stdout
    assert tls_endpoint.counts() == {}  # no call got through the TLS handshake
    assert _log_groups(aws) == []


def test_aws_ca_bundle_from_the_environment(run_playbook, aws, tls_endpoint, tmp_path):
    run = run_playbook(
        _log_group_play(tmp_path, {"endpoint_url": tls_endpoint.url}),
        env={"AWS_CA_BUNDLE": str(tls_endpoint.pki.ca_bundle)},
    )
    assert run.rc == 0, str(run)
    assert _log_groups(aws) == [GROUP]


def test_validate_certs_false_skips_verification(run_playbook, aws, tls_endpoint, tmp_path):
    run = run_playbook(_log_group_play(tmp_path, {"endpoint_url": tls_endpoint.url, "validate_certs": False}))
    assert run.rc == 0, str(run)
    assert _log_groups(aws) == [GROUP]


def test_a_missing_ca_bundle_is_refused_before_any_call(run_playbook, aws, tls_endpoint, tmp_path):
    missing = tmp_path / "no-such-ca.pem"
    run = run_playbook(_log_group_play(tmp_path, {"endpoint_url": tls_endpoint.url, "aws_ca_bundle": str(missing)}))
    assert run.rc == 2, str(run)
    assert f"aws_ca_bundle: is not a file: {missing}" in run.stdout
    assert tls_endpoint.counts() == {}


def test_aws_config_is_merged_over_ours(run_playbook, aws, tls_endpoint, tmp_path):
    """botocore settings reach every call: the user's user agent suffix next to the collection's."""
    options = {
        "endpoint_url": tls_endpoint.url,
        "aws_ca_bundle": str(tls_endpoint.pki.ca_bundle),
        "aws_config": {
            "user_agent_extra": "team-netops",
            "connect_timeout": 5,
            "retries": {"mode": "adaptive", "max_attempts": 3},
        },
    }
    run = run_playbook(_log_group_play(tmp_path, options))
    assert run.rc == 0, str(run)
    assert tls_endpoint.user_agents
    assert all("flowlogs.aws team-netops" in agent for agent in tls_endpoint.user_agents), tls_endpoint.user_agents


def test_an_unknown_aws_config_setting_is_refused_before_any_call(run_playbook, aws, tls_endpoint, tmp_path):
    options = {"endpoint_url": tls_endpoint.url, "aws_config": {"retry": {"max_attempts": 3}}}
    run = run_playbook(_log_group_play(tmp_path, options))
    assert run.rc == 2, str(run)
    assert "aws_config: has unknown botocore Config setting(s) retry; allowed: " in run.stdout
    assert tls_endpoint.counts() == {}
    assert _log_groups(aws) == []


def test_the_role_over_tls_with_its_variables(run_playbook, aws, tls_endpoint, tmp_path):
    """enable_flowlogs.yml with flow_logs_aws_ca_bundle and flow_logs_aws_config; a bad setting names the variable."""
    vpc_id = aws.client("ec2").create_vpc(CidrBlock="10.65.0.0/16")["Vpc"]["VpcId"]
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        json.dumps(
            {
                "all": {
                    "hosts": {
                        "tls-target": {
                            "ansible_connection": "local",
                            "flow_logs_region": "us-east-1",
                            "flow_logs_endpoint_url": tls_endpoint.url,
                            "flow_logs_insights_queries": False,
                            "flow_logs_aws_ca_bundle": str(tls_endpoint.pki.ca_bundle),
                            "flow_logs_vpc_ids": [vpc_id],
                            "flow_logs_aws_config": {"user_agent_extra": "fleet-run"},
                        }
                    },
                    "vars": {"flow_logs_report_dir": str(tmp_path / "report")},  # not the repository's root
                }
            }
        )
    )
    run = run_playbook("playbooks/enable_flowlogs.yml", inventory=inventory)
    assert run.rc == 0, str(run)
    found = aws.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    assert len(found) == 1
    assert all("fleet-run" in agent for agent in tls_endpoint.user_agents)

    tls_endpoint.reset()
    bad = run_playbook(
        "playbooks/enable_flowlogs.yml",
        inventory=inventory,
        extra_vars={"flow_logs_aws_config": {"connect_timeout": 5, "bogus": 1}},
    )
    assert bad.rc == 2, str(bad)
    assert "flow_logs_aws_config: has unknown botocore Config setting(s) bogus" in bad.stdout
    assert tls_endpoint.counts() == {}
