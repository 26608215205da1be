# One gate: `make test` is what CI runs; `make release` builds dist/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARCHIVE ?= $(or $(AZRU_ARCHIVE),$(wildcard ../shared/seeds))

.PHONY: release test test-thorough lint types schemas validate bench clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

schemas: $(STAMP)
	$(BIN)/azru schemas

validate: $(STAMP)
	$(BIN)/azru validate . $(if $(ARCHIVE),--archive $(ARCHIVE))
	$(BIN)/frictionless validate datapackage.json

release: validate
	$(BIN)/azru build . --out dist $(if $(ARCHIVE),--archive $(ARCHIVE))

lint: $(STAMP)
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests

types: $(STAMP)
	$(BIN)/mypy

test: lint types
	AZRU_ARCHIVE=$(ARCHIVE) HYPOTHESIS_PROFILE=ci $(BIN)/pytest -q

test-thorough: $(STAMP)
	AZRU_ARCHIVE=$(ARCHIVE) HYPOTHESIS_PROFILE=thorough $(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf dist .hypothesis .mypy_cache .ruff_cache
