"""Every integration target runs green through ansible-playbook against moto server.

Each target asserts its own results (changed / not changed, diffs, error messages) in YAML, the way
amazon.aws targets do; the Python tests around them check AWS state where it matters.
"""

from __future__ import annotations

import pytest

from tests.integration.conftest import TARGETS

ALL_TARGETS = sorted(p.name for p in TARGETS.iterdir() if (p / "tasks" / "main.yml").exists())


@pytest.mark.parametrize("target", ALL_TARGETS)
def test_target(run_target, target):
    result = run_target(target)
    assert result.rc == 0, str(result)
    assert "failed=0" in result.stdout, str(result)
