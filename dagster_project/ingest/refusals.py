"""Files the pull refused, kept for dbt (`TCD_HOME/reference/pull_refusals.parquet`).

A refused file has no report version, so the parser never sees it; this file is how its
finding reaches `marts.dq_issues` (through the source `pull.refusals`). It records refusals of
the file itself (its name, the registry, a link leading outside the inbox, its size): the
same refusal of the same source is one row, kept from when it was first made (a file refused
again on every pull changes nothing, so a quiet night does not rebuild). Faults of a location (a
portal down, a deadline reached) are not the file's: they go to the run's summary and metadata.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_project.ingest.landing import Landing, write_atomically
from dagster_project.ingest.naming import (
    ReportNameError,
    parse_bundle_folder_name,
    parse_report_name,
)

if TYPE_CHECKING:
    from dagster_project.ingest.pull import PullRejection

log = logging.getLogger(__name__)

REFUSALS_FILE = "pull_refusals.parquet"
FILE_RULES = frozenset({"DQ_FILE_NAME", "DQ_UNSAFE_PATH", "DQ_FILE_TOO_LARGE"})
"""Rule codes of refusals about the file itself; only these reach dq_issues."""
_COLUMNS = (
    "refusal_id",
    "file_name",
    "source_uri",
    "unit_code",
    "period_code",
    "rule_code",
    "value",
    "expected",
    "message_vi",
    "message_en",
    "refused_at",
)


def refusals_path(home: Path) -> Path:
    return Path(home) / "reference" / REFUSALS_FILE


def _schema():
    import pyarrow as pa

    text = {name: pa.string() for name in _COLUMNS}
    text["refused_at"] = pa.timestamp("us", tz="UTC")
    return pa.schema(list(text.items()))


def _unit_and_period(name: str) -> tuple[str | None, str | None]:
    """The unit and period a refused name states, when its form is readable at all."""
    try:
        report = parse_bundle_folder_name(name) or parse_report_name(name)
    except ReportNameError:
        return None, None
    return report.unit_code, report.period_code


def read_refusals(home: Path) -> list[dict]:
    """The recorded refusals; an unreadable record (a disk that filled up, say) starts afresh:
    the files it named are refused again at their next pull if they are still there."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = refusals_path(home)
    if not path.exists():
        return []
    try:
        return pq.read_table(path, schema=_schema()).to_pylist()
    except (OSError, pa.ArrowException) as exc:
        log.warning("pull refusals %s unreadable (%s); recorded afresh", path, exc)
        return []


def ensure_refusals_file(reference_dir: Path) -> None:
    """An empty file where nothing was ever refused, so dbt's source always exists."""
    path = Path(reference_dir) / REFUSALS_FILE
    if not path.exists():
        _write(path, [])


def _write(path: Path, rows: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema()
    table = pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
    write_atomically(path, lambda handle: pq.write_table(table, handle))


def record_refusals(landing: Landing, rejections: Iterable[PullRejection]) -> int:
    """Add this pull's refusals of files to the record; returns how many it holds now."""
    now = datetime.now(UTC)
    of_files = [r for r in rejections if r.rule_code in FILE_RULES and r.file_name]
    with landing.lock():
        rows = {row["refusal_id"]: row for row in read_refusals(landing.home)}
        known = len(rows)
        for rejection in of_files:
            r = rejection
            key = "\0".join((r.source_uri, r.file_name, r.rule_code, r.reason_en))
            refusal_id = hashlib.sha256(key.encode()).hexdigest()[:16]
            if refusal_id in rows:
                continue
            unit_code, period_code = _unit_and_period(rejection.file_name)
            rows[refusal_id] = {
                "refusal_id": refusal_id,
                "file_name": rejection.file_name,
                "source_uri": rejection.source_uri,
                "unit_code": unit_code,
                "period_code": period_code,
                "rule_code": rejection.rule_code,
                "value": rejection.value,
                "expected": rejection.expected,
                "message_vi": rejection.reason_vi,
                "message_en": rejection.reason_en,
                "refused_at": now,
            }
        if len(rows) > known or not refusals_path(landing.home).exists():
            ordered = sorted(rows.values(), key=lambda row: row["refusal_id"])
            _write(refusals_path(landing.home), ordered)
    return len(rows)
