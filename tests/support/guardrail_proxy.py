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
import http.client
import itertools
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, parse_qsl, urlencode

from tests.support.aws_errors import (
    ROLE_NOT_ASSUMABLE,
    access_denied,
    create_flow_logs_answer,
    expired_credentials,
    iam_action,
    role_not_assumable,
)
from tests.support.aws_proxy import CREDENTIAL, HOP_HEADERS, CountingProxy

FLOW_LOG_ID = re.compile(r"<item>(fl-[0-9a-f]+)</item>")


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


# ---------------------------------------------------------------- for tests/integration/test_guardrails.py


class CallLog:
    """Every call a ``watch`` rule saw, as (service, action, account, region): the calls of one account or region,
    which ``counts()`` (by service and action only) cannot tell apart."""

    def __init__(self):
        self.calls = []

    def answer(self, call):
        self.calls.append((call.service, call.action, call.account, call.region))

    def count(self, service=None, action=None, account=None, region=None):
        wanted = (service, action, account, region)
        return sum(1 for seen in self.calls if all(w is None or w == s for w, s in zip(wanted, seen)))

    def clear(self):
        del self.calls[:]


def watch(proxy, **match):
    """A CallLog of the calls ``match`` selects, answered or not: its rule goes first and answers none."""
    log = CallLog()
    rule = Rule(log.answer, **match)
    with proxy._rules_lock:
        proxy.rules.insert(0, rule)
    return log


def access_key(call):
    found = CREDENTIAL.search(call.headers.get("Authorization", ""))
    return found.group(1) if found else None


def forward(proxy, call, body):
    """moto's answer to ``call`` (a query-protocol request: EC2, IAM, STS) sent with ``body`` instead of its own."""
    conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=120)
    headers = {k: v for k, v in call.headers.items() if k.lower() not in HOP_HEADERS and k.lower() != "content-length"}
    headers["Content-Length"] = str(len(body))
    conn.request("POST", "/", body=body, headers=headers)
    answer = conn.getresponse()
    found = answer.status, answer.getheaders(), answer.read()
    conn.close()
    return found


def partly_unsuccessful(proxy, refuse):
    """An answer to CreateFlowLogs that refuses the resources of ``refuse`` (resource id -> (code, message)) as
    ``Unsuccessful`` items of an HTTP 200 answer, as AWS refuses one resource of a call; moto creates the others."""

    def answer(call):
        pairs = parse_qsl(call.body.decode("utf-8"))
        rids = [v for k, v in pairs if k.startswith("ResourceId.")]
        refused = [(rid, *refuse[rid]) for rid in rids if rid in refuse]
        if not refused:
            return None
        kept = [r for r in rids if r not in refuse]
        ids = []
        if kept:
            rest = [(k, v) for k, v in pairs if not k.startswith("ResourceId.")]
            rest += [("ResourceId.{}".format(i), rid) for i, rid in enumerate(kept, 1)]
            status, headers, payload = forward(proxy, call, urlencode(rest).encode())
            if status != 200:
                return status, headers, payload
            ids = FLOW_LOG_ID.findall(payload.decode("utf-8"))
        return create_flow_logs_answer(ids, refused)

    return answer


def role_not_ready(role_arn, shapes=("call", "items")):
    """An answer to CreateFlowLogs while VPC Flow Logs cannot assume ``role_arn`` (IAM propagation), in AWS's two
    shapes taken in turn: ``call`` (InvalidParameter for the whole call) and ``items`` (HTTP 200, each resource an
    ``Unsuccessful`` item with that message)."""
    turn = itertools.cycle(shapes)

    def answer(call):
        if next(turn) == "call":
            return role_not_assumable(call, role_arn)
        rids = [v for k, v in parse_qsl(call.body.decode("utf-8")) if k.startswith("ResourceId.")]
        message = ROLE_NOT_ASSUMABLE.format(role=role_arn)
        return create_flow_logs_answer([], [(rid, "InvalidParameter", message) for rid in rids])

    return answer


class SessionExpiry:
    """The assumed-role sessions of an account expire right after its first ``action`` call got through: every later
    call signed with a session issued before then is answered with AWS's expired-token answer; a new AssumeRole gives
    a session that works (``proxy.add(expiry.answer, account=..., region=...)``)."""

    def __init__(self, proxy, account, action="CreateFlowLogs"):
        self.proxy, self.account, self.action = proxy, account, action
        self.expired = None  # the access keys of the account when its sessions expired

    def answer(self, call):
        if self.expired is None:
            if call.action == self.action:
                with self.proxy._lock:
                    self.expired = {k for k, a in self.proxy.accounts.items() if a == self.account}
            return None
        return expired_credentials(call) if access_key(call) in self.expired else None
