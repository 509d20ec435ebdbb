"""The landing area: content-addressed, versioned, atomic and safe under concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import zipfile
from pathlib import Path

import pytest

from dagster_project.ingest import Landing, ReportNameError

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


def test_manifest_entry_has_exactly_the_documented_fields(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "home")
    path = report_file(tmp_path / "in", "10-CQDN_2023-H1.xlsx", b"bloc report")
    entry = landing.land_file(path, source_uri=path.as_uri())
    manifest = tmp_path / "home/landing/manifest" / f"{entry.report_id}.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    assert set(record) == MANIFEST_FIELDS
    assert record["pulled_at"].endswith("Z")
    assert record["landing_path"] == f"landing/objects/{entry.sha256}/10-CQDN_2023-H1.xlsx"
    assert record["size_bytes"] == len(b"bloc report")


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
