#!/usr/bin/env bash
# make molecule: moto server on a free loopback port, every Molecule scenario against it, then stop it.
# fleet_example (shipped for users to copy) ignores it: it starts and stops a moto server of its own.
# Molecule's recap can say "Successful" on an idempotence failure: its exit code is what counts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
venv_bin="$repo/${VENV:-.venv}/bin"
state="$repo/.cache/molecule-moto"
cd "$repo"
# AWS contract check (tests/support/contract.py): FLOWLOGS_CONTRACT=1 turns it on (default: ENABLED_BY_DEFAULT).
contract_on=$("$venv_bin/python" -c "from tests.support import contract as c; print(int(c.enabled()))")
url=$("$venv_bin/python" -m tests.support.motoctl start "$state")
trap 'cd "$repo" && "$venv_bin/python" -m tests.support.motoctl stop "$state"' EXIT
export FLOWLOGS_MOTO_URL=$url FLOWLOGS_REPO=$repo PATH="$venv_bin:$PATH"
export MOLECULE_GLOB="molecule/*/molecule.yml" NO_COLOR=1 PY_COLORS=0 ANSIBLE_FORCE_COLOR=0
if [ "$contract_on" = 1 ]; then
  # After moto started: only the playbooks' processes (and what they start) check their AWS calls.
  contract_log="$repo/.cache/molecule-contract.jsonl"
  rm -f "$contract_log" "$repo/.cache/molecule-contract-stats.jsonl"
  export FLOWLOGS_CONTRACT=1 FLOWLOGS_CONTRACT_LOG=$contract_log
  export FLOWLOGS_CONTRACT_STATS="$repo/.cache/molecule-contract-stats.jsonl"
  export PYTHONPATH="$repo/tests/support/contract_site${PYTHONPATH:+:$PYTHONPATH}"
  "$venv_bin/python" -c "from tests.support import contract; contract.precompile()"
fi
status=0
cd "$repo/extensions"
for scenario in molecule/*/; do
  name=$(basename "$scenario")
  echo "== molecule test -s $name (make molecule's moto server: $url)"
  molecule test -s "$name" || { status=$?; echo "== molecule test -s $name failed ($status)"; }
done
if [ "$contract_on" = 1 ]; then
  cd "$repo"
  "$venv_bin/python" -m tests.support.contract --check-log "$contract_log" "$FLOWLOGS_CONTRACT_STATS" || status=1
fi
exit "$status"
