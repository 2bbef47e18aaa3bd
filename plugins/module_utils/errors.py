# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two ways a run can fail: the user's input, or an AWS call."""

from __future__ import annotations


class ParameterError(ValueError):
    """Bad input, found before any AWS call. The message names the option and what it accepts."""

    def __init__(self, option, message):
        self.option = option
        self.detail = message
        super().__init__("{}: {}".format(option, message))


class AwsError(Exception):
    """One AWS call failed: which call, on what, with AWS's own error code and message."""

    def __init__(self, operation, code, message, resource=None):
        self.operation = operation
        self.code = code
        self.aws_message = message
        self.resource = resource
        where = " on {}".format(resource) if resource else ""
        super().__init__(f"{operation}{where} failed: {code}: {message}")

    def as_dict(self):
        return dict(operation=self.operation, code=self.code, message=self.aws_message, resource=self.resource)
