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
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("parquet-v")) == [
        "VERSION",
        "new.duckdb",
        "old.duckdb",
        "parquet",
        "publish_log.jsonl",
        "warehouse.duckdb",
    ]


def make_constrained_build(path: Path, rows: int, tag: str) -> Path:
    """A build whose marts table has NOT NULL and primary-key constraints, as dbt's enforced
    contracts create them."""
    if path.exists():
        path.unlink()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_admissions "
            "(id bigint not null primary key, tag varchar not null, note varchar)"
        )
        con.execute("comment on table marts.fct_admissions is 'Người được kết nạp'")
        con.execute("comment on column marts.fct_admissions.tag is 'nhãn'")
        con.execute(
            f"insert into marts.fct_admissions select range, '{tag}', null from range({rows})"
        )
        con.execute(f"create table marts.dim_period as select '{tag}' as period_code")
    return path


def test_published_tables_keep_not_null_and_primary_key_constraints(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    publish_marts(make_constrained_build(tmp_path / "b.duckdb", 5, "a"), published)
    with duckdb.connect(str(published), read_only=True) as con:
        constraints = con.execute(
            "select constraint_type, constraint_column_names from duckdb_constraints() "
            "where table_name = 'fct_admissions' order by all"
        ).fetchall()
        comments = con.execute(
            "select comment from duckdb_tables() where table_name = 'fct_admissions' union all "
            "select comment from duckdb_columns() where table_name = 'fct_admissions' "
            "and column_name = 'tag'"
        ).fetchall()
        with pytest.raises(duckdb.Error):
            con.execute("insert into marts.fct_admissions values (1, 'x', null)")
    assert constraints == [
        ("NOT NULL", ["id"]),
        ("NOT NULL", ["tag"]),
        ("PRIMARY KEY", ["id"]),
    ]
    assert comments == [("Người được kết nạp",), ("nhãn",)]


def test_the_published_file_is_written_in_the_chosen_storage_version(tmp_path: Path) -> None:
    from dagster_project.publish.atomic import STORAGE_VERSION

    published = tmp_path / "warehouse.duckdb"
    publish_marts(make_build(tmp_path / "b.duckdb", 5, "a"), published)
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{published}' as p (read_only)")
        (tags,) = con.execute(
            "select tags from duckdb_databases() where database_name = 'p'"
        ).fetchone()
    assert STORAGE_VERSION == "v1.1.0"
    assert tags.get("storage_version", "").startswith("v1.")


def test_every_relation_is_written_as_parquet_of_the_same_snapshot(tmp_path: Path) -> None:
    published = tmp_path / "published" / "warehouse.duckdb"
    publish_marts(make_build(tmp_path / "b.duckdb", 10, "a"), published)
    parquet = published.parent / "parquet"
    assert parquet.is_symlink() and os.readlink(parquet) == "parquet-v1"
    assert sorted(p.name for p in parquet.iterdir()) == [
        "dim_period.parquet",
        "fct_admissions.parquet",
        "publish_log.parquet",
    ]
    publish_marts(make_build(tmp_path / "b.duckdb", 12, "b"), published)
    assert os.readlink(parquet) == "parquet-v2"
    with duckdb.connect() as con:
        count, tag = con.execute(
            f"select count(*), min(tag) from '{parquet}/fct_admissions.parquet'"
        ).fetchone()
        versions = con.execute(
            f"select max(version) from '{parquet}/publish_log.parquet'"
        ).fetchone()[0]
    assert (count, tag, versions) == (12, "b", 2)
    assert (published.parent / "VERSION").read_text() == "2\n"


def test_old_parquet_folders_are_pruned_and_the_previous_one_kept(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    for version, tag in enumerate("abcd", start=1):
        publish_marts(make_build(tmp_path / "b.duckdb", version, tag), published)
    assert sorted(p.name for p in tmp_path.glob("parquet*")) == [
        "parquet",
        "parquet-v3",
        "parquet-v4",
    ]


def test_an_unchanged_publish_writes_parquet_only_when_it_is_missing(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    build = make_build(tmp_path / "b.duckdb", 10, "a")
    publish_marts(build, published)
    link = tmp_path / "parquet"
    link.unlink()
    import shutil

    shutil.rmtree(tmp_path / "parquet-v1")
    before = digest(published)
    again = publish_marts(build, published)
    assert not again.changed and digest(published) == before
    assert os.readlink(link) == "parquet-v1"
    assert (link / "fct_admissions.parquet").exists()
    stamp = (link / "fct_admissions.parquet").stat().st_mtime_ns
    publish_marts(build, published)
    assert (link / "fct_admissions.parquet").stat().st_mtime_ns == stamp


def test_version_is_written_last_and_names_the_published_version(tmp_path: Path) -> None:
    from dagster_project.publish.atomic import published_version

    published = tmp_path / "warehouse.duckdb"
    assert published_version(tmp_path) is None
    publish_marts(make_build(tmp_path / "b.duckdb", 3, "a"), published)
    publish_marts(make_build(tmp_path / "b.duckdb", 4, "b"), published)
    assert published_version(tmp_path) == 2
    assert (tmp_path / "VERSION").stat().st_mtime_ns >= max(
        p.stat().st_mtime_ns for p in (published, tmp_path / "publish_log.jsonl")
    )


def test_a_changed_table_definition_is_published_even_with_the_same_rows(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    build = make_build(tmp_path / "b.duckdb", 5, "a")
    publish_marts(build, published)
    with duckdb.connect(str(build)) as con:
        con.execute("create table marts.copy as select * from marts.fct_admissions")
        con.execute("drop table marts.fct_admissions")
        con.execute(
            "create table marts.fct_admissions (id bigint not null primary key, tag varchar)"
        )
        con.execute("insert into marts.fct_admissions select * from marts.copy")
        con.execute("drop table marts.copy")
    result = publish_marts(build, published)
    assert result.changed and result.version == 2
    with duckdb.connect(str(published), read_only=True) as con:
        keys = con.execute(
            "select count(*) from duckdb_constraints() where constraint_type = 'PRIMARY KEY' "
            "and table_name = 'fct_admissions'"
        ).fetchone()
    assert keys == (1,)
