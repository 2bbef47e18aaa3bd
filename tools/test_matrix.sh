#!/usr/bin/env bash
# make test-matrix: ansible-test sanity and the integration tests on every supported ansible-core line.
#
# Each line gets its own venv, .venv-matrix/<line>, with that ansible-core and only what sanity and the
# integration tests need (the pins come from requirements.txt and tests/requirements.txt; ansible-lint and
# molecule are left out because their own pins would drag ansible-core to the newest line).
#
#   bash tools/test_matrix.sh              # 2.17 2.18 2.19
#   bash tools/test_matrix.sh 2.17         # one line
#   MATRIX_WORKERS=1 MATRIX_STEPS=sanity bash tools/test_matrix.sh
#
# Every line runs to the end even when an earlier one failed; the summary table (also written to
# .cache/matrix/summary.txt) shows what passed and how long each step took. Exit status 1 if anything failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit
REPO=$PWD
PYTHON=${PYTHON:-python3}
WORKERS=${MATRIX_WORKERS:-2}
STEPS=${MATRIX_STEPS:-sanity integration}
LINES=("$@")
[ ${#LINES[@]} -gt 0 ] || LINES=(2.17 2.18 2.19)
OUT=$REPO/.cache/matrix
mkdir -p "$OUT"

export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_NOCOLOR=1
export PIP_DISABLE_PIP_VERSION_CHECK=1
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_HOME ANSIBLE_LOCAL_TEMP

# The pins of these packages are taken from tests/requirements.txt, so the matrix tests what make test tests.
TEST_PACKAGES='moto|pytest|pytest-xdist|hypothesis|ansible-builder'

requirements_for() { # $1 = ansible-core line, e.g. 2.18
  local major=${1%%.*} minor=${1#*.}
  echo "ansible-core>=$1,<$major.$((minor + 1))"
  grep -Ev '^\s*(#|-r|$)' requirements.txt
  grep -E "^($TEST_PACKAGES)(\[[a-z,]+\])?\s*[<>=!~]" tests/requirements.txt
}

make_venv() { # $1 = line; installs only when the requirements changed
  local venv=$REPO/.venv-matrix/$1 wanted
  wanted=$(requirements_for "$1")
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirements" 2>/dev/null)" = "$wanted" ]; then
    return 0
  fi
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv" &&
    "$venv/bin/python" -m pip install -q --upgrade pip &&
    printf '%s\n' "$wanted" >"$venv/requirements.txt" &&
    "$venv/bin/python" -m pip install -q -r "$venv/requirements.txt" &&
    printf '%s\n' "$wanted" >"$venv/.requirements"
}

sanity() { # $1 = line
  local venv=$REPO/.venv-matrix/$1 root=$OUT/$1/sanity/ansible_collections/flowlogs/aws
  bash tests/support/stage_collection.sh "$root" &&
    "$venv/bin/python" tests/support/offline_get_pip.py &&
    (cd "$root" && PATH=$venv/bin:$PATH "$venv/bin/ansible-test" sanity --venv --python 3.11 --color no)
}

integration() { # $1 = line; the conftest runs the ansible-playbook next to the pytest interpreter
  local venv=$REPO/.venv-matrix/$1
  "$venv/bin/python" -c "from tests.support.paths import ensure_collection_link; ensure_collection_link()" &&
    PATH=$venv/bin:$PATH "$venv/bin/pytest" -q -p no:cacheprovider tests/integration -n "$WORKERS"
}

declare -A RESULT SECS
failed=0
for line in "${LINES[@]}"; do
  for step in venv $STEPS; do
    log=$OUT/$line/$step.log
    mkdir -p "$OUT/$line"
    echo "== ansible-core $line: $step (log: ${log#"$REPO"/})"
    start=$SECONDS
    case $step in
      venv) make_venv "$line" ;;
      sanity) sanity "$line" ;;
      integration) integration "$line" ;;
      *) echo "unknown step $step" >&2; false ;;
    esac >"$log" 2>&1
    rc=$?
    SECS[$line.$step]=$((SECONDS - start))
    if [ $rc -eq 0 ]; then
      RESULT[$line.$step]=ok
      [ "$step" = venv ] &&
        echo "   ansible-core $("$REPO/.venv-matrix/$line/bin/python" -c 'import ansible.release as r; print(r.__version__)')"
    else
      RESULT[$line.$step]="FAILED (rc $rc)"
      failed=1
      tail -n 25 "$log" | sed 's/^/   | /'
      # Without its venv the line's other steps cannot run.
      [ "$step" = venv ] && break
    fi
  done
done

{
  printf '%-12s' "ansible-core"
  for step in venv $STEPS; do printf '  %-22s' "$step"; done
  echo
  for line in "${LINES[@]}"; do
    printf '%-12s' "$line"
    for step in venv $STEPS; do
      cell="${RESULT[$line.$step]:-skipped}"
      [ -n "${SECS[$line.$step]:-}" ] && cell="$cell ${SECS[$line.$step]}s"
      printf '  %-22s' "$cell"
    done
    echo
  done
} | tee "$OUT/summary.txt"
exit $failed
