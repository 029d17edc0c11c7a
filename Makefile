# Every target sets up .venv itself, so a fresh clone needs only `make mock` or `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

# make mock PORT=9000 SEED=7 PLAYERS=500 LOCALE=ru_RU FAULTS=fixtures/faults/flaky-network.yaml (unset ones fall back to MOCK_* or defaults)
PORT ?=
SEED ?=
PLAYERS ?=
LOCALE ?=
FAULTS ?=

# make conformance BASE_URL=http://127.0.0.1:8080 [ARGS="--only records.order --strict"]
BASE_URL ?=
ARGS ?=

.PHONY: mock test lint setup clean conformance bench

setup: $(READY)

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(READY)

mock: $(READY)
	@$(BIN)/python -m mockserver $(if $(PORT),--port $(PORT)) $(if $(SEED),--seed $(SEED)) \
		$(if $(PLAYERS),--players $(PLAYERS)) $(if $(LOCALE),--locale $(LOCALE)) \
		$(if $(FAULTS),--faults $(FAULTS))

conformance: $(READY)
	@test -n "$(BASE_URL)" || { echo "usage: make conformance BASE_URL=http://host:port"; exit 2; }
	$(BIN)/python -m conformance --base-url $(BASE_URL) $(ARGS)

# Our mock next to Stoplight Prism and the bare-stack ceiling; installs wrk and Prism if missing.
bench: $(READY)
	$(BIN)/python bench/bench.py

test: $(READY)
	$(BIN)/python -m pytest

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
