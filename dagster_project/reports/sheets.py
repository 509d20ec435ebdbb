"""The three report sheets turned into typed rows: TongHop, KetNap and ToChuc.

Each parser returns plain column lists (later one Arrow table) plus findings. Personal data is
used here and nowhere after: names are never read into a column, the CCCD is replaced by its
keyed pseudonym and the birth date by a birth year and the age at admission.

A sheet read as text from a workbook (``RawSheet.rendered``) is parsed as text only when no cell
it uses could be a printed number, date or boolean that would parse differently from the same
text (a CCCD number of 11 digits, a date in a text column, ...); otherwise ``NeedsTypedCells``
sends it back for a typed read. Ordinary reports never take that detour.

A total row is told by its meaning, not by how a name begins: its label cell (STT, the first
column, or the sheet's name or label column) says "Tổng cộng", "Cộng", "Tổng số"... and nothing
else but a count ("Tổng cộng: 4 người"); it holds no identity (no valid CCCD in KetNap, no valid
tax code in ToChuc: a count written there is not one); and it closes the table (only total rows
follow it). "Tổng công ty Phát điện 3" and a person named "Tống Công Thành" are data wherever
they stand.

Personal data under the wrong header (a column of CCCDs headed "Giới tính", people's names headed
"Đơn vị công tác") refuses the sheet before any of its values is converted: none of them reaches
Parquet, and the finding shows the value masked.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dagster_project.reports import columns as conv
from dagster_project.reports.findings import Finding, make_finding
from dagster_project.reports.headers import HEAD_ROWS, HeaderLayout, locate_header
from dagster_project.reports.periods import reporting_today
from dagster_project.reports.readers import RawSheet
from dagster_project.reports.reference import (
    coded_values,
    indicator_catalogue,
    rule_parameter,
    sheet_headers,
)
from dagster_project.reports.text import (
    clean_text,
    defuse_formula,
    fold,
    has_invisible,
    is_formula,
    label_key,
)
from dagster_project.reports.values import (
    is_blank,
    looks_like_cccd,
    looks_like_person_name,
    normalise_cccd,
    normalise_tax_code,
    parse_count,
)

# The label of a total row (folded): a total word alone, or followed by a count or a note.
_TOTAL_LABEL = re.compile(
    r"^(?:tong cong chung|tong cong|cong chung|tong so|tong|cong)"
    r"(?:\s*[:.(\-–].*|\s+\d.*)?$"
)
REQUIRED = {
    "tong_hop": ("label", "value"),
    "ket_nap": ("cccd", "birth_date", "gender", "category", "tax_code", "admission_date"),
    "to_chuc": ("tax_code", "enterprise_name", "ownership_type", "party_org_type"),
}
IGNORED = {"stt", "note", "full_name"}


@dataclass
class SheetResult:
    """Typed columns of one sheet, the text of its title rows and what was found wrong."""

    columns: dict[str, list | pa.Array] = field(default_factory=dict)
    title_texts: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    refused: bool = False


class NeedsTypedCells(Exception):
    """A sheet read as text holds a value whose meaning depends on the cell's type."""


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


_TOTAL_FIELDS = ("stt", "full_name", "label", "enterprise_name")
# What a row of each sheet must hold to be about someone or something: a total row has none.
_IDENTITY_FIELDS = ("cccd", "tax_code")


def _is_total_cell(cell: object) -> bool:
    """A label cell that says "Tổng cộng" (or "Cộng", "Tổng số"...) and nothing but a count."""
    if not (isinstance(cell, str) and len(cell) < 60 and cell.lstrip()[:1] in "TtCc"):
        return False
    return _TOTAL_LABEL.match(fold(clean_text(cell))) is not None


def _is_identity(field: str, cell: object) -> bool:
    """True when the cell names someone or something: a CCCD, or a tax code (a count written
    under it on a total row does not)."""
    parse = normalise_cccd if field == "cccd" else normalise_tax_code
    try:
        parse(cell)
    except ValueError:
        return False
    return True


# A totals row closes the table; only the last few rows are checked for one.
_TOTAL_TAIL = 5


def _data_rows(sheet: RawSheet, layout: HeaderLayout) -> np.ndarray:
    """Indexes of rows holding data: blank rows and the total rows closing the table are not."""
    first = layout.first_data_row
    height = sheet.height
    if first >= height:
        return np.zeros(0, dtype=np.int64)
    # STT is often pre-filled down an empty template: a row with only its number is blank.
    wanted = [p for name, p in layout.columns.items() if name not in ("stt", "note")]
    if any(isinstance(sheet.columns[p], pa.Array) for p in wanted):
        blank = np.ones(height - first, dtype=bool)
        for position in wanted:
            cells = sheet.columns[position]
            tail = cells.slice(first) if isinstance(cells, pa.Array) else cells[first:]
            blank &= conv.is_blank_mask(tail)
            if not blank.any():
                break
        kept = np.flatnonzero(~blank) + first
    else:
        # Python lists (a small sheet): row by row, a data row stops at its first filled cell.
        cells_of = [sheet.columns[p] for p in wanted]
        rows = [
            index
            for index in range(first, height)
            if not all(is_blank(cells[index]) for cells in cells_of)
        ]
        kept = np.array(rows, dtype=np.intp)
    width = len(sheet.columns)
    labels = sorted({0, *(layout.columns[f] for f in _TOTAL_FIELDS if f in layout.columns)})
    labels = [p for p in labels if p < width]
    # KetNap names the person by CCCD; ToChuc the unit by tax code (KetNap's is the employer's).
    identity = next((f for f in _IDENTITY_FIELDS if f in layout.columns), "")
    identity_at = layout.columns[identity] if identity else width
    totals = 0
    for index in reversed(kept[-_TOTAL_TAIL:].tolist()):
        if identity_at < width and _is_identity(identity, sheet.cell(index, identity_at)):
            break
        if not any(_is_total_cell(sheet.cell(index, p)) for p in labels):
            break
        totals += 1
    return kept[: len(kept) - totals] if totals else kept


def _layout(
    sheet: RawSheet, logical: str, result: SheetResult, max_rows: int
) -> tuple[HeaderLayout, np.ndarray] | None:
    spec = sheet_headers()[logical]
    if sheet.too_many_rows:
        result.findings.append(
            make_finding("DQ_TOO_MANY_ROWS", sheet=sheet.name, expected=str(max_rows))
        )
        result.refused = True
        return None
    head = sheet.head(HEAD_ROWS)
    layout = locate_header(head, spec)
    if sheet.rendered:
        # Title and header rows must be text: a number or date there was typed text or not.
        end = layout.header_end if layout else min(5, len(head))
        for row in head[:end]:
            if any(cell.__class__ is not str and cell is not None for cell in row):
                raise NeedsTypedCells(sheet.name)
    if layout is None:
        result.findings.append(
            make_finding(
                "DQ_HEADER_NOT_FOUND",
                sheet=sheet.name,
                expected=", ".join(spec.display[f] for f in REQUIRED[logical]),
            )
        )
        result.refused = True
        result.title_texts = _row_texts(head[:5])
        return None
    result.title_texts = _row_texts(head[: layout.title_row_count])
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


# Text a typed cell could have been rendered as, where the typed cell would parse differently
# from the text: per kind of field, the spellings that send a rendered sheet to a typed re-read.
# fastexcel does not always print a fraction the way Python does (8388608.312000001 for
# 8388608.312), so any fraction it could have printed (never with a trailing zero) is ambiguous.
_RENDERED_ANY = (
    r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}|^(?:true|false)$|^-?\d{17,}|^-?\d+\.\d*[1-9]$"
)
_AMBIGUOUS = {
    "text": _RENDERED_ANY,
    "count": _RENDERED_ANY,
    "date": r"^-?\d+\.\d*[1-9]$|^1899-12-3[01] |^(?:true|false)$|^-?\d{17,}",
    "tax": rf"{_RENDERED_ANY}|^\d{{8,9}}$|^\d{{12}}$|^-\d",
    "cccd": rf"{_RENDERED_ANY}|^\d{{10,11}}$|^-\d",
    "label": rf"{_RENDERED_ANY}|^-?\d+(?:\.\d+)?$",
}
_KINDS = {
    "cccd": "cccd",
    "birth_date": "date",
    "admission_date": "date",
    "party_org_founded_date": "date",
    "union_founded_date": "date",
    "youth_org_founded_date": "date",
    "tax_code": "tax",
    "employees": "count",
    "party_members": "count",
    "union_members": "count",
    "youth_members": "count",
    "value": "count",
    "label": "label",
}
_COMPILED = {kind: re.compile(pattern, re.ASCII) for kind, pattern in _AMBIGUOUS.items()}


def _check_rendered(sheet: RawSheet, name: str, column: conv.Column) -> None:
    """Raise ``NeedsTypedCells`` when a value of the column could be a printed typed cell that
    parses differently from the same text; each distinct value is looked at once."""
    values, _, dictionary = column.distinct()
    kind = _KINDS.get(name, "text")
    if dictionary is not None and len(values) > conv.PYTHON_VALUES:
        ambiguous = pc.any(pc.match_substring_regex(dictionary, _AMBIGUOUS[kind])).as_py()
    else:
        ambiguous = any(cell is not None and _COMPILED[kind].search(cell) for cell in values)
    if ambiguous:
        raise NeedsTypedCells(sheet.name)


def _columns(
    sheet: RawSheet, layout: HeaderLayout, kept: np.ndarray
) -> tuple[dict[str, conv.Column], np.ndarray]:
    row_numbers = kept + 1
    contiguous = len(kept) > 0 and int(kept[-1]) - int(kept[0]) + 1 == len(kept)
    take = None
    columns = {}
    for name, position in layout.columns.items():
        if name in IGNORED:
            continue
        cells = sheet.columns[position]
        if isinstance(cells, pa.Array):
            if contiguous:
                selected = cells.slice(int(kept[0]), len(kept))
            else:
                take = take if take is not None else pa.array(kept, type=pa.int64())
                selected = cells.take(take)
        elif contiguous:
            selected = cells[int(kept[0]) : int(kept[-1]) + 1]
        elif len(kept):
            selected = (
                list(itemgetter(*kept.tolist())(cells)) if len(kept) > 1 else [cells[kept[0]]]
            )
        else:
            selected = []
        columns[name] = conv.Column(sheet.name, layout.names[position], selected, row_numbers)
        if sheet.rendered:
            _check_rendered(sheet, name, columns[name])
    return columns, row_numbers


def _row_number_array(row_numbers: np.ndarray) -> pa.Array:
    """Row numbers (ascending) as int32; numpy narrows them far faster than Arrow's checked cast,
    which is kept for a number past int32 (it refuses it)."""
    if len(row_numbers) and row_numbers[-1] > np.iinfo(np.int32).max:
        return pa.array(row_numbers, type=pa.int32())
    return pa.array(row_numbers.astype(np.int32))


def _python_cells(column: conv.Column) -> list:
    cells = column.cells
    return cells.to_pylist() if isinstance(cells, pa.Array) else list(cells)


def _text_hygiene(column: conv.Column, position: int, cell: object, text: str) -> list[Finding]:
    """Warnings for a text cell kept after cleaning: hidden characters removed, formula text
    defused (see ``text``)."""
    found = []
    if isinstance(cell, str) and has_invisible(cell):
        found.append(column.finding("DQ_TEXT_INVISIBLE", position, value=cell))
    if is_formula(text):
        found.append(column.finding("DQ_TEXT_FORMULA", position, value=text, detail=text[0]))
    return found


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
        zip(_python_cells(labels_column), _python_cells(values_column), strict=True)
    ):
        row_number = int(row_numbers[position])
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
        result.findings.extend(_text_hygiene(labels_column, position, label_cell, label))
        label = defuse_formula(label)
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
        "sheet": conv.repeat_text(sheet.name, len(numbers)),
        "row_number": numbers,
        "indicator_code": codes,
        "label": labels,
        "reported_value": values,
    }
    return result


def member_key(cccd: str, key: bytes) -> str:
    """Keyed pseudonym of a CCCD: stable across reports for one key, useless without it."""
    return hmac.digest(key, cccd.encode("ascii"), hashlib.sha256).hex()


# HMAC's key pads (RFC 2104) as byte translations, as the standard library's hmac builds them.
_XOR_INNER = bytes(byte ^ 0x36 for byte in range(256))
_XOR_OUTER = bytes(byte ^ 0x5C for byte in range(256))


class _MemberKeys:
    """HMAC-SHA256 with the key's padded blocks hashed once (RFC 2104), for many short inputs.

    Gives exactly ``member_key``; copying two prepared hash states per CCCD costs less than
    letting ``hmac`` hash the key again for each of them.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(key.translate(_XOR_INNER))
        self._outer = hashlib.sha256(key.translate(_XOR_OUTER))

    def many(self, cccds: list[str]) -> list[str]:
        inner_copy, outer_copy = self._inner.copy, self._outer.copy
        out = []
        for cccd in cccds:
            inner = inner_copy()
            inner.update(cccd.encode("ascii"))
            outer = outer_copy()
            outer.update(inner.digest())
            out.append(outer.hexdigest())
        return out


def _member_keys(column: conv.Column, key: bytes, findings: list[Finding]) -> pa.Array:
    """Member keys of the CCCD column; blank and malformed cells are errors without the number."""
    keys = _MemberKeys(key)
    values, _, dictionary = column.distinct()
    prepared = None
    if dictionary is not None and len(values) > conv.PYTHON_VALUES:
        # Twelve ASCII digits are a CCCD as written: key them in one loop, no parsing.
        mask = pc.fill_null(pc.match_substring_regex(dictionary, r"^\d{12}$"), False)
        ready = pc.filter(dictionary, mask).to_pylist()
        if ready:
            prepared = pc.replace_with_mask(
                pa.nulls(len(values), pa.string()), mask, pa.array(keys.many(ready))
            )

    def parse(cell: object) -> str:
        return keys.many([normalise_cccd(cell)])[0]

    def on_error(position: int, cell: object) -> Finding:
        # make_finding masks it: the CCCD column holds personal data.
        return column.finding(
            "DQ_CCCD_FORMAT", position, value=cell, expected="12 chữ số / 12 digits"
        )

    def fast(_dictionary: pa.Array) -> pa.Array:
        return prepared

    return conv._convert(
        column,
        parse,
        findings,
        on_error,
        pa.string(),
        required="số CCCD 12 chữ số / 12-digit CCCD",
        fast=fast if prepared else None,
    )


def _month_day(days: pa.Array) -> pa.Array:
    return pc.add(pc.multiply(pc.month(days), 100), pc.day(days))


# KetNap's columns where people's names can land when "Họ và tên" swaps its header (any but
# the identity ones): free text is stored as found, an unknown ethnic group too.
_NAME_PRONE = (
    "work_unit_name",
    "decision_number",
    "party_cell",
    "ethnicity",
    "gender",
    "category",
)
# Distinct values looked at to tell a column of names; half of them looking like names is enough.
_NAME_SAMPLE = 200


def _first_cccd(column: conv.Column) -> int | None:
    """Position of the first cell shaped like a CCCD, or None."""
    values, _, dictionary = column.distinct()
    if (
        dictionary is not None
        and len(values) > conv.PYTHON_VALUES
        and pa.types.is_string(dictionary.type)
    ):
        hits = pc.fill_null(pc.match_substring_regex(dictionary, r"^\d{11,12}$"), False)
        indexes = np.flatnonzero(hits.to_numpy(zero_copy_only=False)).tolist()
    else:
        indexes = [index for index, cell in enumerate(values) if looks_like_cccd(cell)]
    if not indexes:
        return None
    return int(column.positions(indexes)[0])


def _first_name_of_many(column: conv.Column) -> int | None:
    """Position of the first personal name when most of the column's values look like names."""
    values, _, _ = column.distinct()
    texts = [
        (index, cell)
        for index, cell in enumerate(values[: _NAME_SAMPLE * 2])
        if isinstance(cell, str) and cell.strip()
    ][:_NAME_SAMPLE]
    names = [index for index, cell in texts if looks_like_person_name(cell)]
    if not names or len(names) * 2 < len(texts):
        return None
    return int(column.positions(names)[0])


def _misplaced_personal_data(
    columns: dict[str, conv.Column], name_prone: tuple[str, ...]
) -> Finding | None:
    """A finding when CCCDs or people's names sit under another column's header."""
    for name, column in columns.items():
        if name in _IDENTITY_FIELDS:
            continue
        position = _first_cccd(column)
        what = "số CCCD / CCCD numbers"
        if position is None and name in name_prone:
            position = _first_name_of_many(column)
            what = "họ tên người / people's names"
        if position is not None:
            cell = column.cells[position]
            return column.finding(
                "DQ_PERSONAL_DATA_MISPLACED",
                position,
                value=cell.as_py() if isinstance(cell, pa.Scalar) else cell,
                expected=f"'{column.name}'",
                detail=what,
            )
    return None


def _refuse_misplaced(
    columns: dict[str, conv.Column], name_prone: tuple[str, ...], result: SheetResult
) -> bool:
    finding = _misplaced_personal_data(columns, name_prone)
    if finding is None:
        return False
    result.findings.append(finding)
    result.refused = True
    return True


def _later_than(values: pa.Array, bound: date) -> list[int]:
    """Positions of the dates after ``bound`` (a blank date is not)."""
    if len(values) <= conv.PYTHON_VALUES:
        return [i for i, day in enumerate(values.to_pylist()) if day is not None and day > bound]
    late = pc.fill_null(pc.greater(values, pa.scalar(bound, pa.date32())), False)
    return np.flatnonzero(late.to_numpy(zero_copy_only=False)).tolist()


def _age_checks(
    births: pa.Array, admissions: pa.Array, period: Period | None, min_age: int, max_age: int
) -> tuple[pa.Array, pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """Birth years and ages at admission, and per row: under ``min_age``, over ``max_age`` (in
    age or in the difference of the years), admitted outside the period. Blank dates flag
    nothing. A few dozen rows are computed in Python, more with Arrow."""
    count = len(births)
    if count <= conv.PYTHON_VALUES:
        years: list[int | None] = []
        ages_list: list[int | None] = []
        under, old, outside = (np.zeros(count, dtype=bool) for _ in range(3))
        for index, (born, admitted) in enumerate(
            zip(births.to_pylist(), admissions.to_pylist(), strict=True)
        ):
            years.append(born.year if born is not None else None)
            if period is not None and admitted is not None:
                outside[index] = admitted < period.start or admitted > period.end
            if born is None or admitted is None:
                ages_list.append(None)
                continue
            gap = admitted.year - born.year
            age = gap - ((admitted.month, admitted.day) < (born.month, born.day))
            ages_list.append(age)
            under[index] = age < min_age
            old[index] = age > max_age or gap > max_age
        return (
            pa.array(years, pa.int32()),
            pa.array(ages_list, pa.int32()),
            under,
            old,
            outside,
        )
    birth_years = pc.year(births).cast(pa.int32())
    ages = pc.subtract(
        pc.subtract(pc.year(admissions), pc.year(births)),
        pc.less(_month_day(admissions), _month_day(births)).cast(pa.int64()),
    ).cast(pa.int32())
    under_age = pc.fill_null(pc.less(ages, min_age), False).to_numpy(zero_copy_only=False)
    year_gap = pc.subtract(pc.year(admissions), pc.year(births))
    too_old = pc.fill_null(
        pc.or_(pc.greater(ages, max_age), pc.greater(year_gap, max_age)), False
    ).to_numpy(zero_copy_only=False)
    outside = np.zeros(count, dtype=bool)
    if period:
        outside = pc.fill_null(
            pc.or_(
                pc.less(admissions, pa.scalar(period.start, pa.date32())),
                pc.greater(admissions, pa.scalar(period.end, pa.date32())),
            ),
            False,
        ).to_numpy(zero_copy_only=False)
    return birth_years, ages, under_age, too_old, outside


def _future(
    column: conv.Column | None, values: pa.Array, today: date, findings: list[Finding]
) -> None:
    """An error at each date after today: an admission or a founding cannot lie ahead."""
    if column is None:
        return
    for position in _later_than(values, today):
        findings.append(
            column.finding(
                "DQ_DATE_IN_FUTURE",
                position,
                value=values[position].as_py().strftime("%d/%m/%Y"),
                expected=f"{today:%d/%m/%Y}",
            )
        )


def parse_ket_nap(
    sheet: RawSheet,
    period: Period | None,
    pseudonym_key: bytes,
    max_rows: int,
    today: date | None = None,
) -> SheetResult:
    """Admissions, pseudonymised: name dropped, CCCD keyed, birth date reduced to a year."""
    result = SheetResult()
    found = _layout(sheet, "ket_nap", result, max_rows)
    if found is None:
        return result
    layout, kept = found
    columns, row_numbers = _columns(sheet, layout, kept)
    if _refuse_misplaced(columns, _NAME_PRONE, result):
        return result
    today = today or reporting_today()
    findings = result.findings
    count = len(kept)
    domains = coded_values()
    get = columns.get

    keys = _member_keys(columns["cccd"], pseudonym_key, findings)
    birth_column = columns["birth_date"]
    # Birth-date findings are masked by make_finding: the column holds personal data.
    births = conv.dates(birth_column, count, findings, required="ngày sinh dd/mm/yyyy / birth date")
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

    min_age = int(rule_parameter("DQ_AGE_UNDER_18", "min_age"))
    # The mart checks both the age at admission and the difference of the years against the
    # same bound (expectations: age_at_admission, age_in_admission_year): refuse either here.
    max_age = int(rule_parameter("DQ_AGE_IMPLAUSIBLE", "max_age"))
    birth_years, ages, under_age, too_old, outside = _age_checks(
        births, admissions, period, min_age, max_age
    )
    for position in np.flatnonzero(too_old).tolist():
        findings.append(
            birth_column.finding(
                "DQ_AGE_IMPLAUSIBLE",
                position,
                value=ages[position].as_py(),
                expected=f"<= {max_age}",
                detail=str(max_age),
            )
        )
    _future(columns["admission_date"], admissions, today, findings)
    if under_age.any() or outside.any():
        admission_column = columns["admission_date"]
        for position in np.flatnonzero(under_age | outside).tolist():
            if under_age[position]:
                age = ages[position].as_py()
                findings.append(
                    birth_column.finding(
                        "DQ_AGE_UNDER_18",
                        position,
                        value=age,
                        expected=f">= {min_age}",
                        detail=str(min_age),
                    )
                )
            if outside[position]:
                admitted = admissions[position].as_py()
                findings.append(
                    admission_column.finding(
                        "DQ_ADMISSION_OUT_OF_PERIOD",
                        position,
                        value=admitted.strftime("%d/%m/%Y"),
                        expected=f"{period.start:%d/%m/%Y} - {period.end:%d/%m/%Y}",  # type: ignore[union-attr]
                    )
                )
    result.columns = {
        "sheet": conv.repeat_text(sheet.name, count),
        "row_number": _row_number_array(row_numbers),
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


def _duplicate_tax_codes(result: SheetResult, tax_column: conv.Column | None) -> None:
    """An error at each later row listing a tax code again with different figures: one unit,
    one row; identical repeats are left to the warehouse's warning (GX_DUPLICATE_ENTERPRISE)."""
    taxes = result.columns["tax_code"]
    if tax_column is None or len(taxes) < 2:
        return
    if len(taxes) <= conv.PYTHON_VALUES:
        codes = [code for code in taxes.to_pylist() if code is not None]
        if len(set(codes)) == len(codes):
            return  # no code twice: the usual case, told without Arrow
    counts = pc.value_counts(taxes)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    repeated = repeated.drop_null()
    if not len(repeated):
        return
    table = pa.table({k: v for k, v in result.columns.items() if k != "sheet"})
    positions = np.flatnonzero(
        pc.fill_null(pc.is_in(taxes, value_set=repeated), False).to_numpy(zero_copy_only=False)
    ).tolist()
    rows = table.take(pa.array(positions, pa.int64())).to_pylist()
    first: dict[str, tuple[int, dict]] = {}
    for position, row in zip(positions, rows, strict=True):
        number = row.pop("row_number")
        code = row["tax_code"]
        if code not in first:
            first[code] = (number, row)
        elif first[code][1] != row:
            result.findings.append(
                tax_column.finding(
                    "DQ_DUPLICATE_TAXCODE", position, value=code, detail=str(first[code][0])
                )
            )


def parse_to_chuc(
    sheet: RawSheet, period: Period | None, max_rows: int, today: date | None = None
) -> SheetResult:
    """Units and enterprises at period end, with their party, union and youth organisations."""
    result = SheetResult()
    found = _layout(sheet, "to_chuc", result, max_rows)
    if found is None:
        return result
    layout, kept = found
    columns, row_numbers = _columns(sheet, layout, kept)
    if _refuse_misplaced(columns, (), result):
        return result
    today = today or reporting_today()
    findings = result.findings
    count = len(kept)
    domains = coded_values()
    get = columns.get
    founded = {
        name: conv.dates(get(name), count, findings)
        for name in ("party_org_founded_date", "union_founded_date", "youth_org_founded_date")
    }
    for name, values in founded.items():
        _future(columns.get(name), values, today, findings)
    if period:
        for name, values in founded.items():
            column = columns.get(name)
            for position in _later_than(values, period.end):
                findings.append(
                    column.finding(  # type: ignore[union-attr]
                        "DQ_FOUNDED_AFTER_PERIOD",
                        position,
                        value=values[position].as_py().strftime("%d/%m/%Y"),
                        expected=f"<= {period.end:%d/%m/%Y}",
                    )
                )
    result.columns = {
        "sheet": conv.repeat_text(sheet.name, count),
        "row_number": _row_number_array(row_numbers),
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
    _duplicate_tax_codes(result, get("tax_code"))
    return result
