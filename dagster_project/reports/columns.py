"""Column-at-a-time conversion of sheet cells into typed Arrow arrays, with a finding per bad cell.

Values repeat a lot down a column (categories, dates, unit names), so each converter parses every
distinct cell value once and maps the column through the results with Arrow's ``take``; the
per-cell work stays in C. Text columns (CSV, and workbooks read by fastexcel) also get a
vectorised fast path for the common spellings (already-clean text, dd/mm/yyyy dates, plain
digits), checked so strictly that it agrees with the Python parsers on every value it accepts;
anything else goes through those parsers. Columns of a small sheet (``PYTHON_VALUES``) are
Python lists and stay in Python throughout.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dagster_project.reports.findings import Finding, make_finding
from dagster_project.reports.reference import CodedDomain, ethnic_groups
from dagster_project.reports.text import (
    INVISIBLE_CLASS_RE2,
    clean_text,
    defuse_formula,
    has_invisible,
    is_formula,
)
from dagster_project.reports.values import (
    COUNT_DIGITS,
    COUNT_MAX,
    OutOfRange,
    is_blank,
    normalise_tax_code,
    parse_count,
    parse_date,
)

# Python's str.isspace() characters, spelled for RE2.
_SPACE = r"\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}"
# Clean text: no outer or double spaces, no invisible character, not beginning like a formula
# (anything else goes to the Python path, which cleans it and says what it removed or defused).
_WORD = rf"[^{_SPACE}{INVISIBLE_CLASS_RE2}]"
_CLEAN_TEXT = rf"^[^=+@\-{_SPACE}{INVISIBLE_CLASS_RE2}]{_WORD}*(?: {_WORD}+)*$"

PYTHON_VALUES = 64
"""Distinct values a column may hold and still be read one value at a time in plain Python.

Each Arrow compute call costs some microseconds whatever its length, so on a few dozen values a
Python loop is cheaper; past this many the vectorised paths win. A sheet of at most this many
rows is read as Python lists (``readers``) and never touches the vectorised paths."""


def repeat_text(text: str, count: int) -> pa.Array:
    """One text down a whole column, built in C in one call."""
    return pa.repeat(pa.scalar(text, pa.string()), count)


class _Values(Sequence):
    """Distinct values of an Arrow column, made Python objects only when one is first read:
    the vectorised paths usually decide every value without looking at any of them."""

    def __init__(self, dictionary: pa.Array) -> None:
        self._dictionary = dictionary
        self._list: list | None = None

    def __len__(self) -> int:
        return len(self._dictionary)

    def __getitem__(self, index):  # type: ignore[override]
        if self._list is None:
            self._list = self._dictionary.to_pylist()
        return self._list[index]


class Column:
    """One column of a sheet's data rows, with what is needed to name a cell in a finding."""

    def __init__(
        self,
        sheet: str,
        name: str,
        cells: Sequence[object],
        row_numbers: Sequence[int],
    ):
        self.sheet = sheet
        self.name = name
        self.cells = cells
        self.row_numbers = row_numbers
        self._distinct: tuple[list, np.ndarray, pa.Array | None] | None = None

    def finding(self, rule: str, position: int, **kwargs: object) -> Finding:
        return make_finding(
            rule,
            sheet=self.sheet,
            row_number=int(self.row_numbers[position]),
            column_name=self.name,
            **kwargs,  # type: ignore[arg-type]
        )

    def distinct(self) -> tuple[list, np.ndarray, pa.Array | None]:
        """Distinct cell values, each cell's index into them, and the values as Arrow text.

        Typed cells are keyed by type too: ``True`` and ``1`` hash alike but parse differently.
        """
        if self._distinct is None:
            cells = self.cells
            if isinstance(cells, pa.Array):
                encoded = cells.dictionary_encode(null_encoding="encode")
                dictionary = encoded.dictionary
                self._distinct = (
                    _Values(dictionary),  # type: ignore[arg-type]
                    encoded.indices.to_numpy(zero_copy_only=False),
                    dictionary,
                )
            else:
                index: dict[object, int] = {}
                if bool in set(map(type, cells)):
                    keys: Sequence[object] = [(cell.__class__, cell) for cell in cells]
                else:
                    keys = cells
                codes = [index.setdefault(key, len(index)) for key in keys]
                values = [key[1] if keys is not cells else key for key in index]  # type: ignore[index]
                self._distinct = (values, np.array(codes, dtype=np.int64), None)
        return self._distinct

    def positions(self, distinct_indexes: Sequence[int]) -> np.ndarray:
        """Positions of the cells holding any of the given distinct values, in row order."""
        _, codes, _ = self.distinct()
        return np.flatnonzero(np.isin(codes, np.asarray(distinct_indexes, dtype=np.int64)))


def _convert(
    column: Column,
    parse: Callable[[object], object],
    findings: list[Finding],
    on_error: Callable[[int, object], Finding | list[Finding]],
    out_type: pa.DataType,
    required: str | None = None,
    fast: Callable[[pa.Array], pa.Array] | None = None,
    blank_value: object = None,
    keep_bad: Callable[[object], object] | None = None,
) -> pa.Array:
    """Apply ``parse`` to every distinct cell value; blank → ``blank_value``, unreadable → None
    (or ``keep_bad(cell)``) plus a finding at each cell holding it.

    ``fast`` maps the distinct values as Arrow text to results, null where it cannot tell; the
    Python parser sees only what it left null. Findings come in row order, as a reader scans.
    """
    values, codes, dictionary = column.distinct()
    quick: pa.Array | None = None
    todo: Sequence[int] = range(len(values))
    if fast is not None and dictionary is not None and len(values) > PYTHON_VALUES:
        quick = fast(dictionary)
        if quick.null_count == 0:
            todo = ()
        else:
            todo = np.flatnonzero(quick.is_null().to_numpy(zero_copy_only=False)).tolist()
    results: list[object] = []
    bad: list[int] = []
    blank: list[int] = []
    for index in todo:
        cell = values[index]
        if cell is None or (cell.__class__ is str and not cell.strip()):  # type: ignore[attr-defined]
            results.append(blank_value)
            blank.append(index)
            continue
        try:
            value = parse(cell)
        except (ValueError, ArithmeticError, OverflowError):
            value = keep_bad(cell) if keep_bad else None
            bad.append(index)
        else:
            if value is None:
                blank.append(index)
        results.append(value)
    if quick is None and len(codes) <= PYTHON_VALUES:
        out = pa.array([results[code] for code in codes.tolist()], type=out_type)
    else:
        by_value = pa.array(results, type=out_type)
        if quick is not None:
            by_value = pc.replace_with_mask(quick.cast(out_type), quick.is_null(), by_value)
        out = by_value.take(pa.array(codes))
    flagged = bad + blank if required else bad
    if flagged:
        bad_set = set(bad)
        for position in column.positions(flagged):
            cell = values[codes[position]]
            if codes[position] in bad_set:
                found = on_error(int(position), cell)
                if isinstance(found, list):
                    findings.extend(found)
                else:
                    findings.append(found)
            else:
                findings.append(
                    column.finding("DQ_REQUIRED_VALUE", int(position), expected=required)
                )
    return out


def _text_value(cell: object) -> str:
    if isinstance(cell, float) and math.isfinite(cell) and cell == int(cell):
        return str(int(cell))
    if isinstance(cell, str):
        return clean_text(cell)
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    return str(cell)


def _clean_fast(dictionary: pa.Array) -> pa.Array:
    """Text already trimmed, single-spaced and NFC is its own clean form."""
    clean = pc.and_(
        pc.match_substring_regex(dictionary, _CLEAN_TEXT),
        pc.equal(pc.utf8_normalize(dictionary, form="NFC"), dictionary),
    )
    return pc.if_else(clean, dictionary, pa.scalar(None, pa.string()))


def _nulls(count: int, count_type: pa.DataType) -> pa.Array:
    return pa.nulls(count, type=count_type)


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _number(text: pa.Array, start: int, length: int) -> np.ndarray:
    part = pc.utf8_slice_codeunits(text, start, start + length).cast(pa.int64())
    return pc.fill_null(part, 0).to_numpy(zero_copy_only=False)


def _dates_fast(dictionary: pa.Array) -> pa.Array:
    """dd/mm/yyyy and yyyy-mm-dd[ 00:00:00] dates that exist and lie in range; anything else
    is left to the Python parser."""
    null = pa.scalar(None, pa.string())
    dmy = pc.fill_null(pc.match_substring_regex(dictionary, r"^\d{2}/\d{2}/\d{4}$"), False)
    iso = pc.fill_null(
        pc.match_substring_regex(dictionary, r"^\d{4}-\d{2}-\d{2}(?: 00:00:00)?$"), False
    )
    if not (pc.any(dmy).as_py() or pc.any(iso).as_py()):
        return pa.nulls(len(dictionary), pa.date32())
    as_iso = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(dictionary, 6, 10),
        pc.utf8_slice_codeunits(dictionary, 3, 5),
        pc.utf8_slice_codeunits(dictionary, 0, 2),
        "-",
    )
    text = pc.if_else(
        dmy, as_iso, pc.if_else(iso, pc.utf8_slice_codeunits(dictionary, 0, 10), null)
    )
    year, month, day = _number(text, 0, 4), _number(text, 5, 2), _number(text, 8, 2)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    known = (month >= 1) & (month <= 12)
    last = _MONTH_DAYS[np.where(known, month, 0)] + (leap & (month == 2))
    valid = known & (day >= 1) & (day <= last) & (year >= 1900) & (year <= 2100)
    return pc.if_else(pa.array(valid), text, null).cast(pa.date32())


def _digits_fast(max_digits: int, out_type: pa.DataType) -> Callable[[pa.Array], pa.Array]:
    def fast(dictionary: pa.Array) -> pa.Array:
        mask = pc.fill_null(pc.match_substring_regex(dictionary, rf"^\d{{1,{max_digits}}}$"), False)
        text = pc.if_else(mask, dictionary, pa.scalar(None, pa.string()))
        return text.cast(out_type)

    return fast


def _tax_fast(dictionary: pa.Array) -> pa.Array:
    mask = pc.fill_null(pc.match_substring_regex(dictionary, r"^\d{10}(?:-\d{3})?$"), False)
    return pc.if_else(mask, dictionary, pa.scalar(None, pa.string()))


def _hygiene(cell: object) -> bool:
    """True when a text cell needs cleaning a reader should hear about (see ``text``)."""
    return isinstance(cell, str) and (has_invisible(cell) or is_formula(clean_text(cell)))


def texts(
    column: Column | None, count: int, findings: list[Finding], required: str | None = None
) -> pa.Array:
    """Cleaned NFC text, each distinct value cleaned once. Hidden characters are removed and
    formula text defused, each with a warning at the cell."""
    if column is None:
        return pa.nulls(count, pa.string())

    def parse(cell: object) -> str | None:
        if _hygiene(cell):
            raise ValueError("text to clean")
        return _text_value(cell) or None

    def kept(cell: object) -> str | None:
        return defuse_formula(_text_value(cell)) or None

    def on_error(position: int, cell: object) -> list[Finding]:
        text = _text_value(cell)
        found = []
        if isinstance(cell, str) and has_invisible(cell):
            found.append(column.finding("DQ_TEXT_INVISIBLE", position, value=cell))
        if is_formula(text):
            found.append(column.finding("DQ_TEXT_FORMULA", position, value=text, detail=text[0]))
        if required and not text:
            found.append(column.finding("DQ_REQUIRED_VALUE", position, expected=required))
        return found

    return _convert(
        column,
        parse,
        findings,
        on_error,
        pa.string(),
        required,
        fast=_clean_fast,
        keep_bad=kept,
    )


def count_finding(column: Column, position: int, cell: object) -> Finding:
    """The finding for a count cell ``parse_count`` refused: out of range, or not a count."""
    try:
        parse_count(cell)
    except OutOfRange:
        return column.finding(
            "DQ_NUMBER_OUT_OF_RANGE", position, value=cell, expected=f"0 - {COUNT_MAX}"
        )
    except (ValueError, ArithmeticError):
        pass
    return column.finding(
        "DQ_COUNT_FORMAT", position, value=cell, expected="số nguyên ≥ 0 / whole number ≥ 0"
    )


def counts(column: Column | None, count: int, findings: list[Finding]) -> pa.Array:
    if column is None:
        return pa.nulls(count, pa.int64())
    return _convert(
        column,
        parse_count,
        findings,
        lambda p, c: count_finding(column, p, c),
        pa.int64(),
        fast=_digits_fast(COUNT_DIGITS, pa.int64()),
    )


def dates(
    column: Column | None,
    count: int,
    findings: list[Finding],
    required: str | None = None,
) -> pa.Array:
    """Dates; a finding on a personal column (birth date) is masked by ``make_finding``."""
    if column is None:
        return pa.nulls(count, pa.date32())
    return _convert(
        column,
        parse_date,
        findings,
        lambda p, c: column.finding("DQ_DATE_FORMAT", p, value=c, expected="dd/mm/yyyy"),
        pa.date32(),
        required,
        fast=_dates_fast,
    )


def tax_codes(
    column: Column | None, count: int, findings: list[Finding], required: str | None = None
) -> pa.Array:
    if column is None:
        return pa.nulls(count, pa.string())
    return _convert(
        column,
        normalise_tax_code,
        findings,
        lambda p, c: column.finding(
            "DQ_TAXCODE_FORMAT", p, value=c, expected="0101234567 / 0101234567-001"
        ),
        pa.string(),
        required,
        fast=_tax_fast,
    )


def coded(
    column: Column | None,
    count: int,
    domain: CodedDomain,
    findings: list[Finding],
    required: str | None = None,
    default: str | None = None,
) -> pa.Array:
    """Codes of a coded-value column; a blank cell takes ``default`` ("khong": no party org)."""
    if column is None:
        return pa.array([default] * count, type=pa.string())

    def parse(cell: object) -> str:
        code = domain.match(_text_value(cell))
        if code is None:
            raise ValueError(cell)
        return code

    return _convert(
        column,
        parse,
        findings,
        lambda p, c: column.finding("DQ_CODE_UNKNOWN", p, value=c, expected=domain.expected()),
        pa.string(),
        None if default else required,
        blank_value=default,
    )


def yes_no(
    column: Column | None, count: int, domain: CodedDomain, findings: list[Finding]
) -> pa.Array:
    """Booleans of a Có/x/Không/blank column; blank is no."""
    return pc.equal(coded(column, count, domain, findings, default="khong"), "co")


def ethnicities(column: Column | None, count: int, findings: list[Finding]) -> pa.Array:
    """Canonical group labels; an unknown group is a warning and keeps the cleaned text."""
    if column is None:
        return pa.nulls(count, pa.string())
    groups = ethnic_groups()

    def parse(cell: object) -> str:
        text = _text_value(cell)
        label = groups.match(text)
        if label is None:
            raise ValueError(text)
        return label

    def on_error(position: int, cell: object) -> Finding:
        text = _text_value(cell)
        return column.finding(
            "DQ_ETHNICITY_UNKNOWN", position, value=text, expected="54 dân tộc / 54 groups"
        )

    return _convert(
        column,
        parse,
        findings,
        on_error,
        pa.string(),
        keep_bad=lambda cell: defuse_formula(_text_value(cell)),
    )


def is_blank_mask(cells: Sequence[object]) -> np.ndarray:
    """Per cell: is it blank (None, empty or only spaces)?"""
    if isinstance(cells, pa.Array):
        blank = pc.or_(pc.is_null(cells), pc.match_substring_regex(cells, rf"^[{_SPACE}]*$"))
        return pc.fill_null(blank, True).to_numpy(zero_copy_only=False)
    return np.fromiter(map(is_blank, cells), dtype=bool, count=len(cells))
