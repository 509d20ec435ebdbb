"""Write a report's sheets as an .xlsx workbook or a CSV bundle (folder or .zip), byte-stable.

Same input, same bytes: the workbook's creation date is fixed and every zip member gets a fixed
timestamp, so a committed sample can be checked against a fresh run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import xlsxwriter

from dagster_project.samples.layout import Cell, Sheet

FIXED_CREATED = dt.datetime(2024, 7, 1, 8, 0, 0)
_ZIP_TIME = (2024, 7, 1, 8, 0, 0)


def write_xlsx(path: Path, sheets: list[Sheet], *, constant_memory: bool = False) -> Path:
    """Workbook with title rows in bold, wrapped (and merged) header cells and dd/mm/yyyy dates."""
    wb = xlsxwriter.Workbook(
        str(path), {"constant_memory": constant_memory, "strings_to_numbers": False}
    )
    wb.set_properties({"created": FIXED_CREATED, "author": "", "company": ""})
    bold = wb.add_format({"bold": True})
    head = wb.add_format(
        {"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "border": 1}
    )
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy", "border": 1})
    cell_fmt = wb.add_format({"border": 1})
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        ws.set_column(0, 0, 6)
        ws.set_column(1, 20, 18)
        covered = {
            (r, c)
            for m in sheet.merges
            for r in range(m[0], m[2] + 1)
            for c in range(m[1], m[3] + 1)
        }
        header_rows = set(sheet.header_rows)
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
                for c in range(width):
                    ws.write_blank(r, c, None, cell_fmt)
                continue
            for c, value in enumerate(row):
                if (r, c) not in covered:
                    _write_cell(ws, r, c, value, fmt, date_fmt)
    wb.close()
    return path


def _write_cell(ws, r: int, c: int, value: Cell, fmt, date_fmt) -> None:
    if value is None:
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_fmt)
    elif isinstance(value, int):
        ws.write_number(r, c, value, fmt)
    else:
        ws.write_string(r, c, value, fmt)


def _csv_bytes(sheet: Sheet, *, bom: bool) -> bytes:
    width = max((len(r) for r in sheet.rows), default=1)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    merged_text = {(m[0], m[1]): m[4] for m in sheet.merges}
    for r, row in enumerate(sheet.rows):
        out = []
        for c in range(width):
            value = row[c] if c < len(row) else None
            if value is None and (r, c) in merged_text:
                value = merged_text[(r, c)]
            out.append(_csv_text(value))
        writer.writerow(out)
    data = buf.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def write_csv_dir(path: Path, sheets: list[Sheet], *, bom: bool = False) -> Path:
    """A folder `<unit>_<period>/` with one CSV per sheet."""
    path.mkdir(parents=True, exist_ok=True)
    for sheet in sheets:
        (path / f"{sheet.name}.csv").write_bytes(_csv_bytes(sheet, bom=bom))
    return path


def write_csv_zip(path: Path, sheets: list[Sheet], *, bom: bool = False) -> Path:
    """A `.zip` with one CSV per sheet, fixed member timestamps."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for sheet in sheets:
            info = zipfile.ZipInfo(f"{sheet.name}.csv", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, _csv_bytes(sheet, bom=bom))
    return path
