# jili: two entry points for people — `make run` and `make test`. Everything else is plumbing.
# Debian's own python3.11 (linked statically, profile-optimised) ran jili's benchmarks ~20% faster than
# pyenv's --enable-shared build on the same machine. Any other interpreter with venv support is the fallback.
PY       ?= /usr/bin/python3.11
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
DATA_DIR ?= data

.PHONY: run test test-heavy test-postgresql bench-postgresql setup system lint bench clean
PYTEST_ARGS ?= -m "not heavy"

run: setup
	$(BIN)/jili demo --data-dir $(DATA_DIR)

test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

# Crash recovery (SIGKILL mid-batch), 20-client load and OpenAPI fuzzing against real servers: minutes.
test-heavy: setup
	$(BIN)/pytest -m heavy -s

# The whole suite again on PostgreSQL: a throwaway cluster (installed from Debian when missing, run as the
# postgres user on a socket in a temp folder), one schema per data directory, stopped however the run ends.
PG_DIR ?= /tmp/jili-pg-$(shell id -u)
test-postgresql: setup
	bash scripts/pg.sh stop $(PG_DIR)
	url=$$(bash scripts/pg.sh start $(PG_DIR)) && trap 'bash scripts/pg.sh stop $(PG_DIR)' EXIT && \
	  JILI_DATABASE_URL="$$url&schema=auto" $(BIN)/pytest -p no:cacheprovider $(PG_PYTEST_ARGS)
PG_PYTEST_ARGS ?=

# 1,000,000 passages on SQLite and on a throwaway PostgreSQL (shared_buffers a quarter of RAM), side by side
bench-postgresql: setup
	bash scripts/pg.sh stop $(PG_DIR)
	url=$$(PG_SHARED_BUFFERS=6GB bash scripts/pg.sh start $(PG_DIR)) && trap 'bash scripts/pg.sh stop $(PG_DIR)' EXIT && \
	  $(BIN)/python bench/bench_scale.py --pg "$$url"

setup: $(STAMP)

# System packages (LibreOffice for .doc/.wps, a CJK font for rendering PDFs to OCR them).
system:
	bash scripts/setup-system.sh

# setup.py compiles these with mypyc: editing one rebuilds (the compiled module shadows the .py)
COMPILED := $(shell sed -n 's/^    "\([a-z]*\/[a-z_]*\.py\)",.*$$/\1/p' setup.py)

$(STAMP): pyproject.toml setup.py scripts/setup-system.sh $(COMPILED)
	bash scripts/setup-system.sh
	test -x $(BIN)/python || $$(for p in $(PY) python3.11 python3; do \
	  command -v $$p >/dev/null && $$p -c 'import ensurepip' 2>/dev/null && { command -v $$p; break; }; done) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# end to end through `jili serve` beside pdfplumber alone (prints the ratio), then each stage on its own
bench: setup
	$(BIN)/python bench/bench_service.py
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_ofd.py
	$(BIN)/python bench/bench_tokenize.py
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_classify.py
	$(BIN)/python bench/bench_search.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache *.so */*.so
