# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""flowlogs.aws.fleet_report on the controller: the report of the hosts of the play it runs in.

Without ``targets``, the entries are the play's hosts (``ansible_play_hosts_all``: what ``--limit`` and the
host pattern kept, failed hosts included) and their ``flow_logs_result``. The summary table is printed.
With a non-local connection the entries are gathered here and the module writes the files where it runs.
A compact result (a target above flow_logs_result_max_bytes) is made whole with the rows the role's task kept in the
run's cache. With ``merge``, the entries are the slice reports' targets. See plugins/plugin_utils/_report_action.py.
"""

from __future__ import annotations

from ansible import constants as C

from ansible_collections.flowlogs.aws.plugins.module_utils._report.compact import restore_rows, rows_key_of
from ansible_collections.flowlogs.aws.plugins.module_utils._report.fleet import converge_report
from ansible_collections.flowlogs.aws.plugins.modules.fleet_report import ARGUMENT_SPEC, MUTUALLY_EXCLUSIVE
from ansible_collections.flowlogs.aws.plugins.plugin_utils._report_action import ReportAction
from ansible_collections.flowlogs.aws.plugins.plugin_utils._run_cache import RunCache


class ActionModule(ReportAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    MUTUALLY_EXCLUSIVE = MUTUALLY_EXCLUSIVE
    RESULT_VARS = ("flow_logs_result", "flow_logs_discovery")

    def from_play(self, params):
        return params.get("targets") is None and not params.get("merge")

    def prepare(self, params):
        for entry in params.get("targets") or []:
            key = rows_key_of(entry.get("result"))
            if key:
                entry["result"] = restore_rows(entry["result"], RunCache(C.DEFAULT_LOCAL_TMP).load(key))
        if params.get("predicted") is None:
            params["predicted"] = bool(self._play_context.check_mode)

    def write(self, params, check_mode):
        return converge_report(None, params, check_mode=check_mode)
