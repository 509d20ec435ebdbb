"""A damaged landing object, re-parsed in a home whose path dbt's SQL must quote.

One real `tcd backfill --reparse` on a copy of the demo home moved to a path holding an
apostrophe, spaces, braces and Vietnamese letters: dbt builds and publishes from there, and the
report version whose landing object was changed after landing is named in one sentence, not
parsed again, and stays published with all its admissions.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dagster_project.ingest import Landing
from tests.integration.conftest import LoadRun, run_tcd


@pytest.mark.integration
def test_a_damaged_object_is_named_and_its_report_stays_published_in_a_quoted_home(
    demo_load: LoadRun, tmp_path: Path
) -> None:
    home = tmp_path / "O'Brien dữ liệu {tỉnh} 2" / "home"
    shutil.copytree(demo_load.home, home)
    before = LoadRun(home, 0, "", "")
    report_id, period, admissions = before.query(
        "select report_id, period_code, count(*) from marts.fct_admissions "
        "group by all order by report_id limit 1"
    )[0]
    publishes_before = len(before.query("select * from marts.publish_log"))
    landing = Landing(home)
    (entry,) = [e for e in landing.entries() if e.report_id == report_id]
    path = landing.path_of(entry)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    proc = run_tcd("backfill", "--from", period, "--reparse", "--home", str(home), "--demo-key")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    assert report_id in proc.stdout and entry.landing_path in proc.stdout, proc.stdout

    after = LoadRun(home, 0, "", "")
    assert len(after.query("select * from marts.publish_log")) == publishes_before + 1
    assert (
        after.scalar("select count(*) from marts.fct_admissions where report_id = ?", [report_id])
        == admissions
    )
    assert (
        after.scalar(
            "select status from marts.mart_reporting_completeness where report_id = ?", [report_id]
        )
        == "accepted"
    )
