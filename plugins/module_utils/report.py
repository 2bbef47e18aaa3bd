# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deprecated: 1.0.0's ``report`` module, kept so that code importing it keeps working in 1.x; it goes
away in 2.0.0. Since 1.1.0 the collection's internals are private (modules whose names start with an
underscore): rely on its modules, plugins and documented return values only. This file only re-exports
what 1.0.0 had here."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._flow_log_fields import (
    VERDICTS,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._report import (
    ACTIONS,
    CHANGING,
    NO_RESULT,
    REPORT_FILES,
    converge_report,
    fleet_report,
    report_html,
    summary_table,
    target_report,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._report_html import (
    STATUS_COLOURS,
    VERDICT_COLOURS,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._report_table import (
    COLUMNS,
)

__all__ = [
    "ACTIONS",
    "CHANGING",
    "COLUMNS",
    "NO_RESULT",
    "REPORT_FILES",
    "STATUS_COLOURS",
    "VERDICTS",
    "VERDICT_COLOURS",
    "converge_report",
    "fleet_report",
    "report_html",
    "summary_table",
    "target_report",
]
