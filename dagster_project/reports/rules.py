"""The warehouse's rules over one report, for `tcd validate`, from the dbt models that define them.

The load gate's rules live once, as the dbt models `int_findings__*` (with the models they read:
staging casts, enrichment, the recomputed summary). Here those same model files are rendered
with a small dbt-compatible Jinja context (`ref` and `source` name DuckDB views, the project's
macros and the `dbt.*` helpers they use are available) and run with DuckDB over the Arrow tables
of the one parsed report. Which models run comes from the rule catalogue (`dq_rules.csv`:
`checked_by = warehouse`, scope `single_report`, `defined_in` the model); the findings come out
of the same `warehouse_rule_findings` macro the load gate unions, so code, severity, cell and
message are the load's own. Rules whose scope is across reports need the published warehouse.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pyarrow as pa
import yaml

from dagster_project.reports.output import stored_table
from dagster_project.reports.reference import dq_rules, seeds_dir
from dagster_project.settings import DBT_PROJECT_DIR

SINGLE_REPORT = "single_report"
ACROSS_REPORTS = "across_reports"
PARSED_SOURCES = ("report", "tong_hop", "ket_nap", "to_chuc", "findings")


def rule_catalogue() -> list[dict[str, str]]:
    """Every rule of `dq_rules.csv`, as the load gate and `marts.dim_dq_rule` read it."""
    return list(dq_rules().values())


def scopes(rule: dict[str, str]) -> set[str]:
    """A rule's scopes: `single_report`, `across_reports`, `file_name`, `all_reports`, ..."""
    return set(filter(None, rule.get("scope", "").split("+")))


def single_report_warehouse_rules() -> list[dict[str, str]]:
    """Warehouse rules one report can break by itself: `tcd validate` runs their models."""
    return [
        rule
        for rule in rule_catalogue()
        if rule["checked_by"] == "warehouse" and SINGLE_REPORT in scopes(rule)
    ]


def across_report_rules() -> list[dict[str, str]]:
    """Rules that need other reports (named "not checked" unless a warehouse is given)."""
    return [rule for rule in rule_catalogue() if ACROSS_REPORTS in scopes(rule)]


def report_warehouse_rules(*, with_other_reports: bool) -> list[dict[str, str]]:
    """The warehouse rules `tcd validate` runs: one report's, and with a warehouse all others."""
    rules = single_report_warehouse_rules()
    if with_other_reports:
        rules += [
            rule
            for rule in across_report_rules()
            if rule["checked_by"] == "warehouse" and rule not in rules
        ]
    return rules


class UnknownDbtHelper(AttributeError):
    """A model calls a `dbt.*` macro the rule runner does not render (add it to _DbtHelpers)."""


class _DbtHelpers:
    """The `dbt.*` cross-database macros the models use, as DuckDB writes them."""

    @staticmethod
    def concat(fields: list[str]) -> str:
        return " || ".join(f"({f})" for f in fields)

    @staticmethod
    def bool_or(expression: str) -> str:
        return f"bool_or({expression})"

    def __getattr__(self, name: str) -> Any:
        raise UnknownDbtHelper(
            f"dbt.{name} is used by a model but tcd validate's rule runner does not render it: "
            "add it to _DbtHelpers in dagster_project/reports/rules.py"
        )


@lru_cache(maxsize=1)
def _model_files() -> dict[str, Path]:
    return {path.stem: path for path in (DBT_PROJECT_DIR / "models").rglob("*.sql")}


@lru_cache(maxsize=1)
def _project_vars() -> dict[str, Any]:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(project.get("vars") or {})


@lru_cache(maxsize=1)
def _seed_types() -> dict[str, dict[str, str]]:
    doc = yaml.safe_load((seeds_dir() / "_seeds__models.yml").read_text(encoding="utf-8"))
    return {
        seed["name"]: dict((seed.get("config") or {}).get("column_types") or {})
        for seed in doc.get("seeds", [])
    }


class _MacroReturn(Exception):
    """dbt's `return(value)`: the macro's result is the value, not the text it rendered."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _return(value: Any) -> Any:
    raise _MacroReturn(value)


def _returning(macro: Any) -> Any:
    """A project macro that gives the value of its `return(...)`, as dbt's macros do."""
    if not callable(macro):
        return macro

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return macro(*args, **kwargs)
        except _MacroReturn as done:
            return done.value

    return call


class ModelRunner:
    """Renders dbt model files as views in one DuckDB connection, dependencies first."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, sources: dict[str, str], *, views: bool = False
    ) -> None:
        self.con = con
        self.kind = "view" if views else "table"  # tables: each model computed once
        self.sources = sources
        self.built: set[str] = set()
        self.env = jinja2.Environment(
            undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"]
        )
        self.env.globals.update(
            ref=self.ref,
            source=self.source,
            var=self.var,
            env_var=lambda name, default=None: default,
            config=lambda *args, **kwargs: "",
            is_incremental=lambda: False,
            dbt=_DbtHelpers(),
            log=lambda *args, **kwargs: "",
        )
        self.env.globals["return"] = _return
        for path in sorted((DBT_PROJECT_DIR / "macros").glob("*.sql")):
            module = self.env.from_string(path.read_text(encoding="utf-8")).make_module()
            for name in dir(module):
                if not name.startswith("_"):
                    self.env.globals[name] = _returning(getattr(module, name))

    def var(self, name: str, default: Any = None) -> Any:
        return _project_vars().get(name, default)

    def source(self, source_name: str, table: str) -> str:
        return self.sources[f"{source_name}__{table}"]

    def ref(self, name: str) -> str:
        if name not in self.built:
            if name in _seed_types():
                self._load_seed(name)
            else:
                self.run(name)
        return f'"{name}"'

    def render(self, sql: str) -> str:
        return self.env.from_string(sql).render(this=None)

    def run(self, model: str) -> None:
        """Create the model's view, after the views it refers to."""
        path = _model_files().get(model)
        if path is None:
            raise LookupError(f"no dbt model {model!r} under {DBT_PROJECT_DIR / 'models'}")
        self.built.add(model)
        body = self.render(path.read_text(encoding="utf-8"))
        self.con.execute(f'create or replace temp {self.kind} "{model}" as {body}')

    def _load_seed(self, name: str) -> None:
        self.built.add(name)
        types = _seed_types().get(name) or {}
        path = seeds_dir() / f"{name}.csv"
        columns = ", ".join(f"'{column}': '{kind}'" for column, kind in types.items())
        self.con.execute(
            f'create or replace temp table "{name}" as select * from read_csv(?, header = true, '
            f"types = {{{columns}}}, all_varchar = false)",
            [str(path)],
        )


# The published warehouse's accepted reports, as the parser's tables: what --against compares
# one report with. Columns the marts do not publish stay null (names, labels, decisions).
PUBLISHED_SOURCES = {
    "report": """
        select
            report_id, unit_code, period_code,
            cast(regexp_extract(report_id, '_v([0-9]+)_', 1) as integer) as version,
            regexp_extract(report_id, '_([0-9a-f]+)$', 1) as sha256,
            file_name, received_at, received_at as parsed_at,
            0 as error_count, 0 as warning_count
        from published.marts.mart_reporting_completeness
        where status = 'accepted' and report_id is not null
    """,
    "tong_hop": """
        select report_id, 'TongHop' as sheet, indicator_code, reported_value
        from published.marts.mart_indicators
        where
            scope_level = 'reporting_unit' and report_id is not null
            and reported_value is not null
    """,
    "ket_nap": """
        select
            report_id, 'KetNap' as sheet, row_number, member_key, gender, ethnicity,
            category_code, tax_code, admission_date, birth_year, age_at_admission
        from published.marts.fct_admissions
    """,
    "to_chuc": """
        select
            report_id, 'ToChuc' as sheet, row_number, tax_code, enterprise_name, ownership_type,
            industrial_zone, employees, party_org_type, party_org_founded_date, party_members,
            superior_committee, has_union, union_founded_date, union_members, has_youth_org,
            youth_org_founded_date, youth_members
        from published.marts.fct_enterprise_snapshots
    """,
}


class ModelQuery:
    """One dbt model kept ready over parsed tables that change between calls.

    The model and the models it reads are views over the registered tables, so each call only
    swaps the tables in and runs one query: cheap enough for a generator to call per few reports.
    """

    def __init__(self, model: str) -> None:
        self.model = model
        self.con = duckdb.connect()
        sources = {}
        for name in PARSED_SOURCES:
            self.con.register(f"parsed__{name}", stored_table(name))
            sources[f"parsed__{name}"] = f"parsed__{name}"
        ModelRunner(self.con, sources, views=True).run(model)

    def __call__(self, tables: dict[str, pa.Table]) -> list[dict]:
        """The model's rows over `report`, `tong_hop`, `ket_nap`, `to_chuc`, `findings` (a
        missing table is empty)."""
        for name in PARSED_SOURCES:
            table = tables.get(name)
            self.con.register(f"parsed__{name}", stored_table(name, table))
        cursor = self.con.execute(f'select * from "{self.model}"')
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@lru_cache(maxsize=4)
def model_query(model: str) -> ModelQuery:
    """A ready `ModelQuery`, e.g. of `int_indicators_computed`: the summary figures the detail
    sheets determine, as the load's "summary equals detail" rule computes them."""
    return ModelQuery(model)


def warehouse_findings(
    tables: dict[str, pa.Table], rules: list[dict[str, str]], against: Path | None = None
) -> list[dict]:
    """Findings of the given warehouse rules over one parsed report, in dq_issues' shape.

    `tables` are the parser's five tables (`report`, `tong_hop`, `ket_nap`, `to_chuc`,
    `findings`); the models read them where the load reads `source('parsed', ...)`. With
    `against` (a published warehouse file), the warehouse's accepted reports stand beside it, so
    the rules across reports see the history the load would; only this report's findings return.
    """
    models = sorted({rule["defined_in"] for rule in rules if rule.get("defined_in")})
    if not models:
        return []
    con = duckdb.connect()
    try:
        if against is not None:
            con.execute("attach ? as published (read_only)", [str(against)])
        sources = {}
        for name in PARSED_SOURCES:
            view = f"parsed__{name}"
            con.register(f"report__{name}", stored_table(name, tables[name]))
            body = f"select * from report__{name}"
            if against is not None and name in PUBLISHED_SOURCES:
                body += f" union all by name {PUBLISHED_SOURCES[name]}"
            con.execute(f"create temp view {view} as {body}")
            sources[f"parsed__{name}"] = view
        runner = ModelRunner(con, sources)
        macro: Callable[..., str] = runner.env.globals["warehouse_rule_findings"]
        sql = str(macro(models, "error"))
        report_ids = tables["report"].column("report_id").to_pylist()
        cursor = con.execute(
            f"select * from ({sql}) where report_id in (select unnest(?)) "
            "order by sheet, row_number, rule_code",
            [report_ids],
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
