"""Column-at-a-time conversion of sheet cells into typed values, with a finding per bad cell.

Values repeat a lot down a column (categories, dates, unit names), so each converter memoises the
raw cell; per-row Python work stays a dictionary lookup for most cells.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from dagster_project.reports.findings import Finding, make_finding
from dagster_project.reports.reference import CodedDomain, ethnic_groups
from dagster_project.reports.text import clean_text
from dagster_project.reports.values import (
    is_blank,
    normalise_tax_code,
    parse_count,
    parse_date,
)


class Column:
    """One column of a sheet's data rows, with what is needed to name a cell in a finding."""

    def __init__(self, sheet: str, name: str, cells: Sequence[object], row_numbers: Sequence[int]):
        self.sheet = sheet
        self.name = name
        self.cells = cells
        self.row_numbers = row_numbers

    def finding(self, rule: str, position: int, **kwargs: object) -> Finding:
        return make_finding(
            rule,
            sheet=self.sheet,
            row_number=self.row_numbers[position],
            column_name=self.name,
            **kwargs,  # type: ignore[arg-type]
        )


def _convert(
    column: Column,
    parse: Callable[[object], object],
    findings: list[Finding],
    on_error: Callable[[int, object], Finding],
    required: str | None = None,
) -> list:
    """Apply ``parse`` to every cell; blank → None, unreadable → None plus a finding.

    Each distinct cell value is parsed once and the column is mapped through the results, so the
    per-cell cost is a dictionary lookup done in C; positions are only scanned when some value
    is bad or a required cell is blank.
    """
    cells = column.cells
    if bool in set(map(type, cells)):
        return _convert_each(column, parse, findings, on_error, required)
    results: dict[object, object] = {}
    bad: set[object] = set()
    blank: set[object] = set()
    for cell in dict.fromkeys(cells):
        if cell is None or (cell.__class__ is str and not cell.strip()):  # type: ignore[attr-defined]
            results[cell] = None
            blank.add(cell)
            continue
        try:
            value = parse(cell)
        except (ValueError, ArithmeticError, OverflowError):
            value = None
            bad.add(cell)
        else:
            if value is None:
                blank.add(cell)
        results[cell] = value
    out = list(map(results.__getitem__, cells))
    if bad or (required and blank):
        for position, cell in enumerate(cells):
            if cell in bad:
                findings.append(on_error(position, cell))
            elif required and cell in blank:
                findings.append(column.finding("DQ_REQUIRED_VALUE", position, expected=required))
    return out


def _convert_each(
    column: Column,
    parse: Callable[[object], object],
    findings: list[Finding],
    on_error: Callable[[int, object], Finding],
    required: str | None,
) -> list:
    """Cell-by-cell path for columns holding booleans, which hash equal to 0 and 1."""
    out: list = []
    for position, cell in enumerate(column.cells):
        if is_blank(cell):
            value = None
        else:
            try:
                value = parse(cell)
            except (ValueError, ArithmeticError, OverflowError):
                findings.append(on_error(position, cell))
                out.append(None)
                continue
        if value is None and required:
            findings.append(column.finding("DQ_REQUIRED_VALUE", position, expected=required))
        out.append(value)
    return out


def _text_value(cell: object) -> str:
    if isinstance(cell, float) and cell == int(cell):
        return str(int(cell))
    if isinstance(cell, str):
        return clean_text(cell)
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    return str(cell)


def texts(
    column: Column | None, count: int, findings: list[Finding], required: str | None = None
) -> list:
    """Cleaned NFC text, each distinct value cleaned once."""
    if column is None:
        return [None] * count
    return _convert(
        column, lambda cell: _text_value(cell) or None, findings, lambda p, c: None, required
    )  # type: ignore[arg-type,return-value]


def counts(column: Column | None, count: int, findings: list[Finding]) -> list:
    if column is None:
        return [None] * count
    return _convert(
        column,
        parse_count,
        findings,
        lambda p, c: column.finding(
            "DQ_COUNT_FORMAT", p, value=c, expected="số nguyên ≥ 0 / whole number ≥ 0"
        ),
    )


def dates(
    column: Column | None, count: int, findings: list[Finding], required: str | None = None
) -> list:
    if column is None:
        return [None] * count
    return _convert(
        column,
        parse_date,
        findings,
        lambda p, c: column.finding("DQ_DATE_FORMAT", p, value=c, expected="dd/mm/yyyy"),
        required,
    )


def tax_codes(
    column: Column | None, count: int, findings: list[Finding], required: str | None = None
) -> list:
    if column is None:
        return [None] * count
    return _convert(
        column,
        normalise_tax_code,
        findings,
        lambda p, c: column.finding(
            "DQ_TAXCODE_FORMAT", p, value=c, expected="0101234567 / 0101234567-001"
        ),
        required,
    )


def coded(
    column: Column | None,
    count: int,
    domain: CodedDomain,
    findings: list[Finding],
    required: str | None = None,
    default: str | None = None,
) -> list:
    """Codes of a coded-value column; a blank cell takes ``default`` ("khong": no party org)."""
    if column is None:
        return [default] * count

    def parse(cell: object) -> str:
        code = domain.match(_text_value(cell))
        if code is None:
            raise ValueError(cell)
        return code

    values = _convert(
        column,
        parse,
        findings,
        lambda p, c: column.finding("DQ_CODE_UNKNOWN", p, value=c, expected=domain.expected()),
        None if default else required,
    )
    if default is not None and None in values:
        values = [
            default if value is None and is_blank(cell) else value
            for value, cell in zip(values, column.cells, strict=True)
        ]
    return values


def yes_no(column: Column | None, count: int, domain: CodedDomain, findings: list[Finding]) -> list:
    """Booleans of a Có/x/Không/blank column; blank is no."""
    codes = coded(column, count, domain, findings, default="khong")
    return [None if code is None else code == "co" for code in codes]


def ethnicities(column: Column | None, count: int, findings: list[Finding]) -> list:
    if column is None:
        return [None] * count
    groups = ethnic_groups()

    def parse(cell: object) -> str:
        text = _text_value(cell)
        label = groups.match(text)
        if label is None:
            raise ValueError(text)
        return label

    unknown: dict[str, str] = {}

    def on_error(position: int, cell: object) -> Finding:
        text = _text_value(cell)
        unknown[text] = text
        return column.finding(
            "DQ_ETHNICITY_UNKNOWN", position, value=text, expected="54 dân tộc / 54 groups"
        )

    values = _convert(column, parse, findings, on_error)
    # An unknown group is a warning, not a loss: keep the cleaned text as written.
    if None not in values:
        return values
    return [
        _text_value(cell) if value is None and not is_blank(cell) else value
        for value, cell in zip(values, column.cells, strict=True)
    ]
