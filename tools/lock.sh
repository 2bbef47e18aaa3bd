#!/usr/bin/env bash
# make lock: write the lock files (pip constraints) from the venvs a green `make test` ran in.
#
#   bash tools/lock.sh                      # from .venv, .venv-docs, .venv-galaxy
#   LOCK_SUFFIX=-latest bash tools/lock.sh  # from .venv-latest, ... (make test-latest does this when green)
#
# Each lock is `pip freeze` of its venv: every package, direct or not, at the version that passed. The bench's
# extra packages (benchmarks/requirements.txt) are locked with the test venv, which they are installed into.
# Prints what changed against the lock it replaces.
set -euo pipefail

cd "$(dirname "$0")/.."
suffix=${LOCK_SUFFIX:-}

lock_one() { # $1 = venv, $2 = lock file, $3 = what it is for
  local venv=$1 lock=$2 what=$3 new
  [ -x "$venv/bin/python" ] || { echo "lock: no venv $venv: run make test${suffix:+-latest} first" >&2; return 1; }
  new=$(mktemp)
  {
    echo "# Lock for $what: pip constraints written by tools/lock.sh (make lock) from $(basename "$venv"),"
    echo "# the versions \`make test\` was last green with. Requirements (floors) live beside it; do not edit by hand."
    "$venv/bin/python" -m pip freeze --disable-pip-version-check --exclude-editable --all \
      | grep -Ev '^(pip|wheel)==' | LC_ALL=C sort -f
  } >"$new"
  if [ -f "$lock" ] && diff -q <(grep -v '^#' "$lock") <(grep -v '^#' "$new") >/dev/null; then
    echo "== $lock: unchanged"
  else
    echo "== $lock: changed"
    diff <(grep -v '^#' "$lock" 2>/dev/null || true) <(grep -v '^#' "$new") | grep '^[<>]' || true
  fi
  mv "$new" "$lock"
}

bench_pin=(--upgrade)
if [ -z "$suffix" ] && [ -f tests/constraints.txt ]; then
  bench_pin=(-c tests/constraints.txt)
fi
if [ -x ".venv$suffix/bin/python" ]; then
  ".venv$suffix/bin/python" -m pip install -q --disable-pip-version-check "${bench_pin[@]}" -r benchmarks/requirements.txt
fi
lock_one ".venv$suffix" tests/constraints.txt "make test, make demo, make bench and Molecule (.venv)"
lock_one ".venv$suffix-docs" docs/constraints.txt "make docs (.venv-docs)"
lock_one ".venv$suffix-galaxy" tests/galaxy-constraints.txt "make galaxy-import (.venv-galaxy)"
