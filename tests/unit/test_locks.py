"""The locks (pip constraints written by tools/lock.sh) pin every requirement at a version the requirement allows,
and what users copy pins what the tests passed with."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.paths import REPO

#: requirements file -> its lock (tools/venv.sh installs the one with the other).
LOCKED = {
    "tests/requirements.txt": "tests/constraints.txt",
    "benchmarks/requirements.txt": "tests/constraints.txt",
    "docs/requirements.txt": "docs/constraints.txt",
    "tests/galaxy-requirements.txt": "tests/galaxy-constraints.txt",
}


def requirements(path):
    """The Requirements of a requirements file, following ``-r`` includes."""
    found = []
    for line in (REPO / path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += requirements(str((REPO / path).parent.joinpath(line[3:].strip()).resolve().relative_to(REPO)))
        elif line:
            found.append(Requirement(line))
    return found


def lock(path):
    pins = {}
    for line in (REPO / path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _sep, version = line.partition("==")
            assert version and " " not in version, "{}: not a pin: {!r}".format(path, line)
            pins[canonicalize_name(name)] = version
    return pins


@pytest.mark.parametrize("requirements_file", sorted(LOCKED))
def test_every_requirement_is_locked_at_a_version_it_allows(requirements_file):
    pins = lock(LOCKED[requirements_file])

    for requirement in requirements(requirements_file):
        name = canonicalize_name(requirement.name)
        assert name in pins, "{} is not in {}: run make lock".format(requirement.name, LOCKED[requirements_file])
        assert requirement.specifier.contains(pins[name], prereleases=True), "{} pins {}=={}, outside {}".format(
            LOCKED[requirements_file], name, pins[name], requirement
        )


def test_the_copyable_molecule_scenario_pins_what_the_tests_passed_with():
    pins = lock("tests/constraints.txt")
    scenario = requirements("extensions/molecule/fleet_example/requirements.txt")

    assert {canonicalize_name(r.name) for r in scenario} >= {"molecule", "moto", "boto3", "botocore", "ansible-core"}
    for requirement in scenario:
        assert str(requirement.specifier) == "=={}".format(pins[canonicalize_name(requirement.name)]), requirement


def test_users_are_not_pinned():
    for requirement in requirements("requirements.txt") + requirements("meta/ee-requirements.txt"):
        assert all(spec.operator == ">=" for spec in requirement.specifier), requirement
