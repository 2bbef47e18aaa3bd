# flowlogs.aws — `make demo` and `make test` are the two commands; see README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CACHE := .cache
SANITY_ROOT := $(CACHE)/sanity/ansible_collections/flowlogs/aws
PYTHON ?= python3
PYTEST_WORKERS ?= 2
# The other venvs make test uses (tools/build_docs.sh, tools/galaxy_import.sh); make test-latest points them elsewhere.
DOCS_VENV ?= $(CURDIR)/.venv-docs
GALAXY_VENV ?= $(CURDIR)/.venv-galaxy
export DOCS_VENV GALAXY_VENV VENV

export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/$(CACHE)/collections
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
export ANSIBLE_HOME := $(CURDIR)/$(CACHE)/ansible-home
export ANSIBLE_LOCAL_TEMP := $(CURDIR)/$(CACHE)/ansible-tmp
export ANSIBLE_NOCOLOR := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv collection test lint sanity units integration molecule demo bench build clean chromium shellcheck sshd java docs \
	test-matrix release-changelog galaxy-import ansible-test-integration test-latest lock

help:
	@echo "make demo   - moto server + a small broken fleet, enable_flowlogs.yml twice, the fleet report"
	@echo "make test   - lint, sanity, unit, integration and Molecule (installs .venv from PyPI first)"
	@echo "make bench  - fleet-scale benchmarks (not part of make test)"
	@echo "make docs   - the HTML documentation site into .cache/docs/html (also part of make test)"
	@echo "make test-matrix - sanity and integration on ansible-core 2.17, 2.18 and 2.19"
	@echo "make test-latest - make test with the newest releases of every dependency; refreshes the locks when green"
	@echo "make lock   - write the locks (tests/constraints.txt, ...) from the venvs of a green make test"
	@echo "FLOWLOGS_CONTRACT=1 make integration|molecule - also check every AWS call against AWS's documented"
	@echo "                 contract (tests/support/contract.py; pytest --contract does the same)"

# Installed from the lock tests/constraints.txt: the exact versions make test was last green with (tools/venv.sh).
$(STAMP): requirements.txt tests/requirements.txt tests/constraints.txt tools/venv.sh
	PYTHON=$(PYTHON) bash tools/venv.sh $(VENV) tests/requirements.txt tests/constraints.txt
	touch $@

venv: $(STAMP)

# ansible_collections/flowlogs/aws -> this checkout, for ansible-playbook, ansible-doc and pytest.
collection: venv
	@$(PY) -c "from tests.support.paths import ensure_collection_link; ensure_collection_link()"

test: lint sanity units integration molecule docs galaxy-import
	@echo "make test: all green"

# Not part of make test: the whole of make test in venvs of the newest releases the requirement files allow (.venv-latest,
# .venv-latest-docs, .venv-latest-galaxy; the locks ignored), so the next drift of a dependency is found by a command,
# not by a red CI. When green, the locks are refreshed from those venvs (review and commit them).
test-latest:
	rm -f .venv-latest/.installed .venv-latest/.installed-from .venv-latest-docs/.installed-from \
		.venv-latest-galaxy/.installed-from .venv-latest/.bench
	FLOWLOGS_LATEST=1 $(MAKE) test VENV=.venv-latest DOCS_VENV=$(CURDIR)/.venv-latest-docs \
		GALAXY_VENV=$(CURDIR)/.venv-latest-galaxy
	LOCK_SUFFIX=-latest bash tools/lock.sh

# The locks from the venvs of a green make test (after changing a requirements file by hand, for example).
lock:
	bash tools/lock.sh

lint: collection
	$(BIN)/ruff check .
	$(PY) tools/complexity.py plugins  # radon: at most 10 per function, and 60 lines
	$(BIN)/ruff format --check .
	$(BIN)/antsibull-changelog lint
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/ansible-lint --profile production

# ansible-test wants the collection at a path ending in ansible_collections/flowlogs/aws: stage a copy.
sanity: collection shellcheck
	bash tests/support/stage_collection.sh $(SANITY_ROOT)
	$(PY) tests/support/offline_get_pip.py
	cd $(SANITY_ROOT) && PATH=$(CURDIR)/$(BIN):$$PATH $(CURDIR)/$(BIN)/ansible-test sanity --venv --python 3.11 --color no

units: collection
	$(BIN)/pytest -q tests/unit -n $(PYTEST_WORKERS)

# The integration targets under ansible-test itself (each has an aliases file), against a moto server.
ansible-test-integration: collection
	bash tests/support/ansible_test_integration.sh

integration: collection chromium sshd java
	$(BIN)/pytest -q tests/integration -n $(PYTEST_WORKERS)

# The HTML fleet report is checked in headless Chromium (Debian package; CI runs as root).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# test_remote_modules.py runs the modules over ssh to a throwaway sshd (Debian package; /usr/sbin may not be on PATH).
sshd:
	@command -v sshd >/dev/null || test -x /usr/sbin/sshd || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null; }

# test_eda.py runs ansible-rulebook, whose rule engine (drools) needs a Java 17+ runtime (Debian package).
java:
	@command -v java >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }
	@java -version 2>&1 | awk -F'"' '/version/ { split($$2, v, "."); if (v[1] + 0 < 17) { print "make java: ansible-rulebook needs Java 17 or newer, found " $$2; bad = 1 } } END { exit bad }'

# ansible-test's shellcheck sanity test only runs when shellcheck is installed (Debian package).
shellcheck:
	@command -v shellcheck >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }

molecule: collection
	bash tests/support/run_molecule.sh

demo: collection
	$(PY) -m tests.support.demo

# Not part of make test: ~15 minutes on 2 cores (shapes A-E, then the inventory of 1,000 accounts: ~5 minutes more;
# see docs/scaling.md). A subset:
# BENCH_ARGS="--shapes A,C", "--repeat 3", "--forks 20", "--latency-ms 50", "--inventory-accounts 0" (none);
# exits 1 when a target is missed.
BENCH_ARGS ?=
$(VENV)/.bench: $(STAMP) benchmarks/requirements.txt
	$(PY) -m pip install -q $(if $(filter 1,$(FLOWLOGS_LATEST)),--upgrade,-c tests/constraints.txt) -r benchmarks/requirements.txt
	touch $@

bench: collection $(VENV)/.bench
	$(PY) -m benchmarks.bench $(BENCH_ARGS)

# HTML docs (plugin pages + docs/docsite guides) into .cache/docs/html, from their own venv .venv-docs
# (docs/requirements.txt). antsibull-docs lint-collection-docs runs first; Sphinx warnings are errors.
docs: collection
	bash tools/build_docs.sh

# ansible-test sanity + integration tests on ansible-core 2.17, 2.18 and 2.19 (venvs in .venv-matrix/<line>).
# Narrow it with MATRIX_LINES="2.17" or MATRIX_STEPS=sanity.
MATRIX_LINES ?=
test-matrix: collection chromium sshd
	bash tools/test_matrix.sh $(MATRIX_LINES)

# Changelog of the version in galaxy.yml: fragments -> changelogs/changelog.yaml -> CHANGELOG.rst.
release-changelog: collection
	bash tools/release_changelog.sh

build: collection
	mkdir -p $(CACHE)/build
	$(BIN)/ansible-galaxy collection build --force --output-path $(CACHE)/build .

# Galaxy's own import check (galaxy-importer, ansible-test off) on a tarball built as `make build` does, from its
# own venv .venv-galaxy (tests/galaxy-requirements.txt); fails unless the import has 0 errors and 0 warnings.
galaxy-import:
	bash tools/galaxy_import.sh

clean:
	rm -rf $(CACHE) tests/output
