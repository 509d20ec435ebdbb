"""The named queries of queries.sql, run against a read-only connection to the published file."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import duckdb

QUERIES_FILE = Path(__file__).with_name("queries.sql")
_NAME = re.compile(r"^-- name: (\w+)\s*$", re.M)
_PARAM = re.compile(r"\$(\w+)")
SCOPE_COLUMN = "scope_code"
"""A query whose first column is named so gives each evaluated scope the rows bearing its code."""
EVERY_SCOPE = frozenset({"periods"})
"""The queries whose rows are the same for every scope (no ``scope_code``); any other query
without it would hand every scope the others' rows, and is refused."""
SOURCES_SQL = """
select
    scope_code,
    report_id,
    unit_code,
    period_code,
    sheet,
    row_label,
    list(row_number order by row_number) filter (where row_number is not null) as row_numbers,
    sum(value) as value
from ({query}) as figure_rows
group by scope_code, report_id, unit_code, period_code, sheet, row_label
order by scope_code, report_id, row_label
"""
"""A figure query's rows added up by report version, sheet and row label, in the database: the
sources of the figure as its provenance lists them, a few rows per report instead of one per
source row to carry into Python."""


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

    def execute(self, name: str, sql: str | None = None, **params) -> duckdb.DuckDBPyConnection:
        """Run the named query, or `sql` built around it, with the parameters it names."""
        sql = sql or self.sql(name)
        values = {**self.params, **params}
        wanted = {key: values[key] for key in dict.fromkeys(_PARAM.findall(sql))}
        return self.con.execute(sql, wanted)

    def rows(self, name: str, **params) -> list[dict]:
        result = self.execute(name, **params)
        columns = [column[0] for column in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]

    def materialise(self, name: str) -> None:
        """Keep a query's rows as a temporary table of the same name (read-only files allow it)."""
        self.execute(name, f"create or replace temp table {name} as {self.sql(name)}")


class ScopeQueries(QueryRunner):
    """The named queries for several evaluated scopes at once: each query with given parameters
    is one pass over the marts for all of them, whose rows are then handed out by scope.

    The evaluation of each province asks for the same figures over the same periods; asked per
    province they cost one pass over the marts each, a few dozen per province. Here the first
    scope to ask runs the query for every scope and the others read their rows from memory."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, evaluated: dict[str, str], path: Path = QUERIES_FILE
    ):
        # A cursor of its own: its temporary tables are not those of another ScopeQueries.
        super().__init__(con.cursor(), {}, path)
        con = self.con
        self.evaluated = dict(evaluated)
        self._results: dict[tuple, tuple[dict[str, list[dict]], list[dict] | None]] = {}
        con.execute(
            "create or replace temp table evaluated as select "
            "unnest($scopes::varchar[]) as scope_code, unnest($periods::varchar[]) as period_code",
            {"scopes": list(self.evaluated), "periods": list(self.evaluated.values())},
        )
        self.materialise("scope_units")

    def scope_rows(self, scope: str, name: str, **params) -> list[dict]:
        """The rows of `name` for one evaluated scope (the same list each time: do not change
        it)."""
        key = (
            name,
            *sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()),
        )
        result = self._results.get(key)
        if result is None:
            result = self._results[key] = self._run(name, params)
        by_scope, every = result
        return every if every is not None else by_scope.get(scope, [])

    def scope_sources(self, scope: str, name: str, **params) -> list[dict]:
        """A figure query's rows for one scope added up by report version, sheet and row label
        (SOURCES_SQL): report_id, unit_code, period_code, sheet, row_label, row_numbers (in
        order) and value."""
        return self.scope_rows(scope, f"sources:{name}", **params)

    def _run(self, name: str, params: dict) -> tuple[dict[str, list[dict]], list[dict] | None]:
        figure = name.removeprefix("sources:")
        sql = SOURCES_SQL.format(query=self.sql(figure)) if figure != name else None
        result = self.execute(figure, sql, **params)
        columns = [column[0] for column in result.description]
        rows = result.fetchall()
        if columns[0] != SCOPE_COLUMN:
            if figure not in EVERY_SCOPE:
                raise ValueError(
                    f"Truy vấn '{figure}' trong {QUERIES_FILE.name} phải trả cột {SCOPE_COLUMN} "
                    f"đầu tiên / query '{figure}' in {QUERIES_FILE.name} must return "
                    f"{SCOPE_COLUMN} first (or be listed in EVERY_SCOPE)"
                )
            return {}, [dict(zip(columns, row, strict=True)) for row in rows]
        columns = columns[1:]
        by_scope: dict[str, list[dict]] = {}
        for scope, *values in rows:
            by_scope.setdefault(scope, []).append(dict(zip(columns, values, strict=True)))
        return by_scope, None

    def runner(self, scope: str) -> ScopeRunner:
        return ScopeRunner(self, scope)


class ScopeRunner:
    """One scope's view of a ScopeQueries: `rows(name, **params)` as QueryRunner gives them."""

    def __init__(self, queries: ScopeQueries, scope: str):
        self.queries = queries
        self.scope = scope

    def rows(self, name: str, **params) -> list[dict]:
        return self.queries.scope_rows(self.scope, name, **params)

    def sources(self, name: str, **params) -> list[dict]:
        return self.queries.scope_sources(self.scope, name, **params)
