"""Half-year reporting periods (`YYYY-H1`, `YYYY-H2`).

The one calendar of the project: the pull, the parser, the quality checks and the sample generator
read period dates from here (the SQL side has its twin in dbt/macros/periods.sql).
"""

from __future__ import annotations

import re
from datetime import date

PERIOD_PATTERN = r"\d{4}-H[12]"
_PERIOD_RE = re.compile(rf"^{PERIOD_PATTERN}$")


def is_period_code(value: str) -> bool:
    """True when `value` is a well-formed half-year code such as `2024-H1`."""
    return bool(_PERIOD_RE.match(value))


def period_bounds(period_code: str) -> tuple[date, date]:
    """First and last day of a half-year; H1 is January-June, H2 July-December."""
    if not is_period_code(period_code):
        raise ValueError(
            f"Mã kỳ báo cáo không hợp lệ: {period_code!r}, cần dạng YYYY-H1 hoặc YYYY-H2 / "
            f"invalid period code {period_code!r}, expected YYYY-H1 or YYYY-H2"
        )
    year = int(period_code[:4])
    if period_code.endswith("H1"):
        return date(year, 1, 1), date(year, 6, 30)
    return date(year, 7, 1), date(year, 12, 31)


def period_range(first: str, last: str) -> list[str]:
    """All period codes from `first` to `last`, inclusive (empty when `last` comes first)."""
    period_bounds(first), period_bounds(last)  # ValueError for a malformed code
    out: list[str] = []
    year, half = int(first[:4]), int(first[-1])
    while (year, half) <= (int(last[:4]), int(last[-1])):
        out.append(f"{year}-H{half}")
        year, half = (year, 2) if half == 1 else (year + 1, 1)
    return out
