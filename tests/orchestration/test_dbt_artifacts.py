"""dbt's per-run artifacts live under TCD_HOME, a bounded number of them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from dbt.constants import PARTIAL_PARSE_FILE_NAME as PARTIAL_PARSE_FILE

from dagster_project.resources.dbt_artifacts import (
    DEFAULT_RUNS_KEPT,
    carry_partial_parse,
    prune_run_targets,
    run_results_summary,
    run_target_path,
    runs_kept,
)


def make_run(home: Path, run_id: str, age: int) -> Path:
    folder = run_target_path(home, run_id)
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}")
    stamp = 1_700_000_000 + age
    os.utime(folder, (stamp, stamp))
    return folder


def test_run_folders_are_under_the_home_not_the_checkout(tmp_path: Path) -> None:
    assert run_target_path(tmp_path, "abc") == tmp_path / "dbt" / "target" / "abc"


def test_only_the_newest_runs_are_kept(tmp_path: Path) -> None:
    folders = [make_run(tmp_path, f"run-{i}", age=i) for i in range(7)]
    removed = prune_run_targets(tmp_path, keep=3)
    assert sorted(removed) == sorted(folders[:4])
    assert sorted(p.name for p in (tmp_path / "dbt" / "target").iterdir()) == [
        "run-4",
        "run-5",
        "run-6",
    ]


def test_the_running_build_is_never_removed(tmp_path: Path) -> None:
    current = make_run(tmp_path, "current", age=0)  # oldest by time, but running
    for i in range(3):
        make_run(tmp_path, f"run-{i}", age=10 + i)
    prune_run_targets(tmp_path, keep=1, current=current)
    assert current.exists()


@pytest.mark.parametrize(("value", "expected"), [("", DEFAULT_RUNS_KEPT), ("3", 3)])
def test_how_many_runs_are_kept_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: int
) -> None:
    monkeypatch.setenv("TCD_DBT_RUNS_KEPT", value)
    assert runs_kept() == expected


@pytest.mark.parametrize("value", ["0", "ten"])
def test_a_wrong_count_is_refused_in_both_languages(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("TCD_DBT_RUNS_KEPT", value)
    with pytest.raises(ValueError, match="TCD_DBT_RUNS_KEPT") as error:
        runs_kept()
    assert " / " in str(error.value)


def test_run_results_are_counted_by_status(tmp_path: Path) -> None:
    statuses = ["success", "success", "pass", "pass", "pass", "warn", "fail", "skipped"]
    (tmp_path / "run_results.json").write_text(
        json.dumps({"results": [{"status": s} for s in statuses]})
    )
    assert run_results_summary(tmp_path) == {
        "fail": 1,
        "pass": 3,
        "skipped": 1,
        "success": 2,
        "warn": 1,
    }


def test_a_run_starts_from_the_newest_parse_of_its_home(tmp_path: Path) -> None:
    older = make_run(tmp_path, "run-1", age=1)
    newer = make_run(tmp_path, "run-2", age=2)
    make_run(tmp_path, "run-3", age=3)  # a run that failed before dbt parsed
    (older / PARTIAL_PARSE_FILE).write_bytes(b"older")
    (newer / PARTIAL_PARSE_FILE).write_bytes(b"newer")
    os.utime(older / PARTIAL_PARSE_FILE, (1_700_000_001, 1_700_000_001))
    os.utime(newer / PARTIAL_PARSE_FILE, (1_700_000_002, 1_700_000_002))
    current = run_target_path(tmp_path, "run-4")
    assert carry_partial_parse(tmp_path, current) == newer / PARTIAL_PARSE_FILE
    assert (current / PARTIAL_PARSE_FILE).read_bytes() == b"newer"


def test_a_parse_already_in_place_is_kept(tmp_path: Path) -> None:
    earlier = make_run(tmp_path, "run-1", age=1)
    (earlier / PARTIAL_PARSE_FILE).write_bytes(b"earlier")
    current = make_run(tmp_path, "run-2", age=2)
    (current / PARTIAL_PARSE_FILE).write_bytes(b"own")
    assert carry_partial_parse(tmp_path, current) is None
    assert (current / PARTIAL_PARSE_FILE).read_bytes() == b"own"


def test_a_new_home_has_no_parse_to_carry(tmp_path: Path) -> None:
    current = run_target_path(tmp_path, "run-1")
    assert carry_partial_parse(tmp_path, current) is None
    assert not current.exists()
