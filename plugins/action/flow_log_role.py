# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs flowlogs.aws.flow_log_role on the controller when the connection is local.

See plugins/plugin_utils/_converge_action.py.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._delivery.roles import converge_role
from ansible_collections.flowlogs.aws.plugins.modules.flow_log_role import ARGUMENT_SPEC
from ansible_collections.flowlogs.aws.plugins.plugin_utils._converge_action import ConvergeAction


class ActionModule(ConvergeAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    CONVERGE = staticmethod(converge_role)
