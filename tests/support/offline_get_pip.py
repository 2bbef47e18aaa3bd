"""ansible-test downloads get-pip.py before making its venvs; with no internet, install a stand-in that
bootstraps pip with ensurepip and then installs what ansible-test asked for (from the package index)."""

from __future__ import annotations

from pathlib import Path

STAND_IN = """import subprocess, sys
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
"""

cache = Path.home() / ".ansible" / "test" / "cache"
cache.mkdir(parents=True, exist_ok=True)
target = cache / "get_pip_24_2.py"
if not target.exists():
    target.write_text(STAND_IN)
