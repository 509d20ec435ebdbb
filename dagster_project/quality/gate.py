"""The load's gate: a failed blocking mart check quarantines the report versions it came from.

A blocking mart check that fails would hold back every unit's reports, night after night, for
the fault of one. The gate traces each failed expectation to the rows that broke it and their
``report_id`` (every mart a report's rows reach carries it), and records those report versions
in the build database's ``gate.gate_quarantine``; dbt reads that table as a source of blocking
findings (``DQ_GATE_GX``), so one rebuild takes the versions out and republishes the previous
version of their unit and period, and one re-check confirms the rest is clean.

Not everything can be traced, and then the publish stops as before, saying why: a table-level
expectation (columns, row counts) names no rows; a table without ``report_id`` or a row without
one names no report; an expectation that fails for every report version of its table is the
rule's or the build's fault, not one report's, and quarantining them all would publish nothing.
Where rows collide (a uniqueness expectation), the report that arrived first keeps its rows and
the later ones are quarantined: an accepted report is never taken out by a later one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

GATE_RULE_CODE = "DQ_GATE_GX"
"""The blocking finding a gate decision becomes (dbt/seeds/dq_rules.csv, int_findings__gate)."""
GATE_TABLE = "gate.gate_quarantine"
"""Created by the dbt macro ``create_gate_quarantine`` (pre-hook of ``stg_gate__quarantine``)."""
GATE_SELECTOR = "stg_gate__quarantine+"
"""What a decision changes: the models downstream of the gate's source, rebuilt once."""
REPORT_COLUMN = "report_id"
ROW_COLUMN = "row_number"
SHEET_OF_TABLE = {
    "fct_admissions": "KetNap",
    "fct_enterprise_snapshots": "ToChuc",
    "mart_indicators": "TongHop",
}
"""The report sheet a mart's ``row_number`` points into, where a mart's rows come from one."""
UNIQUENESS_EXPECTATIONS = frozenset(
    {
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_multicolumn_values_to_be_unique",
    }
)
"""Expectations whose unexpected rows collide with each other: the first arrival is kept."""
ROW_NUMBERS_SHOWN = 20


class GateUnavailable(LookupError):
    """The build database lacks what the gate reads or writes (dbt has not built it)."""


@dataclass(frozen=True)
class ArrivalOrder:
    """Report versions in the order they arrived: received_at, then version, then report_id."""

    rank: Mapping[str, int]
    parsed_at: Mapping[str, Any]

    @classmethod
    def read(cls, build_db: Path) -> ArrivalOrder:
        con = duckdb.connect(str(build_db), read_only=True)
        try:
            rows = con.execute(
                "select report_id, parsed_at from intermediate.int_report_versions "
                "order by received_at, version, report_id"
            ).fetchall()
        except duckdb.CatalogException as error:
            raise GateUnavailable(f"{build_db} has no intermediate.int_report_versions") from error
        finally:
            con.close()
        return cls(
            rank={rid: index for index, (rid, _) in enumerate(rows)},
            parsed_at={rid: at for rid, at in rows},
        )

    def key(self, report_id: str) -> tuple[int, str]:
        return (self.rank.get(report_id, len(self.rank)), report_id)


@dataclass
class TracedFailure:
    """One failed expectation of one mart table, traced to the report versions of its rows."""

    check_name: str
    table: str
    expectation: str
    gx_rule_code: str
    column: str | None
    rows: dict[str, list[int]] = field(default_factory=dict)
    """report_id -> the report's row numbers (sheet rows) the failure found, sorted."""
    counts: dict[str, int] = field(default_factory=dict)
    """report_id -> how many mart rows of the report failed."""

    def label(self) -> str:
        column = f"({self.column})" if self.column else ""
        return f"{self.check_name} {self.gx_rule_code} {self.expectation}{column}"


@dataclass
class GateTrace:
    """What the gate made of a run's failed mart checks."""

    failures: list[TracedFailure] = field(default_factory=list)
    untraceable: list[str] = field(default_factory=list)
    """One sentence per failure the gate could not pin on some report versions."""

    @property
    def resolvable(self) -> bool:
        return bool(self.failures) and not self.untraceable

    @property
    def report_ids(self) -> list[str]:
        return sorted({rid for failure in self.failures for rid in failure.rows})

    def summary(self) -> str:
        lines = [
            f"- {failure.label()}: {', '.join(sorted(failure.rows))}" for failure in self.failures
        ]
        lines += [f"- not traceable: {reason}" for reason in self.untraceable]
        return "\n".join(lines)


def _columns(failure: Mapping[str, Any]) -> list[str]:
    return [c.strip() for c in (failure.get("column") or "").split(",") if c.strip()]


def _spare_first_arrivals(
    failing: pd.DataFrame, key_columns: list[str], order: ArrivalOrder
) -> pd.DataFrame:
    """Of rows that collide on ``key_columns``, drop those of the report that arrived first.

    A group whose rows all come from one report is that report's own doing and stays blamed.
    """
    kept = []
    for _, group in failing.groupby(key_columns, dropna=False, sort=False):
        reports = sorted(set(group[REPORT_COLUMN]), key=order.key)
        kept.append(group if len(reports) == 1 else group[group[REPORT_COLUMN] != reports[0]])
    return pd.concat(kept) if kept else failing.iloc[0:0]


def trace_table(
    check_name: str,
    table: str,
    frame: pd.DataFrame,
    failed: Iterable[Mapping[str, Any]],
    order: ArrivalOrder,
) -> tuple[list[TracedFailure], list[str]]:
    """Trace one table's failed expectations (each with ``unexpected_index_list``) to reports."""
    traced: list[TracedFailure] = []
    untraceable: list[str] = []
    for failure in failed:
        name = f"{check_name} {failure.get('rule_code') or ''} {failure['expectation']}".strip()
        indexes = failure.get("unexpected_index_list")
        if failure.get("error"):
            untraceable.append(f"{name} could not be evaluated: {failure['error']}")
            continue
        if not indexes:
            untraceable.append(f"{name} is about the table {table} as a whole, not some rows")
            continue
        if REPORT_COLUMN not in frame.columns:
            untraceable.append(f"{name}: table {table} has no {REPORT_COLUMN} column")
            continue
        failing = frame.loc[[int(i) for i in indexes]]
        if failing[REPORT_COLUMN].isna().any():
            untraceable.append(f"{name}: some failing rows of {table} carry no {REPORT_COLUMN}")
            continue
        key_columns = [c for c in _columns(failure) if c in frame.columns]
        if failure["expectation"] in UNIQUENESS_EXPECTATIONS and key_columns:
            failing = _spare_first_arrivals(failing, key_columns, order)
        blamed = set(failing[REPORT_COLUMN])
        present = set(frame[REPORT_COLUMN].dropna())
        if blamed >= present:
            untraceable.append(
                f"{name} fails for every report version in {table} ({len(present)}): the rule "
                "or the build is at fault, not one report"
            )
            continue
        result = TracedFailure(
            check_name=check_name,
            table=table,
            expectation=failure["expectation"],
            gx_rule_code=failure.get("rule_code") or "",
            column=failure.get("column"),
        )
        for rid, rows in failing.groupby(REPORT_COLUMN):
            result.counts[str(rid)] = len(rows)
            numbers = rows[ROW_COLUMN].dropna() if ROW_COLUMN in rows.columns else []
            result.rows[str(rid)] = sorted({int(n) for n in numbers})
        traced.append(result)
    return traced, untraceable


def decision_rows(
    trace: GateTrace, order: ArrivalOrder, run_id: str, now: dt.datetime | None = None
) -> list[tuple]:
    """The rows of ``gate.gate_quarantine`` a resolvable trace adds, one per version and failure."""
    decided_at = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = []
    for failure in trace.failures:
        for rid, numbers in sorted(failure.rows.items()):
            shown = ",".join(str(n) for n in numbers[:ROW_NUMBERS_SHOWN])
            if len(numbers) > ROW_NUMBERS_SHOWN:
                shown += ",…"
            rows.append(
                (
                    rid,
                    order.parsed_at.get(rid),
                    failure.check_name,
                    failure.table,
                    failure.expectation,
                    failure.gx_rule_code,
                    failure.column,
                    SHEET_OF_TABLE.get(failure.table),
                    failure.counts.get(rid, len(numbers)),
                    shown,
                    decided_at,
                    run_id,
                )
            )
    return rows


def record_decisions(build_db: Path, rows: list[tuple]) -> None:
    """Add the gate's decisions to the build database, in one transaction."""
    con = duckdb.connect(str(build_db))
    try:
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'gate' and table_name = 'gate_quarantine'"
        ).fetchone()
        if not found or not found[0]:
            raise GateUnavailable(f"{build_db} has no {GATE_TABLE}")
        con.execute("begin")
        con.executemany(
            f"insert into {GATE_TABLE} (report_id, parsed_at, check_name, table_name, "
            "expectation, gx_rule_code, column_name, sheet, row_count, row_numbers, decided_at, "
            "run_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        con.execute("commit")
    finally:
        con.close()
