#!/usr/bin/env bash
# make molecule: moto server on a free loopback port, every Molecule scenario against it, then stop it.
# Molecule's recap can say "Successful" on an idempotence failure: its exit code is what counts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
venv_bin="$repo/.venv/bin"
state="$repo/.cache/molecule-moto"
url=$("$venv_bin/python" -m tests.support.motoctl start "$state")
trap 'cd "$repo" && "$venv_bin/python" -m tests.support.motoctl stop "$state"' EXIT
export FLOWLOGS_MOTO_URL=$url FLOWLOGS_REPO=$repo PATH="$venv_bin:$PATH"
export MOLECULE_GLOB="molecule/*/molecule.yml" NO_COLOR=1 PY_COLORS=0 ANSIBLE_FORCE_COLOR=0
cd "$repo/extensions"
for scenario in molecule/*/; do
  name=$(basename "$scenario")
  echo "== molecule test -s $name (moto at $url)"
  molecule test -s "$name"
done
