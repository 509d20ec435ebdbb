"""The named queries of queries.sql, run against a read-only connection to the published file."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import duckdb

QUERIES_FILE = Path(__file__).with_name("queries.sql")
_NAME = re.compile(r"^-- name: (\w+)\s*$", re.M)
_PARAM = re.compile(r"\$(\w+)")


@lru_cache(maxsize=4)
def named_queries(path: Path = QUERIES_FILE) -> dict[str, str]:
    """name -> SQL of every `-- name:` block of the file."""
    text = path.read_text(encoding="utf-8")
    matches = list(_NAME.finditer(text))
    queries = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        body = text[match.end() : following.start() if following else len(text)]
        queries[match.group(1)] = body.strip().rstrip(";").strip()
    return queries


class QueryRunner:
    """Runs named queries with the parameters each one names, on one read-only connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, params: dict, path: Path = QUERIES_FILE):
        self.con = con
        self.params = dict(params)
        self.queries = named_queries(path)

    def sql(self, name: str) -> str:
        try:
            return self.queries[name]
        except KeyError:
            raise KeyError(
                f"Không có truy vấn '{name}' trong {QUERIES_FILE.name} / "
                f"no query named '{name}' in {QUERIES_FILE.name}"
            ) from None

    def rows(self, name: str, **params) -> list[dict]:
        sql = self.sql(name)
        values = {**self.params, **params}
        wanted = {key: values[key] for key in dict.fromkeys(_PARAM.findall(sql))}
        result = self.con.execute(sql, wanted)
        columns = [column[0] for column in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]

    def materialise(self, name: str) -> None:
        """Keep a query's rows as a temporary table of the same name (read-only files allow it)."""
        sql = self.sql(name)
        wanted = {key: self.params[key] for key in dict.fromkeys(_PARAM.findall(sql))}
        self.con.execute(f"create or replace temp table {name} as {sql}", wanted)
