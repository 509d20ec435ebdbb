"""Dagster asset checks that run the expectation suites.

Parsed report sheets get warning checks: the parser has already quarantined bad reports, so a
failure there means the parser let something through and must be fixed, but publishing the
accepted reports is still right. Mart checks are blocking errors: the publish step sits
downstream of the marts, so nothing reaches BI tools until every one of them passes.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dagster_project.quality.frames import SHEETS, TableMissing, read_mart, read_parsed_sheet
from dagster_project.quality.suites import load_suite_dict, suite_tables
from dagster_project.quality.validation import ValidationOutcome, validate_frame
from dagster_project.resources.warehouse import WarehouseResource

PARSED_ASSET = dg.AssetKey("parsed_reports")
MART_FAMILIES = ("admissions", "organisations", "indicators", "completeness")


def outcome_result(
    outcome: ValidationOutcome, *, suite_name: str, severity: dg.AssetCheckSeverity
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
        metadata["data_docs"] = dg.MetadataValue.url(outcome.docs_url)
    return dg.AssetCheckResult(passed=outcome.success, severity=severity, metadata=metadata)


def missing_result(
    error: Exception, *, suite_name: str, severity: dg.AssetCheckSeverity
) -> dg.AssetCheckResult:
    """A table that is not there fails its check, naming what was looked for and where."""
    return dg.AssetCheckResult(
        passed=False,
        severity=severity,
        metadata={"suite": suite_name, "error": str(error)},
        description=str(error),
    )


def run_sheet_check(sheet: str, parsed_dir: Path, docs_dir: Path | None) -> dg.AssetCheckResult:
    """Validate one parsed sheet over every accepted report version."""
    severity = dg.AssetCheckSeverity.WARN
    try:
        frame = read_parsed_sheet(parsed_dir, sheet)
    except TableMissing as error:
        return missing_result(error, suite_name=sheet, severity=severity)
    outcome = validate_frame(sheet, frame, docs_dir=docs_dir)
    return outcome_result(outcome, suite_name=sheet, severity=severity)


def run_mart_check(
    family: str, table: str, build_db: Path, docs_dir: Path | None
) -> dg.AssetCheckResult:
    """Validate one mart table of the build database against its family suite."""
    severity = dg.AssetCheckSeverity.ERROR
    suite_name = f"{family}.{table}"
    try:
        frame = read_mart(build_db, table)
    except TableMissing as error:
        return missing_result(error, suite_name=suite_name, severity=severity)
    outcome = validate_frame(suite_name, frame, docs_dir=docs_dir)
    return outcome_result(outcome, suite_name=suite_name, severity=severity)


def _sheet_check(sheet: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=PARSED_ASSET,
        name=f"gx_{sheet}",
        blocking=False,
        description=load_suite_dict(sheet).get("meta", {}).get("notes"),
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = warehouse.settings()
        return run_sheet_check(sheet, settings.parsed_dir, settings.gx_docs_dir)

    return _check


def _mart_check(family: str, table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["marts", table]),
        name=f"gx_{family}",
        blocking=True,
        description=(
            f"Great Expectations suite expectations/{family}.json (table {table}); "
            "blocks publishing when it fails."
        ),
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = warehouse.settings()
        return run_mart_check(family, table, settings.build_db, settings.gx_docs_dir)

    return _check


def build_quality_checks() -> list[dg.AssetChecksDefinition]:
    """Every GX check: one per parsed sheet, one per mart table a family suite covers."""
    checks = [_sheet_check(sheet) for sheet in SHEETS]
    for family in MART_FAMILIES:
        checks.extend(_mart_check(family, table) for table in suite_tables(family))
    return checks
