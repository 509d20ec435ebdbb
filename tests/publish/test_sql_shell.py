"""`tcd sql`: a read-only SQL prompt on the published file, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish import publish_marts

TCD = Path(sys.executable).with_name("tcd")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_admissions as select range as id, "
            "'cong_nhan_lao_dong_' || range as category_code, repeat('x', 60) as note "
            "from range(100)"
        )
    publish_marts(build, tmp_path / "published" / "warehouse.duckdb", required=())
    return tmp_path


def tcd_sql(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TCD), "sql", "--home", str(home), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k not in {"TCD_PUBLISHED_PATH", "COLUMNS"}},
    )


def test_one_query_prints_a_table_that_fits_80_columns(home: Path) -> None:
    proc = tcd_sql(home, "-c", "select * from marts.fct_admissions order by id")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "cong_nhan_lao_dong_0" in proc.stdout and "100 rows" in proc.stdout


def test_unqualified_names_resolve_to_marts_and_statements_run_in_order(home: Path) -> None:
    proc = tcd_sql(home, "-c", "select count(*) as n from fct_admissions; select 42 as answer;")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.index("100") < proc.stdout.index("42")


def test_the_published_file_cannot_be_written(home: Path) -> None:
    proc = tcd_sql(home, "-c", "delete from marts.fct_admissions")
    assert proc.returncode == 2
    assert "read-only" in proc.stderr and "Truy vấn lỗi" in proc.stderr
    with duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_admissions").fetchone() == (100,)


def test_a_piped_script_runs_dot_commands_and_sql(home: Path) -> None:
    proc = tcd_sql(home, stdin=".tables\nselect max(id)\n  as top from fct_admissions;\n")
    assert proc.returncode == 0, proc.stderr
    assert "fct_admissions" in proc.stdout and "publish_log" in proc.stdout
    assert "99" in proc.stdout


def test_nothing_published_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    proc = tcd_sql(tmp_path, "-c", "select 1")
    assert proc.returncode == 2
    assert "tcd load" in proc.stderr and "Traceback" not in proc.stderr


def test_the_interactive_prompt_runs_a_statement_across_lines_and_quits(home: Path) -> None:
    import pty
    import select
    import time

    main, secondary = pty.openpty()
    proc = subprocess.Popen(
        [str(TCD), "sql", "--home", str(home)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, "COLUMNS": "80", "TERM": "dumb"},
        close_fds=True,
    )
    os.close(secondary)
    seen = b""

    def read_until(marker: bytes, seconds: float = 60) -> None:
        nonlocal seen
        deadline = time.monotonic() + seconds
        while marker not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(main, 4096)
                except OSError:
                    break
        assert marker in seen, seen.decode(errors="replace")

    try:
        read_until(b"tcd> ")
        os.write(main, b"select count(*) * 2\n")
        read_until(b"...> ")
        os.write(main, b"  as doubled from fct_admissions;\n")
        read_until(b"200")
        os.write(main, b"select nope;\n")
        read_until(b"Error")
        os.write(main, b".quit\n")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main)
