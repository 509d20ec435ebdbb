"""`tcd sql`: a read-only SQL prompt on the published warehouse, with the DuckDB this project
pins, so no separate DuckDB CLI has to be installed or match the file's storage version.

Results are drawn as boxes that fit the terminal (80 columns when the width is unknown); wide
results drop middle columns, long ones middle rows, as the DuckDB CLI does.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
from pathlib import Path
from typing import TextIO

import duckdb

from dagster_project.publish.atomic import sql_literal

MAX_ROWS = 40
HELP = """\
Type SQL ending with ';' (several lines are fine). Tables are in schema marts, e.g.
  select * from marts.mart_target_attainment limit 5;
.tables       list the published relations
.describe T   columns of relation T, with their descriptions
.help         this text
.quit         leave (Ctrl-D too)"""


def _width() -> int:
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 200))


def connect(published_db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection on the published file (a write fails with DuckDB's own message)."""
    con = duckdb.connect(str(published_db), read_only=True)
    con.execute("use marts")  # unqualified names resolve to the published schema too
    return con


def run(con: duckdb.DuckDBPyConnection, sql: str, out: TextIO, width: int | None = None) -> None:
    """Run every statement of ``sql`` in order and draw each result that has rows to show."""
    width = width or _width()
    for statement in con.extract_statements(sql):
        relation = con.sql(statement.query)
        if relation is None:
            continue
        out.write(_render(relation, width))
        out.flush()


def _render(relation: duckdb.DuckDBPyRelation, width: int) -> str:
    """The relation drawn by DuckDB's own box renderer, at most ``width`` columns wide."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        relation.show(max_width=width, max_rows=MAX_ROWS)
    return buffer.getvalue()


def _dot_command(con: duckdb.DuckDBPyConnection, line: str, out: TextIO) -> bool:
    """Handle a `.command`; False when it asks to leave."""
    word, _, arg = line.strip().partition(" ")
    if word in {".quit", ".exit", ".q"}:
        return False
    if word == ".tables":
        run(
            con,
            "select table_name as relation, estimated_size as rows "
            "from duckdb_tables() where schema_name = 'marts' order by table_name",
            out,
        )
    elif word == ".describe" and arg:
        con_sql = (
            "select column_name as column, data_type as type, "
            "case when is_nullable then '' else 'not null' end as null, comment "
            "from duckdb_columns() where schema_name = 'marts' and table_name = ? "
            "order by column_index"
        )
        rows = con.execute(con_sql, [arg.strip().removeprefix("marts.")]).fetchall()
        if not rows:
            out.write(f"No relation {arg.strip()} in marts. / Không có bảng {arg.strip()}.\n")
        else:
            out.write(_render(con.sql(con_sql.replace("?", _literal(arg))), _width()))
    else:
        out.write(HELP + "\n")
    return True


def _literal(text: str) -> str:
    return sql_literal(text.strip().removeprefix("marts."))


def interactive(con: duckdb.DuckDBPyConnection, published_db: Path) -> None:
    """A prompt: statements end at ';', `.help` lists the dot commands."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history where the platform has it)
    sys.stdout.write(f"{published_db} (read-only, DuckDB {duckdb.__version__}). .help for help.\n")

    def lines():
        while True:
            try:
                yield input("tcd> " if not buffer else "...> ")
            except KeyboardInterrupt:
                sys.stdout.write("\n")
                buffer.clear()
            except EOFError:
                sys.stdout.write("\n")
                return

    buffer: list[str] = []
    session(con, lines(), sys.stdout, buffer=buffer, stop_on_error=False)


def session(
    con: duckdb.DuckDBPyConnection,
    lines,
    out: TextIO,
    *,
    buffer: list[str] | None = None,
    stop_on_error: bool = True,
) -> None:
    """Run a script line by line: dot commands alone on a line, SQL statements ending at ';'
    (a last statement without one runs at the end). A failing statement raises when
    ``stop_on_error`` (a piped script), else its error is printed and the prompt goes on."""
    buffer = [] if buffer is None else buffer

    def flush() -> None:
        text = "\n".join(buffer).strip()
        buffer.clear()
        if not text:
            return
        try:
            run(con, text, out)
        except duckdb.Error as exc:
            if stop_on_error:
                raise
            out.write(f"Error: {exc}\n")

    for line in lines:
        if not buffer and line.strip().startswith("."):
            if not _dot_command(con, line, out):
                return
            continue
        buffer.append(line)
        if line.rstrip().endswith(";"):
            flush()
    flush()
