"""The blank report workbook a district officer fills in (``tcd template OUT.xlsx``).

Sheet names, column headers, coded values and indicator labels are all read from the parser's own
reference data (``column_headers.yaml`` and the dbt seeds), so a template cannot ask for anything
the parser would refuse, and a new indicator or coded value reaches the template with no code
change. What lives here is only presentation: layout, formats, drop-downs and the instructions.

An empty template made for a unit and period parses with no error: its only findings are
``DQ_VALUE_MISSING`` warnings, one per TongHop indicator still blank. A template made without a
unit or period carries a placeholder title, which the parser flags until the officer writes it:
``DQ_TITLE_MISSING`` (warning) for the period and ``DQ_TITLE_UNIT_MISMATCH`` (error) for the unit
when the unit's registered names are known, as they are to ``tcd validate``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Format, Workbook
from xlsxwriter.worksheet import Worksheet

from dagster_project.ingest.naming import parse_report_name
from dagster_project.reports.periods import period_bounds
from dagster_project.reports.readers import SHEET_TITLES
from dagster_project.reports.reference import (
    coded_values,
    ethnic_groups,
    indicator_catalogue,
    seeds_dir,
    sheet_headers,
)
from dagster_project.reports.sheets import REQUIRED
from dagster_project.reports.text import word_key
from dagster_project.reports.xlsx import new_workbook

LIST_SHEET = "DanhMuc"
GUIDE_SHEET = "HuongDan"
# Detail rows covered by formats and validations; Excel applies them to rows an officer adds
# inside the range, and the parser reads any number of rows.
DETAIL_ROWS = 1000
_GUIDE_WIDTH = 80
_GUIDE_CHARS_PER_LINE = 85  # Times New Roman 12 in a column 80 wide
HEADER_ROW = 4  # 0-based: three title rows, a blank row, then the header
UNIT_PLACEHOLDER = "ĐẢNG BỘ ................................"
PERIOD_PLACEHOLDER = "6 THÁNG ĐẦU/CUỐI NĂM ........"
REPORT_TITLE = "BÁO CÁO KẾT QUẢ XÂY DỰNG ĐẢNG VÀ CÁC ĐOÀN THỂ TRONG ĐƠN VỊ KINH TẾ TƯ NHÂN"
_PARTY_BODY_STARTS = (
    "dang bo",
    "dang uy",
    "huyen uy",
    "thi uy",
    "thanh uy",
    "tinh uy",
    "chi bo",
    "ban ",
)

# How each parser field is entered. Every field of column_headers.yaml must appear here: a test
# checks it, so a new column is given a format and a validation on purpose.
TEXT_FIELDS = frozenset(
    {
        "stt",
        "label",
        "note",
        "full_name",
        "work_unit_name",
        "decision_number",
        "party_cell",
        "enterprise_name",
        "industrial_zone",
        "superior_committee",
    }
)
DATE_FIELDS = frozenset(
    {
        "birth_date",
        "admission_date",
        "party_org_founded_date",
        "union_founded_date",
        "youth_org_founded_date",
    }
)
COUNT_FIELDS = frozenset({"value", "employees", "party_members", "union_members", "youth_members"})
ID_FIELDS = {"cccd": (12, 12), "tax_code": (10, 14)}  # text cells: (min, max) length
CODED_FIELDS = {
    "gender": "gioi_tinh",
    "category": "doi_tuong",
    "ownership_type": "loai_hinh",
    "party_org_type": "to_chuc_dang",
    "has_union": "co_khong",
    "has_youth_org": "co_khong",
    "ethnicity": "dan_toc",  # free text normalised by the parser: the list only helps
}
_WIDTHS = {
    "stt": 6,
    "label": 64,
    "value": 14,
    "note": 24,
    "full_name": 26,
    "cccd": 16,
    "ethnicity": 12,
    "category": 30,
    "work_unit_name": 32,
    "tax_code": 16,
    "decision_number": 16,
    "party_cell": 24,
    "enterprise_name": 36,
    "ownership_type": 26,
    "industrial_zone": 20,
    "party_org_type": 18,
    "superior_committee": 26,
}
_DOMAIN_EN = {
    "loai_hinh": "Ownership type",
    "to_chuc_dang": "Party organisation",
    "doi_tuong": "Category of the person admitted",
    "gioi_tinh": "Gender",
    "co_khong": "Yes / no",
    "dan_toc": "Ethnic group",
}
_SHEET_PURPOSE = {
    "tong_hop": (
        "Số liệu tổng hợp của đơn vị: mỗi dòng một chỉ tiêu, ghi số vào cột '{value}'. Không "
        "đổi tên chỉ tiêu; số 0 ghi là 0, không để trống.",
        "The unit's own summary: one indicator a row, its figure in the '{value}' column. Keep "
        "the labels as they are; write 0 as 0, not blank.",
    ),
    "ket_nap": (
        "Danh sách người được kết nạp Đảng trong kỳ, mỗi người một dòng.",
        "One row per person admitted to the Party in the period.",
    ),
    "to_chuc": (
        "Danh sách cơ quan, đơn vị, doanh nghiệp thuộc phạm vi đơn vị tại ngày cuối kỳ, mỗi đơn vị "
        "một dòng, kèm tổ chức đảng, công đoàn, đoàn thanh niên.",
        "One row per agency, unit or enterprise in the unit's scope at period end, with its party, "
        "trade-union and youth-union organisations.",
    ),
}


@dataclass(frozen=True)
class _Formats:
    unit: Format
    title: Format
    subtitle: Format
    header: Format
    header_required: Format
    text: Format
    date: Format
    count: Format
    indicator: list[Format]
    guide_heading: Format
    guide_text: Format
    guide_code: Format


@dataclass(frozen=True)
class _DomainList:
    """A drop-down list on the hidden DanhMuc sheet."""

    heading: str
    labels: list[str]
    source: str  # absolute range, e.g. "=DanhMuc!$A$2:$A$8"


def input_kind(field: str) -> str:
    """How a parser field is entered: text, date, count, id or coded; KeyError when unknown."""
    if field in CODED_FIELDS:
        return "coded"
    if field in ID_FIELDS:
        return "id"
    if field in DATE_FIELDS:
        return "date"
    if field in COUNT_FIELDS:
        return "count"
    if field in TEXT_FIELDS:
        return "text"
    raise KeyError(field)


def _seed_rows(name: str) -> list[dict[str, str]]:
    with (seeds_dir() / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _title_unit(unit_name: str) -> str:
    """The unit line in capitals, as reports write it: "Thị xã Sa Pa" → "ĐẢNG BỘ THỊ XÃ SA PA"."""
    name = " ".join(unit_name.split())
    if not word_key(name).startswith(_PARTY_BODY_STARTS):
        name = f"Đảng bộ {name}"
    return name.upper()


def registry_title_unit(unit_code: str, period_code: str | None = None) -> str:
    """The unit line for a registry code: its capitalised party-body alias when it has one.

    The version valid in the period is used, so a unit renamed later keeps its old title.
    Raises ``ValueError`` for a code the registry does not know.
    """
    from dagster_project.ingest.registry import load_registry

    registry = load_registry()
    unit = registry.version_in_period(unit_code, period_code) if period_code else None
    unit = unit or registry.get(unit_code)
    if unit is None:
        raise ValueError(
            f"Mã đơn vị '{unit_code}' không có trong sổ đăng ký / "
            f"unit code '{unit_code}' is not in the registry"
        )
    capitals = [alias for alias in unit.aliases if alias == alias.upper()]
    party_body = [a for a in capitals if word_key(a).startswith(_PARTY_BODY_STARTS)]
    if party_body:
        return party_body[0]
    return _title_unit(unit.name)


def title_lines(
    unit_code: str | None = None, period_code: str | None = None, unit_name: str | None = None
) -> tuple[str, str]:
    """The unit line and the report line of the title rows, placeholders where not given.

    The report line states the half-year the way the parser reads it back
    ("6 THÁNG ĐẦU NĂM 2024" for ``2024-H1``).
    """
    if unit_name:
        unit = _title_unit(unit_name)
    elif unit_code:
        unit = registry_title_unit(unit_code, period_code)
    else:
        unit = UNIT_PLACEHOLDER
    if period_code:
        period_bounds(period_code)  # ValueError for anything but YYYY-H1 / YYYY-H2
        year, half = period_code.split("-")
        period = f"6 THÁNG {'ĐẦU' if half == 'H1' else 'CUỐI'} NĂM {year}"
    else:
        period = PERIOD_PLACEHOLDER
    return unit, f"{REPORT_TITLE} {period}"


def file_name(unit_code: str | None, period_code: str | None) -> str:
    """The name the filled report must carry, ``<unit code>_<period>.xlsx``."""
    return f"{unit_code or '<mã đơn vị>'}_{period_code or '<YYYY-H1|YYYY-H2>'}.xlsx"


def _formats(book: Workbook) -> _Formats:
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
    cell = {**base, "border": 1}

    def add(**props: object) -> Format:
        return book.add_format(props)

    return _Formats(
        unit=add(**base, bold=True),
        title=add(**base, bold=True, align="center", text_wrap=True),
        subtitle=add(**base, italic=True, align="center"),
        header=add(**cell, bold=True, align="center", text_wrap=True, bg_color="#DDEBF7"),
        header_required=add(**cell, bold=True, align="center", text_wrap=True, bg_color="#F8CBAD"),
        text=add(**cell, num_format="@", text_wrap=True),
        date=add(**cell, num_format="dd/mm/yyyy", align="center"),
        count=add(**cell, num_format="#,##0"),
        indicator=[
            add(**cell, text_wrap=True, indent=level, bold=level == 0, italic=level > 0)
            for level in range(4)
        ],
        guide_heading=add(
            **{**base, "font_size": 13}, bold=True, bg_color="#DDEBF7", text_wrap=True
        ),
        guide_text=add(**{**base, "valign": "top"}, text_wrap=True),
        guide_code=add(**{**base, "font_name": "Consolas", "valign": "top"}, text_wrap=True),
    )


def _domain_lists() -> dict[str, _DomainList]:
    """Coded values (canonical labels) and ethnic groups, one DanhMuc column each, in seed order.

    A column is headed by the label of the report column it serves ("Loại hình", ...).
    """
    headings: dict[str, str] = {}
    for sheet_fields in sheet_headers().values():
        for field, display in sheet_fields.display.items():
            if field in CODED_FIELDS:
                headings.setdefault(CODED_FIELDS[field], display)
    domains = {name: list(domain.labels.values()) for name, domain in coded_values().items()}
    domains["dan_toc"] = list(ethnic_groups().labels.values())
    lists: dict[str, _DomainList] = {}
    for column, (name, labels) in enumerate(domains.items()):
        heading = "/".join(labels) if name == "co_khong" else headings.get(name, name)
        letter = xl_col_to_name(column)
        source = f"={LIST_SHEET}!${letter}$2:${letter}${len(labels) + 1}"
        lists[name] = _DomainList(heading, labels, source)
    return lists


def _write_lists(book: Workbook, lists: dict[str, _DomainList], formats: _Formats) -> None:
    """The hidden sheet the drop-downs read from (Excel caps an inline list at 255 characters
    and labels such as "Công nhân, người lao động" hold commas, so every list is a range)."""
    sheet = book.add_worksheet(LIST_SHEET)
    for column, listed in enumerate(lists.values()):
        sheet.write_string(0, column, listed.heading, formats.header)
        for row, label in enumerate(listed.labels, start=1):
            sheet.write_string(row, column, label, formats.text)
        width = max(14, len(listed.heading) + 2, *(len(label) + 2 for label in listed.labels))
        sheet.set_column(column, column, width)
    sheet.hide()


def _validation(field: str, display: str, lists: dict[str, _DomainList]) -> dict | None:
    """The Excel data validation of a column; messages are short (Excel caps them)."""
    kind = input_kind(field)
    if kind == "coded":
        domain = CODED_FIELDS[field]
        listed = lists[domain]
        free = domain == "dan_toc"
        return {
            "validate": "list",
            "source": listed.source,
            "input_title": display[:32],
            "input_message": (
                "Chọn trong danh sách hoặc gõ tên dân tộc. / Pick from the list or type the group."
                if free
                else "Chọn trong danh sách. / Pick a value from the list."
            ),
            "error_type": "information" if free else "warning",
            "error_title": "Ngoài danh mục / Not in the list",
            "error_message": (
                f"Nên dùng một giá trị của danh mục {listed.heading}. / "
                f"Use a value from the {_DOMAIN_EN[domain]} list."
            )[:255],
        }
    if kind == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": date(1900, 1, 1),
            "maximum": date(2100, 12, 31),
            "input_title": "dd/mm/yyyy",
            "input_message": "Ngày dạng dd/mm/yyyy, ví dụ 15/03/2024. / A dd/mm/yyyy date.",
            "error_type": "stop",
            "error_title": "Ngày không hợp lệ / Invalid date",
            "error_message": "Nhập ngày dạng dd/mm/yyyy. / Enter a dd/mm/yyyy date.",
        }
    if kind == "count":
        return {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "input_title": "Số nguyên ≥ 0 / Whole number ≥ 0",
            "input_message": "Ghi số, không ghi chữ; số 0 ghi là 0. / A number; write 0 as 0.",
            "error_type": "stop",
            "error_title": "Không phải số nguyên ≥ 0",
            "error_message": "Cần số nguyên không âm. / A whole number of 0 or more is expected.",
        }
    if kind == "id":
        low, high = ID_FIELDS[field]
        if field == "cccd":
            message = "Đúng 12 chữ số, giữ số 0 đầu. / Exactly 12 digits, leading zeros kept."
        else:
            message = "10 chữ số, chi nhánh thêm -3 chữ số. / 10 digits, a branch adds -3 digits."
        return {
            "validate": "length",
            "criteria": "between",
            "minimum": low,
            "maximum": high,
            "input_title": display[:32],
            "input_message": message,
            "error_type": "warning",
            "error_title": "Độ dài không đúng / Wrong length",
            "error_message": message,
        }
    return None


def _column_format(field: str, formats: _Formats) -> Format:
    kind = input_kind(field)
    if kind == "date":
        return formats.date
    if kind == "count":
        return formats.count
    return formats.text


def _width(field: str, display: str) -> float:
    if field in _WIDTHS:
        return _WIDTHS[field]
    return max(12, min(24, len(display) * 0.6 + 4))


def _title_rows(
    sheet: Worksheet, lines: tuple[str, str], subtitle: str, columns: int, formats: _Formats
) -> None:
    unit, report = lines
    last = max(columns - 1, 1)
    sheet.merge_range(0, 0, 0, min(last, 3), unit, formats.unit)
    sheet.merge_range(1, 0, 1, last, report, formats.title)
    sheet.merge_range(2, 0, 2, last, subtitle, formats.subtitle)
    sheet.set_row(1, 36)


def _header_row(sheet: Worksheet, logical: str, formats: _Formats) -> list[tuple[str, str]]:
    """Write the canonical header of a sheet; returns its (field, label) columns in order."""
    columns = list(sheet_headers()[logical].display.items())
    required = set(REQUIRED[logical])
    for index, (field, display) in enumerate(columns):
        style = formats.header_required if field in required else formats.header
        sheet.write_string(HEADER_ROW, index, display, style)
    sheet.set_row(HEADER_ROW, 48)
    return columns


def _columns_and_validations(
    sheet: Worksheet,
    columns: list[tuple[str, str]],
    last_row: int,
    formats: _Formats,
    lists: dict[str, _DomainList],
) -> None:
    for index, (field, display) in enumerate(columns):
        sheet.set_column(index, index, _width(field, display), _column_format(field, formats))
        rule = _validation(field, display, lists)
        if rule:
            sheet.data_validation(HEADER_ROW + 1, index, last_row, index, rule)


def _indicator_rows() -> list[tuple[str, int, str]]:
    """(number, depth, code) of every catalogue indicator, parents first, in catalogue order."""
    indicators = indicator_catalogue().indicators
    children: dict[str | None, list[str]] = {}
    for code, indicator in indicators.items():
        parent = indicator.parent_code if indicator.parent_code in indicators else None
        children.setdefault(parent, []).append(code)
    rows: list[tuple[str, int, str]] = []

    def walk(parent: str | None, prefix: str, depth: int) -> None:
        for number, code in enumerate(children.get(parent, []), start=1):
            label = f"{prefix}{number}"
            rows.append((label, depth, code))
            walk(code, f"{label}.", depth + 1)

    walk(None, "", 0)
    return rows


def _write_tong_hop(
    book: Workbook, lines: tuple[str, str], formats: _Formats, lists: dict[str, _DomainList]
) -> None:
    sheet = book.add_worksheet(SHEET_TITLES["tong_hop"])
    columns = _header_row(sheet, "tong_hop", formats)
    _title_rows(sheet, lines, "Biểu 1 - Số liệu tổng hợp của đơn vị", len(columns), formats)
    position = {field: index for index, (field, _) in enumerate(columns)}
    indicators = indicator_catalogue().indicators
    rows = _indicator_rows()
    for offset, (number, depth, code) in enumerate(rows):
        row = HEADER_ROW + 1 + offset
        style = formats.indicator[min(depth, len(formats.indicator) - 1)]
        for field, index in position.items():
            if field == "stt":
                sheet.write_string(row, index, number, style)
            elif field == "label":
                sheet.write_string(row, index, indicators[code].label, style)
            elif field == "value":
                sheet.write_blank(row, index, None, formats.count)
            else:
                sheet.write_blank(row, index, None, formats.text)
    last = HEADER_ROW + len(rows)
    _columns_and_validations(sheet, columns, last, formats, lists)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.set_landscape()
    sheet.repeat_rows(HEADER_ROW)
    sheet.fit_to_pages(1, 0)


def _write_detail(
    book: Workbook,
    logical: str,
    lines: tuple[str, str],
    subtitle: str,
    formats: _Formats,
    lists: dict[str, _DomainList],
) -> None:
    sheet = book.add_worksheet(SHEET_TITLES[logical])
    columns = _header_row(sheet, logical, formats)
    _title_rows(sheet, lines, subtitle, len(columns), formats)
    _columns_and_validations(sheet, columns, HEADER_ROW + DETAIL_ROWS, formats, lists)
    fields = [field for field, _ in columns]
    name_field = "full_name" if "full_name" in fields else "enterprise_name"
    frozen = fields.index(name_field) + 1 if name_field in fields else 0
    sheet.freeze_panes(HEADER_ROW + 1, frozen)
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + DETAIL_ROWS, len(columns) - 1)
    sheet.set_landscape()
    sheet.repeat_rows(HEADER_ROW)
    sheet.fit_to_pages(1, 0)


def _guide_rows(
    unit_code: str | None, period_code: str | None, lists: dict[str, _DomainList]
) -> list[tuple[str, str, str]]:
    """(style, Vietnamese, English) rows of the instructions sheet."""
    headers = sheet_headers()
    name = file_name(unit_code, period_code)
    rows: list[tuple[str, str, str]] = [
        ("heading", "HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO", "HOW TO FILL IN THE REPORT TEMPLATE"),
        ("heading", "1. Tên tệp", "1. File name"),
        (
            "text",
            "Lưu tệp với tên <mã đơn vị>_<kỳ>.xlsx, ví dụ 088_2024-H1.xlsx. Kỳ là YYYY-H1 "
            "(6 tháng đầu năm) hoặc YYYY-H2 (6 tháng cuối năm).",
            "Save the file as <unit code>_<period>.xlsx, e.g. 088_2024-H1.xlsx. The period is "
            "YYYY-H1 (January-June) or YYYY-H2 (July-December).",
        ),
        ("code", f"Tệp này / This file: {name}", ""),
        (
            "text",
            "Các dòng tiêu đề (tên đơn vị, kỳ báo cáo) được đối chiếu với tên tệp: ghi đúng tên "
            "đảng bộ và '6 THÁNG ĐẦU NĂM' hoặc '6 THÁNG CUỐI NĂM' kèm năm.",
            "The title rows (unit name, period) are checked against the file name: write the "
            "party committee's name and '6 THÁNG ĐẦU NĂM' or '6 THÁNG CUỐI NĂM' with the year.",
        ),
        ("heading", "2. Các trang", "2. Sheets"),
    ]
    for logical, (vi, en) in _SHEET_PURPOSE.items():
        display = headers[logical].display
        title = SHEET_TITLES[logical]
        required = ", ".join(display[field] for field in REQUIRED[logical])
        rows.append(
            (
                "text",
                f"{title}: {vi.format(**display)} Cột bắt buộc (tô đỏ): {required}.",
                f"{title}: {en.format(**display)} Required columns (shaded red): {required}.",
            )
        )
    rows += [
        (
            "text",
            "Không đổi tên trang, không đổi tên hay xóa cột. Có thể thêm dòng; dòng 'Tổng cộng' "
            "cuối bảng được bỏ qua khi đọc.",
            "Do not rename sheets or rename or delete columns. Rows may be added; a 'Tổng cộng' "
            "(total) row at the bottom is ignored.",
        ),
        ("heading", "3. Cách ghi số liệu", "3. How to write values"),
        (
            "text",
            "Ngày ghi dạng dd/mm/yyyy. Số lượng là số nguyên ≥ 0. Số CCCD đúng 12 chữ số và mã số "
            "thuế (10 chữ số, chi nhánh thêm -3 chữ số) nằm trong ô định dạng văn bản để giữ số 0 "
            "đầu; khi dán từ tệp khác, dùng 'Dán giá trị' (Paste Values).",
            "Dates as dd/mm/yyyy. Counts are whole numbers ≥ 0. The 12-digit CCCD and the tax code "
            "(10 digits, a branch adds -3 digits) sit in text cells so leading zeros survive; when "
            "copying from another file, use Paste Values.",
        ),
        (
            "text",
            "Tổng hợp phải khớp chi tiết: số kết nạp theo từng đối tượng bằng số dòng KetNap; "
            "tổ chức đảng, công đoàn, đoàn thành lập mới và số liệu cuối kỳ khớp với ToChuc; mã số "
            "thuế ở KetNap phải có trong ToChuc; số 'Trong đó' không lớn hơn số tổng.",
            "The summary must equal the detail: admissions by category equal the KetNap rows; "
            "party, union and youth organisations founded and period-end figures match ToChuc; "
            "every KetNap tax code appears in ToChuc; an 'of them' figure never exceeds its whole.",
        ),
        ("heading", "4. Danh mục mã", "4. Coded values"),
        (
            "text",
            "Các cột có danh sách chọn (mũi tên ở góc ô). Dân tộc ghi tự do, danh sách chỉ để "
            "gợi ý.",
            "Columns with a drop-down list (the arrow at the cell's corner). Ethnic group is free "
            "text; its list only helps.",
        ),
    ]
    variants = {}
    for row in _seed_rows("coded_values.csv"):
        extra = [part for part in row["variants"].split("|") if part.strip()]
        variants[(row["domain"], row["label"])] = extra
    for domain, listed in lists.items():
        if domain == "dan_toc":
            continue
        shown = "; ".join(
            label + (f" (cũng nhận / also: {', '.join(extra)})" if extra else "")
            for label in listed.labels
            for extra in [variants.get((domain, label), [])]
        )
        rows.append(("text", f"{listed.heading}: {shown}", _DOMAIN_EN.get(domain, domain)))
    rows += [
        ("heading", "5. Dữ liệu cá nhân", "5. Personal data"),
        (
            "text",
            "Họ tên, số CCCD và ngày sinh chỉ dùng khi tiếp nhận báo cáo: khi nhận, họ tên bị "
            "loại bỏ, số CCCD được thay bằng mã giả danh (giả danh hóa), ngày sinh chỉ giữ năm "
            "sinh. Các dữ liệu này không bao giờ có trong kho dữ liệu công bố. Gửi tệp qua kênh "
            "được giao, không gửi qua thư điện tử cá nhân.",
            "Names, CCCD numbers and birth dates are used only when the report is received: the "
            "name is dropped, the CCCD is pseudonymised into a keyed code, and only the birth year "
            "is kept. None of them ever reaches the published warehouse. Send the file through the "
            "assigned channel, not by personal e-mail.",
        ),
        ("heading", "6. Kiểm tra trước khi gửi", "6. Check before sending"),
        (
            "text",
            "Chạy lệnh sau; kết quả 0 lỗi (errors) thì gửi được. Sửa mọi lỗi; đọc kỹ cảnh báo "
            "(warnings), ví dụ chỉ tiêu chưa có số liệu.",
            "Run the command below; send the file when it shows 0 errors. Fix every error; read "
            "the warnings, e.g. an indicator with no value.",
        ),
        ("code", f"tcd validate {name}", ""),
        ("heading", "7. Danh mục chỉ tiêu (TongHop)", "7. Indicator catalogue (TongHop)"),
    ]
    descriptions = {
        row["indicator_code"]: row.get("description_en", "")
        for row in _seed_rows("indicator_catalogue.csv")
    }
    indicators = indicator_catalogue().indicators
    for number, _depth, code in _indicator_rows():
        indicator = indicators[code]
        kind = "trong kỳ / flow" if indicator.kind == "flow" else "cuối kỳ / stock"
        rows.append(
            ("text", f"{number}. {indicator.label}", f"{descriptions.get(code, '')} ({kind})")
        )
    return rows


def _write_guide(
    book: Workbook,
    unit_code: str | None,
    period_code: str | None,
    lists: dict[str, _DomainList],
    formats: _Formats,
) -> None:
    sheet = book.add_worksheet(GUIDE_SHEET)
    sheet.set_column(0, 1, _GUIDE_WIDTH)
    styles = {
        "heading": formats.guide_heading,
        "text": formats.guide_text,
        "code": formats.guide_code,
    }
    for row, (style, vietnamese, english) in enumerate(_guide_rows(unit_code, period_code, lists)):
        sheet.write_string(row, 0, vietnamese, styles[style])
        if english:
            sheet.write_string(row, 1, english, styles[style])
        # Excel does not grow a row for wrapped text it did not type itself: size it here.
        lines = max(1, -(-max(len(vietnamese), len(english)) // _GUIDE_CHARS_PER_LINE))
        sheet.set_row(row, 16 * lines + 4)
    sheet.activate()


def write_template(
    out: Path,
    *,
    unit_code: str | None = None,
    period_code: str | None = None,
    unit_name: str | None = None,
) -> Path:
    """Write the blank report workbook and return its path.

    ``out`` may be a folder: the file is then named ``<unit code>_<period>.xlsx`` (or
    ``mau_bao_cao.xlsx`` without both). Given a unit code, the title takes the unit's name from
    the registry unless ``unit_name`` is given. Raises ``ValueError`` for a malformed unit or
    period code or a unit the registry does not know.
    """
    if period_code:
        period_code = period_code.strip().upper()
    if unit_code:
        unit_code = unit_code.strip()
        parse_report_name(f"{unit_code}_{period_code or '2000-H1'}.xlsx")
    lines = title_lines(unit_code, period_code, unit_name)
    out = Path(out)
    if out.is_dir():
        both = unit_code and period_code
        out = out / (file_name(unit_code, period_code) if both else "mau_bao_cao.xlsx")
    book = new_workbook(out)
    try:
        book.set_properties(
            {"title": f"{lines[0]} - {lines[1]}", "subject": "tcd-warehouse report template"}
        )
        formats = _formats(book)
        lists = _domain_lists()  # the guide opens first; the hidden lists sheet comes last
        _write_guide(book, unit_code, period_code, lists, formats)
        _write_tong_hop(book, lines, formats, lists)
        _write_detail(
            book, "ket_nap", lines, "Biểu 2 - Danh sách đảng viên mới được kết nạp", formats, lists
        )
        _write_detail(
            book,
            "to_chuc",
            lines,
            "Biểu 3 - Cơ quan, đơn vị, doanh nghiệp và tổ chức đảng, đoàn thể",
            formats,
            lists,
        )
        _write_lists(book, lists, formats)
    finally:
        book.close()
    return out


__all__ = ["file_name", "input_kind", "registry_title_unit", "title_lines", "write_template"]
