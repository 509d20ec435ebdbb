"""Dagster asset checks that run the expectation suites.

Parsed report sheets get warning checks: the parser has already quarantined bad reports, so a
failure there means the parser let something through and must be fixed, but publishing the
accepted reports is still right. Mart checks are blocking: the publish step sits downstream of
the marts, so nothing reaches BI tools while one of them fails with severity ERROR.

A failed mart check goes through the gate (``quality/gate.py``) first: when every failure traces
to some report versions, they are quarantined (``DQ_GATE_GX``), the models downstream of the
gate are rebuilt once and every mart check runs again. A check resolved that way reports its
first failure with severity WARN (visible in the run, not blocking), naming the quarantined
versions; one that cannot be traced, or still fails, stays an ERROR and stops the publish. A
run in which every check passes costs what it did before the gate.
"""

# No `from __future__ import annotations` here: Dagster inspects the check functions' `context`
# annotation at definition time and needs the class itself, not its name as a string.

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.assets.ingestion import PARSED_BATCHES_KEY
from dagster_project.quality.checked_rows import CheckedRows
from dagster_project.quality.frames import (
    MART_SCHEMA,
    SHEETS,
    TableMissing,
    read_mart,
    read_mart_changes,
    read_mart_up_to,
    read_parsed_sheet,
)
from dagster_project.quality.gate import (
    GATE_RULE_CODE,
    GATE_SELECTOR,
    ArrivalOrder,
    GateTrace,
    GateUnavailable,
    decision_rows,
    record_decisions,
    trace_table,
)
from dagster_project.quality.suites import load_suite_dict, suite_tables
from dagster_project.quality.validation import (
    DataDocsStep,
    ValidationOutcome,
    data_docs_step,
    docs_scope,
    validate_frame,
)
from dagster_project.resources.dbt_artifacts import run_target_path
from dagster_project.resources.dbt_project import dbt_project
from dagster_project.resources.warehouse import WarehouseResource

PARSED_ASSET = dg.AssetKey("parsed_reports")
CHECKED_CHANGES = (
    "rows added since the published version, with the rows sharing their part value; the "
    "published rows passed this suite (build/mart_checks.json)"
)
MART_FAMILIES = ("admissions", "organisations", "indicators", "completeness")
SHEET_SEVERITY = dg.AssetCheckSeverity.WARN
MART_SEVERITY = dg.AssetCheckSeverity.ERROR


def outcome_result(
    outcome: ValidationOutcome,
    *,
    key: dg.AssetCheckKey,
    suite_name: str,
    severity: dg.AssetCheckSeverity,
    extra: Mapping[str, Any] | None = None,
) -> dg.AssetCheckResult:
    """Turn a validation into a check result whose metadata says exactly what failed."""
    metadata: dict[str, dg.RawMetadataValue] = {
        "suite": suite_name,
        "rows": outcome.row_count,
        **(extra or {}),
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


NOTHING_PARSED = (
    "No report version was parsed in this run, so there is nothing new to check: these checks "
    "validate the versions the run's parse step wrote (earlier versions were checked when "
    "they were parsed)."
)


def run_sheet_check(
    sheet: str,
    parsed_dir: Path,
    docs_dir: Path | None,
    batches: Mapping[str, list[str]] | None = None,
    run_name: str | None = None,
    *,
    docs: DataDocsStep | None = None,
    part_size: int = 0,
) -> dg.AssetCheckResult:
    """Validate one parsed sheet over the accepted versions of some batches (or all parsed),
    ``part_size`` batches at a time (``PART_BATCHES`` when 0).

    ``batches`` (``{period: [batch_id, ...]}``) are what a parse step wrote; empty, the run
    parsed nothing and the check passes saying so. ``docs`` renders the page with the step's
    other validations; without it, ``docs_dir`` renders it at once.
    """
    common = {"key": sheet_check_key(sheet), "suite_name": sheet, "severity": SHEET_SEVERITY}
    if batches is not None and not any(batches.values()):
        return dg.AssetCheckResult(
            asset_key=PARSED_ASSET,
            check_name=common["key"].name,
            passed=True,
            severity=SHEET_SEVERITY,
            metadata={"suite": sheet, "rows": 0, "report_versions_checked": 0},
            description=NOTHING_PARSED,
        )
    parts, versions = [], 0
    with docs_scope(docs, docs_dir, run_name) as step:
        for part in batch_parts(batches, part_size or PART_BATCHES):
            try:
                frame = read_parsed_sheet(parsed_dir, sheet, batches=part)
            except TableMissing as error:
                if part is None or part is batches:  # read in one part: say why
                    return missing_result(error, **common)
                continue  # a part whose versions all had parser errors holds no rows
            parts.append(validate_frame(sheet, frame, docs=step))
            versions += int(frame["report_id"].nunique()) if "report_id" in frame.columns else 0
            del frame
    if not parts:
        return missing_result(TableMissing(f"No parsed {sheet} rows in {batches}"), **common)
    outcome = ValidationOutcome.combined(parts)
    return outcome_result(outcome, **common, extra={"report_versions_checked": versions})


PART_BATCHES = 40
"""Parsed batches validated at a time (a batch holds up to 250 report versions): a first load
of a national history is checked in parts, so the frame in memory stays about 300,000 rows.
The sheet suites' uniqueness is within a report, and a batch holds whole reports, so checking
the parts one by one finds what checking them together would."""


def batch_parts(
    batches: Mapping[str, list[str]] | None, size: int
) -> Iterator[Mapping[str, list[str]] | None]:
    """``batches`` in parts of at most ``size`` batches (all of them when None: every parsed
    version, read at once)."""
    if batches is None:
        yield None
        return
    flat = [(period, batch) for period, ids in sorted(batches.items()) for batch in ids]
    if len(flat) <= size:
        yield batches
        return
    for start in range(0, len(flat), size):
        part: dict[str, list[str]] = {}
        for period, batch in flat[start : start + size]:
            part.setdefault(period, []).append(batch)
        yield part


def run_batches(instance: dg.DagsterInstance, run_id: str) -> dict[str, list[str]]:
    """The batches the parse step of run ``run_id`` wrote, by period (empty: it parsed none).

    Read from the run's own materializations of ``parsed_reports`` (one per period the run
    covered, each carrying the step's ``PARSED_BATCHES_KEY``): a few events, whatever the
    history holds.
    """
    batches: dict[str, set[str]] = {}
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization is None or materialization.asset_key != PARSED_ASSET:
            continue
        value: Any = materialization.metadata.get(PARSED_BATCHES_KEY)
        for period, ids in ((value.value if value is not None else None) or {}).items():
            batches.setdefault(period, set()).update(ids)
    return {period: sorted(ids) for period, ids in sorted(batches.items())}


AFTER_BUILD = dg.AssetKey(["staging", "stg_parsed__reports"])
"""The sheet checks wait for the dbt build in a run that has one: Great Expectations (about 5 s
to import) is then imported while dbt works in its own process (``warehouse_dbt``)."""


def _sheet_checks() -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(
            name=sheet_check_key(sheet).name,
            asset=PARSED_ASSET,
            blocking=False,
            description=load_suite_dict(sheet).get("meta", {}).get("notes"),
            additional_deps=[AFTER_BUILD],
        )
        for sheet in SHEETS
    ]

    @dg.multi_asset_check(specs=specs, can_subset=True, name="gx_parsed_sheets")
    def gx_parsed_sheets(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        settings = warehouse.settings()
        batches = run_batches(context.instance, context.run.run_id)
        chosen = [s for s in SHEETS if sheet_check_key(s) in context.selected_asset_check_keys]
        with data_docs_step(settings.gx_docs_dir, context.run.run_id) as docs:
            results = [
                run_sheet_check(sheet, settings.parsed_dir, None, batches, docs=docs)
                for sheet in chosen
            ]
        yield from results

    return gx_parsed_sheets


PART_ROWS = 500_000
"""Mart rows validated at a time: a national history's facts (2 million admissions) are checked
in parts so that memory stays bounded; smaller tables are checked whole."""

UNIQUENESS = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}


def part_column(suite_name: str) -> str | None:
    """The column a table is split on for checking in parts: one every uniqueness expectation
    of its suite covers, so rows that could collide are always in the same part (the other
    expectations look at one row, or at the columns, and hold part by part). None when the
    suite has no uniqueness expectation: any split will do."""
    common: list[str] | None = None
    for expectation in load_suite_dict(suite_name)["expectations"]:
        if expectation["type"] not in UNIQUENESS:
            continue
        kwargs = expectation["kwargs"]
        columns = kwargs.get("column_list") or [kwargs["column"]]
        common = [c for c in (columns if common is None else common) if c in columns]
    if common == []:
        raise ValueError(f"{suite_name}: no column is shared by every uniqueness expectation")
    return common[0] if common else None


def _mart_tables() -> list[tuple[str, str]]:
    return [(family, table) for family in MART_FAMILIES for table in suite_tables(family)]


@dataclass
class MartCheckRun:
    """One mart table's check in one pass: its result and, when it failed, what it found."""

    family: str
    table: str
    result: dg.AssetCheckResult
    frame: object = None
    """The validated frame (a pandas DataFrame), kept only when it failed, to trace it."""


def check_mart(
    family: str,
    table: str,
    build_db: Path,
    docs_dir: Path | None,
    run_name: str | None = None,
    *,
    docs: DataDocsStep | None = None,
    baseline: Path | None = None,
) -> MartCheckRun:
    """Validate one mart table of the build database against its family suite.

    With ``baseline`` (a warehouse whose table holds rows that passed this suite, see
    ``checked_rows``), only the rows it does not hold are validated, with the rows sharing
    their part value. ``docs`` renders the page with the step's other validations; without it,
    ``docs_dir`` renders it at once.
    """
    suite_name = f"{family}.{table}"
    common = {
        "key": mart_check_key(family, table),
        "suite_name": suite_name,
        "severity": MART_SEVERITY,
    }
    with docs_scope(docs, docs_dir, run_name) as step:
        try:
            if baseline is not None:
                rows, changed = read_mart_changes(
                    build_db, table, baseline, part_column(suite_name)
                )
                outcome = validate_frame(suite_name, changed, docs=step)
                if outcome.success:
                    extra = {"table_rows": rows, "checked": CHECKED_CHANGES}
                    return MartCheckRun(
                        family, table, outcome_result(outcome, **common, extra=extra)
                    )
                frame = read_mart(build_db, table)  # validated again whole, for the gate
            else:
                rows, frame = read_mart_up_to(build_db, table, PART_ROWS)
        except TableMissing as error:
            return MartCheckRun(family, table, missing_result(error, **common))
        if frame is None:
            parts = -(-rows // PART_ROWS)
            column = part_column(suite_name)
            outcome = ValidationOutcome.combined(
                [
                    validate_frame(
                        suite_name, read_mart(build_db, table, (column, k, parts)), docs=step
                    )
                    for k in range(parts)
                ]
            )
            if outcome.success:
                return MartCheckRun(family, table, outcome_result(outcome, **common))
            # A failure is validated again whole: the gate traces its rows in one frame.
            frame = read_mart(build_db, table)
        outcome = validate_frame(suite_name, frame, docs=step)
    kept = None if outcome.success else frame  # a passing table's frame is not kept
    return MartCheckRun(family, table, outcome_result(outcome, **common), kept)


def run_mart_check(
    family: str, table: str, build_db: Path, docs_dir: Path | None, run_name: str | None = None
) -> dg.AssetCheckResult:
    """The check result of one mart table (see ``check_mart``)."""
    return check_mart(family, table, build_db, docs_dir, run_name).result


def _check_marts(
    tables: list[tuple[str, str]],
    build_db: Path,
    docs_dir: Path | None,
    run_name: str,
    checked: CheckedRows | None = None,
) -> list[MartCheckRun]:
    """Every table's check, their Data Docs rendered once when the last is done; with
    ``checked``, a table validates only its rows that have not passed yet."""
    with data_docs_step(docs_dir, run_name) as docs:
        return [
            check_mart(
                family, table, build_db, None, docs=docs,
                baseline=checked.baseline(f"{family}.{table}", table) if checked else None,
            )
            for family, table in tables
        ]  # fmt: skip


def trace_failed_checks(runs: list[MartCheckRun], build_db: Path) -> GateTrace:
    """Trace every failed mart check to report versions (see ``quality/gate.py``)."""
    trace = GateTrace()
    try:
        order = ArrivalOrder.read(build_db)
    except GateUnavailable as error:
        trace.untraceable.append(str(error))
        return trace
    for run in runs:
        if run.result.passed:
            continue
        name = mart_check_key(run.family, run.table).name
        if run.frame is None:
            trace.untraceable.append(f"{run.table}:{name}: {run.result.description}")
            continue
        outcome = validate_frame(f"{run.family}.{run.table}", run.frame, unexpected_rows=True)
        traced, untraceable = trace_table(
            f"{run.table}:{name}", run.table, run.frame, outcome.failed, order
        )
        trace.failures += traced
        trace.untraceable += untraceable
    return trace


def gate_result(
    first: dg.AssetCheckResult, second: dg.AssetCheckResult | None, trace: GateTrace
) -> dg.AssetCheckResult:
    """The result a failed check reports after the gate: WARN if resolved, else ERROR."""
    resolved = second is not None and second.passed
    key_name = f"{first.asset_key.path[-1]}:{first.check_name}"
    quarantined = sorted(
        {rid for f in trace.failures if f.check_name == key_name for rid in f.rows}
    )
    if resolved:
        description = (
            f"Failed, then resolved by the gate: {len(quarantined)} report version(s) "
            f"quarantined ({GATE_RULE_CODE}), the rest published: {', '.join(quarantined)}"
        )
    elif second is not None:
        description = (
            f"Still fails after the gate quarantined {', '.join(trace.report_ids)}; publishing "
            "stops and the previous published file stays in place."
        )
    else:
        description = (
            "Failed, and the gate could not trace every failure to some report versions; "
            "publishing stops and the previous published file stays in place:\n" + trace.summary()
        )
    metadata = dict((second if second is not None else first).metadata)
    metadata["first_pass"] = dg.MetadataValue.json(
        {k: v.value for k, v in first.metadata.items() if k in ("failed_expectations", "rows")}
    )
    metadata["gate"] = dg.MetadataValue.md(trace.summary() or "no failure traced")
    if quarantined:
        metadata["quarantined_report_ids"] = dg.MetadataValue.json(quarantined)
    return dg.AssetCheckResult(
        asset_key=first.asset_key,
        check_name=first.check_name,
        passed=False,
        severity=dg.AssetCheckSeverity.WARN if resolved else MART_SEVERITY,
        metadata=metadata,
        description=description,
    )


def rebuild_after_gate(dbt: DbtCliResource, home: Path, run_id: str) -> bool:
    """Rebuild what the gate's decisions change (models, their tests); True when dbt passed."""
    target_path = run_target_path(home, run_id).with_name(f"{run_id}-gate")
    invocation = dbt.cli(
        ["build", "--select", GATE_SELECTOR, "--exclude-resource-type", "unit_test"],
        raise_on_error=False,
        manifest=dbt_project.manifest_path,
        target_path=target_path,
    ).wait()
    return invocation.is_successful()


def _mart_checks() -> dg.AssetChecksDefinition:
    tables = _mart_tables()
    specs = [
        dg.AssetCheckSpec(
            name=mart_check_key(family, table).name,
            asset=mart_check_key(family, table).asset_key,
            blocking=True,
            description=(
                f"Great Expectations suite expectations/{family}.json for {table}; "
                "publishing waits until it passes, or until the gate quarantines the report "
                "versions its failure traces to."
            ),
        )
        for family, table in tables
    ]

    @dg.multi_asset_check(specs=specs, can_subset=True, name="gx_marts")
    def gx_marts(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, dbt: DbtCliResource
    ) -> Iterator[dg.AssetCheckResult]:
        settings = warehouse.settings()
        run_id = context.run.run_id
        chosen = [
            (family, table)
            for family, table in tables
            if mart_check_key(family, table) in context.selected_asset_check_keys
        ]
        checked = CheckedRows(settings.build_db, settings.published_db)
        first = _check_marts(chosen, settings.build_db, settings.gx_docs_dir, run_id, checked)
        if all(run.result.passed for run in first):
            checked.passed({run.table: f"{run.family}.{run.table}" for run in first})
            checked.save()
            for run in first:
                yield run.result
            return
        checked.forget()  # the gate rebuilds marts: the next run validates them whole
        checked.save()
        trace = trace_failed_checks(first, settings.build_db)
        second: dict[tuple[str, str], dg.AssetCheckResult] = {}
        if trace.resolvable:
            order = ArrivalOrder.read(settings.build_db)
            try:
                record_decisions(settings.build_db, decision_rows(trace, order, run_id))
            except GateUnavailable as error:
                trace.untraceable.append(str(error))
        if trace.resolvable:
            context.log.warning(
                f"Blocking checks failed; the gate quarantines {', '.join(trace.report_ids)} "
                f"({GATE_RULE_CODE}) and rebuilds {GATE_SELECTOR}:\n{trace.summary()}"
            )
            warehouse.export_dbt_env()
            if rebuild_after_gate(dbt, settings.home, run_id):
                again = _check_marts(chosen, settings.build_db, settings.gx_docs_dir, run_id)
                second = {(run.family, run.table): run.result for run in again}
            else:
                trace.untraceable.append(f"the rebuild after the gate ({GATE_SELECTOR}) failed")
        else:
            context.log.error(f"Blocking checks failed and cannot be isolated:\n{trace.summary()}")
        for run in first:
            after = second.get((run.family, run.table))
            if run.result.passed and (after is None or after.passed):
                yield after or run.result
            elif run.result.passed:
                yield gate_result(after, after, trace)
            else:
                yield gate_result(run.result, after, trace)

    return gx_marts


def build_quality_checks() -> list[dg.AssetChecksDefinition]:
    """Every GX check: one per parsed sheet and one per mart table a family suite covers.

    Each group runs as one step, so Great Expectations is imported once per run rather than
    once per table; a run that builds only some marts runs only their checks.
    """
    return [_sheet_checks(), _mart_checks()]
