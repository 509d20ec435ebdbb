"""Write, audit, publish: a failing blocking check keeps the published file; backfills re-parse.

Both tests start from a copy of the demo home, so they pay one load each, not a fresh start.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.integration.conftest import REPO, SAMPLE_REPORTS, LoadRun, run_load, run_tcd
from tests.integration.test_resubmission import restate


def copy_home(demo_load: LoadRun, target: Path) -> Path:
    shutil.rmtree(target)
    shutil.copytree(demo_load.home, target)
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failing_blocking_check_leaves_the_published_file_byte_identical(
    demo_load: LoadRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = copy_home(demo_load, tmp_path_factory.mktemp("gate_home"))
    published = home / "published" / "warehouse.duckdb"
    before = sha256(published)
    log_before = (home / "published" / "publish_log.jsonl").read_text()

    # An operator's stricter copy of the suites: no admission may be published.
    strict = tmp_path_factory.mktemp("strict") / "expectations"
    shutil.copytree(REPO / "expectations", strict)
    suite = json.loads((strict / "admissions.json").read_text())
    suite["expectations"].append(
        {
            "type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": 0, "max_value": 0},
            "meta": {
                "rule_code": "GX_TEST_NO_ADMISSIONS",
                "table": "fct_admissions",
                "description": "A rule every real warehouse breaks.",
            },
        }
    )
    (strict / "admissions.json").write_text(json.dumps(suite, ensure_ascii=False, indent=2))

    inbox = tmp_path_factory.mktemp("gate_inbox")
    restate(
        SAMPLE_REPORTS / "088" / "088_2024-H2.xlsx",
        inbox / "088_2024-H2.xlsx",
        "Số lớp bồi dưỡng nhận thức về Đảng",
        5,
    )
    run = run_load(
        home, "--demo-key", "--inbox", str(inbox), env={"TCD_EXPECTATIONS_DIR": str(strict)}
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "fct_admissions" in run.stdout and "gx_admissions" in run.stdout
    assert "previous published file" in run.stdout
    assert sha256(published) == before
    assert (home / "published" / "publish_log.jsonl").read_text() == log_before


def mart_contents(published: Path) -> dict[str, list]:
    """Every marts table's rows, less the parse-time provenance column a re-parse renews."""
    with duckdb.connect(str(published), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_name <> 'publish_log'"
            ).fetchall()
        ]
        return {
            table: sorted(
                con.execute(f"select * exclude (parsed_at) from marts.{table}").fetchall()
                if "parsed_at" in {c[0] for c in con.execute(f"describe marts.{table}").fetchall()}
                else con.execute(f"select * from marts.{table}").fetchall(),
                key=repr,
            )
            for table in tables
        }


def test_a_backfill_reparses_only_its_periods_and_changes_no_figure(
    demo_load: LoadRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = copy_home(demo_load, tmp_path_factory.mktemp("backfill_home"))
    published = home / "published" / "warehouse.duckdb"
    before = mart_contents(published)
    parsed = f"{home}/parsed/report/*/*.parquet"
    sql = (
        f"select report_id, period_code, parsed_at from read_parquet('{parsed}') "
        "qualify batch_id = max(batch_id) over (partition by report_id)"
    )
    parsed_before = {rid: (period, at) for rid, period, at in duckdb.sql(sql).fetchall()}

    proc = run_tcd("backfill", "--from", "2023-H1", "--reparse", "--demo-key", "--home", str(home))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    parsed_after = {rid: (period, at) for rid, period, at in duckdb.sql(sql).fetchall()}
    reparsed = {rid for rid in parsed_before if parsed_after[rid][1] != parsed_before[rid][1]}
    assert reparsed == {rid for rid, (period, _) in parsed_before.items() if period == "2023-H1"}
    assert reparsed
    assert mart_contents(published) == before
