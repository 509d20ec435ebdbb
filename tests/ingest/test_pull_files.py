"""Pulling from folders: an inbox with any layout, registry `file:` locations, fsspec schemes."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsspec

from dagster_project.ingest import Landing, load_registry, pull_all
from tests.ingest.conftest import small_registry_document, write_registry


def put(path: Path, content: bytes = b"report") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_inbox_lands_reports_from_any_sub_folder(tmp_path: Path, small_registry) -> None:
    inbox = tmp_path / "inbox"
    put(inbox / "2024/sapa/088_2024-H1.xlsx", b"a")
    put(inbox / "089_2024-H1.zip", b"b")
    put(inbox / "x/089_2024-H2/TongHop.csv", b"Chi tieu;So\n")
    result = pull_all(small_registry, tmp_path / "home", inbox=inbox)
    assert sorted(e.file_name for e in result.landed) == [
        "088_2024-H1.xlsx",
        "089_2024-H1.zip",
        "089_2024-H2.zip",
    ]
    assert result.rejected == []


def test_single_csv_file_is_ignored_not_rejected(tmp_path: Path, small_registry) -> None:
    put(tmp_path / "inbox/088_2024-H1.csv")
    result = pull_all(small_registry, tmp_path / "home", inbox=tmp_path / "inbox")
    assert (result.landed, result.rejected, result.skipped) == ([], [], 1)


def test_badly_named_file_is_rejected_with_found_and_expected(
    tmp_path: Path, small_registry
) -> None:
    put(tmp_path / "inbox/Bao cao Sa Pa.xlsx")
    put(tmp_path / "inbox/088_2024-H1.xls")
    result = pull_all(small_registry, tmp_path / "home", inbox=tmp_path / "inbox")
    by_name = {r.file_name: r for r in result.rejected}
    assert "'Bao cao Sa Pa'" in by_name["Bao cao Sa Pa.xlsx"].reason_en
    assert "<unit code>_<YYYY-H1|YYYY-H2>" in by_name["Bao cao Sa Pa.xlsx"].reason_en
    assert ".xls " in by_name["088_2024-H1.xls"].reason_vi
    assert ".xlsx or .zip" in by_name["088_2024-H1.xls"].reason_en
    assert Landing(tmp_path / "home").entries() == []


def test_unknown_unit_is_rejected_naming_the_code(tmp_path: Path, small_registry) -> None:
    put(tmp_path / "inbox/999_2024-H1.xlsx")
    result = pull_all(small_registry, tmp_path / "home", inbox=tmp_path / "inbox")
    (rejection,) = result.rejected
    assert "'999'" in rejection.reason_vi and "'999'" in rejection.reason_en
    assert "088" in rejection.reason_en


def test_report_for_a_period_after_the_unit_was_abolished_is_rejected(
    tmp_path: Path, small_registry
) -> None:
    put(tmp_path / "inbox/088_2025-H2.xlsx")
    put(tmp_path / "inbox/LC-2025-SAPA_2025-H2.xlsx")
    result = pull_all(small_registry, tmp_path / "home", inbox=tmp_path / "inbox")
    assert [e.unit_code for e in result.landed] == ["LC-2025-SAPA"]
    assert [r.file_name for r in result.rejected] == ["088_2025-H2.xlsx"]


def test_pulling_twice_lands_nothing_the_second_time(tmp_path: Path, small_registry) -> None:
    put(tmp_path / "inbox/088_2024-H1.xlsx")
    put(tmp_path / "inbox/089_2024-H1/TongHop.csv")
    first = pull_all(small_registry, tmp_path / "home", inbox=tmp_path / "inbox")
    second = pull_all(small_registry, tmp_path / "home", inbox=tmp_path / "inbox")
    assert len(first.landed) == 2
    assert (second.landed, second.skipped) == ([], 2)


def test_changed_file_in_a_location_lands_as_next_version(tmp_path: Path) -> None:
    registry = load_registry(write_registry(tmp_path, small_registry_document()))
    report = put(tmp_path / "reports/088/088_2024-H1.xlsx", b"first")
    pull_all(registry, tmp_path / "home")
    report.write_bytes(b"corrected")
    result = pull_all(registry, tmp_path / "home")
    assert [(e.version, e.source_uri) for e in result.landed] == [(2, report.as_uri())]


def test_file_of_another_unit_in_a_units_location_is_rejected(tmp_path: Path) -> None:
    registry = load_registry(write_registry(tmp_path, small_registry_document()))
    put(tmp_path / "reports/088/089_2024-H1.xlsx")
    result = pull_all(registry, tmp_path / "home")
    assert result.landed == []
    assert "location of 088" in result.rejected[0].reason_en


def test_fsspec_location_is_pulled_through_the_generic_interface(tmp_path: Path) -> None:
    fs = fsspec.filesystem("memory")
    fs.pipe("/tcd-test/088/088_2024-H1.xlsx", b"from object storage")
    fs.pipe("/tcd-test/088/088_2024-H2/TongHop.csv", b"Chi tieu;So\n")
    try:
        document = small_registry_document(location_088="memory://tcd-test/088/")
        registry = load_registry(write_registry(tmp_path, document))
        first = pull_all(registry, tmp_path / "home")
        second = pull_all(registry, tmp_path / "home")
    finally:
        fs.rm("/tcd-test", recursive=True)
    assert sorted(e.file_name for e in first.landed) == ["088_2024-H1.xlsx", "088_2024-H2.zip"]
    assert second.landed == []


# --- change detection: what was pulled before is not read again ---------------------------------
_OPENED: list[str] = []
_WATCHING: list[bool] = []


def _count_opens(event: str, args: tuple) -> None:
    if _WATCHING and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_count_opens)  # process-wide, but records only while a test is watching


def opened_during(action) -> list[str]:  # type: ignore[no-untyped-def]
    _OPENED.clear()
    _WATCHING.append(True)
    try:
        action()
    finally:
        _WATCHING.clear()
    return list(_OPENED)


def test_unchanged_files_are_not_opened_by_a_second_pull(tmp_path: Path, small_registry) -> None:
    report = put(tmp_path / "inbox/088_2024-H1.xlsx", b"workbook")
    bundle = put(tmp_path / "inbox/089_2024-H1/TongHop.csv", b"Chi tieu;So\n")
    home = tmp_path / "home"
    first = opened_during(lambda: pull_all(small_registry, home, inbox=tmp_path / "inbox"))
    assert str(report) in first and str(bundle) in first  # the first pull reads them
    results = []
    second = opened_during(
        lambda: results.append(pull_all(small_registry, home, inbox=tmp_path / "inbox"))
    )
    assert (results[0].landed, results[0].skipped) == ([], 2)
    assert [p for p in second if p.startswith(str(tmp_path / "inbox"))] == []


def test_a_file_rewritten_with_same_size_and_time_is_not_read(tmp_path: Path) -> None:
    """The cost of not reading: a change that keeps size and mtime goes unseen (documented)."""
    registry = load_registry(write_registry(tmp_path, small_registry_document()))
    report = put(tmp_path / "reports/088/088_2024-H1.xlsx", b"first")
    pull_all(registry, tmp_path / "home")
    stamp = report.stat().st_mtime_ns
    report.write_bytes(b"other")
    os.utime(report, ns=(stamp, stamp))
    assert pull_all(registry, tmp_path / "home").landed == []
    os.utime(report, ns=(stamp + 1_000_000, stamp + 1_000_000))
    assert [e.version for e in pull_all(registry, tmp_path / "home").landed] == [2]


def test_a_changed_bundle_member_is_seen(tmp_path: Path, small_registry) -> None:
    member = put(tmp_path / "inbox/089_2024-H1/TongHop.csv", b"Chi tieu;So\n")
    pull_all(small_registry, tmp_path / "home", inbox=tmp_path / "inbox")
    member.write_bytes(b"Chi tieu;So\nSo dang vien;3\n")
    result = pull_all(small_registry, tmp_path / "home", inbox=tmp_path / "inbox")
    assert [e.version for e in result.landed] == [2]


# --- received_at: when the unit sent the report ---------------------------------------------------
def at(path: Path, moment: datetime) -> Path:
    os.utime(path, (moment.timestamp(), moment.timestamp()))
    return path


def test_received_at_is_the_files_modification_time_at_a_location(tmp_path: Path) -> None:
    registry = load_registry(write_registry(tmp_path, small_registry_document()))
    sent = datetime(2024, 7, 12, 8, 15, 30, tzinfo=UTC)
    at(put(tmp_path / "reports/088/088_2024-H1.xlsx"), sent)
    (entry,) = pull_all(registry, tmp_path / "home").landed
    assert entry.received_at == sent
    assert Landing(tmp_path / "home").entries()[0].received_at == sent


def test_received_at_is_the_drop_time_in_an_inbox(tmp_path: Path, small_registry) -> None:
    dropped = datetime(2025, 1, 20, 23, 59, tzinfo=UTC)
    at(put(tmp_path / "inbox/088_2024-H2.xlsx"), dropped)
    member = datetime(2025, 1, 3, 9, tzinfo=UTC)
    at(put(tmp_path / "inbox/089_2024-H2/TongHop.csv", b"a"), member - timedelta(days=2))
    at(put(tmp_path / "inbox/089_2024-H2/KetNap.csv", b"b"), member)
    result = pull_all(small_registry, tmp_path / "home", inbox=tmp_path / "inbox")
    by_unit = {e.unit_code: e.received_at for e in result.landed}
    assert by_unit == {"088": dropped, "089": member}  # a bundle: its newest member


def test_a_date_in_the_locations_index_json_wins_over_the_file_time(tmp_path: Path) -> None:
    registry = load_registry(write_registry(tmp_path, small_registry_document()))
    folder = tmp_path / "reports/088"
    at(put(folder / "088_2023-H2.xlsx", b"a"), datetime(2026, 1, 1, tzinfo=UTC))
    at(put(folder / "088_2024-H1.xlsx", b"b"), datetime(2026, 1, 1, tzinfo=UTC))
    listing = {"files": [{"name": "088_2023-H2.xlsx", "received_at": "2024-01-12T09:30:00+07:00"}]}
    (folder / "index.json").write_text(json.dumps(listing), encoding="utf-8")
    result = pull_all(registry, tmp_path / "home")
    by_period = {e.period_code: e.received_at for e in result.landed}
    assert by_period == {
        "2023-H2": datetime(2024, 1, 12, 2, 30, tzinfo=UTC),
        "2024-H1": datetime(2026, 1, 1, tzinfo=UTC),  # not listed: its file time
    }
    assert result.rejected == []


def test_a_malformed_index_json_is_reported_and_the_file_time_used(tmp_path: Path) -> None:
    registry = load_registry(write_registry(tmp_path, small_registry_document()))
    folder = tmp_path / "reports/088"
    sent = datetime(2024, 7, 2, tzinfo=UTC)
    at(put(folder / "088_2024-H1.xlsx"), sent)
    (folder / "index.json").write_text(
        '{"files": [{"name": "088_2024-H1.xlsx", "received_at": "the tenth"}]}', encoding="utf-8"
    )
    result = pull_all(registry, tmp_path / "home")
    assert [e.received_at for e in result.landed] == [sent]
    (rejection,) = result.rejected
    assert rejection.file_name == "index.json" and "the tenth" in rejection.reason_en
    assert "sai định dạng" in rejection.reason_vi


def _pull_inbox(registry_path: str, home: str, inbox: str, barrier) -> None:  # type: ignore[no-untyped-def]
    registry = load_registry(Path(registry_path))
    barrier.wait()
    pull_all(registry, Path(home), inbox=Path(inbox))


def test_two_pulls_of_one_inbox_at_once_land_each_file_once(tmp_path: Path) -> None:
    registry_path = write_registry(tmp_path, small_registry_document())
    inbox = tmp_path / "inbox"
    periods = [f"{year}-H{half}" for year in range(2015, 2025) for half in (1, 2)]
    for period in periods:
        put(inbox / f"089_{period}.xlsx", period.encode())
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    args = (str(registry_path), str(tmp_path / "home"), str(inbox), barrier)
    workers = [context.Process(target=_pull_inbox, args=args) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    entries = Landing(tmp_path / "home").entries()
    assert [(e.period_code, e.version) for e in entries] == [(p, 1) for p in periods]
    assert pull_all(load_registry(registry_path), tmp_path / "home", inbox=inbox).landed == []
