"""Dagster's run history on PostgreSQL: deploy/dagster.yaml's block, a real server, a real load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.orchestration.postgres import postgres_instance_yaml, running_postgres

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TCD = Path(sys.executable).with_name("tcd")


def test_a_load_records_its_runs_and_materialisations_in_postgresql(tmp_path: Path) -> None:
    import dagster as dg

    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text(postgres_instance_yaml(), encoding="utf-8")
    with running_postgres() as server:
        env = {**os.environ, **server.env(), "DAGSTER_HOME": str(dagster_home)}
        env.pop("TCD_PSEUDONYM_KEY", None)
        load = subprocess.run(
            [str(TCD), "load", "--home", str(tmp_path / "home"), "--demo-key"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert load.returncode == 0, load.stdout[-3000:] + load.stderr[-3000:]
        os.environ.update(server.env())
        try:
            with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
                storage = type(instance.run_storage).__name__
                runs = instance.get_runs()
                published = instance.get_latest_materialization_event(
                    dg.AssetKey("published_warehouse")
                )
        finally:
            for name in server.env():
                os.environ.pop(name, None)
    assert storage == "PostgresRunStorage"
    assert {run.job_name for run in runs} >= {"pull_reports"}
    assert all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs), runs
    assert published is not None
    assert not list(dagster_home.rglob("*.db")), "nothing of the history went to SQLite"
