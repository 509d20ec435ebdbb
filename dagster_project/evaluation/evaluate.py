"""Write the evaluation of a scope and period from the published warehouse: docx, HTML, sources.

Everything is read over one read-only connection to the published DuckDB file; the wording is
the Jinja2 template templates/danh_gia.md.j2 and the figures are the named queries of
queries.sql. Scopes evaluated together (every province after a publish) share each query's pass
over the marts (queries.ScopeQueries); each is then drafted (its text and the charts it asks
for), the charts are taken from the cache or drawn, and the files are written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import jinja2

from dagster_project.evaluation import render
from dagster_project.evaluation.chart_cache import Chart, ChartCache
from dagster_project.evaluation.figures import Figure, Figures
from dagster_project.evaluation.numbers import so, truncated_pct, ty_le
from dagster_project.evaluation.queries import QueryRunner, ScopeQueries
from dagster_project.settings import DBT_PROJECT_DIR

TEMPLATES_DIR = Path(__file__).with_name("templates")
TEXT_TEMPLATE = "danh_gia.md.j2"
PAGE_TEMPLATE = "trang.html.j2"
INDICATOR_CATALOGUE = DBT_PROJECT_DIR / "seeds" / "indicator_catalogue.csv"
PROVENANCE_COLUMNS = [
    "figure_id", "text", "value", "description", "query", "periods", "role", "report_id",
    "unit_code", "period_code", "sheet", "row_first", "row_last", "rows", "row_label",
    "source_value",
]  # fmt: skip


class EvaluationError(ValueError):
    """The evaluation cannot be written (unknown unit, period or plan): said in both languages."""


@dataclass
class Evaluation:
    scope: str
    period: str
    docx: Path
    html: Path
    provenance: Path
    markdown: str
    figures: list[Figure]
    charts_drawn: int = 0
    charts_reused: int = 0

    @property
    def paths(self) -> list[Path]:
        return [self.docx, self.html, self.provenance]


def file_stem(scope: str, period: str) -> str:
    return f"{scope}_{period}"


def _indicator_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Vietnamese indicator labels that read in a sentence: a part ('Trong đó: ...') is named
    after its whole. From marts.dim_indicator when published, else the indicator catalogue."""
    try:
        rows = con.execute(
            "select indicator_code, label_vi, parent_code from marts.dim_indicator"
        ).fetchall()
    except duckdb.Error:
        with INDICATOR_CATALOGUE.open(encoding="utf-8", newline="") as handle:
            rows = [
                (row["indicator_code"], row["label"], row["parent_code"])
                for row in csv.DictReader(handle)
            ]
    raw = {code: (label, parent) for code, label, parent in rows}
    labels = {}
    for code, (label, parent) in raw.items():
        prefix = "Trong đó:"
        if label.startswith(prefix) and parent in raw:
            rest = label[len(prefix) :].strip()
            label = f"{raw[parent][0]}, {rest[:1].lower()}{rest[1:]}"
        labels[code] = label
    return labels


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """One environment per process: the templates are compiled once, not once per province."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown out; HTML escaping happens when it is rendered
    )
    env.globals.update(so=so, ty_le=ty_le)
    return env


def _publish_version(con: duckdb.DuckDBPyConnection) -> str:
    try:
        row = con.execute("select max(version) from marts.publish_log").fetchone()
    except duckdb.Error:
        return "?"
    return str(row[0]) if row and row[0] is not None else "?"


def write_evaluation(
    published_db: Path,
    scope: str,
    period: str,
    out_dir: Path,
    plans: list[str] | None = None,
    chart_cache: ChartCache | None = None,
) -> Evaluation:
    """Write <scope>_<period>_danh-gia.docx and .html and <scope>_<period>_nguon.csv; the
    charts are taken from `chart_cache` when it holds them (drawn every time without one)."""
    _require_published(published_db)
    with duckdb.connect(str(published_db), read_only=True) as con:
        shared = _Shared(con, {scope: period})
        draft = _draft(shared, scope, plans)
    cache = chart_cache or ChartCache(None)
    return _finish(draft, cache.charts(draft.chart_requests, workers=1), Path(out_dir))


def _require_published(published_db: Path) -> None:
    if not Path(published_db).exists():
        raise EvaluationError(
            f"Chưa có kho dữ liệu công bố tại {published_db} / nothing is published at "
            f"{published_db}: run `tcd load` first."
        )


class _Shared:
    """What the evaluations written together read once: their queries (one pass over the marts
    for all scopes), the indicator labels, the published version and the plans' stock
    indicators."""

    def __init__(self, con: duckdb.DuckDBPyConnection, evaluated: dict[str, str]):
        self.queries = ScopeQueries(con, evaluated)
        self.labels = _indicator_labels(con)
        self.published_version = _publish_version(con)
        self._con = con
        self._stock: dict[str, dict[str, str]] = {}

    def stock_indicators(self, plan: str) -> dict[str, str]:
        if plan not in self._stock:
            self._stock[plan] = _stock_indicators(self._con, plan)
        return self._stock[plan]


@dataclass
class _Draft:
    """An evaluation whose text is written; its charts and files not yet."""

    scope: str
    period: str
    markdown: str
    figures: Figures
    show_ids: bool
    chart_requests: list[tuple[str, list]]


def _draft(shared: _Shared, scope: str, plans: list[str] | None) -> _Draft:
    period = shared.queries.evaluated[scope]  # what its queries read too
    runner = shared.queries.runner(scope)
    scope_rows = runner.rows("scope")
    if not scope_rows:
        raise EvaluationError(
            f"Không có đơn vị '{scope}' trong dim_reporting_unit / unit '{scope}' is not in "
            "dim_reporting_unit (a unit code such as 088, or a GSO province code such as 10)."
        )
    periods = runner.rows("periods")
    ordered = [row["period_code"] for row in periods]
    if period not in ordered:
        raise EvaluationError(
            f"Không có kỳ '{period}' trong dim_period / period '{period}' is not in dim_period "
            f"(found {ordered[0]}..{ordered[-1]})."
        )
    available = [row["plan_code"] for row in runner.rows("scope_plans")]
    chosen = available if plans is None else plans
    unknown = [plan for plan in chosen if plan not in available]
    if unknown:
        raise EvaluationError(
            f"Kế hoạch {', '.join(unknown)} không có chỉ tiêu cho '{scope}' tính đến {period} / "
            f"plan {', '.join(unknown)} has no target on '{scope}' as of {period} (found: "
            f"{', '.join(available) or 'none'})."
        )
    labels = shared.labels
    targets = [t for t in runner.rows("plan_targets") if t["plan_code"] in chosen]
    target_windows = {}
    plan_blocks = []
    for plan in chosen:
        rows = [dict(t) for t in targets if t["plan_code"] == plan]
        stock_codes = shared.stock_indicators(plan)
        for t in rows:
            t["label"] = labels.get(t["indicator_code"], t["indicator_code"])
            t["stock_indicator_code"] = stock_codes.get(t["indicator_code"])
            t["stock_label"] = labels.get(t["stock_indicator_code"] or "", "số nền")
            if t["window_kind"] == "plan_span":  # a multi-year plan (đề án): count since it began
                target_windows[plan] = min(target_windows.get(plan, t["window_start"]),
                                           t["window_start"], key=ordered.index)  # fmt: skip
        plan_blocks.append(
            {"plan_code": plan, "plan_name": rows[0]["plan_name"] if rows else plan,
             "targets": rows}
        )  # fmt: skip

    figures = Figures(runner, period, ordered)
    if target_windows:
        figures.plan_start = min(target_windows.values(), key=ordered.index)
    plain_cache: dict[tuple, Figure] = {}

    def plain(value, description: str) -> Figure:
        key = (description, str(value))
        if key not in plain_cache:
            plain_cache[key] = figures.plain(value, description)
        return plain_cache[key]

    by_unit = runner.rows("ket_nap_theo_don_vi")
    year = int(period[:4])
    stem = file_stem(scope, period)
    period_row = next(row for row in periods if row["period_code"] == period)
    context = {
        "scope": scope_rows[0],
        "period": period,
        "period_label": period_row["period_label_vi"] or period,
        "previous_period": figures.window("cung_ky")[0],
        "year": year,
        "plans": plan_blocks,
        "has_plan": figures.plan_start is not None,
        "has_targets": any(block["targets"] for block in plan_blocks),
        "published_version": shared.published_version,
        "provenance_file": f"{stem}_nguon.csv",
        "fig": figures.fig,
        "target": lambda t: figures.target(t, scope),
        "stock": figures.stock,
        "share": figures.share,
        "plain": plain,
        "no_private_admission": runner.rows("chua_ket_nap_kttn"),
        "lacking_reports": runner.rows("bao_cao_thieu", periods=[period]),
        "late": runner.rows("nop_muon"),
        "completeness": runner.rows("tinh_hinh_bao_cao")[0],
        "quality": runner.rows("chat_luong"),
    }
    text = _environment().get_template(TEXT_TEMPLATE).make_module(context)
    markdown = figures.renumber(str(text))
    share_decimals = getattr(text, "le_ty_le", 1)  # the template's choice, for the chart too
    target_rows = [
        (
            f"{t['label']} ({block['plan_code']})",
            truncated_pct(t["actual_value"], t["target_value"], share_decimals),
            t["status"],
        )
        for block in plan_blocks
        for t in block["targets"]
    ]
    requests: list[tuple[str, list]] = []
    if target_rows:
        requests.append(("attainment", target_rows))
    requests.append(
        (
            "admissions",
            [(row["unit_name"], row["admitted"], row["admitted_private"]) for row in by_unit],
        )
    )
    show_ids = bool(getattr(text, "hien_ma_so_lieu", True))
    return _Draft(scope, period, markdown, figures, show_ids, requests)


def _finish(draft: _Draft, drawn: list[Chart], out_dir: Path) -> Evaluation:
    """Write the draft's three files with its charts (`drawn`, in the order it asked for them)."""
    svg = {chart.kind: chart.svg for chart in drawn}
    png = {chart.kind: chart.png for chart in drawn}
    blocks = render.parse(draft.markdown)
    stem = file_stem(draft.scope, draft.period)
    out_dir.mkdir(parents=True, exist_ok=True)
    title = render.plain_text(blocks[0].text) if blocks else stem
    html_path = out_dir / f"{stem}_danh-gia.html"
    body = render.to_html_body(blocks, svg, draft.show_ids)
    page = _environment().get_template(PAGE_TEMPLATE)
    html_path.write_text(
        page.render(title=title, body=body, provenance_file=f"{stem}_nguon.csv"), encoding="utf-8"
    )
    docx_path = out_dir / f"{stem}_danh-gia.docx"
    render.to_docx(blocks, png, title, draft.show_ids).save(str(docx_path))
    provenance_path = out_dir / f"{stem}_nguon.csv"
    with provenance_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PROVENANCE_COLUMNS)
        writer.writerows(
            [row[column] for column in PROVENANCE_COLUMNS]
            for row in draft.figures.provenance_rows()
        )
    return Evaluation(
        draft.scope, draft.period, docx_path, html_path, provenance_path, draft.markdown,
        draft.figures.used,
        charts_drawn=sum(chart.drawn for chart in drawn),
        charts_reused=sum(not chart.drawn for chart in drawn),
    )  # fmt: skip


def _stock_indicators(con: duckdb.DuckDBPyConnection, plan: str) -> dict[str, str]:
    """Stock indicator of each share-of-stock target of ``plan``, as the published warehouse
    was built with it."""
    return dict(
        con.execute(
            "select distinct indicator_code, stock_indicator_code "
            "from marts.mart_target_attainment "
            "where plan_code = ? and stock_indicator_code is not null",
            [plan],
        ).fetchall()
    )


def latest_periods(published_db: Path) -> list[tuple[str, str]]:
    """(GSO province code, latest period any of its units reported) for every province with a
    published report: what the pipeline evaluates after each publish."""
    with duckdb.connect(str(published_db), read_only=True) as con:
        return _latest_periods(con)


def _latest_periods(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = QueryRunner(con, {}).rows("tinh_co_bao_cao")
    return [(row["province_code"], row["latest_period"]) for row in rows]


def write_latest_evaluations(
    published_db: Path, out_dir: Path, workers: int | None = None
) -> tuple[list[Evaluation], list[str]]:
    """The evaluation of every province for its latest period, every plan of the province; and
    the sentences of those that could not be written (a province the registry does not name).

    The figures of all provinces are read together, each query one pass over the marts for
    all of them (a few rows per report version held in memory); the charts are drawn across
    `workers` processes (default: one per core); the documents are written one by one.
    Charts are kept in out_dir/.charts and drawn only when their rows changed; the charts no
    evaluation shows any more are removed once all are written."""
    _require_published(published_db)
    drafts, refused = [], []
    with duckdb.connect(str(published_db), read_only=True) as con:
        latest = dict(_latest_periods(con))
        shared = _Shared(con, latest)
        for province in latest:
            try:
                drafts.append(_draft(shared, province, None))
            except EvaluationError as exc:
                refused.append(str(exc))
    cache = ChartCache.under(out_dir)
    requests = [request for draft in drafts for request in draft.chart_requests]
    charts = iter(cache.charts(requests, workers=workers))
    written = []
    for draft in drafts:
        drawn = [next(charts) for _ in draft.chart_requests]
        written.append(_finish(draft, drawn, Path(out_dir)))
    cache.prune()
    return written, refused
