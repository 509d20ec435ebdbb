"""Dagster asset checks that run the expectation suites.

Parsed report sheets get warning checks: the parser has already quarantined bad reports, so a
failure there means the parser let something through and must be fixed, but publishing the
accepted reports is still right. Mart checks are blocking errors: the publish step sits
downstream of the marts, so nothing reaches BI tools until every one of them passes.
"""

# No `from __future__ import annotations` here: Dagster inspects the check functions' `context`
# annotation at definition time and needs the class itself, not its name as a string.

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from dagster_project.partitions import run_periods
from dagster_project.quality.frames import (
    MART_SCHEMA,
    SHEETS,
    TableMissing,
    read_mart,
    read_parsed_sheet,
)
from dagster_project.quality.suites import load_suite_dict, suite_tables
from dagster_project.quality.validation import ValidationOutcome, validate_frame
from dagster_project.resources.warehouse import WarehouseResource

PARSED_ASSET = dg.AssetKey("parsed_reports")
MART_FAMILIES = ("admissions", "organisations", "indicators", "completeness")
SHEET_SEVERITY = dg.AssetCheckSeverity.WARN
MART_SEVERITY = dg.AssetCheckSeverity.ERROR


def outcome_result(
    outcome: ValidationOutcome,
    *,
    key: dg.AssetCheckKey,
    suite_name: str,
    severity: dg.AssetCheckSeverity,
) -> dg.AssetCheckResult:
    """Turn a validation into a check result whose metadata says exactly what failed."""
    metadata: dict[str, dg.RawMetadataValue] = {
        "suite": suite_name,
        "rows": outcome.row_count,
        "expectations_evaluated": outcome.evaluated,
        "expectations_failed": len(outcome.failed),
        "findings": dg.MetadataValue.md(outcome.findings_markdown()),
    }
    if outcome.failed:
        metadata["failed_expectations"] = dg.MetadataValue.json(outcome.failed)
    if outcome.skipped:
        metadata["skipped"] = dg.MetadataValue.md("\n".join(f"- {s}" for s in outcome.skipped))
    if outcome.docs_url:
        metadata["data_docs"] = dg.MetadataValue.url(outcome.docs_url)  # served by `tcd docs`
    if outcome.docs_path:
        metadata["data_docs_file"] = dg.MetadataValue.path(outcome.docs_path)
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=outcome.success,
        severity=severity,
        metadata=metadata,
    )


def missing_result(
    error: Exception, *, key: dg.AssetCheckKey, suite_name: str, severity: dg.AssetCheckSeverity
) -> dg.AssetCheckResult:
    """A table that is not there fails its check, naming what was looked for and where."""
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=False,
        severity=severity,
        metadata={"suite": suite_name, "error": str(error)},
        description=str(error),
    )


def sheet_check_key(sheet: str) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(PARSED_ASSET, f"gx_{sheet}")


def mart_check_key(family: str, table: str) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(dg.AssetKey([MART_SCHEMA, table]), f"gx_{family}")


def run_sheet_check(
    sheet: str,
    parsed_dir: Path,
    docs_dir: Path | None,
    periods: list[str] | None = None,
    run_name: str | None = None,
) -> dg.AssetCheckResult:
    """Validate one parsed sheet over the accepted report versions of some periods (or all)."""
    common = {"key": sheet_check_key(sheet), "suite_name": sheet, "severity": SHEET_SEVERITY}
    try:
        frame = read_parsed_sheet(parsed_dir, sheet, periods)
    except TableMissing as error:
        return missing_result(error, **common)
    outcome = validate_frame(sheet, frame, docs_dir=docs_dir, run_name=run_name)
    return outcome_result(outcome, **common)


def run_mart_check(
    family: str, table: str, build_db: Path, docs_dir: Path | None, run_name: str | None = None
) -> dg.AssetCheckResult:
    """Validate one mart table of the build database against its family suite."""
    suite_name = f"{family}.{table}"
    common = {
        "key": mart_check_key(family, table),
        "suite_name": suite_name,
        "severity": MART_SEVERITY,
    }
    try:
        frame = read_mart(build_db, table)
    except TableMissing as error:
        return missing_result(error, **common)
    outcome = validate_frame(suite_name, frame, docs_dir=docs_dir, run_name=run_name)
    return outcome_result(outcome, **common)


def _sheet_checks() -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(
            name=sheet_check_key(sheet).name,
            asset=PARSED_ASSET,
            blocking=False,
            description=load_suite_dict(sheet).get("meta", {}).get("notes"),
        )
        for sheet in SHEETS
    ]

    @dg.multi_asset_check(specs=specs, can_subset=True, name="gx_parsed_sheets")
    def gx_parsed_sheets(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        settings = warehouse.settings()
        periods = run_periods(context.run.tags)
        for sheet in SHEETS:
            if sheet_check_key(sheet) in context.selected_asset_check_keys:
                yield run_sheet_check(
                    sheet, settings.parsed_dir, settings.gx_docs_dir, periods, context.run.run_id
                )

    return gx_parsed_sheets


def _mart_tables() -> list[tuple[str, str]]:
    return [(family, table) for family in MART_FAMILIES for table in suite_tables(family)]


def _mart_checks() -> dg.AssetChecksDefinition:
    tables = _mart_tables()
    specs = [
        dg.AssetCheckSpec(
            name=mart_check_key(family, table).name,
            asset=mart_check_key(family, table).asset_key,
            blocking=True,
            description=(
                f"Great Expectations suite expectations/{family}.json for {table}; "
                "publishing waits until it passes."
            ),
        )
        for family, table in tables
    ]

    @dg.multi_asset_check(specs=specs, can_subset=True, name="gx_marts")
    def gx_marts(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        settings = warehouse.settings()
        for family, table in tables:
            if mart_check_key(family, table) in context.selected_asset_check_keys:
                yield run_mart_check(
                    family, table, settings.build_db, settings.gx_docs_dir, context.run.run_id
                )

    return gx_marts


def build_quality_checks() -> list[dg.AssetChecksDefinition]:
    """Every GX check: one per parsed sheet and one per mart table a family suite covers.

    Each group runs as one step, so Great Expectations is imported once per run rather than
    once per table; a run that builds only some marts runs only their checks.
    """
    return [_sheet_checks(), _mart_checks()]
