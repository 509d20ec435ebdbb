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
    """Where a build happened and how long each `dbt build` took."""

    home: Path
    database: Path
    seconds: list[float]


def run_dbt(home: Path, *args: str, database: Path | None = None) -> float:
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
        "--project-dir", str(REPO_ROOT / "dbt"),
        "--profiles-dir", str(REPO_ROOT / "dbt"),
        "--target-path", str(home / "dbt_target"),
        "--log-path", str(home / "dbt_logs"),
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
    write_world(home, batch_one())
    first = run_dbt(home, "build")
    write_world(home, batch_two())
    second = run_dbt(home, "build")
    return DbtRun(home=home, database=home / "build" / "warehouse.duckdb", seconds=[first, second])


@pytest.fixture()
def warehouse(dbt_world: DbtRun) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(dbt_world.database), read_only=True)
    try:
        yield con
    finally:
        con.close()
