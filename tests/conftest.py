"""Make ``ansible_collections.flowlogs.aws`` importable from this checkout for every test."""

from __future__ import annotations

import sys

from tests.support.paths import ensure_collection_link

sys.path.insert(0, str(ensure_collection_link()))


def pytest_addoption(parser):
    parser.addoption(
        "--contract",
        action="store_true",
        default=False,
        help="check every AWS call of the integration tests against the AWS contract (FLOWLOGS_CONTRACT=1)",
    )
