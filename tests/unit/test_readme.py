"""What the README tells a new user to type installs what the collection needs and uses variables the role has."""

from __future__ import annotations

import re
import shlex

import yaml
from packaging.requirements import Requirement

from tests.support.paths import REPO
from tests.unit.test_locks import requirements

README = REPO / "README.md"


def section(title):
    """The text of the README's ``## title`` section, up to the next section of the same level."""
    text = README.read_text()
    start = text.index("\n## {}\n".format(title))
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_the_install_command_needs_no_checkout_and_installs_what_requirements_txt_says():
    [block] = re.findall(r"```bash\n(.*?)```", section("Install"), re.S)
    [line] = [line for line in block.splitlines() if "pip install" in line]
    command = shlex.split(line.split("#", 1)[0])

    assert command[:4] == ["python3", "-m", "pip", "install"] and "-r" not in command
    installed = {Requirement(arg).name: Requirement(arg).specifier for arg in command[4:]}
    assert installed == {r.name: r.specifier for r in requirements("requirements.txt")}


def test_the_fleet_example_uses_role_variables_and_shows_the_endpoint_url():
    fleet = section("Fleet: one host per account x region")
    example = re.findall(r"```yaml\n(.*?)```", fleet, re.S)[0]
    # The commented variables too: a user uncomments them as they are.
    inventory = yaml.safe_load(re.sub(r"^(\s*)# (flow_logs_\w+:)", r"\1\2", example, flags=re.M))
    used = {name for host in inventory["all"]["hosts"].values() for name in host}
    spec = yaml.safe_load((REPO / "roles" / "flow_logs" / "meta" / "argument_specs.yml").read_text())
    options = spec["argument_specs"]["main"]["options"]

    assert "flow_logs_endpoint_url" in used
    assert "`flow_logs_endpoint_url` sends every AWS call" in re.sub(r"```.*?```", "", fleet, flags=re.S)  # the text
    assert sorted(used - set(options)) == []
