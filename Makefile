# GOPS: `make run` serves the app with demo data; `make test` runs every test on SQLite and PostgreSQL.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=
LOCALSTRIPE_PORT ?= 8420
export FLASK_APP := wsgi.py

.PHONY: run serve setup setup-dev lint bench test test-sqlite test-postgres browser translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.deps-local: requirements-local.txt $(VENV)/.deps-run
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-local.txt
	touch $@

$(VENV)/.deps-dev: requirements.txt requirements-dev.txt requirements-local.txt $(VENV)/.deps-local
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

translations/ko/LC_MESSAGES/messages.mo: translations/ko/LC_MESSAGES/messages.po $(VENV)/.deps-run
	$(BIN)/pybabel compile --statistics -d translations

setup: $(VENV)/.deps-run translations/ko/LC_MESSAGES/messages.mo .env

## .env: development settings and a secret of this machine's own, so `.venv/bin/flask ...` works as the README says
.env:
	@printf 'GOPS_ENV=development\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(32))')" > $@
	@echo "wrote .env (development settings and a new SECRET_KEY)"

setup-dev: setup $(VENV)/.deps-dev

## run: set everything up, migrate, start localstripe (payments, webhooks to this app), load reference and
## demo data, serve on http://127.0.0.1:5000; localstripe stops with the server
run: setup $(VENV)/.deps-local
	$(BIN)/flask db upgrade
	$(BIN)/flask reference load
	@$(BIN)/python scripts/localstripe_server.py --port $(LOCALSTRIPE_PORT) --quiet \
	    --webhook-url http://$(HOST):$(PORT)/stripe/webhook --webhook-secret whsec_gops_localstripe & \
	  ls_pid=$$!; trap 'kill $$ls_pid 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python -c 'from scripts.localstripe_server import wait_for; wait_for($(LOCALSTRIPE_PORT))' && \
	  LOCALSTRIPE_PORT=$(LOCALSTRIPE_PORT) $(BIN)/flask demo seed && \
	  $(BIN)/flask search reindex && \
	  echo "GOPS is at http://$(HOST):$(PORT) (payments: localstripe on 127.0.0.1:$(LOCALSTRIPE_PORT))" && \
	  LOCALSTRIPE_PORT=$(LOCALSTRIPE_PORT) $(BIN)/flask run --host $(HOST) --port $(PORT)

## test: the import contract, then the whole suite on SQLite and on a throwaway PostgreSQL cluster, both at
## once (one per core; each run's output is printed whole when it ends, and either failing fails the test)
test: setup-dev browser lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

## lint: imports point one way, down the layers in .importlinter
lint: setup-dev
	@echo "== import contract"
	@$(BIN)/lint-imports --no-cache

test-sqlite: setup-dev
	@echo "== tests on SQLite"
	@scripts/pytest-rc $(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-postgres: setup-dev
	@echo "== tests on PostgreSQL"
	@scripts/with-postgres scripts/pytest-rc $(BIN)/python -m pytest -q $(PYTEST_ARGS)

## bench: GOPS against the bare reference at 100,000 ideas, under gunicorn and wrk (figures printed, never asserted)
bench: setup-dev
	@command -v wrk >/dev/null 2>&1 || scripts/apt-install wrk
	$(BIN)/python bench/web.py $(BENCH_ARGS)

## browser: Debian's Chromium for the end-to-end journeys
browser:
	@command -v chromium >/dev/null 2>&1 || scripts/apt-install chromium

## translations: extract messages and update the Korean catalog after changing strings
translations: setup-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations
	$(BIN)/pybabel compile --statistics -d translations

clean:
	rm -rf $(VENV) instance .pytest_cache
