"""Small real registries, report files and a real HTTP server on 127.0.0.1 for ingest tests."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from dagster_project.ingest import Registry, load_registry


def small_registry_document(location_088: str | None = None) -> dict[str, Any]:
    """Province 10 with district 088 (abolished 2025-06-30) and its successor commune."""
    return {
        "location_template": "file:reports/{code}/",
        "units": [
            {
                "code": "10",
                "name": "Tỉnh Lào Cai",
                "kind": "province",
                "province_code": "10",
                "valid_from": "2015-01-01",
                "valid_to": None,
                "reports": False,
            },
            {
                "code": "088",
                "name": "Thị xã Sa Pa",
                "aliases": ["TX Sa Pa", "ĐẢNG BỘ THỊ XÃ SA PA"],
                "kind": "town",
                "province_code": "10",
                "parent_code": "10",
                "valid_from": "2020-01-01",
                "valid_to": "2025-06-30",
                "successor_code": "LC-2025-SAPA",
                "reports": True,
                **({"location": location_088} if location_088 else {}),
            },
            {
                "code": "089",
                "name": "Huyện Văn Bàn",
                "kind": "district",
                "province_code": "10",
                "parent_code": "10",
                "valid_from": "2015-01-01",
                "reports": True,
            },
            {
                "code": "LC-2025-SAPA",
                "name": "Phường Sa Pa",
                "kind": "commune",
                "province_code": "10",
                "parent_code": "10",
                "valid_from": "2025-07-01",
                "reports": True,
            },
        ],
    }


def write_registry(folder: Path, document: dict[str, Any]) -> Path:
    path = folder / "registry.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def small_registry(tmp_path: Path) -> Registry:
    return load_registry(write_registry(tmp_path, small_registry_document()))


@dataclass
class ServedFolder:
    """A real ThreadingHTTPServer over a folder, with knobs for failures and a request log."""

    root: Path
    base_url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    statuses: list[tuple[str, int]] = field(default_factory=list)  # (path, HTTP status)
    fail_first: int = 0  # answer this many requests with 503 first
    truncate: set[str] = field(default_factory=set)  # paths whose body is cut in half

    def file_gets(self, suffix: str = ".xlsx") -> list[str]:
        return [p for m, p in self.requests if m == "GET" and p.endswith(suffix)]


def _handler_class(served: ServedFolder) -> type[SimpleHTTPRequestHandler]:
    lock = threading.Lock()

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            with lock:
                served.statuses.append((self.path, int(getattr(code, "value", code))))

        def do_GET(self) -> None:
            with lock:
                served.requests.append(("GET", self.path))
                failing = served.fail_first > 0
                if failing:
                    served.fail_first -= 1
            if failing:
                self.send_error(503, "try later")
                return
            if self.path in served.truncate:
                body = (served.root / self.path.lstrip("/")).read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            super().do_GET()

    return Handler


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[Callable[[], ServedFolder]]:
    """Start a real HTTP server on a free 127.0.0.1 port serving `tmp_path / 'site'`."""
    servers: list[ThreadingHTTPServer] = []

    def start() -> ServedFolder:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        served = ServedFolder(root=root)
        handler = functools.partial(_handler_class(served), directory=str(root))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        served.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
        return served

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
