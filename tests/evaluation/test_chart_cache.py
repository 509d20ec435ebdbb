"""A chart is drawn only when its rows changed: the cache gives back the bytes it was drawn as,
draws again for other rows or a missing half, and forgets what no evaluation shows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from dagster_project.evaluation.chart_cache import ChartCache, chart_digest

ROWS = [("Huyện A", 12, 3), ("Huyện B", 0, 0), ("Huyện C", 1234, 56)]


def files(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_the_same_rows_are_drawn_once_and_given_back_byte_for_byte(tmp_path: Path) -> None:
    first = ChartCache(tmp_path / ".charts").chart("admissions", ROWS)
    before = files(tmp_path / ".charts")
    again = ChartCache(tmp_path / ".charts").chart("admissions", list(ROWS))
    assert first.drawn and not again.drawn
    assert (again.svg, again.png) == (first.svg, first.png)
    assert again.svg.startswith("<svg") and again.png.startswith(b"\x89PNG")
    assert files(tmp_path / ".charts") == before, "same inodes and mtimes: nothing rewritten"
    assert set(before) == {f"{first.digest}.svg", f"{first.digest}.png"}


def test_a_drawing_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    """No date and no random ids in the SVG: a cached chart is what drawing it now would give."""
    cached = ChartCache(tmp_path / ".charts").chart("admissions", ROWS)
    fresh = ChartCache(None).chart("admissions", ROWS)
    assert fresh.drawn and (fresh.svg, fresh.png) == (cached.svg, cached.png)
    assert "<dc:date>" not in fresh.svg
    assert not (tmp_path / "none").exists()


def test_changed_rows_or_types_or_kind_give_another_chart(tmp_path: Path) -> None:
    digest = chart_digest("admissions", ROWS)
    assert chart_digest("admissions", [*ROWS[:2], ("Huyện C", 1234, 57)]) != digest
    assert chart_digest("attainment", ROWS) != digest
    pct = [("Chỉ tiêu (DA)", Decimal("46"), "behind")]
    assert chart_digest("attainment", pct) != chart_digest(
        "attainment", [("Chỉ tiêu (DA)", 46.0, "behind")]
    )  # '46' and '46,0' on the bar
    cache = ChartCache(tmp_path / ".charts")
    cache.chart("admissions", ROWS)
    changed = cache.chart("admissions", ROWS[:2])
    assert changed.drawn and changed.digest != digest


def test_a_chart_missing_its_png_is_drawn_again(tmp_path: Path) -> None:
    chart = ChartCache(tmp_path / ".charts").chart("admissions", ROWS)
    (tmp_path / ".charts" / f"{chart.digest}.png").unlink()
    again = ChartCache(tmp_path / ".charts").chart("admissions", ROWS)
    assert again.drawn and again.png == chart.png
    assert (tmp_path / ".charts" / f"{chart.digest}.png").read_bytes() == chart.png


def test_prune_removes_charts_not_shown_and_leftover_temporary_files(tmp_path: Path) -> None:
    folder = tmp_path / ".charts"
    old = ChartCache(folder).chart("admissions", ROWS[:1])
    leftover = folder / f".{old.digest}.abc123.tmp"
    leftover.write_bytes(b"half")
    other = folder / "README.txt"  # not a chart: left alone
    other.write_text("x")
    cache = ChartCache(folder)
    kept = cache.chart("admissions", ROWS)
    assert cache.prune() == 3
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{kept.digest}.png", f"{kept.digest}.svg", "README.txt"]
    )


def test_charts_drawn_across_processes_are_the_bytes_drawn_here(tmp_path: Path) -> None:
    requests = [("admissions", ROWS), ("admissions", ROWS[:2]), ("admissions", ROWS)]
    cache = ChartCache(tmp_path / ".charts")
    charts = cache.charts(requests, workers=2)
    assert [c.drawn for c in charts] == [True, True, False], "the same rows are drawn once"
    assert charts[0].digest == charts[2].digest != charts[1].digest
    for chart, (kind, rows) in zip(charts, requests, strict=True):
        here = ChartCache(None).chart(kind, rows)
        assert (chart.svg, chart.png) == (here.svg, here.png)
    assert len(list((tmp_path / ".charts").iterdir())) == 4
    again = ChartCache(tmp_path / ".charts").charts(requests, workers=2)
    assert not any(c.drawn for c in again)


def test_a_folder_that_cannot_be_written_keeps_nothing_and_still_gives_the_chart(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    chart = ChartCache(blocked / ".charts").chart("admissions", ROWS)
    assert chart.drawn and chart.png.startswith(b"\x89PNG")
    assert chart.png == ChartCache(None).chart("admissions", ROWS).png
    assert blocked.read_text() == "x"
