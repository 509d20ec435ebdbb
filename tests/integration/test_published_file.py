"""The published file of a real load, as BI clients open it: DuckDB 1.1 in a second process runs
every query of the README and gets what the pinned DuckDB gets."""

from __future__ import annotations

import json
import re
import subprocess
import textwrap

import duckdb

from tests.integration.conftest import REPO, LoadRun
from tests.publish.old_duckdb import OLD_DUCKDB, old_duckdb_python

RUN_QUERIES = textwrap.dedent(
    """
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    queries = json.loads(sys.stdin.read())
    out = {"version": duckdb.__version__, "results": []}
    for sql in queries:
        out["results"].append(sorted(con.execute(sql).fetchall()))
    print(json.dumps(out, default=str))
    """
)


def readme_queries() -> list[str]:
    """Every statement of the README's ```sql blocks."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", text, flags=re.S)
    with duckdb.connect() as con:
        return [s.query.strip() for block in blocks for s in con.extract_statements(block)]


def test_duckdb_1_1_runs_every_readme_query_on_the_published_file(demo_load: LoadRun) -> None:
    queries = readme_queries()
    assert len(queries) >= 4
    proc = subprocess.run(
        [str(old_duckdb_python()), "-c", RUN_QUERIES, str(demo_load.published)],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["version"] == OLD_DUCKDB
    expected = [
        json.loads(json.dumps(sorted(demo_load.query(sql)), default=str)) for sql in queries
    ]
    assert out["results"] == expected
    assert all(result for result in out["results"]), "every README query returns rows"


def test_published_tables_keep_their_keys_and_not_null_columns(demo_load: LoadRun) -> None:
    keys = dict(
        demo_load.query(
            "select table_name, constraint_column_names from duckdb_constraints() "
            "where constraint_type = 'PRIMARY KEY'"
        )
    )
    assert keys["fct_admissions"] == ["admission_key"]
    assert keys["dim_reporting_unit"] == ["unit_version_key"]
    assert keys["mart_indicators"] == ["indicator_row_key"]
    tables = {row[0] for row in demo_load.query("select table_name from duckdb_tables()")}
    assert tables == set(keys), tables ^ set(keys)
    not_null = demo_load.scalar(
        "select count(*) from duckdb_constraints() where constraint_type = 'NOT NULL'"
    )
    assert not_null >= len(keys)


def test_unit_088_with_two_versions_never_duplicates_a_fact(demo_load: LoadRun) -> None:
    versions = demo_load.scalar(
        "select count(*) from marts.dim_reporting_unit where unit_code = '088'"
    )
    for relation in ("fct_admissions", "fct_enterprise_snapshots", "fct_organization_events"):
        facts, of_088, by_version, by_latest, by_code = demo_load.query(
            f"""
            select
                (select count(*) from marts.{relation}),
                (select count(*) from marts.{relation} where unit_code = '088'),
                (select count(*) from marts.{relation} as f
                 join marts.dim_reporting_unit as u using (unit_version_key)),
                (select count(*) from marts.{relation} as f
                 join marts.dim_reporting_unit as u on u.unit_code = f.unit_code
                 and u.is_latest_version),
                (select count(*) from marts.{relation} as f
                 join marts.dim_reporting_unit as u on u.unit_code = f.unit_code)
            """
        )[0]
        assert versions == 2 and of_088 > 0, relation
        assert (by_version, by_latest) == (facts, facts), relation
        assert by_code == facts + of_088, relation  # the naive join repeats 088's rows


def test_every_relation_is_published_as_parquet_of_the_same_publish(demo_load: LoadRun) -> None:
    folder = demo_load.published.parent / "parquet"
    tables = {row[0] for row in demo_load.query("select table_name from duckdb_tables()")}
    assert {p.stem for p in folder.glob("*.parquet")} == tables
    with duckdb.connect() as con:
        for table in tables:
            (count,) = con.execute(f"select count(*) from '{folder}/{table}.parquet'").fetchone()
            assert count == demo_load.scalar(f"select count(*) from marts.{table}"), table


def test_every_dashboard_dataset_query_returns_labelled_rows(demo_load: LoadRun) -> None:
    import yaml

    for path in sorted((REPO / "bi" / "dashboard" / "datasets").rglob("*.yaml")):
        dataset = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows = demo_load.query(dataset["sql"])
        names = [c["column_name"] for c in dataset["columns"]]
        with duckdb.connect(str(demo_load.published), read_only=True) as con:
            described = [d[0] for d in con.execute(dataset["sql"]).description]
        assert rows and described == names, path.name
        label_columns = {"Chỉ tiêu", "Trạng thái", "Đối tượng", "Khu vực", "Mức độ", "Đúng hạn"}
        for index, name in enumerate(names):
            if name in label_columns:
                assert all(row[index] is not None for row in rows), (path.name, name)
