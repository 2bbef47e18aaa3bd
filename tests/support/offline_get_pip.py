"""ansible-test downloads get-pip.py before making its venvs; with no internet, install a stand-in that
bootstraps pip with ensurepip and then installs what ansible-test asked for (from the package index).

Each ansible-core line pins its own pip (2.17: 23.1.2, 2.19: 24.2), and the cached script is named after it,
so the pin is read from the ansible-test of the interpreter running this file."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

STAND_IN = """import subprocess, sys
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
"""


def pip_versions():
    """The pip versions the ansible-test of this interpreter bootstraps (24.2 when it cannot tell)."""
    spec = importlib.util.find_spec("ansible_test")
    if spec and spec.submodule_search_locations:
        source = Path(next(iter(spec.submodule_search_locations))) / "_internal" / "python_requirements.py"
        if source.exists():
            found = set(re.findall(r"\bpip='([0-9.]+)'", source.read_text()))
            if found:
                return sorted(found)
    return ["24.2"]


cache = Path.home() / ".ansible" / "test" / "cache"
cache.mkdir(parents=True, exist_ok=True)
for version in pip_versions():
    target = cache / "get_pip_{}.py".format(version.replace(".", "_"))
    if not target.exists():
        target.write_text(STAND_IN)
