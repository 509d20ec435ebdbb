"""One load, several conflicting reports at once: each is quarantined alone, the rest publishes.

On a copy of the demo home (every sample report accepted and published), an inbox brings:
- 088_2024-H1, a resubmission of an earlier period admitting a person 080 admitted in 2024-H2:
  080's accepted report stays published, 088's resubmission gets DQ_DUPLICATE_PERSON;
- 082_2024-H2, a resubmission admitting a person 086 admitted in 2024-H1 (the other way round);
- 087_2024-H2, a resubmission listing a state agency 089 lists for the same period
  (DQ_ENTERPRISE_OTHER_UNIT, where the build used to fail GX_SNAPSHOT_GRAIN);
- 085_2024-H2, a resubmission with one person older than an operator's stricter expectation
  allows (a copy of the suites via TCD_EXPECTATIONS_DIR): the gate quarantines it (DQ_GATE_GX);
- 088_2024-H2, a clean restatement, published in the same run.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from tests.integration.conftest import REPO, SAMPLE_REPORTS, LoadRun, run_load
from tests.integration.test_gate import copy_home
from tests.integration.test_resubmission import restate

pytestmark = pytest.mark.integration

CCCD = ("KetNap", ("cccd", "căn cước"))
BIRTH = ("KetNap", ("ngày sinh", "năm sinh"))
ADMITTED = ("KetNap", ("ngày kết nạp",))
TAX = ("ToChuc", ("mã số thuế", "mst"))
ADMISSION_TAX = ("KetNap", ("mã số thuế", "mst"))


def _sheet(book, name: str):
    return next(ws for ws in book.worksheets if ws.title.lower() == name.lower())


def _column(ws, keys: tuple[str, ...]) -> int:
    """The column whose header (row 5 of the samples) names one of ``keys``."""
    for cell in next(ws.iter_rows(min_row=5, max_row=5)):
        label = str(cell.value or "").replace("\n", " ").lower()
        if any(key in label for key in keys):
            return cell.column
    raise AssertionError(f"no column {keys} in {ws.title}")


def _data_row(ws) -> int:
    """The first data row: the one numbered 1 below the header."""
    for (cell,) in ws.iter_rows(min_row=6, max_row=12, max_col=1):
        if str(cell.value).strip() == "1":
            return cell.row
    raise AssertionError(f"no first data row in {ws.title}")


def _sample(stem: str) -> Path:
    return SAMPLE_REPORTS / stem.split("_")[0] / f"{stem}.xlsx"


def _first(stem: str, where: tuple[str, tuple[str, ...]]):
    """The value of a column in the first data row of a sample workbook."""
    book = openpyxl.load_workbook(_sample(stem))
    ws = _sheet(book, where[0])
    return ws.cell(_data_row(ws), _column(ws, where[1])).value


def _edit(stem: str, inbox: Path, edits: list[tuple[tuple[str, tuple[str, ...]], object]]):
    """Copy a sample workbook into the inbox, setting cells of its first data row."""
    book = openpyxl.load_workbook(_sample(stem))
    for (sheet, keys), value in edits:
        ws = _sheet(book, sheet)
        ws.cell(_data_row(ws), _column(ws, keys)).value = value
    book.save(inbox / f"{stem}.xlsx")


def _replace(stem: str, inbox: Path, columns: list[tuple[str, tuple[str, ...]]], old, new) -> None:
    """Copy a sample workbook into the inbox, replacing a value wherever the columns hold it."""
    book = openpyxl.load_workbook(_sample(stem))
    for sheet, keys in columns:
        ws = _sheet(book, sheet)
        column = _column(ws, keys)
        for (cell,) in ws.iter_rows(min_row=_data_row(ws), min_col=column, max_col=column):
            if str(cell.value) == str(old):
                cell.value = new
    book.save(inbox / f"{stem}.xlsx")


def _strict_suites(target: Path, max_age: int) -> Path:
    """The suites, plus an operator's expectation: nobody older than ``max_age`` is admitted."""
    shutil.copytree(REPO / "expectations", target)
    suite = json.loads((target / "admissions.json").read_text(encoding="utf-8"))
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "age_in_admission_year", "min_value": 0, "max_value": max_age},
            "meta": {
                "rule_code": "GX_OPERATOR_MAX_AGE",
                "table": "fct_admissions",
                "description": "A local rule: admissions up to a maximum age.",
            },
        }
    )
    (target / "admissions.json").write_text(json.dumps(suite, ensure_ascii=False), "utf-8")
    return target


def _accepted(run: LoadRun) -> dict[tuple[str, str], str]:
    return {
        (unit, period): rid
        for unit, period, rid in run.query(
            "select unit_code, period_code, report_id from marts.mart_reporting_completeness "
            "where status = 'accepted'"
        )
    }


@dataclass
class IsolationLoad:
    accepted_before: dict[tuple[str, str], str]
    run: LoadRun


@pytest.fixture(scope="module")
def isolation(demo_load: LoadRun, tmp_path_factory: pytest.TempPathFactory) -> IsolationLoad:
    home = copy_home(demo_load, tmp_path_factory.mktemp("isolation_home"))
    before = LoadRun(home, 0, "", "")
    accepted_before = _accepted(before)
    oldest = before.scalar(
        "select max(year(admission_date) - birth_year) from marts.fct_admissions"
    )
    inbox = tmp_path_factory.mktemp("isolation_inbox")
    _edit("088_2024-H1", inbox, [(CCCD, _first("080_2024-H2", CCCD))])
    _edit("082_2024-H2", inbox, [(CCCD, _first("086_2024-H1", CCCD))])
    own = _first("087_2024-H2", TAX)
    _replace("087_2024-H2", inbox, [TAX, ADMISSION_TAX], own, _first("089_2024-H2", TAX))
    admitted = _first("085_2024-H2", ADMITTED)
    year = admitted.year if hasattr(admitted, "year") else int(str(admitted)[-4:])
    _edit("085_2024-H2", inbox, [(BIRTH, f"01/01/{year - oldest - 5}")])
    restate(_sample("088_2024-H2"), inbox / "088_2024-H2.xlsx", "Số lớp bồi dưỡng", 1)
    strict = _strict_suites(tmp_path_factory.mktemp("suites") / "expectations", oldest)
    run = run_load(
        home, "--demo-key", "--inbox", str(inbox), env={"TCD_EXPECTATIONS_DIR": str(strict)}
    )
    return IsolationLoad(accepted_before, run)


def _issues(run: LoadRun, rule_code: str) -> dict[tuple[str, str], list[tuple]]:
    found: dict[tuple[str, str], list[tuple]] = {}
    for unit, period, rid, row, message in run.query(
        "select unit_code, period_code, report_id, row_number, message from marts.dq_issues "
        "where rule_code = ? order by report_id, row_number",
        [rule_code],
    ):
        found.setdefault((unit, period), []).append((rid, row, message))
    return found


QUARANTINED = {
    ("088", "2024-H1"): "DQ_DUPLICATE_PERSON",
    ("082", "2024-H2"): "DQ_DUPLICATE_PERSON",
    ("087", "2024-H2"): "DQ_ENTERPRISE_OTHER_UNIT",
    ("085", "2024-H2"): "DQ_GATE_GX",
}


def test_the_load_publishes_despite_conflicting_reports(isolation: IsolationLoad) -> None:
    run = isolation.run
    assert run.returncode == 0, run.stdout + run.stderr
    assert "previous published file" not in run.stdout
    # The operator's check failed and was resolved by the gate: visible, not blocking.
    assert "fct_admissions:gx_admissions" in run.stdout


def test_each_conflicting_report_is_quarantined_with_its_rule(isolation: IsolationLoad) -> None:
    for (unit, period), rule_code in QUARANTINED.items():
        issues = _issues(isolation.run, rule_code).get((unit, period))
        assert issues, (unit, period, rule_code)
        [rid] = {rid for rid, _, _ in issues}
        assert rid != isolation.accepted_before[(unit, period)]  # the new version, not the old
        status = isolation.run.scalar(
            "select status from marts.mart_reporting_completeness "
            "where unit_code = ? and period_code = ?",
            [unit, period],
        )
        assert status == "accepted"  # the earlier version stays published


def test_the_gate_finding_names_the_check_and_the_rows(isolation: IsolationLoad) -> None:
    [(_, row, message)] = _issues(isolation.run, "DQ_GATE_GX")[("085", "2024-H2")]
    assert "gx_admissions" in message and "GX_OPERATOR_MAX_AGE" in message
    assert row is not None and str(row) in message
    assert _issues(isolation.run, "DQ_GATE_GX").keys() == {("085", "2024-H2")}


def test_the_earlier_reports_stay_published_and_the_rest_is_published(
    isolation: IsolationLoad,
) -> None:
    after = _accepted(isolation.run)
    restated = ("088", "2024-H2")
    assert after[restated] != isolation.accepted_before[restated]  # published in the same run
    unchanged = {key: rid for key, rid in after.items() if key != restated}
    assert unchanged == {
        key: rid for key, rid in isolation.accepted_before.items() if key != restated
    }
    for earlier in [("080", "2024-H2"), ("086", "2024-H1"), ("089", "2024-H2")]:
        assert after[earlier] == isolation.accepted_before[earlier]
