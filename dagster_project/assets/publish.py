"""Publish the audited marts to the file BI tools read, by one atomic rename."""

from pathlib import Path

import dagster as dg

from dagster_project.assets.warehouse import mart_keys
from dagster_project.housekeeping import HISTORY_DAYS_ENV, prune_history
from dagster_project.load_plan import build_inputs_fingerprint, record_build
from dagster_project.publish import publish_marts
from dagster_project.resources import WarehouseResource
from dagster_project.resources.dbt_artifacts import run_results_summary, run_target_path


def check_counts(instance: dg.DagsterInstance, run_id: str) -> dict[str, int]:
    """Asset checks evaluated in this run: how many ran, passed, warned and failed.

    A failed check of severity WARN counts as warned; one of severity ERROR as failed (a
    blocking one of those stops the publish, so a published run shows its non-blocking ones).
    Every blocking check has run by now; a non-blocking one that does not depend on the marts
    may still be running in parallel and is then not counted.
    """
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
    ).records
    counts = {"run": 0, "passed": 0, "warned": 0, "failed": 0}
    for record in records:
        evaluation = record.event_log_entry.dagster_event.asset_check_evaluation_data
        counts["run"] += 1
        if evaluation.passed:
            counts["passed"] += 1
        elif evaluation.severity == dg.AssetCheckSeverity.WARN:
            counts["warned"] += 1
        else:
            counts["failed"] += 1
    return counts


def check_summary(instance: dg.DagsterInstance, run_id: str, home: Path) -> dict:
    """What the publish log records: this run's checks, and its dbt results by status."""
    return {
        "checks": check_counts(instance, run_id),
        "dbt": run_results_summary(run_target_path(home, run_id)),
    }


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
    summary = check_summary(context.instance, context.run.run_id, settings.home)
    result = publish_marts(
        settings.build_db,
        settings.published_db,
        check_summary=summary,
        run_id=context.run.run_id,
    )
    record_build(settings, fingerprint)
    if result.changed:
        context.log.info(f"Published version {result.version} to {result.path}")
    else:
        context.log.info(f"Marts unchanged; version {result.version} stays published.")
    pruned = prune_history(context.instance, settings.gx_docs_dir, keep_run=context.run.run_id)
    if pruned.runs or pruned.validations:
        context.log.info(
            f"Removed {pruned.runs} old runs and {pruned.validations} old validations "
            f"({HISTORY_DAYS_ENV})."
        )
    table = "\n".join(f"| {name} | {count:,} |" for name, count in result.row_counts.items())
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "version": result.version,
            "changed": result.changed,
            "checks": dg.MetadataValue.json(summary),
            "row_counts": dg.MetadataValue.md("| table | rows |\n|---|---|\n" + table),
        }
    )
