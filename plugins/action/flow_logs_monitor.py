# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""flowlogs.aws.flow_logs_monitor: a task of the flowlogs.aws.flow_logs role, on the controller.

See plugins/plugin_utils/_role_task.py (RoleTaskAction) and plugins/module_utils/_role/target.py.
"""

from __future__ import annotations

from ansible.utils.display import Display

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import preload
from ansible_collections.flowlogs.aws.plugins.plugin_utils._role_task import RoleTaskAction

for _level, _note in preload():  # on the controller, before Ansible forks its workers
    (Display().warning if _level == "warning" else Display().vvv)("flowlogs.aws: " + _note)


class ActionModule(RoleTaskAction):
    TASK = "monitor"
