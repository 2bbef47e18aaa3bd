"""A proxy in front of moto server that answers chosen calls as a real organisation's AWS does: refused by an
identity policy, a service control policy or a permissions boundary, a region not enabled, credentials expired, a
role not yet usable. moto has none of these; the answers are AWS's own (tests/support/aws_errors.py).

``GuardrailProxy(moto_url).start()`` forwards everything, counting calls like ``CountingProxy``, until rules are
added. A rule matches calls by service, action, account and region (None matches any, an action may be a glob
like ``Describe*``) and answers them with ``answer(call)``; ``times`` limits how many calls it answers (then the
calls go through again: a refusal that passes). ``refused`` lists every call a rule answered.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from tests.support.aws_errors import access_denied, iam_action
from tests.support.aws_proxy import CountingProxy


@dataclass
class Rule:
    answer: object  # callable(ProxiedCall) -> (status, headers, body)
    service: str | None = None
    action: str | None = None
    account: str | None = None
    region: str | None = None
    times: int | None = None
    answered: int = field(default=0)

    def matches(self, call):
        return (
            (self.service is None or self.service == call.service)
            and (self.action is None or fnmatch.fnmatchcase(call.action, self.action))
            and (self.account is None or self.account == call.account)
            and (self.region is None or self.region == call.region)
            and (self.times is None or self.answered < self.times)
        )


def _allows(patterns, action):
    return any(fnmatch.fnmatch(action.lower(), p.lower()) for p in patterns)


def _actions(statement):
    found = statement.get("Action") or []
    return [found] if isinstance(found, str) else list(found)


class IdentityPolicy:
    """An operator's IAM policy, enforced on actions (not resources or conditions): a call it does not allow is
    answered with AWS's "because no identity-based policy allows" access denial."""

    def __init__(self, document):
        statements = document["Statement"]
        self.allowed = [a for s in statements if s.get("Effect") == "Allow" for a in _actions(s)]
        self.denied = [a for s in statements if s.get("Effect") == "Deny" for a in _actions(s)]

    def refuses(self, call):
        action = iam_action(call.service, call.action)
        if _allows(self.denied, action):
            return "with an explicit deny in an identity-based policy"
        if not _allows(self.allowed, action):
            return "because no identity-based policy allows the {action} action"
        return None


class GuardrailProxy(CountingProxy):
    def __init__(self, upstream, tls=None):
        super().__init__(upstream, tls)
        self.rules = []
        #: (service, action, account, region, status) of every call a rule answered.
        self.refused = []
        self._rules_lock = threading.Lock()

    def add(self, answer, **match):
        """Answer the calls ``match`` selects with ``answer(call)``; returns the rule."""
        rule = Rule(answer, **match)
        with self._rules_lock:
            self.rules.append(rule)
        return rule

    def operator_policy(self, document, **match):
        """Enforce an operator's IAM policy (actions only) on the calls ``match`` selects."""
        policy = IdentityPolicy(document)

        def answer(call):
            why = policy.refuses(call)
            return access_denied(call, why) if why else None

        return self.add(answer, **match)

    def answer(self, call):
        with self._rules_lock:
            for rule in self.rules:
                if not rule.matches(call):
                    continue
                found = rule.answer(call)
                if found is None:
                    continue
                rule.answered += 1
                self.refused.append((call.service, call.action, call.account, call.region, found[0]))
                return found
        return super().answer(call)

    def refused_calls(self):
        """``service:Action`` -> how many times a rule answered it."""
        counts = {}
        for service, action, *_rest in self.refused:
            key = "{}:{}".format(service, action)
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))


def scp_policy_arn(management_account="999999999999"):
    return "arn:aws:organizations::{}:policy/o-a1b2c3d4e5/service_control_policy/p-flowlogs1".format(management_account)


def scp_deny(call):
    """AWS's answer to a call an SCP of the organisation denies explicitly."""
    return access_denied(call, "with an explicit deny in a service control policy: " + scp_policy_arn())


def form(call):
    """The parameters of a query-protocol request (EC2, IAM, STS), first value of each."""
    return {k: v[0] for k, v in parse_qs(call.body.decode("utf-8", "replace")).items()}


def without_boundary(call):
    """An SCP that requires a permissions boundary on new roles: CreateRole without one is denied."""
    return scp_deny(call) if not form(call).get("PermissionsBoundary") else None
