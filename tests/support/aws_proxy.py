"""A reverse proxy on 127.0.0.1 in front of moto server that counts AWS API calls by service and action.

Tests point boto3 (``endpoint_url``) at the proxy and read the counts afterwards, either in-process
(``proxy.counts()``) or over HTTP (``GET /__proxy__/counts``, ``POST /__proxy__/reset``).
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


#: S3's REST calls on a bucket's subresources, by HTTP method and subresource (the first query parameter).
S3_SUBRESOURCE_CALLS = {
    ("GET", "policy"): "GetBucketPolicy",
    ("PUT", "policy"): "PutBucketPolicy",
    ("DELETE", "policy"): "DeleteBucketPolicy",
    ("GET", "ownershipControls"): "GetBucketOwnershipControls",
    ("PUT", "ownershipControls"): "PutBucketOwnershipControls",
    ("DELETE", "ownershipControls"): "DeleteBucketOwnershipControls",
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
    return service, action or "unknown"


class CountingProxy:
    """``tls``: an ssl.SSLContext (server side) to serve HTTPS instead of HTTP."""

    def __init__(self, upstream, tls=None):
        self.upstream = urlsplit(upstream)
        self._counts = Counter()
        #: The User-Agent header of every AWS API call.
        self.user_agents = []
        #: (service, action, body) of every AWS API call, in order.
        self.requests = []
        #: (service, action) -> (HTTP status, content type, body) answered instead of forwarding the call.
        self.refusals = {}
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

    def reset(self):
        with self._lock:
            self._counts.clear()

    def _record(self, service, action):
        with self._lock:
            self._counts[(service, action)] += 1

    def _answered(self, service, action):
        """Called once AWS answered a call and before the client gets the answer (tests hold it here)."""

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

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
                    else describe_call(self.headers, body, self.command, self.path)
                )
                if call:
                    proxy._record(*call)
                    proxy.user_agents.append(self.headers.get("User-Agent", ""))
                    proxy.requests.append((*call, body.decode("utf-8", "replace")))
                    refusal = proxy.refusals.get(call)
                    if refusal:
                        status, content_type, payload = refusal
                        self.send_response(status)
                        self.send_header("Content-Type", content_type)
                        self.send_header("Content-Length", str(len(payload)))
                        self.end_headers()
                        self.wfile.write(payload)
                        return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                payload = answer.read()
                if call:
                    proxy._answered(*call)
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in HOP_HEADERS and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        return Handler
