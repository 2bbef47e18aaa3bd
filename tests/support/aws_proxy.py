"""A reverse proxy on 127.0.0.1 in front of moto server that counts AWS API calls by service and action.

Tests point boto3 (``endpoint_url``) at the proxy and read the counts afterwards, either in-process
(``proxy.counts()``) or over HTTP (``GET /__proxy__/counts``, ``POST /__proxy__/reset``).

Each call is described as a ``ProxiedCall`` (service, action, region, account, protocol); ``answer(call)`` may
answer it instead of moto (``refusals`` by service and action; subclasses decide by account and region too, see
guardrail_proxy.py). The account of a call is learned from the AssumeRole answers the proxy forwards.
"""

from __future__ import annotations

import functools
import http.client
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
CREDENTIAL = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
ASSUMED_KEY = re.compile(rb"<AccessKeyId>([^<]+)</AccessKeyId>")
#: moto's account for credentials it did not issue through AssumeRole.
DEFAULT_ACCOUNT = "123456789012"
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


#: S3's REST calls on a bucket's subresources, by HTTP method and subresource (the first query parameter).
S3_SUBRESOURCE_CALLS = {
    ("GET", "policy"): "GetBucketPolicy",
    ("PUT", "policy"): "PutBucketPolicy",
    ("DELETE", "policy"): "DeleteBucketPolicy",
    ("GET", "ownershipControls"): "GetBucketOwnershipControls",
    ("PUT", "ownershipControls"): "PutBucketOwnershipControls",
    ("DELETE", "ownershipControls"): "DeleteBucketOwnershipControls",
    ("GET", "list-type"): "ListObjectsV2",
}


def describe_call(headers, body, method=None, path=None):
    """(service, action) of an AWS API request, whatever its protocol (S3's REST calls: those of
    S3_SUBRESOURCE_CALLS, given the method and path)."""
    scope = CREDENTIAL_SCOPE.search(headers.get("Authorization", ""))
    service = scope.group(1) if scope else "unknown"
    target = headers.get("X-Amz-Target")
    if target:
        return service, target.rsplit(".", 1)[-1]
    action = parse_qs(body.decode("utf-8", "replace")).get("Action", [None])[0]
    if action is None and service == "s3" and method and path:
        query = urlsplit(path).query
        subresource = query.split("&", 1)[0].split("=", 1)[0]
        action = S3_SUBRESOURCE_CALLS.get((method, subresource))
    elif action is None and method and path:
        action = rest_operation(service, method, urlsplit(path).path)
    return service, action or "unknown"


@functools.lru_cache(maxsize=None)
def _rest_routes(service):
    """(method, path regex, operation) of a rest-json service's operations, from botocore's model; [] otherwise."""
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # pylint: disable=broad-except  # not a botocore service name
        return []
    if model.protocol != "rest-json":
        return []
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        template = http["requestUri"].split("?", 1)[0]
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template.rstrip("/") or "/"))
        routes.append((http["method"], re.compile("^{}/?$".format(pattern)), name))
    return routes


def rest_operation(service, method, path):
    """The operation a rest-json request is (Athena's in botocore > 1.44.13), or None."""
    for route_method, pattern, name in _rest_routes(service):
        if route_method == method and pattern.match(path):
            return name
    return None


@dataclass
class ProxiedCall:
    """One AWS API request as the proxy saw it."""

    service: str
    action: str
    region: str
    account: str
    protocol: str  # json (X-Amz-Target or rest-json), query (form Action), rest (S3 and the like)
    headers: object
    body: bytes


def request_protocol(headers, body):
    if headers.get("X-Amz-Target") or "json" in (headers.get("Content-Type") or ""):
        return "json"
    if parse_qs(body.decode("utf-8", "replace")).get("Action"):
        return "query"
    return "rest"


class CountingProxy:
    """``tls``: an ssl.SSLContext (server side) to serve HTTPS instead of HTTP."""

    def __init__(self, upstream, tls=None):
        self.upstream = urlsplit(upstream)
        self._counts = Counter()
        #: (account, region, service, action) -> calls: what each target made.
        self._target_counts = Counter()
        #: The User-Agent header of every AWS API call.
        self.user_agents = []
        #: (service, action, body) of every AWS API call, in order.
        self.requests = []
        #: (service, action) -> (HTTP status, content type, body) answered instead of forwarding the call.
        self.refusals = {}
        #: access key id -> account, learned from the AssumeRole answers forwarded.
        self.accounts = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        scheme = "http"
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = "{}://127.0.0.1:{}".format(scheme, self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def counts(self):
        with self._lock:
            return {"{}:{}".format(s, a): n for (s, a), n in sorted(self._counts.items())}

    def counts_of(self, account, region):
        """``service:Action`` -> calls made in ``account`` and ``region`` (the account learned from AssumeRole)."""
        with self._lock:
            return {
                "{}:{}".format(s, a): n
                for (acct, reg, s, a), n in sorted(self._target_counts.items())
                if (acct, reg) == (account, region)
            }

    def reset(self):
        with self._lock:
            self._counts.clear()
            self._target_counts.clear()

    def _record(self, service, action, account=None, region=None):
        with self._lock:
            self._counts[(service, action)] += 1
            self._target_counts[(account, region, service, action)] += 1

    def _answered(self, service, action):
        """Called once AWS answered a call and before the client gets the answer (tests hold it here)."""

    def describe(self, headers, body, method, path):
        """The ProxiedCall of a request (its account from the access key that signed it)."""
        service, action = describe_call(headers, body, method, path)
        found = CREDENTIAL.search(headers.get("Authorization", ""))
        key, region = (found.group(1), found.group(2)) if found else (None, None)
        with self._lock:
            account = self.accounts.get(key, DEFAULT_ACCOUNT)
        return ProxiedCall(service, action, region, account, request_protocol(headers, body), headers, body)

    def answer(self, call):
        """(status, [(header, value)], body) to answer ``call`` with instead of moto, or None to forward it."""
        refusal = self.refusals.get((call.service, call.action))
        if refusal is None:
            return None
        status, content_type, payload = refusal
        return status, [("Content-Type", content_type)], payload

    def learn(self, call, status, payload):
        """Remember the account of the credentials an AssumeRole answer hands out."""
        if (call.service, call.action) != ("sts", "AssumeRole") or status != 200:
            return
        role = parse_qs(call.body.decode("utf-8", "replace")).get("RoleArn", [""])[0]
        key = ASSUMED_KEY.search(payload)
        if key and role.count(":") >= 5:
            with self._lock:
                self.accounts[key.group(1).decode()] = role.split(":")[4]

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The headers and the body go out in two writes: with Nagle's algorithm the second waits for the
            # client's delayed ACK (~40 ms a call), which would add to every call what AWS does not.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _control(self):
                if self.path.startswith("/__proxy__/reset"):
                    proxy.reset()
                    payload = b"{}"
                else:
                    payload = json.dumps(proxy.counts()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _forward(self):
                if self.path.startswith("/__proxy__/"):
                    return self._control()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                call = (
                    None
                    if self.path.startswith("/moto-api")
                    else proxy.describe(self.headers, body, self.command, self.path)
                )
                if call:
                    proxy._record(call.service, call.action, call.account, call.region)
                    proxy.user_agents.append(self.headers.get("User-Agent", ""))
                    proxy.requests.append((call.service, call.action, body.decode("utf-8", "replace")))
                    refusal = proxy.answer(call)
                    if refusal:
                        return self._send(*refusal)
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                payload = answer.read()
                conn.close()
                if call:
                    proxy.learn(call, answer.status, payload)
                    proxy._answered(call.service, call.action)
                self._send(answer.status, answer.getheaders(), payload)

            def _send(self, status, headers, payload):
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in HOP_HEADERS and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        return Handler
