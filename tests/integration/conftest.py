"""Running `tcd` as a user does; the session's one demo load is in tests/conftest.py.

A Dagster + dbt run costs tens of seconds of start-up, so the pipeline runs once per session, as
a user runs it (the `tcd` console script in a separate process), into a temporary home.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
TCD = Path(sys.executable).with_name("tcd")
SAMPLE_REPORTS = REPO / "sources" / "samples" / "reports"


@dataclass
class LoadRun:
    home: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def published(self) -> Path:
        return self.home / "published" / "warehouse.duckdb"

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.published), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | None = None):
        rows = self.query(sql, params)
        assert len(rows) == 1, rows
        return rows[0][0]


def run_tcd(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the `tcd` console script as a user would, in its own process."""
    return subprocess.run(
        [str(TCD), *args],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        cwd=REPO,
    )


def run_load(home: Path, *args: str, env: dict | None = None) -> LoadRun:
    proc = run_tcd("load", "--home", str(home), *args, env=env)
    return LoadRun(home, proc.returncode, proc.stdout, proc.stderr)
