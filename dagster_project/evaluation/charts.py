"""The evaluation's two charts, drawn once and written as inline SVG (HTML) and PNG (Word).

matplotlib is imported only when a chart is drawn; chart_cache.py draws a chart only when its
rows (or this module) changed. The SVG carries no date and fixed element ids, so the same rows
always give the same bytes.
"""

from __future__ import annotations

import io

from dagster_project.evaluation.numbers import so

STATUS_COLOURS = {"achieved": "#2e7d32", "on_track": "#1565c0", "behind": "#c62828"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "path"  # glyphs as paths: no font needed to view the SVG
    plt.rcParams["font.family"] = "DejaVu Sans"
    plt.rcParams["svg.hashsalt"] = "tcd-warehouse"  # element ids from the drawing, not a uuid
    return plt


def _outputs(fig, plt) -> tuple[str, bytes]:
    svg = io.StringIO()
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    text = svg.getvalue()
    return text[text.index("<svg") :], png.getvalue()


def attainment_chart(rows: list[tuple[str, float, str]]) -> tuple[str, bytes]:
    """Bars of attainment % per target (label, pct, status); the 100% line dashed."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.55 * max(len(rows), 2) + 1.0))
    labels = [label for label, _, _ in rows]
    values = [float(pct or 0) for _, pct, _ in rows]
    ax.barh(labels, values, color=[STATUS_COLOURS.get(s, "#757575") for *_, s in rows])
    ax.axvline(100, color="#424242", linewidth=1, linestyle="--")
    ax.invert_yaxis()
    ax.set_xlim(0, max([float(pct or 0) for _, pct, _ in rows] + [100]) * 1.12)
    ax.set_xlabel("Tỷ lệ thực hiện so với mục tiêu (%)")
    for y, (_, pct, _) in enumerate(rows):
        ax.text(float(pct or 0), y, f" {so(pct)}%", va="center", fontsize=8)
    return _outputs(fig, plt)


def admissions_chart(rows: list[tuple[str, int, int]]) -> tuple[str, bytes]:
    """Bars of admissions per unit (name, all, of them in private units)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(rows), 2) + 1.0))
    names = [name for name, _, _ in rows]
    ax.barh(names, [a for _, a, _ in rows], color="#90a4ae", label="Tổng số kết nạp")
    ax.barh(names, [p for *_, p in rows], color="#c62828", label="Trong đơn vị kinh tế tư nhân")
    ax.invert_yaxis()
    ax.set_xlabel("Số đảng viên kết nạp trong kỳ")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)
    ax.set_xlim(0, max([total for _, total, _ in rows] + [1]) * 1.15)
    for y, (_, total, private) in enumerate(rows):
        ax.text(total, y, f" {so(total)} ({so(private)})", va="center", fontsize=8)
    return _outputs(fig, plt)
