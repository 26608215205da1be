# `make release` builds dist/; `make test` is the gate, and CI (.ci/run) adds `make test-slow`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps
# One stamp per lock file, so editing either reinstalls from it. The release one keeps its old name:
# CI sets up the base branch's azru with `make .venv/.installed`.
RELEASE := $(VENV)/.installed
TESTING := $(VENV)/.installed-test
ARCHIVE ?= $(or $(AZRU_ARCHIVE),$(wildcard ../shared/seeds))
PYTEST := AZRU_ARCHIVE=$(ARCHIVE) $(BIN)/pytest -q

.PHONY: release test test-slow test-thorough lint types schemas validate bench bytecode clean

$(RELEASE): requirements/release.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements/release.txt
	$(PIP) --no-build-isolation -e .
	touch $@

$(TESTING): $(RELEASE) requirements/test.txt
	$(PIP) -r requirements/test.txt
	touch $@

# azru's own modules compiled ahead, as an environment with PYTHONDONTWRITEBYTECODE would otherwise compile
# them anew on every run (a fifth of a validation of this package); only changed files are recompiled
bytecode: $(RELEASE)
	$(BIN)/python -m compileall -q scripts/azru

schemas: $(RELEASE)
	$(BIN)/azru schemas

validate: bytecode
	$(BIN)/azru validate . $(if $(ARCHIVE),--archive $(ARCHIVE))
	$(BIN)/frictionless validate datapackage.json

release: validate
	$(BIN)/azru build . --out dist $(if $(ARCHIVE),--archive $(ARCHIVE))

lint: $(TESTING)
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests

types: $(TESTING)
	$(BIN)/mypy

test: lint types bytecode
	HYPOTHESIS_PROFILE=ci $(PYTEST) -m "not slow"

# the tests marked slow (pyproject.toml says which); an empty tier is no failure
test-slow: $(TESTING) bytecode
	HYPOTHESIS_PROFILE=ci $(PYTEST) -m slow || [ $$? -eq 5 ]

test-thorough: $(TESTING) bytecode
	HYPOTHESIS_PROFILE=thorough $(PYTEST)

bench: $(RELEASE)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf dist .hypothesis .mypy_cache .ruff_cache
