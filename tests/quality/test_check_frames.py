"""What a check step validates is what the tables hold: frames read from DuckDB and Parquet keep
DuckDB's own types, a part of a load reads each report version once, and the shortcuts taken
to validate faster change no failure found, no value shown and no row traced."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from dagster_project.quality import validate_frame
from dagster_project.quality.frames import read_mart, read_parsed_sheet
from tests.quality.conftest import ket_nap_frame, mart_frames, write_parsed_report

EVERY_TYPE = """
    select * from (values
        (true, 1::integer, 2::bigint, 3::smallint, 4::utinyint, date '2024-03-01',
         58.3::decimal(9, 1), 'văn bản', timestamp '2024-03-01 08:00:00', 2.5::double,
         null::varchar, 'x'),
        (null, null, null, null, null, null, null, null, null, null, null, 'y'),
        (false, 5, 6, 7, 8, date '0001-01-01', -0.3, 'b', timestamp '2262-04-12 00:00:00',
         -1.0, null, 'z')
    ) as t(flag, small, big, tiny, unsigned, day, amount, label, arrived_at, ratio, nothing, filled)
"""


@pytest.fixture
def build_db(tmp_path: Path) -> Path:
    path = tmp_path / "build" / "warehouse.duckdb"
    path.parent.mkdir()
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        con.execute(f"create table marts.every_type as {EVERY_TYPE}")
        con.execute(f"create table marts.no_rows as select * from ({EVERY_TYPE}) where false")
        con.execute("create table marts.no_nulls as select * from marts.every_type where flag")
    finally:
        con.close()
    return path


@pytest.mark.parametrize("table", ["every_type", "no_rows", "no_nulls"])
def test_a_mart_is_read_with_the_types_duckdb_gives_it(build_db: Path, table: str) -> None:
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        expected = con.execute(f"select * from marts.{table}").df()
    finally:
        con.close()

    frame = read_mart(build_db, table)

    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert list(frame.dtypes) == list(expected.dtypes)


def test_a_part_of_a_load_reads_each_version_once_when_periods_share_batch_ids(
    tmp_path: Path,
) -> None:
    """One parse run numbers every period's batches from 0000: a part holding 2024-H1's batch
    0000 and 2024-H2's batch 0001 must not read 2024-H2's batch 0000 as well."""
    parsed = tmp_path / "parsed"
    first = write_parsed_report(
        parsed, "088_2024-H1_v1_aaaaaaaa", "2024-H1", ket_nap_frame(), batch="b1-0000"
    )
    write_parsed_report(
        parsed, "089_2024-H2_v1_bbbbbbbb", "2024-H2", ket_nap_frame(), batch="b1-0000"
    )
    second = write_parsed_report(
        parsed, "090_2024-H2_v1_cccccccc", "2024-H2", ket_nap_frame(), batch="b1-0001"
    )

    frame = read_parsed_sheet(parsed, "ket_nap", batches={"2024-H1": [first], "2024-H2": [second]})

    assert sorted(frame["report_id"].unique()) == [
        "088_2024-H1_v1_aaaaaaaa",
        "090_2024-H2_v1_cccccccc",
    ]
    assert len(frame) == 2 * len(ket_nap_frame())


def ages(values: list, dtype: str) -> pd.DataFrame:
    frame = pd.concat([ket_nap_frame()] * 2, ignore_index=True).head(len(values))
    frame["age_at_admission"] = pd.array(values, dtype=dtype)
    return frame


def age_failure(outcome) -> dict:
    [failure] = [
        f
        for f in outcome.failed
        if f["expectation"] == "expect_column_values_to_be_between"
        and f["column"] == "age_at_admission"
    ]
    return failure


@pytest.mark.parametrize("dtype", ["int8", "int32", "uint16", "Int32", "Int64"])
def test_an_out_of_range_integer_fails_with_its_value_and_row_whatever_its_type(
    params, dtype: str
) -> None:
    frame = ages([30, 16, 40, 101], dtype)

    outcome = validate_frame("ket_nap", frame, parameters=params, unexpected_rows=True)

    failure = age_failure(outcome)
    assert failure["unexpected_count"] == 2
    assert failure["sample_values"] == [16, 101]
    assert all(type(value) is int for value in failure["sample_values"])
    assert failure["unexpected_index_list"] == [1, 3]


def test_a_missing_age_is_not_a_range_failure_and_the_others_show_as_integers(params) -> None:
    frame = ages([30, None, 16, None], "Int64")

    outcome = validate_frame("ket_nap", frame, parameters=params, unexpected_rows=True)

    failure = age_failure(outcome)
    assert failure["unexpected_count"] == 1
    assert failure["sample_values"] == [16]
    assert type(failure["sample_values"][0]) is int
    assert failure["unexpected_index_list"] == [2]


def test_an_unsigned_value_beyond_int64_is_not_wrapped_round(params) -> None:
    """As ``int64`` it would read as a negative number (GX itself shows it rounded)."""
    frame = ages([30, 2**63 + 5], "uint64")

    outcome = validate_frame("ket_nap", frame, parameters=params)

    [value] = age_failure(outcome)["sample_values"]
    assert value >= 2**63


def test_validating_leaves_the_callers_frame_as_it_was(params) -> None:
    """The gate traces failures in the frame it validated: validation must not change it."""
    frame = ages([30, 16], "int32")
    frame["work_unit_name"] = ["Công ty TNHH A", "Công ty TNHH B"]
    before = frame.copy()

    validate_frame("ket_nap", frame, parameters=params)

    pd.testing.assert_frame_equal(frame, before, check_exact=True)


def test_a_column_no_expectation_reads_still_counts_by_its_name(params) -> None:
    frame = ket_nap_frame()
    frame["ho_ten"] = ["Nguyễn Văn A", "Trần Thị B"]
    frame["work_unit_name"] = [np.nan, {"not": "text"}]

    outcome = validate_frame("ket_nap", frame, parameters=params)

    [failure] = [f for f in outcome.failed if f["expectation"].startswith("expect_table_")]
    assert "ho_ten" in json.dumps(failure, ensure_ascii=False)
    assert outcome.row_count == 2


def test_a_stored_validation_records_no_fingerprint_of_the_frame(params, tmp_path: Path) -> None:
    """GX would hash the whole frame for a marker nothing reads (the costliest part of a
    validation); the stored result shows it did not."""
    docs = tmp_path / "gx"

    validate_frame("ket_nap", ket_nap_frame(), docs_dir=docs, parameters=params)

    [stored] = [p for p in docs.rglob("*.json") if "validations" in p.parts]
    markers = json.loads(stored.read_text(encoding="utf-8"))["meta"]["batch_markers"]
    assert "ge_load_time" in markers
    assert "pandas_data_fingerprint" not in markers


def test_a_cccd_quoted_in_repeated_messages_is_found_in_every_row_and_shown_masked(
    params,
) -> None:
    """Each distinct message is masked once and spread over its rows: every row still counts."""
    frame = pd.concat([mart_frames()["dq_issues"]] * 3, ignore_index=True)
    frame["message"] = frame["message"].astype("str")
    frame.loc[[0, 2, 4], "message"] = "Số CCCD 001090000001 không hợp lệ"
    frame.loc[5, "message"] = None
    before = frame.copy()

    outcome = validate_frame("completeness.dq_issues", frame, parameters=params)

    [failure] = [
        f
        for f in outcome.failed
        if f["column"] == "message" and f["expectation"].endswith("not_match_regex")
    ]
    assert failure["unexpected_count"] == 3
    assert failure["sample_values"] == ["Số CCCD 999999999999 không hợp lệ"] * 3
    pd.testing.assert_frame_equal(frame, before, check_exact=True)
