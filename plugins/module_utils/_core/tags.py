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


#: Services whose tags allow only letters, separators and digits of any script and ``_ . : / = + - @``
#: (the pattern ``^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`` of IAM's, CloudWatch Logs' and CloudWatch's TagKey and
#: TagValue); EC2 allows any character. https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
STRICT_TAG_SERVICES = ("iam", "logs", "cloudwatch")
TAG_PUNCTUATION = frozenset("_.:/=+-@")
MAX_TAGS = 50
#: Key and value lengths: 128 and 256 in IAM, Logs and CloudWatch; the EC2 API Reference says 127 and 255.
MAX_KEY = {"ec2": 127}
MAX_VALUE = {"ec2": 255}


def _allowed_characters(text):
    import unicodedata

    return all(c in TAG_PUNCTUATION or unicodedata.category(c)[0] in "LZN" for c in text)


def tag_problem(tags, service):
    """What ``service`` would refuse in ``tags`` (checked before any call: moto accepts anything), or None."""
    tags = normalize_tags(tags) or {}
    if len(tags) > MAX_TAGS:
        return "{} tags; AWS allows at most {} per resource".format(len(tags), MAX_TAGS)
    for key, value in sorted(tags.items()):
        if not key:
            return "an empty tag key is not allowed"
        if key.lower().startswith("aws:"):
            return "tag keys starting with aws: are reserved for AWS ({})".format(key)
        if len(key) > MAX_KEY.get(service, 128):
            return "tag key {}... is longer than {} characters".format(key[:20], MAX_KEY.get(service, 128))
        if len(value) > MAX_VALUE.get(service, 256):
            return "value of tag {} is longer than {} characters".format(key, MAX_VALUE.get(service, 256))
        problem = _character_problem(key, value, service)
        if problem:
            return problem
    return None


def _character_problem(key, value, service):
    """What ``service`` would refuse in the characters of one tag, or None (EC2 allows any character)."""
    if service not in STRICT_TAG_SERVICES:
        return None
    allowed = "(letters, digits, spaces, _ . : / = + - @)"
    if not _allowed_characters(key):
        return "tag key {!r} has characters {} does not allow {}".format(key, service, allowed)
    if not _allowed_characters(value):
        return "value {!r} of tag {} has characters {} does not allow {}".format(value, key, service, allowed)
    return None
