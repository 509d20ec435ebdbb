"""Editing a sample workbook's tables with openpyxl, wherever their header and columns stand.

The samples vary their layout (title rows, one- or two-row headers, column order, sheet names),
so a case finds a table the way the parser does: the sheet by its name with diacritics ignored,
the header through the project's own column-header variants, the data rows by their identity
cell (CCCD in KetNap, tax code in ToChuc, label in TongHop).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.reports.headers import HEAD_ROWS, locate_header
from dagster_project.reports.reference import sheet_headers
from dagster_project.reports.text import compact_key

_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEETS = {"tong_hop": "tonghop", "ket_nap": "ketnap", "to_chuc": "tochuc"}
_IDENTITY = {"tong_hop": "label", "ket_nap": "cccd", "to_chuc": "tax_code"}


@dataclass
class Table:
    """One report table: its sheet, 1-based column per field and 1-based data rows."""

    sheet: Worksheet
    columns: dict[str, int]
    rows: list[int]

    def cell(self, row: int, field: str):
        return self.sheet.cell(row=row, column=self.columns[field])

    def set(self, row: int, field: str, value: object) -> None:
        cell = self.cell(row, field)
        if isinstance(value, str):
            # XML cannot hold C0 controls: OOXML writes them as _xHHHH_, as Excel does.
            value = _CONTROL.sub(lambda match: f"_x{ord(match[0]):04X}_", value)
        cell.value = value
        if isinstance(value, date):
            cell.number_format = "DD/MM/YYYY"
        elif isinstance(value, str):
            cell.number_format = "@"
            cell.data_type = "s"  # text, even when it begins with "=" (never a formula)

    def swap_columns(self, first: str, second: str) -> None:
        """The data of two columns exchanged under unchanged headers: swapped headers."""
        for row in self.rows:
            a, b = self.cell(row, first), self.cell(row, second)
            a.value, b.value = b.value, a.value
            a.number_format, b.number_format = b.number_format, a.number_format

    def total_rows(self) -> list[int]:
        """Rows after the data that hold anything (the "Tổng cộng" row of the samples)."""
        last = self.rows[-1]
        return [
            row
            for row in range(last + 1, self.sheet.max_row + 1)
            if any(cell.value not in (None, "") for cell in self.sheet[row])
        ]


def table(book: openpyxl.Workbook, logical: str) -> Table:
    sheet = next(ws for ws in book.worksheets if compact_key(ws.title) == _SHEETS[logical])
    head = [list(row) for row in sheet.iter_rows(min_row=1, max_row=HEAD_ROWS, values_only=True)]
    layout = locate_header(head, sheet_headers()[logical])
    assert layout is not None, sheet.title
    columns = {name: index + 1 for name, index in layout.columns.items()}
    identity = columns[_IDENTITY[logical]]
    rows = []
    for row in range(layout.first_data_row + 1, sheet.max_row + 1):
        value = sheet.cell(row=row, column=identity).value
        if value in (None, ""):
            if rows:
                break
            continue
        rows.append(row)
    assert rows, f"{sheet.title}: no data rows"
    return Table(sheet, columns, rows)


def edit(source: Path, folder: Path, change, name: str | None = None) -> Path:
    """Copy of ``source`` with ``change(book)`` applied, written under its name (or ``name``)."""
    book = openpyxl.load_workbook(source)
    change(book)
    target = folder / (name or source.name)
    book.save(target)
    return target


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        # Undo the workbook's _xHHHH_ escapes: a CSV file holds the characters themselves.
        return _ESCAPED.sub(lambda match: chr(int(match[1], 16)), value)
    return str(value)


_CSV_NAMES = {"tong_hop": "TongHop", "ket_nap": "KetNap", "to_chuc": "ToChuc"}


def csv_bundle(source: Path, folder: Path, change) -> Path:
    """The report as a zipped CSV bundle (one UTF-8 file per sheet) after ``change(book)``."""
    book = openpyxl.load_workbook(source)
    change(book)
    target = folder / f"{source.stem}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for logical, name in _CSV_NAMES.items():
            handle = io.StringIO(newline="")
            writer = csv.writer(handle)
            for row in table(book, logical).sheet.iter_rows(values_only=True):
                writer.writerow([_csv_text(value) for value in row])
            bundle.writestr(f"{name}.csv", handle.getvalue().encode("utf-8"))
    return target
