# ALS MIS. `make run` for a local site on SQLite, `make serve` for the production-like stack behind
# Varnish, `make test` for the whole suite on PostgreSQL + S3.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist): each has its own test database, SeaweedFS and live server.
PYTEST_WORKERS ?= 2
SERVE_PORT ?= 8080

.PHONY: venv run serve worker scheduler migrate demo test test-deps lint format bench clean diagram vendor-uppy

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

# Serves the site with a task worker and the scheduler (alsmis/schedule.py) beside it; Ctrl-C
# stops all three.
run: demo
	@echo "ALS MIS at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@DJANGO_SETTINGS_MODULE=alsmis.settings.dev $(BIN)/python manage.py db_worker --queue-name '*' --no-reload -v0 & \
	  worker=$$!; \
	  DJANGO_SETTINGS_MODULE=alsmis.settings.dev $(BIN)/python manage.py run_scheduler & \
	  scheduler=$$!; trap "kill $$worker $$scheduler 2>/dev/null" EXIT INT TERM; \
	  DJANGO_SETTINGS_MODULE=alsmis.settings.dev $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: venv
	$(BIN)/python manage.py db_worker --queue-name '*'

# The scheduler alone (e.g. beside `make worker`): enqueues the jobs of alsmis/schedule.py on time.
scheduler: venv
	$(BIN)/python manage.py run_scheduler

# The production-like stack: Varnish in front of gunicorn (production settings over plain HTTP), a
# task worker, PostgreSQL and SeaweedFS when present (SQLite and local files otherwise), state in
# var/serve/. Prints its URL; Ctrl-C stops everything (scripts/serve.py).
serve: venv
	@bash scripts/ensure-system-deps.sh varnish
	@$(BIN)/python scripts/serve.py --port $(SERVE_PORT)

# Debian packages the browser tests, the cache tests and benchmarks need (we are root on these machines).
test-deps:
	@bash scripts/ensure-system-deps.sh

test: venv test-deps
	@bash scripts/ensure-postgres.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=alsmis.settings.test $(BIN)/python manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=alsmis.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Benchmarks print their figures; they are not timed tests. Each script under bench/ runs in turn.
bench: venv
	@ALSMIS_BENCH=1 bash scripts/ensure-system-deps.sh
	@bash scripts/ensure-postgres.sh
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Rebuild the vendored Uppy bundle (static/vendor/uppy/, committed) from frontend/uppy's lock file.
# Needs Node.js and npm; nothing else (CI included) does.
vendor-uppy:
	cd frontend/uppy && npm ci --no-audit --no-fund && npm run build

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
