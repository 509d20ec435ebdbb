"""A second load on top of the demo: restatement, quarantine, cross-report rules, BI readers.

The demo warehouse is copied to a fresh home, a BI tool (SQLAlchemy + duckdb-engine, read-only)
holds the published file open, and a drop folder with three new report versions is loaded:
- 088_2024-H2: a valid resubmission restating one summary figure (lop_boi_duong + 2);
- 086_2024-H1: a resubmission whose summary disagrees with its detail (an error rule);
- 089_2024-H2: a resubmission admitting a person already admitted by another unit.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pytest
import sqlalchemy as sa

from dagster_project.resources.dbt_artifacts import run_target_path
from tcd_samples import write_sample
from tests.integration.conftest import SAMPLE_REPORTS, LoadRun, run_load

RESTATED = ("088", "2024-H2", "lop_boi_duong")


@dataclass
class SecondLoad:
    before: LoadRun
    after: LoadRun
    reader_count_during: int
    reader_count_after_reopen: int
    admissions_before: int


def restate(source: Path, target: Path, indicator_label: str, delta: int) -> None:
    """Copy a workbook, adding ``delta`` to the TongHop row whose label contains the text."""
    workbook = openpyxl.load_workbook(source)
    sheet = workbook["TongHop"]
    for row in sheet.iter_rows():
        labels = [c for c in row if isinstance(c.value, str) and indicator_label in c.value]
        if labels:
            cell = next(c for c in reversed(row) if c.value not in (None, ""))
            cell.value = int(str(cell.value).replace(".", "")) + delta
            break
    else:
        raise AssertionError(f"no TongHop row labelled {indicator_label!r} in {source}")
    workbook.save(target)


@pytest.fixture(scope="module")
def second_load(demo_load: LoadRun, tmp_path_factory: pytest.TempPathFactory) -> SecondLoad:
    home = tmp_path_factory.mktemp("second_home")
    shutil.rmtree(home)
    shutil.copytree(demo_load.home, home)
    before = LoadRun(home, 0, "", "")
    admissions_before = before.scalar("select count(*) from marts.fct_admissions")

    inbox = tmp_path_factory.mktemp("inbox")
    restate(
        SAMPLE_REPORTS / "088" / "088_2024-H2.xlsx",
        inbox / "088_2024-H2.xlsx",
        "Số lớp bồi dưỡng nhận thức về Đảng",
        2,
    )
    injected = tmp_path_factory.mktemp("injected")
    write_sample(injected, inject=["summary_mismatch@086_2024-H1", "duplicate_person@089_2024-H2"])
    shutil.copy(injected / "086" / "086_2024-H1.xlsx", inbox / "086_2024-H1.xlsx")
    shutil.copy(injected / "089" / "089_2024-H2.xlsx", inbox / "089_2024-H2.xlsx")

    engine = sa.create_engine(f"duckdb:///{before.published}", connect_args={"read_only": True})
    with engine.connect() as bi:
        after = run_load(home, "--demo-key", "--inbox", str(inbox))
        during = bi.execute(sa.text("select count(*) from marts.fct_admissions")).scalar_one()
    engine.dispose()
    engine = sa.create_engine(f"duckdb:///{before.published}", connect_args={"read_only": True})
    with engine.connect() as bi:
        reopened = bi.execute(sa.text("select count(*) from marts.fct_admissions")).scalar_one()
    engine.dispose()  # a pooled connection left open would pin this process to the old file
    return SecondLoad(before, after, during, reopened, admissions_before)


def test_second_load_completes_while_a_bi_tool_holds_the_file(second_load: SecondLoad) -> None:
    assert second_load.after.returncode == 0, second_load.after.stdout + second_load.after.stderr
    assert second_load.reader_count_during == second_load.admissions_before


def test_the_bi_tool_reflects_tables_through_sqlalchemy(second_load: SecondLoad) -> None:
    engine = sa.create_engine(
        f"duckdb:///{second_load.after.published}", connect_args={"read_only": True}
    )
    tables = set(sa.inspect(engine).get_table_names(schema="marts"))
    engine.dispose()
    assert {"fct_admissions", "mart_indicators", "dq_issues"} <= tables


def test_a_valid_resubmission_changes_exactly_the_restated_figure(
    second_load: SecondLoad, demo_load: LoadRun
) -> None:
    unit, period, indicator = RESTATED
    sql = (
        "select unit_code, period_code, indicator_code, reported_value "
        "from marts.mart_indicators where scope_level = 'reporting_unit'"
    )
    old = {row[:3]: row[3] for row in demo_load.query(sql)}
    new = {row[:3]: row[3] for row in second_load.after.query(sql)}
    changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
    assert changed == {(unit, period, indicator)}
    assert new[(unit, period, indicator)] == old[(unit, period, indicator)] + 2


def test_the_restatement_log_says_what_changed(second_load: SecondLoad) -> None:
    unit, period, indicator = RESTATED
    rows = second_load.after.query(
        "select * from marts.mart_restatements where unit_code = ? and period_code = ?",
        [unit, period],
    )
    assert len(rows) == 1
    assert indicator in [str(value) for value in rows[0]]


def test_a_report_breaking_an_error_rule_keeps_the_last_accepted_version(
    second_load: SecondLoad,
) -> None:
    after = second_load.after
    report_ids = {
        row[0]
        for row in after.query(
            "select distinct report_id from marts.fct_admissions "
            "where unit_code = '086' and period_code = '2024-H1'"
        )
    }
    assert len(report_ids) == 1 and "_v1_" in next(iter(report_ids))
    issue = after.query(
        "select report_id, severity, sheet, column_name, message from marts.dq_issues "
        "where rule_code = 'DQ_SUMMARY_DETAIL' and unit_code = '086' and period_code = '2024-H1'"
    )
    assert issue, "the summary/detail finding is missing"
    report_id, severity, sheet, column_name, message = issue[0]
    assert "_v2_" in report_id and severity == "error" and sheet == "TongHop"
    assert column_name and " / " in message


def test_the_later_report_of_a_duplicate_person_is_refused_naming_the_other(
    second_load: SecondLoad,
) -> None:
    rows = second_load.after.query(
        "select report_id, message from marts.dq_issues "
        "where rule_code = 'DQ_DUPLICATE_PERSON' and unit_code = '089'"
    )
    assert rows
    report_id, message = rows[0]
    assert report_id.startswith("089_2024-H2_v2_")
    assert "37-CQDN_2023-H2" in message


def test_quarantined_resubmissions_keep_the_unit_period_accepted(second_load: SecondLoad) -> None:
    statuses = dict(
        second_load.after.query(
            "select unit_code || '/' || period_code, status from marts.mart_reporting_completeness "
            "where unit_code in ('086', '089', '088') and period_code in ('2024-H1', '2024-H2')"
        )
    )
    # A quarantined resubmission does not displace the accepted version it follows.
    assert statuses == {
        "088/2024-H2": "accepted",
        "086/2024-H1": "accepted",
        "089/2024-H2": "accepted",
        "086/2024-H2": "accepted",
        "088/2024-H1": "accepted",
        "089/2024-H1": "accepted",
    }


def test_the_published_file_was_swapped_not_written_in_place(second_load: SecondLoad) -> None:
    assert second_load.reader_count_after_reopen == second_load.admissions_before
    with duckdb.connect(str(second_load.after.published), read_only=True) as con:
        versions = con.execute("select max(version) from marts.publish_log").fetchone()[0]
    assert versions == 2


def test_a_night_leaves_out_the_reference_only_models_but_tests_against_them(
    second_load: SecondLoad, tmp_path: Path
) -> None:
    """Another report on the same home, with the registry, seeds and targets unchanged: the
    dimensions built from them alone are not rebuilt, the tests from the facts into them still
    run, and the published dimensions are those of the last build."""
    home = second_load.after.home
    dimensions_before = LoadRun(home, 0, "", "").query("select * from marts.dim_period")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    restate(
        SAMPLE_REPORTS / "088" / "088_2024-H1.xlsx",
        inbox / "088_2024-H1.xlsx",
        "SỐ LỚP BỒI DƯỠNG NHẬN THỨC VỀ ĐẢNG",
        1,
    )
    night = run_load(home, "--demo-key", "--inbox", str(inbox))
    assert night.returncode == 0, night.stdout + night.stderr
    run_id = re.search(r"load_warehouse ([0-9a-f-]{36})", night.stdout).group(1)
    results = json.loads(
        (run_target_path(home, run_id) / "run_results.json").read_text(encoding="utf-8")
    )
    ran = {result["unique_id"] for result in results["results"]}
    reference_only = {f"model.tcd_warehouse.{name}" for name in ("dim_period", "dim_indicator")}
    assert not ran & reference_only
    assert "model.tcd_warehouse.fct_admissions" in ran
    into_dimensions = [
        unique_id
        for unique_id in ran
        if unique_id.startswith("test.tcd_warehouse.relationships_fct_admissions")
        and "dim_" in unique_id
    ]
    assert into_dimensions, sorted(ran)
    assert night.query("select * from marts.dim_period") == dimensions_before
    # The night started from the last load's parse of the project: dbt did not read it again.
    dbt_log = (run_target_path(home, run_id) / "dbt.log").read_text(encoding="utf-8")
    assert "Unable to do partial parsing" not in dbt_log
    assert "Partial parsing enabled" in dbt_log


def test_a_full_refresh_after_incremental_builds_gives_byte_identical_marts(
    second_load: SecondLoad,
) -> None:
    """Incremental models kept the rows of earlier builds; rebuilding them from scratch gives
    the same marts, so the publish (which skips unchanged content) leaves the file untouched."""
    published = second_load.after.published
    before = published.read_bytes()
    refreshed = run_load(second_load.after.home, "--demo-key", "--full-refresh")
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    assert "build_warehouse" in refreshed.stdout
    assert published.read_bytes() == before
