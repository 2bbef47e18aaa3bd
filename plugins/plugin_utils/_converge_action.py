# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side execution of the collection's modules.

Every call these modules make is an AWS API call, and fleet targets use a local connection, so running
the module's converge function right in Ansible's worker process gives the same result as shipping the
module to a new Python process - without paying, per task and per host, for module packaging, an
interpreter start, the boto3 import and botocore model parsing (about 1 s on a 2-core machine). Ansible's
strategy imports action plugins in its own process before forking workers, so the models parsed by
preload() below are inherited by every worker.

The task's ``environment`` is set in the worker's os.environ for the duration of the converge, as Ansible would set
it in a module's process (see _task_environment). When the connection is not local (the module should run on a
remote host) or boto3 is missing on the controller, the module runs the usual way.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import (
    CONNECTION_ARGSPEC,
    HAS_BOTO3,
    preload,
)
from ansible_collections.flowlogs.aws.plugins.module_utils._core.module_runner import run_converge
from ansible_collections.flowlogs.aws.plugins.plugin_utils._aws_group_defaults import amazon_aws_defaults
from ansible_collections.flowlogs.aws.plugins.plugin_utils._task_environment import task_environment

for _level, _note in preload():  # on the controller, before Ansible forks its workers
    (Display().warning if _level == "warning" else Display().vvv)("flowlogs.aws: " + _note)


class ConvergeAction(ActionBase):
    """Subclasses set ARGUMENT_SPEC (the module's) and CONVERGE (its converge function)."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False
    ARGUMENT_SPEC = {}
    CONVERGE = None

    def _runs_here(self):
        return HAS_BOTO3 and getattr(self._connection, "transport", None) in ("local", "ansible.builtin.local")

    def _inherit_amazon_aws_defaults(self):
        """Connection options from module_defaults for amazon.aws's groups (see _aws_group_defaults)."""
        spec = {k: v for k, v in CONNECTION_ARGSPEC.items() if k in self.ARGUMENT_SPEC}
        found, ignored = amazon_aws_defaults(self._task.module_defaults, self._task.args, spec)
        if ignored:
            Display().vvv("flowlogs.aws: module_defaults for amazon.aws's group not used here: " + ", ".join(ignored))
        if found:
            self._task.args = dict(self._task.args, **self._templar.template(found))

    def run(self, tmp=None, task_vars=None):
        self._inherit_amazon_aws_defaults()
        if not self._runs_here():
            return self._execute_module(module_name=self._task.resolved_action, task_vars=task_vars)
        result = super().run(tmp, task_vars)
        try:
            validation, params = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc.message))
            return result
        with task_environment(self) as environment:
            converged, error = run_converge(
                type(self).CONVERGE, params, check_mode=self._play_context.check_mode, diff=self._play_context.diff
            )
            # Secrets (no_log options, secret variables of the task's environment) never leave this process.
            converged, error = environment.scrub(remove_values((converged, error), validation._no_log_values))
        result.update(converged)
        if error:
            result.update(failed=True, msg=error)
        return result
