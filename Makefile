# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY      := .venv/bin/python
STAMP   := .venv/.installed
BUN_VERSION := 1.4.5
BUN     := .tools/node_modules/.bin/bun
CHROMIUM ?= /usr/bin/chromium
E2E_OPTS := -p no:cacheprovider --screenshot only-on-failure --full-page-screenshot --output $(CURDIR)/test-results/e2e

export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help run test test-fast test-e2e setup chromium migrate worker eval bench lint clean

help:
	@echo "make run    - set up everything, migrate, load demo data, serve on http://localhost:3000"
	@echo "make test   - set up everything and run every test (unit, services, migrations, e2e)"
	@echo "make worker - run pipeline workers against DATABASE_URL (or the embedded database)"
	@echo "make eval   - measure chapters and retrieval on ../shared data -> eval-results.json"
	@echo "make bench  - pipeline, retrieval (10k-1M chunks) and dashboard (10M events) -> bench-results.json"

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

$(BUN):
	@mkdir -p .tools
	cd .tools && npm install --silent --no-audit --no-fund bun@$(BUN_VERSION)

setup: $(STAMP) $(BUN)

chromium:
	@test -x $(CHROMIUM) || (echo "Installing Debian's Chromium for the e2e tests..." && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

migrate: setup
	$(PY) -m chronos_app.cli migrate

run: setup
	$(PY) -m chronos_app.cli prepare
	.venv/bin/reflex run

worker: setup
	$(PY) -m chronos_app.cli worker --concurrency $${WORKERS:-1}

# EVAL_DATA_DIR / EVAL_QA_DIR point the evaluation at other data of the same format.
eval: setup
	$(PY) -m chronos_app.evaluation

bench: setup
	$(PY) -m chronos_app.evaluation.bench

lint: setup
	.venv/bin/ruff check chronos_app tests alembic

test: setup chromium
	$(PY) -m pytest
	$(PY) -m pytest tests/e2e $(E2E_OPTS)

test-fast: setup
	$(PY) -m pytest

test-e2e: setup chromium
	$(PY) -m pytest tests/e2e $(E2E_OPTS)

clean:
	rm -rf .web .states .venv .tools
