"""The landing area: content-addressed, versioned, atomic and safe under concurrent writers."""

from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import sqlite3
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dagster_project.ingest import Landing, ReportNameError
from dagster_project.ingest.landing import LandingIndexError

MANIFEST_FIELDS = {
    "report_id",
    "unit_code",
    "period_code",
    "version",
    "file_name",
    "size_bytes",
    "sha256",
    "source_uri",
    "pulled_at",
    "received_at",
    "landing_path",
}


def report_file(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


def bundle_folder(folder: Path, name: str = "088_2024-H1") -> Path:
    bundle = folder / name
    bundle.mkdir(parents=True)
    (bundle / "ToChuc.csv").write_text("Mã số thuế;Tên đơn vị\n5300100100;Công ty A\n", "utf-8")
    (bundle / "TongHop.csv").write_text("Chỉ tiêu;Số\nSố đảng viên mới được kết nạp;3\n", "utf-8")
    (bundle / "KetNap.csv").write_text("STT;Họ và tên\n", "utf-8-sig")
    return bundle


def test_same_bytes_twice_make_one_entry(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "home")
    path = report_file(tmp_path / "in", "088_2024-H1.xlsx", b"workbook bytes")
    first = landing.land_file(path, source_uri=path.as_uri())
    again = landing.land_file(path, source_uri="file:///elsewhere/088_2024-H1.xlsx")
    assert first is not None and again is None
    assert [e.report_id for e in landing.entries()] == [first.report_id]


def test_resubmission_with_new_bytes_is_version_two(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "home")
    v1 = landing.land_file(report_file(tmp_path / "a", "088_2024-H1.xlsx", b"v1"), source_uri="x")
    v2 = landing.land_file(report_file(tmp_path / "b", "088_2024-H1.xlsx", b"v2"), source_uri="x")
    assert (v1.version, v2.version) == (1, 2)
    assert v2.report_id == f"088_2024-H1_v2_{v2.sha256[:8]}"
    assert [e.version for e in landing.entries()] == [1, 2]


def test_index_row_has_exactly_the_documented_fields(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "home")
    path = report_file(tmp_path / "in", "10-CQDN_2023-H1.xlsx", b"bloc report")
    entry = landing.land_file(path, source_uri=path.as_uri())
    with sqlite3.connect(tmp_path / "home/landing/index.sqlite") as db:
        db.row_factory = sqlite3.Row
        (record,) = db.execute("select * from versions").fetchall()
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert set(record.keys()) == MANIFEST_FIELDS
    assert record["pulled_at"].endswith("Z") and record["received_at"].endswith("Z")
    assert record["landing_path"] == f"landing/objects/{entry.sha256}/10-CQDN_2023-H1.xlsx"
    assert record["size_bytes"] == len(b"bloc report")
    assert record["report_id"] == entry.report_id


def test_landed_object_is_byte_identical_and_read_only(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "home")
    path = report_file(tmp_path / "in", "088_2024-H2.xlsx", bytes(range(256)) * 10)
    entry = landing.land_file(path, source_uri=path.as_uri())
    stored = landing.path_of(entry)
    assert stored.read_bytes() == path.read_bytes()
    assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]


def test_folder_bundle_lands_as_a_deterministic_zip(tmp_path: Path) -> None:
    one = bundle_folder(tmp_path / "one")
    two = bundle_folder(tmp_path / "two")
    os.utime(two / "KetNap.csv", (1_000_000, 1_000_000))
    first = Landing(tmp_path / "home1").land_file(one, source_uri=one.as_uri())
    second = Landing(tmp_path / "home2").land_file(two, source_uri=two.as_uri())
    assert first.sha256 == second.sha256
    assert first.file_name == "088_2024-H1.zip"
    with zipfile.ZipFile(Landing(tmp_path / "home1").path_of(first)) as archive:
        assert archive.namelist() == ["KetNap.csv", "ToChuc.csv", "TongHop.csv"]


def test_identical_folder_bundle_lands_once(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "home")
    assert landing.land_file(bundle_folder(tmp_path / "one"), source_uri="a") is not None
    assert landing.land_file(bundle_folder(tmp_path / "two"), source_uri="b") is None


def test_file_name_without_unit_and_period_is_refused(tmp_path: Path) -> None:
    path = report_file(tmp_path / "in", "BaoCao SaPa 6 thang.xlsx", b"x")
    with pytest.raises(ReportNameError, match="BaoCao SaPa 6 thang"):
        Landing(tmp_path / "home").land_file(path, source_uri="x")
    assert not (tmp_path / "home/landing/objects").exists()


def _land_many(home: str, folder: str, worker: int, barrier) -> None:  # type: ignore[no-untyped-def]
    landing = Landing(Path(home))
    barrier.wait()
    for i in range(15):
        path = report_file(Path(folder), f"088_2024-H1.xlsx.{worker}.{i}", f"{worker}-{i}".encode())
        landing.land_file(path, source_uri=path.as_uri(), file_name="088_2024-H1.xlsx")


def test_two_processes_landing_at_once_get_distinct_versions(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    workers = [
        context.Process(
            target=_land_many, args=(str(tmp_path / "home"), str(tmp_path / f"in{w}"), w, barrier)
        )
        for w in (1, 2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    versions = [e.version for e in Landing(tmp_path / "home").entries()]
    assert versions == list(range(1, 31))


def test_find_is_by_unit_period_and_bytes(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "home")
    assert landing.find("088", "2024-H1", "0" * 64) is None
    path = report_file(tmp_path / "a", "088_2024-H1.xlsx", b"v1")
    entry = landing.land_file(path, source_uri="x")
    assert landing.find("088", "2024-H1", entry.sha256) == entry
    assert landing.find("088", "2024-H2", entry.sha256) is None
    assert landing.find("089", "2024-H1", entry.sha256) is None


def test_received_at_defaults_to_the_files_modification_time(tmp_path: Path) -> None:
    path = report_file(tmp_path / "in", "088_2024-H1.xlsx", b"sent on 9 July")
    sent = datetime(2024, 7, 9, 2, 30, tzinfo=UTC)
    os.utime(path, (sent.timestamp(), sent.timestamp()))
    landing = Landing(tmp_path / "home")
    entry = landing.land_file(path, source_uri=path.as_uri())
    assert entry.received_at == sent
    assert entry.pulled_at > sent
    assert landing.entries() == [entry]


def _old_manifest(home: Path, name: str, content: bytes, version: int) -> dict[str, object]:
    """A manifest entry as homes before the index wrote them (no received_at)."""
    sha256 = hashlib.sha256(content).hexdigest()
    report_id = f"{name.split('.')[0]}_v{version}_{sha256[:8]}"
    unit, period = name.split(".")[0].split("_")
    obj = home / "landing/objects" / sha256 / name
    obj.parent.mkdir(parents=True)
    obj.write_bytes(content)
    record = {
        "report_id": report_id,
        "unit_code": unit,
        "period_code": period,
        "version": version,
        "file_name": name,
        "size_bytes": len(content),
        "sha256": sha256,
        "source_uri": f"file:///old/{name}",
        "pulled_at": f"2024-07-0{version}T03:00:00+00:00",
        "landing_path": obj.relative_to(home).as_posix(),
    }
    manifest = home / "landing/manifest" / f"{report_id}.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps(record), encoding="utf-8")
    return record


def test_old_manifest_files_are_imported_once_and_kept(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _old_manifest(home, "088_2024-H1.xlsx", b"one", 1)
    _old_manifest(home, "088_2024-H1.xlsx", b"two", 2)
    _old_manifest(home, "089_2024-H1.xlsx", b"three", 1)
    entries = Landing(home).entries()
    assert [(e.unit_code, e.version) for e in entries] == [("088", 1), ("088", 2), ("089", 1)]
    assert entries[0].report_id == first["report_id"]
    assert entries[0].received_at == entries[0].pulled_at == datetime(2024, 7, 1, 3, tzinfo=UTC)
    assert Landing(home).path_of(entries[0]).read_bytes() == b"one"
    # Opening again imports nothing twice; the manifest files stay as they were.
    assert Landing(home).entries() == entries
    assert len(list((home / "landing/manifest").glob("*.json"))) == 3
    # Versions continue after the imported ones, and known bytes stay known.
    again = report_file(tmp_path / "in", "088_2024-H1.xlsx", b"two")
    assert Landing(home).land_file(again, source_uri="x") is None
    third = report_file(tmp_path / "in2", "088_2024-H1.xlsx", b"four")
    assert Landing(home).land_file(third, source_uri="x").version == 3


def test_damaged_manifest_file_is_named_in_one_bilingual_sentence(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _old_manifest(home, "088_2024-H1.xlsx", b"one", 1)
    broken = home / "landing/manifest/088_2024-H1_v2_deadbeef.json"
    broken.write_text('{"report_id": "088_2024-H1_v2_deadbeef", "unit_co', encoding="utf-8")
    with pytest.raises(LandingIndexError) as caught:
        Landing(home).entries()
    message = str(caught.value)
    assert str(broken) in message
    assert "bị hỏng" in message and "is damaged" in message and "\n" not in message
    # Nothing was half-imported: once the file is set aside, the import runs whole.
    broken.unlink()
    assert [e.version for e in Landing(home).entries()] == [1]


def test_damaged_index_row_is_named_in_one_bilingual_sentence(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "home")
    path = report_file(tmp_path / "a", "088_2024-H1.xlsx", b"v1")
    entry = landing.land_file(path, source_uri="x")
    with sqlite3.connect(landing.index_path) as db:
        db.execute("update versions set pulled_at = 'last tuesday'")
    with pytest.raises(LandingIndexError) as caught:
        Landing(tmp_path / "home").entries()
    message = str(caught.value)
    assert str(landing.index_path) in message and entry.report_id in message
    assert "dòng" in message and "row" in message


def test_index_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    index = tmp_path / "home/landing/index.sqlite"
    index.parent.mkdir(parents=True)
    index.write_bytes(b"this is not a database, it was overwritten" * 100)
    with pytest.raises(LandingIndexError, match=r"index\.sqlite"):
        Landing(tmp_path / "home").entries()


def test_a_batch_commits_its_rows_a_chunk_at_a_time(tmp_path: Path) -> None:
    home = tmp_path / "home"
    landing = Landing(home)
    files = [report_file(tmp_path / f"in{i}", "088_2024-H1.xlsx", b"v%d" % i) for i in range(3)]
    with landing.batch(size=2):
        landing.land_file(files[0], source_uri="x")
        assert landing.find("088", "2024-H1", landing.entries()[0].sha256)  # this connection
        assert Landing(home).entries() == []  # another connection: not committed yet
        landing.land_file(files[1], source_uri="x")
        assert [e.version for e in Landing(home).entries()] == [1, 2]
        landing.land_file(files[2], source_uri="x")
    assert [e.version for e in Landing(home).entries()] == [1, 2, 3]
    assert all(Landing(home).path_of(e).is_file() for e in Landing(home).entries())


def test_a_batch_interrupted_by_an_error_keeps_what_it_landed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    landing = Landing(home)
    path = report_file(tmp_path / "in", "088_2024-H1.xlsx", b"landed before the error")
    with pytest.raises(RuntimeError), landing.batch():
        landing.land_file(path, source_uri="x")
        raise RuntimeError("the network went away")
    assert [e.version for e in Landing(home).entries()] == [1]
    with landing.lock_path.open("a+b") as handle:  # and the lock was released
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
