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
    assert first.tags["tcd/changed_periods"] == "2024-H1"
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


def test_after_a_pull_only_unparsed_periods_are_loaded_then_nothing(
    tmp_path: Path, registry_env: Path
) -> None:
    from dagster_project.ingest import Landing
    from dagster_project.load_plan import build_inputs_fingerprint, record_build
    from dagster_project.reports.output import ParsedStore, new_batch_id
    from dagster_project.sensors import load_request
    from dagster_project.settings import load_settings
    from tests.reports.builders import build_xlsx

    settings = load_settings()
    landing = Landing(settings.home)
    for name in ("088_2024-H1.xlsx", "088_2023-H2.xlsx"):
        landing.land_file(build_xlsx(tmp_path / name), source_uri="file:///inbox")
    request = load_request(settings, "run-1")
    assert request.job_name == "load_warehouse"
    assert request.tags["dagster/asset_partition_range_start"] == "2023-H2"
    assert request.tags["dagster/asset_partition_range_end"] == "2024-H1"

    store = ParsedStore(settings.parsed_dir)
    from dagster_project.assets.ingestion import report_meta
    from dagster_project.reports import DEMO_KEY, parse_report

    for entry in landing.entries():
        meta = report_meta(entry)
        result = parse_report(landing.path_of(entry), meta, DEMO_KEY)
        store.write_batch(entry.period_code, [result], new_batch_id())
    assert load_request(settings, "run-2").job_name == "build_warehouse"

    settings.published_db.parent.mkdir(parents=True, exist_ok=True)
    settings.published_db.write_bytes(b"published")
    record_build(settings, build_inputs_fingerprint(settings))
    assert isinstance(load_request(settings, "run-3"), dg.SkipReason)


def test_a_sensor_run_leaves_out_the_reference_only_models_while_their_inputs_stand(
    tmp_path: Path, registry_env: Path
) -> None:
    from dagster_project.assets.warehouse import reference_only_keys
    from dagster_project.ingest import Landing
    from dagster_project.jobs import REFERENCE_BUILT_TAG
    from dagster_project.load_plan import build_inputs_fingerprint, record_build
    from dagster_project.sensors import load_request
    from dagster_project.settings import load_settings
    from tests.reports.builders import build_xlsx

    settings = load_settings()
    settings.ensure_dirs()
    settings.published_db.write_bytes(b"published")
    settings.build_db.write_bytes(b"a build")
    record_build(settings, build_inputs_fingerprint(settings))
    Landing(settings.home).land_file(
        build_xlsx(tmp_path / "088_2024-H1.xlsx"), source_uri="file:///inbox"
    )
    request = load_request(settings, "run-1")
    assert request.job_name == "load_warehouse"
    assert request.tags[REFERENCE_BUILT_TAG] == "true"
    selected = set(request.asset_selection)
    assert dg.AssetKey(["marts", "fct_admissions"]) in selected
    assert dg.AssetKey("parsed_reports") in selected
    assert not selected & reference_only_keys()

    (settings.reference_dir / "reporting_units.parquet").write_bytes(b"a new unit")
    request = load_request(settings, "run-2")
    assert REFERENCE_BUILT_TAG not in request.tags
    assert request.asset_selection is None
