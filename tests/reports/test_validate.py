"""``tcd validate``: findings shown as a table, exit status 0 / 1 / 2."""

from __future__ import annotations

from rich.console import Console

from dagster_project.reports import validate_files
from tests.reports.builders import UNIT_NAMES, build_xlsx, sheets


def _console() -> Console:
    return Console(record=True, width=200)


def test_clean_file_validates_with_status_0(tmp_path):
    console = _console()
    assert (
        validate_files([build_xlsx(tmp_path / "088_2024-H1.xlsx")], console, lambda _: UNIT_NAMES)
        == 0
    )


def test_file_with_an_error_validates_with_status_1_and_shows_it(tmp_path):
    sheet_list = sheets()
    sheet_list[1].rows[4][2] = "123"
    console = _console()
    path = build_xlsx(tmp_path / "088_2024-H1.xlsx", sheet_list=sheet_list)
    assert validate_files([path], console) == 1
    output = console.export_text()
    assert "DQ_CCCD_FORMAT" in output and "exactly 12 digits" in output


def test_badly_named_or_missing_file_is_a_usage_problem(tmp_path):
    bad = build_xlsx(tmp_path / "report.xlsx")
    assert validate_files([bad], _console()) == 2
    assert validate_files([tmp_path / "088_2024-H1.xlsx"], _console()) == 2
