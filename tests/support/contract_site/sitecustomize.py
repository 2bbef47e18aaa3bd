"""Test-only: the AWS contract check (tests/support/contract.py) in every Python process started with this
directory first on PYTHONPATH and FLOWLOGS_CONTRACT=1 - ansible-playbook, its forked workers, every module
process, ansible-inventory, Molecule's playbooks.

Python imports ``sitecustomize`` at startup. This one imports nothing heavy: it puts a one-shot finder on
``sys.meta_path`` that installs the checker right after ``botocore.session`` is first imported, so processes
that never touch botocore (or lack it) pay nothing and cannot break. Any other ``sitecustomize`` further
down ``sys.path`` still runs.
"""

from __future__ import annotations

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONTRACT = os.path.join(os.path.dirname(HERE), "contract.py")
MODULE_NAME = "flowlogs_contract"


def _load_contract():
    module = sys.modules.get(MODULE_NAME)
    if module is None:
        spec = importlib.util.spec_from_file_location(MODULE_NAME, CONTRACT)
        module = importlib.util.module_from_spec(spec)
        sys.modules[MODULE_NAME] = module
        spec.loader.exec_module(module)
    return module


def _install():
    try:
        _load_contract().install(None)
    except Exception as exc:  # never break botocore's import; say so where the tests look
        sys.stderr.write("flowlogs contract check not installed: {!r}\n".format(exc))
        path = os.environ.get("FLOWLOGS_CONTRACT_LOG")
        if path:
            import json

            with open(path, "a", encoding="utf-8") as log:
                record = dict(
                    rule="contract-install-failed",
                    source=__file__,
                    message=repr(exc),
                    pid=os.getpid(),
                    origin="checker",
                    service=None,
                    operation=None,
                )
                log.write(json.dumps(record) + "\n")


class _InstallingLoader:
    """Runs botocore.session's own loader, then installs the checker."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module):
        self._inner.exec_module(module)
        _install()


class _BotocoreSessionFinder:
    """One-shot: the spec of ``botocore.session`` from the other finders, with an installing loader."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "botocore.session":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        for finder in list(sys.meta_path):
            lookup = getattr(finder, "find_spec", None)
            spec = lookup(fullname, path, target) if lookup is not None else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _InstallingLoader(spec.loader)
                return spec
        return None


def _chain_next_sitecustomize():
    """Run the sitecustomize this one shadows (e.g. a distribution's), if any."""
    from importlib.machinery import PathFinder

    others = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]
    spec = PathFinder.find_spec("sitecustomize", others)
    if spec is None or spec.loader is None or spec.origin == __file__:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def _enabled():
    return os.environ.get("FLOWLOGS_CONTRACT", "").strip().lower() in ("1", "true", "yes", "on")


try:
    _chain_next_sitecustomize()
except Exception as exc:  # pragma: no cover - whatever the other one does, keep starting up
    sys.stderr.write("flowlogs contract: the shadowed sitecustomize failed: {!r}\n".format(exc))

if _enabled():
    if "botocore.session" in sys.modules:
        _install()
    else:
        sys.meta_path.insert(0, _BotocoreSessionFinder())
