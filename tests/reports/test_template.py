"""The blank report template: written from the parser's reference data, accepted by the parser.

The filled-template tests type values with openpyxl the way an officer types them in Excel: each
value must pass the cell's data validation, and a new cell takes its column's number format.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook as OpenpyxlWorkbook
from openpyxl.worksheet.worksheet import Worksheet
from rich.console import Console

from dagster_project.ingest.naming import parse_report_name
from dagster_project.ingest.registry import load_registry
from dagster_project.reports import DEMO_KEY, ParseResult, ReportMeta, parse_report, validate_files
from dagster_project.reports.reference import (
    coded_values,
    indicator_catalogue,
    private_sector_codes,
    sheet_headers,
)
from dagster_project.reports.template import (
    CODED_FIELDS,
    COUNT_FIELDS,
    DATE_FIELDS,
    GUIDE_SHEET,
    HEADER_ROW,
    LIST_SHEET,
    input_kind,
    title_lines,
    write_template,
)
from dagster_project.reports.title import read_period

UNIT = "088"
PERIOD = "2024-H1"
SHEETS = {"tong_hop": "TongHop", "ket_nap": "KetNap", "to_chuc": "ToChuc"}
EXCEL_HEADER_ROW = HEADER_ROW + 1  # 1-based, as openpyxl and a spreadsheet count rows


# ------------------------------------------------------------------------------------ helpers


def _parse(path: Path) -> ParseResult:
    name = parse_report_name(path.name)
    unit_code, period_code = name.unit_code, name.period_code
    meta = ReportMeta(
        report_id=f"{unit_code}_{period_code}_v1_00000000",
        unit_code=unit_code,
        period_code=period_code,
        version=1,
        sha256="0" * 64,
        file_name=path.name,
        source_uri=path.as_uri(),
        received_at=datetime(2024, 7, 5, tzinfo=UTC),
        unit_names=load_registry().names_for(unit_code),
    )
    return parse_report(path, meta, DEMO_KEY)


def _validate(path: Path) -> tuple[int, str]:
    out = io.StringIO()
    status = validate_files([path], Console(file=out, width=240), load_registry().names_for)
    return status, out.getvalue()


def _rules(result: ParseResult) -> list[str]:
    return result.findings.column("rule_code").to_pylist()


def _header_columns(ws: Worksheet, logical: str) -> dict[str, int]:
    """Field → 1-based column, found by reading the header row as the parser does."""
    spec = sheet_headers()[logical]
    found = {}
    for cell in ws[EXCEL_HEADER_ROW]:
        field = spec.match(str(cell.value)) if cell.value else None
        if field:
            found[field] = cell.column
    return found


def _validation_at(ws: Worksheet, coordinate: str):
    matches = [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(matches) <= 1, f"{ws.title}!{coordinate} has {len(matches)} validations"
    return matches[0] if matches else None


def _list_values(book: OpenpyxlWorkbook, formula: str) -> list[str]:
    sheet_name, cells = formula.lstrip("=").split("!")
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    sheet = book[sheet_name]
    return [
        sheet.cell(row, column).value
        for row in range(min_row, max_row + 1)
        for column in range(min_col, max_col + 1)
    ]


def _excel_accepts(book: OpenpyxlWorkbook, dv, value: object) -> bool:
    """What Excel's data validation says about a typed value (information-style always passes)."""
    if dv is None or dv.errorStyle == "information":
        return True
    if dv.type == "list":
        return value in _list_values(book, dv.formula1)
    if dv.type == "whole":
        assert dv.operator == "greaterThanOrEqual"
        return isinstance(value, int) and value >= int(dv.formula1)
    if dv.type == "date":
        serial = (value - date(1899, 12, 30)).days if isinstance(value, date) else None
        return serial is not None and int(dv.formula1) <= serial <= int(dv.formula2)
    if dv.type == "textLength":
        return isinstance(value, str) and int(dv.formula1) <= len(value) <= int(dv.formula2)
    raise AssertionError(f"unexpected validation type {dv.type}")


def _column_number_format(ws: Worksheet, column: int) -> str | None:
    for dimension in ws.column_dimensions.values():
        if dimension.min <= column <= dimension.max:
            return dimension.number_format
    return None


def _type(book: OpenpyxlWorkbook, ws: Worksheet, row: int, column: int, value: object) -> None:
    """Type a value into a cell as Excel would: validated, in the column's number format."""
    cell = ws.cell(row, column)
    dv = _validation_at(ws, cell.coordinate)
    where = f"{ws.title}!{cell.coordinate}"
    assert _excel_accepts(book, dv, value), f"Excel refuses {value!r} in {where}"
    if cell.number_format == "General":
        cell.number_format = _column_number_format(ws, column) or "General"
    cell.value = value


# ---------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("template"), unit_code=UNIT, period_code=PERIOD)


@pytest.fixture(scope="module")
def book(template: Path) -> OpenpyxlWorkbook:
    return openpyxl.load_workbook(template)


# A consistent small report: 2 admissions in 1 private enterprise with a party cell and a trade
# union both founded in the period. Every figure equals what the detail rows give.
TO_CHUC_ROW = {
    "stt": 1,
    "tax_code": "0312345678",
    "enterprise_name": "Công ty TNHH Dịch vụ Sa Pa Xanh",
    "ownership_type": "Tư nhân",
    "employees": 45,
    "party_org_type": "Chi bộ cơ sở",
    "party_org_founded_date": date(2024, 3, 15),
    "party_members": 5,
    "superior_committee": "Đảng ủy Thị xã Sa Pa",
    "has_union": "Có",
    "union_founded_date": date(2024, 2, 1),
    "union_members": 40,
    "has_youth_org": "Không",
    "youth_members": 0,
}
KET_NAP_ROWS = [
    {
        "stt": 1,
        "full_name": "Nguyễn Văn An",
        "cccd": "001095012345",
        "birth_date": date(1995, 5, 10),
        "gender": "Nam",
        "ethnicity": "Kinh",
        "category": "Công nhân, người lao động",
        "work_unit_name": "Công ty TNHH Dịch vụ Sa Pa Xanh",
        "tax_code": "0312345678",
        "admission_date": date(2024, 4, 20),
        "decision_number": "125-QĐ/TU",
        "party_cell": "Chi bộ Công ty Sa Pa Xanh",
    },
    {
        "stt": 2,
        "full_name": "Giàng Thị Bình",
        "cccd": "010190001234",
        "birth_date": date(1990, 8, 2),
        "gender": "Nữ",
        "ethnicity": "Mông",
        "category": "Chủ doanh nghiệp",
        "work_unit_name": "Công ty TNHH Dịch vụ Sa Pa Xanh",
        "tax_code": "0312345678",
        "admission_date": date(2024, 5, 30),
        "decision_number": "131-QĐ/TU",
        "party_cell": "Chi bộ Công ty Sa Pa Xanh",
    },
]
FIGURES = {
    "ket_nap_dang_vien": 2,
    "ket_nap_cong_nhan_lao_dong": 1,
    "ket_nap_hoc_sinh_sinh_vien": 0,
    "ket_nap_hoc_sinh_thpt": 0,
    "ket_nap_chu_doanh_nghiep": 1,
    "ket_nap_kttn": 2,
    "lop_boi_duong": 1,
    "hoc_vien_boi_duong": 12,
    "hoc_vien_kttn": 5,
    "de_nghi_ket_nap": 3,
    "doan_vien_uu_tu_gioi_thieu": 2,
    "doan_vien_uu_tu_ket_nap": 1,
    "tcd_thanh_lap_kttn": 1,
    "cdcs_thanh_lap": 1,
    "doan_vien_cong_doan_moi": 40,
    "doan_vien_cong_doan_moi_ngoai_nn": 40,
    "dang_vien_kttn": 5,
    "tcd_kttn": 1,
}  # every other catalogue indicator is 0


@pytest.fixture(scope="module")
def filled(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template filled in with openpyxl, saved under the conventional file name."""
    book = openpyxl.load_workbook(template)
    tong_hop = book[SHEETS["tong_hop"]]
    columns = _header_columns(tong_hop, "tong_hop")
    catalogue = indicator_catalogue()
    for row in range(EXCEL_HEADER_ROW + 1, tong_hop.max_row + 1):
        code = catalogue.match(str(tong_hop.cell(row, columns["label"]).value))
        if code:
            _type(book, tong_hop, row, columns["value"], FIGURES.get(code, 0))
    for logical, rows in (("ket_nap", KET_NAP_ROWS), ("to_chuc", [TO_CHUC_ROW])):
        ws = book[SHEETS[logical]]
        columns = _header_columns(ws, logical)
        for offset, values in enumerate(rows, start=1):
            for field, value in values.items():
                _type(book, ws, EXCEL_HEADER_ROW + offset, columns[field], value)
    out = tmp_path_factory.mktemp("filled") / f"{UNIT}_{PERIOD}.xlsx"
    book.save(out)
    return out


# ------------------------------------------------------------------------------ the workbook


def test_workbook_holds_guide_report_sheets_and_a_hidden_list_sheet(template: Path) -> None:
    metadata = python_calamine.CalamineWorkbook.from_path(str(template)).sheets_metadata
    visible = {sheet.name: sheet.visible for sheet in metadata}
    assert list(visible) == [GUIDE_SHEET, "TongHop", "KetNap", "ToChuc", LIST_SHEET]
    assert visible[LIST_SHEET] == python_calamine.SheetVisibleEnum.Hidden
    assert visible["TongHop"] == python_calamine.SheetVisibleEnum.Visible


@pytest.mark.parametrize("logical", list(SHEETS))
def test_header_row_is_the_canonical_label_of_every_column(template: Path, logical: str) -> None:
    workbook = python_calamine.CalamineWorkbook.from_path(str(template))
    rows = workbook.get_sheet_by_name(SHEETS[logical]).to_python()
    assert rows[HEADER_ROW] == list(sheet_headers()[logical].display.values())


def test_template_is_named_for_unit_and_period_when_written_into_a_folder(
    template: Path,
) -> None:
    assert template.name == "088_2024-H1.xlsx"


def test_every_column_the_parser_knows_has_an_input_kind() -> None:
    for logical, spec in sheet_headers().items():
        for field in spec.display:
            assert input_kind(field), f"{logical}.{field}"


# ---------------------------------------------------------------------------------- TongHop


def test_tong_hop_lists_every_catalogue_indicator_in_catalogue_order(template: Path) -> None:
    parsed = _parse(template).tong_hop
    assert parsed.column("indicator_code").to_pylist() == list(indicator_catalogue().indicators)
    assert set(parsed.column("reported_value").to_pylist()) == {None}


def test_tong_hop_numbers_sub_rows_under_their_parent_and_indents_them(
    book: OpenpyxlWorkbook,
) -> None:
    ws = book["TongHop"]
    columns = _header_columns(ws, "tong_hop")
    catalogue = indicator_catalogue()
    rows = {}
    for row in range(EXCEL_HEADER_ROW + 1, ws.max_row + 1):
        label = ws.cell(row, columns["label"])
        rows[catalogue.match(label.value)] = (ws.cell(row, columns["stt"]).value, label)
    assert rows["ket_nap_dang_vien"][0] == "1"
    assert rows["ket_nap_hoc_sinh_sinh_vien"][0] == "1.2"
    assert rows["ket_nap_hoc_sinh_thpt"][0] == "1.2.1"
    assert rows["lop_boi_duong"][0] == "2"
    for code, indicator in catalogue.indicators.items():
        label = rows[code][1]
        assert label.value.startswith("Trong đó:") == bool(indicator.parent_code)
        assert (label.alignment.indent > 0) == bool(indicator.parent_code), code


# ---------------------------------------------------------------------------- title rows


def test_title_names_the_unit_from_the_registry_and_the_half_year(template: Path) -> None:
    rows = python_calamine.CalamineWorkbook.from_path(str(template)).get_sheet_by_name("KetNap")
    first, second = rows.to_python()[:2]
    assert first[0] == "ĐẢNG BỘ THỊ XÃ SA PA"
    assert second[0].endswith("6 THÁNG ĐẦU NĂM 2024")


def test_parser_reads_unit_and_period_back_from_the_title(template: Path) -> None:
    report = _parse(template).report.to_pylist()[0]
    assert (report["title_unit"], report["title_period"]) == ("ĐẢNG BỘ THỊ XÃ SA PA", PERIOD)


@given(year=st.integers(1990, 2099), half=st.sampled_from(["H1", "H2"]))
def test_title_period_reads_back_as_the_same_period_code(year: int, half: str) -> None:
    _unit, report_line = title_lines(period_code=f"{year}-{half}", unit_name="Huyện Bát Xát")
    assert read_period([report_line]) == f"{year}-{half}"


def test_given_unit_name_is_written_as_its_party_committee_in_capitals() -> None:
    unit, _report = title_lines(unit_name="Thị xã Sa Pa")
    assert unit == "ĐẢNG BỘ THỊ XÃ SA PA"


def test_unknown_unit_code_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="999"):
        write_template(tmp_path / "x.xlsx", unit_code="999", period_code=PERIOD)


@pytest.mark.parametrize("period", ["2024-H3", "2024", "H1-2024"])
def test_malformed_period_is_refused(tmp_path: Path, period: str) -> None:
    with pytest.raises(ValueError):
        write_template(tmp_path / "x.xlsx", unit_code=UNIT, period_code=period)


# ------------------------------------------------------------------------ parser acceptance


def test_empty_template_has_no_error_only_a_missing_value_warning_per_indicator(
    template: Path,
) -> None:
    result = _parse(template)
    assert result.error_count == 0
    assert _rules(result) == ["DQ_VALUE_MISSING"] * len(indicator_catalogue().indicators)


def test_empty_template_passes_tcd_validate(template: Path) -> None:
    status, output = _validate(template)
    assert status == 0, output


def test_placeholder_title_is_flagged_until_the_officer_writes_unit_and_period(
    tmp_path: Path,
) -> None:
    blank = write_template(tmp_path)
    assert blank.name == "mau_bao_cao.xlsx"
    result = _parse(blank.rename(tmp_path / f"{UNIT}_{PERIOD}.xlsx"))
    findings = {(f["rule_code"], f["severity"]) for f in result.findings.to_pylist()}
    assert findings == {
        ("DQ_VALUE_MISSING", "warning"),
        ("DQ_TITLE_MISSING", "warning"),
        ("DQ_TITLE_UNIT_MISMATCH", "error"),
    }


def test_filled_template_passes_tcd_validate(filled: Path) -> None:
    status, output = _validate(filled)
    assert status == 0, output


def test_filled_template_parses_with_no_finding_at_all(filled: Path) -> None:
    result = _parse(filled)
    assert _rules(result) == []
    assert (result.ket_nap.num_rows, result.to_chuc.num_rows) == (2, 1)


def test_filled_template_keeps_leading_zeros_of_cccd_and_tax_code(filled: Path) -> None:
    book = openpyxl.load_workbook(filled)
    ws = book["KetNap"]
    columns = _header_columns(ws, "ket_nap")
    cccd = ws.cell(EXCEL_HEADER_ROW + 1, columns["cccd"])
    assert (cccd.value, cccd.number_format) == ("001095012345", "@")
    assert _parse(filled).to_chuc.column("tax_code").to_pylist() == ["0312345678"]


def test_filled_summary_equals_its_detail(filled: Path) -> None:
    result = _parse(filled)
    reported = dict(
        zip(
            result.tong_hop.column("indicator_code").to_pylist(),
            result.tong_hop.column("reported_value").to_pylist(),
            strict=True,
        )
    )
    categories = result.ket_nap.column("category_code").to_pylist()
    units = result.to_chuc.to_pylist()
    private = [u for u in units if u["ownership_type"] in private_sector_codes()]
    assert reported["ket_nap_dang_vien"] == len(categories)
    assert reported["ket_nap_cong_nhan_lao_dong"] == categories.count("cong_nhan_lao_dong")
    assert reported["ket_nap_chu_doanh_nghiep"] == categories.count("chu_doanh_nghiep")
    assert reported["ket_nap_kttn"] == sum(
        tax in {u["tax_code"] for u in private}
        for tax in result.ket_nap.column("tax_code").to_pylist()
    )
    assert reported["dang_vien_kttn"] == sum(u["party_members"] for u in private)
    assert reported["tcd_kttn"] == sum(u["party_org_type"] != "khong" for u in private)
    assert reported["cdcs_thanh_lap"] == sum(u["has_union"] for u in units)


def test_filled_template_keeps_its_data_validations(book: OpenpyxlWorkbook, filled: Path) -> None:
    after = openpyxl.load_workbook(filled)

    def rules(ws: Worksheet) -> list[tuple[str, str]]:
        return [(dv.type, str(dv.sqref)) for dv in ws.data_validations.dataValidation]

    for name in SHEETS.values():
        assert rules(after[name]) == rules(book[name]) != []


# ----------------------------------------------------------------------------- validations


@pytest.mark.parametrize(
    ("logical", "field"),
    [(logical, field) for logical, spec in sheet_headers().items() for field in spec.display],
)
def test_each_column_has_the_validation_its_kind_calls_for(
    book: OpenpyxlWorkbook, logical: str, field: str
) -> None:
    ws = book[SHEETS[logical]]
    column = get_column_letter(_header_columns(ws, logical)[field])
    dv = _validation_at(ws, f"{column}{EXCEL_HEADER_ROW + 1}")
    expected = {
        "coded": "list",
        "date": "date",
        "count": "whole",
        "id": "textLength",
        "text": None,
    }[input_kind(field)]
    assert (dv.type if dv else None) == expected
    assert _validation_at(ws, f"{column}{EXCEL_HEADER_ROW}") is None  # not on the header


@pytest.mark.parametrize(
    ("logical", "field"),
    [
        (logical, field)
        for logical, spec in sheet_headers().items()
        for field in spec.display
        if field in CODED_FIELDS and CODED_FIELDS[field] in coded_values()
    ],
)
def test_drop_down_offers_exactly_the_coded_values_of_its_domain(
    book: OpenpyxlWorkbook, logical: str, field: str
) -> None:
    ws = book[SHEETS[logical]]
    column = get_column_letter(_header_columns(ws, logical)[field])
    dv = _validation_at(ws, f"{column}{EXCEL_HEADER_ROW + 1}")
    assert dv.formula1.startswith(f"{LIST_SHEET}!$")
    labels = list(coded_values()[CODED_FIELDS[field]].labels.values())
    assert _list_values(book, dv.formula1) == labels


def test_list_sheet_read_with_calamine_holds_every_coded_label(template: Path) -> None:
    rows = python_calamine.CalamineWorkbook.from_path(str(template)).get_sheet_by_name(LIST_SHEET)
    cells = {cell for row in rows.to_python() for cell in row if cell}
    for domain in coded_values().values():
        assert set(domain.labels.values()) <= cells


def test_count_cells_refuse_negative_and_fractional_values(book: OpenpyxlWorkbook) -> None:
    ws = book["ToChuc"]
    columns = _header_columns(ws, "to_chuc")
    for field in COUNT_FIELDS & set(columns):
        dv = _validation_at(ws, f"{get_column_letter(columns[field])}{EXCEL_HEADER_ROW + 1}")
        assert dv.errorStyle in (None, "stop")  # None is Excel's default: stop
        assert _excel_accepts(book, dv, 0)
        assert not _excel_accepts(book, dv, -1)
        assert not _excel_accepts(book, dv, 2.5)


def test_date_columns_show_dd_mm_yyyy(book: OpenpyxlWorkbook) -> None:
    for logical in ("ket_nap", "to_chuc"):
        ws = book[SHEETS[logical]]
        for field, column in _header_columns(ws, logical).items():
            if field in DATE_FIELDS:
                assert _column_number_format(ws, column) == "dd/mm/yyyy", field


def test_cccd_and_tax_code_columns_are_text_so_leading_zeros_survive(
    book: OpenpyxlWorkbook,
) -> None:
    for logical, field in (("ket_nap", "cccd"), ("ket_nap", "tax_code"), ("to_chuc", "tax_code")):
        ws = book[SHEETS[logical]]
        assert _column_number_format(ws, _header_columns(ws, logical)[field]) == "@"


def test_cccd_cells_hint_and_check_twelve_characters(book: OpenpyxlWorkbook) -> None:
    ws = book["KetNap"]
    column = get_column_letter(_header_columns(ws, "ket_nap")["cccd"])
    dv = _validation_at(ws, f"{column}{EXCEL_HEADER_ROW + 1}")
    assert (dv.formula1, dv.formula2) == ("12", "12")
    assert "12" in dv.prompt
    assert not _excel_accepts(book, dv, "01234567890")


@pytest.mark.parametrize("name", list(SHEETS.values()))
def test_header_stays_in_view_when_scrolling(book: OpenpyxlWorkbook, name: str) -> None:
    frozen = book[name].freeze_panes
    assert frozen is not None
    assert int("".join(ch for ch in frozen if ch.isdigit())) == EXCEL_HEADER_ROW + 1


def test_columns_are_wide_enough_for_their_content(book: OpenpyxlWorkbook) -> None:
    ws = book["TongHop"]
    columns = _header_columns(ws, "tong_hop")
    label = get_column_letter(columns["label"])
    assert ws.column_dimensions[label].width >= 60
    ws = book["KetNap"]
    cccd = _header_columns(ws, "ket_nap")["cccd"]
    width = next(d.width for d in ws.column_dimensions.values() if d.min <= cccd <= d.max)
    assert width >= 14
    assert column_index_from_string(label) == columns["label"]


# ------------------------------------------------------------------------------- the guide


def _guide_text(template: Path) -> str:
    rows = python_calamine.CalamineWorkbook.from_path(str(template)).get_sheet_by_name(GUIDE_SHEET)
    return "\n".join(" ".join(str(cell) for cell in row) for row in rows.to_python())


def test_guide_gives_the_file_name_and_the_validate_command(template: Path) -> None:
    text = _guide_text(template)
    assert "<mã đơn vị>_<kỳ>.xlsx" in text
    assert "<unit code>_<period>.xlsx" in text
    assert "tcd validate 088_2024-H1.xlsx" in text


def test_guide_lists_every_coded_value_and_sheet(template: Path) -> None:
    text = _guide_text(template)
    for domain in coded_values().values():
        for label in domain.labels.values():
            assert label in text
    for title in SHEETS.values():
        assert f"{title}:" in text


def test_guide_says_personal_data_is_pseudonymised_on_receipt(template: Path) -> None:
    text = _guide_text(template)
    assert "giả danh hóa" in text
    assert "pseudonymised" in text
