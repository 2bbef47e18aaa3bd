"""Make ``ansible_collections.flowlogs.aws`` importable from this checkout for every test."""

from __future__ import annotations

import sys

from tests.support.paths import ensure_collection_link

sys.path.insert(0, str(ensure_collection_link()))
