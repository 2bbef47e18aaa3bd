# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One target's assumed-role session, kept between the role's tasks of one run. Private: may change in any release.

Each of the role's tasks runs in a new worker process; without this each would call sts:AssumeRole again for the
same target (one call per task per target, 50 ms or more each on AWS). The session is kept in the run's own
temporary directory on the controller (made per run, readable by its user only, removed at the end of the run), in
a file only its owner can read, and used only by the same target, for the same request, while it has more than
five minutes left; never printed.
"""

from __future__ import annotations

import datetime

#: A kept session with less than this left is not used: the task asks STS for a new one.
MARGIN = datetime.timedelta(minutes=5)


def _expiry(value):
    """An Expiration as botocore parses it (datetime) or as kept (ISO 8601 text), as an aware datetime; or None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


class SessionStore:
    """``load(request, sts_region)`` / ``save(...)`` of one target's assumed-role session, over the run's cache
    (``store``: an object with ``load(key)`` and ``save(key, value)``, see plugin_utils/_run_cache)."""

    def __init__(self, store, target, now=None):
        self.store, self.target = store, target
        self.now = now or (lambda: datetime.datetime.now(datetime.timezone.utc))

    def _key(self, request, sts_region):
        return ["assumed-session", self.target, sorted(request.items()), sts_region]

    def load(self, request, sts_region):
        """The kept session (identity and credentials) for this request, or None when there is none or it is about
        to expire."""
        kept = self.store.load(self._key(request, sts_region))
        if not kept:
            return None
        expiry = _expiry(kept.get("expiration"))
        if expiry is None or expiry - self.now() < MARGIN:
            return None
        return kept

    def save(self, request, sts_region, identity, credentials, expiration):
        if expiration is None:
            return
        kept = dict(identity=identity, credentials=credentials, expiration=_expiry(expiration).isoformat())
        self.store.save(self._key(request, sts_region), kept)
