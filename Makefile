# aefront: `make run` to try it, `make test` to check it.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench bench-small bench-http lint format install install-dev serve clean prod-like prod-like-stop load fault

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,suggest]'
	if [ -f package.json ]; then npm ci --no-audit --no-fund --silent; fi

run: install
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py seed_demo
	# The background jobs' worker beside the server (both stop with Ctrl+C).
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py db_worker --no-reload --no-startup-delay & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=$${DEBUG-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every row on the full-size dataset (200 transcripts × 15,000 words, 40 themes, 20,000
# quotes, 10 enablers; seeded); the table also goes to bench.json (BENCH_JSON).
bench: install-dev
	DEBUG=$${DEBUG-1} $(BIN)/python -m bench $(BENCH_ARGS)

# The same rows on a small dataset, in under 2 minutes (CI runs it).
bench-small: install-dev
	DEBUG=$${DEBUG-1} $(BIN)/python -m bench --small $(BENCH_ARGS)

# As shipped: gunicorn, DEBUG off, over HTTP, on SQLite and PostgreSQL (BENCH_PG_URL).
bench-http: install-dev
	$(BIN)/python -m bench --http $(BENCH_ARGS)

# The production topology on 127.0.0.1: PostgreSQL, two gunicorn app servers, nginx in
# front, the task worker (deploy/prod_like.sh; docs/deploy.md). PROD_LIKE_DIR holds it all.
prod-like: install-dev
	PYTHON=$(BIN)/python deploy/prod_like.sh start

prod-like-stop:
	PYTHON=$(BIN)/python deploy/prod_like.sh stop

# LOAD_USERS enablers for LOAD_SECONDS against make prod-like, through nginx (bench/load.py).
load: install-dev
	PYTHON=$(BIN)/python $(BIN)/python -m bench.load

# The load while PostgreSQL restarts (fast, then immediate) and one app server is killed
# (bench/fault.py). Needs make prod-like's own cluster; restart it afterwards.
fault: install-dev
	$(BIN)/python -m bench.fault

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules
