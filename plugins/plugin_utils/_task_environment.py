# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``environment`` keyword for the actions that run a module's code in Ansible's worker process.

Private to the collection: not a public API, it may change in any release. Ansible applies a task's
``environment`` (play, block, role and task, merged and templated) to the process of a module it runs the classic
way. With a local connection this collection's actions run the module's code in the worker instead, so they set the
same variables in the worker's ``os.environ`` for the duration of that run, and restore it after. botocore then reads
them as it would in a module's process (region, endpoint, credentials, profile, CA bundle, retry settings), and the
worker's botocore sessions are keyed by them (see module_utils/_core/botocore_cache.py). Only variable names are logged.
"""

from __future__ import annotations

import contextlib
import os

from ansible.module_utils.common.parameters import remove_values
from ansible.utils.display import Display

from ansible_collections.flowlogs.aws.plugins.module_utils._core.aws_environment import is_secret

display = Display()


def effective_environment(action):
    """The task's environment as Ansible computes it for a classic module (an ActionBase's own merge and templating),
    each value as the text the module's shell command would carry."""
    found = {}
    action._compute_environment_string(found)  # pylint: disable=protected-access
    return {str(name): str(value) for name, value in found.items()}


class AppliedEnvironment:
    """What ``applied_environment`` yields: the names of the variables it set, never their values."""

    def __init__(self, names):
        self.names = tuple(sorted(names))

    def scrub(self, result):
        """``result`` with every value of a secret variable set here masked, as Ansible masks a no_log value.

        Reads the values from os.environ, so it is called inside the ``with`` block; nothing here keeps them."""
        secrets = {os.environ[name] for name in self.names if is_secret(name) and os.environ.get(name)}
        return remove_values(result, secrets) if secrets else result


@contextlib.contextmanager
def applied_environment(values):
    """Set ``values`` (name -> text) in os.environ for the duration of the block, then put back what was there and
    remove what was not, whatever happens inside."""
    before = {name: os.environ.get(name) for name in values}
    try:
        os.environ.update(values)
        yield AppliedEnvironment(values)
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def task_environment(action):
    """The ``environment`` of ``action``'s task applied to this process for the duration of the block."""
    values = effective_environment(action)
    if values:
        display.vvv("flowlogs.aws: the task's environment, set in this process: " + ", ".join(sorted(values)))
    with applied_environment(values) as applied:
        yield applied
