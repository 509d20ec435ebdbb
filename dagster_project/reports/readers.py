"""Reading a report file into raw sheets: an .xlsx workbook or a CSV bundle (folder or .zip).

Everything here is defensive: a file from outside is refused with a finding, never with an
exception, and memory stays bounded (declared and actual expanded sizes are capped, sheets larger
than the row cap are not materialised).

Workbooks are read with fastexcel, every cell as text: one pass in Rust, no Python object per
cell. Text loses the cell's type (the number 10090001234 and the text "10090001234" read alike),
so such a sheet is marked ``rendered`` and the sheet parser asks for a typed re-read through
python-calamine (``RawSheet.reload``) whenever a column holds a value whose meaning depends on
that type; for ordinary reports the text is enough. CSV bundles are text already: the first
records go through Python's csv module (title rows are often shorter than the table), the body
through Arrow's CSV reader when all its records have one width.

A sheet of at most ``columns.PYTHON_VALUES`` rows (most reports: a few dozen people or units)
is handed on as Python lists rather than Arrow arrays: on so few cells Arrow's cost per call
outweighs its speed, and the sheet parser gives the same rows and findings from either form.

Formulas: a cell holding a formula is read as the value Excel cached when the file was saved, with
no finding. Officers routinely total columns with formulas, and the cached value is what they saw
and sent; the warehouse's own checks (summary equals detail, parts within wholes) catch a stale
or wrong figure whatever produced it. A formula without a cached value (a file written by a
program and never opened in Excel) would read as blank: its sheet is refused instead.

Hidden sheets are never read in place of a visible sheet of the same kind.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import logging
import posixpath
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import python_calamine

from dagster_project.ingest.bundle import UnsafeMember, bundle_members, read_member
from dagster_project.reports.columns import PYTHON_VALUES
from dagster_project.reports.findings import Finding, make_finding
from dagster_project.reports.text import compact_key, nfc

SHEET_KEYS = {"tong_hop": "tonghop", "ket_nap": "ketnap", "to_chuc": "tochuc"}
SHEET_TITLES = {"tong_hop": "TongHop", "ket_nap": "KetNap", "to_chuc": "ToChuc"}
# Rows a sheet may hold above its data (title rows, header rows, a totals row) on top of the cap.
_ROW_ALLOWANCE = 200
_CHUNK = 1 << 20
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParseLimits:
    """Bounds on what a report may cost to read; anything beyond is refused with a finding.

    The defaults are documented in docs/data-layout.md ("Parse limits"); an operator changes
    them through the environment (``settings.parse_limits``). Together they keep a report far
    under 1 GiB of memory: a workbook reader holds a sheet as a dense grid of its used rows
    times its used columns, so the grid is capped (``max_cells``) besides rows and columns.
    """

    max_file_bytes: int = 64 * 1024 * 1024
    """Size of the file as received (an .xlsx or a .zip bundle)."""
    max_expanded_bytes: int = 512 * 1024 * 1024
    """Sum of the sizes of a zip's members once expanded (checked while streaming them too)."""
    max_compression_ratio: int = 250
    """Expanded to compressed size of one zip member (members under 1 MiB are exempt)."""
    max_members: int = 64
    """CSV files in a bundle; an .xlsx may hold eight times as many parts."""
    max_rows: int = 100_000
    """Data rows of one sheet (title, header and total rows come on top: ``_ROW_ALLOWANCE``)."""
    max_columns: int = 256
    """Columns of one sheet, counted to the rightmost cell that holds a value (column IV)."""
    max_cells: int = 4_000_000
    """Rows times columns of one sheet, both counted by the cells that hold a value."""
    max_cell_chars: int = 32_767
    """Characters in one cell (Excel's own limit: no workbook saved by Excel holds more)."""


# How fastexcel writes a non-text cell as text: numbers, dates and booleans.
_RENDERED_NUMBER = re.compile(r"-?\d+(?:\.\d*[1-9])?")  # never a trailing zero
_RENDERED_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?")
_RENDERED_BOOL = {"true": True, "false": False}


def _typed_like(cell: object) -> object:
    """The value a typed reader would give for a cell fastexcel rendered as text."""
    if cell.__class__ is not str:
        return cell
    if _RENDERED_NUMBER.fullmatch(cell):  # type: ignore[arg-type]
        return float(cell)  # type: ignore[arg-type]
    if _RENDERED_DATETIME.fullmatch(cell):  # type: ignore[arg-type]
        return datetime.fromisoformat(cell)  # type: ignore[arg-type]
    return _RENDERED_BOOL.get(cell, cell)  # type: ignore[call-overload]


@dataclass
class RawSheet:
    """One sheet's cells by column; ``columns[c][i]`` is the cell of spreadsheet row ``i + 1``.

    A column is a list of typed cells (str, float, date, ...) or, read fast, an Arrow string
    array. ``rendered`` says the strings were written by fastexcel from typed cells: a number, a
    date or a boolean then looks like text, and ``reload`` gives the same sheet typed.
    """

    name: str
    columns: list[Sequence[object]] = field(default_factory=list)
    too_many_rows: bool = False
    rendered: bool = False
    reload: Callable[[], RawSheet] | None = None

    @classmethod
    def from_rows(cls, name: str, rows: list[list[object]], **kwargs: object) -> RawSheet:
        width = max(map(len, rows), default=0)
        padded = [row if len(row) == width else [*row, *[""] * (width - len(row))] for row in rows]
        return cls(name, [list(column) for column in zip(*padded, strict=True)], **kwargs)  # type: ignore[arg-type]

    @property
    def height(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def head(self, count: int) -> list[list[object]]:
        """The first rows as Python values; rendered numbers, dates and booleans typed again."""
        count = min(count, self.height)
        columns = [
            column.slice(0, count).to_pylist() if isinstance(column, pa.Array) else column[:count]
            for column in self.columns
        ]
        rows = [list(row) for row in zip(*columns, strict=True)] if columns else []
        if self.rendered:
            rows = [[_typed_like(cell) for cell in row] for row in rows]
        return rows

    def cell(self, row: int, column: int) -> object:
        cells = self.columns[column]
        return cells[row].as_py() if isinstance(cells, pa.Array) else cells[row]


@dataclass
class RawWorkbook:
    file_format: str | None
    sheets: dict[str, RawSheet] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)


class Refused(Exception):
    """A file-level refusal carrying its finding; caught inside this module's entry point."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message_en)
        self.finding = finding


def read_report_file(path: Path, limits: ParseLimits) -> RawWorkbook:
    """Raw sheets of a report file, or a workbook with a file-level error finding."""
    file_format = _guess_format(path)
    book = RawWorkbook(file_format)
    try:
        if not path.exists():
            raise Refused(
                make_finding(
                    "DQ_FILE_UNREADABLE", value=path.name, detail="không tồn tại / missing"
                )
            )
        if path.is_dir():
            book.file_format = "csv"
            _read_csv_folder(path, limits, book)
            return book
        size = path.stat().st_size
        if size == 0:
            raise Refused(make_finding("DQ_FILE_EMPTY", value=path.name))
        if size > limits.max_file_bytes:
            raise Refused(
                make_finding(
                    "DQ_FILE_TOO_LARGE",
                    value=str(size),
                    expected=f"<= {limits.max_file_bytes} bytes",
                    detail=f"{size} bytes > {limits.max_file_bytes}",
                )
            )
        if not zipfile.is_zipfile(path):
            raise Refused(_not_a_zip(path))
        with zipfile.ZipFile(path) as archive:
            infos = _checked_members(archive, limits)
            names = {info.filename for info in infos}
            if "xl/workbook.xml" in names:
                book.file_format = "xlsx"
                if len(names) < len(infos):  # which copy a reader takes is not the officer's
                    raise Refused(_twice_in_workbook(infos))
                parts = _scan_workbook(archive, infos, limits)
            else:
                book.file_format = "csv"
                _read_csv_zip(archive, infos, limits, book)
                return book
        _read_xlsx(path, limits, book, parts)
    except Refused as refused:
        book.findings.append(refused.finding)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        book.findings.append(_unreadable(path.name, exc).finding)
    return book


def _guess_format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".zip", ".csv") or path.is_dir():
        return "csv"
    return None


# An OLE compound file: an Excel 97-2003 workbook, or (holding these streams) an Office file
# encrypted with a password, which Excel writes in this container whatever its extension.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_ENCRYPTED = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))


def _not_a_zip(path: Path) -> Finding:
    """Why a file that is not a zip archive cannot be a report, in words an officer can act on."""
    with path.open("rb") as handle:
        head = handle.read(len(_OLE_MAGIC))
        encrypted = False
        if head == _OLE_MAGIC:
            tail = b""
            while chunk := handle.read(_CHUNK):
                window = tail + chunk
                if any(name in window for name in _OLE_ENCRYPTED):
                    encrypted = True
                    break
                tail = window[-64:]
    if encrypted:
        return make_finding("DQ_FILE_ENCRYPTED", value=path.name, detail=f"'{path.name}'")
    if head == _OLE_MAGIC or path.suffix.lower() == ".xls":
        detail = "tệp Excel 97-2003 (.xls) / an Excel 97-2003 (.xls) file"
    else:
        detail = "không phải tệp .xlsx hay .zip / neither an .xlsx nor a .zip file"
    return make_finding("DQ_FILE_UNREADABLE", value=path.name, detail=detail)


def _unsafe(name: str) -> bool:
    if "\\" in name or "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return any(part == ".." for part in PurePosixPath(name).parts)


def _checked_members(archive: zipfile.ZipFile, limits: ParseLimits) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.max_members * 8:
        raise Refused(
            make_finding(
                "DQ_FILE_TOO_LARGE",
                value=str(len(infos)),
                expected=f"<= {limits.max_members * 8}",
                detail=f"{len(infos)} tệp trong tệp nén / files in the archive "
                f"> {limits.max_members * 8}",
            )
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:  # an encrypted member: reading it needs a password
            name = PurePosixPath(str(archive.filename)).name
            raise Refused(make_finding("DQ_FILE_ENCRYPTED", value=name, detail=f"'{name}'"))
        if _unsafe(info.filename) or stat.S_ISLNK(info.external_attr >> 16):
            raise Refused(make_finding("DQ_UNSAFE_PATH", value=info.filename))
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1 << 20 and ratio > limits.max_compression_ratio:
            raise Refused(
                make_finding(
                    "DQ_FILE_TOO_LARGE",
                    value=info.filename,
                    expected=f"<= {limits.max_compression_ratio}",
                    detail=f"tỷ lệ nén / compression ratio {ratio:.0f} "
                    f"> {limits.max_compression_ratio}, '{info.filename}'",
                )
            )
    if total > limits.max_expanded_bytes:
        raise Refused(
            make_finding(
                "DQ_FILE_TOO_LARGE",
                value=str(total),
                expected=f"<= {limits.max_expanded_bytes} bytes",
                detail=f"{total} bytes khi giải nén / expanded > {limits.max_expanded_bytes}",
            )
        )
    return infos


def _expanded_limit(name: str, limits: ParseLimits) -> Refused:
    return Refused(
        make_finding(
            "DQ_FILE_TOO_LARGE",
            value=name,
            expected=f"<= {limits.max_expanded_bytes} bytes",
            detail=f"vượt giới hạn giải nén / expanded limit {limits.max_expanded_bytes} bytes",
        )
    )


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, limits: ParseLimits
) -> bytes:
    """Member bytes, never reading more than ``budget`` (declared sizes may lie)."""
    with archive.open(info) as handle:
        data = handle.read(budget + 1)
    if len(data) > budget:
        raise _expanded_limit(info.filename, limits)
    return data


# --- Workbook parts, streamed before a reader opens them ---------------------------------------
#
# python-calamine and fastexcel (Rust) hold a sheet as a dense grid from A1 to the last cell
# holding a value: one stray value in XFD100000 of an 11 KB file asks for 1.6 billion cells and
# aborts the process. So every part of the workbook is streamed once first, in bounded chunks:
# - any XML part declaring a DTD or entities is refused before any XML parser sees it;
# - a worksheet whose chunks hold only cells with short references (one letter and few digits,
#   so provably inside the limits) and no formula costs one regular-expression search per chunk;
# - any other worksheet (wide, long, cells without references, formulas) is streamed again and
#   read cell by cell as the Rust reader will: where each cell lands, whether it holds a value,
#   whether its formula has a cached value. Its rows, columns and grid are then checked.

_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
_LISTING_BYTES = 16 << 20  # xl/workbook.xml and its relations, parsed whole: a sheet list
_DTD_HINT = (b"<!", b"<\x00!")  # UTF-8 and UTF-16 spellings of markup declarations
_DTD = re.compile(
    rb"<\x00?!\x00?(?:\s\x00?)*(?:D\x00?O\x00?C\x00?T\x00?Y\x00?P\x00?E|E\x00?N\x00?T\x00?I\x00?T\x00?Y)",
    re.I,
)
_TOKEN = re.compile(
    rb"<" + _PREFIX + rb"(?:(row)\b([^>]*?)(/?)>|c\b([^>]*?)(?:/>|>(.*?)</" + _PREFIX + rb"c>))"
    rb"|</" + _PREFIX + rb"row\s*>",
    re.S,
)
_OPEN = re.compile(rb"<" + _PREFIX + rb"(?:row|c)\b|</" + _PREFIX + rb"row")
_ATTRIBUTE = {
    name: re.compile(rb"(?:^|\s)" + name + rb"""\s*=\s*["']([^"']*)["']""") for name in (b"r", b"t")
}
_CELL_REFERENCE = re.compile(rb"\$?([A-Za-z]{1,7})\$?(\d{1,10})")
_HAS_VALUE = re.compile(rb"<" + _PREFIX + rb"(?:v|is)\b")
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f\b")
_CACHED = re.compile(rb"<" + _PREFIX + rb"v\b[^>]*?(/?)>([^<]*)")
# A cell of Excel's error type (#DIV/0!, #N/A, #REF!...): a figure the officer never had.
_ERROR_TYPE = rb"""|\st\s*=\s*["']e["']"""  # an alternative of the quick test


def column_letters(index: int) -> str:
    """Spreadsheet letters of a 1-based column number: 1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _quick_test(limits: ParseLimits) -> re.Pattern[bytes]:
    """Finds anything in a worksheet chunk that needs the cell-by-cell reading: a cell whose
    reference is not short enough to lie inside every limit, or a formula.

    Short: within the first ``columns`` letters and ``digits`` digits, chosen so that the
    largest sheet made only of such cells stays within the row, column and cell limits."""
    columns = min(26, limits.max_columns)
    digits = 0
    while (
        10 ** (digits + 1) - 1 <= limits.max_rows + _ROW_ALLOWANCE
        and (10 ** (digits + 1) - 1) * columns <= limits.max_cells
        and digits < 9
    ):
        digits += 1
    if columns < 1 or digits < 1:
        return re.compile(rb"<" + _PREFIX + rb"(?:c|f)[\s/>]" + _ERROR_TYPE)
    short = rb'r="[A-%c]\d{1,%d}"' % (64 + columns, digits)
    return re.compile(
        rb"<" + _PREFIX + rb"(?:c(?:[/>]|\s(?!" + short + rb"))|f[\s/>])" + _ERROR_TYPE
    )


@dataclass
class SheetPart:
    """A worksheet as the workbook lists it, and why it must not be read, if it must not."""

    name: str
    path: str
    state: str = "visible"
    refusal: Finding | None = None


def _attribute(tag: bytes, name: bytes) -> bytes | None:
    found = _ATTRIBUTE[name].search(tag)
    return found.group(1) if found else None


def _scan_workbook(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ParseLimits
) -> dict[str, SheetPart]:
    """Stream every part once (sizes, DTDs, cheap cell test); then list the sheets and read the
    worksheets that need it cell by cell. Keyed by the sheet's name in the workbook."""
    budget = limits.max_expanded_bytes
    quick = _quick_test(limits)
    flagged: set[str] = set()
    kept: dict[str, bytes] = {}
    for info in infos:
        # Any part may be a worksheet (its path comes from the workbook's relations): test all.
        keep = info.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        if keep and info.file_size > _LISTING_BYTES:
            raise Refused(
                make_finding(
                    "DQ_FILE_TOO_LARGE",
                    value=info.filename,
                    expected=f"<= {_LISTING_BYTES} bytes",
                    detail=f"'{info.filename}' > {_LISTING_BYTES} bytes",
                )
            )
        held: list[bytes] = []
        tail = b""
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                budget -= len(chunk)
                if budget < 0:
                    raise _expanded_limit(info.filename, limits)
                window = tail + chunk
                if any(hint in window for hint in _DTD_HINT) and _DTD.search(window):
                    raise Refused(make_finding("DQ_XML_DTD", value=info.filename))
                if info.filename not in flagged:
                    found = quick.search(window)
                    if found and found.start() < len(window) - 64:
                        flagged.add(info.filename)
                if keep:
                    held.append(chunk)
                    if sum(map(len, held)) > _LISTING_BYTES:  # the size header lied
                        raise _expanded_limit(info.filename, limits)
                tail = window[-256:]
            if info.filename not in flagged and quick.search(tail):
                flagged.add(info.filename)
        if keep:
            kept[info.filename] = b"".join(held)
    parts = _sheet_parts(kept)
    if not parts:
        raise Refused(
            make_finding("DQ_FILE_UNREADABLE", value="xl/workbook.xml", detail=_UNREADABLE_DETAIL)
        )
    members = {info.filename for info in infos}
    for part in parts.values():
        if part.path in flagged and part.path in members:
            part.refusal = _read_cells(archive, part, limits)
    return parts


def _sheet_parts(kept: dict[str, bytes]) -> dict[str, SheetPart]:
    """The workbook's sheets (name, part, visibility) from xl/workbook.xml and its relations;
    empty when they cannot be read (the reader then reports the file as unreadable)."""
    try:
        workbook = ElementTree.fromstring(kept.get("xl/workbook.xml", b""))
        relations = ElementTree.fromstring(kept.get("xl/_rels/workbook.xml.rels", b""))
    except ElementTree.ParseError:
        return {}
    targets = {}
    for element in relations.iter():
        if element.tag.rpartition("}")[2] == "Relationship":
            target = element.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            targets[element.get("Id")] = posixpath.normpath(path)
    parts = {}
    for element in workbook.iter():
        if element.tag.rpartition("}")[2] != "sheet":
            continue
        name = element.get("name")
        relation = next(
            (v for k, v in element.attrib.items() if k.rpartition("}")[2] == "id"), None
        )
        if name is None or name in parts:
            continue
        state = element.get("state", "visible")
        parts[name] = SheetPart(name, targets.get(relation, ""), state)
    return parts


@dataclass
class _Census:
    """Where a worksheet's cells land, as calamine places them (1-based rows and columns)."""

    max_row: int = 0
    max_column: int = 0
    far: tuple[int, int] | None = None
    """The first cell holding a value past the row cap or the column limit."""
    rows: set[int] = field(default_factory=set)
    """Rows holding a value (collected up to one past the row cap)."""
    formula: tuple[int, int] | None = None
    """The first formula without a cached value (the census stops there)."""
    error: tuple[int, int, str] | None = None
    """The first cell holding an Excel error, and the error (the census stops there)."""
    too_long: bytes | None = None
    """Reference of a cell whose XML outgrows any cell the limits allow (the census stops)."""


def _cell_census(archive: zipfile.ZipFile, path: str, limits: ParseLimits) -> _Census:
    """Read a worksheet part cell by cell as calamine does: a row's ``r`` sets the row, its end
    moves to the next; a cell's ``r`` sets its place, a cell without one follows the one before
    (self-closing elements too). Only cells holding a value count."""
    census = _Census()
    cap = limits.max_rows + _ROW_ALLOWANCE
    longest = 6 * limits.max_cell_chars + (64 << 10)  # XML of one cell, markup included
    row_index, column_index = 0, 0
    carry = b""
    with archive.open(path) as handle:
        while True:
            chunk = handle.read(_CHUNK)
            window = carry + chunk
            last = 0
            for token in _TOKEN.finditer(window):
                last = token.end()
                is_row, row_attributes, row_closed, cell_attributes, content = token.groups()
                if is_row:  # <row/> is a row that starts and ends (quick-xml expands it)
                    number = _attribute(row_attributes, b"r")
                    if number is not None and number.isdigit():
                        row_index = int(number) - 1
                    if row_closed:
                        row_index, column_index = row_index + 1, 0
                    continue
                if cell_attributes is None:  # </row>
                    row_index, column_index = row_index + 1, 0
                    continue
                reference = _attribute(cell_attributes, b"r")
                found = _CELL_REFERENCE.fullmatch(reference) if reference else None
                if found:
                    row, column = int(found.group(2)), _column_number(found.group(1))
                    column_index = column - 1
                else:
                    row, column = row_index + 1, column_index + 1
                column_index += 1
                if content is None:  # <c .../>: it takes its place, holding no value
                    continue
                if _FORMULA.search(content):
                    cached = _CACHED.search(content)
                    is_text = _attribute(cell_attributes, b"t") == b"str"
                    if not (
                        cached and (is_text or (not cached.group(1) and cached.group(2).strip()))
                    ):
                        census.formula = (row, column)
                        return census
                if not _HAS_VALUE.search(content):
                    continue
                if _attribute(cell_attributes, b"t") == b"e":
                    cached = _CACHED.search(content)
                    shown = cached.group(2).decode("utf-8", "replace").strip() if cached else ""
                    census.error = (row, column, shown[:20] or "#?")
                    return census
                if census.far is None and (column > limits.max_columns or row > cap):
                    census.far = (row, column)
                census.max_row = max(census.max_row, row)
                census.max_column = max(census.max_column, column)
                if len(census.rows) <= cap:
                    census.rows.add(row)
            if not chunk:
                return census
            start = _OPEN.search(window, last)
            carry = window[start.start() :] if start else window[-64:]
            if len(carry) > longest:
                census.too_long = _attribute(carry[:4096].split(b">", 1)[0], b"r") or b"?"
                return census


def _read_cells(archive: zipfile.ZipFile, part: SheetPart, limits: ParseLimits) -> Finding | None:
    """The first reason to refuse a worksheet read cell by cell, or None."""
    title = nfc(part.name)
    cap = limits.max_rows + _ROW_ALLOWANCE
    census = _cell_census(archive, part.path, limits)
    if census.formula is not None:
        row, column = census.formula
        return make_finding(
            "DQ_FORMULA_NO_VALUE",
            sheet=title,
            row_number=row,
            column_name=column_letters(column),
            value=f"{column_letters(column)}{row}",
        )
    if census.error is not None:
        row, column, shown = census.error
        return make_finding(
            "DQ_CELL_ERROR",
            sheet=title,
            row_number=row,
            column_name=column_letters(column),
            value=shown,
            detail=f"{column_letters(column)}{row}",
        )
    if census.too_long is not None:
        found = _CELL_REFERENCE.fullmatch(census.too_long)
        return make_finding(
            "DQ_CELL_TOO_LONG",
            sheet=title,
            row_number=int(found.group(2)) if found else None,
            column_name=found.group(1).decode().upper() if found else None,
            value=f"> {limits.max_cell_chars}",
            expected=str(limits.max_cell_chars),
        )
    if len(census.rows) > cap:
        return make_finding("DQ_TOO_MANY_ROWS", sheet=title, expected=str(limits.max_rows))
    if census.far is not None and census.far[1] <= limits.max_columns:  # far down only
        row, column = census.far
        return make_finding(
            "DQ_TOO_MANY_ROWS",
            sheet=title,
            value=f"{column_letters(column)}{row}",
            expected=str(limits.max_rows),
        )
    if census.far is not None:
        row, column = census.far
        return make_finding(
            "DQ_SHEET_DIMENSION",
            sheet=title,
            value=f"{column_letters(column)}{row}",
            expected=f"A1:{column_letters(limits.max_columns)}{cap}",
        )
    grid = census.max_row * census.max_column
    if grid > limits.max_cells:
        corner = f"{column_letters(census.max_column)}{census.max_row}"
        return make_finding(
            "DQ_SHEET_DIMENSION",
            sheet=title,
            value=f"{corner} (A1:{corner} = {grid} ô / cells)",
            expected=f"<= {limits.max_cells} ô / cells",
        )
    return None


def _logical(sheet_name: str) -> str | None:
    key = compact_key(sheet_name)
    for logical, wanted in SHEET_KEYS.items():
        if key == wanted or key.endswith(wanted):
            return logical
    return None


def _assign(book: RawWorkbook, sheet_name: str, loader) -> None:
    logical = _logical(sheet_name)
    if logical is None:
        return
    if logical in book.sheets:
        book.findings.append(
            make_finding(
                "DQ_SHEET_DUPLICATE",
                sheet=SHEET_TITLES[logical],
                value=sheet_name,
                expected=SHEET_TITLES[logical],
            )
        )
        return
    try:
        book.sheets[logical] = loader()
    except Refused as refused:
        book.findings.append(refused.finding)
        book.unreadable.add(logical)


def _visible_choice(book: RawWorkbook, names: list[str], parts: dict[str, SheetPart]) -> list[str]:
    """The sheets to read: a hidden sheet never stands in for a visible one of its kind."""
    candidates: dict[str, list[str]] = {}
    for name in names:
        logical = _logical(name)
        if logical is not None:
            candidates.setdefault(logical, []).append(name)
    chosen = []
    for logical, found in candidates.items():
        hidden = [name for name in found if name in parts and parts[name].state != "visible"]
        visible = [name for name in found if name not in hidden]
        title = SHEET_TITLES[logical]
        if visible:
            chosen.extend(visible)
            for name in hidden:
                book.findings.append(
                    make_finding(
                        "DQ_HIDDEN_SHEET_IGNORED", sheet=title, value=name, expected=visible[0]
                    )
                )
        else:
            book.findings.append(
                make_finding(
                    "DQ_SHEET_HIDDEN", sheet=title, value=", ".join(hidden), expected=title
                )
            )
            book.unreadable.add(logical)
    return chosen


_UNREADABLE_DETAIL = (
    "tệp hỏng hoặc không đúng định dạng / the file is damaged or not in the expected format"
)


def _twice_in_workbook(infos: list[zipfile.ZipInfo]) -> Finding:
    seen: set[str] = set()
    twice = next(i.filename for i in infos if i.filename in seen or seen.add(i.filename))
    return make_finding(
        "DQ_FILE_UNREADABLE",
        value=twice,
        detail=f"phần '{twice}' có hai lần trong tệp / the part '{twice}' is in the file twice",
    )


def _unreadable(name: str, exc: Exception) -> Refused:
    """A reader's failure in words: the exception's class and text are for developers only."""
    _log.debug("cannot read %s", name, exc_info=exc)
    return Refused(make_finding("DQ_FILE_UNREADABLE", value=name, detail=_UNREADABLE_DETAIL))


def _check_cell_lengths(sheet: RawSheet, limits: ParseLimits) -> RawSheet:
    """Refuse a sheet holding a cell longer than the limit, naming the first such cell."""
    for index, column in enumerate(sheet.columns):
        if isinstance(column, pa.Array):
            if not len(column):
                continue
            lengths = pc.utf8_length(column)
            longest = pc.max(lengths).as_py()
            if longest is None or longest <= limits.max_cell_chars:
                continue
            row = pc.index(pc.greater(lengths, limits.max_cell_chars), True).as_py()
        else:
            try:  # a column of text only (CSV): its longest cell measured in C
                if max(map(len, column), default=0) <= limits.max_cell_chars:  # type: ignore[arg-type]
                    continue
            except TypeError:  # typed cells: only the text ones are measured, below
                pass
            row = next(
                (
                    position
                    for position, cell in enumerate(column)
                    if cell.__class__ is str and len(cell) > limits.max_cell_chars  # type: ignore[attr-defined]
                ),
                None,
            )
            if row is None:
                continue
            # As the Arrow branch: the first cell over the limit, the column's longest length.
            longest = max(len(cell) for cell in column if cell.__class__ is str)  # type: ignore[arg-type]
        raise Refused(
            make_finding(
                "DQ_CELL_TOO_LONG",
                sheet=sheet.name,
                row_number=row + 1,
                column_name=column_letters(index + 1),
                value=longest,
                expected=str(limits.max_cell_chars),
            )
        )
    return sheet


def _read_xlsx(
    path: Path, limits: ParseLimits, book: RawWorkbook, parts: dict[str, SheetPart]
) -> None:
    try:
        reader = fastexcel.read_excel(path)
        names = reader.sheet_names
    except Exception as exc:  # fastexcel raises several unrelated types for corrupt files
        raise _unreadable(path.name, exc) from exc
    cap = limits.max_rows + _ROW_ALLOWANCE
    typed_book: list[python_calamine.CalamineWorkbook] = []

    def typed(name: str) -> RawSheet:
        """The sheet through python-calamine, every cell with its type."""
        try:
            if not typed_book:
                typed_book.append(python_calamine.CalamineWorkbook.from_path(str(path)))
            sheet = typed_book[0].get_sheet_by_name(name)
        except Exception as exc:
            raise _unreadable(name, exc) from exc
        title = nfc(name)
        end_row = sheet.end[0] if sheet.end else 0
        if max(sheet.height, end_row) > cap:
            return RawSheet(title, too_many_rows=True)
        return RawSheet.from_rows(title, sheet.to_python(skip_empty_area=False))

    for name in _visible_choice(book, names, parts):

        def load(name: str = name) -> RawSheet:
            part = parts.get(name)
            if part is None:  # the reader lists a sheet the workbook's own list does not
                raise Refused(
                    make_finding("DQ_FILE_UNREADABLE", value=name, detail=_UNREADABLE_DETAIL)
                )
            if part.refusal is not None:
                raise Refused(part.refusal)
            try:
                batch = reader.load_sheet(
                    name, header_row=None, skip_rows=0, dtypes="string", eager=True
                )
            except Exception as exc:
                raise _unreadable(name, exc) from exc
            title = nfc(name)
            if batch.num_rows > cap:
                return RawSheet(title, too_many_rows=True)
            columns = list(batch.columns)
            if batch.num_rows <= PYTHON_VALUES:  # a small sheet is cheaper as Python lists
                columns = [column.to_pylist() for column in columns]
            sheet = RawSheet(
                title,
                columns,
                rendered=True,
                reload=lambda name=name: typed(name),
            )
            return _check_cell_lengths(sheet, limits)

        _assign(book, name, load)


def _read_csv_folder(path: Path, limits: ParseLimits, book: RawWorkbook) -> None:
    try:  # the pull's own rule: a link anywhere in the folder refuses the bundle
        members = bundle_members(path)
    except UnsafeMember as exc:
        raise Refused(make_finding("DQ_UNSAFE_PATH", value=exc.relative)) from exc
    files = [file for _, file in members if file.suffix.lower() == ".csv"]
    if len(files) > limits.max_members:
        raise Refused(
            make_finding(
                "DQ_FILE_TOO_LARGE", value=str(len(files)), detail=f"{len(files)} tệp/files"
            )
        )
    total = 0
    for file in files:
        size = file.lstat().st_size
        total += size
        if total > limits.max_expanded_bytes:
            raise Refused(
                make_finding("DQ_FILE_TOO_LARGE", value=file.name, detail=f"{total} bytes")
            )
        _assign(book, file.stem, lambda f=file: _csv_sheet(f.stem, read_member(f), limits))


def _read_csv_zip(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ParseLimits, book: RawWorkbook
) -> None:
    members = [
        info
        for info in infos
        if not info.is_dir()
        and info.filename.lower().endswith(".csv")
        and not info.filename.startswith("__MACOSX/")
        and not PurePosixPath(info.filename).name.startswith("._")
    ]
    if len(members) > limits.max_members:
        raise Refused(
            make_finding(
                "DQ_FILE_TOO_LARGE", value=str(len(members)), detail=f"{len(members)} tệp/files"
            )
        )
    budget = limits.max_expanded_bytes
    for info in members:
        stem = PurePosixPath(info.filename).stem
        if not info.flag_bits & 0x800:  # legacy zip tools store names in cp437
            with contextlib.suppress(UnicodeError):
                stem = PurePosixPath(info.filename.encode("cp437").decode("utf-8")).stem

        def load(info: zipfile.ZipInfo = info, stem: str = stem) -> RawSheet:
            nonlocal budget
            data = _read_member(archive, info, budget, limits)
            budget -= len(data)
            return _csv_sheet(stem, data, limits)

        _assign(book, stem, load)


_VIETNAMESE_MARKS = {0x300, 0x301, 0x303, 0x309, 0x323, 0x302, 0x306, 0x31B}
_EXTRA_ALLOWED = set("đĐ–—“”‘’…°•№ªº·×")


def _plausible_vietnamese(text: str) -> bool:
    """True when decoded text holds only characters Vietnamese documents use."""
    odd = 0
    for char in set(text):
        if char.isascii() or char in _EXTRA_ALLOWED:
            continue
        decomposed = unicodedata.normalize("NFD", char)
        if (
            decomposed[0].isascii()
            and decomposed[0].isalpha()
            and all(ord(mark) in _VIETNAMESE_MARKS for mark in decomposed[1:])
        ):
            continue
        odd += text.count(char)
    return odd <= max(2, len(text) // 1000)


def decode_csv_bytes(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1258.

    Windows-1258 writes tone marks as combining characters, so the result is NFC-normalised; a
    file that is neither (or decodes to implausible characters) raises ``UnicodeError`` rather
    than produce mojibake.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise UnicodeError("binary data")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = nfc(data.decode("cp1258"))
    if not _plausible_vietnamese(text):
        raise UnicodeError("not Windows-1258 Vietnamese text")
    return text


def _delimiter(text: str) -> str:
    sample = text[:8192]
    counts = {delimiter: sample.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter]) if any(counts.values()) else ","


# Records read with Python's csv module before the rest goes to Arrow's CSV reader: title and
# header rows may be shorter or longer than the table, which Arrow does not accept.
_CSV_HEAD_RECORDS = 64


def _csv_sheet(stem: str, data: bytes, limits: ParseLimits) -> RawSheet:
    name = nfc(stem)
    try:
        text = decode_csv_bytes(data)
    except UnicodeError as exc:
        raise Refused(make_finding("DQ_ENCODING", sheet=name, value=stem, detail=str(exc))) from exc
    if "\x00" in text:
        raise Refused(
            make_finding("DQ_FILE_UNREADABLE", sheet=name, value=stem, detail="binary data")
        )
    delimiter = _delimiter(text)
    text = nfc(text)
    cap = limits.max_rows + _ROW_ALLOWANCE
    stream = io.StringIO(text, newline="")
    consumed = 0

    def lines():  # the csv reader pulls exactly the lines of the records it returns
        nonlocal consumed
        for line in stream:
            consumed += len(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        rows: list[list[object]] = list(itertools.islice(reader, _CSV_HEAD_RECORDS))  # type: ignore[arg-type]
        body = None
        # Records never outnumber line breaks: a body within the cap cannot exceed it.
        breaks = text.count("\n", consumed) + text.count("\r", consumed)
        if len(rows) == _CSV_HEAD_RECORDS and consumed < len(text) and breaks <= cap:
            body = _arrow_csv(text[consumed:], delimiter)
        if body is None:
            rows.extend(itertools.islice(reader, cap + 1 - len(rows)))  # type: ignore[arg-type]
        if len(rows) + (len(body[0]) if body else 0) > cap:
            return RawSheet(name, [], too_many_rows=True)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # 131,072 characters, past ours
            raise Refused(
                make_finding(
                    "DQ_CELL_TOO_LONG",
                    sheet=name,
                    value=f"> {csv.field_size_limit()}",
                    expected=str(limits.max_cell_chars),
                )
            ) from exc
        raise Refused(
            make_finding(
                "DQ_FILE_UNREADABLE",
                sheet=name,
                value=stem,
                detail="dòng CSV không hợp lệ / a malformed CSV record",
            )
        ) from exc
    width = max(max(map(len, rows), default=0), len(body) if body else 0)
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    if body is None and len(rows) <= PYTHON_VALUES:
        # A small sheet stays Python lists: cheaper than Arrow for a few dozen cells.
        small = [list(column) for column in zip(*rows, strict=True)]
        return _check_cell_lengths(RawSheet(name, small), limits)  # type: ignore[arg-type]
    # CSV cells are text: one Arrow string array per column.
    columns = [pa.array(column, type=pa.string()) for column in zip(*rows, strict=True)]
    if body:
        height = len(body[0])
        body = [*body, *[pa.array([""] * height, pa.string())] * (width - len(body))]
        columns = [pa.concat_arrays([head, tail]) for head, tail in zip(columns, body, strict=True)]
    return _check_cell_lengths(RawSheet(name, columns), limits)  # type: ignore[arg-type]


def _arrow_csv(text: str, delimiter: str) -> list[pa.Array] | None:
    """Columns of CSV text whose records all have one width, or None to read it in Python."""
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True, use_threads=False),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(1024)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return None
    if any(column.type != pa.string() for column in table.columns):
        return None  # wider than the typed column list: let Python read it, as text
    return [column.combine_chunks() for column in table.columns]
