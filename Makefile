# The commands CI runs. `make run` starts the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Test runs: debug-free settings with a throwaway key; live-server tests flush tables, so
# TRUNCATE of audit tables is allowed in the test database only.
TEST_ENV := SECRET_KEY=test-only-secret-key-not-for-production DEBUG=0 DEMO_DATA=1 \
	STATICFILES_BACKEND=django.contrib.staticfiles.storage.StaticFilesStorage \
	AUDIT_ALLOW_TRUNCATE=1 DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: run test lint format check-deploy migrations-check messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.run-installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.run-installed
	DEBUG=$${DEBUG-0} $(BIN)/python scripts/run.py

test: $(VENV)/.dev-installed
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# mypy: actions, selectors and permissions of every app (pyproject.toml [tool.mypy]); its
# Django plugin loads the settings, which need a key outside the embedded default.
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=lint-only-not-a-secret $(BIN)/mypy

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(VENV)/.dev-installed
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Production-like settings: the deploy checks must pass with no warning.
check-deploy: $(VENV)/.dev-installed
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(60))") \
	SECURE_SSL_REDIRECT=1 SECURE_COOKIES=1 SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_PRELOAD=1 \
	ALLOWED_HOSTS=compliance.segrateservizi.it \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

messages: $(VENV)/.dev-installed
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py compilemessages -l en -l it --ignore=.venv

clean:
	rm -rf staticfiles .pytest_cache
