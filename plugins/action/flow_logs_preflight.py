# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs flowlogs.aws.flow_logs_preflight on the controller when the connection is local.

Being an action plugin also means Ansible imports it (and the collection's planning code) once, in its own
process, before forking the workers of the role's first task. See plugins/plugin_utils/converge_action.py.
"""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._role_variables import converge_preflight
from ansible_collections.flowlogs.aws.plugins.modules.flow_logs_preflight import ARGUMENT_SPEC
from ansible_collections.flowlogs.aws.plugins.plugin_utils._converge_action import ConvergeAction


class ActionModule(ConvergeAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    CONVERGE = staticmethod(converge_preflight)
