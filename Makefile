# Two commands for a fresh clone: `make refresh` and `make test`. Both create the environment
# from the lock file when it is missing or stale.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: refresh test env lint sample-data reference-seeds dagster-dev

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)
	@# The dbt manifest Dagster reads its asset graph from (re-parsed later only when dbt files change).
	$(BIN)/python -c "from orchestration.lib.dbt_project import ensure_manifest; ensure_manifest()"

env: $(STAMP)

refresh: $(STAMP)
	$(BIN)/warehouse refresh
	$(BIN)/warehouse report

test: lint
	$(BIN)/python -m pytest

# Lint, format and type checks: part of `make test`, so CI runs them.
lint: $(STAMP)
	$(BIN)/ruff check orchestration expectations scripts tests benchmarks
	$(BIN)/ruff format --check orchestration expectations scripts tests benchmarks
	$(BIN)/mypy

sample-data: $(STAMP)
	$(BIN)/python scripts/generate_sample_returns.py
	$(BIN)/python scripts/generate_home_office_sample.py

reference-seeds: $(STAMP)
	$(BIN)/python scripts/build_reference_seeds.py

# Run history in .dagster_home/, with the instance settings of dagster.yaml (one writer run at a time).
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
dagster-dev: $(STAMP)
	@mkdir -p $(DAGSTER_HOME) && test -f $(DAGSTER_HOME)/dagster.yaml || cp dagster.yaml $(DAGSTER_HOME)/
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev
