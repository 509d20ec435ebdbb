"""Old runs, their step logs and old Data Docs validations are removed; recent ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.housekeeping import (
    DEFAULT_HISTORY_DAYS,
    history_days,
    prune_history,
    prune_validations,
)


@dg.asset
def tiny() -> int:
    return 1


def run_once(instance: dg.DagsterInstance) -> str:
    return dg.materialize([tiny], instance=instance).run_id


def test_finished_runs_before_the_cutoff_go_with_their_logs(tmp_path: Path) -> None:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        old = run_once(instance)
        current = run_once(instance)
        logs = tmp_path / "storage" / old
        shard = Path(instance.event_log_storage.path_for_shard(old))
        assert logs.exists() and shard.exists()
        pruned = prune_history(
            instance,
            tmp_path / "docs",
            keep_run=current,
            now=datetime.now(UTC) + timedelta(days=91),
        )
        assert pruned.runs == 1
        assert instance.get_run_by_id(old) is None
        assert instance.get_run_by_id(current) is not None
        assert not logs.exists() and not shard.exists()


def test_recent_runs_stay(tmp_path: Path) -> None:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        run_id = run_once(instance)
        assert prune_history(instance, tmp_path / "docs").runs == 0
        assert instance.get_run_by_id(run_id) is not None


def make_validation(docs: Path, when: datetime, run: str = "run-a") -> list[Path]:
    stamp = when.strftime("%Y%m%dT%H%M%S.000000Z")
    folders = [
        docs / "validations" / "ket_nap" / run / stamp,
        docs / "gx" / "uncommitted" / "validations" / "ket_nap" / run / stamp,
    ]
    for folder in folders:
        folder.mkdir(parents=True)
        (folder / "frames-ket_nap.html").write_text("<html></html>")
    return folders


def test_validations_older_than_the_cutoff_are_removed(tmp_path: Path) -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    old = make_validation(tmp_path, now - timedelta(days=100))
    new = make_validation(tmp_path, now - timedelta(days=1))
    assert prune_validations(tmp_path, now - timedelta(days=90)) == 1
    assert not any(folder.exists() for folder in old)
    assert all(folder.exists() for folder in new)


def test_the_running_validations_stay_whatever_the_cutoff(tmp_path: Path) -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    current = make_validation(tmp_path, now - timedelta(days=1), run="run-now")
    assert prune_validations(tmp_path, now, keep_run="run-now") == 0
    assert all(folder.exists() for folder in current)


@pytest.mark.parametrize(
    ("value", "expected"), [("", DEFAULT_HISTORY_DAYS), ("7", 7), ("-1", None)]
)
def test_the_history_kept_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: int | None
) -> None:
    monkeypatch.setenv("TCD_RUN_HISTORY_DAYS", value)
    assert history_days() == expected


def test_a_wrong_value_is_refused_in_both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCD_RUN_HISTORY_DAYS", "a year")
    with pytest.raises(ValueError, match="không phải số nguyên / is not a whole number"):
        history_days()
