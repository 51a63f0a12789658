# KetaCare. The two commands: `make run` (a demo on http://127.0.0.1:8000) and `make test`.
#   make run     venv + install, migrate, demo data (first run only), serve with a task worker
#   make test    the whole suite (browser tests need /usr/bin/chromium)
#   make test-fast  the suite without the `slow` tests (real processes, browsers, 100k rows)
#   make lint    ruff, ruff format --check, mypy (all of ketacare), import-linter contracts
#   make bench   every benchmarks/bench_*.py

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pip runs again only when pyproject.toml changes (or the venv is new).
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# `make run` is a laptop demo over plain http: with DEBUG off, production settings redirect
# to HTTPS and send cookies only over HTTPS. Run a real clinic with `ketacare serve` behind
# a TLS proxy, DEBUG unset (see README). Override with `make run DEBUG=0`.
DEBUG ?= 1
PYTEST_ARGS ?= -n 2

.PHONY: help run test test-fast lint bench install install-test clean-venv

help:
	@sed -n '1,7p' Makefile | sed 's/^# \{0,1\}//'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)
install-test: $(TEST_STAMP)

run: export DEBUG := $(DEBUG)
run: $(STAMP)
	$(BIN)/ketacare migrate --noinput
	$(BIN)/ketacare demo --if-empty
	@echo
	@echo "  KetaCare: http://$(HOST):$(PORT)"
	@echo "  Demo logins (password demo-password-1):"
	@echo "    admin@demo.ketacare  prescriber@demo.ketacare  clinician@demo.ketacare"
	@echo "    monitor@demo.ketacare  patient@demo.ketacare"
	@echo "  Stop with Ctrl-C."
	@echo
	exec $(BIN)/ketacare serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# Tests see production-shaped settings whatever DEBUG the shell has; DATABASE_URL passes
# through (CI runs the suite again on PostgreSQL with it).
test: $(TEST_STAMP)
	env -u DEBUG $(BIN)/pytest $(PYTEST_ARGS)

# Locally, between commits: what starts real processes or browsers or builds 100k rows is left
# to `make test` and CI.
test-fast: $(TEST_STAMP)
	env -u DEBUG $(BIN)/pytest $(PYTEST_ARGS) -m "not slow"

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean-venv:
	rm -rf $(VENV)
