"""module_defaults for amazon.aws's groups, as flowlogs.aws's action plugins take them (pure)."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import CONNECTION_ARGSPEC
from ansible_collections.flowlogs.aws.plugins.plugin_utils._aws_group_defaults import amazon_aws_defaults, option_names


def test_every_alias_names_its_option():
    names = option_names(CONNECTION_ARGSPEC)
    assert names["aws_access_key"] == names["aws_access_key_id"] == "access_key"
    assert names["aws_secret_key"] == "secret_key" and names["aws_region"] == "region"


def test_group_aws_fills_what_the_task_does_not_set_under_any_name():
    defaults = [{"group/ansible.builtin.aws": {"aws_region": "eu-west-1", "aws_access_key": "AK", "profile": "p"}}]
    found, ignored = amazon_aws_defaults(defaults, {"region": "us-east-1", "aws_profile": "mine"}, CONNECTION_ARGSPEC)
    assert found == {"access_key": "AK"}
    assert ignored == []


def test_amazon_aws_only_settings_are_left_out_and_named():
    defaults = [{"group/amazon.aws.aws": {"region": "eu-west-1", "debug_botocore_endpoint_logs": True}}]
    assert amazon_aws_defaults(defaults, {}, CONNECTION_ARGSPEC) == (
        {"region": "eu-west-1"},
        ["debug_botocore_endpoint_logs"],
    )


def test_other_groups_and_modules_are_not_amazon_aws_groups():
    defaults = [
        {
            "group/flowlogs.aws.flowlogs": {"region": "a"},
            "flowlogs.aws.vpc_flow_log": {"region": "b"},
            "group/ansible.builtin.acme": {"region": "c"},
        }
    ]
    assert amazon_aws_defaults(defaults, {}, CONNECTION_ARGSPEC) == ({}, [])


def test_a_later_module_defaults_entry_replaces_an_earlier_group_as_ansible_does():
    defaults = [
        {"group/ansible.builtin.aws": {"region": "eu-west-1", "endpoint_url": "https://old"}},
        {"group/ansible.builtin.aws": {"region": "eu-west-2"}},
    ]
    assert amazon_aws_defaults(defaults, {}, CONNECTION_ARGSPEC) == ({"region": "eu-west-2"}, [])


def test_only_the_modules_own_connection_options_are_taken():
    spec = {k: v for k, v in CONNECTION_ARGSPEC.items() if k in ("region",)}
    found, ignored = amazon_aws_defaults([{"group/amazon.aws.aws": {"region": "r", "profile": "p"}}], {}, spec)
    assert (found, ignored) == ({"region": "r"}, ["profile"])
