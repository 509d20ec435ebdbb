"""Warehouse data-quality rules as dq_issues shows them."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.integration


def _findings(con: duckdb.DuckDBPyConnection, rule: str) -> list[dict]:
    cursor = con.execute(
        "select * from marts.dq_issues where rule_code = ? order by report_id, row_number", [rule]
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_part_larger_than_its_whole_is_an_error(warehouse: duckdb.DuckDBPyConnection) -> None:
    [finding] = _findings(warehouse, "DQ_PART_LE_WHOLE")
    assert (finding["report_id"][:14], finding["column_name"], finding["value"]) == (
        "088_2024-H1_v3",
        "doan_vien_cong_doan_moi_ngoai_nn",
        "5000",
    )
    assert finding["severity"] == "error"


def test_summary_differing_from_detail_names_both_figures(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    [finding] = _findings(warehouse, "DQ_SUMMARY_DETAIL")
    assert (finding["report_id"][:17], finding["value"], finding["expected"]) == (
        "37-CQDN_2023-H1_v",
        "227",
        "226",
    )


def test_admission_tax_code_outside_tochuc_is_an_error(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    [finding] = _findings(warehouse, "DQ_TAXCODE_UNKNOWN")
    assert (finding["unit_code"], finding["value"], finding["severity"]) == (
        "10-CQDN",
        "0109999999",
        "error",
    )


def test_person_admitted_earlier_elsewhere_flags_the_later_report_naming_the_earlier(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    findings = _findings(warehouse, "DQ_DUPLICATE_PERSON")
    across = [f for f in findings if f["value"].startswith("080_")]
    assert [(f["unit_code"], f["row_number"]) for f in across] == [("10-CQDN", 5)]
    assert across[0]["value"] in across[0]["message"]


def test_person_twice_in_one_report_flags_the_second_row(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    findings = _findings(warehouse, "DQ_DUPLICATE_PERSON")
    within = [f for f in findings if f["value"] == f["report_id"]]
    assert [f["row_number"] for f in within] == [7]


def test_negative_flow_is_a_shrinking_cumulative(warehouse: duckdb.DuckDBPyConnection) -> None:
    [finding] = _findings(warehouse, "DQ_CUMULATIVE_SHRINK")
    assert (finding["column_name"], finding["value"]) == ("lop_boi_duong", "-1")


def test_stock_moving_without_founding_is_a_warning(warehouse: duckdb.DuckDBPyConnection) -> None:
    [finding] = _findings(warehouse, "DQ_STOCK_MOVEMENT")
    assert (finding["report_id"][:14], finding["value"], finding["expected"]) == (
        "088_2024-H1_v2",
        "2",
        "1",
    )
    assert finding["severity"] == "warning"


def test_stock_moving_by_founded_minus_dissolved_is_clean(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    units = {f["unit_code"] for f in _findings(warehouse, "DQ_STOCK_MOVEMENT")}
    assert "080" not in units


def test_figure_far_from_the_units_own_history_is_an_outlier(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    findings = _findings(warehouse, "DQ_OUTLIER")
    assert [(f["unit_code"], f["period_code"], f["value"]) for f in findings] == [
        ("080", "2024-H1", "17")
    ]


def test_unit_that_owes_a_period_and_sent_nothing_is_missing(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    findings = _findings(warehouse, "DQ_MISSING_REPORT")
    missing = {(f["unit_code"], f["period_code"]) for f in findings}
    assert ("088", "2024-H2") in missing
    assert ("088", "2024-H1") not in missing
    assert not {unit for unit, _ in missing} & {"10", "OLD1", "LC-2025-SAPA", "37"}


def test_report_after_the_deadline_is_late(warehouse: duckdb.DuckDBPyConnection) -> None:
    late = {(f["unit_code"], f["period_code"]) for f in _findings(warehouse, "DQ_LATE_REPORT")}
    assert late == {("080", "2024-H1"), ("10-CQDN", "2024-H1")}


def test_every_message_has_vietnamese_and_english(warehouse: duckdb.DuckDBPyConnection) -> None:
    bad = warehouse.execute(
        "select count(*) from marts.dq_issues where message_vi is null or message_en is null"
        " or message <> message_vi || ' / ' || message_en"
    ).fetchone()
    assert bad == (0,)


def test_warning_rules_never_quarantine(warehouse: duckdb.DuckDBPyConnection) -> None:
    status = warehouse.execute(
        "select version_status from intermediate.int_report_status"
        " where report_id like '088_2024-H1_v2%'"
    ).fetchone()
    assert status == ("published",)


def test_sheet_comparing_rules_skip_a_report_whose_sheet_the_parser_refused(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rules = warehouse.execute(
        "select rule_code from marts.dq_issues where report_id like '088_2023-H1_v1_%'"
    ).fetchall()
    assert rules == [("DQ_COLUMN_MISSING",)]
