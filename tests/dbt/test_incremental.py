"""Incremental models give the same rows as a full refresh."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from tests.dbt.conftest import DbtRun

pytestmark = pytest.mark.integration


def _rows(database: str, relation: str) -> list[tuple]:
    con = duckdb.connect(database, read_only=True)
    try:
        return sorted(con.execute(f"select * from {relation}").fetchall(), key=repr)
    finally:
        con.close()


@pytest.mark.parametrize(
    "relation",
    [
        "marts.fct_admissions",
        "marts.fct_enterprise_snapshots",
        "marts.mart_indicators",
        "marts.mart_indicators_rollup",
        "marts.dq_issues",
        "intermediate.int_enterprise_snapshots",
        "intermediate.int_indicator_values",
        "intermediate.int_findings__parser",
    ],
)
def test_incremental_build_equals_full_refresh(dbt_world: DbtRun, relation: str) -> None:
    incremental = _rows(str(dbt_world.database), relation)
    assert incremental
    assert incremental == _rows(str(dbt_world.full_refresh_database), relation)


def test_dbt_build_fits_a_small_fixture_budget(dbt_world: DbtRun) -> None:
    assert dbt_world.seconds["incremental build"] < 90, dbt_world.seconds


def test_findings_of_a_version_parsed_again_replace_the_old_ones(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    count = warehouse.execute(
        "select count(*) from marts.dq_issues where rule_code = 'DQ_UNKNOWN_COLUMN'"
    ).fetchone()
    assert count == (0,)


def test_admissions_of_a_version_parsed_again_carry_the_new_parse(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    parsed = warehouse.execute(
        "select distinct cast(parsed_at as date) from marts.fct_admissions where unit_code = '080'"
    ).fetchall()
    assert parsed == [(dt.date(2025, 2, 1),)]
