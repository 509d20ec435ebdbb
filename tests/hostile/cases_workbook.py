"""Workbook containers that must be refused by name, not by a reader's exception: encrypted
files, XML declaring a DTD or entities, formulas without cached values; and hidden sheets,
which are never read in place of a visible one."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import openpyxl

from dagster_project.reports.text import compact_key
from tests.hostile.corpus import HostileCase
from tests.hostile.workbook_parts import (
    encrypted_zip,
    first_figure,
    ole_encrypted_workbook,
    rewrite,
    set_cell,
    sheet_member,
    sheet_name,
)

_ENTITIES = b'<!DOCTYPE workbook [<!ENTITY unit "Sa Pa">]>'
_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">'
        % (level, b"&lol%d;" % (level - 1) * 10 if level > 1 else b"&lol;" * 10)
        for level in range(1, 10)
    )
    + b"]>"
)


def _with_doctype(doctype: bytes, member: str, use: bytes = b""):
    def build(source: Path, folder: Path) -> Path:
        def edit(xml: bytes) -> bytes:
            declaration_end = xml.index(b"?>") + 2
            xml = xml[:declaration_end] + doctype + xml[declaration_end:]
            return xml.replace(b"</sheets>", use + b"</sheets>") if use else xml

        return rewrite(source, folder / source.name, {member: edit})

    return build


def _encrypted_zip(source: Path, folder: Path) -> Path:
    return encrypted_zip(source, folder / source.name, b"mat-khau-2024")


def _ole_encrypted(source: Path, folder: Path) -> Path:
    return ole_encrypted_workbook(folder / source.name)


def _formula_without_value(source: Path, folder: Path) -> Path:
    """As a script writes it with openpyxl: the formula, no cached value."""
    book = openpyxl.load_workbook(source)
    reference = first_figure(source)
    book[sheet_name(source, "TongHop")][reference] = f"=SUM({reference}:{reference})+0"
    target = folder / source.name
    book.save(target)
    return target


def _excel_error(error: str, with_formula: bool):
    """A figure showing an Excel error, as Excel saves it (the formula kept or not)."""

    def build(source: Path, folder: Path) -> Path:
        reference = first_figure(source)
        formula = "<f>1/0</f>" if with_formula else ""
        cell = f'<c r="{reference}" s="3" t="e">{formula}<v>{error}</v></c>'
        member = sheet_member(source, "TongHop")
        return rewrite(source, folder / source.name, {member: set_cell(reference, cell)})

    return build


def _part_twice(source: Path, folder: Path) -> Path:
    """The summary sheet's part twice in the zip, the second with another figure: which one a
    reader takes is up to the reader, so the file is refused."""
    target = folder / source.name
    member = sheet_member(source, "TongHop")
    reference = first_figure(source)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            copy.writestr(info, original.read(info))
        xml = original.read(member)
        changed = set_cell(reference, f'<c r="{reference}" s="3"><v>777</v></c>')(xml)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: the point
            copy.writestr(member, changed)
    return target


def _formula_with_value(source: Path, folder: Path) -> Path:
    """As Excel saves it: the formula and the value it computed."""
    reference = first_figure(source)

    def edit(xml: bytes) -> bytes:
        found = re.search(rb'<c r="%s"[^>]*><v>(\d+)</v>' % reference.encode(), xml)
        assert found, reference
        value = found.group(1)
        cell = f'<c r="{reference}" s="3"><f>{value.decode()}+0</f><v>{value.decode()}</v></c>'
        return set_cell(reference, cell)(xml)

    return rewrite(source, folder / source.name, {sheet_member(source, "TongHop"): edit})


def _hide(xml: bytes, sheet: str, state: str = "hidden") -> bytes:
    sheet = next(
        name
        for name in re.findall(r'<sheet name="([^"]+)"', xml.decode())
        if compact_key(name) == compact_key(sheet)
    )
    return xml.replace(
        b'<sheet name="%s"' % sheet.encode(),
        b'<sheet state="%s" name="%s"' % (state.encode(), sheet.encode()),
        1,
    )


def _hidden(sheet: str, state: str = "hidden"):
    def build(source: Path, folder: Path) -> Path:
        return rewrite(
            source, folder / source.name, {"xl/workbook.xml": lambda xml: _hide(xml, sheet, state)}
        )

    return build


def _copy_of_tong_hop(source: Path, name: str) -> tuple[dict, dict]:
    """Edits and members adding a copy of TongHop named ``name`` as a fourth sheet."""
    member = sheet_member(source, "TongHop")
    with zipfile.ZipFile(source) as archive:
        copy = archive.read(member)
    extra = {"xl/worksheets/sheet4.xml": copy}
    relation = (
        b'<Relationship Id="rIdCopy" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/worksheet" Target="worksheets/sheet4.xml"/></Relationships>'
    )
    override = (
        b'<Override PartName="/xl/worksheets/sheet4.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    )
    sheet = f'<sheet name="{name}" sheetId="40" r:id="rIdCopy"/></sheets>'.encode()
    edits = {
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"</Relationships>", relation),
        "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", override),
        "xl/workbook.xml": lambda xml: _hide(xml.replace(b"</sheets>", sheet), "TongHop"),
    }
    return edits, extra


def _hidden_with_visible_copy(source: Path, folder: Path) -> Path:
    """The officer hid the old TongHop (with a wrong first figure) and edited a visible copy."""
    edits, extra = _copy_of_tong_hop(source, "Sửa TongHop")
    reference = first_figure(source)
    edits[sheet_member(source, "TongHop")] = set_cell(
        reference, f'<c r="{reference}" s="3"><v>987</v></c>'
    )
    return rewrite(source, folder / source.name, edits, extra)


def _two_hidden(source: Path, folder: Path) -> Path:
    edits, extra = _copy_of_tong_hop(source, "Cũ TongHop")
    hide_both = edits["xl/workbook.xml"]
    edits["xl/workbook.xml"] = lambda xml: _hide(hide_both(xml), "Cũ TongHop")
    return rewrite(source, folder / source.name, edits, extra)


CASES = [
    HostileCase(
        "workbook_declaring_entities",
        _with_doctype(_ENTITIES, "xl/workbook.xml"),
        ("DQ_XML_DTD",),
    ),
    HostileCase(
        "billion_laughs_in_shared_strings",
        _with_doctype(_LAUGHS, "xl/sharedStrings.xml"),
        ("DQ_XML_DTD",),
    ),
    HostileCase("encrypted_zip", _encrypted_zip, ("DQ_FILE_ENCRYPTED",)),
    HostileCase("password_protected_workbook", _ole_encrypted, ("DQ_FILE_ENCRYPTED",)),
    HostileCase("formula_without_cached_value", _formula_without_value, ("DQ_FORMULA_NO_VALUE",)),
    HostileCase("formula_with_cached_value", _formula_with_value, (), accepted=True),
    HostileCase("summary_part_twice", _part_twice, ("DQ_FILE_UNREADABLE",)),
    HostileCase("figure_showing_div0", _excel_error("#DIV/0!", True), ("DQ_CELL_ERROR",)),
    HostileCase("figure_typed_as_na", _excel_error("#N/A", False), ("DQ_CELL_ERROR",)),
    HostileCase(
        "hidden_tonghop_with_visible_copy",
        _hidden_with_visible_copy,
        ("DQ_HIDDEN_SHEET_IGNORED",),
        accepted=True,
    ),
    HostileCase("only_a_hidden_tonghop", _hidden("TongHop"), ("DQ_SHEET_HIDDEN",)),
    HostileCase("only_a_very_hidden_ketnap", _hidden("KetNap", "veryHidden"), ("DQ_SHEET_HIDDEN",)),
    HostileCase("two_hidden_tonghop_sheets", _two_hidden, ("DQ_SHEET_HIDDEN",)),
]
