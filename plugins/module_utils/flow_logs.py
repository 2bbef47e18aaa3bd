# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deprecated: 1.0.0's ``flow_logs`` module, kept so that code importing it keeps working in 1.x; it goes
away in 2.0.0. Since 1.1.0 the collection's internals are private (modules whose names start with an
underscore): rely on its modules, plugins and documented return values only. This file only re-exports
what 1.0.0 had here."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_log_fields import (
    AGGREGATION_INTERVALS,
    DEFAULT_LOG_FORMAT,
    DESTINATION_TYPES,
    FILE_FORMATS,
    FIREHOSE_ARN,
    IAM_ROLE_ARN,
    IMMUTABLE_FIELDS,
    LOG_FORMAT,
    RESOURCE_ID_PATTERNS,
    RESOURCE_TYPES,
    S3_ARN,
    TRAFFIC_TYPES,
    TRANSIT_GATEWAY_TYPES,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_log_spec import (
    destination_of,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_log_writer import (
    ROLE_NOT_READY,
    ROLE_WAIT_SECONDS,
    create_request,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._flow_logs import (
    ACTION_NAMES,
    FlowLogWriter,
    apply_flow_log_plan,
    converge_flow_logs,
    desired_spec,
    drift,
    plan_flow_logs,
    predict_after,
    replacement_tags,
    summary,
)

__all__ = [
    "ACTION_NAMES",
    "AGGREGATION_INTERVALS",
    "DEFAULT_LOG_FORMAT",
    "DESTINATION_TYPES",
    "FILE_FORMATS",
    "FIREHOSE_ARN",
    "IAM_ROLE_ARN",
    "IMMUTABLE_FIELDS",
    "LOG_FORMAT",
    "RESOURCE_ID_PATTERNS",
    "RESOURCE_TYPES",
    "ROLE_NOT_READY",
    "ROLE_WAIT_SECONDS",
    "S3_ARN",
    "TRAFFIC_TYPES",
    "TRANSIT_GATEWAY_TYPES",
    "FlowLogWriter",
    "apply_flow_log_plan",
    "converge_flow_logs",
    "create_request",
    "desired_spec",
    "destination_of",
    "drift",
    "plan_flow_logs",
    "predict_after",
    "replacement_tags",
    "summary",
]
