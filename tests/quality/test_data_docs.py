"""Data Docs load nothing from the internet and are served over http on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dagster_project.quality import validate_frame
from dagster_project.quality.data_docs import (
    CDN_FILES,
    VENDOR_SOURCE,
    docs_server,
    http_url,
    remote_resources,
    site_pages,
)
from tests.quality.conftest import ket_nap_frame


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, params: dict) -> tuple[Path, object]:
    docs = tmp_path_factory.mktemp("docs") / "gx"
    frame = ket_nap_frame()
    frame.loc[0, "gender"] = "male"
    outcome = validate_frame(
        "ket_nap", frame, docs_dir=docs, parameters=params, run_name="run-1234abcd"
    )
    return docs, outcome


def test_every_vendored_file_exists() -> None:
    for local in set(CDN_FILES.values()):
        assert (VENDOR_SOURCE / local).is_file(), local


def test_no_page_loads_anything_from_another_host(site) -> None:
    docs, _ = site
    pages = site_pages(docs)
    assert docs / "index.html" in pages and len(pages) >= 2
    for page in pages:
        assert remote_resources(page) == [], page


def test_every_local_reference_resolves_to_a_file(site) -> None:
    _, outcome = site
    page = Path(outcome.docs_path)
    html = page.read_text(encoding="utf-8")
    for local in set(CDN_FILES.values()):
        if local in html:
            prefix = html.split(f"static/vendor/{local}")[0].rsplit('"', 1)[-1]
            assert (page.parent / prefix / "static" / "vendor" / local).resolve().is_file()


def test_the_validation_is_named_by_the_run(site) -> None:
    _, outcome = site
    assert "run-1234abcd" in Path(outcome.docs_path).parts


def test_the_link_is_http_on_localhost_under_the_served_site(site) -> None:
    docs, outcome = site
    assert outcome.docs_url.startswith("http://127.0.0.1:3001/validations/")
    assert http_url(Path(outcome.docs_path).as_uri(), docs) == outcome.docs_url


@pytest.fixture
def served(site) -> Iterator[str]:
    docs, _ = site
    server = docs_server(docs, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_server_serves_the_page_and_its_assets(site, served: str) -> None:
    _, outcome = site
    path = outcome.docs_url.split(":3001", 1)[1]
    page = httpx.get(served + path, timeout=10)
    assert page.status_code == 200 and "male" in page.text
    css = httpx.get(f"{served}/static/vendor/bootstrap/bootstrap.min.css", timeout=10)
    assert css.status_code == 200 and "Bootstrap v4.3.1" in css.text
