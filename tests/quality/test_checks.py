"""The Dagster checks over real files: parsed Parquet and a real build DuckDB file."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from dagster_project.quality import build_quality_checks, checks
from dagster_project.quality.checks import run_mart_check, run_sheet_check
from dagster_project.resources.dbt_project import DBT_EXECUTABLE, WarehouseDbtCli, dbt_project
from dagster_project.resources.warehouse import WarehouseResource
from tests.quality.conftest import (
    fct_admissions_frame,
    ket_nap_frame,
    mart_frames,
    write_build_db,
    write_parsed_report,
)

FAMILY_OF = {
    "fct_admissions": "admissions",
    "fct_enterprise_snapshots": "organisations",
    "fct_organization_events": "organisations",
    "dim_enterprise": "organisations",
    "mart_indicators": "indicators",
    "mart_target_attainment": "indicators",
    "mart_reporting_completeness": "completeness",
    "dq_issues": "completeness",
}


@pytest.fixture(autouse=True)
def _paths_from_home_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TCD_HOME", "TCD_DUCKDB_PATH", "TCD_PUBLISHED_PATH"):
        monkeypatch.delenv(name, raising=False)


def test_every_contract_mart_and_sheet_has_a_check():
    keys = {key for check in build_quality_checks() for key in check.check_keys}

    assert {k.asset_key for k in keys} == {dg.AssetKey("parsed_reports")} | {
        dg.AssetKey(["marts", table]) for table in FAMILY_OF
    }
    assert {k.name for k in keys if k.asset_key == dg.AssetKey("parsed_reports")} == {
        "gx_tong_hop",
        "gx_ket_nap",
        "gx_to_chuc",
    }


def test_mart_checks_block_and_sheet_checks_do_not():
    specs = [spec for check in build_quality_checks() for spec in check.check_specs]

    assert all(s.blocking for s in specs if s.asset_key.path[0] == "marts")
    assert not any(s.blocking for s in specs if s.asset_key.path[0] != "marts")


def test_contract_shaped_build_database_passes_every_mart_check(tmp_path: Path):
    build_db = write_build_db(tmp_path / "build.duckdb", mart_frames())

    results = {t: run_mart_check(f, t, build_db, None) for t, f in FAMILY_OF.items()}

    failing = {t: r.metadata.get("findings") for t, r in results.items() if not r.passed}
    assert failing == {}


def test_missing_mart_table_fails_as_an_error_naming_it(tmp_path: Path):
    frames = mart_frames()
    del frames["dim_enterprise"]
    build_db = write_build_db(tmp_path / "build.duckdb", frames)

    result = run_mart_check("organisations", "dim_enterprise", build_db, None)

    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.ERROR
    assert "marts.dim_enterprise does not exist" in result.metadata["error"].value


def test_personal_data_in_the_build_database_fails_with_findings_and_docs(tmp_path: Path):
    frames = {"fct_admissions": fct_admissions_frame().assign(ho_ten="Nguyễn Văn A")}
    build_db = write_build_db(tmp_path / "build.duckdb", frames)

    result = run_mart_check("admissions", "fct_admissions", build_db, tmp_path / "docs")

    assert not result.passed
    findings = result.metadata["findings"].value
    assert "GX_NO_PERSONAL_DATA" in findings and "ho_ten" in findings
    assert Path(result.metadata["data_docs_file"].value).is_file()
    assert result.metadata["data_docs"].value.startswith("http://127.0.0.1:")


def test_sheet_check_ignores_quarantined_reports_and_warns_on_accepted_ones(tmp_path: Path):
    parsed = tmp_path / "parsed"
    write_parsed_report(parsed, "088_2024-H1_v1_aaaaaaaa", "2024-H1", ket_nap_frame())
    bad = ket_nap_frame()
    bad.loc[0, "age_at_admission"] = 16
    write_parsed_report(parsed, "089_2024-H1_v1_bbbbbbbb", "2024-H1", bad, errors=1)

    passing = run_sheet_check("ket_nap", parsed, None)
    write_parsed_report(parsed, "082_2024-H1_v1_cccccccc", "2024-H1", bad)
    failing = run_sheet_check("ket_nap", parsed, None)

    assert passing.passed, passing.metadata["findings"].value
    assert passing.metadata["rows"].value == 2
    assert not failing.passed
    assert failing.severity == dg.AssetCheckSeverity.WARN
    assert "age_at_admission" in failing.metadata["findings"].value


def test_sheet_check_without_parsed_files_fails_with_a_message(tmp_path: Path):
    result = run_sheet_check("to_chuc", tmp_path / "parsed", None)

    assert not result.passed
    assert "No parsed to_chuc rows" in result.metadata["error"].value


@pytest.mark.parametrize(
    ("category_code", "published_runs"),
    [("cong_nhan_lao_dong", True), ("unknown", False)],
)
def test_blocking_check_decides_whether_publishing_runs(
    tmp_path: Path, category_code: str, published_runs: bool
):
    home = tmp_path / "home"
    admissions = fct_admissions_frame()
    admissions.loc[0, "category_code"] = category_code

    @dg.asset(key=["marts", "fct_admissions"])
    def fct_admissions() -> None:
        write_build_db(home / "build" / "warehouse.duckdb", {"fct_admissions": admissions})

    @dg.asset(deps=[fct_admissions])
    def published() -> None:
        return None

    result = dg.materialize(
        [fct_admissions, published, *build_quality_checks()],
        resources={
            "warehouse": WarehouseResource(home=str(home)),
            "dbt": WarehouseDbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
        },
        raise_on_error=False,
    )

    evaluations = result.get_asset_check_evaluations()
    assert [e.passed for e in evaluations] == [published_runs]
    assert (home / "docs" / "gx" / "index.html").is_file()
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert (dg.AssetKey("published") in materialized) is published_runs


def test_a_large_mart_is_checked_in_parts_that_keep_colliding_rows_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Checked one part at a time, every mart still passes; a member admitted twice is found
    although the split puts the table's rows in several parts."""
    monkeypatch.setattr(checks, "PART_ROWS", 1)  # every table in as many parts as rows
    build_db = write_build_db(tmp_path / "build.duckdb", mart_frames())
    for table, family in FAMILY_OF.items():
        result = run_mart_check(family, table, build_db, None)
        assert result.passed, (table, result.metadata.get("findings"))

    admissions = fct_admissions_frame()
    assert len(admissions) > 1
    admissions.loc[len(admissions) - 1, "member_key"] = admissions.loc[0, "member_key"]
    build_db = write_build_db(tmp_path / "twice.duckdb", {"fct_admissions": admissions})
    run = checks.check_mart("admissions", "fct_admissions", build_db, None)
    assert not run.result.passed
    assert "member_key" in run.result.metadata["findings"].value
    assert run.frame is not None and len(run.frame) == len(admissions)  # whole, for the gate
