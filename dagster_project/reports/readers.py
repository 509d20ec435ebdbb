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

Formulas: a cell holding a formula is read as the value Excel cached when the file was saved, with
no finding. Officers routinely total columns with formulas, and the cached value is what they saw
and sent; the warehouse's own checks (summary equals detail, parts within wholes) catch a stale
or wrong figure whatever produced it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import fastexcel
import pyarrow as pa
import pyarrow.csv as pa_csv
import python_calamine

from dagster_project.ingest.bundle import UnsafeMember, bundle_members, read_member
from dagster_project.reports.findings import Finding, make_finding
from dagster_project.reports.text import compact_key, nfc

SHEET_KEYS = {"tong_hop": "tonghop", "ket_nap": "ketnap", "to_chuc": "tochuc"}
SHEET_TITLES = {"tong_hop": "TongHop", "ket_nap": "KetNap", "to_chuc": "ToChuc"}
# Rows a sheet may hold above its data (title rows, header rows, a totals row) on top of the cap.
_ROW_ALLOWANCE = 200
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ParseLimits:
    """Bounds on what a report may cost to read; anything beyond is refused with a finding."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_expanded_bytes: int = 512 * 1024 * 1024
    max_compression_ratio: int = 250
    max_members: int = 64
    max_rows: int = 100_000


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
            detail = (
                "tệp .xls cũ / legacy .xls"
                if path.suffix.lower() == ".xls"
                else "không phải tệp zip/xlsx / not a zip or xlsx"
            )
            raise Refused(make_finding("DQ_FILE_UNREADABLE", value=path.name, detail=detail))
        with zipfile.ZipFile(path) as archive:
            infos = _checked_members(archive, limits)
            names = {info.filename for info in infos}
            if "xl/workbook.xml" in names:
                book.file_format = "xlsx"
                _verify_expanded_sizes(archive, infos, limits)
            else:
                book.file_format = "csv"
                _read_csv_zip(archive, infos, limits, book)
                return book
        _read_xlsx(path, limits, book)
    except Refused as refused:
        book.findings.append(refused.finding)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        book.findings.append(
            make_finding(
                "DQ_FILE_UNREADABLE", value=path.name, detail=f"{type(exc).__name__}: {exc}"[:200]
            )
        )
    return book


def _guess_format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".zip", ".csv") or path.is_dir():
        return "csv"
    return None


def _unsafe(name: str) -> bool:
    if "\\" in name or "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return any(part == ".." for part in PurePosixPath(name).parts)


def _checked_members(archive: zipfile.ZipFile, limits: ParseLimits) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.max_members * 8:
        raise Refused(
            make_finding(
                "DQ_FILE_TOO_LARGE", value=str(len(infos)), detail=f"{len(infos)} tệp/files"
            )
        )
    total = 0
    for info in infos:
        if _unsafe(info.filename) or stat.S_ISLNK(info.external_attr >> 16):
            raise Refused(make_finding("DQ_UNSAFE_PATH", value=info.filename))
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1 << 20 and ratio > limits.max_compression_ratio:
            raise Refused(
                make_finding(
                    "DQ_FILE_TOO_LARGE",
                    value=info.filename,
                    detail=f"tỷ lệ nén / compression ratio {ratio:.0f}",
                )
            )
    if total > limits.max_expanded_bytes:
        raise Refused(
            make_finding(
                "DQ_FILE_TOO_LARGE",
                value=str(total),
                expected=f"<= {limits.max_expanded_bytes} bytes",
                detail=f"{total} bytes khi giải nén / expanded",
            )
        )
    return infos


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Member bytes, never reading more than ``budget`` (declared sizes may lie)."""
    with archive.open(info) as handle:
        data = handle.read(budget + 1)
    if len(data) > budget:
        raise Refused(
            make_finding(
                "DQ_FILE_TOO_LARGE",
                value=info.filename,
                detail="vượt giới hạn giải nén / expanded limit",
            )
        )
    return data


# Cells past column ZZZ or below row 999,999 only serve to make a worksheet's range huge: a reader
# holds a sheet as a dense grid. One pattern finds both those and rows past the cap: a cell or row
# reference whose row number has at least as many digits as the cap.
_FAR_ROW_DIGITS = 7


def _long_references(max_row: int) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """A quick test for any long reference (possessive, so it never backtracks) and the
    pattern that then lists them: (column letters when four or more, row digits)."""
    digits = min(len(str(max_row)), _FAR_ROW_DIGITS)
    return (
        re.compile(rb'r="[A-Z]{0,3}+(?:[A-Z]|\d{%d})' % digits),
        re.compile(rb'r="(?:([A-Z]{4,})|[A-Z]{0,3}(\d{%d,}))' % digits),
    )


def _verify_expanded_sizes(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ParseLimits
) -> None:
    """Stream every workbook part once before a reader opens it.

    A lying size header fails here (CRC or the budget), and a worksheet whose cells reach far
    down or far right is refused before a reader would build it as a dense grid.
    """
    budget = limits.max_expanded_bytes
    max_row = limits.max_rows + _ROW_ALLOWANCE
    any_long, references = _long_references(max_row)
    for info in infos:
        is_sheet = info.filename.startswith("xl/worksheets/")
        tail = b""
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                budget -= len(chunk)
                if budget < 0:
                    raise Refused(
                        make_finding(
                            "DQ_FILE_TOO_LARGE",
                            value=info.filename,
                            detail="vượt giới hạn giải nén / expanded limit",
                        )
                    )
                if not is_sheet:
                    continue
                window = tail + chunk
                found = references.findall(window) if any_long.search(window) else []
                if any(letters or len(number) >= _FAR_ROW_DIGITS for letters, number in found):
                    raise Refused(
                        make_finding(
                            "DQ_FILE_TOO_LARGE",
                            value=info.filename,
                            detail="ô ngoài vùng hợp lý / cells far outside the table",
                        )
                    )
                if any(int(number) > max_row for _, number in found):
                    raise Refused(
                        make_finding(
                            "DQ_TOO_MANY_ROWS", value=info.filename, expected=str(limits.max_rows)
                        )
                    )
                tail = chunk[-256:]


def _assign(book: RawWorkbook, sheet_name: str, loader) -> None:
    key = compact_key(sheet_name)
    for logical, wanted in SHEET_KEYS.items():
        if key == wanted or key.endswith(wanted):
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
            return


def _unreadable(name: str, exc: Exception) -> Refused:
    return Refused(
        make_finding("DQ_FILE_UNREADABLE", value=name, detail=f"{type(exc).__name__}: {exc}"[:200])
    )


def _read_xlsx(path: Path, limits: ParseLimits, book: RawWorkbook) -> None:
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

    for name in names:

        def load(name: str = name) -> RawSheet:
            try:
                batch = reader.load_sheet(
                    name, header_row=None, skip_rows=0, dtypes="string", eager=True
                )
            except Exception as exc:
                raise _unreadable(name, exc) from exc
            title = nfc(name)
            if batch.num_rows > cap:
                return RawSheet(title, too_many_rows=True)
            return RawSheet(
                title,
                list(batch.columns),
                rendered=True,
                reload=lambda name=name: typed(name),
            )

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
            data = _read_member(archive, info, budget)
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
        raise Refused(
            make_finding("DQ_FILE_UNREADABLE", sheet=name, value=stem, detail=f"CSV: {exc}")
        ) from exc
    width = max(max(map(len, rows), default=0), len(body) if body else 0)
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    # CSV cells are text: one Arrow string array per column.
    columns = [pa.array(column, type=pa.string()) for column in zip(*rows, strict=True)]
    if body:
        height = len(body[0])
        body = [*body, *[pa.array([""] * height, pa.string())] * (width - len(body))]
        columns = [pa.concat_arrays([head, tail]) for head, tail in zip(columns, body, strict=True)]
    return RawSheet(name, columns)  # type: ignore[arg-type]


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
