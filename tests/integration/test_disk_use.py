"""A week of nightly loads leaves the code checkout as it was and the home folder bounded.

The retention settings are turned down so that a week shows what a year would: two runs of dbt
artifacts, and no run history or validation older than the run that just published. Every other
night brings a resubmission and builds; the nights between bring nothing and build nothing.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.integration.conftest import REPO, SAMPLE_REPORTS, run_load

pytestmark = [pytest.mark.integration, pytest.mark.long]

NIGHTS = 7
KEPT = 2
ONE_RUN_OF_DBT_ARTIFACTS = 5 * 2**20
"""dbt writes about 12 MB a run for this project; far more than 5 MB in any case."""


def tree_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def checkout_dbt_files() -> set[str]:
    return {str(path.relative_to(REPO)) for path in (REPO / "dbt").rglob("*") if path.is_file()}


def test_a_week_of_nightly_loads_keeps_the_disk_bounded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"TCD_DBT_RUNS_KEPT": str(KEPT), "TCD_RUN_HISTORY_DAYS": "0"}
    before = checkout_dbt_files()
    sizes, build_sizes = [], []
    for night in range(NIGHTS):
        args = ["--demo-key"]
        if night % 2:  # the same bundle sent again with a note: new bytes, a new version to build
            inbox = tmp_path / f"inbox-{night}"
            inbox.mkdir()
            resubmitted = inbox / "085_2024-H1.zip"
            shutil.copy(SAMPLE_REPORTS / "085" / "085_2024-H1.zip", resubmitted)
            with zipfile.ZipFile(resubmitted, "a") as bundle:
                bundle.comment = f"night {night}".encode()
            args += ["--inbox", str(inbox)]
        run = run_load(home, *args, env=env)
        assert run.returncode == 0, f"night {night + 1}: {run.stdout[-2000:]}{run.stderr[-2000:]}"
        if night and not night % 2:
            assert "Nothing new" in run.stdout, run.stdout[-2000:]
        # dbt's build database is rebuilt every build; DuckDB reuses its freed blocks, so it
        # swings between one and two copies of the tables: bounded, but not monotonic.
        build_sizes.append(tree_size(home / "build"))
        sizes.append(tree_size(home) - build_sizes[-1])
    runs = sorted((home / "dbt" / "target").iterdir())
    assert len(runs) == KEPT, [path.name for path in runs]
    assert all((path / "run_results.json").is_file() for path in runs)
    assert checkout_dbt_files() == before, "a load wrote into the code checkout's dbt/ folder"
    growth = sizes[-1] - sizes[KEPT]
    assert growth < ONE_RUN_OF_DBT_ARTIFACTS, f"the last nights grew the home by {growth:,} bytes"
    assert max(build_sizes) <= 2.5 * build_sizes[0], build_sizes
    with duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True) as con:
        summary = json.loads(
            con.execute("select check_summary from marts.publish_log order by version").fetchone()[
                0
            ]
        )
    checks = summary["checks"]
    assert checks["run"] > 50 and checks["run"] == checks["passed"] + checks["warned"]
    assert checks["failed"] == 0
    assert summary["dbt"]["pass"] > 50
