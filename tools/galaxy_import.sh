#!/usr/bin/env bash
# make galaxy-import: import the built collection tarball the way Galaxy does, with Galaxy's own importer
# (galaxy-importer from PyPI), and fail unless the import reports 0 errors and 0 warnings.
#
# - galaxy-importer, and the ansible-core / ansible-lint it drives, live in their own venv .venv-galaxy
#   (GALAXY_VENV), installed from tests/galaxy-requirements.txt with its lock tests/galaxy-constraints.txt
#   (tools/venv.sh), so their pins never fight the main .venv. Works offline once installed.
# - The tarball is built as `make build` does (ansible-galaxy collection build), into .cache/galaxy-import/build.
# - Everything the importer can do without containers runs: ansible-doc on every plugin, ansible-lint (production
#   profile, as Galaxy runs it), the changelog check, the certification tag and version checks. ansible-test is
#   off: the importer runs it only inside a container. flake8 is off, as in Galaxy's default configuration
#   (GALAXY_IMPORT_RUN_FLAKE8=True turns it on to look at its findings).
# Output: .cache/galaxy-import/importer.log (the importer's log) and importer_result.json next to it.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
PYTHON=${PYTHON:-python3}
VENV=${GALAXY_VENV:-$REPO/.venv-galaxy}
REQUIREMENTS=tests/galaxy-requirements.txt
WORK=$REPO/.cache/galaxy-import
RUN_FLAKE8=${GALAXY_IMPORT_RUN_FLAKE8:-False}
started=$SECONDS

PYTHON=$PYTHON bash tools/venv.sh "$VENV" "$REQUIREMENTS" tests/galaxy-constraints.txt

rm -rf "$WORK"
mkdir -p "$WORK/build" "$WORK/tmp" "$WORK/ansible-tmp"

# The importer finds ansible-galaxy, ansible-doc and ansible-lint on PATH and points them at its own extracted
# copy of the tarball; nothing may point them at this checkout (make exports ANSIBLE_COLLECTIONS_PATH).
export PATH=$VENV/bin:$PATH
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS ANSIBLE_CONFIG
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_HOME=$WORK/ansible-home
export ANSIBLE_LOCAL_TEMP=$WORK/ansible-tmp
export ANSIBLE_NOCOLOR=1
# GALAXY_IMPORTER_<OPTION> variables override the config file: only the file below counts.
while IFS= read -r name; do
  unset "$name"
done < <(compgen -e | grep '^GALAXY_IMPORTER_' || true)

echo "== ansible-galaxy collection build"
ansible-galaxy collection build --force --output-path "$WORK/build" .
shopt -s nullglob
tarballs=("$WORK"/build/*.tar.gz)
shopt -u nullglob
if [ "${#tarballs[@]}" -ne 1 ]; then
  echo "galaxy-import: expected one tarball in $WORK/build, found ${#tarballs[@]}" >&2
  exit 1
fi
tarball=${tarballs[0]}

export GALAXY_IMPORTER_CONFIG=$WORK/galaxy-importer.cfg
cat >"$GALAXY_IMPORTER_CONFIG" <<EOF
[galaxy-importer]
LOG_LEVEL_MAIN = INFO
# ansible-test runs only in a container (podman/docker): off.
RUN_ANSIBLE_TEST = False
ANSIBLE_TEST_LOCAL_IMAGE = False
# Everything else that runs without containers: on.
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
CHECK_CHANGELOG = True
CHECK_REQUIRED_TAGS = True
REQUIRE_V1_OR_GREATER = True
RUN_FLAKE8 = $RUN_FLAKE8
TMP_ROOT_DIR = $WORK/tmp
ANSIBLE_LOCAL_TMP = $WORK/ansible-tmp
EOF

version=$("$VENV/bin/python" -c "from importlib.metadata import version; print(version('galaxy-importer'))")
echo "== galaxy-importer $version: python -m galaxy_importer.main $(basename "$tarball")"
import_started=$SECONDS
set +e
(cd "$WORK" && python -m galaxy_importer.main "$tarball" >importer.log 2>importer.stderr)
rc=$?
set -e
import_seconds=$((SECONDS - import_started))

# The importer logs WARNING/ERROR records as "LEVEL: message" lines (INFO without a prefix); anything on stderr
# (a traceback, a record of another logger) counts as a warning too.
errors=$(grep -cE '^(ERROR|CRITICAL): ' "$WORK/importer.log" || true)
warnings=$(grep -cE '^WARNING: ' "$WORK/importer.log" || true)
stderr_lines=$(grep -c . "$WORK/importer.stderr" || true)
warnings=$((warnings + stderr_lines))
completed=$(grep -c '^Importer processing completed successfully$' "$WORK/importer.log" || true)
linted=$(grep -c '^\.\.\.ansible-lint run complete$' "$WORK/importer.log" || true)

if [ "$rc" -ne 0 ] || [ "$errors" -ne 0 ] || [ "$warnings" -ne 0 ] || [ "$completed" -ne 1 ] || [ "$linted" -ne 1 ]; then
  echo "---- galaxy-importer log (.cache/galaxy-import/importer.log, without the 'Loading ...' lines)"
  grep -vE '^(Loading|Linting) ' "$WORK/importer.log" || true
  if [ "$stderr_lines" -ne 0 ]; then
    echo "---- galaxy-importer stderr"
    cat "$WORK/importer.stderr"
  fi
  echo "---- errors and warnings"
  grep -E '^(ERROR|CRITICAL|WARNING): ' "$WORK/importer.log" || true
  [ "$stderr_lines" -eq 0 ] || echo "WARNING: $stderr_lines line(s) on stderr (above)"
  [ "$completed" -eq 1 ] || echo "ERROR: the importer did not report 'Importer processing completed successfully'"
  [ "$linted" -eq 1 ] || echo "ERROR: the importer did not run ansible-lint to completion"
  echo "galaxy-import: FAILED - exit code $rc, $errors error(s), $warnings warning(s)" >&2
  exit 1
fi
echo "galaxy-import: $(basename "$tarball") imported by galaxy-importer $version: 0 errors, 0 warnings" \
  "(import ${import_seconds}s, total $((SECONDS - started))s); result in .cache/galaxy-import/importer_result.json"
