"""Files that are not a report at all: empty, not a workbook, cut short."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.corpus import HostileCase


def _empty(source: Path, folder: Path) -> Path:
    target = folder / source.name
    target.write_bytes(b"")
    return target


def _text_named_xlsx(source: Path, folder: Path) -> Path:
    target = folder / source.name
    target.write_text("Báo cáo gửi sau / report to follow", encoding="utf-8")
    return target


def _cut_short(source: Path, folder: Path) -> Path:
    target = folder / source.name
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


CASES = [
    HostileCase("empty_file", _empty, ("DQ_FILE_EMPTY",)),
    HostileCase("text_named_xlsx", _text_named_xlsx, ("DQ_FILE_UNREADABLE",)),
    HostileCase("workbook_cut_in_half", _cut_short, ("DQ_FILE_UNREADABLE",)),
]
