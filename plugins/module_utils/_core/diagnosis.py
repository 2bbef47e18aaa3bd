# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why AWS refused a call, read from AWS's own words: one table of (error codes, message pattern) -> cause and fix.

Private to the collection: not a public API, it may change in any release. Pure: no AWS call.

AWS says why it refused a call in the message: which kind of policy denied it (a service control policy, a permissions
boundary, an identity-based policy), which action was missing (``iam:PassRole`` when CreateFlowLogs passes a role),
that a KMS key may not be used, that the region is not enabled for the account, or that a token expired. ``diagnose``
reads it with ``RULES`` (the first row that matches wins) and returns a ``Diagnosis``; a guardrail of the organisation
(a service control or resource control policy, a region not enabled) is ``denied``: no permission can fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: AWS error codes meaning "these credentials may not make this call".
ACCESS_DENIED_CODES = (
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
)
#: Codes AWS answers with credentials it cannot validate - or, in a region the account has not enabled, with any.
UNRECOGNISED_CREDENTIALS = ("AuthFailure", "InvalidClientTokenId", "UnrecognizedClientException")
EXPIRED_CREDENTIALS = ("ExpiredToken", "ExpiredTokenException", "RequestExpired")
QUOTA_CODES = ("LimitExceeded", "LimitExceededException", "FlowLogsLimitExceeded", "ServiceQuotaExceededException")
#: Regions an account must opt into (AWS General Reference, "Regions and zones"): credentials are not recognised there
#: until the account enables the region.
OPT_IN_REGIONS = frozenset(
    (
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-south-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-west-1",
        "eu-central-2",
        "eu-south-1",
        "eu-south-2",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
    )
)
#: The quota a limit error of an operation is about, where AWS's message does not name it (Service Quotas' names).
QUOTAS = {
    "ec2:CreateFlowLogs": "Amazon VPC quota 'Flow logs per single network interface, subnet, or VPC in a Region'",
    "logs:CreateLogGroup": "CloudWatch Logs quota 'Log groups' (per account and Region)",
    "logs:PutMetricFilter": "CloudWatch Logs quota 'Metric filters' (per log group)",
    "logs:PutQueryDefinition": "CloudWatch Logs quota 'Saved queries' (per account and Region)",
    "iam:CreateRole": "IAM quota 'Roles per account'",
}
ENCODED = re.compile(r"\s*Encoded authorization failure message:\s*(\S+)\s*$", re.S)
ACTION = re.compile(r"is not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9*]+)")
KMS_KEY = re.compile(r"KMS [kK]ey(?: Id)?(?: '?(arn:[^\s']+|[0-9a-f-]{36})'?)?")


@dataclass(frozen=True)
class Diagnosis:
    """What AWS's answer says: ``cause`` and ``fix`` in words; ``denied``: a guardrail of the organisation (no
    permission can fix it); ``permission``: the IAM action missing, when that is the cause."""

    kind: str
    cause: str
    fix: str
    denied: bool = False
    permission: str = None


@dataclass(frozen=True)
class Refusal:
    """One refused call as diagnose() reads it."""

    code: str
    message: str
    operation: str
    region: str = None
    account: str = None
    assumed: bool = False  # the call used an assumed role's session (not the controller's own credentials)
    kms_key: str = None  # the KMS key the call asked for, when it asked for one

    def action(self):
        """The IAM action AWS names as refused, else the call's own (named like an IAM action)."""
        found = ACTION.search(self.message)
        if found:
            return found.group(1)
        return self.operation if ":" in (self.operation or "") else None


#: Said in place of an encoded authorization failure message.
ENCODED_LEFT_OUT = (
    " (encoded authorization failure message left out: a module's result keeps it as encoded_authorization_message,"
    " and aws sts decode-authorization-message reads it, with sts:DecodeAuthorizationMessage)"
)


def short_message(message):
    """AWS's message without its encoded authorization failure message (kilobytes only STS can read), and that."""
    found = ENCODED.search(message or "")
    if not found:
        return message, None
    return message[: found.start()].rstrip() + ENCODED_LEFT_OUT, found.group(1)


#: Role management an organisation often allows only with a permissions boundary or under a path: a guardrail the
#: role's variables can satisfy, so not a target denied by design.
ROLE_GUARDRAILS = ("iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy")
DENIED_FIX = (
    "no permission of this account can lift it: ask the organisation's administrators to exempt this account, region "
    "and action, or leave the target out (flow_logs_on_denied: skip, or the inventory's region exclusions)"
)
ROLE_GUARDRAIL_FIX = (
    "the organisation may require new roles to carry a permissions boundary or to live under a path: set "
    "flow_logs_role_permissions_boundary and flow_logs_role_path (flow_log_role's permissions_boundary and path) as "
    "its policy asks, or pre-create the delivery role as the organisation allows"
)


def _org_policy(kind):
    def diagnose(refusal, match):
        policy = match.groupdict().get("policy")
        action = refusal.action()
        guardrail = action in ROLE_GUARDRAILS
        return Diagnosis(
            kind=kind.replace(" ", "_"),
            cause="{} denied by a {} of the organisation{}".format(
                action or refusal.operation, kind, " ({})".format(policy) if policy else ""
            ),
            fix=ROLE_GUARDRAIL_FIX if guardrail else DENIED_FIX,
            denied=not guardrail,
        )

    return diagnose


def _missing(why, fix):
    def diagnose(refusal, match):
        del match
        action = refusal.action()
        return Diagnosis(
            kind="permission",
            cause="missing permission: {}{}".format(action, ", " + why if why else "") if action else why,
            fix=fix.format(action=action or "the permission"),
            permission=action,
        )

    return diagnose


def _region_disabled(refusal, match):
    del match
    return Diagnosis(
        kind="region_disabled",
        cause="region {} is not enabled for account {}".format(
            refusal.region, refusal.account or "of these credentials"
        ),
        fix="enable the region in the account's settings (an opt-in region), or leave the target out "
        "(flow_logs_on_denied: skip, or the inventory's region exclusions); if it is enabled, the session token may "
        "come from STS's global endpoint, whose tokens are valid only in regions enabled by default: get it from a "
        "regional STS endpoint (AWS_STS_REGIONAL_ENDPOINTS=regional)",
        denied=True,
    )


def _kms_key(refusal, match):
    named = KMS_KEY.search(refusal.message or "")
    key = (named and named.group(1)) or refusal.kms_key
    key = "KMS key {}".format(key) if key else "the log group's KMS key (flow_logs_kms_key_id)"
    principal = "logs.{}.amazonaws.com".format(refusal.region) if refusal.region else "logs.<region>.amazonaws.com"
    return Diagnosis(
        kind="kms_key_policy",
        cause="CloudWatch Logs may not use {}".format(key),
        fix="its key policy must allow the service principal {} kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, "
        "kms:GenerateDataKey* and kms:Describe* (AWS's CloudWatch Logs guide, 'Encrypt log data in CloudWatch Logs "
        "using AWS KMS')".format(principal),
    )


def _expired(refusal, match):
    del match
    if refusal.assumed and refusal.operation != "sts:AssumeRole":
        whose, fix = "the assumed role's session", "a rerun starts a new session and converges what is left"
    else:
        whose, fix = "the controller's credentials", "refresh them (aws sso login --profile <name>, new keys, or a new"
        fix += " AWX credential) and rerun"
    return Diagnosis(kind="credentials_expired", cause="{} expired".format(whose), fix=fix)


def _sts_region_disabled(refusal):
    """STS of an opt-in region does not know the controller's credentials: that region is not enabled for the
    controller's account - the target account may well have enabled it."""
    return Diagnosis(
        kind="sts_region_disabled",
        cause="AWS STS in region {} does not recognise the controller's credentials: the region is likely not enabled "
        "for the controller's account".format(refusal.region),
        fix="assume the role through the STS endpoint of a region the controller's account has enabled "
        "(flow_logs_sts_region; unset, an opt-in target region goes through us-east-1), or enable the region for the "
        "controller's account",
    )


def _unrecognised(refusal, match):
    if refusal.operation == "sts:AssumeRole" and refusal.region in OPT_IN_REGIONS:
        return _sts_region_disabled(refusal)
    if refusal.region in OPT_IN_REGIONS or refusal.code == "RegionDisabledException":
        return _region_disabled(refusal, match)
    whose = "the assumed role's session" if refusal.assumed and refusal.operation != "sts:AssumeRole" else None
    return Diagnosis(
        kind="credentials_invalid",
        cause="AWS does not recognise {}".format(whose or "the controller's credentials"),
        fix="check AWS_PROFILE / flow_logs_profile, the access keys, or run aws sso login --profile <name>",
    )


def _quota(refusal, match):
    del match
    quota = QUOTAS.get(refusal.operation)
    return Diagnosis(
        kind="quota",
        cause="a quota was reached{}".format(": " + quota if quota and quota not in refusal.message else ""),
        fix="raise the quota in Service Quotas for this account and region, or cover fewer resources",
    )


@dataclass(frozen=True)
class Rule:
    codes: tuple
    pattern: str
    diagnose: object  # callable(Refusal, re.Match) -> Diagnosis

    def match(self, refusal):
        if self.codes and refusal.code not in self.codes:
            return None
        return re.search(self.pattern, refusal.message or "", re.I)


SCP = r"explicit deny in a service control policy(?::\s*(?P<policy>arn:\S+?))?(?:[.\s]|$)"
RCP = r"explicit deny in a resource control policy(?::\s*(?P<policy>arn:\S+?))?(?:[.\s]|$)"
NOT_IN_BOUNDARY = _missing(
    "not allowed by the permissions boundary of these credentials",
    "allow it in the permissions boundary of the operator's role",
)
EXPLICITLY_DENIED = _missing(
    "explicitly denied by a policy of these credentials", "remove the Deny of {action} from the operator's policies"
)
NOT_IN_SESSION = _missing(
    "not allowed by the session policy", "allow it in the session policy the role is assumed with"
)
NOT_GRANTED = _missing("", "grant it to the operator (docs/operator-policy.json)")

#: The diagnosis table, in order: the first row that matches wins.
RULES = (
    Rule(ACCESS_DENIED_CODES, SCP, _org_policy("service control policy")),
    Rule(ACCESS_DENIED_CODES, RCP, _org_policy("resource control policy")),
    Rule(ACCESS_DENIED_CODES, r"because no permissions boundary allows", NOT_IN_BOUNDARY),
    Rule(ACCESS_DENIED_CODES, r"explicit deny in an? (identity-based|session) policy", EXPLICITLY_DENIED),
    Rule(ACCESS_DENIED_CODES, r"because no session policy allows", NOT_IN_SESSION),
    Rule(("AccessDeniedException", "AccessDenied", "KMSAccessDeniedException"), r"KMS [kK]ey", _kms_key),
    Rule(("RegionDisabledException",), r"", _region_disabled),
    Rule(EXPIRED_CREDENTIALS, r"", _expired),
    Rule(UNRECOGNISED_CREDENTIALS, r"", _unrecognised),
    Rule(QUOTA_CODES, r"", _quota),
    Rule(ACCESS_DENIED_CODES, r"", NOT_GRANTED),
)


def diagnose(refusal):
    """The Diagnosis of a refused call (a ``Refusal``), or None when AWS's answer is not one of the table's."""
    for rule in RULES:
        found = rule.match(refusal)
        if found is not None:
            return rule.diagnose(refusal, found)
    return None
