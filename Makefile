# Pishkhan — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed-stamp
ASSETS := src/pishkhan/core/static/vendor/.stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo serve run test test-e2e check lint format types bench bench-cases install assets lock clean

## install: the virtual environment with the locked dependencies and the project itself
install: $(STAMP)
$(STAMP): requirements/dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "!! could not create a virtual environment: sudo apt-get install -y python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

## assets: the Vazirmatn font and htmx, pinned in package-lock.json
assets: $(ASSETS)
$(ASSETS): package-lock.json scripts/vendor-assets scripts/subset-fonts $(STAMP)
	scripts/vendor-assets

## demo: migrate the embedded SQLite database, load the demo city and serve it (web server
## and background worker; Ctrl+C stops both)
demo: install assets
	DEBUG=1 $(MANAGE) migrate --no-input
	DEBUG=1 $(MANAGE) load_demo_city
	@$(MAKE) --no-print-directory run

## serve: run the demo server again without reloading data (migrations are applied first)
serve: install assets
	DEBUG=1 $(MANAGE) migrate --no-input
	@$(MAKE) --no-print-directory run

# The web server and the worker side by side; either stopping (or Ctrl+C) stops both.
run:
	@echo "Serving the demo on http://$(HOST):$(PORT)/ with its background worker (Ctrl+C to stop)"
	@trap 'trap - EXIT INT TERM; kill 0' EXIT INT TERM; \
	DEBUG=1 $(MANAGE) run_worker & \
	DEBUG=1 $(MANAGE) runserver --noreload $(HOST):$(PORT) & \
	wait -n

## test: the whole suite (SQLite unless DATABASE_URL says otherwise), browser tests included,
## spread over one worker per core (pytest-xdist; each worker has its own test database).
## PYTEST_ARGS overrides it: `make test PYTEST_ARGS=-n0` runs in one process.
PYTEST_ARGS ?= -n auto
test: install assets
	$(BIN)/pytest $(PYTEST_ARGS)

## check: everything CI checks: lint, types, migrations and tests
check: lint types test

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

types: install
	$(BIN)/mypy src

## bench: benchmarks (numbers, not pass/fail); see bench/README.md
bench: install
	$(BIN)/python bench/run.py

## bench-cases: cartable pages and engine actions on 100k cases, in a scratch PostgreSQL
## database made and dropped here (bench/README.md)
BENCH_PG_HOST ?= 127.0.0.1
BENCH_PG_PORT ?= 5432
BENCH_PG_USER ?= postgres
BENCH_DB ?= pishkhan_bench_cases
BENCH_CASES ?= 100000
BENCH_NOW ?= 2026-11-28T12:00:00+03:30
bench-cases: install
	createdb -h $(BENCH_PG_HOST) -p $(BENCH_PG_PORT) -U $(BENCH_PG_USER) $(BENCH_DB)
	trap 'dropdb -h $(BENCH_PG_HOST) -p $(BENCH_PG_PORT) -U $(BENCH_PG_USER) $(BENCH_DB)' EXIT; \
	export DATABASE_URL=postgres://$(BENCH_PG_USER)@$(BENCH_PG_HOST):$(BENCH_PG_PORT)/$(BENCH_DB); \
	$(BIN)/python bench/cases_dataset.py --prepare --parcels 20000 --cases $(BENCH_CASES) \
	  --now $(BENCH_NOW) > /dev/null && \
	$(BIN)/python bench/cartable.py --now $(BENCH_NOW)

## lock: refresh the lock files from pyproject.toml's ranges
lock: install
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe -o requirements/base.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe --extra dev -o requirements/dev.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules src/pishkhan/core/static/vendor var .mypy_cache .ruff_cache
