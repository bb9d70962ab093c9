# ALS MIS. `make run` for a local site on SQLite, `make test` for the whole suite on PostgreSQL + S3.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run serve worker migrate demo test test-deps lint format bench clean diagram

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

migrate: venv
	DJANGO_SETTINGS_MODULE=alsmis.settings.dev $(BIN)/python manage.py migrate --noinput

demo: migrate
	DJANGO_SETTINGS_MODULE=alsmis.settings.dev $(BIN)/python manage.py seed_demo

# Serves the site with a task worker beside it; Ctrl-C stops both.
run: demo
	@echo "ALS MIS at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@DJANGO_SETTINGS_MODULE=alsmis.settings.dev $(BIN)/python manage.py db_worker --queue-name '*' --no-reload -v0 & \
	  worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  DJANGO_SETTINGS_MODULE=alsmis.settings.dev $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: venv
	$(BIN)/python manage.py db_worker --queue-name '*'

# Debian packages the browser tests and benchmarks need (we are root on these machines).
test-deps:
	@bash scripts/ensure-system-deps.sh

test: venv test-deps
	@bash scripts/ensure-postgres.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=alsmis.settings.test $(BIN)/python manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=alsmis.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks print their figures; they are not timed tests. Each script under bench/ runs in turn.
bench: venv
	@ALSMIS_BENCH=1 bash scripts/ensure-system-deps.sh
	@bash scripts/ensure-postgres.sh
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
