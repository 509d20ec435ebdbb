"""The published file opens read-only in DuckDB 1.1, in a real second process."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish import publish_marts
from tests.publish.old_duckdb import OLD_DUCKDB, old_duckdb_python

pytestmark = pytest.mark.integration

OPEN = textwrap.dedent(
    """
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    out = {"version": duckdb.__version__}
    out["rows"] = con.execute(
        "select count(*), count(distinct tag), min(note) from marts.fct_admissions"
    ).fetchone()
    out["constraints"] = con.execute(
        "select constraint_type, count(*) from duckdb_constraints() "
        "where table_name = 'fct_admissions' group by all order by all"
    ).fetchall()
    out["log"] = con.execute("select max(version) from marts.publish_log").fetchone()
    print(json.dumps(out, default=str))
    """
)


def test_duckdb_1_1_opens_a_published_file_with_every_column_type(tmp_path: Path) -> None:
    python = old_duckdb_python()
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_admissions (id bigint not null primary key, tag varchar "
            "not null, note varchar, day date, seen_at timestamp, share decimal(9, 2), ok boolean, "
            "big hugeint, doc json)"
        )
        con.execute(
            "insert into marts.fct_admissions select range, 'đảng viên ' || (range % 3), "
            "'ghi chú', date '2024-06-30', timestamp '2024-07-01 08:00', 46.67, true, "
            "range::hugeint * 1000000000000, '{\"a\": 1}' from range(5000)"
        )
    published = tmp_path / "warehouse.duckdb"
    publish_marts(build, published, required=())
    proc = subprocess.run(
        [str(python), "-c", OPEN, str(published)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["version"] == OLD_DUCKDB
    assert out["rows"] == [5000, 3, "ghi chú"]
    assert out["constraints"] == [["NOT NULL", 2], ["PRIMARY KEY", 1]]
    assert out["log"] == [1]
