"""Build the fixture world once per test session with the real `dbt build`.

dbt's start-up costs seconds, so the world is written and built once: batch one with a full
build, then batch two with an incremental build, and every test reads the resulting DuckDB file
read-only.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.dbt.world import batch_one, batch_two, write_world

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_EXECUTABLE = REPO_ROOT / ".venv" / "bin" / "dbt"


@dataclass
class DbtRun:
    """Where the builds happened and how long each dbt invocation took."""

    home: Path
    database: Path
    full_refresh_database: Path
    seconds: dict[str, float]


def run_dbt(home: Path, *args: str, database: Path | None = None, target: str = "target") -> float:
    """Run the real dbt CLI against the fixture home; fail the session with dbt's log."""
    env = {
        **os.environ,
        "TCD_HOME": str(home),
        "TCD_SOURCES_DIR": str(REPO_ROOT / "sources"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if database is not None:
        env["TCD_DUCKDB_PATH"] = str(database)
    command = [
        str(DBT_EXECUTABLE),
        *args,
        "--project-dir",
        str(REPO_ROOT / "dbt"),
        "--profiles-dir",
        str(REPO_ROOT / "dbt"),
        "--target-path",
        str(home / f"dbt_{target}"),
        "--log-path",
        str(home / f"dbt_{target}_logs"),
    ]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        pytest.fail(f"dbt {' '.join(args)} failed:\n{result.stdout[-8000:]}\n{result.stderr}")
    return elapsed


@pytest.fixture(scope="session")
def dbt_world(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    home = tmp_path_factory.mktemp("tcd_home")
    (home / "build").mkdir()
    models_and_seeds = ("--resource-type", "seed", "--resource-type", "model")
    write_world(home, batch_one())
    seconds = {"first run": run_dbt(home, "build", *models_and_seeds)}
    write_world(home, batch_two())
    seconds["incremental build"] = run_dbt(home, "build")
    full_refresh = home / "build" / "full_refresh.duckdb"
    seconds["full refresh"] = run_dbt(
        home,
        "build",
        "--full-refresh",
        *models_and_seeds,
        database=full_refresh,
        target="full_refresh",
    )
    return DbtRun(
        home=home,
        database=home / "build" / "warehouse.duckdb",
        full_refresh_database=full_refresh,
        seconds=seconds,
    )


@pytest.fixture()
def warehouse(dbt_world: DbtRun) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(dbt_world.database), read_only=True)
    try:
        yield con
    finally:
        con.close()
