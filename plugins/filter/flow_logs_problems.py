# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the flowlogs.aws role: its preflight (pure, controller side)."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._role_variables import flow_logs_problems


class FilterModule:
    def filters(self):
        return {
            "flow_logs_problems": flow_logs_problems,
        }
