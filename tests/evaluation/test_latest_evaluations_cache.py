"""After a publish every province's evaluation is written again, but a chart is drawn only when
its figures changed: a second run with the same data redraws nothing (matplotlib is not even
imported) and writes the same bytes; a province whose admissions changed gets a new chart and
its old one is removed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from dagster_project.evaluation import write_evaluation, write_latest_evaluations
from dagster_project.evaluation.chart_cache import CACHE_FOLDER
from tests.integration.conftest import LoadRun

pytestmark = pytest.mark.integration

SECOND_RUN = """
import json, sys
from pathlib import Path
from dagster_project.evaluation import write_latest_evaluations
written, refused = write_latest_evaluations(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps({
    "drawn": sum(e.charts_drawn for e in written),
    "reused": sum(e.charts_reused for e in written),
    "matplotlib": sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib"),
}))
"""


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def outputs(folder: Path) -> dict[str, object]:
    """Every written file's content; a Word file by its members (the zip stamps write times)."""
    out: dict[str, object] = {}
    for path in sorted(folder.glob("*_*")):
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as docx:
                out[path.name] = {name: docx.read(name) for name in docx.namelist()}
        else:
            out[path.name] = path.read_bytes()
    return out


@pytest.fixture
def published(demo_load: LoadRun, tmp_path: Path) -> Path:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_load.published, db)
    return db


def test_a_second_run_with_the_same_data_draws_nothing_and_writes_the_same_bytes(
    published: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    written, refused = write_latest_evaluations(published, out)
    assert written and not refused
    drawn = sum(e.charts_drawn for e in written)
    assert drawn >= len(written) and not sum(e.charts_reused for e in written)
    charts = stats(out / CACHE_FOLDER)
    assert len(charts) == 2 * drawn
    first = outputs(out)

    proc = subprocess.run(
        [sys.executable, "-c", SECOND_RUN, str(published), str(out)],
        capture_output=True, text=True, timeout=300, env=os.environ.copy(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    second = json.loads(proc.stdout.splitlines()[-1])
    assert second == {"drawn": 0, "reused": drawn, "matplotlib": []}
    assert stats(out / CACHE_FOLDER) == charts, "no chart file rewritten"
    assert outputs(out) == first

    # What the cache gives is what drawing gives: the same province written without a cache.
    province = written[0]
    alone = write_evaluation(published, province.scope, province.period, tmp_path / "alone")
    assert alone.charts_drawn >= 1 and not (tmp_path / "alone" / CACHE_FOLDER).exists()
    assert alone.html.read_bytes() == province.html.read_bytes()
    assert outputs(tmp_path / "alone") == {
        name: content for name, content in first.items() if name.startswith(f"{province.scope}_")
    }


def test_changed_admissions_redraw_that_province_and_drop_its_old_chart(
    published: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    before = {(e.scope, e.period): e for e in write_latest_evaluations(published, out)[0]}
    charts_before = set(stats(out / CACHE_FOLDER))
    html_before = before[("10", "2024-H2")].html.read_bytes()
    with duckdb.connect(str(published)) as con:
        con.execute(
            "delete from marts.fct_admissions where period_code = '2024-H2' and unit_code = "
            "(select min(unit_code) from marts.dim_reporting_unit where province_code = '10')"
        )
    after = {(e.scope, e.period): e for e in write_latest_evaluations(published, out)[0]}
    assert after.keys() == before.keys()
    changed = after[("10", "2024-H2")]
    assert changed.charts_drawn >= 1
    assert sum(e.charts_drawn for key, e in after.items() if key != ("10", "2024-H2")) == 0
    charts_after = set(stats(out / CACHE_FOLDER))
    total = sum(e.charts_drawn + e.charts_reused for e in after.values())
    assert len(charts_after) == 2 * total, "the replaced chart is removed, the rest kept"
    assert charts_after - charts_before and charts_before - charts_after
    assert changed.html.read_bytes() != html_before
