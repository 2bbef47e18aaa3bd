# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tag differences, as every module computes them (pure)."""

from __future__ import annotations


def normalize_tags(tags):
    """Tags as AWS stores them: string keys and values (YAML may give numbers). None stays None."""
    if tags is None:
        return None
    return {str(k): str(v) for k, v in tags.items()}


def tag_changes(current, desired, purge):
    """Return (tags to set, keys to remove) turning ``current`` into ``desired``.

    ``desired`` None means "leave tags alone". Keys starting with ``aws:`` belong to AWS and are
    never removed.
    """
    current = current or {}
    if desired is None:
        return {}, []
    desired = normalize_tags(desired)
    to_set = {k: v for k, v in desired.items() if current.get(k) != v}
    to_remove = []
    if purge:
        to_remove = sorted(k for k in current if k not in desired and not k.startswith("aws:"))
    return to_set, to_remove


def apply_tag_changes(current, to_set, to_remove):
    """The tags after the changes (used to predict the end state in check mode)."""
    after = {k: v for k, v in (current or {}).items() if k not in set(to_remove)}
    after.update(to_set)
    return after
