"""The three report sheets turned into typed rows: TongHop, KetNap and ToChuc.

Each parser returns plain column lists (later one Arrow table) plus findings. Personal data is
used here and nowhere after: names are never read into a column, the CCCD is replaced by its
keyed pseudonym and the birth date by a birth year and the age at admission.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from itertools import compress
from operator import itemgetter

from dagster_project.reports import columns as conv
from dagster_project.reports.findings import Finding, make_finding
from dagster_project.reports.headers import HeaderLayout, locate_header
from dagster_project.reports.readers import RawSheet
from dagster_project.reports.reference import (
    coded_values,
    indicator_catalogue,
    sheet_headers,
)
from dagster_project.reports.text import clean_text, label_key, word_key
from dagster_project.reports.values import is_blank, normalise_cccd, parse_count

_TOTAL_KEYS = frozenset({"tong cong", "cong", "tong", "tong so", "cong chung", "tong cong chung"})
REQUIRED = {
    "tong_hop": ("label", "value"),
    "ket_nap": ("cccd", "birth_date", "gender", "category", "tax_code", "admission_date"),
    "to_chuc": ("tax_code", "enterprise_name", "ownership_type", "party_org_type"),
}
IGNORED = {"stt", "note", "full_name"}


@dataclass
class SheetResult:
    """Typed columns of one sheet, the text of its title rows and what was found wrong."""

    columns: dict[str, list] = field(default_factory=dict)
    title_texts: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    refused: bool = False


@dataclass(frozen=True)
class Period:
    code: str
    start: date
    end: date


def _row_texts(rows: list[list[object]]) -> list[str]:
    texts = []
    for row in rows:
        text = " ".join(clean_text(cell) for cell in row if isinstance(cell, str) and cell.strip())
        if text:
            texts.append(text)
    return texts


_TOTAL_INITIALS = frozenset("TtCc")
_TOTAL_FIELDS = ("stt", "full_name", "label", "enterprise_name")


def _is_total_cell(cell: object) -> bool:
    # cheap filter first: the words start with T or C and are short
    if not (isinstance(cell, str) and len(cell) < 40 and cell.lstrip()[:1] in _TOTAL_INITIALS):
        return False
    key = word_key(cell)
    return key in _TOTAL_KEYS or key.startswith("tong cong")


# Low-cardinality columns first: blank rows are found by scanning one column's distinct values.
_BLANK_PROBES = ("gender", "category", "ownership_type", "party_org_type", "label", "value")
# A totals row closes the table; only the last few rows are checked for one.
_TOTAL_TAIL = 5


def _data_rows(sheet: RawSheet, layout: HeaderLayout) -> list[int]:
    """Indexes of rows holding data: blank rows and a "Tổng cộng" row are not data.

    Blank rows are found from one column's distinct values, then confirmed cell by cell, so the
    per-row cost stays in C for the usual table that has only a few blank rows.
    """
    rows = sheet.rows
    first = layout.first_data_row
    if first >= len(rows):
        return []
    # STT is often pre-filled down an empty template: a row with only its number is blank.
    wanted = [p for name, p in layout.columns.items() if name not in ("stt", "note")]
    probe_name = next((n for n in _BLANK_PROBES if n in layout.columns), None)
    probe = layout.columns[probe_name] if probe_name else wanted[0]
    column = [row[probe] for row in rows[first:]]
    blank_values = {cell for cell in dict.fromkeys(column) if is_blank(cell)}
    kept = list(range(first, len(rows)))
    if blank_values:
        candidates = compress(kept, map(blank_values.__contains__, column))
        blank = {index for index in candidates if all(is_blank(rows[index][p]) for p in wanted)}
        kept = [index for index in kept if index not in blank]
    positions = sorted({0, *(layout.columns[f] for f in _TOTAL_FIELDS if f in layout.columns)})
    for index in kept[-_TOTAL_TAIL:]:
        if any(_is_total_cell(rows[index][p]) for p in positions):
            kept.remove(index)
    return kept


def _layout(
    sheet: RawSheet, logical: str, result: SheetResult, max_rows: int
) -> tuple[HeaderLayout, list[int]] | None:
    spec = sheet_headers()[logical]
    if sheet.too_many_rows:
        result.findings.append(
            make_finding("DQ_TOO_MANY_ROWS", sheet=sheet.name, expected=str(max_rows))
        )
        result.refused = True
        return None
    layout = locate_header(sheet.rows, spec)
    if layout is None:
        result.findings.append(
            make_finding(
                "DQ_HEADER_NOT_FOUND",
                sheet=sheet.name,
                expected=", ".join(spec.display[f] for f in REQUIRED[logical]),
            )
        )
        result.refused = True
        result.title_texts = _row_texts(sheet.rows[:5])
        return None
    result.title_texts = _row_texts(sheet.rows[: layout.title_row_count])
    for _index, text in layout.unknown:
        result.findings.append(
            make_finding(
                "DQ_UNKNOWN_COLUMN",
                sheet=sheet.name,
                row_number=layout.first_data_row,
                column_name=text,
                value=text,
            )
        )
    for _index, text in layout.duplicates:
        result.findings.append(
            make_finding(
                "DQ_DUPLICATE_COLUMN",
                sheet=sheet.name,
                row_number=layout.first_data_row,
                column_name=text,
                value=text,
            )
        )
    for name in spec.display:
        if name in layout.columns or name in IGNORED:
            continue
        rule = "DQ_COLUMN_MISSING" if name in REQUIRED[logical] else "DQ_OPTIONAL_COLUMN_MISSING"
        result.findings.append(make_finding(rule, sheet=sheet.name, expected=spec.display[name]))
        if rule == "DQ_COLUMN_MISSING":
            result.refused = True
    if result.refused:
        return None
    kept = _data_rows(sheet, layout)
    if len(kept) > max_rows:
        result.findings.append(
            make_finding("DQ_TOO_MANY_ROWS", sheet=sheet.name, expected=str(max_rows))
        )
        result.refused = True
        return None
    return layout, kept


def _columns(
    sheet: RawSheet, layout: HeaderLayout, kept: list[int]
) -> tuple[dict[str, conv.Column], list[int]]:
    row_numbers = [index + 1 for index in kept]
    if not kept:
        selected: list = []
    elif kept[-1] - kept[0] + 1 == len(kept):
        selected = sheet.rows[kept[0] : kept[-1] + 1]
    else:
        selected = list(itemgetter(*kept)(sheet.rows))
    transposed = list(zip(*selected, strict=False)) if selected else []
    columns = {}
    for name, position in layout.columns.items():
        cells = transposed[position] if transposed else ()
        columns[name] = conv.Column(sheet.name, layout.names[position], cells, row_numbers)
    return columns, row_numbers


def parse_tong_hop(sheet: RawSheet, max_rows: int) -> SheetResult:
    """Summary rows: each label matched through the indicator catalogue, unknown labels kept."""
    result = SheetResult()
    found = _layout(sheet, "tong_hop", result, max_rows)
    if found is None:
        return result
    layout, kept = found
    columns, row_numbers = _columns(sheet, layout, kept)
    catalogue = indicator_catalogue()
    labels_column, values_column = columns["label"], columns["value"]
    codes, labels, values, numbers = [], [], [], []
    first_seen: dict[str, int] = {}
    for position, (label_cell, value_cell) in enumerate(
        zip(labels_column.cells, values_column.cells, strict=True)
    ):
        row_number = row_numbers[position]
        if is_blank(label_cell):
            if not is_blank(value_cell):
                result.findings.append(
                    labels_column.finding(
                        "DQ_REQUIRED_VALUE", position, expected="tên chỉ tiêu / indicator label"
                    )
                )
            continue
        label = clean_text(str(label_cell))
        if not label_key(label):
            continue
        code = catalogue.match(label)
        if code is None:
            result.findings.append(
                labels_column.finding("DQ_UNKNOWN_INDICATOR", position, value=label)
            )
        elif code in first_seen:
            result.findings.append(
                labels_column.finding(
                    "DQ_DUPLICATE_INDICATOR", position, value=label, detail=str(first_seen[code])
                )
            )
        else:
            first_seen[code] = row_number
        value = None
        if is_blank(value_cell):
            result.findings.append(values_column.finding("DQ_VALUE_MISSING", position, value=label))
        else:
            try:
                value = parse_count(value_cell)
            except (ValueError, ArithmeticError):
                result.findings.append(
                    values_column.finding(
                        "DQ_COUNT_FORMAT",
                        position,
                        value=value_cell,
                        expected="số nguyên ≥ 0 / whole number ≥ 0",
                    )
                )
        codes.append(code)
        labels.append(label)
        values.append(value)
        numbers.append(row_number)
    result.columns = {
        "sheet": [sheet.name] * len(numbers),
        "row_number": numbers,
        "indicator_code": codes,
        "label": labels,
        "reported_value": values,
    }
    return result


def member_key(cccd: str, key: bytes) -> str:
    """Keyed pseudonym of a CCCD: stable across reports for one key, useless without it."""
    return hmac.digest(key, cccd.encode("ascii"), hashlib.sha256).hex()


def _fast_member_key(key: bytes, cell: object) -> str | None:
    """Member key of a cell already holding 12 ASCII digits; None sends it the slow way."""
    if cell.__class__ is str and len(cell) == 12 and cell.isascii() and cell.isdigit():  # type: ignore[attr-defined]
        return hmac.digest(key, cell.encode("ascii"), hashlib.sha256).hex()  # type: ignore[attr-defined]
    return None


def parse_ket_nap(
    sheet: RawSheet, period: Period | None, pseudonym_key: bytes, max_rows: int
) -> SheetResult:
    """Admissions, pseudonymised: name dropped, CCCD keyed, birth date reduced to a year."""
    result = SheetResult()
    found = _layout(sheet, "ket_nap", result, max_rows)
    if found is None:
        return result
    layout, kept = found
    columns, row_numbers = _columns(sheet, layout, kept)
    findings = result.findings
    count = len(kept)
    domains = coded_values()
    get = columns.get

    cccd_column = columns["cccd"]
    keys = list(map(partial(_fast_member_key, pseudonym_key), cccd_column.cells))
    for position in [i for i, key in enumerate(keys) if key is None] if None in keys else []:
        cell = cccd_column.cells[position]
        if is_blank(cell):
            findings.append(
                cccd_column.finding(
                    "DQ_REQUIRED_VALUE", position, expected="số CCCD 12 chữ số / 12-digit CCCD"
                )
            )
            continue
        try:
            keys[position] = member_key(normalise_cccd(cell), pseudonym_key)
        except ValueError:
            # The finding shows the length, not the number: a CCCD is personal data.
            shown = "".join(ch for ch in str(cell) if ch.isdigit())
            findings.append(
                cccd_column.finding(
                    "DQ_CCCD_FORMAT",
                    position,
                    value=f"<{len(shown)} chữ số / digits>",
                    expected="12 chữ số / 12 digits",
                )
            )

    birth_column = columns["birth_date"]
    births = conv.dates(birth_column, count, [], required=None)
    # Birth-date findings must not echo the date: report the cell without its value.
    missing = [i for i, value in enumerate(births) if value is None] if None in births else []
    for position in missing:
        cell = birth_column.cells[position]
        if is_blank(cell):
            findings.append(
                birth_column.finding(
                    "DQ_REQUIRED_VALUE", position, expected="ngày sinh dd/mm/yyyy / birth date"
                )
            )
        else:
            findings.append(
                birth_column.finding(
                    "DQ_DATE_FORMAT", position, value="<ẩn / hidden>", expected="dd/mm/yyyy"
                )
            )
    admissions = conv.dates(
        columns["admission_date"], count, findings, required="ngày kết nạp / admission date"
    )
    genders = conv.coded(get("gender"), count, domains["gioi_tinh"], findings, required="Nam / Nữ")
    categories = conv.coded(
        get("category"), count, domains["doi_tuong"], findings, required="đối tượng / category"
    )
    taxes = conv.tax_codes(get("tax_code"), count, findings)
    ethnic = conv.ethnicities(get("ethnicity"), count, findings)
    work_units = conv.texts(get("work_unit_name"), count, findings)
    decisions = conv.texts(get("decision_number"), count, findings)
    cells = conv.texts(get("party_cell"), count, findings)

    birth_years: list[int | None] = []
    ages: list[int | None] = []
    admission_column = columns["admission_date"]
    for position, (born, admitted) in enumerate(zip(births, admissions, strict=True)):
        birth_years.append(born.year if born else None)
        if born and admitted:
            age = (
                admitted.year
                - born.year
                - ((admitted.month, admitted.day) < (born.month, born.day))
            )
            ages.append(age)
            if age < 18:
                findings.append(
                    birth_column.finding("DQ_AGE_UNDER_18", position, value=age, expected=">= 18")
                )
        else:
            ages.append(None)
        if admitted and period and not period.start <= admitted <= period.end:
            findings.append(
                admission_column.finding(
                    "DQ_ADMISSION_OUT_OF_PERIOD",
                    position,
                    value=admitted.strftime("%d/%m/%Y"),
                    expected=f"{period.start:%d/%m/%Y} - {period.end:%d/%m/%Y}",
                )
            )
    result.columns = {
        "sheet": [sheet.name] * count,
        "row_number": row_numbers,
        "member_key": keys,
        "gender": genders,
        "ethnicity": ethnic,
        "category_code": categories,
        "work_unit_name": work_units,
        "tax_code": taxes,
        "admission_date": admissions,
        "decision_number": decisions,
        "party_cell": cells,
        "birth_year": birth_years,
        "age_at_admission": ages,
    }
    return result


def parse_to_chuc(sheet: RawSheet, period: Period | None, max_rows: int) -> SheetResult:
    """Units and enterprises at period end, with their party, union and youth organisations."""
    result = SheetResult()
    found = _layout(sheet, "to_chuc", result, max_rows)
    if found is None:
        return result
    layout, kept = found
    columns, row_numbers = _columns(sheet, layout, kept)
    findings = result.findings
    count = len(kept)
    domains = coded_values()
    get = columns.get
    founded = {
        name: conv.dates(get(name), count, findings)
        for name in ("party_org_founded_date", "union_founded_date", "youth_org_founded_date")
    }
    if period:
        for name, values in founded.items():
            column = columns.get(name)
            for position, value in enumerate(values):
                if value and value > period.end:
                    findings.append(
                        column.finding(
                            "DQ_FOUNDED_AFTER_PERIOD",
                            position,
                            value=value.strftime("%d/%m/%Y"),  # type: ignore[union-attr]
                            expected=f"<= {period.end:%d/%m/%Y}",
                        )
                    )
    result.columns = {
        "sheet": [sheet.name] * count,
        "row_number": row_numbers,
        "tax_code": conv.tax_codes(
            get("tax_code"), count, findings, required="mã số thuế / tax code"
        ),
        "enterprise_name": conv.texts(
            get("enterprise_name"), count, findings, required="tên đơn vị / unit name"
        ),
        "ownership_type": conv.coded(
            get("ownership_type"),
            count,
            domains["loai_hinh"],
            findings,
            required="loại hình / ownership type",
        ),
        "industrial_zone": conv.texts(get("industrial_zone"), count, findings),
        "employees": conv.counts(get("employees"), count, findings),
        "party_org_type": conv.coded(
            get("party_org_type"), count, domains["to_chuc_dang"], findings, default="khong"
        ),
        "party_org_founded_date": founded["party_org_founded_date"],
        "party_members": conv.counts(get("party_members"), count, findings),
        "superior_committee": conv.texts(get("superior_committee"), count, findings),
        "has_union": conv.yes_no(get("has_union"), count, domains["co_khong"], findings),
        "union_founded_date": founded["union_founded_date"],
        "union_members": conv.counts(get("union_members"), count, findings),
        "has_youth_org": conv.yes_no(get("has_youth_org"), count, domains["co_khong"], findings),
        "youth_org_founded_date": founded["youth_org_founded_date"],
        "youth_members": conv.counts(get("youth_members"), count, findings),
    }
    return result
