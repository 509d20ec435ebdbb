"""Files past a parse limit (docs/data-layout.md, "Parse limits"): stray far cells, grids, rows,
cells, zip members and ratios, numbers past their column's range. Each is a finding naming the
limit; none may crash the process or cost it more than a fraction of a GiB."""

from __future__ import annotations

import os
from pathlib import Path

from tests.hostile.corpus import HostileCase
from tests.hostile.workbook_parts import (
    append_row,
    cell_under,
    csv_bundle,
    first_figure,
    number_cell_in,
    rewrite,
    set_cell,
    sheet_member,
)


def _stray(reference: str, row: int, value: bool = True):
    def build(source: Path, folder: Path) -> Path:
        cell = (
            f'<c r="{reference}" t="inlineStr"><is><t>x</t></is></c>'
            if value
            else f'<c r="{reference}" s="1"/>'
        )
        edit = append_row(f'<row r="{row}">{cell}</row>'.encode())
        return rewrite(source, folder / source.name, {sheet_member(source, "TongHop"): edit})

    return build


def _declared_dimension(source: Path, folder: Path) -> Path:
    """20,000 columns and a million rows declared, a few cells used: the declaration is not
    what a sheet costs."""

    def edit(xml: bytes) -> bytes:
        start = xml.index(b"<dimension ")
        end = xml.index(b"/>", start) + 2
        return xml[:start] + b'<dimension ref="A1:ACOF1048576"/>' + xml[end:]

    return rewrite(source, folder / source.name, {sheet_member(source, "ToChuc"): edit})


def _too_many_rows(source: Path, folder: Path) -> Path:
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (row, row, row)
        for row in range(40, 100_400)
    )
    return rewrite(source, folder / source.name, {sheet_member(source, "KetNap"): append_row(rows)})


def _long_text_cell(source: Path, folder: Path) -> Path:
    """An enterprise name of two million characters that do not compress (no ratio refusal)."""
    name = os.urandom(1_500_000).hex()[:2_000_000]
    reference = cell_under(source, "ToChuc", "tên")
    cell = f'<c r="{reference}" t="inlineStr"><is><t>{name}</t></is></c>'
    return rewrite(
        source, folder / source.name, {sheet_member(source, "ToChuc"): set_cell(reference, cell)}
    )


def _ratio_bomb(source: Path, folder: Path) -> Path:
    """A worksheet padded with 64 MB of spaces: legal XML, deflated a thousand times."""
    member = sheet_member(source, "ToChuc")
    padding = b" " * (64 << 20)
    return rewrite(
        source,
        folder / source.name,
        {member: lambda xml: xml.replace(b"</worksheet>", padding + b"</worksheet>")},
    )


def _many_members(source: Path, folder: Path) -> Path:
    extra = {f"customXml/item{index}.xml": b"<a/>" for index in range(600)}
    return rewrite(source, folder / source.name, extra=extra)


def _figure(text: str):
    def build(source: Path, folder: Path) -> Path:
        reference = first_figure(source)
        edit = set_cell(reference, f'<c r="{reference}" s="3"><v>{text}</v></c>')
        return rewrite(source, folder / source.name, {sheet_member(source, "TongHop"): edit})

    return build


def _is_number(cell: object) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


def _csv_figure(source: Path, folder: Path) -> Path:
    def edit(sheets: dict[str, list[list]]) -> None:
        row = next(r for r in sheets["TongHop"] if any(_is_number(cell) for cell in r))
        column = next(index for index, cell in enumerate(row) if _is_number(cell))
        row[column] = "99999999999999999999"

    return csv_bundle(source, folder / f"{source.stem}.zip", edit)


def _count(text: str):
    def build(source: Path, folder: Path) -> Path:
        reference = number_cell_in(source, "ToChuc", "lao động")
        edit = set_cell(reference, f'<c r="{reference}"><v>{text}</v></c>')
        return rewrite(source, folder / source.name, {sheet_member(source, "ToChuc"): edit})

    return build


def _grid(source: Path, folder: Path) -> Path:
    """Within the column and row limits on its own, but 256 columns by 50,000 rows of grid."""
    return _stray("IV50000", 50_000)(source, folder)


CASES = [
    HostileCase("stray_value_in_xfd100000", _stray("XFD100000", 100_000), ("DQ_SHEET_DIMENSION",)),
    HostileCase("stray_value_in_zz100000", _stray("ZZ100000", 100_000), ("DQ_SHEET_DIMENSION",)),
    HostileCase("stray_value_past_the_cell_grid", _grid, ("DQ_SHEET_DIMENSION",)),
    HostileCase(
        "styled_empty_cell_in_xfd100000",
        _stray("XFD100000", 100_000, value=False),
        (),
        accepted=True,
    ),
    HostileCase("declared_dimension_of_20000_columns", _declared_dimension, (), accepted=True),
    HostileCase("ketnap_past_the_row_limit", _too_many_rows, ("DQ_TOO_MANY_ROWS",)),
    HostileCase(
        "enterprise_name_of_two_million_characters", _long_text_cell, ("DQ_CELL_TOO_LONG",)
    ),
    HostileCase("worksheet_deflated_a_thousand_times", _ratio_bomb, ("DQ_FILE_TOO_LARGE",)),
    HostileCase("workbook_of_600_zip_members", _many_members, ("DQ_FILE_TOO_LARGE",)),
    HostileCase(
        "summary_figure_of_twenty_digits", _figure("99999999999999999999"), ("DQ_COUNT_FORMAT",)
    ),
    HostileCase("summary_figure_of_twenty_digits_csv", _csv_figure, ("DQ_COUNT_FORMAT",)),
    HostileCase("summary_figure_infinite", _figure("1e999"), ("DQ_COUNT_FORMAT",)),
    HostileCase("employees_of_1e20", _count("1E+20"), ("DQ_NUMBER_OUT_OF_RANGE",)),
    HostileCase("employees_negative", _count("-5"), ("DQ_COUNT_FORMAT",)),
    HostileCase("employees_fractional", _count("12.5"), ("DQ_COUNT_FORMAT",)),
]
