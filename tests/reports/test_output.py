"""The Parquet files: exact schemas, atomic and idempotent writes, no personal data."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

from dagster_project.reports import (
    MissingPseudonymKey,
    pseudonym_key_from_env,
    write_empty_schemas,
    write_parsed,
)
from dagster_project.reports.schemas import TABLES
from tests.reports.builders import KET_NAP, build_xlsx

NAME = "088_2024-H1"
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
def written(tmp_path, parse):
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx"))
    out = tmp_path / "parsed" / "088_2024-H1_v1_00000000"
    write_parsed(result, out)
    return out


def test_five_files_are_written(written):
    assert sorted(p.name for p in written.iterdir()) == sorted(f"{n}.parquet" for n in TABLES)


@pytest.mark.parametrize("table", sorted(TABLES))
def test_schema_is_exactly_the_data_layout(written, table):
    assert pq.read_schema(written / f"{table}.parquet").names == TABLES[table].names
    types = dict(
        duckdb.sql(f"describe select * from '{written / table}.parquet'").fetchall()
        and [
            (r[0], r[1])
            for r in duckdb.sql(f"describe select * from '{written / table}.parquet'").fetchall()
        ]
    )
    for column, expected in EXPECTED_DUCKDB_TYPES[table].items():
        assert types[column] == expected


def test_no_name_cccd_or_birth_date_in_any_file(written):
    for table in TABLES:
        text = str(pq.read_table(written / f"{table}.parquet").to_pylist())
        for person in KET_NAP:
            name, cccd, birth = person[0], person[1], person[2]
            assert name not in text
            assert cccd not in text
            assert str(birth) not in text and birth.strftime("%d/%m/%Y") not in text


def test_rewriting_the_same_result_is_idempotent(tmp_path, parse, written):
    before = pq.read_table(written / "ket_nap.parquet")
    write_parsed(parse(build_xlsx(tmp_path / f"{NAME}.xlsx")), written)
    assert pq.read_table(written / "ket_nap.parquet").equals(before)
    assert not [p for p in written.parent.iterdir() if p.name.startswith(".")]


def test_empty_schemas_have_zero_rows_and_the_same_schema(tmp_path):
    write_empty_schemas(tmp_path / "_schema")
    for table, schema in TABLES.items():
        read = pq.read_table(tmp_path / "_schema" / f"{table}.parquet")
        assert read.num_rows == 0
        assert read.schema.equals(schema)


def test_missing_pseudonym_key_raises_unless_demo_allowed(monkeypatch):
    monkeypatch.delenv("TCD_PSEUDONYM_KEY", raising=False)
    with pytest.raises(MissingPseudonymKey, match="TCD_PSEUDONYM_KEY"):
        pseudonym_key_from_env(allow_demo=False)
    assert pseudonym_key_from_env(allow_demo=True) == b"tcd-demo-key-not-secret"


def test_pseudonym_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("TCD_PSEUDONYM_KEY", "s3cret")
    assert pseudonym_key_from_env(allow_demo=True) == b"s3cret"
