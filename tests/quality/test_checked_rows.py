"""A mart check after a publish validates only the rows that have not passed, with every row
they could collide with; anything that breaks the link to the passed rows validates whole."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dagster_project.publish import publish_marts
from dagster_project.quality import checks
from dagster_project.quality.checked_rows import RECORD_FILE, CheckedRows
from tests.quality.conftest import fct_admissions_frame, member_key, write_build_db

SUITE = "admissions.fct_admissions"


@pytest.fixture
def passed(tmp_path: Path) -> tuple[Path, Path, pd.DataFrame]:
    """A build whose fct_admissions passed its check and was published: (build, published,
    its rows), in a home whose path needs quoting in SQL."""
    home = tmp_path / "O'Brien dữ liệu"
    frame = fct_admissions_frame()
    build = write_build_db(home / "build" / "warehouse.duckdb", {"fct_admissions": frame})
    published = home / "published" / "warehouse.duckdb"
    run = checks.check_mart("admissions", "fct_admissions", build, None)
    assert run.result.passed
    record = CheckedRows(build, published)
    record.passed({"fct_admissions": SUITE})
    record.save()
    publish_marts(build, published, required=())
    return build, published, frame


def rebuild(build: Path, frame: pd.DataFrame) -> None:
    build.unlink()
    write_build_db(build, {"fct_admissions": frame})


def check(build: Path, published: Path) -> checks.MartCheckRun:
    baseline = CheckedRows(build, published).baseline(SUITE, "fct_admissions")
    return checks.check_mart("admissions", "fct_admissions", build, None, baseline=baseline)


def test_only_the_new_rows_are_validated(passed) -> None:
    build, published, frame = passed
    extra = frame.iloc[[0]].assign(member_key=member_key("036099000999"), report_id="r-new")
    rebuild(build, pd.concat([frame, extra], ignore_index=True))
    run = check(build, published)
    assert run.result.passed, run.result.metadata["findings"]
    assert run.result.metadata["rows"].value == 1
    assert run.result.metadata["table_rows"].value == len(frame) + 1
    assert run.result.metadata["checked"].value == checks.CHECKED_CHANGES


def test_a_new_row_colliding_with_a_passed_one_fails_and_keeps_the_whole_table(passed) -> None:
    build, published, frame = passed
    extra = frame.iloc[[0]].assign(report_id="r-again", birth_year=1990)  # same member_key
    rebuild(build, pd.concat([frame, extra], ignore_index=True))
    run = check(build, published)
    assert not run.result.passed
    assert "member_key" in run.result.metadata["findings"].value
    assert run.frame is not None and len(run.frame) == len(frame) + 1  # whole, for the gate


def test_a_bad_new_row_fails(passed) -> None:
    build, published, frame = passed
    extra = frame.iloc[[0]].assign(member_key=None, report_id="r-new")
    rebuild(build, pd.concat([frame, extra], ignore_index=True))
    assert not check(build, published).result.passed


@pytest.mark.parametrize("tamper", ["digest", "fingerprint", "missing"])
def test_a_record_that_does_not_match_validates_the_table_whole(passed, tamper) -> None:
    build, published, frame = passed
    path = build.parent / RECORD_FILE
    record = json.loads(path.read_text())
    if tamper == "missing":
        path.unlink()
    else:
        record["fct_admissions"][tamper] = "something else"
        path.write_text(json.dumps(record))
    assert CheckedRows(build, published).baseline(SUITE, "fct_admissions") is None
    run = check(build, published)
    assert run.result.passed and run.result.metadata["rows"].value == len(frame)
    assert "checked" not in run.result.metadata
