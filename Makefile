# Dangjian: two commands do everything on a fresh machine with Python 3.12+.
#   make run   - install, migrate, load the demo county if empty, serve on 127.0.0.1:8000 with the
#                background task worker and the clock that schedules deadline scans and mail
#   make test  - install test tools (and Chromium, a CJK font and PostgreSQL when missing), run the whole suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The rooms' WebSockets (uvicorn, dangjian.asgi) beside the pages.
REALTIME_PORT ?= $(shell echo $$(($(PORT) + 1)))
WORKERS ?= 2
# The demo's group robots post to a local recorder on this port (manage.py record_robot_messages).
ROBOT_RECORDER_PORT ?= 8091
TEST_ARGS ?=

.PHONY: run serve install install-dev node migrate demo test browser-deps media-deps lint check-migrations bench messages clean

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (found %s)" % sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The front-end packages (tom-select), from package-lock.json; Node.js and npm from Debian when missing.
node_modules/.installed: package.json package-lock.json
	@bash scripts/node-deps.sh

node: node_modules/.installed

install: $(VENV)/.installed node_modules/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

migrate: install
	$(PY) manage.py migrate --noinput

media-deps:
	@bash scripts/media-deps.sh

demo: migrate media-deps
	ROBOT_ALLOW_LOOPBACK=$${ROBOT_ALLOW_LOOPBACK:-1} $(PY) manage.py load_demo --if-empty

run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	HOST=$(HOST) PORT=$(PORT) REALTIME_PORT=$(REALTIME_PORT) WORKERS=$(WORKERS) ROBOT_RECORDER_PORT=$(ROBOT_RECORDER_PORT) \
	ROBOT_ALLOW_LOOPBACK=$${ROBOT_ALLOW_LOOPBACK:-1} bash scripts/serve.sh

browser-deps:
	@bash scripts/browser-deps.sh

test: install-dev browser-deps
	$(PY) -m pytest $(TEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

messages: install
	cd dangjian && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete && ../$(PY) ../manage.py compilemessages -l zh_Hans

bench: install-dev
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache
