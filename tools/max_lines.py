"""make lint: no Python file under the given directory is longer than the given number of lines.

python tools/max_lines.py plugins 400
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(root, limit):
    long = [(p, n) for p in sorted(Path(root).rglob("*.py")) if (n := len(p.read_text().splitlines())) > limit]
    for path, lines in long:
        print("{}: {} lines; keep files under {} lines (split by responsibility)".format(path, lines, limit))
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
