# One command each, no logic: the scripts and manage.py do the work.
VENV := .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/threatwatch
PORT ?= 8000

.PHONY: install run test check lint format bench bench-mail bench-invalidation serve load

$(VENV)/installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/installed

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py create_demo_accounts --site http://127.0.0.1:$(PORT)
	$(PY) manage.py rundev 127.0.0.1:$(PORT)

test: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(VENV)/bin/pytest

check: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(PY) manage.py check
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	.ci/check-revisions

lint: install
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/run.py

bench-mail: install
	$(PY) bench/mail.py

bench-invalidation: install
	$(PY) bench/invalidation.py

serve: install
	VARNISH=$(VARNISH) $(PY) bench/serve.py

load: install
	$(PY) bench/load.py
