"""Publish the audited marts to the file BI tools read, by one atomic rename."""

import json

import dagster as dg

from dagster_project.assets.warehouse import mart_keys
from dagster_project.load_plan import build_inputs_fingerprint, record_build
from dagster_project.publish import publish_marts
from dagster_project.resources import WarehouseResource
from dagster_project.settings import DBT_PROJECT_DIR


def dbt_test_summary() -> dict:
    """Counts of dbt results by status from the last dbt invocation's run_results.json."""
    path = DBT_PROJECT_DIR / "target" / "run_results.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    summary: dict[str, int] = {}
    for result in results:
        status = str(result.get("status"))
        summary[status] = summary.get(status, 0) + 1
    return summary


@dg.asset(
    group_name="publish",
    deps=mart_keys(),
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    description=(
        "The published warehouse (schema `marts`) that BI tools read: a fresh DuckDB file "
        "swapped in atomically after every blocking check passed. Unchanged marts are not "
        "republished."
    ),
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = warehouse.settings()
    fingerprint = build_inputs_fingerprint(settings)
    result = publish_marts(
        settings.build_db,
        settings.published_db,
        check_summary={"dbt": dbt_test_summary()},
        run_id=context.run.run_id,
    )
    record_build(settings, fingerprint)
    if result.changed:
        context.log.info(f"Published version {result.version} to {result.path}")
    else:
        context.log.info(f"Marts unchanged; version {result.version} stays published.")
    table = "\n".join(f"| {name} | {count:,} |" for name, count in result.row_counts.items())
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "version": result.version,
            "changed": result.changed,
            "row_counts": dg.MetadataValue.md("| table | rows |\n|---|---|\n" + table),
        }
    )
