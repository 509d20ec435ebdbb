"""Every singular dbt test in dbt/tests/ is a Dagster asset check, blocking when it is an error."""

from __future__ import annotations

import json
import re
import subprocess

import dagster as dg
import pytest

from dagster_project.assets.warehouse import warehouse_dbt
from dagster_project.resources import dbt_project
from dagster_project.resources.dbt_project import DBT_EXECUTABLE, WarehouseDbtCli
from dagster_project.settings import DBT_PROJECT_DIR

SINGULAR_TESTS = sorted(path.stem for path in (DBT_PROJECT_DIR / "tests").glob("*.sql"))


def check_specs() -> dict[str, dg.AssetCheckSpec]:
    return {spec.name: spec for spec in warehouse_dbt.check_specs}


@pytest.mark.parametrize("test_name", SINGULAR_TESTS)
def test_a_singular_dbt_test_is_an_asset_check(test_name: str) -> None:
    spec = check_specs().get(test_name)
    assert spec is not None, f"dbt/tests/{test_name}.sql is not attached to a model"
    assert spec.blocking, f"{test_name} has severity error and must block the publish"


def test_the_personal_data_test_is_a_blocking_check_on_the_admissions() -> None:
    spec = check_specs()["assert_no_personal_data_in_marts"]
    assert spec.asset_key == dg.AssetKey(["marts", "fct_admissions"])
    assert spec.blocking


def test_the_personal_data_test_runs_after_every_mart() -> None:
    """It reads information_schema, so dbt orders it only by its depends_on comments."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    marts = {
        node_id
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }
    test = manifest["nodes"]["test.tcd_warehouse.assert_no_personal_data_in_marts"]
    missing = sorted(marts - set(test["depends_on"]["nodes"]))
    assert not missing, f"add `-- depends_on: {{{{ ref('...') }}}}` for {missing}"


def test_the_source_lists_every_mart_model_file() -> None:
    """The same completeness, read from the files, for a manifest not prepared yet."""
    sql = (DBT_PROJECT_DIR / "tests" / "assert_no_personal_data_in_marts.sql").read_text()
    listed = set(re.findall(r"depends_on: \{\{ ref\('(\w+)'\) \}\}", sql))
    models = {path.stem for path in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.sql")}
    assert models <= listed, sorted(models - listed)


def test_the_dbt_version_the_resource_states_is_what_its_dbt_executable_prints() -> None:
    """The resource reads the installed dbt-core's version instead of running ``dbt --version``
    before each command; it must be the version of the executable the commands run."""
    printed = subprocess.run(
        [DBT_EXECUTABLE, "--version"], capture_output=True, text=True, check=True
    ).stdout
    stated = WarehouseDbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)._cli_version
    assert re.search(rf"\bCore:\s+- installed: {re.escape(str(stated))}\b", printed), printed
