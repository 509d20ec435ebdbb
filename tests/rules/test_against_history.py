"""What `tcd validate --against` compares a report with: the published warehouse's accepted
reports, read back as the parser's tables."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.reports.rules import PUBLISHED_SOURCES
from tests.integration.conftest import LoadRun

pytestmark = pytest.mark.integration


def _report_ids(published: str, table: str) -> set[str]:
    with duckdb.connect() as con:
        con.execute("attach ? as published (read_only)", [published])
        rows = con.execute(f"select distinct report_id from ({PUBLISHED_SOURCES[table]})")
        return {report_id for (report_id,) in rows.fetchall()}


def test_every_accepted_report_brings_its_summary_figures(demo_load: LoadRun) -> None:
    """Every report has a TongHop sheet; stock movements and outliers judge a report against
    the figures of the unit's earlier periods."""
    accepted = _report_ids(str(demo_load.published), "report")
    assert accepted
    assert _report_ids(str(demo_load.published), "tong_hop") == accepted
