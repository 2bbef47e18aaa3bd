#!/usr/bin/env bash
# Release the changelog for the version in galaxy.yml (or $1, which must match it): the fragments in
# changelogs/fragments/ move into changelogs/changelog.yaml, new plugins (version_added = that version) are
# listed, and CHANGELOG.rst is generated. Run again before the tag is pushed to add late fragments to the
# same release. Needs the .venv of make venv (antsibull-changelog, ansible-doc).
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
galaxy_version=$(sed -n 's/^version: *//p' galaxy.yml)
VERSION=${1:-$galaxy_version}
if [ "$VERSION" != "$galaxy_version" ]; then
  echo "galaxy.yml says version $galaxy_version, not $VERSION: bump galaxy.yml first" >&2
  exit 1
fi

# antsibull-changelog lists the new plugins with ansible-doc, which must find this checkout as flowlogs.aws.
export ANSIBLE_COLLECTIONS_PATH=$PWD/.cache/collections
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export PATH=$PWD/$BIN:$PATH
"$BIN/python" -c "from tests.support.paths import ensure_collection_link; ensure_collection_link()"

"$BIN/antsibull-changelog" lint
"$BIN/antsibull-changelog" release --version "$VERSION" --reload-plugins
"$BIN/antsibull-changelog" lint
echo "CHANGELOG.rst: release $VERSION"
