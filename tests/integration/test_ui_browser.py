"""A new user's first clicks: "Materialize all" on the asset graph of `tcd ui`, in Chromium.

Every period is selected: reports are partitioned by half-year, so the backfill parses them in
one run.

With `--demo-key` (what `make ui` passes) every run of the backfill succeeds and publishes the
warehouse; without a key the parse step stops and its run page says why, in Vietnamese and
English. Screenshots: see `tests/integration/browser.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.browser import (
    chromium_page,
    launch_materialize_all,
    require_chromium,
    screenshot_dir,
    tcd_ui,
    wait_for_backfill,
)

pytestmark = [pytest.mark.integration, pytest.mark.long]


def test_materialize_all_with_the_demo_key_publishes_the_warehouse(tmp_path: Path) -> None:
    require_chromium()
    shots = screenshot_dir(tmp_path)
    home = tmp_path / "home"
    with tcd_ui(home, "--demo-key") as (url, _), chromium_page() as page:
        launch_materialize_all(page, url)
        page.screenshot(path=shots / "materialize_all_launched.png")
        status, runs = wait_for_backfill(url)
        failed = [run["runId"] for run in runs if run["status"] != "SUCCESS"]
        page.goto(f"{url}/runs/{runs[0]['runId']}")
        page.wait_for_timeout(5000)
        page.screenshot(path=shots / "materialize_all_last_run.png")
        page.goto(f"{url}/asset-groups")
        page.wait_for_timeout(5000)
        page.screenshot(path=shots / "materialize_all_graph.png")
    assert not failed, f"runs that did not succeed: {failed} (backfill {status})"
    assert (home / "published" / "warehouse.duckdb").exists()


def test_materialize_all_without_a_key_says_why_on_the_run_page(tmp_path: Path) -> None:
    require_chromium()
    shots = screenshot_dir(tmp_path)
    with tcd_ui(tmp_path / "home") as (url, _), chromium_page() as page:
        launch_materialize_all(page, url)
        _, runs = wait_for_backfill(url)
        failed = [run for run in runs if run["status"] == "FAILURE"]
        assert failed, runs
        page.goto(f"{url}/runs/{failed[-1]['runId']}")
        message = page.get_by_text("TCD_PSEUDONYM_KEY is not set").first
        message.wait_for(timeout=60_000)
        page.screenshot(path=shots / "run_without_key.png")
        text = page.inner_text("body")
    assert "Chưa đặt biến môi trường TCD_PSEUDONYM_KEY" in text
