"""Great Expectations Data Docs that work without internet, served over http on 127.0.0.1.

GX's pages load Bootstrap, jQuery, bootstrap-table, Font Awesome and Vega from public CDNs; with
no internet the index is unstyled and its lists of validations and suites stay empty (they are
filled by bootstrap-table). Every page GX writes is rewritten here to load the same files from
``static/vendor/`` inside the docs site, copied from ``docs_vendor/`` (npm distribution files,
see its README). Browsers refuse ``file://`` links from an ``http://`` page such as the Dagster
UI, so the check metadata links to the site as ``tcd docs`` serves it.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

VENDOR_SOURCE = Path(__file__).resolve().parent / "docs_vendor"
VENDOR_TARGET = Path("static") / "vendor"
DOCS_URL_ENV = "TCD_DOCS_URL"
DEFAULT_DOCS_PORT = 3001
"""`tcd docs` serves the site here by default, beside the Dagster UI on 3000."""

CDN_FILES = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap/bootstrap.min.css"
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap/bootstrap.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        "bootstrap-table/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper/popper.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "fontawesome/css/all.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": ("bootstrap-datepicker/bootstrap-datepicker.min.css"),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": ("bootstrap-datepicker/bootstrap-datepicker.min.js"),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": ("bootstrap-dark/bootstrap-prefers-dark.css"),
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega/vega-embed.min.js",
}
"""Every resource the GX 1.x page templates load from the internet, and its local copy."""

GX_IMAGES = re.compile(
    r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/([\w.-]+)(\?[^\"']*)?"
)
"""GX's logo, from its web-assets bucket; the same images ship in the site's static/images."""

REMOTE_RESOURCE = re.compile(r"""(?:src|href)=["'](https?://[^"']+)["']""")
_URL = re.compile("|".join(re.escape(url) for url in sorted(CDN_FILES, key=len, reverse=True)))


def install_assets(docs_dir: Path) -> Path:
    """Copy the vendored files into the site (again only when the package's copy is newer)."""
    target = docs_dir / VENDOR_TARGET
    stamp = target / ".source-mtime"
    source_mtime = str(max(p.stat().st_mtime_ns for p in VENDOR_SOURCE.rglob("*")))
    if stamp.exists() and stamp.read_text() == source_mtime:
        return target
    shutil.copytree(VENDOR_SOURCE, target, dirs_exist_ok=True)
    stamp.write_text(source_mtime)
    return target


def _prefix(page: Path, docs_dir: Path) -> str:
    depth = len(page.relative_to(docs_dir).parts) - 1
    return "../" * depth


def localise_page(page: Path, docs_dir: Path) -> bool:
    """Point one page's CDN links at the site's own copies; True if the page changed."""
    html = page.read_text(encoding="utf-8")
    prefix = _prefix(page, docs_dir)
    vendor = f"{prefix}{VENDOR_TARGET.as_posix()}/"
    local = _URL.sub(lambda m: vendor + CDN_FILES[m.group(0)], html)
    local = GX_IMAGES.sub(lambda m: f"{prefix}static/images/{m.group(1)}", local)
    if local == html:
        return False
    page.write_text(local, encoding="utf-8")
    return True


def site_pages(docs_dir: Path) -> list[Path]:
    """The site's HTML pages (GX keeps its own project files under ``gx/``)."""
    pages = []
    for page in docs_dir.rglob("*.html"):
        parts = page.relative_to(docs_dir).parts
        if parts[0] != "gx" and parts[:2] != VENDOR_TARGET.parts:
            pages.append(page)
    return pages


def localise_site(docs_dir: Path, *, since_ns: int = 0) -> int:
    """Localise every page written at or after ``since_ns``; return how many changed."""
    if not docs_dir.is_dir():
        return 0
    install_assets(docs_dir)
    return sum(
        localise_page(page, docs_dir)
        for page in site_pages(docs_dir)
        if page.stat().st_mtime_ns >= since_ns
    )


def remote_resources(page: Path) -> list[str]:
    """Resources a page would still fetch from another host (links to websites excepted)."""
    html = page.read_text(encoding="utf-8")
    return [
        url
        for url in REMOTE_RESOURCE.findall(html)
        if not url.startswith(("https://greatexpectations.io", "https://docs.greatexpectations"))
    ]


def docs_base_url() -> str:
    """Where `tcd docs` serves the site: ``TCD_DOCS_URL``, else 127.0.0.1 on the default port."""
    return (os.environ.get(DOCS_URL_ENV) or f"http://127.0.0.1:{DEFAULT_DOCS_PORT}").rstrip("/")


def docs_port() -> int:
    """The port `tcd docs` listens on: the one in ``TCD_DOCS_URL``, else the default."""
    return urlparse(docs_base_url()).port or DEFAULT_DOCS_PORT


def http_url(file_url: str | None, docs_dir: Path) -> str | None:
    """The http URL of a page GX reported as ``file://``, under the served site."""
    if not file_url:
        return None
    path = Path(unquote(urlparse(file_url).path))
    try:
        relative = path.resolve().relative_to(docs_dir.resolve())
    except ValueError:
        return None
    return f"{docs_base_url()}/{quote(relative.as_posix())}"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def docs_server(docs_dir: Path, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An http server for the site (call ``serve_forever``); pages are localised first."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    localise_site(docs_dir)
    handler = functools.partial(_QuietHandler, directory=str(docs_dir))
    return ThreadingHTTPServer((host, port), handler)


def serve_until_stopped(server: ThreadingHTTPServer) -> None:
    """Serve until SIGINT or SIGTERM, even when started in the background (where a shell
    leaves SIGINT ignored), then close the socket."""

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
