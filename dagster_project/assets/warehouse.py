"""The dbt project as Dagster assets: staging, intermediate and marts, with dbt tests as checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from dagster_project.resources import WarehouseResource, dbt_project
from dagster_project.resources.dbt_artifacts import (
    prune_run_targets,
    run_target_path,
    runs_kept,
)

SOURCE_ASSETS = {
    "parsed": dg.AssetKey("parsed_reports"),
    "reference": dg.AssetKey("reporting_units"),
}
"""dbt sources that Dagster assets produce, by dbt source name."""


class WarehouseTranslator(DagsterDbtTranslator):
    """Keys dbt nodes by schema folder and name, and groups them by the dbt layer they sit in."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            source_name = dbt_resource_props["source_name"]
            if source_name in SOURCE_ASSETS:
                return SOURCE_ASSETS[source_name]
            return dg.AssetKey(["sources", dbt_resource_props["name"]])
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else self.layer_of(dbt_resource_props)
        return dg.AssetKey([layer, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return self.layer_of(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:data-engineering"]

    @staticmethod
    def layer_of(dbt_resource_props: Mapping[str, Any]) -> str:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        if len(fqn) > 3 and fqn[1] == "marts" and fqn[2] == "quality":
            return "quality"  # findings, completeness and the rule catalogue
        return fqn[1] if len(fqn) > 2 else "warehouse"


translator = WarehouseTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


def dbt_build_args(*, full_refresh: bool = False) -> list[str]:
    """The dbt command line for one build; kept pure so that its choices are unit-tested.

    dbt unit tests check the models' logic on fixed inputs, not the data: they run in the test
    suite (tests/dbt), not in every load, where they would cost seconds of start-up each night.
    """
    args = ["build", "--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    return args


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    """Rebuild incremental models from scratch."""


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="warehouse_dbt",
)
def warehouse_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
):
    settings = warehouse.export_dbt_env()
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    target_path = run_target_path(settings.home, context.run.run_id)
    yield from dbt.cli(
        dbt_build_args(full_refresh=config.full_refresh), context=context, target_path=target_path
    ).stream()
    removed = prune_run_targets(settings.home, runs_kept(), current=target_path)
    if removed:
        context.log.info(f"Removed the dbt artifacts of {len(removed)} older runs.")


def mart_keys() -> list[dg.AssetKey]:
    """Every asset the published file is made of: the dbt models in the marts layer."""
    return [key for key in warehouse_dbt.keys if key.path[0] == "marts"]
