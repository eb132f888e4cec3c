# The two commands of the README: `make run` and `make test` (contracts.md section 1).
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: run test lint format messages clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@ $(VENV)/.runtime-installed

# exec: no shell in between, so the SIGTERM make passes on reaches run.py, which stops everything.
run: $(VENV)/.runtime-installed
	PORT=$(PORT) exec $(BIN)/python scripts/run.py

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.test-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(VENV)/.runtime-installed
	$(BIN)/python manage.py makemessages --locale zh_Hans --ignore ".venv/*" --ignore "staticfiles/*" --ignore "var/*" --ignore "tests/*"
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore ".venv/*"
