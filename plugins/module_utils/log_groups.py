# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deprecated: 1.0.0's ``log_groups`` module, kept so that code importing it keeps working in 1.x; it goes
away in 2.0.0. Since 1.1.0 the collection's internals are private (modules whose names start with an
underscore): rely on its modules, plugins and documented return values only. This file only re-exports
what 1.0.0 had here."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_log_fields import (
    LOG_GROUP_NAME,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._log_groups import (
    KMS_KEY_ARN,
    LOG_GROUP_CLASSES,
    RETENTION_CHOICES,
    RETENTION_DAYS,
    apply_log_group_plan,
    converge_log_group,
    plan_log_group,
    predict_log_group,
    validate_log_group_name,
    validate_log_group_params,
)

__all__ = [
    "KMS_KEY_ARN",
    "LOG_GROUP_CLASSES",
    "LOG_GROUP_NAME",
    "RETENTION_CHOICES",
    "RETENTION_DAYS",
    "apply_log_group_plan",
    "converge_log_group",
    "plan_log_group",
    "predict_log_group",
    "validate_log_group_name",
    "validate_log_group_params",
]
