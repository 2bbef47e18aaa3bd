"""Where things are: the repo, and a collections tree in which ``flowlogs.aws`` is this checkout."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".cache" / "collections"
COLLECTION_LINK = COLLECTIONS / "ansible_collections" / "flowlogs" / "aws"


def ensure_collection_link():
    """Make ``ansible_collections.flowlogs.aws`` resolve to this checkout (idempotent)."""
    COLLECTION_LINK.parent.mkdir(parents=True, exist_ok=True)
    if not COLLECTION_LINK.is_symlink():
        os.symlink(os.path.relpath(REPO, COLLECTION_LINK.parent), COLLECTION_LINK)
    return COLLECTIONS
