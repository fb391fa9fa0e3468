# The hub's two commands: `make run` and `make test` (README.md). Everything else is a step
# they take. Python 3.12 and Node/npm are the only prerequisites; uv is installed if missing.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo "python3 -m uv")
VENDOR := static/vendor
# Production-like values for `check --deploy`; never used to serve anything.
DEPLOY_ENV := DEBUG=0 ALLOWED_HOSTS=hub.example.org EMAIL_HOST=smtp.example.org \
	SITE_URL=https://hub.example.org \
	SECRET_KEY=deploy-check-0f9b8c7d6e5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d

.PHONY: run test install uv python-deps assets migrate seed check lint format worker web clean \
	bench bench-data loadtest

run: install migrate seed
	@echo "Starting the hub on http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops both)."
	@$(VENV)/bin/celery -A hubsite worker --beat --loglevel=INFO --concurrency=2 & \
	worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

test: install check
	$(VENV)/bin/pytest

install: python-deps assets

uv:
	@uv --version >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet uv || python3 -m pip install --quiet --user uv

# The Python 3.12 already on the machine; uv would otherwise try to download one.
PYTHON := $(shell command -v python3.12 || command -v python3)

python-deps: uv
	$(UV) sync --locked --python "$(PYTHON)"

assets:
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/pico $(VENDOR)/chartjs $(VENDOR)/leaflet
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/pico/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map \
		$(VENDOR)/chartjs/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map \
		node_modules/leaflet/dist/leaflet.css \
		node_modules/leaflet/dist/images $(VENDOR)/leaflet/

migrate:
	$(PY) manage.py migrate --noinput

seed:
	$(PY) manage.py seed_demo

check: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker:
	$(VENV)/bin/celery -A hubsite worker --loglevel=INFO

web:
	$(VENV)/bin/gunicorn hubsite.wsgi --bind 0.0.0.0:8000 --workers 3

clean:
	rm -rf var staticfiles $(VENDOR)

# The benchmark (README.md, "Benchmark"): PostgreSQL at 127.0.0.1:5432 (or BENCH_DATABASE_URL),
# a database of its own per scale, filled once by `manage.py seed_bench`. SCALE=hub or large.
SCALE ?= hub

bench: install
	$(PY) -m bench.run --scale $(SCALE)

bench-data: python-deps
	$(PY) -m bench.run --scale $(SCALE) --seed-only

# The load test (README.md, "Load test"): 50 users for 5 minutes against gunicorn on PostgreSQL
# (a database of its own, hub_load) and Redis (database 9), on loopback; fails on any error.
# LOADTEST_USERS and LOADTEST_TIME change the crowd and how long it stays.
loadtest: install
	$(PY) -m loadtest.run
