# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deprecated: 1.0.0's ``roles`` module, kept so that code importing it keeps working in 1.x; it goes
away in 2.0.0. Since 1.1.0 the collection's internals are private (modules whose names start with an
underscore): rely on its modules, plugins and documented return values only. This file only re-exports
what 1.0.0 had here."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._iam_role_rules import (
    POLICY_ARN,
    ROLE_NAME,
    ROLE_PATH,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._iam_roles import (
    DEFAULT_POLICY_NAME,
    apply_role_plan,
    converge_role,
    desired_role,
    plan_role,
    predict_role,
    validate_role_params,
)

__all__ = [
    "DEFAULT_POLICY_NAME",
    "POLICY_ARN",
    "ROLE_NAME",
    "ROLE_PATH",
    "apply_role_plan",
    "converge_role",
    "desired_role",
    "plan_role",
    "predict_role",
    "validate_role_params",
]
