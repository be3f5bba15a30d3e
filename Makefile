# Two commands do all set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

CHECKOV := .venv-checkov/bin/checkov

.PHONY: demo test test-fast check lock bench bundle clean

# Installed from the lock: every run, here and in CI, uses the same versions.
$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

demo: $(BIN)/.installed
	$(BIN)/careloop demo

# checkov lives in a venv of its own: its pinned dependencies would fight careloop's.
$(CHECKOV):
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet checkov

# On every core (two here; work-stealing: the long e2e tests do not wait in one queue): each worker starts
# its own emulators and servers, on ports of its own.
test: $(BIN)/.installed $(CHECKOV)
	$(BIN)/python -m pytest -q -n auto --dist worksteal

# Pure code and in-memory fakes only: seconds, no servers.
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -q tests/unit

check: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Re-resolve the lock from pyproject.toml in a fresh venv (after changing a dependency).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e '.[test,dev]'
	(echo '# Every package careloop installs, pinned; made by `make lock` from pyproject.toml.'; \
	 .venv-lock/bin/pip freeze --exclude-editable | grep -v '^careloop') > requirements.lock
	rm -rf .venv-lock

bundle: $(BIN)/.installed
	$(BIN)/python scripts/bundle.py

bench: $(BIN)/.installed
	$(BIN)/python bench/cost.py
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/coldstart.py
	$(BIN)/python bench/store.py
	$(BIN)/python bench/sheets.py
	$(BIN)/python bench/survey.py
	$(BIN)/python bench/lists.py

clean:
	rm -rf $(VENV) .venv-checkov .venv-lock demo preview.html dist test-artifacts
