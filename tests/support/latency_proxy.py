"""A CountingProxy that makes moto answer like a far-away AWS: every AWS call waits ``latency_ms`` more.

moto answers on loopback in a few milliseconds; real AWS takes tens (an API call from a controller in one
region to an endpoint in another). The delay is added after moto answered and before the client gets the
answer, in the proxy's thread for that connection, so concurrent calls wait concurrently, as with AWS.
Calls are still counted by service and action (``counts()``); moto's own ``/moto-api`` is not delayed.

The listen backlog is raised from socketserver's 5 to 512: a burst of clients (64 threads, 20 forks)
connecting at once must not meet TCP SYN retries, which would add whole seconds no AWS call has.
"""

from __future__ import annotations

import time

from tests.support.aws_proxy import CountingProxy

BACKLOG = 512


class LatencyProxy(CountingProxy):
    def __init__(self, upstream, latency_ms=0.0):
        super().__init__(upstream)
        self.latency_s = max(0.0, float(latency_ms)) / 1000.0
        self.server.socket.listen(BACKLOG)  # a second listen() only changes the backlog

    def _answered(self, service, action):
        if self.latency_s:
            time.sleep(self.latency_s)
