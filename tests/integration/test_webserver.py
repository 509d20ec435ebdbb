"""The Dagster UI serves the asset graph and its checks (dagster-webserver on 127.0.0.1)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]

ASSETS_QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    description
    kinds
    assetChecksOrError {
      ... on AssetChecks { checks { name blocking } }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("ui_home")
    port = free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster-webserver")),
            "-m",
            "dagster_project.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env={**os.environ, "DAGSTER_HOME": str(home), "TCD_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"dagster-webserver exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("dagster-webserver did not answer within 120 s")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def graphql(url: str, query: str) -> dict:
    response = httpx.post(f"{url}/graphql", json={"query": query}, timeout=60)
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body.get("errors")
    return body["data"]


def test_the_ui_shows_the_asset_graph_grouped_by_stage(webserver: str) -> None:
    nodes = graphql(webserver, ASSETS_QUERY)["assetNodes"]
    by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}
    assert by_key["parsed_reports"]["groupName"] == "sources"
    assert by_key["marts/fct_admissions"]["groupName"] == "marts"
    assert by_key["published_warehouse"]["groupName"] == "publish"
    assert all(by_key[k]["description"] for k in ("parsed_reports", "published_warehouse"))
    assert "duckdb" in by_key["published_warehouse"]["kinds"]


def test_the_ui_lists_blocking_checks_on_the_marts(webserver: str) -> None:
    nodes = graphql(webserver, ASSETS_QUERY)["assetNodes"]
    checks = {
        "/".join(n["assetKey"]["path"]): n["assetChecksOrError"].get("checks", []) for n in nodes
    }
    admissions = checks["marts/fct_admissions"]
    assert any(check["blocking"] for check in admissions)
    assert any("unique" in check["name"] for check in admissions)
