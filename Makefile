# The two commands of the README: `make run` and `make test` (contracts.md section 1).
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: run test lint format messages clean-db axe

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

# axe-core, the browser tests' accessibility check (tests/e2e/axe.py): the npm registry's
# package, pinned by version and the tarball's SHA-256, unpacked into var/ (git-ignored);
# never a CDN. Bump both lines together: `npm pack axe-core@X` and `sha256sum` the tarball.
AXE_VERSION := 4.14.1
AXE_SHA256 := e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
AXE_DIR := var/vendor/axe-core-$(AXE_VERSION)
AXE_JS := $(AXE_DIR)/axe.min.js
AXE_TGZ := $(AXE_DIR)/axe-core-$(AXE_VERSION).tgz

$(AXE_JS):
	mkdir -p $(AXE_DIR)
	npm pack --silent --pack-destination $(AXE_DIR) axe-core@$(AXE_VERSION) >/dev/null
	echo "$(AXE_SHA256)  $(AXE_TGZ)" | sha256sum --check --quiet || { rm -f $(AXE_TGZ); exit 1; }
	tar -xzf $(AXE_TGZ) -C $(AXE_DIR) --strip-components=1 package/axe.min.js package/LICENSE
	rm -f $(AXE_TGZ)
	touch $@

axe: $(AXE_JS)

test: $(VENV)/.test-installed $(AXE_JS)
	AXE_JS=$(AXE_JS) $(BIN)/python -m pytest $(PYTEST_ARGS)

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
