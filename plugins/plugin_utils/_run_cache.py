# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Work done once per run and shared by the targets of that run, and what a target's task hands to its next task.
Private: may change in any release.

Ansible runs each target in a worker process it forks from ansible-playbook; the region targets of one account
all need the same delivery role (IAM is global). The first worker to ask converges it, under a file lock in the
run's own temporary directory (Ansible's local temp directory, made per run and removed at its end); the others
wait for the lock and read its result. Safe when two region targets of one account run at the same moment, and
in check mode (the prediction is shared too).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: every target does its own work
    fcntl = None


class RunCache:
    """``once(key, compute)``: ``compute()``'s JSON-able result, computed by the first caller of the run."""

    def __init__(self, directory):
        self.directory = directory

    def _path(self, key):
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()[:32]
        return os.path.join(self.directory, "flowlogs-aws-" + digest)

    def once(self, key, compute):
        """(result, first): the cached result of ``compute`` for ``key``, and whether this call computed it.

        An exception of ``compute`` is not cached: the next caller computes again."""
        if fcntl is None or not self.directory:
            return compute(), True
        os.makedirs(self.directory, exist_ok=True)
        path = self._path(key)
        with open(path + ".lock", "a", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if os.path.exists(path):
                    with open(path, encoding="utf-8") as handle:
                        return json.load(handle), False
                result = compute()
                self.save(key, result)
                return result, True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def save(self, key, value):
        """Keep ``value`` (JSON-able) for ``key`` until the end of the run: what a target's task hands to its next,
        and its assumed-role session (the file is readable by its owner only, as every file of the run's cache)."""
        if not self.directory:
            return
        os.makedirs(self.directory, exist_ok=True)
        descriptor, written = tempfile.mkstemp(dir=self.directory, prefix="flowlogs-aws-", suffix=".tmp")
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(value, handle)
        os.replace(written, self._path(key))

    def load(self, key):
        """What ``save`` kept for ``key`` in this run, or None."""
        if not self.directory:
            return None
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None
