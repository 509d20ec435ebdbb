"""The load plan: what a load runs after its pull, from a fingerprint of the build's inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dagster_project.load_plan import (
    build_inputs_fingerprint,
    build_is_current,
    fingerprint_path,
    kept_rows_stale,
    plan_load,
    record_build,
    reference_is_built,
)
from dagster_project.reports.output import ParsedStore
from dagster_project.settings import Settings, load_settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("TCD_REPORT_DEADLINE_DAYS", raising=False)
    settings = load_settings(tmp_path / "home")
    settings.ensure_dirs()
    ParsedStore(settings.parsed_dir).ensure_schema()
    settings.published_db.write_bytes(b"published")
    return settings


def test_the_fingerprint_is_stable_while_nothing_changes(settings: Settings) -> None:
    assert build_inputs_fingerprint(settings) == build_inputs_fingerprint(settings)


def test_a_new_parsed_batch_changes_the_fingerprint(settings: Settings) -> None:
    before = build_inputs_fingerprint(settings)
    folder = settings.parsed_dir / "report" / "period=2024-H1"
    folder.mkdir(parents=True)
    (folder / "b20241124T020000000000-aaaaaaaa-0000.parquet").write_bytes(b"x")
    assert build_inputs_fingerprint(settings) != before


def test_a_setting_dbt_reads_changes_the_fingerprint(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = build_inputs_fingerprint(settings)
    monkeypatch.setenv("TCD_REPORT_DEADLINE_DAYS", "30")
    assert build_inputs_fingerprint(settings) != before


def test_nothing_landed_and_a_recorded_build_means_no_run(settings: Settings) -> None:
    assert plan_load(settings).final_job == "build_warehouse"  # no build on record yet
    record_build(settings, build_inputs_fingerprint(settings))
    assert build_is_current(settings)
    plan = plan_load(settings)
    assert not plan.pending and plan.final_job is None
    assert plan_load(settings, force_build=True).final_job == "build_warehouse"


def test_a_missing_published_file_is_rebuilt(settings: Settings) -> None:
    record_build(settings, build_inputs_fingerprint(settings))
    settings.published_db.unlink()
    assert plan_load(settings).final_job == "build_warehouse"


def test_a_changed_dbt_project_makes_the_next_build_a_full_refresh(settings: Settings) -> None:
    assert not kept_rows_stale(settings)  # no build yet: the first build is full anyway
    settings.build_db.write_bytes(b"built by an older version, nothing on record")
    assert kept_rows_stale(settings)
    record_build(settings, build_inputs_fingerprint(settings))
    assert not kept_rows_stale(settings)
    path = fingerprint_path(settings)
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**record, "reference": "digest of an older project"}))
    assert kept_rows_stale(settings)
    assert not plan_load(settings).reference_built


def test_a_changed_registry_makes_the_next_build_a_full_refresh(settings: Settings) -> None:
    """Incremental rows joined the unit's province and version of their build: a registry that
    moves a unit must rebuild them, not only the dimensions."""
    units = settings.reference_dir / "reporting_units.parquet"
    units.write_bytes(b"080 in province 10")
    settings.build_db.write_bytes(b"a build")
    record_build(settings, build_inputs_fingerprint(settings))
    assert not kept_rows_stale(settings)
    units.write_bytes(b"080 in province 15")
    assert kept_rows_stale(settings)
    plan = plan_load(settings)
    assert plan.final_job == "build_warehouse"
    assert not plan.reference_built


def test_the_last_run_leaves_out_the_reference_only_while_its_inputs_stand(
    settings: Settings,
) -> None:
    assert not reference_is_built(settings)  # nothing built yet
    settings.build_db.write_bytes(b"a build")
    record_build(settings, build_inputs_fingerprint(settings))
    assert reference_is_built(settings)
    assert plan_load(settings).reference_built
    assert not plan_load(settings, force_build=True).reference_built  # --full-refresh: all

    refusals = settings.reference_dir / "pull_refusals.parquet"  # data, not reference
    before = build_inputs_fingerprint(settings)
    refusals.write_bytes(b"a refusal")
    assert build_inputs_fingerprint(settings) != before
    assert reference_is_built(settings)

    (settings.reference_dir / "reporting_units.parquet").write_bytes(b"a new unit")
    assert not reference_is_built(settings)
    assert not plan_load(settings).reference_built


def test_changed_targets_rebuild_the_reference_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets = tmp_path / "sources" / "targets"
    targets.mkdir(parents=True)
    monkeypatch.setenv("TCD_SOURCES_DIR", str(tmp_path / "sources"))
    settings = load_settings(tmp_path / "home")
    settings.ensure_dirs()
    settings.published_db.write_bytes(b"published")
    settings.build_db.write_bytes(b"a build")
    record_build(settings, build_inputs_fingerprint(settings))
    assert reference_is_built(settings)
    (targets / "targets.csv").write_text("plan_code,indicator_code\nNQ-2025,x\n", encoding="utf-8")
    assert not reference_is_built(settings)
