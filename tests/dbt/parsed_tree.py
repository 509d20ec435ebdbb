"""Write small parsed-Parquet trees (docs/data-layout.md) with DuckDB for the dbt tests.

The dbt project reads exactly what the parser writes, so the fixtures are written with the
same column names and DuckDB types, one batch per report version in the store's layout
(`parsed/<table>/period=<period>/<batch>.parquet`) plus the zero-row `period=_schema` files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.ingest.refusals import ensure_refusals_file

REPORT_COLUMNS: dict[str, str] = {
    "report_id": "VARCHAR",
    "unit_code": "VARCHAR",
    "period_code": "VARCHAR",
    "version": "INTEGER",
    "sha256": "VARCHAR",
    "file_name": "VARCHAR",
    "source_uri": "VARCHAR",
    "file_format": "VARCHAR",
    "received_at": "TIMESTAMP",
    "parsed_at": "TIMESTAMP",
    "title_unit": "VARCHAR",
    "title_period": "VARCHAR",
    "error_count": "INTEGER",
    "warning_count": "INTEGER",
}
TONG_HOP_COLUMNS: dict[str, str] = {
    "report_id": "VARCHAR",
    "sheet": "VARCHAR",
    "row_number": "INTEGER",
    "indicator_code": "VARCHAR",
    "label": "VARCHAR",
    "reported_value": "BIGINT",
}
KET_NAP_COLUMNS: dict[str, str] = {
    "report_id": "VARCHAR",
    "sheet": "VARCHAR",
    "row_number": "INTEGER",
    "member_key": "VARCHAR",
    "gender": "VARCHAR",
    "ethnicity": "VARCHAR",
    "category_code": "VARCHAR",
    "work_unit_name": "VARCHAR",
    "tax_code": "VARCHAR",
    "admission_date": "DATE",
    "decision_number": "VARCHAR",
    "party_cell": "VARCHAR",
    "birth_year": "INTEGER",
    "age_at_admission": "INTEGER",
}
TO_CHUC_COLUMNS: dict[str, str] = {
    "report_id": "VARCHAR",
    "sheet": "VARCHAR",
    "row_number": "INTEGER",
    "tax_code": "VARCHAR",
    "enterprise_name": "VARCHAR",
    "ownership_type": "VARCHAR",
    "industrial_zone": "VARCHAR",
    "employees": "BIGINT",
    "party_org_type": "VARCHAR",
    "party_org_founded_date": "DATE",
    "party_members": "BIGINT",
    "superior_committee": "VARCHAR",
    "has_union": "BOOLEAN",
    "union_founded_date": "DATE",
    "union_members": "BIGINT",
    "has_youth_org": "BOOLEAN",
    "youth_org_founded_date": "DATE",
    "youth_members": "BIGINT",
}
FINDINGS_COLUMNS: dict[str, str] = {
    "report_id": "VARCHAR",
    "file_name": "VARCHAR",
    "sheet": "VARCHAR",
    "row_number": "INTEGER",
    "column_name": "VARCHAR",
    "value": "VARCHAR",
    "expected": "VARCHAR",
    "rule_code": "VARCHAR",
    "severity": "VARCHAR",
    "message_vi": "VARCHAR",
    "message_en": "VARCHAR",
}
UNIT_COLUMNS: dict[str, str] = {
    "unit_code": "VARCHAR",
    "unit_name": "VARCHAR",
    "unit_kind": "VARCHAR",
    "province_code": "VARCHAR",
    "parent_unit_code": "VARCHAR",
    "valid_from": "DATE",
    "valid_to": "DATE",
    "successor_unit_code": "VARCHAR",
    "reports": "BOOLEAN",
    "location": "VARCHAR",
}
ALIAS_COLUMNS: dict[str, str] = {"unit_code": "VARCHAR", "alias": "VARCHAR"}

PARSED_TABLES: dict[str, dict[str, str]] = {
    name: {**columns, "batch_id": "VARCHAR"}
    for name, columns in {
        "report": REPORT_COLUMNS,
        "tong_hop": TONG_HOP_COLUMNS,
        "ket_nap": KET_NAP_COLUMNS,
        "to_chuc": TO_CHUC_COLUMNS,
        "findings": FINDINGS_COLUMNS,
    }.items()
}


def write_parquet(path: Path, columns: dict[str, str], rows: Sequence[dict[str, Any]]) -> None:
    """Write rows to one Parquet file with exactly the given DuckDB column types."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        ddl = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
        con.execute(f"create table t ({ddl})")
        if rows:
            placeholders = ", ".join("?" for _ in columns)
            con.executemany(
                f"insert into t values ({placeholders})",
                [[row.get(name) for name in columns] for row in rows],
            )
        con.execute(f"copy t to '{path.as_posix()}' (format parquet)")
    finally:
        con.close()


@dataclass
class Report:
    """One report version as the parser would leave it under parsed/<report_id>/."""

    unit_code: str
    period_code: str
    version: int
    received_at: dt.datetime
    summary: dict[str, int] = field(default_factory=dict)
    admissions: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    parsed_at: dt.datetime | None = None

    @property
    def sha256(self) -> str:
        key = f"{self.unit_code}|{self.period_code}|{self.version}".encode()
        return hashlib.sha256(key).hexdigest()

    @property
    def report_id(self) -> str:
        return f"{self.unit_code}_{self.period_code}_v{self.version}_{self.sha256[:8]}"

    @property
    def file_name(self) -> str:
        return f"{self.unit_code}_{self.period_code}.xlsx"


def write_report(home: Path, report: Report) -> str:
    """Write one report version as a batch of its own; returns the batch id."""
    parsed_at = report.parsed_at or report.received_at + dt.timedelta(minutes=5)
    batch = f"b{parsed_at:%Y%m%dT%H%M%S%f}-{report.sha256[:8]}"

    def write(table: str, rows: list[dict[str, Any]]) -> None:
        write_parquet(
            home / "parsed" / table / f"period={report.period_code}" / f"{batch}.parquet",
            PARSED_TABLES[table],
            [{**row, "batch_id": batch} for row in rows],
        )

    rid = report.report_id
    errors = sum(1 for f in report.findings if f.get("severity") == "error")
    warnings = sum(1 for f in report.findings if f.get("severity") == "warning")
    write(
        "report",
        [
            {
                "report_id": rid,
                "unit_code": report.unit_code,
                "period_code": report.period_code,
                "version": report.version,
                "sha256": report.sha256,
                "file_name": report.file_name,
                "source_uri": f"file:///reports/{report.unit_code}/{report.file_name}",
                "file_format": "xlsx",
                "received_at": report.received_at,
                "parsed_at": parsed_at,
                "title_unit": report.unit_code,
                "title_period": report.period_code,
                "error_count": errors,
                "warning_count": warnings,
            }
        ],
    )
    write(
        "tong_hop",
        [
            {
                "report_id": rid,
                "sheet": "TongHop",
                "row_number": index + 5,
                "indicator_code": code,
                "label": code,
                "reported_value": value,
            }
            for index, (code, value) in enumerate(report.summary.items())
        ],
    )
    write(
        "ket_nap",
        [
            {
                "report_id": rid,
                "sheet": "KetNap",
                "row_number": index + 5,
                "gender": "nam",
                "ethnicity": "Kinh",
                "category_code": "khac",
                "admission_date": _mid_period(report.period_code),
                "birth_year": 2000,
                "age_at_admission": 24,
                **row,
            }
            for index, row in enumerate(report.admissions)
        ],
    )
    write(
        "to_chuc",
        [
            {
                "report_id": rid,
                "sheet": "ToChuc",
                "row_number": index + 5,
                "ownership_type": "tu_nhan",
                "employees": 25,
                "party_org_type": "khong",
                "party_members": 0,
                "has_union": False,
                "has_youth_org": False,
                **row,
            }
            for index, row in enumerate(report.organizations)
        ],
    )
    write(
        "findings",
        [{"report_id": rid, "file_name": report.file_name, **row} for row in report.findings],
    )
    return batch


def write_schema_folder(home: Path) -> None:
    """The zero-row `period=_schema` copies that keep every glob non-empty."""
    for table, columns in PARSED_TABLES.items():
        write_parquet(home / "parsed" / table / "period=_schema" / "empty.parquet", columns, [])


def write_reference(
    home: Path, units: Sequence[dict[str, Any]], aliases: Sequence[dict[str, Any]]
) -> None:
    """The registry Parquet files dbt reads under reference/, and the pull's (empty) refusals."""
    write_parquet(home / "reference" / "reporting_units.parquet", UNIT_COLUMNS, units)
    write_parquet(home / "reference" / "reporting_unit_aliases.parquet", ALIAS_COLUMNS, aliases)
    ensure_refusals_file(home / "reference")


def _mid_period(period_code: str) -> dt.date:
    year, half = int(period_code[:4]), int(period_code[-1])
    return dt.date(year, 3 if half == 1 else 9, 15)
