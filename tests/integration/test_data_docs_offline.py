"""The Data Docs of a real load, served by `tcd docs`, render complete with the network cut off.

Chromium may reach 127.0.0.1 only: every other request is aborted and recorded. The index must
be styled, its lists of validations and suites filled (bootstrap-table does that in the
browser), and a validation page must open with its findings.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg
import pytest

from tests.integration.browser import (
    TCD,
    chromium_page,
    free_port,
    require_chromium,
    screenshot_dir,
    wait_for_http,
)
from tests.integration.conftest import REPO, LoadRun

pytestmark = pytest.mark.integration


@pytest.fixture
def docs_url(demo_load: LoadRun, tmp_path: Path):
    port = free_port()
    proc = subprocess.Popen(
        [str(TCD), "docs", "--home", str(demo_load.home), "--port", str(port)],
        cwd=REPO, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/index.html", proc, timeout=60)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def test_data_docs_render_complete_with_no_network(docs_url: str, tmp_path: Path) -> None:
    require_chromium()
    shots = screenshot_dir(tmp_path)
    blocked: list[str] = []

    def only_localhost(route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    with chromium_page() as page:
        page.route("**/*", only_localhost)
        page.goto(f"{docs_url}/index.html")
        rows = page.locator("table tbody tr")
        rows.first.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        page.screenshot(path=shots / "data_docs_index_offline.png", full_page=True)
        libraries = page.evaluate(
            "() => [typeof window.jQuery, typeof (window.jQuery && jQuery.fn.bootstrapTable)]"
        )
        navbar_height = page.evaluate(
            "() => document.querySelector('nav') && document.querySelector('nav').offsetHeight"
        )
        row_count = rows.count()
        rows.first.locator("td").nth(1).click()  # a row opens its validation
        page.wait_for_url("**/validations/**", timeout=30_000)
        page.get_by_text("Overview").first.wait_for(timeout=30_000)
        page.screenshot(path=shots / "data_docs_validation_offline.png", full_page=True)
    assert blocked == [], f"requests that needed the internet: {blocked}"
    assert libraries == ["function", "function"]
    assert row_count > 1
    assert navbar_height and navbar_height < 200, "Bootstrap's styles lay out the navbar"


def test_the_load_checked_the_versions_it_parsed_and_links_each_page(demo_load: LoadRun) -> None:
    """The sheet checks validated the versions the load's parse step wrote, and each check
    links to its validation page, rendered once at the end of its step."""
    instance = dg.DagsterInstance.from_config(str(demo_load.home / "dagster"))
    try:
        parsed = instance.fetch_materializations(dg.AssetKey("parsed_reports"), limit=1000)
        written = {
            batch
            for record in parsed.records
            for batches in record.asset_materialization.metadata["parsed_batches"].value.values()
            for batch in batches
        }
        evaluations = {}
        for name in ("gx_tong_hop", "gx_ket_nap", "gx_to_chuc"):
            key = dg.AssetCheckKey(dg.AssetKey("parsed_reports"), name)
            record = instance.event_log_storage.get_asset_check_execution_history(key, limit=1)[0]
            evaluations[name] = record.event.dagster_event.event_specific_data
    finally:
        instance.dispose()
    assert written, "the parse step records the batches it wrote"
    docs = (demo_load.home / "docs" / "gx").resolve()
    for name, evaluation in evaluations.items():
        assert evaluation.metadata["report_versions_checked"].value > 0, name
        page = Path(evaluation.metadata["data_docs_file"].value)
        assert page.is_file() and page.resolve().is_relative_to(docs), name
        assert evaluation.metadata["data_docs"].value.endswith(page.name), name


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_tcd_docs_stops_on_a_signal_even_started_in_the_background(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    """A shell starts background jobs with SIGINT ignored; the server must stop anyway."""
    port = free_port()
    proc = subprocess.Popen(
        [str(TCD), "docs", "--home", str(tmp_path / "home"), "--port", str(port)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", proc, timeout=120)
        proc.send_signal(stop_signal)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
