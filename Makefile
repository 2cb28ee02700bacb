# Fanfold: `make run` sets everything up and serves the demo archive; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export FANFOLD_DATA_DIR ?= $(CURDIR)/data
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
# Two workers: the machines this runs on have two cores.
PYTEST_ARGS ?= -n 2

.PHONY: run setup test test-sqlite test-postgres lint format typecheck bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Fanfold needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the pinned dependencies or the package metadata change.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

setup: $(VENV)/.installed
	$(BIN)/fanfold setup
	$(BIN)/fanfold demo

run: setup
	$(BIN)/fanfold serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(VENV)/.installed
	$(BIN)/mypy fanfold/imports fanfold/tags fanfold/core fanfold/search fanfold/social fanfold/accounts fanfold/api fanfold/works/services.py fanfold/works/posting.py fanfold/works/posting_rules.py fanfold/works/posting_chapters.py fanfold/works/forms.py fanfold/works/posting_views.py fanfold/downloads fanfold/exchanges fanfold/challenges fanfold/security

test: lint typecheck test-sqlite

test-sqlite: $(VENV)/.installed
	FANFOLD_DATA_DIR=$$(mktemp -d) $(BIN)/fanfold makemigrations --check --dry-run
	FANFOLD_DATA_DIR=$$(mktemp -d) $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed
	FANFOLD_DATA_DIR=$$(mktemp -d) DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks print figures; they are not tests. The 1M archive (3.4 GB) and the 100k archive with story
# text are generated once into their own data directories and reused by later runs.
BENCH_WORKS ?= 1000000
BENCH_BODY_WORKS ?= 100000
BENCH_DIR ?= $(CURDIR)/bench-data
bench: $(VENV)/.installed
	FANFOLD_DATA_DIR=$(BENCH_DIR)/works $(BIN)/fanfold migrate --verbosity 0
	FANFOLD_DATA_DIR=$(BENCH_DIR)/works $(BIN)/fanfold bench --works $(BENCH_WORKS) --generate --json
	FANFOLD_DATA_DIR=$(BENCH_DIR)/bodies $(BIN)/fanfold migrate --verbosity 0
	FANFOLD_DATA_DIR=$(BENCH_DIR)/bodies $(BIN)/fanfold bench --works $(BENCH_BODY_WORKS) --generate --bodies --json
	FANFOLD_DATA_DIR=$$(mktemp -d) $(BIN)/python -m fanfold.downloads.bench --works 12 --json
	FANFOLD_DATA_DIR=$$(mktemp -d) $(BIN)/fanfold exchange bench --participants 5000 --seed 1 --json

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
