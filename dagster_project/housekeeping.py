"""Keep a year of nightly loads from filling the disk: old run history and old Data Docs go.

Dagster keeps every run, its event log and its step logs forever, and Great Expectations keeps
every validation result and page. After each publish, runs that finished more than
``TCD_RUN_HISTORY_DAYS`` days ago (default 90) are deleted from the instance with their step
logs, and so are the validations of that age. dbt's artifacts have their own retention
(`resources/dbt_artifacts.py`).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

HISTORY_DAYS_ENV = "TCD_RUN_HISTORY_DAYS"
DEFAULT_HISTORY_DAYS = 90
FINISHED = [
    dg.DagsterRunStatus.SUCCESS,
    dg.DagsterRunStatus.FAILURE,
    dg.DagsterRunStatus.CANCELED,
]
RUN_TIME = re.compile(r"^(\d{8}T\d{6})\.\d+Z$")
"""GX names each validation's folder by its run time, e.g. 20261124T134125.511181Z."""


def history_days() -> int | None:
    """Days of history to keep (``TCD_RUN_HISTORY_DAYS``); None keeps everything (-1)."""
    value = os.environ.get(HISTORY_DAYS_ENV, "").strip() or str(DEFAULT_HISTORY_DAYS)
    try:
        days = int(value)
    except ValueError as exc:
        raise ValueError(
            f"{HISTORY_DAYS_ENV}={value!r} không phải số nguyên / is not a whole number "
            "(expected the days of run history to keep, or -1 to keep everything)"
        ) from exc
    return None if days < 0 else days


@dataclass(frozen=True)
class Pruned:
    runs: int
    validations: int


def prune_runs(instance: dg.DagsterInstance, cutoff: datetime, *, keep: str = "") -> int:
    """Delete finished runs created before ``cutoff`` (never ``keep``), with their step logs."""
    removed = 0
    while True:
        records = instance.get_run_records(
            filters=dg.RunsFilter(statuses=FINISHED, created_before=cutoff), limit=200
        )
        records = [r for r in records if r.dagster_run.run_id != keep]
        if not records:
            return removed
        for record in records:
            run_id = record.dagster_run.run_id
            instance.compute_log_manager.delete_logs(prefix=[run_id])
            instance.delete_run(run_id)
            _remove_run_shard(instance, run_id)
            removed += 1


def _remove_run_shard(instance: dg.DagsterInstance, run_id: str) -> None:
    """SQLite keeps one event-log file per run; deleting its rows does not shrink it."""
    path_for_shard = getattr(instance.event_log_storage, "path_for_shard", None)
    if path_for_shard is None:  # PostgreSQL: the rows are gone, the server reuses the space
        return
    shard = Path(path_for_shard(run_id))
    for path in (shard, shard.with_name(shard.name + "-wal"), shard.with_name(shard.name + "-shm")):
        path.unlink(missing_ok=True)


def prune_validations(docs_dir: Path, cutoff: datetime, *, keep_run: str = "") -> int:
    """Delete GX validation results and pages whose run time is before ``cutoff``.

    Validations are named by the Dagster run; those of ``keep_run`` always stay.
    """
    removed = 0
    for root in (docs_dir / "validations", docs_dir / "gx" / "uncommitted" / "validations"):
        if not root.is_dir():
            continue
        in_site = root == docs_dir / "validations"
        for folder in sorted(root.rglob("*T*Z")):
            match = RUN_TIME.match(folder.name)
            if not match or not folder.is_dir() or folder.parent.name == keep_run:
                continue
            run_time = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            if run_time < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += int(in_site)
                parent = folder.parent
                if parent.is_dir() and not any(parent.iterdir()):
                    parent.rmdir()
    return removed


def prune_history(
    instance: dg.DagsterInstance, docs_dir: Path, *, keep_run: str = "", now: datetime | None = None
) -> Pruned:
    """Apply ``TCD_RUN_HISTORY_DAYS`` to the run history and the Data Docs."""
    days = history_days()
    if days is None:
        return Pruned(0, 0)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    return Pruned(
        prune_runs(instance, cutoff, keep=keep_run),
        prune_validations(docs_dir, cutoff, keep_run=keep_run),
    )
