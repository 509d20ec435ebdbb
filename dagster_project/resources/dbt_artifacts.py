"""dbt's per-run artifacts under TCD_HOME, a bounded number of them, and what they report.

Each dbt invocation writes its manifest, run_results.json, compiled SQL and log (about 12 MB
for this project) into a target folder of its own. They live under ``$TCD_HOME/dbt/target/``,
one folder per Dagster run, never in the code checkout; only the newest ``TCD_DBT_RUNS_KEPT``
folders (default 10) are kept, so a year of nightly loads uses the space of ten.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

RUNS_KEPT_ENV = "TCD_DBT_RUNS_KEPT"
DEFAULT_RUNS_KEPT = 10


def runs_kept() -> int:
    """How many runs' dbt artifacts to keep (``TCD_DBT_RUNS_KEPT``, at least 1)."""
    value = os.environ.get(RUNS_KEPT_ENV, "").strip()
    if not value:
        return DEFAULT_RUNS_KEPT
    try:
        kept = int(value)
    except ValueError as exc:
        raise ValueError(
            f"{RUNS_KEPT_ENV}={value!r} không phải số nguyên / is not a whole number "
            "(expected how many runs' dbt artifacts to keep, e.g. 10)"
        ) from exc
    if kept < 1:
        raise ValueError(
            f"{RUNS_KEPT_ENV}={kept} phải lớn hơn 0 / must be at least 1 (the running build "
            "needs its own folder)"
        )
    return kept


def targets_dir(home: Path) -> Path:
    return home / "dbt" / "target"


def run_target_path(home: Path, run_id: str) -> Path:
    """The target folder of one Dagster run's dbt invocation."""
    return targets_dir(home) / run_id


def carry_partial_parse(home: Path, target_path: Path) -> Path | None:
    """Start a run's dbt parse from this home's last one (the newest earlier run that left one).

    dbt skips re-reading the project when ``partial_parse.msgpack`` in its target folder was
    written for the same project files, profile and variables; it checks all three itself and
    parses in full when any differs. The checkout's own copy (``dbt/target``, from ``make
    setup``) was written for another profile, since the profile names the home, so without this
    every run of a home parsed the project again (about 3 s). Returns the file carried, if any.
    """
    from dbt.constants import PARTIAL_PARSE_FILE_NAME  # loaded with dagster-dbt by the dbt step

    destination = target_path / PARTIAL_PARSE_FILE_NAME
    if destination.exists():
        return None
    folder = targets_dir(home)
    if not folder.is_dir():
        return None
    earlier = sorted(
        (
            path / PARTIAL_PARSE_FILE_NAME
            for path in folder.iterdir()
            if path.is_dir() and path != target_path and (path / PARTIAL_PARSE_FILE_NAME).is_file()
        ),
        key=lambda path: path.stat().st_mtime_ns,
        reverse=True,
    )
    if not earlier:
        return None
    target_path.mkdir(parents=True, exist_ok=True)
    shutil.copy2(earlier[0], destination)
    return earlier[0]


def prune_run_targets(home: Path, keep: int, *, current: Path | None = None) -> list[Path]:
    """Delete all but the ``keep`` newest run folders (never ``current``); return those deleted."""
    folder = targets_dir(home)
    if not folder.is_dir():
        return []
    runs = sorted(
        (path for path in folder.iterdir() if path.is_dir()),
        key=lambda path: path.stat().st_mtime_ns,
        reverse=True,
    )
    removed = []
    for path in runs[keep:]:
        if current is not None and path.resolve() == current.resolve():
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def run_results_summary(target_path: Path) -> dict[str, int]:
    """Counts of dbt results by status (success, pass, warn, fail, error, skipped)."""
    path = target_path / "run_results.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    return dict(sorted(Counter(str(result.get("status")) for result in results).items()))
