"""Finding the header of a sheet: title rows above it, one or two header rows, any column order.

Merged header cells arrive as the value in the first cell and blanks after it, so a two-row header
is read by carrying the upper cell across the blanks above the lower cells it spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dagster_project.reports.reference import SheetHeaders
from dagster_project.reports.text import clean_text

_SCAN_ROWS = 40
# Rows a caller must pass: the scanned rows, the lower header row and rows of column numbers.
HEAD_ROWS = _SCAN_ROWS + 10
# Rows scanned below the best header row so far: a second header row, a row of column numbers
# and a few data rows; a better header further down would be a second table, not this one.
_ROWS_AFTER_HEADER = 4
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2}|[A-Za-z])\)?$")


@dataclass
class HeaderLayout:
    """Where a sheet's header and data are, and which column holds which field."""

    title_row_count: int
    first_data_row: int
    columns: dict[str, int]
    names: dict[int, str]
    unknown: list[tuple[int, str]] = field(default_factory=list)
    # Rows before this index are title and header rows (a row of column numbers may follow).
    header_end: int = 0
    duplicates: list[tuple[int, str]] = field(default_factory=list)


def _text(cell: object) -> str:
    return clean_text(cell) if isinstance(cell, str) else ""


def _single(row: list[object], spec: SheetHeaders) -> dict[int, tuple[str | None, str]]:
    result: dict[int, tuple[str | None, str]] = {}
    for index, cell in enumerate(row):
        text = _text(cell)
        if text:
            result[index] = (spec.match(text), text)
    return result


def _pair(
    top: list[object], bottom: list[object], spec: SheetHeaders
) -> dict[int, tuple[str | None, str]]:
    result: dict[int, tuple[str | None, str]] = {}
    carried = ""
    for index in range(max(len(top), len(bottom))):
        upper = _text(top[index]) if index < len(top) else ""
        lower = _text(bottom[index]) if index < len(bottom) else ""
        if upper:
            carried = upper if lower else ""
        elif lower and carried:
            upper = carried
        else:
            carried = ""
        if not upper and not lower:
            continue
        if upper and lower:
            combined = f"{upper} {lower}"
            match = spec.match(combined) or spec.match(lower)
            result[index] = (match, combined if spec.match(combined) else lower)
        else:
            text = upper or lower
            result[index] = (spec.match(text), text)
    return result


def _text_columns(top: list[object], bottom: list[object]) -> int:
    """Columns where either row holds text: at most the fields the two rows can name."""
    return sum(
        1
        for index in range(max(len(top), len(bottom)))
        if (index < len(top) and isinstance(top[index], str) and top[index])
        or (index < len(bottom) and isinstance(bottom[index], str) and bottom[index])
    )


def _matched(cells: dict[int, tuple[str | None, str]]) -> int:
    return len({match for match, _ in cells.values() if match})


def locate_header(rows: list[list[object]], spec: SheetHeaders) -> HeaderLayout | None:
    """The header layout of a sheet, or None when no row names at least two known columns."""
    best_row, best_score, best_cells = -1, 1, {}
    for index in range(min(_SCAN_ROWS, len(rows))):
        if best_row >= 0 and index - best_row > _ROWS_AFTER_HEADER:
            break  # data rows below a header name no column: scanning them finds nothing better
        # A row names at most as many fields as it has text cells: one with no more than the
        # best score (a title row, a data row under a full header) cannot beat it.
        if sum(1 for cell in rows[index] if isinstance(cell, str) and cell) <= best_score:
            continue
        cells = _single(rows[index], spec)
        score = _matched(cells)
        if score > best_score:
            best_row, best_score, best_cells = index, score, cells
    if best_row < 0:
        return None
    options = [(best_row, best_row, best_cells)]
    # A two-row header must name more fields than the best so far to win: one whose columns with
    # text are no more than that (a blank row above a full header, a data row below it) is not read.
    for top in (best_row - 1, best_row):
        if top >= 0 and top + 1 < len(rows):
            upper, lower = rows[top], rows[top + 1]
            if _text_columns(upper, lower) > max(_matched(cells) for _, _, cells in options):
                options.append((top, top + 1, _pair(upper, lower, spec)))
    top, bottom, cells = max(options, key=lambda option: _matched(option[2]))
    layout = HeaderLayout(
        title_row_count=top,
        first_data_row=bottom + 1,
        columns={},
        names={},
        header_end=bottom + 1,
    )
    for index, (match, text) in sorted(cells.items()):
        layout.names[index] = text
        if match is None:
            layout.unknown.append((index, text))
        elif match in layout.columns:
            layout.duplicates.append((index, text))
        else:
            layout.columns[match] = index
    # A row of column numbers under the header ("(1) (2) (3)" or "A B 1 2") is not data.
    while layout.first_data_row < len(rows):
        values = [cell for cell in rows[layout.first_data_row] if cell not in (None, "")]
        if len(values) >= 3 and all(
            _COLUMN_NUMBER.match(
                str(int(v)) if isinstance(v, float) and v == int(v) else str(v).strip()
            )
            for v in values
        ):
            layout.first_data_row += 1
        else:
            break
    return layout
