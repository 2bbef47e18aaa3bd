#!/usr/bin/env bash
# make ansible-test-integration: the integration targets run by ansible-test itself (the way collections are
# usually tested), against a moto server this script starts on a free loopback port and stops by its PID.
# The endpoint reaches the targets through tests/integration/integration_config.yml in the staged copy.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=".cache/ansible-test/ansible_collections/flowlogs/aws"
STATE=".cache/ansible-test/moto"
PY="${PY:-.venv/bin/python}"
BIN="$(dirname "$PY")"
bash tests/support/stage_collection.sh "$ROOT"
"$PY" tests/support/offline_get_pip.py
url="$("$PY" -m tests.support.motoctl start "$STATE")"
trap '"$PY" -m tests.support.motoctl stop "$STATE"' EXIT
printf 'aws_endpoint_url: %s\naws_region: us-east-1\naws_access_key: testing\naws_secret_key: testing\n' "$url" >"$ROOT/tests/integration/integration_config.yml"
# One target at a time, each on a reset moto (as tests/integration/test_targets.py runs them): a target may leave
# flow logs to destinations it does not own, which another target's "no flow log yet" would see.
for dir in tests/integration/targets/*/; do
  target=$(basename "$dir")
  "$PY" -c "from tests.support import motoctl; motoctl.reset('$url')"
  (cd "$ROOT" && "$OLDPWD/$BIN/ansible-test" integration --venv --python 3.11 --color no "$target")
done
