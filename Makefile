# Two commands for a newcomer: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
MANAGE := $(PY) manage.py
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PORT ?= 8000

.PHONY: run test setup venv step-venv deps services migrate demo stop lint bench lock clean-local backup restore load

# make run WITH_REPLICA=1 → also a streaming replica that serves the report pages.
run: setup demo
	@echo "==> [6/6] starting web, Celery worker and beat"
	@PORT=$(PORT) scripts/app.sh start
	@$(MANAGE) demo_accounts --url http://127.0.0.1:$(PORT)/

test: setup
	@WITH_BROWSER=1 scripts/services.sh deps
	@scripts/services.sh replica-up
	@$(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

setup: deps venv services migrate

deps:
	@echo "==> [1/6] Debian packages (PostgreSQL, Redis, fonts; installed with apt-get when missing)"
	@scripts/services.sh deps

venv: step-venv .venv/.installed

step-venv:
	@echo "==> [2/6] Python virtualenv .venv and the locked dependencies (requirements.lock; the first time takes a few minutes)"

.venv/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv .venv
	@$(PIP) install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	@set -o pipefail; $(PIP) install -q -r requirements.lock 2>&1 | grep -v '^WARNING: Location'; \
		test $${PIPESTATUS[0]} -eq 0
	@touch $@

services:
	@echo "==> [3/6] project-local PostgreSQL and Redis (data in .local/, loopback only)"
	@scripts/services.sh up

migrate:
	@echo "==> [4/6] database migrations, translations, static files, scheduled jobs"
	@$(MANAGE) migrate --noinput -v 0
	@if find . -path ./.venv -prune -o -path ./.local -prune -o -name django.po -print | grep -q .; then \
		$(MANAGE) compilemessages -v 0 --ignore '.venv/*' --ignore '.local/*'; fi
	@$(MANAGE) collectstatic --noinput -v 0
	@$(MANAGE) sync_schedules

demo:
	@echo "==> [5/6] demo data (loading twice adds nothing)"
	@$(MANAGE) load_demo

stop:
	@scripts/app.sh stop
	@scripts/services.sh down

# make backup [BACKUP_DIR=path]   → database (pg_dump -Fc) + uploaded files, default .local/backups/<stamp>/
# make restore BACKUP_DIR=path    → replaces the database and the uploaded files (stop the app first)
backup:
	@scripts/backup.sh backup $(BACKUP_DIR)

restore:
	@test -n "$(BACKUP_DIR)" || { echo "usage: make restore BACKUP_DIR=.local/backups/<stamp>"; exit 2; }
	@scripts/backup.sh restore $(BACKUP_DIR)

# Load over real HTTP (locust, headless, bounded: LOAD_SECONDS per phase); prints figures.
load: setup demo
	@scripts/load.sh

lint: venv
	@.venv/bin/ruff check .

# make bench SCALE=3 → the orders/rates/VBP bench at 30 million order lines on its own database
# (procurement_bench_x3), printed side by side with every scale measured before; the other
# benchmarks run at their fixed province scale only with SCALE=1.
SCALE ?= 1
bench: setup
	@$(MANAGE) bench --scale $(SCALE)
ifeq ($(SCALE),1)
	@$(MANAGE) bench_filing
	@$(MANAGE) bench_zones
	@$(MANAGE) bench_monitoring
	@$(MANAGE) bench_vbp
	@$(MANAGE) bench_insurance
endif

lock:
	@$(PIP) freeze --exclude-editable | grep -v '^pip==' > requirements.lock
