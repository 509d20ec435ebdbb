"""Time (periods not begun, dates after today, impossible ages), personal data in the wrong
column, a tax code listed twice, and findings that never echo personal data."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dagster_project.quality.suites import load_suite_dict, resolve_parameters, suite_parameters
from dagster_project.reports import DEMO_KEY, parse_report
from dagster_project.reports.columns import Column
from dagster_project.reports.findings import make_finding
from dagster_project.reports.periods import period_not_begun, reporting_today
from dagster_project.reports.reference import rule_parameter
from dagster_project.reports.sheets import _future
from dagster_project.reports.values import looks_like_cccd, looks_like_person_name, mask
from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT
from tests.hostile.sheet_edit import table
from tests.reports.builders import KET_NAP, build_xlsx, make_meta
from tests.reports.conftest import rules

CCCDS = [row[1] for row in KET_NAP]
NAMES = [row[0] for row in KET_NAP]


def _edited(tmp_path: Path, change) -> Path:
    path = build_xlsx(tmp_path / "088_2024-H1.xlsx")
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def _no_personal_data(result) -> None:
    """No CCCD or name of the fixture in any stored table or finding."""
    for table_ in (result.tong_hop, result.ket_nap, result.to_chuc, result.findings):
        for column in table_.columns:
            if pa.types.is_string(column.type):
                for value in column.to_pylist():
                    for secret in CCCDS + NAMES + [c[1:] for c in CCCDS]:
                        assert secret not in (value or ""), (column, value)


# --- time ---------------------------------------------------------------------------------


def test_a_period_that_has_not_begun_is_an_error() -> None:
    today = date(2026, 11, 24)
    finding = period_not_begun("2027-H1", today)
    assert finding is not None and finding.severity == "error"
    assert "01/01/2027" in finding.message_vi and "2027-H1" in finding.message_en
    assert period_not_begun("2026-H2", today) is None
    assert period_not_begun("2026-H2", date(2026, 7, 1)) is None
    assert period_not_begun("2026-H2", date(2026, 6, 30)) is not None


def test_a_report_for_next_year_is_refused(tmp_path: Path, parse) -> None:
    path = build_xlsx(tmp_path / "088_2024-H1.xlsx")
    period = f"{reporting_today().year + 1}-H1"
    meta = replace(make_meta(path), period_code=period)
    result = parse_report(path, meta, DEMO_KEY)
    assert "DQ_PERIOD_NOT_BEGUN" in rules(result)


def test_dates_after_today_are_errors(tmp_path: Path, parse) -> None:
    later = reporting_today() + timedelta(days=3)

    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.set(ket_nap.rows[0], "admission_date", later)
        to_chuc = table(book, "to_chuc")
        to_chuc.set(to_chuc.rows[0], "party_org_founded_date", later)

    result = parse(_edited(tmp_path, change))
    future = [f for f in result.findings.to_pylist() if f["rule_code"] == "DQ_DATE_IN_FUTURE"]
    assert [f["sheet"] for f in future] == ["KetNap", "ToChuc"]
    assert all(f["value"] == f"{later:%d/%m/%Y}" for f in future)
    assert all(f["severity"] == "error" for f in future)


def test_today_itself_is_not_in_the_future() -> None:
    days = [date(2026, 1, 1), date(2026, 1, 2), None]
    column = Column("KetNap", "Ngày kết nạp", days, [6, 7, 8])
    found: list = []
    _future(column, pa.array(days, pa.date32()), date(2026, 1, 1), found)
    assert [f.row_number for f in found] == [7]


def test_a_birth_date_of_1900_is_an_implausible_age_not_a_crash(tmp_path: Path, parse) -> None:
    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.set(ket_nap.rows[0], "birth_date", date(1900, 1, 1))

    result = parse(_edited(tmp_path, change))
    implausible = [f for f in result.findings.to_pylist() if f["rule_code"] == "DQ_AGE_IMPLAUSIBLE"]
    assert len(implausible) == 1 and implausible[0]["severity"] == "error"
    assert implausible[0]["value"] == "124"
    assert implausible[0]["expected"] == f"<= {rule_parameter('DQ_AGE_IMPLAUSIBLE', 'max_age')}"


def test_the_age_bound_is_checked_on_the_year_difference_too(tmp_path: Path, parse) -> None:
    """Born 31/12/1923, admitted in 2024: 100 at admission, 101 by years (the mart's check)."""

    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.set(ket_nap.rows[0], "birth_date", date(1923, 12, 31))

    result = parse(_edited(tmp_path, change))
    assert "DQ_AGE_IMPLAUSIBLE" in rules(result)


def test_the_maximum_age_is_the_one_the_suites_use() -> None:
    suite, skipped = resolve_parameters(
        load_suite_dict("ket_nap"), suite_parameters(DBT_PROJECT_DIR / "seeds")
    )
    assert not skipped
    bounds = {
        e["kwargs"]["max_value"]
        for e in suite["expectations"]
        if e["kwargs"].get("column") in ("age_at_admission", "age_in_admission_year")
    }
    assert bounds == {int(rule_parameter("DQ_AGE_IMPLAUSIBLE", "max_age"))}


# --- a tax code twice ---------------------------------------------------------------------


def _repeat_last_unit(book, employees_delta: int) -> None:
    to_chuc = table(book, "to_chuc")
    last = to_chuc.rows[-1]
    to_chuc.sheet.insert_rows(last + 1)
    for column in range(1, to_chuc.sheet.max_column + 1):
        to_chuc.sheet.cell(row=last + 1, column=column).value = to_chuc.sheet.cell(
            row=last, column=column
        ).value
    if employees_delta:
        employees = to_chuc.cell(last, "employees").value
        to_chuc.set(last + 1, "employees", int(employees) + employees_delta)


def test_a_tax_code_twice_with_other_figures_is_an_error(tmp_path: Path, parse) -> None:
    result = parse(_edited(tmp_path, lambda book: _repeat_last_unit(book, 5)))
    twice = [f for f in result.findings.to_pylist() if f["rule_code"] == "DQ_DUPLICATE_TAXCODE"]
    assert len(twice) == 1 and twice[0]["severity"] == "error"
    assert twice[0]["value"]
    assert f"row {int(twice[0]['row_number']) - 1}" in twice[0]["message_en"]


def test_a_row_repeated_as_is_is_not_a_conflict(tmp_path: Path, parse) -> None:
    result = parse(_edited(tmp_path, lambda book: _repeat_last_unit(book, 0)))
    assert "DQ_DUPLICATE_TAXCODE" not in rules(result)


# --- personal data in the wrong column ----------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("cccd", "gender"), ("cccd", "work_unit_name"), ("cccd", "decision_number"),
     ("full_name", "work_unit_name"), ("full_name", "ethnicity"), ("full_name", "party_cell")],
)  # fmt: skip
def test_swapped_headers_with_personal_data_refuse_the_sheet(
    tmp_path: Path, parse, first: str, second: str
) -> None:
    result = parse(
        _edited(tmp_path, lambda book: table(book, "ket_nap").swap_columns(first, second))
    )
    misplaced = [
        f for f in result.findings.to_pylist() if f["rule_code"] == "DQ_PERSONAL_DATA_MISPLACED"
    ]
    assert len(misplaced) == 1 and misplaced[0]["severity"] == "error"
    assert result.ket_nap.num_rows == 0
    _no_personal_data(result)


def test_a_cccd_as_an_enterprise_name_refuses_to_chuc(tmp_path: Path, parse) -> None:
    def change(book):
        to_chuc = table(book, "to_chuc")
        to_chuc.set(to_chuc.rows[0], "enterprise_name", CCCDS[0])

    result = parse(_edited(tmp_path, change))
    assert "DQ_PERSONAL_DATA_MISPLACED" in rules(result)
    assert result.to_chuc.num_rows == 0
    _no_personal_data(result)


def test_a_malformed_cccd_and_birth_date_are_masked(tmp_path: Path, parse) -> None:
    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.set(ket_nap.rows[0], "cccd", CCCDS[0][:11])
        ket_nap.set(ket_nap.rows[1], "birth_date", "31/02/1990")

    result = parse(_edited(tmp_path, change))
    found = {f["rule_code"]: f for f in result.findings.to_pylist()}
    assert found["DQ_CCCD_FORMAT"]["value"] == "*********" + CCCDS[0][9:11]
    assert found["DQ_DATE_FORMAT"]["value"] == "********90"
    assert "31/02/1990" not in found["DQ_DATE_FORMAT"]["message_vi"]
    _no_personal_data(result)


def test_make_finding_masks_personal_columns_and_cccd_shaped_values_anywhere() -> None:
    by_column = make_finding("DQ_CODE_UNKNOWN", column_name="Họ và tên", value="Lê Văn Bình")
    assert by_column.value == "*********nh" and "Bình" not in by_column.message_en
    by_shape = make_finding("DQ_CODE_UNKNOWN", column_name="Giới tính", value="010090001234")
    assert by_shape.value == "**********34" and "0100900012" not in by_shape.message_vi
    as_number = make_finding("DQ_CODE_UNKNOWN", column_name="Giới tính", value=10090001234.0)
    assert as_number.value == "*********34"
    a_name = make_finding("DQ_CODE_UNKNOWN", column_name="Giới tính", value="Nguyễn Thị Hoa")
    assert a_name.value == "************oa"
    age = make_finding("DQ_AGE_UNDER_18", column_name="Ngày sinh", value=16, detail="18")
    assert age.value == "16"
    tax = make_finding("DQ_TAXCODE_FORMAT", column_name="Mã số thuế", value="0101234567-01")
    assert tax.value == "0101234567-01"


@given(st.text(alphabet="0123456789 .-abc", max_size=40))
def test_no_run_of_a_cccd_survives_a_finding(value: str) -> None:
    finding = make_finding("DQ_CODE_UNKNOWN", column_name="Ghi chú", value=value)
    for shown in (finding.value or "", finding.message_vi, finding.message_en):
        assert not re.search(r"(?<!\d)\d{11,12}(?!\d)", shown)


@pytest.mark.parametrize(
    "name", ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "LÊ VĂN TÁM", "Triệu Công Quân", "Hà Anh"]
)
def test_personal_names(name: str) -> None:
    assert looks_like_person_name(name)


@pytest.mark.parametrize(
    "text",
    ["Công ty TNHH Hoa Mai", "Chi nhánh Điện lực Lào Cai", "Hộ kinh doanh Trịnh Ngọc Ly",
     "Ủy ban nhân dân thành phố Lào Cai", "Trường THPT số 1", "Kinh", "Công nhân, người lao động",
     "Chi bộ Công ty cổ phần A", "91-QĐ/TU", "Nam"],
)  # fmt: skip
def test_work_units_and_codes_are_not_names(text: str) -> None:
    assert not looks_like_person_name(text)


def test_cccd_shapes() -> None:
    assert looks_like_cccd("010090001234") and looks_like_cccd(10090001234) is True
    assert looks_like_cccd("0100 9000 1234") and looks_like_cccd(10090001234.0)
    assert not looks_like_cccd("0101234567") and not looks_like_cccd(1565)
    assert not looks_like_cccd(True) and not looks_like_cccd(date(2024, 1, 1))
    assert mask("ab") == "**" and mask("abcdef") == "****ef"


def test_the_bundled_samples_raise_none_of_these_findings() -> None:
    """No sample report (real layouts, real names of units) trips the new checks."""
    new = {
        "DQ_TEXT_INVISIBLE",
        "DQ_TEXT_FORMULA",
        "DQ_DUPLICATE_TAXCODE",
        "DQ_PERIOD_NOT_BEGUN",
        "DQ_DATE_IN_FUTURE",
        "DQ_AGE_IMPLAUSIBLE",
        "DQ_PERSONAL_DATA_MISPLACED",
    }
    samples = sorted((REPO_ROOT / "sources" / "samples" / "reports").glob("*/*.xlsx"))
    for path in samples[::6]:
        unit, _, period = path.stem.rpartition("_")
        meta = replace(make_meta(path), unit_code=unit, period_code=period, unit_names=())
        result = parse_report(path, meta, DEMO_KEY)
        assert not new & set(rules(result)), path.name
