# Dangwu — two commands on a fresh clone (needs only Python >= 3.11 and make):
#   make demo   start the system with demo data on SQLite at http://127.0.0.1:8000
#   make test   run the whole test suite (DATABASE_URL=postgres://… for PostgreSQL)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
RUNTIME_STAMP := $(VENV)/.runtime-$(HASH)
TEST_STAMP := $(VENV)/.test-$(HASH)
PYTEST_ARGS ?=

.PHONY: demo test install install-test lint format migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	@touch $(RUNTIME_STAMP) $@

install: $(RUNTIME_STAMP)

install-test: $(TEST_STAMP)

demo: install
	$(BIN)/dangwu demo

test: install-test
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	$(BIN)/dangwu migrate

clean:
	rm -rf $(VENV) var
