"""Helpers of tools/build_docs.sh (make docs).

``inventory PATH`` writes a small Sphinx inventory of what the generated plugin pages link to on
docs.ansible.com - a few labels, and ansible-core's configuration environment variables (read from the
installed ansible-core) - so the site builds offline with links to the real Ansible docs (the default
intersphinx set-up downloads the inventories, which fails without internet and, with -W, fails the build).

``check-policy`` checks that the operator policy shown in the IAM permissions guide is docs/operator-policy.json.
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
#: label -> (page and anchor under ANSIBLE_DOCS, title). Add one here when the build reports an undefined label.
ANSIBLE_LABELS = {
    "action_plugins": ("plugins/action.html#action-plugins", "Action plugins"),
    "ansible_configuration_settings": (
        "reference_appendices/config.html#ansible-configuration-settings",
        "Ansible Configuration Settings",
    ),
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
}
PERMISSIONS_GUIDE = REPO / "docs" / "docsite" / "rst" / "permissions.rst"
OPERATOR_POLICY = REPO / "docs" / "operator-policy.json"


def ansible_core_env_vars():
    """Every environment variable of ansible-core's configuration (documented on its config page)."""
    import ansible.config
    import yaml

    settings = yaml.safe_load((Path(ansible.config.__file__).parent / "base.yml").read_text())
    return sorted({env["name"] for setting in settings.values() for env in setting.get("env") or []})


def write_inventory(path):
    """A Sphinx objects.inv (version 2): ANSIBLE_LABELS as std:label, ansible-core's variables as std:envvar."""
    lines = [
        "{} std:label -1 {} {}".format(label, uri, title) for label, (uri, title) in sorted(ANSIBLE_LABELS.items())
    ]
    # Sphinx gives every envvar the anchor envvar-<NAME> (besides a lower-cased one).
    lines += [
        "{0} std:envvar 1 reference_appendices/config.html#envvar-{0} -".format(name)
        for name in ansible_core_env_vars()
    ]
    lines = "".join(line + "\n" for line in lines)
    header = (
        "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    Path(path).write_bytes(header.encode() + zlib.compress(lines.encode()))


def json_blocks(rst_text):
    """The contents of every ``.. code-block:: json`` in an rst text, dedented."""
    blocks = []
    for match in re.finditer(r"^\.\. code-block:: json\n\n((?:(?: {4}.*)?\n)+)", rst_text, re.MULTILINE):
        blocks.append("\n".join(line[4:] for line in match.group(1).splitlines()))
    return blocks


def check_policy():
    wanted = json.loads(OPERATOR_POLICY.read_text())
    shown = [json.loads(block) for block in json_blocks(PERMISSIONS_GUIDE.read_text())]
    if wanted not in shown:
        sys.exit(
            "{} does not show {}: copy the file into its first json code block".format(
                PERMISSIONS_GUIDE.relative_to(REPO), OPERATOR_POLICY.relative_to(REPO)
            )
        )


def main(argv):
    if argv[:1] == ["inventory"] and len(argv) == 2:
        write_inventory(argv[1])
    elif argv == ["check-policy"]:
        check_policy()
    else:
        sys.exit("usage: docsite.py inventory PATH | check-policy")


if __name__ == "__main__":
    main(sys.argv[1:])
