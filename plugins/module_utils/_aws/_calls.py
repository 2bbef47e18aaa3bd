# -*- coding: utf-8 -*-
# Copyright: contributors to the flowlogs.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One AWS call, one paginated read, and their declarative error policy. Private: may change in any release."""

from __future__ import annotations

import json

from ansible_collections.flowlogs.aws.plugins.module_utils._core.connection import (
    AWS_ERRORS,
    error_code,
    to_aws_error,
)


def chunks(items, size):
    items = list(items)
    return [items[i : i + size] for i in range(0, len(items), size)]


def call(client, method, operation, resource=None, missing=None, gone=None, default=None, **kwargs):
    """One AWS call; ``kwargs`` are its parameters.

    ``missing``: the error code meaning "does not exist", which a read answers with ``default``.
    ``gone``: the error code meaning "already deleted", which a delete counts as done - botocore retries a delete
    whose answer was lost, and the retry then finds nothing to delete.
    """
    try:
        return getattr(client, method)(**kwargs)
    except AWS_ERRORS as exc:
        if error_code(exc) in (missing, gone):
            return default
        raise to_aws_error(exc, operation, resource) from exc


def paginate(client, method, key, operation, resource=None, missing=None, **kwargs):
    """Every item under ``key`` of every page; [] when ``missing`` is the error code (the parent is absent)."""
    try:
        found = []
        for page in client.get_paginator(method).paginate(**kwargs):
            found.extend(page.get(key, []))
        return found
    except AWS_ERRORS as exc:
        if missing is not None and error_code(exc) == missing:
            return []
        raise to_aws_error(exc, operation, resource) from exc


def tag_dict(tags):
    return {t["Key"]: t["Value"] for t in tags or []}


def tag_list(tags):
    return [{"Key": str(k), "Value": str(v)} for k, v in sorted((tags or {}).items())]


def iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def policy_text(policy):
    """A policy document as S3 and KMS take it: compact JSON, non-ASCII escaped (KMS accepts Latin-1 only)."""
    return json.dumps(policy, separators=(",", ":"))
