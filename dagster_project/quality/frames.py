"""The frames the suites validate: parsed report sheets and mart tables, read into pandas.

GX's SQL data source returns empty metrics over DuckDB, so every check reads its table into a
pandas frame and validates that. Reads are read-only and short: the build database is opened
``read_only=True`` and closed at once, so a check never holds a lock dbt would wait for.

Rows come out of DuckDB as Arrow and become pandas columns typed as DuckDB's own ``.df()`` types
them (``arrow_frame``): ``.df()`` makes a Python object of every text value, which pandas then
turns back into an Arrow-backed column, and that round trip was half the cost of reading a mart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from dagster_project.ingest.periods import is_period_code, period_bounds
from dagster_project.publish.atomic import row_hash_changes, sql_literal
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


_NULLABLE = {
    pa.bool_(): pd.BooleanDtype(),
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
}
"""Arrow types whose columns with nulls DuckDB's ``.df()`` gives a pandas nullable type."""


class TableMissing(LookupError):
    """The table a check validates does not exist (yet): the check fails and says which."""


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """A query result as a frame typed as DuckDB's ``.df()`` types it, without its cost.

    Dates become ``datetime64[us]`` and decimals ``float64``; a boolean or integer column with
    nulls becomes pandas' nullable type of its width (without nulls, the NumPy one); a text
    column with no value at all becomes ``object`` holding None. The expectations then see the
    very values and types they saw when the frame came from ``.df()``.
    """
    # One chunk per column: GX copies the frame's rows several times per expectation, and
    # Arrow copies a column of many chunks more slowly than one of a single chunk.
    table = table.combine_chunks()
    columns: dict[int, pd.Series] = {}
    for position, column in enumerate(table.columns):
        kind = column.type
        if pa.types.is_date(kind):
            column = column.cast(pa.timestamp("us"))
        elif pa.types.is_decimal(kind):
            # Through its text: Arrow's decimal-to-double cast is not correctly rounded (58.3
            # would become 58.300000000000004), DuckDB's is, and so is parsing the text.
            column = column.cast(pa.string()).cast(pa.float64())
        if (pa.types.is_string(kind) or pa.types.is_large_string(kind)) and (
            column.null_count == len(column)
        ):
            series = pd.Series([None] * len(column), dtype=object)
        elif column.null_count and kind in _NULLABLE:
            series = column.to_pandas(types_mapper=_NULLABLE.get)
        else:
            series = column.to_pandas()
        columns[position] = series
    frame = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
    frame.columns = pd.Index(table.column_names)
    return frame


def add_derived_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Columns some expectations compare against, computed from columns the frame already has.

    ``period_start``/``period_end`` come from ``period_code`` (so event dates can be checked
    against their period row by row), and ``age_in_admission_year`` from ``admission_date`` and
    ``birth_year``: a person at least 18 on the admission date is at least 18 in that year's
    arithmetic, so that bound holds even where the exact age was not published.
    """
    out = df.copy(deep=False)  # columns are replaced, never changed in place
    if "period_code" in out.columns:
        # Bounds are worked out once per distinct code and spread over the rows by position.
        codes, distinct = pd.factorize(out["period_code"])
        bounds = [
            period_bounds(str(code)) if is_period_code(str(code)) else (None, None)
            for code in distinct
        ]
        for position, name in enumerate(("period_start", "period_end")):
            if name not in out.columns:
                values = pd.to_datetime(pd.Series([b[position] for b in bounds], dtype=object))
                out[name] = pd.Series(values.array.take(codes, allow_fill=True), index=out.index)
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
        # A batch id names a batch within its period: one parse run numbers each period's
        # batches from 0000, so the same id can name a batch of every period.
        batch_keys = sorted(f"{period}/{batch}" for period, ids in batches.items() for batch in ids)
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
        params["batches"] = batch_keys
        in_batches = f"and list_contains($batches, reports.period || '/' || reports.{BATCH_COLUMN})"
    con = duckdb.connect()
    try:
        result = con.sql(
            f"""
            with reports as (
                select * from read_parquet($reports, union_by_name = true, hive_partitioning = true)
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
            params=params,
        )
        return arrow_frame(result.to_arrow_table())
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
        return _select(con, table, where)


def read_mart_up_to(build_db: Path, table: str, max_rows: int) -> tuple[int, pd.DataFrame | None]:
    """A mart table's row count and, when it holds at most ``max_rows``, its rows as a frame:
    what a check needs to decide whether to validate it whole, from one opening of the file."""
    with _mart_connection(build_db, table) as con:
        rows = con.sql(f'select count(*) from {MART_SCHEMA}."{table}"').fetchall()[0][0]
        if rows > max_rows:
            return rows, None
        return rows, _select(con, table)


def read_mart_changes(
    build_db: Path, table: str, baseline_db: Path, column: str | None
) -> tuple[int, pd.DataFrame]:
    """A mart table's row count, and as a frame the rows the same table of ``baseline_db`` does
    not hold (or holds fewer times), with every row sharing their value of ``column``, so that
    a uniqueness expectation on it sees every row a new one could collide with."""
    with _mart_connection(build_db, table) as con:
        con.execute(f"attach {sql_literal(str(baseline_db))} as baseline (read_only)")
        rows = con.sql(f'select count(*) from {MART_SCHEMA}."{table}"').fetchall()[0][0]
        added = row_hash_changes(
            f'{MART_SCHEMA}."{table}"', f'baseline.{MART_SCHEMA}."{table}"', added_only=True
        )
        con.execute(f"create temp table new_hashes as {added}")
        where = " where hash(t) in (select row_hash from new_hashes)"
        if column:
            where += (
                f' or t."{column}" in (select n."{column}" from {MART_SCHEMA}."{table}" as n '
                "where hash(n) in (select row_hash from new_hashes))"
            )
        return rows, _select(con, table, where)


def _select(con: duckdb.DuckDBPyConnection, table: str, where: str = "") -> pd.DataFrame:
    return arrow_frame(
        con.sql(f'select * from {MART_SCHEMA}."{table}" as t{where}').to_arrow_table()
    )


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
        ).fetchall()
        if not found or not found[0][0]:
            raise TableMissing(f"Table {MART_SCHEMA}.{table} does not exist in {build_db}")
        yield con
    finally:
        con.close()
