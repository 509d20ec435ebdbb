"""Personal data in the wrong place: CCCDs or names under another column's header.

Each is refused at parse with DQ_PERSONAL_DATA_MISPLACED before any value of the sheet is kept,
so nothing personal reaches Parquet; the finding shows the value masked (``test_corpus`` checks
that no finding of any case echoes a CCCD).
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile.corpus import HostileCase
from tests.hostile.sheet_edit import edit, table


def _swap(first: str, second: str):
    def build(source: Path, folder: Path) -> Path:
        def change(book):
            table(book, "ket_nap").swap_columns(first, second)

        return edit(source, folder, change)

    return build


def _cccd_numbers_under_ethnicity(source: Path, folder: Path) -> Path:
    """CCCDs typed as numbers (leading zero lost) under "Dân tộc"."""

    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.swap_columns("cccd", "ethnicity")
        for row in ket_nap.rows:
            cell = ket_nap.cell(row, "ethnicity")
            cell.value = int(str(cell.value))
            cell.number_format = "0"

    return edit(source, folder, change)


def _cccd_in_enterprise_name(source: Path, folder: Path) -> Path:
    def change(book):
        ket_nap = table(book, "ket_nap")
        cccd = str(ket_nap.cell(ket_nap.rows[0], "cccd").value)
        to_chuc = table(book, "to_chuc")
        to_chuc.set(to_chuc.rows[-1], "enterprise_name", cccd)

    return edit(source, folder, change)


def _short_cccd(source: Path, folder: Path) -> Path:
    """A CCCD one digit short: refused by its format, shown masked."""

    def change(book):
        ket_nap = table(book, "ket_nap")
        row = ket_nap.rows[0]
        ket_nap.set(row, "cccd", str(ket_nap.cell(row, "cccd").value)[:11])

    return edit(source, folder, change)


def _names_under_gender(source: Path, folder: Path) -> Path:
    def change(book):
        table(book, "ket_nap").swap_columns("full_name", "gender")

    return edit(source, folder, change)


CASES = [
    HostileCase(
        "cccd_under_gender_header", _swap("cccd", "gender"), ("DQ_PERSONAL_DATA_MISPLACED",)
    ),
    HostileCase(
        "cccd_under_work_unit_header",
        _swap("cccd", "work_unit_name"),
        ("DQ_PERSONAL_DATA_MISPLACED",),
    ),
    HostileCase(
        "names_under_work_unit_header",
        _swap("full_name", "work_unit_name"),
        ("DQ_PERSONAL_DATA_MISPLACED",),
    ),
    HostileCase(
        "cccd_numbers_under_ethnicity_header",
        _cccd_numbers_under_ethnicity,
        ("DQ_PERSONAL_DATA_MISPLACED",),
    ),
    HostileCase(
        "cccd_as_enterprise_name", _cccd_in_enterprise_name, ("DQ_PERSONAL_DATA_MISPLACED",)
    ),
    HostileCase("cccd_one_digit_short", _short_cccd, ("DQ_CCCD_FORMAT",)),
    HostileCase("names_under_gender_header", _names_under_gender, ("DQ_PERSONAL_DATA_MISPLACED",)),
]
