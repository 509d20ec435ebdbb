"""Pull reports from the reporting units, land them, and parse each new version to Parquet.

Parsing writes files only and never opens the warehouse, so report versions parse in parallel
without DuckDB lock contention.
"""

import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq

from dagster_project.ingest import Landing, LandingEntry, load_registry, pull_all, write_reference
from dagster_project.partitions import report_partitions
from dagster_project.reports import (
    ReportMeta,
    parse_report,
    pseudonym_key_from_env,
    write_empty_schemas,
    write_parsed,
)
from dagster_project.resources import WarehouseResource

GROUP = "sources"


class PullConfig(dg.Config):
    """Run-time choice of where reports come from."""

    inbox: str = ""
    """A drop folder of report files to load instead of the registry's pull locations."""


@dg.asset(
    group_name=GROUP,
    kinds={"yaml", "parquet"},
    owners=["team:data-engineering"],
    description=(
        "Registry of reporting units (sources/registry.yaml), validated and exported as Parquet "
        "for dbt: codes, names, aliases, kinds, parents, validity and the 2025 crosswalk."
    ),
)
def reporting_units(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.Output:
    settings = warehouse.settings()
    settings.ensure_dirs()
    registry = load_registry(settings.registry_path)
    write_reference(registry, settings.reference_dir)
    kinds = Counter(unit.kind for unit in registry.units)
    return dg.Output(
        None,
        metadata={
            "units": len(registry.units),
            "reporting_units": sum(1 for unit in registry.units if unit.reports),
            "by_kind": dg.MetadataValue.json(dict(kinds)),
            "registry": dg.MetadataValue.path(str(settings.registry_path)),
        },
    )


@dg.asset(
    group_name=GROUP,
    deps=[reporting_units],
    kinds={"python"},
    owners=["team:data-engineering"],
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    description=(
        "Report files pulled from each unit's location (or a drop folder) into the immutable "
        "landing area, keyed by SHA-256. Files seen before are skipped."
    ),
)
def landed_reports(
    context: dg.AssetExecutionContext, config: PullConfig, warehouse: WarehouseResource
) -> dg.Output:
    settings = warehouse.settings()
    settings.ensure_dirs()
    registry = load_registry(settings.registry_path)
    inbox = Path(config.inbox).expanduser().resolve() if config.inbox else None
    result = pull_all(registry, settings.home, inbox=inbox)
    for rejection in result.rejected:
        context.log.warning(
            f"{rejection.file_name} ({rejection.source_uri}): {rejection.reason_vi} / "
            f"{rejection.reason_en}"
        )
    total = len(Landing(settings.home).entries())
    rows = "\n".join(
        f"| {e.report_id} | {e.file_name} | {e.size_bytes:,} | {e.source_uri} |"
        for e in result.landed
    )
    preview = (
        "| report | file | bytes | source |\n|---|---|---|---|\n" + rows
        if rows
        else "No new report files."
    )
    return dg.Output(
        None,
        metadata={
            "landed": len(result.landed),
            "skipped_already_landed": result.skipped,
            "rejected": len(result.rejected),
            "report_versions_on_record": total,
            "new_files": dg.MetadataValue.md(preview),
            "source": "inbox " + str(inbox) if inbox else "registry locations",
        },
    )


def _parse_one(
    path: str, meta: ReportMeta, key: bytes, out_dir: str
) -> tuple[str, int, int, dict[str, int]]:
    result = parse_report(Path(path), meta, key)
    write_parsed(result, Path(out_dir))
    rules = Counter(result.findings.column("rule_code").to_pylist())
    return meta.report_id, result.error_count, result.warning_count, dict(rules)


def parse_pending(
    landing: Landing,
    parsed_dir: Path,
    key: bytes,
    names_for,
    *,
    selected: set[tuple[str, str]] | None = None,
    reparse: bool = False,
    workers: int | None = None,
) -> list[tuple[str, int, int, dict[str, int]]]:
    """Parse landed versions that have no parsed folder yet, in parallel processes.

    ``selected`` limits the work to some (period, unit) pairs; ``reparse`` parses them again
    even if parsed before (after a parser fix, say).
    """
    write_empty_schemas(parsed_dir / "_schema")
    pending: list[tuple[LandingEntry, ReportMeta]] = []
    for entry in landing.entries():
        if selected is not None and (entry.period_code, entry.unit_code) not in selected:
            continue
        if not reparse and (parsed_dir / entry.report_id / "report.parquet").exists():
            continue
        meta = ReportMeta(
            report_id=entry.report_id,
            unit_code=entry.unit_code,
            period_code=entry.period_code,
            version=entry.version,
            sha256=entry.sha256,
            file_name=entry.file_name,
            source_uri=entry.source_uri,
            received_at=entry.received_at,
            unit_names=names_for(entry.unit_code),
        )
        pending.append((entry, meta))
    if not pending:
        return []
    workers = workers or min(len(pending), os.cpu_count() or 1)
    args = [(str(landing.path_of(e)), m, key, str(parsed_dir / m.report_id)) for e, m in pending]
    if workers <= 1 or len(pending) == 1:
        return [_parse_one(*a) for a in args]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_parse_one, *zip(*args, strict=True)))


def selected_partitions(context: dg.AssetExecutionContext) -> set[tuple[str, str]] | None:
    """The (period, unit) pairs this run covers; None when it covers every partition."""
    if not context.has_partition_key_range and not context.has_partition_key:
        return None
    keys = context.partition_keys
    if len(keys) >= len(report_partitions.get_partition_keys()):
        return None  # a full load also parses reports outside the partition key space
    pairs = set()
    for key in keys:
        period, unit = str(key).split("|", 1)
        pairs.add((period, unit))
    return pairs


def summary_preview(parsed_dir: Path, report_ids: list[str], limit: int = 3) -> str:
    """A markdown table of each new report's own summary (TongHop), for a glance in the UI."""
    parts = []
    for report_id in report_ids[:limit]:
        table = pq.read_table(
            parsed_dir / report_id / "tong_hop.parquet",
            columns=["indicator_code", "label", "reported_value"],
        ).to_pylist()
        rows = "\n".join(
            f"| {row['indicator_code'] or '⚠ ' + row['label']} | {row['reported_value']} |"
            for row in table
        )
        parts.append(f"**{report_id}**\n\n| indicator | value |\n|---|---:|\n{rows}")
    if len(report_ids) > limit:
        parts.append(f"... and {len(report_ids) - limit} more report versions.")
    return "\n\n".join(parts) if parts else "No report parsed in this run."


class ParseConfig(dg.Config):
    reparse: bool = False
    """Parse the selected partitions' report versions again, even those parsed before."""


@dg.asset(
    group_name=GROUP,
    deps=[landed_reports],
    partitions_def=report_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"python", "parquet"},
    owners=["team:data-engineering"],
    description=(
        "Every landed report version parsed to Parquet (summary, admissions, organisations, "
        "findings) with provenance. Names are dropped, CCCDs pseudonymised, birth dates cut to "
        "years. Versions already parsed are not parsed again."
    ),
)
def parsed_reports(
    context: dg.AssetExecutionContext, config: ParseConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = warehouse.settings()
    settings.ensure_dirs()
    key = pseudonym_key_from_env(allow_demo=warehouse.allow_demo_key)
    registry = load_registry(settings.registry_path)
    selected = selected_partitions(context)
    context.log.info(
        "Parsing every partition"
        if selected is None
        else f"Parsing {len(selected)} (period, unit) partitions"
        + (", again" if config.reparse else "")
    )
    outcomes = parse_pending(
        Landing(settings.home),
        settings.parsed_dir,
        key,
        registry.names_for,
        selected=selected,
        reparse=config.reparse,
    )
    by_rule: Counter[str] = Counter()
    for _, _, _, rules in outcomes:
        by_rule.update(rules)
    refused = [rid for rid, errors, _, _ in outcomes if errors]
    for rid in refused:
        context.log.warning(f"Report {rid} has error findings and will be quarantined.")
    table = "\n".join(f"| {rule} | {count} |" for rule, count in by_rule.most_common())
    parsed_total = sum(
        1
        for folder in settings.parsed_dir.iterdir()
        if folder.name != "_schema" and (folder / "report.parquet").exists()
    )
    admissions = sum(
        pq.read_metadata(settings.parsed_dir / rid / "ket_nap.parquet").num_rows
        for rid, *_ in outcomes
    )
    return dg.MaterializeResult(
        metadata={
            "parsed_now": len(outcomes),
            "with_errors": len(refused),
            "admission_rows_parsed_now": admissions,
            "report_versions_parsed_total": parsed_total,
            "findings_by_rule": dg.MetadataValue.md(
                "| rule | findings |\n|---|---|\n" + table if table else "No findings."
            ),
            "summary_preview": dg.MetadataValue.md(
                summary_preview(settings.parsed_dir, [rid for rid, *_ in outcomes])
            ),
        }
    )
