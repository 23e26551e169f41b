# One command runs the server, one runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
PORT   ?= 4566
FUZZ_PER_FAMILY ?= 10000
FUZZ_SEED ?= $(shell date +%s)

.PHONY: serve test fuzz coverage bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Sources are byte-compiled once here: a server start then reads .pyc files even where PYTHONDONTWRITEBYTECODE is set.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/python -m compileall -q src
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q src
	touch $@ $(STAMP)

serve: $(STAMP)
	$(BIN)/rootplane serve --port $(PORT)

test: $(DEVSTAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Hostile input: FUZZ_PER_FAMILY malformed requests per protocol family; zero 5xx, healthy, memory bounded.
fuzz: $(DEVSTAMP)
	$(BIN)/python tests/fuzz/run.py --per-family $(FUZZ_PER_FAMILY) --seed $(FUZZ_SEED)

coverage: $(STAMP)
	$(BIN)/rootplane coverage > docs/coverage.md

bench: $(DEVSTAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .rootplane
