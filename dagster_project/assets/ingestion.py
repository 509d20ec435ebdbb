"""Pull reports from the reporting units, land them, and parse each new version to Parquet.

Parsing writes files only and never opens the warehouse, so report versions parse in parallel
without DuckDB lock contention.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from dagster_project.ingest import Landing, LandingEntry, load_registry, pull_all, write_reference
from dagster_project.partitions import period_partitions
from dagster_project.processes import starmap
from dagster_project.reports import ReportMeta, parse_report, pseudonym_key_from_env
from dagster_project.reports.output import ParsedStore, new_batch_id
from dagster_project.resources import WarehouseResource

GROUP = "sources"
PARSED_BATCHES_KEY = "parsed_batches"
"""Metadata key of the batches a parse step wrote, ``{period: [batch_id, ...]}``: the sheet
checks of the same run validate exactly those report versions, not whole periods."""
REFUSED_KEY = "refused"
"""Metadata key of what a step refused or could not read, one sentence each: the load's
summary prints every such sentence of the run (files and portals the pull refused, damaged
landing objects the parse skipped)."""


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
        context.log.warning(f"{rejection.rule_code} {rejection.message}")
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
            REFUSED_KEY: dg.MetadataValue.json(
                [f"{r.rule_code} {r.message}" for r in result.rejected]
            ),
            "failed_locations": dg.MetadataValue.json(
                sorted({r.source_uri for r in result.rejected if not r.file_name})
            ),
            "report_versions_on_record": total,
            "new_files": dg.MetadataValue.md(preview),
            "source": "inbox " + str(inbox) if inbox else "registry locations",
        },
    )


@dataclass(frozen=True)
class ParseOutcome:
    """What parsing one report version gave, for the run's metadata and log."""

    report_id: str
    period_code: str
    errors: int
    warnings: int
    admissions: int
    rules: dict[str, int]
    batch_id: str = ""
    """The batch the version's rows were written in."""


def _parse_chunk(
    paths: list[str], metas: list[ReportMeta], key: bytes, parsed_dir: str, period: str, batch: str
) -> list[ParseOutcome]:
    """Parse a chunk of one period's report versions and write them as one batch."""
    results = [parse_report(Path(p), m, key) for p, m in zip(paths, metas, strict=True)]
    ParsedStore(Path(parsed_dir)).write_batch(period, results, batch)
    return [
        ParseOutcome(
            report_id=meta.report_id,
            period_code=period,
            errors=result.error_count,
            warnings=result.warning_count,
            admissions=result.ket_nap.num_rows,
            rules=dict(Counter(result.findings.column("rule_code").to_pylist())),
            batch_id=batch,
        )
        for meta, result in zip(metas, results, strict=True)
    ]


def report_meta(entry: LandingEntry, unit_names: tuple[str, ...] = ()) -> ReportMeta:
    """What the parser is told about a landed version before it opens the file."""
    return ReportMeta(
        report_id=entry.report_id,
        unit_code=entry.unit_code,
        period_code=entry.period_code,
        version=entry.version,
        sha256=entry.sha256,
        file_name=entry.file_name,
        source_uri=entry.source_uri,
        received_at=entry.received_at,
        unit_names=unit_names,
    )


CHUNK_SIZE = 250
"""Report versions per batch: bounds each worker's memory and the number of files per load."""


def parse_pending(
    landing: Landing,
    parsed_dir: Path,
    key: bytes,
    names_for,
    *,
    periods: set[str] | None = None,
    reparse: bool = False,
    workers: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    damaged: list[str] | None = None,
) -> list[ParseOutcome]:
    """Parse landed versions not parsed yet, in batches across processes.

    ``periods`` limits the work to some periods; ``reparse`` parses their versions again even if
    parsed before (after a parser fix, say): the new batch supersedes the old rows. A version
    whose landing object no longer holds the bytes landed is not parsed (its earlier rows stand);
    the sentence naming it is appended to ``damaged``.
    """
    store = ParsedStore(parsed_dir)
    with store.lock():
        store.ensure_schema()
        parsed = set() if reparse else store.parsed_report_ids()
        by_period: dict[str, list[tuple[LandingEntry, ReportMeta]]] = {}
        for entry in landing.entries():
            if periods is not None and entry.period_code not in periods:
                continue
            if entry.report_id in parsed:
                continue
            problem = landing.damage(entry)
            if problem is not None:
                if damaged is not None:
                    damaged.append(problem)
                continue
            meta = report_meta(entry, names_for(entry.unit_code))
            by_period.setdefault(entry.period_code, []).append((entry, meta))
        if not by_period:
            return []
        batch_stamp = new_batch_id()
        tasks = []
        for period, items in sorted(by_period.items()):
            for number, start in enumerate(range(0, len(items), chunk_size)):
                chunk = items[start : start + chunk_size]
                tasks.append(
                    (
                        [str(landing.path_of(e)) for e, _ in chunk],
                        [m for _, m in chunk],
                        key,
                        str(parsed_dir),
                        period,
                        f"{batch_stamp}-{number:04d}",
                    )
                )
        chunks = starmap(_parse_chunk, tasks, workers)
        for period in by_period:
            store.compact(period, force=reparse)
    return [outcome for chunk in chunks for outcome in chunk]


def selected_periods(context: dg.AssetExecutionContext) -> set[str] | None:
    """The periods this run covers; None when it covers every partition."""
    if not context.has_partition_key_range and not context.has_partition_key:
        return None
    keys = list(context.partition_keys)
    if len(keys) >= len(period_partitions.get_partition_keys()):
        return None  # a full load also parses reports outside the partition key space
    return set(keys)


def summary_preview(
    store: ParsedStore, period_code: str, report_ids: list[str], limit: int = 3
) -> str:
    """A markdown table of each new report's own summary (TongHop), for a glance in the UI."""
    shown = report_ids[:limit]
    rows = store.read(
        "tong_hop",
        shown,
        columns=["report_id", "indicator_code", "label", "reported_value"],
        period_code=period_code,
    ).to_pylist()
    parts = []
    for report_id in shown:
        lines = "\n".join(
            f"| {row['indicator_code'] or '⚠ ' + row['label']} | {row['reported_value']} |"
            for row in rows
            if row["report_id"] == report_id
        )
        parts.append(f"**{report_id}**\n\n| indicator | value |\n|---|---:|\n{lines}")
    if len(report_ids) > limit:
        parts.append(f"... and {len(report_ids) - limit} more report versions.")
    return "\n\n".join(parts) if parts else "No report parsed in this run."


def parsed_batches(outcomes: list[ParseOutcome]) -> dict[str, list[str]]:
    """The batches written, by period (what ``PARSED_BATCHES_KEY`` carries)."""
    batches: dict[str, set[str]] = {}
    for outcome in outcomes:
        batches.setdefault(outcome.period_code, set()).add(outcome.batch_id)
    return {period: sorted(ids) for period, ids in sorted(batches.items())}


def _findings_table(by_rule: Counter[str]) -> str:
    table = "\n".join(f"| {rule} | {count} |" for rule, count in by_rule.most_common())
    return "| rule | findings |\n|---|---|\n" + table if table else "No findings."


class ParseConfig(dg.Config):
    reparse: bool = False
    """Parse the selected periods' report versions again, even those parsed before."""


@dg.asset(
    group_name=GROUP,
    deps=[landed_reports],
    partitions_def=period_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"python", "parquet"},
    owners=["team:data-engineering"],
    description=(
        "Every landed report version parsed to Parquet (summary, admissions, organisations, "
        "findings) with provenance, in batches per period. Names are dropped, CCCDs "
        "pseudonymised, birth dates cut to years. Versions already parsed are not parsed again. "
        "One partition per half-year; each shows what that period received."
    ),
)
def parsed_reports(
    context: dg.AssetExecutionContext, config: ParseConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = warehouse.settings()
    settings.ensure_dirs()
    key = pseudonym_key_from_env(allow_demo=warehouse.allow_demo_key)
    registry = load_registry(settings.registry_path)
    selected = selected_periods(context)
    context.log.info(
        "Parsing every period"
        if selected is None
        else f"Parsing periods {', '.join(sorted(selected))}"
        + (", again" if config.reparse else "")
    )
    store = ParsedStore(settings.parsed_dir)
    damaged: list[str] = []
    outcomes = parse_pending(
        Landing(settings.home),
        settings.parsed_dir,
        key,
        registry.names_for,
        periods=selected,
        reparse=config.reparse,
        damaged=damaged,
    )
    for sentence in damaged:
        context.log.warning(sentence)
    refused = [o.report_id for o in outcomes if o.errors]
    for rid in refused:
        context.log.warning(f"Report {rid} has error findings and will be quarantined.")
    by_period: dict[str, list[ParseOutcome]] = {}
    for outcome in outcomes:
        by_period.setdefault(outcome.period_code, []).append(outcome)
    keys = (
        set(context.partition_keys)
        if context.has_partition_key_range or (context.has_partition_key)
        else set()
    )
    for period in sorted(keys):
        got = by_period.get(period, [])
        by_rule: Counter[str] = Counter()
        for outcome in got:
            by_rule.update(outcome.rules)
        context.add_asset_metadata(
            {
                "parsed_now": len(got),
                "units_parsed_now": len({o.report_id.split("_", 1)[0] for o in got}),
                "with_errors": sum(1 for o in got if o.errors),
                "admission_rows_parsed_now": sum(o.admissions for o in got),
                "report_versions_parsed_total": len(store.current_batches(period)),
                "findings_by_rule": dg.MetadataValue.md(_findings_table(by_rule)),
                "summary_preview": dg.MetadataValue.md(
                    summary_preview(store, period, [o.report_id for o in got])
                ),
            },
            partition_key=period,
        )
    return dg.MaterializeResult(
        metadata={
            "parsed_now_all_periods": len(outcomes),
            "with_errors_all_periods": len(refused),
            REFUSED_KEY: dg.MetadataValue.json(damaged),
            PARSED_BATCHES_KEY: dg.MetadataValue.json(parsed_batches(outcomes)),
        }
    )
