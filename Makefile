# The README's commands. Each one works on a fresh machine: it builds .venv first.
# Versions come from locks/ (exact, with hashes); `make lock` refreshes them (docs/deploying.md).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SERVER := $(VENV)/.koll-server
DEV    := $(VENV)/.koll-dev
UV     := uv==0.13.8
export KOLL_HOST ?= 127.0.0.1
export KOLL_PORT ?= 8000

.DEFAULT_GOAL := install
.PHONY: install install-server run test bench field screenshots system-deps clean reset-demo lock check-python

check-python:
	@infra/check-python "$(PYTHON)" "$(VENV)"

# The server: the vocabulary and the ledger with exactly the locked versions, nothing else.
$(SERVER): locks/server.txt shared/schema/pyproject.toml services/ledger/pyproject.toml | check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r locks/server.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e shared/schema -e services/ledger
	@$(PY) -m pip check -q >/dev/null || { $(PY) -m pip check; echo "make: locks/ misses what a pyproject.toml asks for: run make lock" >&2; exit 1; }
	touch $@

# Tests and the phone: the field app (Kivy) and the test tools on top, from locks/dev.txt.
$(DEV): $(SERVER) locks/dev.txt apps/field/pyproject.toml requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r locks/dev.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e apps/field
	@$(PY) -m pip check -q >/dev/null || { $(PY) -m pip check; echo "make: locks/ misses what a pyproject.toml asks for: run make lock" >&2; exit 1; }
	touch $@

install-server: $(SERVER)

install: $(DEV)

system-deps:
	infra/system-deps

run: install-server
	$(VENV)/bin/koll serve --demo-if-empty

test: install system-deps
	infra/postgres/ensure
	$(PY) -m pytest

bench: install system-deps
	infra/postgres/ensure
	$(PY) bench/run.py $(ONLY)

field: install
	$(VENV)/bin/koll-field --server http://$(KOLL_HOST):$(KOLL_PORT)

# After make test: the README's pictures from the test run's screenshots.
screenshots:
	infra/screenshots

# Refreshes locks/ from the pyproject.toml files and requirements-dev.txt: keeps every pin that
# still fits, adds what is new; UPGRADE=1 moves everything to the newest that fits. Then make test.
LOCK_FLAGS := --universal --generate-hashes --no-emit-package koll-schema --no-emit-package koll-ledger \
              --no-emit-package koll-field --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: | check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check "$(UV)"
	$(VENV)/bin/uv pip compile -q $(LOCK_FLAGS) locks/server.in -o locks/server.txt
	$(VENV)/bin/uv pip compile -q $(LOCK_FLAGS) locks/dev.in -o locks/dev.txt
	@echo "locks/ refreshed: git diff locks/, then make test"

# Only what can be rebuilt. Never var/: the ledger, the photos and the keys live there.
clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache .mypy_cache tests/artifacts build dist
	find . -path ./var -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d -prune -exec rm -rf {} +

# Deletes the embedded demo (var/: its ledger, photos and keys) and loads the demo anew.
reset-demo: install-server
	@infra/reset-demo "$(CONFIRM)" "$(VENV)/bin/koll"
