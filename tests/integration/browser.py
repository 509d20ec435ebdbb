"""A real `tcd ui` and a real headless Chromium (Debian's), as a new user meets the UI.

Playwright drives the browser installed at /usr/bin/chromium (`apt-get install chromium`);
it never downloads one. Tests that need it are skipped, with the reason, where it is absent.
Screenshots go to ``TCD_SCREENSHOT_DIR`` when set, else to the test's temporary folder.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
TCD = Path(sys.executable).with_name("tcd")
CHROMIUM = Path("/usr/bin/chromium")
TERMINAL_BACKFILL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}
TERMINAL_RUN = {"SUCCESS", "FAILURE", "CANCELED"}


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    pytest.importorskip("playwright", reason="playwright is a dev dependency (make setup)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def process_group_members(pgid: int) -> list[int]:
    """Live processes of one process group (from /proc), zombies excluded."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


@contextmanager
def tcd_ui(
    home: Path,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path = REPO,
    background: bool = False,
) -> Iterator[tuple]:
    """`tcd ui` in its own process, as a user starts it; stopped with SIGTERM afterwards.

    ``background`` starts it as a shell starts `tcd ui &`: with SIGINT ignored.
    """
    port = free_port()
    base = {k: v for k, v in os.environ.items() if k not in {"TCD_PSEUDONYM_KEY", "DAGSTER_HOME"}}
    log = (home.parent / f"tcd_ui_{port}.log").open("w")
    proc = subprocess.Popen(
        [str(TCD), "ui", "--home", str(home), "--port", str(port), *args],
        cwd=cwd,
        env={**base, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if background else None,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/server_info", proc)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables or {}}, timeout=60
    )
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body.get("errors")
    return body["data"]


RUNS_QUERY = """
{
  partitionBackfillsOrError { ... on PartitionBackfills { results { id status } } }
  runsOrError { ... on Runs { results { runId jobName status tags { key value } } } }
}
"""


def wait_for_backfill(url: str, timeout: float = 900) -> tuple[str, list[dict]]:
    """Wait until the UI's backfill and every run it started have finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = graphql(url, RUNS_QUERY)
        backfills = data["partitionBackfillsOrError"]["results"]
        runs = data["runsOrError"]["results"]
        if (
            backfills
            and backfills[0]["status"] in TERMINAL_BACKFILL
            and all(run["status"] in TERMINAL_RUN for run in runs)
        ):
            return backfills[0]["status"], runs
        time.sleep(3)
    raise AssertionError(f"the backfill did not finish within {timeout} s: {data}")


def launch_materialize_all(page, url: str) -> None:
    """The asset graph's "Materialize all", every period, "Launch backfill".

    Reports are partitioned by half-year, so every period is one selection and the backfill of
    the partitioned parse step is one run.
    """
    page.goto(f"{url}/asset-groups")
    button = page.get_by_role("button", name="Materialize all")
    button.wait_for(timeout=120_000)
    page.wait_for_timeout(2000)
    button.click()
    dialog = page.locator(".dagster-dialog")
    launch = dialog.get_by_role("button", name="Launch backfill")
    launch.wait_for(timeout=60_000)
    page.wait_for_timeout(3000)  # the partition list loads after the dialog opens
    select_all = dialog.get_by_role("button", name="All", exact=True)
    if select_all.count():
        select_all.first.click()  # every period
        page.wait_for_timeout(1500)
    launch.click()
    page.wait_for_timeout(3000)


@contextmanager
def chromium_page(**context_args) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, **context_args)
            yield context.new_page()
        finally:
            browser.close()


def screenshot_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TCD_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
