# One command runs the server, one runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
PORT   ?= 4566

.PHONY: serve test coverage bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(STAMP)

serve: $(STAMP)
	$(BIN)/rootplane serve --port $(PORT)

test: $(DEVSTAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

coverage: $(STAMP)
	$(BIN)/rootplane coverage > docs/coverage.md

bench: $(DEVSTAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .rootplane
