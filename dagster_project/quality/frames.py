"""The frames the suites validate: parsed report sheets and mart tables, read into pandas.

GX's SQL data source returns empty metrics over DuckDB, so every check reads its table into a
pandas frame and validates that. Reads are read-only and short: the build database is opened
``read_only=True`` and closed at once, so a check never holds a lock dbt would wait for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.ingest.periods import is_period_code, period_bounds
from dagster_project.reports.output import BATCH_COLUMN, ParsedStore

SHEETS = ("tong_hop", "ket_nap", "to_chuc")
MART_SCHEMA = "marts"
DATE_COLUMNS = (
    "admission_date",
    "event_date",
    "period_start",
    "period_end",
    "party_org_founded_date",
    "union_founded_date",
    "youth_org_founded_date",
)
"""Dates compared with each other, made one datetime type however DuckDB or Parquet typed them."""


class TableMissing(LookupError):
    """The table a check validates does not exist (yet): the check fails and says which."""


def add_derived_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Columns some expectations compare against, computed from columns the frame already has.

    ``period_start``/``period_end`` come from ``period_code`` (so event dates can be checked
    against their period row by row), and ``age_in_admission_year`` from ``admission_date`` and
    ``birth_year``: a person at least 18 on the admission date is at least 18 in that year's
    arithmetic, so that bound holds even where the exact age was not published.
    """
    out = df.copy()
    if "period_code" in out.columns:
        bounds = {
            code: period_bounds(code)
            for code in out["period_code"].dropna().unique()
            if is_period_code(str(code))
        }
        for position, name in enumerate(("period_start", "period_end")):
            if name not in out.columns:
                out[name] = pd.to_datetime(
                    out["period_code"].map(lambda c, p=position: bounds.get(c, (None, None))[p])
                )
    for name in DATE_COLUMNS:
        if name in out.columns:
            out[name] = pd.to_datetime(out[name])
    if {"admission_date", "birth_year"} <= set(
        out.columns
    ) and "age_in_admission_year" not in out.columns:
        out["age_in_admission_year"] = (
            out["admission_date"].dt.year - pd.to_numeric(out["birth_year"])
        ).astype("Int64")
    return out


def read_parsed_sheet(
    parsed_dir: Path,
    sheet: str,
    periods: Iterable[str] | None = None,
    *,
    batches: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """One sheet over the report versions the parser accepted (no parser error).

    ``periods`` limits the read to some periods; ``batches`` (``{period: [batch_id, ...]}``, what
    a parse step wrote) to the versions whose rows that count are in those batches: a load checks
    the versions it parsed, not all of history. Only those periods' files are opened. Each row
    gains the report's ``period_code`` and ``unit_code`` so dates can be checked against the
    period the report covers. These suites check the parser's output, so
    versions with a parser error are left out (the parser has explained them; their rows may be
    partial). This is not the definition of a quarantined report: that is ``int_report_status``
    alone (any error finding of the parser or of a warehouse rule), which the marts and
    ``tcd status`` read; a version a warehouse rule refuses is still parser output and is checked
    here.
    """
    if sheet not in SHEETS:
        raise ValueError(f"Unknown sheet {sheet!r}; expected one of {SHEETS}")
    store = ParsedStore(parsed_dir)
    if batches is not None:
        periods = batches
        batch_ids = sorted({batch for ids in batches.values() for batch in ids})
    chosen = store.periods() if periods is None else sorted(set(periods) & set(store.periods()))
    sheet_files = [p for period in chosen for p in store.files(sheet, period)]
    report_files = [p for period in chosen for p in store.files("report", period)]
    if not sheet_files or not report_files:
        raise TableMissing(f"No parsed {sheet} rows under {parsed_dir} for {chosen or 'any'}")
    params: dict[str, list[str]] = {
        "sheets": [str(p) for p in sheet_files],
        "reports": [str(p) for p in report_files],
    }
    in_batches = ""
    if batches is not None:
        params["batches"] = batch_ids
        in_batches = f"and list_contains($batches, reports.{BATCH_COLUMN})"
    con = duckdb.connect()
    try:
        return con.execute(
            f"""
            with reports as (
                select * from read_parquet($reports, union_by_name = true)
                qualify {BATCH_COLUMN} = max({BATCH_COLUMN}) over (partition by report_id)
            )
            select
                sheet_rows.* exclude ({BATCH_COLUMN}),
                reports.unit_code,
                reports.period_code,
            from read_parquet($sheets, union_by_name = true) as sheet_rows
            inner join reports
                on sheet_rows.report_id = reports.report_id
                and sheet_rows.{BATCH_COLUMN} = reports.{BATCH_COLUMN}
            where reports.error_count = 0
            {in_batches}
            """,
            params,
        ).df()
    finally:
        con.close()


def read_mart(
    build_db: Path, table: str, part: tuple[str | None, int, int] | None = None
) -> pd.DataFrame:
    """One mart table of the build database as a frame; with ``part`` = (column, k, n), only
    the rows whose ``column`` hashes to k modulo n (rows sharing a value stay together; with
    no column, by row)."""
    where = ""
    if part is not None:
        column, k, n = part
        keyed = f'hash("{column}")' if column else "rowid"
        where = f" where {keyed} % {int(n)} = {int(k)}"
    with _mart_connection(build_db, table) as con:
        return con.execute(f'select * from {MART_SCHEMA}."{table}"{where}').df()


def mart_row_count(build_db: Path, table: str) -> int:
    with _mart_connection(build_db, table) as con:
        return con.execute(f'select count(*) from {MART_SCHEMA}."{table}"').fetchone()[0]


@contextmanager
def _mart_connection(build_db: Path, table: str) -> Iterator[duckdb.DuckDBPyConnection]:
    if not build_db.exists():
        raise TableMissing(f"The build database {build_db} does not exist")
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [MART_SCHEMA, table],
        ).fetchone()
        if not found or not found[0]:
            raise TableMissing(f"Table {MART_SCHEMA}.{table} does not exist in {build_db}")
        yield con
    finally:
        con.close()
