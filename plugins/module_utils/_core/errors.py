# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two ways a run can fail: the user's input, or an AWS call."""

from __future__ import annotations

from ansible_collections.flowlogs.aws.plugins.module_utils._core.diagnosis import (
    ACCESS_DENIED_CODES,
    Refusal,
    diagnose,
    short_message,
)


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


def _shortened(resource, shown=3):
    """A call on many resources is named by its first few: one message, not a screen of ids."""
    parts = resource.split(", ") if isinstance(resource, str) else [resource]
    if len(parts) <= shown + 2:
        return resource
    return "{} resources ({}, and {} more)".format(len(parts), ", ".join(parts[:shown]), len(parts) - shown)


class AwsError(Exception):
    """One AWS call failed: which call, on what, in which account and region, with AWS's own error code and message
    (an encoded authorization failure message left out), and what AWS's answer says about it (``diagnosis``): why it
    refused the call, the fix, whether a guardrail of the organisation denies the target by design."""

    def __init__(self, operation, code, message, resource=None):
        self.operation = operation
        self.code = code
        self.aws_message, self.encoded_message = short_message(message)
        self.resource = resource
        #: The call used an assumed role's session; the KMS key it asked for.
        self.assumed = False
        self.kms_key = None
        self.account = None
        self.account_reached = False
        self.region = None
        #: What to do about it, where AWS's message does not say (credentials to provide, a region to check).
        self.hint = None
        #: The target that made the call and met this error, when another target of the run meets it again without
        #: a call (a per-account step that failed once).
        self.met_by = None
        super().__init__(operation, code, message, resource)

    @classmethod
    def from_dict(cls, found, met_by=None):
        """The error ``as_dict()`` described, as another target of the run meets it again (``met_by``: the target
        that made the call)."""
        exc = cls(found["operation"], found["code"], found["message"], found.get("resource"))
        account = found.get("account") or found.get("configured_account")
        exc.locate(account, found.get("region"), reached="account" in found)
        exc.hint, exc.met_by = found.get("hint"), met_by
        exc.encoded_message = found.get("encoded_authorization_message")
        return exc

    @property
    def access_denied(self):
        return self.code in ACCESS_DENIED_CODES

    @property
    def diagnosis(self):
        """What AWS's answer says (diagnosis.diagnose), or None."""
        refusal = Refusal(
            self.code, self.aws_message, self.operation, self.region, self.account, self.assumed, self.kms_key
        )
        return diagnose(refusal)

    @property
    def missing_permission(self):
        """The IAM action AWS refused for lack of a permission: the one its message names (iam:PassRole for a
        CreateFlowLogs that passes a role), else the call's own (named like an IAM action)."""
        found = self.diagnosis
        return found.permission if found else None

    @property
    def denied(self):
        """A guardrail of the organisation (a service control policy, a region not enabled) refused the call: the
        target is denied by design, no permission of its account can fix it."""
        found = self.diagnosis
        return bool(found and found.denied)

    def locate(self, account=None, region=None, reached=True):
        """Record the target the call was made for: its region, and its account - ``reached`` when the call was made
        in it, else the account the target is configured for (credentials that never got there); returns the error."""
        if self.account is None and account:
            self.account, self.account_reached = account, bool(reached)
        self.region = self.region or region
        return self

    def _where(self):
        region = " in region {}".format(self.region) if self.region else ""
        if not self.account:
            return region
        if not self.account_reached:
            return "{} before reaching target account {} (configured)".format(region, self.account)
        return " in account {}{}".format(self.account, ", region " + self.region if self.region else "")

    def __str__(self):
        where = " on {}".format(_shortened(self.resource)) if self.resource else ""
        text = "{}{} failed{}: {}: {}".format(self.operation, where, self._where(), self.code, self.aws_message)
        found = self.diagnosis
        if found:
            text += " ({}; {})".format(found.cause, found.fix)
        elif self.hint:
            text += " ({})".format(self.hint)
        if self.met_by:
            text += " (met by {}, the account's target that made the call; not tried again in this run)".format(
                self.met_by
            )
        return text

    def as_dict(self):
        found = dict(operation=self.operation, code=self.code, message=self.aws_message, resource=self.resource)
        diagnosis = self.diagnosis
        extra = (
            ("account" if self.account_reached else "configured_account", self.account),
            ("region", self.region),
            ("missing_permission", self.missing_permission),
            ("cause", diagnosis and diagnosis.cause),
            ("fix", diagnosis and diagnosis.fix),
            ("denied", self.denied),
            ("hint", None if diagnosis else self.hint),
            ("encoded_authorization_message", self.encoded_message),
        )
        found.update((key, value) for key, value in extra if value)
        return found
