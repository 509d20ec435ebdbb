"""The gate traces a failed mart expectation to the report versions whose rows broke it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.quality.gate import (
    GATE_TABLE,
    ArrivalOrder,
    GateTrace,
    GateUnavailable,
    decision_rows,
    record_decisions,
    trace_table,
)
from dagster_project.quality.validation import validate_frame
from tests.quality.conftest import mart_frames

CHECK = "fct_admissions:gx_admissions"
ORDER = ArrivalOrder(
    rank={"a_v1": 0, "b_v1": 1, "c_v1": 2},
    parsed_at={rid: dt.datetime(2025, 1, n + 1) for n, rid in enumerate(["a_v1", "b_v1", "c_v1"])},
)


def _admissions(report_ids: list[str], member_keys: list[str]) -> pd.DataFrame:
    base = mart_frames()["fct_admissions"]
    frame = pd.concat([base.iloc[[0]]] * len(report_ids), ignore_index=True)
    frame["report_id"] = report_ids
    frame["member_key"] = member_keys
    frame["row_number"] = [5 + n for n in range(len(report_ids))]
    return frame


def _trace(frame: pd.DataFrame):
    outcome = validate_frame("admissions.fct_admissions", frame, unexpected_rows=True)
    assert not outcome.success
    return trace_table(CHECK, "fct_admissions", frame, outcome.failed, ORDER)


def _key(n: int) -> str:
    return f"{n:064x}"


def test_a_row_failure_is_traced_to_its_report_with_row_numbers() -> None:
    frame = _admissions(["a_v1", "b_v1", "b_v1"], [_key(1), _key(2), _key(3)])
    frame.loc[2, "category_code"] = "not_a_category"

    traced, untraceable = _trace(frame)

    assert untraceable == []
    [failure] = traced
    assert (failure.gx_rule_code, failure.rows, failure.counts) == (
        "GX_CODED_VALUE",
        {"b_v1": [7]},
        {"b_v1": 1},
    )


def test_a_collision_is_pinned_on_the_later_arrival_whatever_the_row_order() -> None:
    frame = _admissions(["c_v1", "a_v1", "b_v1"], [_key(1), _key(1), _key(2)])

    traced, untraceable = _trace(frame)

    assert untraceable == []
    assert [(f.gx_rule_code, f.rows) for f in traced] == [("GX_ADMITTED_ONCE", {"c_v1": [5]})]


def test_a_collision_inside_one_report_is_that_reports() -> None:
    frame = _admissions(["a_v1", "b_v1", "b_v1"], [_key(1), _key(2), _key(2)])

    traced, _ = _trace(frame)

    assert [f.rows for f in traced] == [{"b_v1": [6, 7]}]


def test_a_failure_of_every_report_is_not_traced() -> None:
    frame = _admissions(["a_v1", "b_v1"], [_key(1), _key(2)])
    frame["category_code"] = "not_a_category"

    traced, untraceable = _trace(frame)

    assert traced == []
    assert "fails for every report version in fct_admissions (2)" in untraceable[0]


def test_a_table_level_failure_is_not_traced() -> None:
    frame = _admissions(["a_v1", "b_v1"], [_key(1), _key(2)]).drop(columns=["gender"])

    traced, untraceable = _trace(frame)

    assert traced == []
    assert any("as a whole" in reason for reason in untraceable)


def test_rows_without_a_report_are_not_traced() -> None:
    frame = _admissions(["a_v1", "b_v1"], [_key(1), _key(2)])
    frame.loc[0, "report_id"] = None
    frame.loc[0, "category_code"] = "not_a_category"

    _, untraceable = _trace(frame)

    assert any("carry no report_id" in reason for reason in untraceable)


def test_decisions_are_recorded_in_the_build_database(tmp_path: Path) -> None:
    build_db = tmp_path / "warehouse.duckdb"
    frame = _admissions(["a_v1", "b_v1"], [_key(1), _key(2)])
    frame.loc[1, "category_code"] = "not_a_category"
    traced, _ = _trace(frame)
    rows = decision_rows(GateTrace(failures=traced), ORDER, "run-1")

    with pytest.raises(GateUnavailable):
        record_decisions(build_db, rows)  # dbt has not created the table yet
    with duckdb.connect(str(build_db)) as con:  # as the dbt macro creates it
        con.execute("create schema gate")
        con.execute(
            f"create table {GATE_TABLE} (report_id varchar, parsed_at timestamp, "
            "check_name varchar, table_name varchar, expectation varchar, gx_rule_code varchar, "
            "column_name varchar, sheet varchar, row_count integer, row_numbers varchar, "
            "decided_at timestamp, run_id varchar)"
        )
    record_decisions(build_db, rows)

    with duckdb.connect(str(build_db), read_only=True) as con:
        recorded = con.execute(
            f"select report_id, parsed_at, check_name, sheet, row_count, row_numbers "
            f"from {GATE_TABLE}"
        ).fetchall()
    assert recorded == [("b_v1", dt.datetime(2025, 1, 2), CHECK, "KetNap", 1, "6")]
