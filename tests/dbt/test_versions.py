"""Report versions: quarantine on any error, latest accepted version wins, restatements logged."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.integration


def _status(con: duckdb.DuckDBPyConnection, unit: str, period: str) -> dict[int, str]:
    rows = con.execute(
        "select version, version_status from intermediate.int_report_status"
        " where unit_code = ? and period_code = ?",
        [unit, period],
    ).fetchall()
    return dict(rows)


def test_newest_accepted_version_is_published(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert _status(warehouse, "088", "2024-H1")[2] == "published"


def test_quarantined_newer_version_leaves_older_accepted_one_published(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    assert _status(warehouse, "088", "2024-H1") == {
        1: "superseded",
        2: "published",
        3: "quarantined",
    }


def test_parser_error_quarantines_the_version(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert _status(warehouse, "080", "2023-H1") == {1: "published", 2: "quarantined"}


def test_published_figures_come_from_the_published_version(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    value = warehouse.execute(
        "select reported_value from marts.mart_indicators where scope_level = 'reporting_unit'"
        " and unit_code = '080' and period_code = '2023-H1' and indicator_code = 'lop_boi_duong'"
    ).fetchone()
    assert value == (2,)


def test_restatement_lists_each_changed_figure(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute(
        "select indicator_code, old_version, old_value, new_version, new_value"
        " from marts.mart_restatements where unit_code = '088' order by indicator_code"
    ).fetchall()
    assert rows == [
        ("doan_vien_cong_doan_moi", 1, 1000, 2, 1442),
        ("ket_nap_dang_vien", 1, 1, 2, 2),
        ("ket_nap_kttn", 1, 1, 2, 2),
    ]


def test_quarantined_version_is_no_restatement_base(warehouse: duckdb.DuckDBPyConnection) -> None:
    count = warehouse.execute(
        "select count(*) from marts.mart_restatements where unit_code = '37-CQDN'"
    ).fetchone()
    assert count == (0,)


def test_quarantined_rows_never_reach_facts(warehouse: duckdb.DuckDBPyConnection) -> None:
    leaked = warehouse.execute(
        "select count(*) from marts.fct_admissions as f"
        " join intermediate.int_report_status as s using (report_id) where not s.is_published"
    ).fetchone()
    assert leaked == (0,)
