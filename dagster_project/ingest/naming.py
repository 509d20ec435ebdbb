"""Report file names: `<unit code>_<period>.<ext>`, e.g. `088_2024-H1.xlsx`.

The name is the only place the unit and period of a file are known before parsing, so it is checked
strictly and every refusal says what was found and what was expected, in Vietnamese and English.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dagster_project.ingest.periods import PERIOD_PATTERN

UNIT_CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]*"
REPORT_EXTENSIONS = ("xlsx", "zip")

_STEM_RE = re.compile(rf"^(?P<unit>{UNIT_CODE_PATTERN})_(?P<period>{PERIOD_PATTERN})$")
_UNIT_RE = re.compile(rf"^{UNIT_CODE_PATTERN}$")


class ReportNameError(ValueError):
    """A file name that does not say which unit and period it reports."""

    def __init__(self, file_name: str, reason_vi: str, reason_en: str) -> None:
        self.file_name = file_name
        self.reason_vi = reason_vi
        self.reason_en = reason_en
        super().__init__(f"{reason_vi} / {reason_en}")


@dataclass(frozen=True)
class ReportName:
    """Unit, period and format read from a report's file name."""

    unit_code: str
    period_code: str
    extension: str

    @property
    def file_name(self) -> str:
        return f"{self.unit_code}_{self.period_code}.{self.extension}"


def is_unit_code(value: str) -> bool:
    """Unit codes never contain `_`: it separates the code from the period in file names."""
    return bool(_UNIT_RE.match(value))


def parse_bundle_folder_name(name: str) -> ReportName | None:
    """A folder named `<unit>_<period>` is a CSV bundle; anything else is just a folder."""
    match = _STEM_RE.match(unicodedata.normalize("NFC", name.strip()))
    if not match:
        return None
    return ReportName(match["unit"], match["period"], "zip")


def parse_report_name(file_name: str) -> ReportName:
    """Read unit and period from a report file name, or explain why it cannot be read."""
    name = unicodedata.normalize("NFC", file_name)
    expected = "<mã đơn vị>_<YYYY-H1|YYYY-H2>.xlsx|.zip"
    expected_en = "<unit code>_<YYYY-H1|YYYY-H2>.xlsx|.zip"
    stem, dot, ext = name.rpartition(".")
    if not dot or ext.lower() not in REPORT_EXTENSIONS:
        found = f".{ext}" if dot else "(không có / none)"
        raise ReportNameError(
            file_name,
            f"Tệp {file_name!r}: phần mở rộng {found} không phải báo cáo; cần .xlsx hoặc .zip "
            f"(tên tệp dạng {expected})",
            f"file {file_name!r}: extension {found} is not a report; expected .xlsx or .zip "
            f"(file name {expected_en})",
        )
    match = _STEM_RE.match(stem)
    if not match:
        raise ReportNameError(
            file_name,
            f"Tệp {file_name!r}: tên {stem!r} không đúng dạng {expected}, ví dụ 088_2024-H1.xlsx",
            f"file {file_name!r}: name {stem!r} does not follow {expected_en}, "
            f"e.g. 088_2024-H1.xlsx",
        )
    return ReportName(match["unit"], match["period"], ext.lower())
