# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deprecated: 1.0.0's ``alarms`` module, kept so that code importing it keeps working in 1.x; it goes
away in 2.0.0. Since 1.1.0 the collection's internals are private (modules whose names start with an
underscore): rely on its modules, plugins and documented return values only. This file only re-exports
what 1.0.0 had here."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._alarm_rules import (
    DEFAULT_FORMAT_FIELDS,
    FORMAT_FIELD,
    NAMESPACE,
    PROTOCOLS,
    RULE_NAME,
    SNS_TOPIC_ARN,
    alarm_param_errors,
    format_fields,
    validate_rules,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._alarms import (
    ALARM_FIELDS,
    COMPARISON,
    DEFAULT_NAMESPACE,
    DEFAULT_RULES,
    FILTER_FIELDS,
    STATISTIC,
    TREAT_MISSING_DATA,
    apply_alarm_plan,
    converge_flow_log_alarms,
    desired_state,
    filter_pattern,
    index_filters,
    name_prefix,
    normalized_state,
    plan_alarms,
    predict_alarms,
    read_alarm_state,
    validate_alarm_params,
)

__all__ = [
    "ALARM_FIELDS",
    "COMPARISON",
    "DEFAULT_FORMAT_FIELDS",
    "DEFAULT_NAMESPACE",
    "DEFAULT_RULES",
    "FILTER_FIELDS",
    "FORMAT_FIELD",
    "NAMESPACE",
    "PROTOCOLS",
    "RULE_NAME",
    "SNS_TOPIC_ARN",
    "STATISTIC",
    "TREAT_MISSING_DATA",
    "alarm_param_errors",
    "apply_alarm_plan",
    "converge_flow_log_alarms",
    "desired_state",
    "filter_pattern",
    "format_fields",
    "index_filters",
    "name_prefix",
    "normalized_state",
    "plan_alarms",
    "predict_alarms",
    "read_alarm_state",
    "validate_alarm_params",
    "validate_rules",
]
