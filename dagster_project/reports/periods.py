"""Report file names and reporting periods (``YYYY-H1`` = Jan-Jun, ``YYYY-H2`` = Jul-Dec)."""

from __future__ import annotations

import re
from datetime import date

_FILE_NAME = re.compile(
    r"^(?P<unit>[A-Za-z0-9][A-Za-z0-9_\-]*?)_(?P<period>\d{4}-[Hh][12])(?P<ext>\.xlsx|\.zip)?$",
    re.IGNORECASE,
)
_PERIOD = re.compile(r"^(\d{4})-H([12])$")
FILE_NAME_PATTERN = "<mã đơn vị>_<YYYY-H1|YYYY-H2>.xlsx|.zip (088_2024-H1.xlsx)"


def parse_file_name(name: str) -> tuple[str, str]:
    """Unit code and period from a report file name: ``088_2024-H1.xlsx`` → ("088", "2024-H1").

    Also accepts ``.zip`` bundles and bundle folder names (no extension). Raises ``ValueError``
    with a Vietnamese and English message naming the expected pattern.
    """
    match = _FILE_NAME.match(name.strip())
    if not match:
        raise ValueError(
            f"Tên tệp '{name}' không đúng mẫu <mã đơn vị>_<kỳ>.xlsx, ví dụ 088_2024-H1.xlsx / "
            f"File name '{name}' does not follow <unit code>_<period>.xlsx, e.g. 088_2024-H1.xlsx"
        )
    return match["unit"], match["period"].upper()


def period_bounds(period_code: str) -> tuple[date, date]:
    """First and last day of a half-year period; ``ValueError`` for anything else."""
    match = _PERIOD.match(period_code)
    if not match:
        raise ValueError(f"not a period code: {period_code!r}")
    year, half = int(match[1]), int(match[2])
    return (
        (date(year, 1, 1), date(year, 6, 30))
        if half == 1
        else (date(year, 7, 1), date(year, 12, 31))
    )
