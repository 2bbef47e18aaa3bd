#!/usr/bin/env bash
# One venv from a requirements file and its lock: tools/venv.sh VENV REQUIREMENTS LOCK
#
# The requirements file says what a venv needs (floors and ranges); the lock (a pip constraints file written by
# tools/lock.sh) holds the exact version of every package that `make test` was last green with, so a fresh machine
# installs what CI passed with, not whatever PyPI published this morning. The venv is (re)installed only when the
# requirements or the lock changed since its last install.
#
# FLOWLOGS_LATEST=1 (make test-latest) ignores the lock and takes the newest releases the requirements allow.
set -euo pipefail

venv=$1 requirements=$2 lock=$3
python=${PYTHON:-python3}
if [ "${FLOWLOGS_LATEST:-0}" = 1 ]; then
  wanted="latest $(cat "$requirements")"
  pin=(--upgrade --upgrade-strategy eager)
else
  [ -f "$lock" ] || { echo "tools/venv.sh: no lock file $lock (make lock writes it)" >&2; exit 1; }
  wanted="$(cat "$requirements" "$lock")"
  pin=(-c "$lock")
fi
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.installed-from" 2>/dev/null)" = "$wanted" ]; then
  exit 0
fi
echo "== installing $requirements into $venv${FLOWLOGS_LATEST:+ (FLOWLOGS_LATEST=$FLOWLOGS_LATEST)}"
test -x "$venv/bin/python" || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install -q --disable-pip-version-check "${pin[@]}" -r "$requirements"
printf '%s' "$wanted" >"$venv/.installed-from"
