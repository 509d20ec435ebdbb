"""Write a report's sheets as an .xlsx workbook (the project's one writer) or a CSV bundle.

Same input, same bytes: the workbook's creation date is fixed and every zip member gets a fixed
timestamp, so a committed sample can be checked against a fresh run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from dagster_project.reports.xlsx import write_xlsx
from tcd_samples.layout import Cell, Sheet

_ZIP_TIME = (2024, 7, 1, 8, 0, 0)

__all__ = ["write_csv_dir", "write_csv_zip", "write_xlsx"]


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
