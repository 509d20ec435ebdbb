"""The reporting periods the parser needs: the calendar itself lives in `ingest.periods`.

Time checks compare with the day the report is read (validated or loaded), in the reporting
units' own time zone: a report read at 06:30 on 1 July in Hanoi is read on 1 July, whatever the
server's clock zone. The day is taken when the report is parsed, so a re-parse of an old report
only ever sees it as older.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dagster_project.ingest.periods import period_bounds
from dagster_project.reports.findings import Finding, make_finding

FILE_NAME_PATTERN = "<mã đơn vị>_<YYYY-H1|YYYY-H2>.xlsx|.zip (088_2024-H1.xlsx)"
REPORTING_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def reporting_today() -> date:
    """Today's date where the reports are written."""
    return datetime.now(REPORTING_TIMEZONE).date()


def period_not_begun(period_code: str, today: date) -> Finding | None:
    """A finding when the period has not begun on ``today``: such a report cannot be true."""
    start, _ = period_bounds(period_code)
    if start <= today:
        return None
    return make_finding("DQ_PERIOD_NOT_BEGUN", value=period_code, expected=f"{start:%d/%m/%Y}")


__all__ = [
    "FILE_NAME_PATTERN",
    "REPORTING_TIMEZONE",
    "period_bounds",
    "period_not_begun",
    "reporting_today",
]
