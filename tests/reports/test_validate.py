"""``tcd validate``: findings shown as a table, exit status 0 / 1 / 2."""

from __future__ import annotations

import pytest
from rich.console import Console

from dagster_project.ingest.name_check import check_report_name
from dagster_project.ingest.naming import ReportNameError
from dagster_project.ingest.registry import load_registry
from dagster_project.reports import validate_files
from dagster_project.settings import REPO_ROOT
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


@pytest.mark.parametrize(
    ("name", "because"),
    [
        ("088_2024-h1.xlsx", "does not follow"),  # the half is written H1 / H2
        ("999_2024-H1.xlsx", "is not in the registry"),
        ("088_2014-H2.xlsx", "did not exist in period 2014-H2"),  # before the registry's history
        ("088_2025-H2.xlsx", "did not exist in period 2025-H2"),  # abolished in the 2025 reform
        ("0880000000000000000000_2024-H1.xlsx", "is not in the registry"),
        ("10_2024-H1.xlsx", "does not send reports"),
    ],
)
def test_validate_refuses_every_name_the_pull_refuses(tmp_path, name, because):
    registry = load_registry(REPO_ROOT / "sources" / "registry.yaml")
    path = build_xlsx(tmp_path / name)
    with pytest.raises(ReportNameError, match=because) as refused:
        check_report_name(name, registry)
    console = _console()
    assert validate_files([path], console, registry=registry) == 2
    output = " ".join(console.export_text().split())
    assert " ".join(refused.value.reason_en.split()) in output
    assert " ".join(refused.value.reason_vi.split()) in output


def test_validate_accepts_a_name_the_pull_accepts(tmp_path):
    registry = load_registry(REPO_ROOT / "sources" / "registry.yaml")
    path = build_xlsx(tmp_path / "088_2024-H1.xlsx")
    assert check_report_name(path.name, registry).unit_code == "088"
    assert validate_files([path], _console(), registry=registry) == 0
