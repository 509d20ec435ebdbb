"""The project's one .xlsx writer: the template, the sample generator and the tests write with it.

Same input, same bytes: the workbook's creation date is fixed, so a committed sample or template
can be compared with a fresh one. Cells are written by type (dates as Excel dates shown
dd/mm/yyyy, numbers as numbers, text as text, so a number-looking code stays text), and a sheet
given as rows with merges and header rows is laid out as officers lay theirs out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import xlsxwriter
from xlsxwriter.workbook import Format, Workbook
from xlsxwriter.worksheet import Worksheet

FIXED_CREATED = dt.datetime(2024, 7, 1, 8, 0, 0)
DATE_FORMAT = "dd/mm/yyyy"


class SheetRows(Protocol):
    """A sheet as rows of cells; `merges` are (row, first_col, last_row, last_col, text)."""

    name: str
    rows: list[list[Any]]
    merges: list[tuple[int, int, int, int, Any]]


def new_workbook(path: Path, *, constant_memory: bool = False) -> Workbook:
    """A workbook whose bytes depend only on what is written into it."""
    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": constant_memory, "strings_to_numbers": False}
    )
    book.set_properties({"created": FIXED_CREATED, "author": "", "company": ""})
    return book


def write_cell(
    ws: Worksheet, r: int, c: int, value: Any, fmt: Format | None, date_fmt: Format
) -> None:
    """One cell by its Python type; `None` is a blank cell when it has a format."""
    if value is None:
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, date_fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, str) and value.startswith("="):
        ws.write_formula(r, c, value, fmt)
    else:
        ws.write_string(r, c, value, fmt)


def write_xlsx(
    path: Path,
    sheets: Sequence[SheetRows],
    *,
    constant_memory: bool = False,
    bordered: bool = True,
) -> Path:
    """A workbook of report sheets: title rows bold and merged across the table, header cells
    (a sheet's `header_rows`, and merged cells) bold and wrapped, dates dd/mm/yyyy."""
    book = new_workbook(path, constant_memory=constant_memory)
    border = {"border": 1} if bordered else {}
    bold = book.add_format({"bold": True})
    head = book.add_format(
        {"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", **border}
    )
    date_fmt = book.add_format({"num_format": DATE_FORMAT, **border})
    cell_fmt = book.add_format(border) if bordered else None
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        ws.set_column(0, 0, 6)
        ws.set_column(1, 20, 18)
        covered = {
            (r, c)
            for m in sheet.merges
            for r in range(m[0], m[2] + 1)
            for c in range(m[1], m[3] + 1)
        }
        header_rows = set(getattr(sheet, "header_rows", ()))
        title_end = min(header_rows) if header_rows else 0
        width = max((len(row) for row in sheet.rows), default=1)
        for r, row in enumerate(sheet.rows):
            for m in sheet.merges:
                if m[0] == r:
                    ws.merge_range(m[0], m[1], m[2], m[3], m[4], head)
            if r < title_end:
                if row and row[0] is not None:
                    if width > 1:  # title rows are merged across the table, as officers do
                        ws.merge_range(r, 0, r, width - 1, row[0], bold)
                    else:
                        ws.write_string(r, 0, row[0], bold)
                continue
            fmt = head if r in header_rows else cell_fmt
            if not row:  # blank trailing row: formatted but empty cells, as Excel leaves them
                if cell_fmt is not None:
                    for c in range(width):
                        ws.write_blank(r, c, None, cell_fmt)
                continue
            for c, value in enumerate(row):
                if (r, c) not in covered:
                    write_cell(ws, r, c, value, fmt, date_fmt)
    book.close()
    return path
