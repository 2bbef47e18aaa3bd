"""A fault-injecting reverse proxy on 127.0.0.1 in front of moto server: AWS on a bad day.

A share of the AWS API requests is answered the way a struggling AWS endpoint answers, the rest is
forwarded untouched (a forwarded answer is never altered). Fault kinds:

- ``throttle``: the service's own throttling error in its wire format - EC2 ``RequestLimitExceeded``
  (HTTP 503, ``<Response><Errors><Error>``), IAM/STS ``Throttling`` (400, ``<ErrorResponse>``),
  CloudWatch Logs ``ThrottlingException`` (400, JSON ``__type`` and ``x-amzn-ErrorType``);
- ``http500`` / ``http503``: a bare 500 or 503 with an HTML body, as a load balancer sends;
- ``drop``: the connection is closed without an answer and the request is NOT forwarded (AWS never
  saw it);
- ``lost_answer``: the request IS forwarded (AWS did it), then the connection is closed without an
  answer - the case where a retry must not do the work twice.

Decisions come from ``random.Random(seed)``, one draw per request in arrival order, so a run with the
same seed and the same request order injects the same faults. ``max_faults_per_call`` caps the faults
on one API call (botocore's ``amz-sdk-request: attempt=N`` header), so with fewer than the client's
max attempts every call eventually gets through: the tests check recovery, not luck.

``gather(service, action, parties)`` holds the first ``parties`` matching requests until all have
arrived, then lets them through at once: two runs started together really collide on the same create.

``hold(service, action)`` freezes the proxy at the first matching request (optionally after forwarding
it): that request and every later one wait, unanswered, until ``release()``, then their connections
are closed. A test kills the client while the proxy holds it, at a precise point of a run.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import sys
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tests.support.aws_proxy import HOP_HEADERS, CountingProxy, describe_call

FAULT_KINDS = ("throttle", "http500", "http503", "drop", "lost_answer")
ATTEMPT = re.compile(r"attempt=(\d+)")
HOLD_TIMEOUT = 600
QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}
HTML_ERRORS = {
    500: b"<html><body><b>Http/1.1 Internal Server Error</b></body></html>",
    503: b"<html><body><b>Http/1.1 Service Unavailable</b></body></html>",
}


def _attempt(headers):
    """Which attempt of an API call this request is (botocore's ``amz-sdk-request`` header)."""
    found = ATTEMPT.search(headers.get("amz-sdk-request", ""))
    return int(found.group(1)) if found else 1


def throttling_error(service, json_protocol, request_id):
    """(status, headers, body) of the throttling error ``service`` answers with, in its wire format."""
    if json_protocol:
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "x-amzn-RequestId": request_id,
            "x-amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/",
        }
        return 400, headers, body
    if service == "ec2":
        body = (
            "<?xml version='1.0' encoding='UTF-8'?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
            "<Message>Request limit exceeded.</Message></Error></Errors><RequestID>{}</RequestID></Response>"
        ).format(request_id)
        return 503, {"Content-Type": "text/xml;charset=UTF-8"}, body.encode()
    namespace = QUERY_NAMESPACES.get(service, "https://{}.amazonaws.com/doc/".format(service))
    body = (
        '<ErrorResponse xmlns="{}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded'
        "</Message></Error><RequestId>{}</RequestId></ErrorResponse>"
    ).format(namespace, request_id)
    return 400, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body.encode()


class FaultProxy(CountingProxy):
    """``CountingProxy`` (``url``, ``start()``, ``stop()``, ``counts()`` of every request received) that
    injects faults into ``rate`` of the requests; ``faults()`` and ``forwarded`` say what it did."""

    def __init__(self, upstream, rate=0.0, kinds=FAULT_KINDS, seed=0, max_faults_per_call=3):
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError("unknown fault kinds: {}".format(", ".join(sorted(unknown))))
        self.rate = rate
        self.kinds = tuple(kinds)
        self.max_faults_per_call = max_faults_per_call
        self.forwarded = 0
        #: One entry per API request: service, action, invocation (botocore's id of the API call, the
        #: same on its retries), attempt, fault (kind or None), client_token (idempotency token).
        self.log = []
        self.held = threading.Event()
        self._random = random.Random(seed)
        self._faults = Counter()
        self._hold = None
        self._released = threading.Event()
        self._frozen = False
        self._gathers = {}
        super().__init__(upstream)
        self.server.handle_error = self._handle_error

    def _handle_error(self, request, client_address):
        """Clients killed in the middle of a request are expected here; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            ThreadingHTTPServer.handle_error(self.server, request, client_address)

    def stop(self):
        self.release()
        super().stop()

    def faults(self):
        """Faults injected so far, by kind (every kind listed, zeros included)."""
        with self._lock:
            return {kind: self._faults[kind] for kind in FAULT_KINDS}

    def faults_by_call(self):
        with self._lock:
            found = Counter("{}:{}".format(e["service"], e["action"]) for e in self.log if e["fault"])
        return dict(sorted(found.items()))

    def gather(self, service, action, parties, timeout=30):
        """Hold the first ``parties`` ``service:action`` requests until all of them have arrived (or
        ``timeout`` seconds passed), then let them through together."""
        with self._lock:
            self._gathers[(service, action)] = dict(
                parties=parties, arrived=0, timeout=timeout, all_in=threading.Event()
            )

    def gathered(self):
        """``service:action`` -> how many requests each gather held (== parties once complete)."""
        with self._lock:
            return {"{}:{}".format(*key): g["arrived"] for key, g in sorted(self._gathers.items())}

    def _wait_for_party(self, service, action):
        with self._lock:
            party = self._gathers.get((service, action))
            if not party or party["arrived"] >= party["parties"]:
                return
            party["arrived"] += 1
            if party["arrived"] == party["parties"]:
                party["all_in"].set()
        party["all_in"].wait(party["timeout"])

    def hold(self, service, action, forward=True):
        """Freeze at the first ``service:action`` request (forwarded first when ``forward``): it and
        every later request wait unanswered until ``release()``. ``held`` is set once frozen."""
        with self._lock:
            self._hold = (service, action, forward)
            self._frozen = False
        self._released.clear()
        self.held.clear()
        return self.held

    def release(self):
        """Close every held connection without an answer; later requests are served again."""
        with self._lock:
            self._hold = None
            self._frozen = False
        self._released.set()

    def _decide(self, service, action, attempt):
        """The fault for this request, or None. Both draws happen every time: same seed, same sequence."""
        with self._lock:
            roll, kind = self._random.random(), self._random.choice(self.kinds)
        if service == "unknown" or attempt > self.max_faults_per_call or roll >= self.rate:
            return None
        return kind

    def _note(self, service, action, headers, fault, body):
        entry = dict(
            service=service,
            action=action,
            invocation=headers.get("amz-sdk-invocation-id"),
            attempt=_attempt(headers),
            fault=fault,
            client_token=parse_qs(body.decode("utf-8", "replace")).get("ClientToken", [None])[0],
        )
        with self._lock:
            self.log.append(entry)
            if fault:
                self._faults[fault] += 1

    def _upstream(self, method, path, headers, body):
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=120)
        try:
            conn.request(
                method, path, body=body, headers={k: v for k, v in headers.items() if k.lower() not in HOP_HEADERS}
            )
            answer = conn.getresponse()
            payload = answer.read()
        finally:
            conn.close()
        with self._lock:
            self.forwarded += 1
        return answer.status, answer.getheaders(), payload

    def _freeze(self, service, action):
        """None, "frozen" (this request waits for release()), or "forward" / "keep" when this request
        freezes the proxy (and is forwarded first, or not)."""
        with self._lock:
            if self._frozen:
                return "frozen"
            if self._hold and (service, action) == self._hold[:2]:
                self._frozen = True
                return "forward" if self._hold[2] else "keep"
        return None

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status, headers, payload):
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in HOP_HEADERS and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _hang_up(self):
                self.close_connection = True

            def _serve(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/moto-api"):
                    return self._answer(*proxy._upstream(self.command, self.path, self.headers, body))
                service, action = describe_call(self.headers, body)
                proxy._record(service, action)
                freeze = proxy._freeze(service, action)
                if freeze:
                    return self._wait_for_release(freeze, body)
                proxy._wait_for_party(service, action)
                fault = proxy._decide(service, action, _attempt(self.headers))
                proxy._note(service, action, self.headers, fault, body)
                if fault in ("drop", "lost_answer"):
                    if fault == "lost_answer":
                        proxy._upstream(self.command, self.path, self.headers, body)
                    return self._hang_up()
                if fault == "throttle":
                    status, headers, payload = throttling_error(
                        service, bool(self.headers.get("X-Amz-Target")), str(uuid.uuid4())
                    )
                    return self._answer(status, headers.items(), payload)
                if fault:
                    status = int(fault[-3:])
                    return self._answer(status, [("Content-Type", "text/html")], HTML_ERRORS[status])
                return self._answer(*proxy._upstream(self.command, self.path, self.headers, body))

            def _wait_for_release(self, freeze, body):
                if freeze == "forward":
                    proxy._upstream(self.command, self.path, self.headers, body)
                if freeze != "frozen":
                    proxy.held.set()
                proxy._released.wait(HOLD_TIMEOUT)
                self._hang_up()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

        return Handler


if __name__ == "__main__":
    import argparse
    import time

    parser = argparse.ArgumentParser(description="fault-injecting proxy in front of moto server")
    parser.add_argument("upstream")
    parser.add_argument("--rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    running = FaultProxy(args.upstream, rate=args.rate, seed=args.seed).start()
    print(running.url, flush=True)
    try:
        while True:
            time.sleep(5)
            print(json.dumps(running.faults()), "forwarded", running.forwarded, flush=True)
    except KeyboardInterrupt:
        running.stop()
