#!/usr/bin/env bash
# make docs: lint the collection docs, then build the HTML site (plugin pages + docs/docsite guides) into
# .cache/docs/html with every Sphinx warning an error. Tools live in their own venv, .venv-docs (DOCS_VENV), installed
# from docs/requirements.txt with its lock docs/constraints.txt (tools/venv.sh). Works offline once installed.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
PYTHON=${PYTHON:-python3}
VENV=${DOCS_VENV:-$REPO/.venv-docs}
BUILD=$REPO/.cache/docs
SITE=$BUILD/site

PYTHON=$PYTHON bash tools/venv.sh "$VENV" docs/requirements.txt docs/constraints.txt

# antsibull-docs runs ansible and ansible-doc from PATH and finds the collection through the collections path.
export PATH=$VENV/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$REPO/.cache/collections
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_HOME=$REPO/.cache/ansible-home
export ANSIBLE_NOCOLOR=1
"$VENV/bin/python" -c "from tests.support.paths import ensure_collection_link; ensure_collection_link()"

echo "== antsibull-docs lint-collection-docs --plugin-docs"
antsibull-docs lint-collection-docs --plugin-docs .
"$VENV/bin/python" tools/docsite.py check-policy

echo "== antsibull-docs sphinx-init + collection"
rm -rf "$SITE"
mkdir -p "$SITE"
chmod og-w "$SITE" # antsibull-docs writes only into a directory nobody else may write to
antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$SITE" \
  --project flowlogs.aws --copyright "contributors to the flowlogs.aws collection" \
  --title "flowlogs.aws" --html-short-title "flowlogs.aws" flowlogs.aws >/dev/null
# Offline: resolve links to docs.ansible.com from a local inventory (the path is relative to rst/).
"$VENV/bin/python" tools/docsite.py inventory "$SITE/ansible_devel.inv"
cat >>"$SITE/conf.py" <<'EOF'

# make docs (tools/build_docs.sh): no downloads; links to docs.ansible.com from a local inventory.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv'),
}
EOF
mkdir -p "$SITE/rst"
chmod og-w "$SITE/rst"
(cd "$SITE" && antsibull-docs --config-file antsibull-docs.cfg collection --cleanup everything --fail-on-error \
  --use-current --dest-dir rst flowlogs.aws >/dev/null)

echo "== sphinx-build -W"
rm -rf "$BUILD/html" "$BUILD/doctrees"
sphinx-build -M html "$SITE/rst" "$BUILD" -c "$SITE" -W --keep-going -q
echo "docs: file://$BUILD/html/index.html"
