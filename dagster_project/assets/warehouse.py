"""The dbt project as Dagster assets: staging, intermediate and marts, with dbt tests as checks."""

import contextlib
import functools
import json
import multiprocessing
import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from dagster_project.jobs import REFERENCE_BUILT_TAG
from dagster_project.load_plan import kept_rows_stale
from dagster_project.resources import WarehouseResource, dbt_project
from dagster_project.resources.dbt_artifacts import (
    carry_partial_parse,
    prune_run_targets,
    run_target_path,
    runs_kept,
)
from dagster_project.resources.warehouse import INDIRECT_SELECTION_ENV

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


CHECK_LIBRARIES = ("great_expectations",)
"""Imported while dbt builds (a subprocess): the check steps that follow need them, and
importing Great Expectations costs about 5 s."""


def import_in_background(modules: tuple[str, ...]) -> None:
    """Import ``modules`` on a daemon thread. A step that needs one imports it as usual, waiting
    for this import if it is still under way; a failure here changes nothing. Started only while
    no process is forked from this one (the parse pool has finished): a fork during an import
    would leave the child a lock nobody releases."""
    import importlib
    import threading

    def run() -> None:
        for name in modules:
            with contextlib.suppress(Exception):  # the step's own import reports any error
                importlib.import_module(name)

    threading.Thread(target=run, name="tcd-preload", daemon=True).start()


@contextlib.contextmanager
def indirect_selection(mode: str | None) -> Iterator[None]:
    """dbt's test selection for subsets (``DBT_INDIRECT_SELECTION``) set for one dbt command."""
    if mode is None:
        yield
        return
    before = os.environ.get(INDIRECT_SELECTION_ENV)
    os.environ[INDIRECT_SELECTION_ENV] = mode
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(INDIRECT_SELECTION_ENV, None)
        else:
            os.environ[INDIRECT_SELECTION_ENV] = before


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    """Rebuild incremental models from scratch (also done unasked when their kept rows are
    stale: ``load_plan.kept_rows_stale``)."""


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
    if multiprocessing.parent_process() is None:
        # The steps that follow run in this process (`tcd load`'s in-process runs); a step of
        # a multiprocess run (the UI, the daemon) ends with dbt, and importing here would only
        # take CPU from dbt.
        import_in_background(CHECK_LIBRARIES)
    carry_partial_parse(settings.home, target_path)
    full_refresh = config.full_refresh or kept_rows_stale(settings)
    if full_refresh and not config.full_refresh:
        # Every run that builds comes here: a load, a backfill, the UI, a sensor's or schedule's.
        context.log.info(
            "The dbt project or the reference data changed since the last published build: "
            "the incremental models are built from scratch."
        )
    with indirect_selection(
        "eager" if context.run.tags.get(REFERENCE_BUILT_TAG) == "true" else None
    ):
        # A run without the reference-only models still runs the tests that reach into them
        # (relationships to the dimensions): those tables are built and current.
        yield from dbt.cli(
            dbt_build_args(full_refresh=full_refresh),
            context=context,
            target_path=target_path,
        ).stream()
    removed = prune_run_targets(settings.home, runs_kept(), current=target_path)
    if removed:
        context.log.info(f"Removed the dbt artifacts of {len(removed)} older runs.")


DATA_SOURCES = ("parsed", "pull", "gate")
"""dbt sources that change with every load: parsed reports, the pull's refusals, the gate."""


def reference_only_keys() -> set[dg.AssetKey]:
    """The dbt assets that read no report data, only the registry, seeds and targets: units,
    periods, indicators, codes and rules. A build whose reference inputs did not change since
    the last one leaves them (and their tests) out (``load_plan.LoadPlan.reference_built``)."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    nodes = {**manifest["nodes"], **manifest["sources"]}

    @functools.cache
    def reads_data(unique_id: str) -> bool:
        node = nodes.get(unique_id, {})
        if node.get("resource_type") == "source":
            return node["source_name"] in DATA_SOURCES
        return any(reads_data(parent) for parent in node.get("depends_on", {}).get("nodes", []))

    return {
        translator.get_asset_key(node)
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot") and not reads_data(unique_id)
    }


def mart_keys() -> list[dg.AssetKey]:
    """Every asset the published file is made of: the dbt models in the marts layer."""
    return [key for key in warehouse_dbt.keys if key.path[0] == "marts"]
