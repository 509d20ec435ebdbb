"""Figures of the evaluation: each one a named query over a window of periods, with its sources.

The template asks for a figure by query and window (`fig('ket_nap_kttn', 'ky')`); the figure
gets the next id (S01, S02 ...) the first time it is asked for, its value is the sum of the
query's rows, and those rows (report version, sheet, rows) are its provenance. A figure whose
window includes a report that is missing or quarantined carries those units, so the text can
say what it leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from dagster_project.evaluation.numbers import so, truncated_pct
from dagster_project.evaluation.queries import ScopeRunner

WINDOWS = {
    "ky": "the evaluated period",
    "cung_ky": "the same half-year a year before",
    "nam_truoc": "the whole year before",
    "tu_dau_nam": "from 1 January to the end of the period",
    "de_an": "from the plan's first period to the evaluated period",
}


@dataclass
class Source:
    report_id: str
    unit_code: str
    period_code: str
    sheet: str
    rows: list[int]
    row_label: str | None
    value: int | Decimal


@dataclass
class Figure:
    """One number of the text, its sources and the reports its window lacks."""

    figure_id: str
    query: str
    params: dict
    periods: list[str]
    value: int | Decimal | None
    sources: list[Source]
    lacking: list[dict] = field(default_factory=list)
    description: str = ""
    role: str = "value"
    parts: tuple[Figure, ...] = ()
    decimals: int | None = None

    @property
    def text(self) -> str:
        if self.role == "share":
            return "–" if self.value is None else so(self.value, self.decimals) + "%"
        return so(self.value)

    def __str__(self) -> str:
        return f"[[{self.figure_id}:{self.text}]]"

    def __int__(self) -> int:
        return int(self.value or 0)

    def __bool__(self) -> bool:
        return bool(self.value)


def _sources(groups: list[dict]) -> list[Source]:
    """One Source per report version, sheet and row label (ScopeRunner.sources), in the order
    of period, unit and sheet."""
    sources = []
    for group in groups:
        rows = list(group["row_numbers"] or [])
        sources.append(
            Source(group["report_id"], group["unit_code"], group["period_code"], group["sheet"],
                   rows, group["row_label"], group["value"])
        )  # fmt: skip
    return sorted(sources, key=lambda s: (s.period_code, s.unit_code, s.sheet))


class Figures:
    """The figures one evaluation uses, in the order the text first names them."""

    def __init__(self, runner: ScopeRunner, period: str, ordered_periods: list[str]):
        self.runner = runner
        self.period = period
        self.ordered = ordered_periods
        self.plan_start: str | None = None
        self.by_key: dict[tuple, Figure] = {}
        self.used: list[Figure] = []

    # periods ---------------------------------------------------------------------------------
    def window(self, name: str) -> list[str]:
        year, half = int(self.period[:4]), int(self.period[-1])
        if name == "ky":
            return [self.period]
        if name == "cung_ky":
            return [f"{year - 1}-H{half}"]
        if name == "nam_truoc":
            return [f"{year - 1}-H1", f"{year - 1}-H2"]
        if name == "tu_dau_nam":
            return [f"{year}-H{h}" for h in range(1, half + 1)]
        if name == "de_an":
            if not self.plan_start:
                raise ValueError("Không có đề án nào để tính lũy kế / no plan to count from")
            first, last = self.ordered.index(self.plan_start), self.ordered.index(self.period)
            return self.ordered[first : last + 1]
        raise ValueError(f"Không rõ khoảng thời gian '{name}' / unknown window '{name}'")

    # figures ---------------------------------------------------------------------------------
    def _register(self, figure: Figure) -> Figure:
        figure.figure_id = f"S{len(self.used) + 1:02d}"
        self.used.append(figure)
        return figure

    def _lacking(self, periods: list[str]) -> list[dict]:
        return self.runner.rows("bao_cao_thieu", periods=periods)

    def fig(self, query: str, window: str = "ky", description: str = "", **params) -> Figure:
        """The sum of a figure query over a window, registered with its sources."""
        periods = self.window(window)
        key = (query, tuple(periods), tuple(sorted(params.items())))
        if key in self.by_key:
            return self.by_key[key]
        sources = _sources(self.runner.sources(query, periods=periods, **params))
        value = sum((source.value for source in sources), 0)
        figure = Figure(
            "", query, params, periods, value, sources, self._lacking(periods),
            description or f"{query} ({window}: {', '.join(periods)})",
        )  # fmt: skip
        self.by_key[key] = figure
        return self._register(figure)

    def target(self, target: dict, scope: str) -> Figure:
        """A plan target's actual (mart_target_attainment), traced to the summary rows it sums."""
        first, last = (
            self.ordered.index(target["evaluation_start"]),
            self.ordered.index(self.period),
        )
        periods = self.ordered[first : last + 1]
        key = ("target", target["plan_code"], target["indicator_code"], tuple(periods))
        if key in self.by_key:
            return self.by_key[key]
        rows = self.runner.sources(
            "chi_tieu_nguon",
            periods=periods,
            indicator=target["indicator_code"],
            unit=target["scope_unit_code"],
        )
        figure = Figure(
            "", "plan_targets + chi_tieu_nguon", {"plan": target["plan_code"],
            "indicator": target["indicator_code"]}, periods, target["actual_value"],
            _sources(rows), self._lacking(periods),
            f"{target['plan_code']} {target['indicator_code']}: thực hiện / actual "
            f"{periods[0]}..{periods[-1]}",
        )  # fmt: skip
        self.by_key[key] = figure
        return self._register(figure)

    def stock(self, target: dict) -> Figure:
        """The stock a share-of-stock target is set on, at the evaluated period."""
        rows = self.runner.sources(
            "chi_tieu_nguon",
            periods=[self.period],
            indicator=target["stock_indicator_code"],
            unit=target["scope_unit_code"],
        )
        figure = Figure(
            "", "plan_targets + chi_tieu_nguon", {"indicator": target["stock_indicator_code"]},
            [self.period], target["stock_value"], _sources(rows),
            self._lacking([self.period]), f"{target['stock_indicator_code']} at {self.period}",
        )  # fmt: skip
        return self._register(figure)

    def share(
        self, part: Figure, whole: Figure, decimals: int = 1, description: str = ""
    ) -> Figure:
        """part / whole as a truncated percentage; its provenance is the two figures' sources."""
        key = ("share", part.figure_id, whole.figure_id, decimals)
        if key in self.by_key:
            return self.by_key[key]
        value = truncated_pct(part.value, whole.value, decimals)
        figure = Figure(
            "", "share", {}, sorted(set(part.periods) | set(whole.periods)), value, [],
            part.lacking + [x for x in whole.lacking if x not in part.lacking],
            description or f"{part.figure_id} / {whole.figure_id} (%)", role="share",
            parts=(part, whole), decimals=decimals,
        )  # fmt: skip
        self.by_key[key] = figure
        return self._register(figure)

    def plain(self, value, description: str, decimals: int | None = None) -> Figure:
        """A number read from a mart row that has no report rows of its own (a target set in
        the targets file, not reported by any unit)."""
        figure = Figure("", "plan_targets", {}, [], value, [], [], description)
        figure.decimals = decimals
        return self._register(figure)

    def renumber(self, markdown: str) -> str:
        """Give the ids S01, S02 ... in the order the text first shows the figures; figures the
        text asked for but does not show (a share's parts) follow."""
        import re

        marker = re.compile(r"\[\[(S\d+):")
        shown = list(dict.fromkeys(marker.findall(markdown)))
        by_id = {figure.figure_id: figure for figure in self.used}
        order = [by_id[i] for i in shown] + [f for f in self.used if f.figure_id not in shown]
        new_ids = {figure.figure_id: f"S{n:02d}" for n, figure in enumerate(order, start=1)}
        for figure in order:
            figure.figure_id = new_ids[figure.figure_id]
        self.used = order
        return marker.sub(lambda m: f"[[{new_ids[m.group(1)]}:", markdown)

    # provenance ------------------------------------------------------------------------------
    def provenance_rows(self) -> list[dict]:
        """One row per figure and source: what …_nguon.csv holds."""
        out = []
        for figure in self.used:
            base = {
                "figure_id": figure.figure_id,
                "text": figure.text,
                "value": figure.value,
                "description": figure.description,
                "query": figure.query,
                "periods": " ".join(figure.periods),
            }
            if figure.role == "share":
                part, whole = figure.parts
                base["description"] = (
                    f"{part.figure_id} / {whole.figure_id} x 100, cắt bớt / truncated"
                )
                for role, part in zip(("tu_so", "mau_so"), figure.parts, strict=True):
                    out.append({**base, "role": f"{role}:{part.figure_id}", **_no_source()})
                continue
            if not figure.sources:
                role = "muc_tieu" if figure.query == "plan_targets" else "khong_co_dong_nao"
                out.append({**base, "role": role, **_no_source()})
            for source in figure.sources:
                out.append({**base, "role": "nguon", **_source_columns(source)})
        return out


def _no_source() -> dict:
    return dict.fromkeys(
        ("report_id", "unit_code", "period_code", "sheet", "row_first", "row_last", "rows",
         "row_label", "source_value"), ""
    )  # fmt: skip


def _compact(rows: list[int]) -> str:
    """[3, 4, 5, 9] -> '3-5 9'."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return " ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _source_columns(source: Source) -> dict:
    return {
        "report_id": source.report_id,
        "unit_code": source.unit_code,
        "period_code": source.period_code,
        "sheet": source.sheet,
        "row_first": source.rows[0] if source.rows else "",
        "row_last": source.rows[-1] if source.rows else "",
        "rows": _compact(source.rows),
        "row_label": source.row_label or "",
        "source_value": source.value,
    }
