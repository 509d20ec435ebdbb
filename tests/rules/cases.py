"""One small real report per single-report rule, each breaking that rule and nothing it need not.

Every case is written for its own unit and period (`slot`), so one load can hold them all without
one report's people or figures meeting another's: dates move by whole years with the period, the
citizen IDs carry the case's number, and the title names the case's unit and year.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tests.hostile.workbook_parts import append_row, encrypted_zip, rewrite
from tests.reports.builders import (
    TITLE_ROWS,
    TO_CHUC,
    TONG_HOP,
    Sheet,
    Variant,
    build_xlsx,
    csv_files,
    sheets,
)

# Lào Cai's reporting units before the 2025 reform: every one existed in 2016-2024.
UNITS = ("080", "082", "083", "084", "085", "086", "087", "088", "089", "10-CQDN", "10-KKT")
YEARS = tuple(range(2016, 2025))
TH, KN, TC = 0, 1, 2  # sheet positions
FIRST_DATA_ROW = 4  # two title rows, a blank row, the header row
KN_CCCD, KN_BIRTH, KN_GENDER, KN_ETHNICITY, KN_CATEGORY, KN_TAX, KN_ADMITTED = 2, 3, 4, 5, 6, 8, 9
TC_TAX, TC_EMPLOYEES, TC_PARTY_FOUNDED = 1, 5, 7
TAX_CODES = frozenset(row[0] for row in TO_CHUC)


@dataclass(frozen=True)
class Slot:
    """The unit and period a case reports, and the names the registry gives the unit."""

    index: int
    unit_code: str
    unit_name: str

    @property
    def year(self) -> int:
        return YEARS[self.index // len(UNITS)]

    @property
    def period_code(self) -> str:
        return f"{self.year}-H1"

    @property
    def stem(self) -> str:
        return f"{self.unit_code}_{self.period_code}"


def slot(index: int, names: Callable[[str], tuple[str, ...]]) -> Slot:
    code = UNITS[index % len(UNITS)]
    return Slot(index, code, names(code)[0])


def _move(value: object, years: int, index: int) -> object:
    """A date moved by whole years; one of the builders' tax codes made the case's own."""
    if isinstance(value, date):
        return value.replace(year=value.year + years)
    if isinstance(value, str) and value.startswith("5300") and value in TAX_CODES:
        return f"5{index:03d}{value[4:]}"
    return value


def report_sheets(where: Slot, variant: Variant | None = None) -> list[Sheet]:
    """The legal report of the builders, moved to the slot's unit, year, people and units."""
    variant = variant or Variant()
    years = where.year - 2024
    titles = [f"ĐẢNG BỘ {where.unit_name.upper()}", TITLE_ROWS[1].replace("2024", str(where.year))]
    result = sheets(variant)
    for sheet in result:
        sheet.rows = [[_move(cell, years, where.index) for cell in row] for row in sheet.rows]
        if variant.title_rows:
            sheet.rows[0][0], sheet.rows[1][0] = titles
    for row in result[KN].rows[FIRST_DATA_ROW:]:
        row[KN_CCCD] = f"{row[KN_CCCD][:9]}{where.index:03d}"
    return result


def tong_hop_row(code: str) -> int:
    return FIRST_DATA_ROW + [c for c, *_ in TONG_HOP].index(code)


def _cell(sheets_: list[Sheet], sheet: int, row: int, column: int, value: object) -> None:
    sheets_[sheet].rows[FIRST_DATA_ROW + row][column] = value


def _drop_column(sheet: Sheet, header: str) -> None:
    position = sheet.rows[FIRST_DATA_ROW - 1].index(header)
    for row in sheet.rows[FIRST_DATA_ROW - 1 :]:
        del row[position]


def _add_column(sheet: Sheet, header: str, value: object) -> None:
    sheet.rows[FIRST_DATA_ROW - 1].append(header)
    for row in sheet.rows[FIRST_DATA_ROW:]:
        row.append(value)


# ------------------------------------------------------------------------ report edits, by rule
def _edit(change: Callable[[list[Sheet], Slot], None]) -> Callable[[Path, Slot], Path]:
    def write(folder: Path, where: Slot) -> Path:
        sheet_list = report_sheets(where)
        change(sheet_list, where)
        return build_xlsx(folder / f"{where.stem}.xlsx", sheet_list=sheet_list)

    return write


def _legal(sheet_list: list[Sheet], where: Slot) -> None:
    return None


def _sheet_missing(sheet_list: list[Sheet], where: Slot) -> None:
    del sheet_list[TC]


def _sheet_duplicate(sheet_list: list[Sheet], where: Slot) -> None:
    sheet_list.append(Sheet("Tổng hợp", [list(r) for r in sheet_list[TH].rows], []))


def _header_not_found(sheet_list: list[Sheet], where: Slot) -> None:
    sheet_list[KN].rows[FIRST_DATA_ROW - 1] = ["x"] * len(sheet_list[KN].rows[FIRST_DATA_ROW - 1])


def _column_missing(sheet_list: list[Sheet], where: Slot) -> None:
    _drop_column(sheet_list[KN], "Số CCCD")


def _optional_column_missing(sheet_list: list[Sheet], where: Slot) -> None:
    _drop_column(sheet_list[KN], "Chi bộ")


def _unknown_column(sheet_list: list[Sheet], where: Slot) -> None:
    _add_column(sheet_list[KN], "Ghi chú riêng", "x")


def _duplicate_column(sheet_list: list[Sheet], where: Slot) -> None:
    sheet = sheet_list[KN]
    _add_column(sheet, "Chi bộ", None)
    for row in sheet.rows[FIRST_DATA_ROW:]:
        row[-1] = row[-2]


def _title_unit_mismatch(sheet_list: list[Sheet], where: Slot) -> None:
    other = "HUYỆN VĂN BÀN" if where.unit_code != "089" else "HUYỆN BÁT XÁT"
    for sheet in sheet_list:
        sheet.rows[0][0] = f"ĐẢNG BỘ {other}"


def _title_period_mismatch(sheet_list: list[Sheet], where: Slot) -> None:
    for sheet in sheet_list:
        sheet.rows[1][0] = sheet.rows[1][0].replace("ĐẦU NĂM", "CUỐI NĂM")


def _unknown_indicator(sheet_list: list[Sheet], where: Slot) -> None:
    sheet_list[TH].rows.append([99, "Số buổi sinh hoạt chuyên đề", 4])


def _duplicate_indicator(sheet_list: list[Sheet], where: Slot) -> None:
    sheet_list[TH].rows.append(list(sheet_list[TH].rows[tong_hop_row("lop_boi_duong")]))


def _value_missing(sheet_list: list[Sheet], where: Slot) -> None:
    sheet_list[TH].rows[tong_hop_row("lop_boi_duong")][2] = None


def _required_value(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 0, KN_ADMITTED, None)


def _count_format(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, TC, 0, TC_EMPLOYEES, "nhiều")


def _cccd_format(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 0, KN_CCCD, "0100900012")


def _taxcode_format(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, TC, 1, TC_TAX, "53006543")


def _date_format(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 0, KN_BIRTH, "31/02/1990")


def _code_unknown(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 0, KN_GENDER, "Không rõ")


def _ethnicity_unknown(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 0, KN_ETHNICITY, "Xyzabc")


def _admission_out_of_period(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 0, KN_ADMITTED, date(where.year - 1, 12, 20))


def _founded_after_period(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, TC, 1, TC_PARTY_FOUNDED, date(where.year, 8, 1))


def _age_under_18(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 1, KN_BIRTH, date(where.year - 17, 1, 2))


def _part_le_whole(sheet_list: list[Sheet], where: Slot) -> None:
    sheet_list[TH].rows[tong_hop_row("hoc_vien_kttn")][2] = 2000  # of 1,250 trainees


def _summary_detail(sheet_list: list[Sheet], where: Slot) -> None:
    sheet_list[TH].rows[tong_hop_row("ket_nap_dang_vien")][2] = 2  # KetNap lists 3


def _taxcode_unknown(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 1, KN_TAX, "5300999999")  # a public unit's person: no summary change


def _negative_flow(sheet_list: list[Sheet], where: Slot) -> None:
    sheet_list[TH].rows[tong_hop_row("lop_boi_duong")][2] = -3  # a flow: the total would shrink


def _duplicate_person(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 1, KN_CCCD, sheet_list[KN].rows[FIRST_DATA_ROW][KN_CCCD])


# ------------------------------------------------------------------------ file-level cases
def _empty(folder: Path, where: Slot) -> Path:
    path = folder / f"{where.stem}.xlsx"
    path.write_bytes(b"")
    return path


def _unreadable(folder: Path, where: Slot) -> Path:
    path = folder / f"{where.stem}.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    return path


def _bundle(folder: Path, where: Slot, extra: dict[str, bytes]) -> Path:
    path = folder / f"{where.stem}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**csv_files(sheet_list=report_sheets(where)), **extra}.items():
            archive.writestr(name, data)
    return path


def _too_large(folder: Path, where: Slot) -> Path:
    return _bundle(folder, where, {"GhiChu.csv": b"\n" * (4 << 20)})  # compresses ~1000:1


def _unsafe_path(folder: Path, where: Slot) -> Path:
    return _bundle(folder, where, {"../GhiChu.csv": b"a\n"})


def _encoding(folder: Path, where: Slot) -> Path:
    files = csv_files(sheet_list=report_sheets(where))
    files["KetNap.csv"] = files["KetNap.csv"].replace("Nguyễn".encode(), b"Nguy\x81n")
    path = folder / f"{where.stem}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _too_many_rows(sheet_list: list[Sheet], where: Slot) -> None:
    sheet_list[KN].rows.extend([] for _ in range(100_200))
    sheet_list[KN].rows.append([None, "dòng thừa / a stray cell"])


# Parse limits and workbook containers: the legal report, then its parts edited as XML.
def _parts(edits: dict[str, Callable[[bytes], bytes]], extra: dict[str, bytes] | None = None):
    def write(folder: Path, where: Slot) -> Path:
        with tempfile.TemporaryDirectory() as scratch:
            built = build_xlsx(Path(scratch) / "built.xlsx", sheet_list=report_sheets(where))
            path = folder / f"{where.stem}.xlsx"
            return rewrite(built, path, edits, extra)

    return write


def _row_in(sheet: int, row: str) -> dict[str, Callable[[bytes], bytes]]:
    return {f"xl/worksheets/sheet{sheet + 1}.xml": append_row(row.encode())}


def _encrypted(folder: Path, where: Slot) -> Path:
    with tempfile.TemporaryDirectory() as scratch:
        built = build_xlsx(Path(scratch) / "built.xlsx", sheet_list=report_sheets(where))
        return encrypted_zip(built, folder / f"{where.stem}.xlsx", b"mat-khau")


def _hide_tong_hop(xml: bytes) -> bytes:
    return xml.replace(b'<sheet name="TongHop"', b'<sheet name="TongHop" state="hidden"', 1)


def _hidden_copy() -> tuple[dict, dict]:
    """A hidden copy of TongHop listed after the visible one, as a fourth sheet."""
    relation = (
        b'<Relationship Id="rIdOld" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/worksheet" Target="worksheets/old.xml"/></Relationships>'
    )
    sheet = b'<sheet name="Cu TongHop" sheetId="9" state="hidden" r:id="rIdOld"/></sheets>'
    edits = {
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"</Relationships>", relation),
        "xl/workbook.xml": lambda xml: xml.replace(b"</sheets>", sheet),
    }
    return edits, {"xl/worksheets/old.xml": b"<worksheet><sheetData/></worksheet>"}


def _count_out_of_range(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, TC, 0, TC_EMPLOYEES, 10**16)


_LONG_NAME = "Công ty " + "x" * 40_000
_LIMIT_CASES: dict[str, Callable[[Path, Slot], Path]] = {
    "DQ_FILE_ENCRYPTED": _encrypted,
    "DQ_XML_DTD": _parts(
        {
            "xl/workbook.xml": lambda xml: xml.replace(
                b"?>", b'?><!DOCTYPE w [<!ENTITY unit "Sa Pa">]>', 1
            )
        }
    ),
    "DQ_SHEET_DIMENSION": _parts(_row_in(TC, '<row r="60"><c r="XFD60"><v>1</v></c></row>')),
    "DQ_CELL_TOO_LONG": _parts(
        _row_in(TC, f'<row r="60"><c r="C60" t="inlineStr"><is><t>{_LONG_NAME}</t></is></c></row>')
    ),
    "DQ_FORMULA_NO_VALUE": _parts(_row_in(TH, '<row r="60"><c r="D60"><f>1+1</f></c></row>')),
    "DQ_CELL_ERROR": _parts(
        _row_in(TH, '<row r="60"><c r="D60" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>')
    ),
    "DQ_SHEET_HIDDEN": _parts({"xl/workbook.xml": _hide_tong_hop}),
    "DQ_HIDDEN_SHEET_IGNORED": _parts(*_hidden_copy()),
    "DQ_NUMBER_OUT_OF_RANGE": _edit(_count_out_of_range),
}


# ------------------------------------------------------------------------ text, time, identity
TC_NAME = 2


def _text_invisible(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, TC, 0, TC_NAME, "Công ty\u202e TNHH\u200b Sa Pa")


def _text_formula(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, TC, 0, TC_NAME, "@SUM(1+1)*cmd|' /C calc'!A0")


def _personal_data_misplaced(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 0, KN_GENDER, f"010090{where.index:06d}")


def _duplicate_taxcode(sheet_list: list[Sheet], where: Slot) -> None:
    again = list(sheet_list[TC].rows[FIRST_DATA_ROW])
    again[TC_EMPLOYEES] = (again[TC_EMPLOYEES] or 0) + 7
    sheet_list[TC].rows.append(again)


def _age_implausible(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, KN, 1, KN_BIRTH, "01/01/1900")


def _date_in_future(sheet_list: list[Sheet], where: Slot) -> None:
    _cell(sheet_list, TC, 1, TC_PARTY_FOUNDED, date(date.today().year + 2, 1, 1))


@dataclass(frozen=True)
class _NextYear(Slot):
    """A slot in the first half of next year, for a unit that the registry says exists then."""

    @property
    def year(self) -> int:
        return date.today().year + 1


def _period_not_begun(folder: Path, where: Slot) -> Path:
    from dagster_project.ingest import load_registry

    registry = load_registry(Path(__file__).resolve().parents[2] / "sources" / "registry.yaml")
    period = f"{date.today().year + 1}-H1"
    unit = registry.expected_reporters(period)[0].code
    later = _NextYear(where.index, unit, registry.names_for(unit)[0])
    return build_xlsx(folder / f"{later.stem}.xlsx", sheet_list=report_sheets(later))


_CONTENT_CASES: dict[str, Callable[[Path, Slot], Path]] = {
    "DQ_TEXT_INVISIBLE": _edit(_text_invisible),
    "DQ_TEXT_FORMULA": _edit(_text_formula),
    "DQ_PERSONAL_DATA_MISPLACED": _edit(_personal_data_misplaced),
    "DQ_DUPLICATE_TAXCODE": _edit(_duplicate_taxcode),
    "DQ_AGE_IMPLAUSIBLE": _edit(_age_implausible),
    "DQ_DATE_IN_FUTURE": _edit(_date_in_future),
    "DQ_PERIOD_NOT_BEGUN": _period_not_begun,
}

LEGAL = _edit(_legal)

CASES: dict[str, Callable[[Path, Slot], Path]] = {
    "DQ_FILE_EMPTY": _empty,
    "DQ_FILE_UNREADABLE": _unreadable,
    "DQ_FILE_TOO_LARGE": _too_large,
    "DQ_UNSAFE_PATH": _unsafe_path,
    "DQ_ENCODING": _encoding,
    "DQ_SHEET_MISSING": _edit(_sheet_missing),
    "DQ_SHEET_DUPLICATE": _edit(_sheet_duplicate),
    "DQ_TOO_MANY_ROWS": _edit(_too_many_rows),
    "DQ_HEADER_NOT_FOUND": _edit(_header_not_found),
    "DQ_COLUMN_MISSING": _edit(_column_missing),
    "DQ_OPTIONAL_COLUMN_MISSING": _edit(_optional_column_missing),
    "DQ_UNKNOWN_COLUMN": _edit(_unknown_column),
    "DQ_DUPLICATE_COLUMN": _edit(_duplicate_column),
    "DQ_TITLE_MISSING": lambda folder, where: build_xlsx(
        folder / f"{where.stem}.xlsx", sheet_list=report_sheets(where, Variant(title_rows=False))
    ),
    "DQ_TITLE_UNIT_MISMATCH": _edit(_title_unit_mismatch),
    "DQ_TITLE_PERIOD_MISMATCH": _edit(_title_period_mismatch),
    "DQ_UNKNOWN_INDICATOR": _edit(_unknown_indicator),
    "DQ_DUPLICATE_INDICATOR": _edit(_duplicate_indicator),
    "DQ_VALUE_MISSING": _edit(_value_missing),
    "DQ_REQUIRED_VALUE": _edit(_required_value),
    "DQ_COUNT_FORMAT": _edit(_count_format),
    "DQ_CCCD_FORMAT": _edit(_cccd_format),
    "DQ_TAXCODE_FORMAT": _edit(_taxcode_format),
    "DQ_DATE_FORMAT": _edit(_date_format),
    "DQ_CODE_UNKNOWN": _edit(_code_unknown),
    "DQ_ETHNICITY_UNKNOWN": _edit(_ethnicity_unknown),
    "DQ_ADMISSION_OUT_OF_PERIOD": _edit(_admission_out_of_period),
    "DQ_FOUNDED_AFTER_PERIOD": _edit(_founded_after_period),
    "DQ_AGE_UNDER_18": _edit(_age_under_18),
    "DQ_PART_LE_WHOLE": _edit(_part_le_whole),
    "DQ_SUMMARY_DETAIL": _edit(_summary_detail),
    "DQ_TAXCODE_UNKNOWN": _edit(_taxcode_unknown),
    "DQ_DUPLICATE_PERSON": _edit(_duplicate_person),
    "DQ_CUMULATIVE_SHRINK": _edit(_negative_flow),
    **_LIMIT_CASES,
    **_CONTENT_CASES,
}

# A report can break a rule only by breaking an earlier one first: the parser refuses a negative
# count before the warehouse could see a cumulative figure shrink. Both must still refuse it.
REFUSED_FIRST_BY = {"DQ_CUMULATIVE_SHRINK": "DQ_COUNT_FORMAT"}
