# Front Desk: the two commands (run, test) and the developer extras (bench, screenshots, documents, lint).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# pytest-xdist workers for make test: one per core (PYTEST_WORKERS=0 runs in one process).
PYTEST_WORKERS ?= auto

.PHONY: run test lint bench screenshots documents clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Front Desk needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/frontdesk

lint: $(TEST_STAMP)
	$(BIN)/ruff check frontdesk tests tools $(wildcard bench)
	$(BIN)/ruff format --check frontdesk tests tools $(wildcard bench)
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

bench: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

screenshots: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tools.screenshots docs/screenshots

documents: $(STAMP)
	$(BIN)/python -m tools.documents docs/documents

clean:
	rm -rf $(VENV) build *.egg-info
