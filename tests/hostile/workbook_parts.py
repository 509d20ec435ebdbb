"""Writing hostile variants of a real workbook part by part: the cases edit the XML of a legal
sample .xlsx (sheets found by name through workbook.xml and its relations), or build the other
containers a report may come in (a CSV bundle, an encrypted zip, an OLE compound file)."""

from __future__ import annotations

import csv
import io
import os
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import python_calamine

from dagster_project.reports.text import compact_key

Edit = Callable[[bytes], bytes]


def sheet_name(source: Path, title: str) -> str:
    """The workbook's own spelling of a sheet ("TONGHOP", "TổngHợp" for "TongHop")."""
    with zipfile.ZipFile(source) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    for name in re.findall(r'<sheet name="([^"]+)"', workbook):
        if compact_key(name) == compact_key(title):
            return name
    raise AssertionError(f"no sheet {title} in {source}")


def sheet_member(source: Path, title: str) -> str:
    """The zip member holding a sheet, by the sheet's title (TongHop, KetNap, ToChuc)."""
    sheet = sheet_name(source, title)
    with zipfile.ZipFile(source) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        relations = archive.read("xl/_rels/workbook.xml.rels").decode()
    relation = re.search(rf'<sheet name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', workbook)
    assert relation, f"no sheet {sheet} in {source}"
    target = re.search(rf'Id="{relation.group(1)}"[^>]*Target="([^"]+)"', relations)
    if target is None:
        target = re.search(rf'Target="([^"]+)"[^>]*Id="{relation.group(1)}"', relations)
    assert target
    path = target.group(1)
    return path[1:] if path.startswith("/") else posixpath.normpath(posixpath.join("xl", path))


def rewrite(
    source: Path,
    target: Path,
    edits: dict[str, Edit] | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Copy ``source`` to ``target`` with some members edited and others added."""
    edits = edits or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename in edits:
                data = edits[info.filename](data)
            new.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    return target


def append_row(row: bytes) -> Edit:
    """An edit adding a row at the end of a worksheet's data."""
    return lambda xml: xml.replace(b"</sheetData>", row + b"</sheetData>", 1)


def first_figure(source: Path) -> str:
    """Reference of TongHop's first summary figure: the rightmost number of the first row that
    holds a number (an STT column may be numbers too, left of it)."""
    book = python_calamine.CalamineWorkbook.from_path(str(source))
    rows = book.get_sheet_by_name(sheet_name(source, "TongHop")).to_python(skip_empty_area=False)
    for index, row in enumerate(rows):
        numbers = [c for c, cell in enumerate(row) if type(cell) in (int, float)]
        if numbers:
            return f"{chr(65 + numbers[-1])}{index + 1}"
    raise AssertionError(f"no figure in {source}")


def set_cell(reference: str, cell: str) -> Edit:
    """An edit replacing the cell at ``reference`` (which must exist) by ``cell``'s XML."""
    pattern = re.compile(rb'<c r="%s"(?:[^>]*/>|[^>]*>.*?</c>)' % reference.encode(), re.S)

    def edit(xml: bytes) -> bytes:
        new, count = pattern.subn(cell.encode(), xml, count=1)
        assert count == 1, reference
        return new

    return edit


def number_cell_in(source: Path, sheet: str, header: str) -> str:
    """Reference of the first number cell under a header of a detail sheet."""
    return cell_under(source, sheet, header, lambda cell: isinstance(cell, int | float))


def cell_under(
    source: Path, sheet: str, header: str, wanted: Callable[[object], bool] = bool
) -> str:
    """Reference of the first cell under a header (text containing ``header``) that is wanted."""
    book = python_calamine.CalamineWorkbook.from_path(str(source))
    rows = book.get_sheet_by_name(sheet_name(source, sheet)).to_python(skip_empty_area=False)
    for index, row in enumerate(rows):
        for column, cell in enumerate(row):
            if isinstance(cell, str) and header in unicodedata.normalize("NFC", cell).lower():
                for below in range(index + 1, len(rows)):
                    if wanted(rows[below][column]):
                        return f"{chr(65 + column)}{below + 1}"
    raise AssertionError(f"no cell under {header} in {sheet}")


def csv_bundle(source: Path, target: Path, edit: Callable[[dict[str, list[list]]], None]) -> Path:
    """The sample as a CSV bundle (.zip, one UTF-8 CSV per sheet), edited before writing."""
    book = python_calamine.CalamineWorkbook.from_path(str(source))
    sheets = {
        title: book.get_sheet_by_name(sheet_name(source, title)).to_python()
        for title in ("TongHop", "KetNap", "ToChuc")
    }
    edit(sheets)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in sheets.items():
            text = io.StringIO()
            writer = csv.writer(text)
            for row in rows:
                writer.writerow([_csv_text(cell) for cell in row])
            archive.writestr(f"{name}.csv", text.getvalue().encode("utf-8"))
    return target


def _csv_text(cell: object) -> str:
    if isinstance(cell, datetime | date):
        return cell.strftime("%d/%m/%Y")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


# --- Traditional PKWARE zip encryption (what "zip -e" and Windows write) -------------------------


def _crc_table() -> list[int]:
    table = []
    for index in range(256):
        crc = index
        for _ in range(8):
            crc = (crc >> 1) ^ 0xEDB88320 if crc & 1 else crc >> 1
        table.append(crc)
    return table


class _ZipCrypto:
    def __init__(self, password: bytes) -> None:
        self.table = _crc_table()
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _crc(self, crc: int, byte: int) -> int:
        return (crc >> 8) ^ self.table[(crc ^ byte) & 0xFF]

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = self._crc(k0, byte)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = self._crc(k2, k1 >> 24)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = self.keys[2] | 2
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            self._update(byte)
        return bytes(out)


def encrypted_zip(source: Path, target: Path, password: bytes) -> Path:
    """``source``'s members in a zip whose every member is encrypted with ``password``."""
    with zipfile.ZipFile(source) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    body, directory = bytearray(), bytearray()
    for name, data in members:
        crc = zlib.crc32(data)
        cipher = _ZipCrypto(password)
        payload = cipher.encrypt(os.urandom(11) + bytes([crc >> 24])) + cipher.encrypt(data)
        encoded = name.encode()
        offset = len(body)
        fields = (20, 1, 0, 0, 0x21, crc, len(payload), len(data), len(encoded))
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + payload
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset
        )
        directory += encoded
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0
    )
    target.write_bytes(bytes(body + directory + end))
    with zipfile.ZipFile(target) as check:  # a real encrypted zip: it opens with the password
        name, data = members[0]
        assert check.read(name, pwd=password) == data
    return target


# --- An OLE compound file as Excel writes a password-protected workbook --------------------------

_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _directory_entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(encoded), kind, 1, _NONE, right, child)
        + bytes(16 + 4 + 16)
        + struct.pack("<IIII", start, size, 0, 0)
    )


def ole_encrypted_workbook(target: Path) -> Path:
    """A compound file (version 3, 512-byte sectors) holding the two streams of an encrypted
    Office document, ``EncryptionInfo`` and ``EncryptedPackage`` (4096 random bytes each)."""
    info, package = os.urandom(4096), os.urandom(4096)
    fat = [_FAT, _END, *range(3, 10), _END, *range(11, 18), _END]
    fat += [_FREE] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<109I", 0, *[_FREE] * 108)
    )
    directory = (
        _directory_entry("Root Entry", 5, _NONE, 1, _END, 0)
        + _directory_entry("EncryptionInfo", 2, 2, _NONE, 2, len(info))
        + _directory_entry("EncryptedPackage", 2, _NONE, _NONE, 10, len(package))
        + _directory_entry("", 0, _NONE, _NONE, 0, 0)
    )
    target.write_bytes(header + struct.pack("<128I", *fat) + directory + info + package)
    return target
