"""The new-file sensor asks for a load exactly when a report file appears or changes."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.sensors import new_report_files
from tests.ingest.conftest import small_registry_document, write_registry


@pytest.fixture
def registry_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    registry = write_registry(tmp_path, small_registry_document())
    monkeypatch.setenv("TCD_REGISTRY", str(registry))
    monkeypatch.setenv("TCD_HOME", str(tmp_path / "home"))
    folder = tmp_path / "reports" / "088"
    folder.mkdir(parents=True)
    return folder


def evaluate(cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor)
    result = new_report_files(context)
    return result, context.cursor


def test_no_files_no_run(registry_env: Path) -> None:
    result, _ = evaluate(None)
    assert isinstance(result, dg.SkipReason)


def test_a_new_file_requests_one_run_then_nothing(registry_env: Path) -> None:
    (registry_env / "088_2024-H1.xlsx").write_bytes(b"first")
    first, cursor = evaluate(None)
    assert isinstance(first, dg.RunRequest)
    assert first.tags["tcd/changed_partitions"] == "2024-H1|088"
    second, _ = evaluate(cursor)
    assert isinstance(second, dg.SkipReason)


def test_a_changed_file_requests_another_run(registry_env: Path) -> None:
    report = registry_env / "088_2024-H1.xlsx"
    report.write_bytes(b"first")
    _, cursor = evaluate(None)
    report.write_bytes(b"second version, longer")
    os.utime(report, ns=(1, 1))
    result, _ = evaluate(cursor)
    assert isinstance(result, dg.RunRequest)


def test_after_a_pull_only_unparsed_partitions_are_loaded(tmp_path: Path) -> None:
    from dagster_project.ingest import Landing
    from dagster_project.sensors import load_request

    home = tmp_path / "home"
    landing = Landing(home)
    for name, body in (("088_2024-H1.xlsx", b"a"), ("080_2023-H2.xlsx", b"b")):
        source = tmp_path / name
        source.write_bytes(body)
        landing.land_file(source, source_uri=source.as_uri())
    parsed = home / "parsed"
    request = load_request(landing, parsed, "run-1")
    assert request.job_name == "load_warehouse"
    assert request.tags["dagster/asset_partition_range_start"] == "2023-H2|080"
    assert request.tags["dagster/asset_partition_range_end"] == "2024-H1|088"
    for entry in landing.entries():
        (parsed / entry.report_id).mkdir(parents=True)
        (parsed / entry.report_id / "report.parquet").write_bytes(b"")
    assert load_request(landing, parsed, "run-2").job_name == "build_warehouse"
