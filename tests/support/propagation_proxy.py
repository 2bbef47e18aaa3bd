"""moto behind AWS's IAM propagation: a new delivery role cannot be passed to CreateFlowLogs for a while.

On AWS, a role IAM just created is not usable everywhere at once: for some seconds (5-10 in practice) EC2 refuses a
CreateFlowLogs that passes it with "Unable to assume given IAM role" - for the whole call (HTTP 400
``InvalidParameter``) or for each resource (HTTP 200, ``Unsuccessful`` items), the two shapes taken in turn here.
moto has no such delay. This proxy (a LatencyProxy: every call may also wait ``latency_ms``) remembers when each
CreateRole it forwarded was answered, and refuses a CreateFlowLogs whose ``DeliverLogsPermissionArn`` is younger than
``seconds``. A role it never saw created (made before the proxy started, or not at all) counts as old
(``unknown_roles="pass"``) or as missing (``"refuse"``: a fleet that starts without any delivery role, where a
CreateFlowLogs naming a role nobody created yet must be refused as AWS refuses it).

``refused`` counts the CreateFlowLogs calls refused, by role ARN.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter

from tests.support.guardrail_proxy import form, role_not_ready
from tests.support.latency_proxy import LatencyProxy

ROLE_ARN = re.compile(rb"<Arn>([^<]+)</Arn>")


class PropagationProxy(LatencyProxy):
    def __init__(self, upstream, latency_ms=0.0, seconds=0.0, unknown_roles="pass"):
        super().__init__(upstream, latency_ms)
        self.seconds = float(seconds)
        self.unknown_roles = unknown_roles
        #: role ARN -> time.monotonic() when its CreateRole was answered
        self.born = {}
        self.refused = Counter()
        self._answers = {}
        self._born_lock = threading.Lock()

    def _young(self, arn):
        with self._born_lock:
            born = self.born.get(arn)
        if born is None:
            return self.unknown_roles == "refuse"
        return time.monotonic() - born < self.seconds

    def answer(self, call):
        if self.seconds and (call.service, call.action) == ("ec2", "CreateFlowLogs"):
            arn = form(call).get("DeliverLogsPermissionArn")
            if arn and self._young(arn):
                with self._born_lock:
                    self.refused[arn] += 1
                    refuse = self._answers.setdefault(arn, role_not_ready(arn))
                if self.latency_s:
                    time.sleep(self.latency_s)  # a refusal takes as long to come back as an answer
                return refuse(call)
        return super().answer(call)

    def learn(self, call, status, payload):
        super().learn(call, status, payload)
        if (call.service, call.action) == ("iam", "CreateRole") and status == 200:
            found = ROLE_ARN.search(payload)
            if found:
                with self._born_lock:
                    self.born.setdefault(found.group(1).decode(), time.monotonic())
