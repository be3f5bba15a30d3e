# Two commands do all set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

CHECKOV := .venv-checkov/bin/checkov

.PHONY: demo test bench bundle clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/careloop demo

# checkov lives in a venv of its own: its pinned dependencies would fight careloop's.
$(CHECKOV):
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet checkov

test: $(BIN)/.installed $(CHECKOV)
	$(BIN)/python -m pytest -q

bundle: $(BIN)/.installed
	$(BIN)/python scripts/bundle.py

bench: $(BIN)/.installed
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/coldstart.py
	$(BIN)/python bench/store.py
	$(BIN)/python bench/sheets.py
	$(BIN)/python bench/survey.py

clean:
	rm -rf $(VENV) .venv-checkov demo preview.html dist test-artifacts
