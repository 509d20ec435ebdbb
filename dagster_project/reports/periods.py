"""The reporting periods the parser needs: the calendar itself lives in `ingest.periods`."""

from __future__ import annotations

from dagster_project.ingest.periods import period_bounds

FILE_NAME_PATTERN = "<mã đơn vị>_<YYYY-H1|YYYY-H2>.xlsx|.zip (088_2024-H1.xlsx)"

__all__ = ["FILE_NAME_PATTERN", "period_bounds"]
