"""make lint's complexity gate on plugins/: every function (method, closure) at most 10 by radon's cyclomatic
complexity - which counts boolean operators and comprehensions, as a reader does - and at most 60 lines long.

python tools/complexity.py plugins [--max-complexity 10] [--max-lines 60]

Split a function by what it does, not by size: a file may be as long as its domain needs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from radon.complexity import cc_visit


def blocks(found):
    """Every function, method and closure radon found, once each (radon lists a class's methods both under the class
    and on their own)."""
    seen = set()
    for block in _flattened(found):
        key = (block.lineno, block.name)
        if key not in seen:
            seen.add(key)
            yield block


def _flattened(found):
    for block in found:
        yield from _flattened(getattr(block, "methods", None) or [])
        if not hasattr(block, "methods"):
            yield block
        yield from _flattened(getattr(block, "closures", None) or [])


def problems(path, max_complexity, max_lines):
    for block in blocks(cc_visit(path.read_text())):
        name = "{}.{}".format(block.classname, block.name) if getattr(block, "classname", None) else block.name
        lines = block.endline - block.lineno + 1
        if block.complexity > max_complexity:
            yield "{}:{}: {} has a complexity of {} (at most {})".format(
                path, block.lineno, name, block.complexity, max_complexity
            )
        if lines > max_lines:
            yield "{}:{}: {} is {} lines long (at most {})".format(path, block.lineno, name, lines, max_lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--max-complexity", type=int, default=10)
    parser.add_argument("--max-lines", type=int, default=60)
    args = parser.parse_args(argv)
    found = [
        p for path in sorted(Path(args.root).rglob("*.py")) for p in problems(path, args.max_complexity, args.max_lines)
    ]
    for problem in found:
        print(problem)
    if found:
        print("{} function(s) over the gate: split them by what they do".format(len(found)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
