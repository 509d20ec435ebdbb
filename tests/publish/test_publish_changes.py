"""A publish after the first copies the published file and applies only the changed rows; the
result holds exactly the build's rows, and the file is written whole again when it has grown."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.publish import atomic, publish_marts
from tests.publish.old_duckdb import old_duckdb_python


def write_build(path: Path, rows: list[tuple], comment: str = "Người được kết nạp") -> Path:
    """A build whose fct_admissions has a key, NOT NULL and comments, beside an unchanging
    dimension; ``rows`` are (id, tag, note)."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_admissions "
            "(id bigint not null primary key, tag varchar not null, note varchar)"
        )
        con.execute(f"comment on table marts.fct_admissions is '{comment}'")
        con.execute("comment on column marts.fct_admissions.tag is 'nhãn'")
        if rows:
            con.executemany("insert into marts.fct_admissions values (?, ?, ?)", rows)
        con.execute("create table marts.dim_period as select range as period from range(3)")
    return path


def rows_of(db: Path, table: str = "fct_admissions") -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select * from marts.{table} order by all").fetchall()


def publish(build: Path, published: Path, **kwargs):
    return publish_marts(build, published, required=(), **kwargs)


def test_a_second_publish_applies_the_changed_rows_to_a_copy(tmp_path: Path) -> None:
    published = tmp_path / "published" / "warehouse.duckdb"
    old = [(i, "cũ", None) for i in range(1000)]
    first = publish(write_build(tmp_path / "b.duckdb", old), published)
    assert first.written == atomic.WRITTEN_WHOLE
    new = [row for row in old[:990] if row[0] != 5] + [(5, "mới", "sửa")]
    new += [(i, "mới", None) for i in range(1000, 1010)]
    build = write_build(tmp_path / "b.duckdb", new, comment="Kết nạp")
    second = publish(build, published)
    assert second.written == atomic.WRITTEN_CHANGES and second.version == 2
    assert rows_of(published) == sorted(new)
    assert second.row_counts == {"dim_period": 3, "fct_admissions": len(new)}
    with duckdb.connect(str(published), read_only=True) as con:
        comment = con.execute(
            "select comment from duckdb_tables() where table_name = 'fct_admissions'"
        ).fetchone()[0]
        keys = con.execute(
            "select constraint_type from duckdb_constraints() "
            "where table_name = 'fct_admissions' order by all"
        ).fetchall()
        log = con.execute("select version from marts.publish_log order by 1").fetchall()
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(published.read_bytes())
    with duckdb.connect(str(copy)) as con, pytest.raises(duckdb.ConstraintException):
        con.execute("insert into marts.fct_admissions values (5, 'trùng', null)")
    assert comment == "Kết nạp"
    assert keys == [("NOT NULL",), ("NOT NULL",), ("PRIMARY KEY",)]
    assert log == [(1,), (2,)]
    lines = (published.parent / atomic.PUBLISH_LOG_FILE).read_text().splitlines()
    assert [json.loads(line)["written"] for line in lines] == ["whole", "changes"]
    assert not published.with_name("warehouse.duckdb.wal").exists()


def test_the_parquet_of_an_unchanged_table_is_linked_not_written(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    publish(write_build(tmp_path / "b.duckdb", [(1, "a", None)]), published)
    publish(write_build(tmp_path / "b.duckdb", [(1, "b", None)]), published)
    v1, v2 = tmp_path / "parquet-v1", tmp_path / "parquet-v2"
    assert os.path.samefile(v1 / "dim_period.parquet", v2 / "dim_period.parquet")
    assert not os.path.samefile(v1 / "fct_admissions.parquet", v2 / "fct_admissions.parquet")
    with duckdb.connect() as con:
        assert con.execute(f"select tag from '{v2}/fct_admissions.parquet'").fetchall() == [("b",)]


def test_a_file_grown_past_its_bound_is_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = tmp_path / "warehouse.duckdb"
    rows = [(i, "a", None) for i in range(2000)]
    publish(write_build(tmp_path / "b.duckdb", rows), published)
    rows[0] = (0, "b", None)
    assert publish(write_build(tmp_path / "b.duckdb", rows), published).written == "changes"
    monkeypatch.setattr(atomic, "REWRITE_GROWTH", 0.5)
    rows[1] = (1, "b", None)
    third = publish(write_build(tmp_path / "b.duckdb", rows), published)
    assert third.written == "whole"
    assert rows_of(published) == sorted(rows)


def test_a_published_file_that_differs_from_its_log_is_written_whole(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    rows = [(i, "a", None) for i in range(100)]
    publish(write_build(tmp_path / "b.duckdb", rows), published)
    with duckdb.connect(str(published)) as con:  # edited behind the log's back
        con.execute("update marts.dim_period set period = 99 where period = 0")
    rows[0] = (0, "b", None)
    result = publish(write_build(tmp_path / "b.duckdb", rows), published)
    assert result.written == "whole"
    assert rows_of(published, "dim_period") == [(0,), (1,), (2,)]
    assert rows_of(published) == sorted(rows)


def test_a_file_written_with_changes_opens_in_duckdb_1_1(tmp_path: Path) -> None:
    python = old_duckdb_python()
    published = tmp_path / "warehouse.duckdb"
    rows = [(i, "a", None) for i in range(5000)]
    publish(write_build(tmp_path / "b.duckdb", rows), published)
    rows[10] = (10, "b", "sửa")
    assert publish(write_build(tmp_path / "b.duckdb", rows), published).written == "changes"
    proc = subprocess.run(
        [str(python), "-c", "import sys, duckdb; print(duckdb.connect(sys.argv[1], "
         "read_only=True).execute(\"select count(*), count(note) from marts.fct_admissions\")"
         ".fetchone())", str(published)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "(5000, 1)"


ROW = st.tuples(st.integers(0, 5), st.sampled_from(["a", "b", "đ"]), st.none() | st.integers(0, 2))


@st.composite
def old_and_new(draw) -> tuple[list, list]:
    """Any two tables, or (more often, so the rows are patched, not copied) a table and the same
    with a few rows dropped and a few added."""
    old = draw(st.lists(ROW, max_size=30))
    if draw(st.booleans()) and draw(st.booleans()):
        return old, draw(st.lists(ROW, max_size=30))
    dropped = draw(st.sets(st.integers(0, max(len(old) - 1, 0)), max_size=4))
    kept = [row for i, row in enumerate(old) if i not in dropped]
    return old, kept + draw(st.lists(ROW, max_size=4))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tables=old_and_new())
def test_any_change_leaves_exactly_the_builds_rows(tmp_path: Path, tables) -> None:
    """Rows without a key, duplicates and NULLs included: the published multiset is the
    build's, whether the table was patched or copied."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    published = folder / "warehouse.duckdb"
    for rows in tables:
        build = folder / "b.duckdb"
        build.unlink(missing_ok=True)
        with duckdb.connect(str(build)) as con:
            con.execute("create schema marts")
            con.execute("create table marts.facts (k integer, tag varchar, n integer)")
            if rows:
                con.executemany("insert into marts.facts values (?, ?, ?)", rows)
        publish(build, published)
        assert rows_of(published, "facts") == sorted(
            rows, key=lambda r: (r[0], r[1], r[2] is None, r[2] or 0)
        )
