"""The parsed store: batches per period, exact schemas, interrupted writes that never count."""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq
import pytest

from dagster_project.reports.output import (
    BATCH_COLUMN,
    MAX_FILES_PER_PERIOD,
    ParsedStore,
    new_batch_id,
    table_schema,
    write_empty_schemas,
)
from dagster_project.reports.schemas import TABLES
from tests.reports.builders import KET_NAP, build_xlsx

NAME = "088_2024-H1"
PERIOD = "2024-H1"
EXPECTED_DUCKDB_TYPES = {
    "report": {
        "version": "INTEGER",
        "received_at": "TIMESTAMP",
        "parsed_at": "TIMESTAMP",
        "error_count": "INTEGER",
        "warning_count": "INTEGER",
    },
    "tong_hop": {"row_number": "INTEGER", "reported_value": "BIGINT"},
    "ket_nap": {"admission_date": "DATE", "birth_year": "INTEGER", "age_at_admission": "INTEGER"},
    "to_chuc": {
        "employees": "BIGINT",
        "party_org_founded_date": "DATE",
        "has_union": "BOOLEAN",
        "youth_members": "BIGINT",
    },
    "findings": {"row_number": "INTEGER", "severity": "VARCHAR"},
}


@pytest.fixture
def result(tmp_path, parse):
    return parse(build_xlsx(tmp_path / f"{NAME}.xlsx"))


@pytest.fixture
def store(tmp_path, result):
    store = ParsedStore(tmp_path / "parsed")
    with store.lock():
        store.ensure_schema()
        store.write_batch(PERIOD, [result], new_batch_id())
    return store


def test_one_file_per_table_and_batch_under_its_period(store):
    for table in TABLES:
        files = store.files(table, PERIOD)
        assert len(files) == 1 and files[0].parent.name == f"period={PERIOD}"


@pytest.mark.parametrize("table", sorted(TABLES))
def test_schema_is_the_data_layout_plus_the_batch(store, table):
    path = store.files(table, PERIOD)[0]
    assert pq.read_schema(path).names == [*TABLES[table].names, BATCH_COLUMN]
    types = dict(
        (row[0], row[1]) for row in duckdb.sql(f"describe select * from '{path}'").fetchall()
    )
    for column, expected in EXPECTED_DUCKDB_TYPES[table].items():
        assert types[column] == expected


def test_no_name_cccd_or_birth_date_in_any_file(store):
    for table in TABLES:
        text = str(pq.read_table(store.files(table, PERIOD)[0]).to_pylist())
        for person in KET_NAP:
            name, cccd, birth = person[0], person[1], person[2]
            assert name not in text
            assert cccd not in text
            assert str(birth) not in text and birth.strftime("%d/%m/%Y") not in text


def test_parsing_again_supersedes_the_old_rows(store, result):
    before = store.read("ket_nap")
    with store.lock():
        store.write_batch(PERIOD, [result], new_batch_id())
    after = store.read("ket_nap")
    assert after.num_rows == before.num_rows
    assert set(after.column(BATCH_COLUMN).to_pylist()) != set(
        before.column(BATCH_COLUMN).to_pylist()
    )


def test_a_batch_cut_short_before_its_report_file_does_not_count(store, result):
    with store.lock():
        batch = new_batch_id()
        store.write_batch(PERIOD, [result], batch)
    for path in store.files("report", PERIOD):
        if path.stem == batch:
            path.unlink()  # as if the process died before writing the commit record
    rows = store.read("ket_nap")
    assert rows.num_rows == len(KET_NAP)
    assert batch not in rows.column(BATCH_COLUMN).to_pylist()


def test_compaction_merges_a_period_into_one_file_per_table(store, result):
    with store.lock():
        for _ in range(MAX_FILES_PER_PERIOD):
            store.write_batch(PERIOD, [result], new_batch_id())
        assert store.compact(PERIOD)
    for table in TABLES:
        assert len(store.files(table, PERIOD)) == 1
    assert store.read("ket_nap").num_rows == len(KET_NAP)
    assert not (store.root / "_journal").exists() or not any(store.journal_dir.iterdir())


def _journal(store, committed: bool) -> list:
    """Start a compaction by hand and stop it where a crash would."""
    new_file = store.period_dir("ket_nap", PERIOD) / "c-crashed.parquet"
    old_files = store.files("ket_nap", PERIOD)
    pq.write_table(pq.read_table(old_files), new_file)
    record = {
        "period": PERIOD,
        "add": [str(new_file.relative_to(store.root))],
        "remove": [str(p.relative_to(store.root)) for p in old_files],
        "committed": committed,
    }
    store.journal_dir.mkdir(parents=True, exist_ok=True)
    (store.journal_dir / "c-crashed.json").write_text(json.dumps(record), encoding="utf-8")
    return old_files


def test_an_uncommitted_compaction_is_undone_when_the_store_is_next_locked(store):
    old = _journal(store, committed=False)
    with store.lock():
        pass
    assert store.files("ket_nap", PERIOD) == old
    assert store.read("ket_nap").num_rows == len(KET_NAP)


def test_a_committed_compaction_is_finished_when_the_store_is_next_locked(store):
    old = _journal(store, committed=True)
    with store.lock():
        pass
    assert [p.name for p in store.files("ket_nap", PERIOD)] == ["c-crashed.parquet"]
    assert not any(p.exists() for p in old)
    assert store.read("ket_nap").num_rows == len(KET_NAP)


def test_empty_schemas_have_zero_rows_and_the_stored_schema(tmp_path):
    write_empty_schemas(tmp_path / "parsed")
    for table in TABLES:
        read = pq.read_table(tmp_path / "parsed" / table / "period=_schema" / "empty.parquet")
        assert read.num_rows == 0
        assert read.schema.equals(table_schema(table))


def test_settling_the_store_leaves_each_row_once_for_readers_that_do_not_lock(store):
    """dbt reads the files by glob without the lock: a load settles the store before it builds."""
    _journal(store, committed=False)
    files = str(store.root / "ket_nap" / f"period={PERIOD}" / "*.parquet")
    count = f"select count(*) from read_parquet('{files}')"
    assert duckdb.sql(count).fetchall()[0][0] == 2 * len(KET_NAP)  # what dbt would read now
    store.settle()
    assert duckdb.sql(count).fetchall()[0][0] == len(KET_NAP)
    assert not any(store.journal_dir.iterdir())
