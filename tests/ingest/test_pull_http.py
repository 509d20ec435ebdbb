"""Pulling from a unit's report portal: a real http.server on 127.0.0.1, listings and failures."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.ingest import Landing, Registry, load_registry, pull_all
from tests.ingest.conftest import small_registry_document, write_registry

FAST = {"timeout_s": 5.0, "retries": 2, "backoff_s": 0.01}


def registry_at(tmp_path: Path, location: str) -> Registry:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    return load_registry(write_registry(config, small_registry_document(location_088=location)))


def publish(root: Path, name: str, content: bytes) -> Path:
    path = root / "088" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def write_index(root: Path, files: list[tuple[str, bytes]], sha256: str | None = None) -> None:
    listing = {
        "files": [
            {
                "name": name,
                "size": len(content),
                "sha256": sha256 or hashlib.sha256(content).hexdigest(),
                "url": name,
            }
            for name, content in files
        ]
    }
    (root / "088" / "index.json").write_text(json.dumps(listing), encoding="utf-8")


def landing_leftovers(home: Path) -> list[Path]:
    """Every file under landing/ except the lock and the index."""
    landing = home / "landing"
    return [
        p
        for p in landing.rglob("*")
        if p.is_file() and p.name != ".lock" and not p.name.startswith("index.sqlite")
    ]


def test_html_listing_is_pulled_and_landed(tmp_path: Path, http_folder) -> None:
    served = http_folder()
    publish(served.root, "088_2024-H1.xlsx", b"sa pa h1")
    publish(served.root, "notes.txt", b"not a report")
    result = pull_all(registry_at(tmp_path, served.base_url + "088/"), tmp_path / "home", **FAST)
    (entry,) = result.landed
    assert entry.source_uri == served.base_url + "088/088_2024-H1.xlsx"
    assert Landing(tmp_path / "home").path_of(entry).read_bytes() == b"sa pa h1"
    assert [r.file_name for r in result.rejected] == ["notes.txt"]


def test_second_pull_of_html_listing_lands_nothing_and_gets_304(
    tmp_path: Path, http_folder
) -> None:
    served = http_folder()
    publish(served.root, "088_2024-H1.xlsx", b"sa pa h1")
    registry = registry_at(tmp_path, served.base_url + "088/")
    pull_all(registry, tmp_path / "home", **FAST)
    served.statuses.clear()
    second = pull_all(registry, tmp_path / "home", **FAST)
    assert (second.landed, second.skipped) == ([], 1)
    assert ("/088/088_2024-H1.xlsx", 304) in served.statuses


def test_resubmitted_file_on_portal_lands_as_version_two(tmp_path: Path, http_folder) -> None:
    served = http_folder()
    report = publish(served.root, "088_2024-H1.xlsx", b"first")
    registry = registry_at(tmp_path, served.base_url + "088/")
    pull_all(registry, tmp_path / "home", **FAST)
    report.write_bytes(b"corrected")
    later = report.stat().st_mtime + 60
    os.utime(report, (later, later))
    result = pull_all(registry, tmp_path / "home", **FAST)
    assert [e.version for e in result.landed] == [2]


def test_index_json_listing_is_used_and_verified(tmp_path: Path, http_folder) -> None:
    served = http_folder()
    content = b"listed workbook"
    publish(served.root, "088_2024-H2.xlsx", content)
    write_index(served.root, [("088_2024-H2.xlsx", content)])
    result = pull_all(registry_at(tmp_path, served.base_url + "088/"), tmp_path / "home", **FAST)
    assert [e.sha256 for e in result.landed] == [hashlib.sha256(content).hexdigest()]
    assert not any(path == "/088/" for _, path in served.requests)


def test_second_pull_with_listed_sha256_downloads_nothing(tmp_path: Path, http_folder) -> None:
    served = http_folder()
    publish(served.root, "088_2024-H2.xlsx", b"listed workbook")
    write_index(served.root, [("088_2024-H2.xlsx", b"listed workbook")])
    registry = registry_at(tmp_path, served.base_url + "088/")
    pull_all(registry, tmp_path / "home", **FAST)
    served.requests.clear()
    second = pull_all(registry, tmp_path / "home", **FAST)
    assert (second.landed, second.skipped) == ([], 1)
    assert served.file_gets() == []


def test_sha256_differing_from_listing_is_refused(tmp_path: Path, http_folder) -> None:
    served = http_folder()
    publish(served.root, "088_2024-H2.xlsx", b"listed workbook")
    write_index(served.root, [("088_2024-H2.xlsx", b"listed workbook")], sha256="0" * 64)
    result = pull_all(registry_at(tmp_path, served.base_url + "088/"), tmp_path / "home", **FAST)
    assert result.landed == []
    assert "SHA-256" in result.rejected[0].reason_en
    assert landing_leftovers(tmp_path / "home") == []


def test_server_failing_first_request_with_503_is_retried(tmp_path: Path, http_folder) -> None:
    served = http_folder()
    served.fail_first = 1
    publish(served.root, "088_2024-H1.xlsx", b"after a retry")
    result = pull_all(registry_at(tmp_path, served.base_url + "088/"), tmp_path / "home", **FAST)
    assert len(result.landed) == 1
    assert served.statuses[0] == ("/088/index.json", 503)


def test_truncated_download_is_refused_and_nothing_lands(tmp_path: Path, http_folder) -> None:
    served = http_folder()
    publish(served.root, "088_2024-H1.xlsx", b"x" * 10_000)
    served.truncate.add("/088/088_2024-H1.xlsx")
    result = pull_all(registry_at(tmp_path, served.base_url + "088/"), tmp_path / "home", **FAST)
    assert result.landed == []
    (rejection,) = result.rejected
    assert "Content-Length" in rejection.reason_en and "10000" in rejection.reason_en
    assert landing_leftovers(tmp_path / "home") == []
    assert len(served.file_gets()) == 1 + FAST["retries"]


def test_unreachable_portal_is_a_rejection_not_a_crash(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    location = f"http://127.0.0.1:{port}/088/"
    result = pull_all(registry_at(tmp_path, location), tmp_path / "home", **FAST)
    assert result.landed == []
    (rejection,) = result.rejected
    assert rejection.source_uri == location
    assert "3 attempts" in rejection.reason_en


def test_received_at_is_the_portals_last_modified(tmp_path: Path, http_folder) -> None:
    served = http_folder()
    sent = datetime(2024, 7, 14, 10, 20, 5, tzinfo=UTC)
    report = publish(served.root, "088_2024-H1.xlsx", b"sa pa h1")
    os.utime(report, (sent.timestamp(), sent.timestamp()))
    result = pull_all(registry_at(tmp_path, served.base_url + "088/"), tmp_path / "home", **FAST)
    assert [e.received_at for e in result.landed] == [sent]


def test_received_at_listed_in_index_json_wins(tmp_path: Path, http_folder) -> None:
    served = http_folder()
    content = b"listed workbook"
    publish(served.root, "088_2024-H2.xlsx", content)
    write_index(served.root, [("088_2024-H2.xlsx", content)])
    listing = json.loads((served.root / "088/index.json").read_text("utf-8"))
    listing["files"][0]["received_at"] = "2025-01-21T16:45:00+07:00"
    (served.root / "088/index.json").write_text(json.dumps(listing), encoding="utf-8")
    result = pull_all(registry_at(tmp_path, served.base_url + "088/"), tmp_path / "home", **FAST)
    assert [e.received_at for e in result.landed] == [datetime(2025, 1, 21, 9, 45, tzinfo=UTC)]


def test_validators_of_an_old_pull_state_file_are_kept(tmp_path: Path, http_folder) -> None:
    """A home from before the index: its pull_state.json still spares the download."""
    served = http_folder()
    publish(served.root, "088_2024-H1.xlsx", b"sa pa h1")
    registry = registry_at(tmp_path, served.base_url + "088/")
    home = tmp_path / "home"
    pull_all(registry, home, **FAST)
    url = served.base_url + "088/088_2024-H1.xlsx"
    with sqlite3.connect(home / "landing/index.sqlite") as db:
        etag, modified, sha256 = db.execute(
            "select etag, last_modified, sha256 from sources where source_uri = ?", (url,)
        ).fetchone()
        db.execute("delete from sources")
        db.execute("pragma user_version = 0")  # as if the index were created now
    state = {"sources": {url: {"etag": etag, "last_modified": modified, "sha256": sha256}}}
    (home / "landing/pull_state.json").write_text(json.dumps(state), encoding="utf-8")
    served.statuses.clear()
    second = pull_all(registry, home, **FAST)
    assert (second.landed, second.skipped) == ([], 1)
    assert ("/088/088_2024-H1.xlsx", 304) in served.statuses
