# jili: two entry points for people — `make run` and `make test`. Everything else is plumbing.
PY       ?= python3.11
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
DATA_DIR ?= data

.PHONY: run test setup system lint bench clean

run: setup
	$(BIN)/jili demo --data-dir $(DATA_DIR)

test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

setup: $(STAMP)

# System packages (LibreOffice for .doc/.wps, a CJK font for rendering PDFs to OCR them).
system:
	bash scripts/setup-system.sh

$(STAMP): pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(BIN)/python || $$(command -v $(PY) || command -v python3) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/bench_ingest.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
