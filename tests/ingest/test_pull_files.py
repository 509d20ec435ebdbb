"""Pulling from folders: an inbox with any layout, registry `file:` locations, fsspec schemes."""

from __future__ import annotations

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
