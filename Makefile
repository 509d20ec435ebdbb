# The two commands a newcomer needs: `make demo` (set up, load the bundled sample reports,
# publish the warehouse) and `make test` (set up, run the tests). Only python3 (3.11), git and
# make are required; every Python dependency comes from uv.lock.
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
MANIFEST := dbt/target/manifest.json
# dagster-dbt looks for `dbt` on PATH.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup demo test ui lint format docs bench clean bi

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode is compiled once at install: every `tcd` command, dbt run and parse worker imports
# thousands of modules, and where PYTHONDONTWRITEBYTECODE is set Python would otherwise compile
# them from source in every process (seconds each).
$(BIN)/tcd: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

$(MANIFEST): $(BIN)/tcd $(shell find dbt -name '*.sql' -o -name '*.yml' -o -name '*.csv' | grep -v '^dbt/target')
	$(BIN)/dagster-dbt project prepare-and-package --file dagster_project/resources/dbt_project.py
	@touch $@

setup: $(BIN)/tcd $(MANIFEST)
	@$(BIN)/python -m compileall -q dagster_project tcd_samples benchmarks

demo: setup
	$(BIN)/tcd load --demo-key

test: setup
	$(BIN)/pytest -n 2 --dist loadscope --durations=15

# The UI for the demo: runs it starts fall back to the public demo key when TCD_PSEUDONYM_KEY
# (environment or .env) is unset, as `make demo` does.
ui: setup
	$(BIN)/tcd ui --demo-key

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix dbt

docs: setup
	cd dbt && ../$(BIN)/dbt docs generate --profiles-dir . && ../$(BIN)/dbt docs serve --profiles-dir . --host 127.0.0.1 --port 8080

bench: setup
	$(BIN)/python benchmarks/parse_throughput.py

# Superset in its own environment, read-only on the published file, with the dashboard of bi/
# imported; every chart is rendered through the API before it serves on 127.0.0.1:$(BI_PORT).
# Not part of CI (it installs Superset from the registry). Run `make demo` first.
BI_HOME ?= data/bi
BI_VENV ?= $(BI_HOME)/venv
BI_PORT ?= 8088
PUBLISHED ?= data/published/warehouse.duckdb

$(BI_VENV)/bin/superset: bi/requirements.txt
	$(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bi/requirements.txt
	@touch $@

bi: $(BI_VENV)/bin/superset
	$(BI_VENV)/bin/python bi/superset_bi.py up --published $(PUBLISHED) --home $(BI_HOME) --port $(BI_PORT)

clean:
	rm -rf $(VENV) $(TOOLS) dbt/target dbt/logs data
