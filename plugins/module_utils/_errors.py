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


def run_checks(checks, params, stop_on=()):
    """Every ParameterError the ``checks`` (each ``check(params)``, raising one) find, in order, before any AWS
    call; a problem with an option of ``stop_on`` ends the checks (the later ones derive from it)."""
    errors = []
    for check in checks:
        try:
            check(params)
        except ParameterError as exc:
            errors.append(exc)
            if exc.option in stop_on:
                break
    return errors


def raise_first(errors):
    """A module's validate_*: the first problem found fails it."""
    if errors:
        raise errors[0]


#: AWS error codes meaning "these credentials may not make this call".
ACCESS_DENIED_CODES = (
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
)


def _shortened(resource, shown=3):
    """A call on many resources is named by its first few: one message, not a screen of ids."""
    parts = resource.split(", ") if isinstance(resource, str) else [resource]
    if len(parts) <= shown + 2:
        return resource
    return "{} resources ({}, and {} more)".format(len(parts), ", ".join(parts[:shown]), len(parts) - shown)


class AwsError(Exception):
    """One AWS call failed: which call, on what, in which account and region, with AWS's own error code
    and message, and - when AWS refused it - the IAM permission the call needs."""

    def __init__(self, operation, code, message, resource=None):
        self.operation = operation
        self.code = code
        self.aws_message = message
        self.resource = resource
        self.account = None
        self.region = None
        super().__init__(operation, code, message, resource)

    @property
    def access_denied(self):
        return self.code in ACCESS_DENIED_CODES

    @property
    def missing_permission(self):
        """Operations are named like IAM actions (ec2:CreateFlowLogs): the one refused is the one missing.
        AWS does not always say it (EC2's UnauthorizedOperation message does not)."""
        return self.operation if self.access_denied and ":" in self.operation else None

    def locate(self, account=None, region=None):
        """Record the target (account, region) the call was made in; returns the error."""
        self.account = self.account or account
        self.region = self.region or region
        return self

    def __str__(self):
        where = " on {}".format(_shortened(self.resource)) if self.resource else ""
        target = ", ".join(
            "{} {}".format(kind, value) for kind, value in (("account", self.account), ("region", self.region)) if value
        )
        text = "{}{} failed{}: {}: {}".format(
            self.operation, where, " in " + target if target else "", self.code, self.aws_message
        )
        if self.missing_permission:
            text += " (missing permission: {})".format(self.missing_permission)
        return text

    def as_dict(self):
        found = dict(operation=self.operation, code=self.code, message=self.aws_message, resource=self.resource)
        extra = (("account", self.account), ("region", self.region), ("missing_permission", self.missing_permission))
        found.update((key, value) for key, value in extra if value)
        return found
