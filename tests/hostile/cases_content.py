"""Cell content: total rows told by meaning, hidden characters, formula text, time.

Names that begin like "Tổng" are data; control, bidirectional and zero-width characters are
removed with a warning; formula text is defused with a warning (all accepted). The same tax code
twice with different figures, a period that has not begun, dates after today and an impossible
age are refused.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from dagster_project.ingest.registry import load_registry
from tests.hostile.corpus import HostileCase
from tests.hostile.sheet_edit import csv_bundle, edit, table


def _last_enterprise_named_tong_cong_ty(source: Path, folder: Path) -> Path:
    def change(book):
        to_chuc = table(book, "to_chuc")
        to_chuc.set(to_chuc.rows[-1], "enterprise_name", "Tổng công ty Phát điện 3")

    return edit(source, folder, change)


def _tong_cong_ty_closes_the_table(source: Path, folder: Path) -> Path:
    """No total row at all: the enterprise is the very last row of the sheet."""

    def change(book):
        to_chuc = table(book, "to_chuc")
        to_chuc.set(to_chuc.rows[-1], "enterprise_name", "TỔNG CÔNG TY Phát điện 3")
        for row in reversed(to_chuc.total_rows()):
            to_chuc.sheet.delete_rows(row)

    return edit(source, folder, change)


def _last_person_named_tong_cong(source: Path, folder: Path) -> Path:
    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.set(ket_nap.rows[-1], "full_name", "Tống Công Thành")

    return edit(source, folder, change)


def _text_in(logical: str, field: str, text: str, row: int = -1):
    def build(source: Path, folder: Path) -> Path:
        def change(book):
            sheet = table(book, logical)
            sheet.set(sheet.rows[row], field, text)

        return edit(source, folder, change)

    return build


def _csv_bundle_with_hidden_and_formula_text(source: Path, folder: Path) -> Path:
    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.set(ket_nap.rows[0], "work_unit_name", "Công ty\x1b]8;;http://x\x07 TNHH\u202e A")
        ket_nap.set(ket_nap.rows[0], "party_cell", "=cmd|' /C calc'!A0")

    return csv_bundle(source, folder, change)


def _formula_label(source: Path, folder: Path) -> Path:
    """An unknown summary label that is a formula (and console markup)."""

    def change(book):
        tong_hop = table(book, "tong_hop")
        row = tong_hop.rows[-1] + 1
        tong_hop.sheet.insert_rows(row)
        tong_hop.set(row, "label", '=HYPERLINK("http://x.invalid","[bold]xem[/]")')
        tong_hop.set(row, "value", 0)

    return edit(source, folder, change)


def _same_tax_code_twice(source: Path, folder: Path) -> Path:
    """The last unit's row repeated with another head count."""

    def change(book):
        to_chuc = table(book, "to_chuc")
        last = to_chuc.rows[-1]
        to_chuc.sheet.insert_rows(last + 1)
        for column in range(1, to_chuc.sheet.max_column + 1):
            above = to_chuc.sheet.cell(row=last, column=column)
            below = to_chuc.sheet.cell(row=last + 1, column=column)
            below.value, below.number_format = above.value, above.number_format
        employees = to_chuc.cell(last, "employees").value
        to_chuc.set(last + 1, "employees", int(float(str(employees).replace(".", ""))) + 7)

    return edit(source, folder, change)


def _period_not_begun(source: Path, folder: Path) -> Path:
    """A report renamed and retitled for the first half of next year, of a unit that still
    exists then (the source's own unit when it does)."""
    year = date.today().year + 1
    period = f"{year}-H1"
    registry = load_registry()
    unit = source.stem.rpartition("_")[0]
    if registry.version_in_period(unit, period) is None:
        source = next(
            path
            for path in sorted(source.parent.parent.glob("*/*.xlsx"))
            if registry.version_in_period(path.stem.rpartition("_")[0], period)
        )
        unit = source.stem.rpartition("_")[0]
    old_year = source.stem.rpartition("_")[2][:4]

    def change(book):
        for sheet in book.worksheets:
            for row in sheet.iter_rows(max_row=6):
                for cell in row:
                    if isinstance(cell.value, str) and "NĂM" in cell.value.upper():
                        text = re.sub("(?i)cuối", "ĐẦU", cell.value)
                        cell.value = text.replace(old_year, str(year))

    return edit(source, folder, change, name=f"{unit}_{period}.xlsx")


def _admission_after_today(source: Path, folder: Path) -> Path:
    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.set(ket_nap.rows[-1], "admission_date", date.today() + timedelta(days=40))

    return edit(source, folder, change)


def _union_founded_after_today(source: Path, folder: Path) -> Path:
    def change(book):
        to_chuc = table(book, "to_chuc")
        to_chuc.set(to_chuc.rows[0], "union_founded_date", date.today() + timedelta(days=40))

    return edit(source, folder, change)


def _born_in_1900(source: Path, folder: Path) -> Path:
    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.set(ket_nap.rows[0], "birth_date", date(1900, 1, 1))

    return edit(source, folder, change)


CASES = [
    HostileCase(
        "enterprise_named_tong_cong_ty_last", _last_enterprise_named_tong_cong_ty, (), accepted=True
    ),
    HostileCase(
        "enterprise_named_tong_cong_ty_closes_table",
        _tong_cong_ty_closes_the_table,
        (),
        accepted=True,
    ),
    HostileCase("person_named_tong_cong_last", _last_person_named_tong_cong, (), accepted=True),
    HostileCase(
        "escape_and_bell_in_work_unit",
        _text_in("ket_nap", "work_unit_name", "Công ty TNHH\x1b[31m Hải\x07 Đăng"),
        ("DQ_TEXT_INVISIBLE",),
        accepted=True,
    ),
    HostileCase(
        "right_to_left_override_in_enterprise_name",
        _text_in("to_chuc", "enterprise_name", "Công ty TNHH \u202egnăĐ iảH\u202c"),
        ("DQ_TEXT_INVISIBLE",),
        accepted=True,
    ),
    HostileCase(
        "zero_width_in_superior_committee",
        _text_in("to_chuc", "superior_committee", "Đảng\u200b ủy\ufeff phường\u2066 Kim Tân\u2069"),
        ("DQ_TEXT_INVISIBLE",),
        accepted=True,
    ),
    HostileCase(
        "formula_equals_in_enterprise_name",
        _text_in("to_chuc", "enterprise_name", '=HYPERLINK("http://x.invalid","Công ty A")'),
        ("DQ_TEXT_FORMULA",),
        accepted=True,
    ),
    HostileCase(
        "formula_plus_in_decision_number",
        _text_in("ket_nap", "decision_number", "+1+cmd|' /C calc'!A0"),
        ("DQ_TEXT_FORMULA",),
        accepted=True,
    ),
    HostileCase(
        "formula_at_in_party_cell",
        _text_in("ket_nap", "party_cell", "@SUM(1+1)*cmd|' /C calc'!A0"),
        ("DQ_TEXT_FORMULA",),
        accepted=True,
    ),
    HostileCase(
        "formula_minus_in_work_unit",
        _text_in("ket_nap", "work_unit_name", "-2+3+cmd|' /C calc'!A0"),
        ("DQ_TEXT_FORMULA",),
        accepted=True,
    ),
    HostileCase(
        "csv_bundle_with_hidden_and_formula_text",
        _csv_bundle_with_hidden_and_formula_text,
        ("DQ_TEXT_INVISIBLE", "DQ_TEXT_FORMULA"),
        accepted=True,
    ),
    HostileCase(
        "formula_as_unknown_summary_label",
        _formula_label,
        ("DQ_UNKNOWN_INDICATOR", "DQ_TEXT_FORMULA"),
        accepted=True,
    ),
    HostileCase("same_tax_code_twice", _same_tax_code_twice, ("DQ_DUPLICATE_TAXCODE",)),
    HostileCase("period_not_begun", _period_not_begun, ("DQ_PERIOD_NOT_BEGUN",)),
    HostileCase("admission_after_today", _admission_after_today, ("DQ_DATE_IN_FUTURE",)),
    HostileCase("union_founded_after_today", _union_founded_after_today, ("DQ_DATE_IN_FUTURE",)),
    HostileCase("born_on_1_january_1900", _born_in_1900, ("DQ_AGE_IMPLAUSIBLE",)),
]
