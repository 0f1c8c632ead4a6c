# The README's commands. Each one works on a fresh machine: it builds .venv first.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.koll-installed
export KOLL_HOST ?= 127.0.0.1
export KOLL_PORT ?= 8000

.PHONY: install run test bench field screenshots system-deps clean

$(STAMP): shared/schema/pyproject.toml services/ledger/pyproject.toml apps/field/pyproject.toml requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e shared/schema -e services/ledger -e apps/field -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

system-deps:
	infra/system-deps

run: install
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

clean:
	rm -rf $(VENV) var
