"""The published file changes only by an atomic swap: readers never block it or see a mix."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish import publish_marts as publish_any_marts
from dagster_project.publish import read_publish_log


def make_build(path: Path, rows: int, tag: str) -> Path:
    """A real build database with two marts tables whose content depends on ``tag``."""
    if path.exists():
        path.unlink()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            f"create table marts.fct_admissions as select range as id, '{tag}' as tag "
            f"from range({rows})"
        )
        con.execute(f"create table marts.dim_period as select '{tag}' as period_code")
        con.execute("create schema staging")
        con.execute("create table staging.hidden as select 1 as x")
    return path


def publish_marts(build: Path, published: Path, **kwargs):
    """Publish the two-table build databases these tests make (no contract tables needed)."""
    return publish_any_marts(build, published, required=(), **kwargs)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_publish_copies_only_marts_and_logs_the_version(tmp_path: Path) -> None:
    build = make_build(tmp_path / "build.duckdb", 10, "a")
    published = tmp_path / "published" / "warehouse.duckdb"
    result = publish_marts(build, published, check_summary={"dbt": {"pass": 3}})
    assert result.changed and result.version == 1
    with duckdb.connect(str(published), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
            ).fetchall()
        }
    assert tables == {"marts.fct_admissions", "marts.dim_period", "marts.publish_log"}
    assert result.row_counts == {"dim_period": 1, "fct_admissions": 10}
    assert not published.with_name("warehouse.duckdb.wal").exists()
    assert [row["version"] for row in read_publish_log(published)] == [1]


def test_unchanged_marts_leave_the_published_file_byte_identical(tmp_path: Path) -> None:
    build = make_build(tmp_path / "build.duckdb", 10, "a")
    published = tmp_path / "warehouse.duckdb"
    publish_marts(build, published)
    before = digest(published)
    again = publish_marts(build, published)
    assert not again.changed
    assert digest(published) == before


def test_changed_marts_publish_a_new_version_and_keep_history(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    publish_marts(make_build(tmp_path / "b.duckdb", 10, "a"), published)
    result = publish_marts(make_build(tmp_path / "b.duckdb", 12, "b"), published)
    assert result.version == 2
    assert [row["version"] for row in read_publish_log(published)] == [1, 2]


def test_a_build_without_marts_is_refused_and_the_old_file_stays(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    publish_marts(make_build(tmp_path / "b.duckdb", 3, "a"), published)
    before = digest(published)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="no 'marts' tables"):
        publish_marts(empty, published)
    assert digest(published) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("open", flush=True)
    sys.stdin.readline()
    sql = "select count(*), count(distinct tag), min(tag) from marts.fct_admissions"
    rows = con.execute(sql).fetchone()
    print(*rows, flush=True)
    """
)


def test_a_build_missing_a_contract_table_is_refused(tmp_path: Path) -> None:
    build = make_build(tmp_path / "build.duckdb", 3, "a")
    with pytest.raises(RuntimeError, match=r"lacks contract tables: .*dq_issues"):
        publish_any_marts(build, tmp_path / "warehouse.duckdb")
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_a_reader_holding_the_file_neither_blocks_publish_nor_sees_a_mix(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    publish_marts(make_build(tmp_path / "b.duckdb", 1000, "old"), published)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "open"
        result = publish_marts(make_build(tmp_path / "b.duckdb", 2000, "new"), published)
        assert result.changed
        reader.stdin.write("\n")
        reader.stdin.flush()
        count, tags, tag = reader.stdout.readline().split()
        assert (int(count), int(tags), tag) == (1000, 1, "old")
    finally:
        reader.kill()
        reader.wait()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*), min(tag) from marts.fct_admissions").fetchone() == (
            2000,
            "new",
        )


PUBLISHER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from dagster_project.publish import publish_marts
    print("start", flush=True)
    publish_marts(Path(sys.argv[1]), Path(sys.argv[2]), force=True, required=())
    print("done", flush=True)
    """
)


def test_a_publish_killed_at_any_moment_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    publish_marts(make_build(tmp_path / "old.duckdb", 50_000, "old"), published)
    new_build = make_build(tmp_path / "new.duckdb", 50_000, "new")
    for delay in (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2):
        proc = subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, str(new_build), str(published)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
        assert proc.stdout.readline().strip() == "start"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with duckdb.connect(str(published), read_only=True) as con:
            count, tag = con.execute(
                "select count(*), min(tag) from marts.fct_admissions"
            ).fetchone()
        assert count == 50_000 and tag in {"old", "new"}
    assert not published.with_name("warehouse.duckdb.wal").exists()
    publish_marts(new_build, published, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "new.duckdb",
        "old.duckdb",
        "publish_log.jsonl",
        "warehouse.duckdb",
    ]
