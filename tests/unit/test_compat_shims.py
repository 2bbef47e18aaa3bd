"""1.0.0's public module_utils and plugin_utils modules still import, with every name they had, for 1.x: the
internals moved to private modules (leading underscore) in 1.1.0 and the old modules only re-export them."""

from __future__ import annotations

import importlib

import pytest

#: The names code outside the collection could import from 1.0.0 (but for six constants that stood only for
#: themselves, listed in the 1.1.0 changelog).
MODULES = {
    "module_utils.connection": ["Clients", "CONNECTION_ARGSPEC", "connection_params", "preload", "HAS_BOTO3"],
    "module_utils.errors": ["AwsError", "ParameterError"],
    "module_utils.aws_api": ["describe_flow_logs", "create_flow_logs", "get_role", "describe_log_group", "chunks"],
    "module_utils.flow_logs": ["converge_flow_logs", "desired_spec", "plan_flow_logs", "DEFAULT_LOG_FORMAT"],
    "module_utils.audit": ["audit_vpcs", "audit_spec", "verdict_for"],
    "module_utils.log_groups": ["converge_log_group", "RETENTION_DAYS", "plan_log_group"],
    "module_utils.roles": ["converge_role", "plan_role", "validate_role_params"],
    "module_utils.alarms": ["converge_flow_log_alarms", "filter_pattern"],
    "module_utils.policies": ["trust_policy_for", "delivery_policy_for", "policies_equal"],
    "module_utils.report": ["fleet_report", "summary_table", "report_html"],
    "module_utils.tags": ["tag_changes", "normalize_tags"],
    "module_utils.module_runner": ["run_converge", "run_module"],
    "module_utils.role_vars": ["flow_logs_problems", "converge_preflight", "RoleVariablesError"],
    "plugin_utils.converge_action": ["ConvergeAction"],
    "plugin_utils.accounts_inventory": ["build_targets", "fetch_organization"],
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_1_0_0_module_still_imports_with_its_names(module):
    found = importlib.import_module("ansible_collections.flowlogs.aws.plugins." + module)

    assert "Deprecated" in found.__doc__ and "2.0.0" in found.__doc__
    for name in MODULES[module]:
        assert hasattr(found, name), name
        assert name in found.__all__, name
