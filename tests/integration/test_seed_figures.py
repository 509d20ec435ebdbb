"""The demo sample, loaded and published, answers every figure the seed articles report.

Each `SeedFigure` is one BI query against the published warehouse; the expected values are the
articles' own numbers (docs/seed-figures.md explains each count). The table in that document is
rendered from the same list, so the document and the queries cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tcd_samples.seed_figures import (
    SEED_FIGURES,
    SeedFigure,
    figures_markdown_table,
)
from tests.integration.conftest import LoadRun

SEED_FIGURES_DOC = Path(__file__).resolve().parents[2] / "docs" / "seed-figures.md"


@pytest.mark.parametrize("figure", SEED_FIGURES, ids=lambda figure: figure.figure_id)
def test_published_warehouse_reproduces_the_seed_figure(
    demo_load: LoadRun, figure: SeedFigure
) -> None:
    assert demo_load.scalar(figure.sql) == figure.expected


def test_seed_figures_document_lists_exactly_the_checked_figures() -> None:
    assert figures_markdown_table() in SEED_FIGURES_DOC.read_text(encoding="utf-8")
