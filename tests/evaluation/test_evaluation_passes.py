"""The evaluations of many scopes read their figures in one pass over the marts: each scope gets
exactly the text, figures and sources it gets when it is evaluated alone, whatever else is
evaluated with it (other provinces, other periods, units inside it); `tcd report` takes its
charts from the pipeline's chart cache."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest

from dagster_project.evaluation import EvaluationError, evaluate, write_evaluation
from dagster_project.evaluation.chart_cache import CACHE_FOLDER
from tests.integration.conftest import LoadRun, run_tcd

pytestmark = pytest.mark.integration


def draft_content(draft) -> tuple:
    return draft.markdown, draft.figures.provenance_rows(), draft.chart_requests, draft.show_ids


def test_scopes_evaluated_together_read_what_each_reads_alone(demo_load: LoadRun) -> None:
    with duckdb.connect(str(demo_load.published), read_only=True) as con:
        provinces = [p for (p,) in con.execute(
            "select distinct province_code from marts.dim_reporting_unit order by 1"
        ).fetchall()]  # fmt: skip
        units = [u for (u,) in con.execute(
            "select distinct unit_code from marts.dim_reporting_unit where province_code = '10' "
            "order by 1 limit 4"
        ).fetchall()]  # fmt: skip
        # Each scope at another period, units inside province 10, and a scope that is unknown.
        periods = ["2024-H2", "2024-H1", "2023-H2", "2023-H1", "2022-H2"]
        wanted = {scope: periods[i % len(periods)] for i, scope in enumerate(provinces + units)}
        wanted["99"] = "2024-H1"
        together = evaluate._Shared(con, wanted)
        compared, with_sources = 0, 0
        for scope, period in wanted.items():
            alone = evaluate._Shared(con, {scope: period})
            if scope == "99":
                for shared in (together, alone):
                    with pytest.raises(EvaluationError, match="unit '99' is not in"):
                        evaluate._draft(shared, scope, None)
                continue
            first = evaluate._draft(together, scope, None)
            second = evaluate._draft(alone, scope, None)
            assert draft_content(first) == draft_content(second), f"{scope} {period}"
            with_sources += any(figure.sources for figure in first.figures.used)
            compared += 1
    assert compared == len(wanted) - 1 >= 8
    assert with_sources >= 6, "most scopes have figures traced to report rows"


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as docx:
        return {name: docx.read(name) for name in docx.namelist()}


def test_report_takes_its_charts_from_the_pipelines_cache(
    demo_load: LoadRun, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / "published").mkdir(parents=True)
    shutil.copy(demo_load.published, home / "published" / "warehouse.duckdb")
    shutil.copytree(demo_load.home / "reports", home / "reports")
    charts = home / "reports" / CACHE_FOLDER
    kept = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in charts.iterdir()}
    assert kept

    out = tmp_path / "out"
    proc = run_tcd("report", "--home", str(home), "--out", str(out), "--period", "2024-H2",
                   "--unit", "10")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    written = out / "10_2024-H2_danh-gia.html"
    assert written.read_bytes() == (home / "reports" / written.name).read_bytes()
    assert members(out / "10_2024-H2_danh-gia.docx") == members(
        home / "reports" / "10_2024-H2_danh-gia.docx"
    )
    now = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in charts.iterdir()}
    assert now == kept, "every chart taken from the cache, none drawn or rewritten"

    # A period the pipeline did not evaluate: its charts are drawn once and kept for next time.
    proc = run_tcd("report", "--home", str(home), "--out", str(out), "--period", "2024-H1",
                   "--unit", "10")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    added = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in charts.iterdir()}
    assert set(added) > set(kept), "its new charts are kept for next time"
    alone = write_evaluation(home / "published" / "warehouse.duckdb", "10", "2024-H1",
                             tmp_path / "alone")  # fmt: skip
    assert alone.charts_drawn == 2
    assert alone.html.read_bytes() == (out / "10_2024-H1_danh-gia.html").read_bytes()
    proc = run_tcd("report", "--home", str(home), "--out", str(out), "--period", "2024-H1",
                   "--unit", "10")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in charts.iterdir()} == added
