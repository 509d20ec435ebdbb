"""The registry exported as Parquet for dbt."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from dagster_project.ingest import load_registry, write_reference


def test_reference_has_one_row_per_unit_version_with_dates_and_booleans(tmp_path: Path) -> None:
    write_reference(load_registry(), tmp_path / "reference")
    units = tmp_path / "reference/reporting_units.parquet"
    with duckdb.connect() as con:
        described = con.execute(f"describe select * from '{units}'").fetchall()
        rows = con.execute(
            f"select unit_name, unit_kind, valid_from, valid_to, successor_unit_code, reports "
            f"from '{units}' where unit_code = '088' order by valid_from"
        ).fetchall()
        province = con.execute(
            f"select reports, location from '{units}' where unit_code = '10'"
        ).fetchone()
    types = {row[0]: row[1] for row in described}
    assert types["valid_from"] == "DATE" and types["reports"] == "BOOLEAN"
    assert rows == [
        ("Huyện Sa Pa", "district", date(2015, 1, 1), date(2019, 12, 31), None, True),
        ("Thị xã Sa Pa", "town", date(2020, 1, 1), date(2025, 6, 30), "LC-2025-SAPA", True),
    ]
    assert province == (False, None)


def test_reference_aliases_hold_every_name_of_a_unit(tmp_path: Path) -> None:
    write_reference(load_registry(), tmp_path)
    aliases = tmp_path / "reporting_unit_aliases.parquet"
    with duckdb.connect() as con:
        names = {
            row[0]
            for row in con.sql(f"select alias from '{aliases}' where unit_code = '088'").fetchall()
        }
    assert {"Thị xã Sa Pa", "Huyện Sa Pa", "TX Sa Pa", "ĐẢNG BỘ THỊ XÃ SA PA"} <= names


def test_reference_files_are_replaced_without_leftover_temp_files(tmp_path: Path) -> None:
    write_reference(load_registry(), tmp_path)
    write_reference(load_registry(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "pull_refusals.parquet",
        "reporting_unit_aliases.parquet",
        "reporting_units.parquet",
    ]
