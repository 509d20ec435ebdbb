"""What a long-lived client sees after a publish, each in a real second process.

DuckDB keeps one database instance per file and process while any connection to it is open;
that instance holds the file it opened (the old inode after a swap). So a connection sees the new
warehouse exactly when no other connection to the file is open in its process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish import publish_marts
from dagster_project.publish.atomic import published_version

COUNT = "select count(*) from marts.fct_admissions"


def make_build(path: Path, rows: int) -> Path:
    if path.exists():
        path.unlink()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.fct_admissions as select range as id from range({rows})")
    return path


class Client:
    """A Python process that runs a client script step by step: each line sent on stdin makes it
    run the next step and print what it saw."""

    def __init__(self, script: str, published: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script), str(published)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def step(self) -> str:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().strip()
        if not line:
            raise AssertionError(self.proc.stderr.read())
        return line

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def published(tmp_path: Path) -> Path:
    path = tmp_path / "published" / "warehouse.duckdb"
    publish_marts(make_build(tmp_path / "b.duckdb", 100), path, required=())
    return path


def republish(published: Path, rows: int) -> None:
    build = make_build(published.parent.parent / "b.duckdb", rows)
    assert publish_marts(build, published, required=()).changed


def run_client(script: str, published: Path, steps_before: int, steps_after: int) -> list[str]:
    """Run ``steps_before`` steps, publish a new version (200 rows), run ``steps_after``."""
    client = Client(script, published)
    try:
        seen = [client.step() for _ in range(steps_before)]
        republish(published, 200)
        seen += [client.step() for _ in range(steps_after)]
    finally:
        client.close()
    return seen


PREAMBLE = """
import sys, time, duckdb
path = sys.argv[1]
def wait():
    sys.stdin.readline()
def show(value):
    print(value, flush=True)
"""


def test_a_new_connection_in_a_fresh_process_sees_the_new_publish(published: Path) -> None:
    republish(published, 200)
    proc = subprocess.run(
        [sys.executable, "-c", f"import duckdb; print(duckdb.connect('{published}', "
         f"read_only=True).execute('{COUNT}').fetchone()[0])"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert proc.stdout.strip() == "200"


def test_a_notebook_keeping_one_connection_sees_the_old_warehouse_until_it_reconnects(
    published: Path,
) -> None:
    script = (
        PREAMBLE
        + f"""
con = duckdb.connect(path, read_only=True)
wait(); show(con.execute("{COUNT}").fetchone()[0])
wait(); show(con.execute("{COUNT}").fetchone()[0])
other = duckdb.connect(path, read_only=True)  # a second connection beside the open one
wait(); show(other.execute("{COUNT}").fetchone()[0])
other.close(); con.close()
con = duckdb.connect(path, read_only=True)  # reconnect once nothing else is open
wait(); show(con.execute("{COUNT}").fetchone()[0])
"""
    )
    assert run_client(script, published, 1, 3) == ["100", "100", "100", "200"]


def test_polling_version_tells_a_client_when_to_reconnect(published: Path) -> None:
    script = (
        PREAMBLE
        + f"""
from pathlib import Path
notice = Path(path).parent / "VERSION"
version = notice.read_text().strip()
con = duckdb.connect(path, read_only=True)
wait(); show(version + ":" + str(con.execute("{COUNT}").fetchone()[0]))
wait()
if notice.read_text().strip() != version:
    version = notice.read_text().strip()
    con.close()
    con = duckdb.connect(path, read_only=True)
show(version + ":" + str(con.execute("{COUNT}").fetchone()[0]))
"""
    )
    assert run_client(script, published, 1, 1) == ["1:100", "2:200"]
    assert published_version(published.parent) == 2


def test_sqlalchemy_nullpool_sees_each_new_publish_at_the_next_query(published: Path) -> None:
    script = (
        PREAMBLE
        + f"""
import sqlalchemy as sa
from sqlalchemy.pool import NullPool
engine = sa.create_engine("duckdb:///" + path, poolclass=NullPool,
                          connect_args={{"read_only": True}})
def query():
    with engine.connect() as con:
        return con.execute(sa.text("{COUNT}")).scalar()
wait(); show(query())
wait(); show(query())
"""
    )
    assert run_client(script, published, 1, 1) == ["100", "200"]


def test_sqlalchemy_default_pool_keeps_the_old_warehouse_until_pool_recycle(
    published: Path,
) -> None:
    script = (
        PREAMBLE
        + f"""
import sqlalchemy as sa
kept = sa.create_engine("duckdb:///" + path, connect_args={{"read_only": True}})
def query(engine):
    with engine.connect() as con:
        return con.execute(sa.text("{COUNT}")).scalar()
wait(); show(query(kept))
wait(); show(query(kept))
kept.dispose()
recycled = sa.create_engine("duckdb:///" + path, pool_recycle=1,
                            connect_args={{"read_only": True}})
wait(); show(query(recycled))
time.sleep(1.5)
wait(); show(query(recycled))
"""
    )
    client = Client(script, published)
    try:
        before = client.step()
        republish(published, 200)
        after = client.step()
        recycled_first = client.step()
        republish(published, 300)
        recycled_later = client.step()
    finally:
        client.close()
    assert (before, after) == ("100", "100")  # QueuePool keeps its connection: the old file
    assert (recycled_first, recycled_later) == ("200", "300")
