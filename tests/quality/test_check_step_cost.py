"""A check step costs what the run changed: the sheet checks read the batches the run parsed,
and Data Docs are rendered once per step, into the site of the home the step runs in."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.assets.ingestion import PARSED_BATCHES_KEY, ParseOutcome, parsed_batches
from dagster_project.partitions import RANGE_END_TAG, RANGE_START_TAG
from dagster_project.quality import build_quality_checks, validate_frame
from dagster_project.quality.checks import NOTHING_PARSED, batch_parts, run_sheet_check
from dagster_project.quality.validation import data_docs_step
from dagster_project.resources.warehouse import WarehouseResource
from tests.quality.conftest import ket_nap_frame, write_parsed_report

PERIODS = dg.StaticPartitionsDefinition(["2024-H1", "2024-H2"])


@pytest.fixture(autouse=True)
def _paths_from_home_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TCD_HOME", "TCD_DUCKDB_PATH", "TCD_PUBLISHED_PATH"):
        monkeypatch.delenv(name, raising=False)


def under_age() -> object:
    frame = ket_nap_frame()
    frame.loc[0, "age_at_admission"] = 16
    return frame


def parse_step(parsed: Path, reports: list[tuple[str, str, object]]) -> dg.AssetsDefinition:
    """A parse step over the two periods that writes ``reports`` and records their batches as
    ``parsed_reports`` does."""

    @dg.asset(
        key="parsed_reports",
        partitions_def=PERIODS,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def parsed_reports() -> dg.MaterializeResult:
        outcomes = [
            ParseOutcome(
                report_id=report_id,
                period_code=period,
                errors=0,
                warnings=0,
                admissions=len(frame),
                rules={},
                batch_id=write_parsed_report(parsed, report_id, period, frame),
            )
            for report_id, period, frame in reports
        ]
        return dg.MaterializeResult(
            metadata={PARSED_BATCHES_KEY: dg.MetadataValue.json(parsed_batches(outcomes))}
        )

    return parsed_reports


def run_load(
    home: Path, reports: list[tuple[str, str, object]]
) -> dict[str, dg.AssetCheckEvaluation]:
    result = dg.materialize(
        [parse_step(home / "parsed", reports), build_quality_checks()[0]],
        resources={"warehouse": WarehouseResource(home=str(home))},
        tags={RANGE_START_TAG: "2024-H1", RANGE_END_TAG: "2024-H2"},
        raise_on_error=False,
    )
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_sheet_checks_read_only_the_versions_the_run_parsed(tmp_path: Path):
    home = tmp_path / "home"
    write_parsed_report(home / "parsed", "082_2024-H1_v1_cccccccc", "2024-H1", under_age())

    checks = run_load(home, [("088_2024-H1_v1_aaaaaaaa", "2024-H1", ket_nap_frame())])

    ket_nap = checks["gx_ket_nap"]
    assert ket_nap.passed, ket_nap.metadata["findings"].value
    assert ket_nap.metadata["report_versions_checked"].value == 1
    assert ket_nap.metadata["rows"].value == len(ket_nap_frame())
    # the same store read whole still holds the earlier version's failure
    assert not run_sheet_check("ket_nap", home / "parsed", None).passed


def test_a_failure_in_a_version_the_run_parsed_is_found(tmp_path: Path):
    home = tmp_path / "home"
    write_parsed_report(home / "parsed", "088_2024-H1_v1_aaaaaaaa", "2024-H1", ket_nap_frame())

    checks = run_load(
        home,
        [
            ("089_2024-H1_v1_bbbbbbbb", "2024-H1", ket_nap_frame()),
            ("082_2024-H1_v1_cccccccc", "2024-H1", under_age()),
        ],
    )

    ket_nap = checks["gx_ket_nap"]
    assert not ket_nap.passed
    assert ket_nap.severity == dg.AssetCheckSeverity.WARN
    assert ket_nap.metadata["report_versions_checked"].value == 2
    assert "age_at_admission" in ket_nap.metadata["findings"].value


def test_a_run_that_parsed_nothing_passes_and_says_why(tmp_path: Path):
    home = tmp_path / "home"
    write_parsed_report(home / "parsed", "082_2024-H1_v1_cccccccc", "2024-H1", under_age())

    checks = run_load(home, [])

    for name in ("gx_tong_hop", "gx_ket_nap", "gx_to_chuc"):
        assert checks[name].passed
        assert checks[name].description == NOTHING_PARSED
        assert checks[name].metadata["rows"].value == 0


def test_a_step_renders_every_page_and_the_index_once_at_its_end(params, tmp_path: Path):
    docs = tmp_path / "gx"
    bad = ket_nap_frame()
    bad.loc[0, "gender"] = "male"

    with data_docs_step(docs, "run-5678") as step:
        outcomes = [
            validate_frame("ket_nap", frame, docs=step, parameters=params)
            for frame in (ket_nap_frame(), bad, ket_nap_frame())
        ]
        written_inside = [Path(o.docs_path).exists() for o in outcomes]
        index_inside = (docs / "index.html").exists()

    assert written_inside == [False, False, False] and not index_inside
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert len({o.docs_path for o in outcomes}) == 3
    for outcome in outcomes:
        page = Path(outcome.docs_path)
        assert page.is_file() and "run-5678" in page.parts
        assert page.relative_to(docs).as_posix() in index
        assert outcome.docs_url.endswith(page.relative_to(docs).as_posix())
    assert "male" in Path(outcomes[1].docs_path).read_text(encoding="utf-8")


def test_a_copied_site_writes_its_pages_into_the_copy(params, tmp_path: Path):
    original = tmp_path / "home" / "gx"
    validate_frame("ket_nap", ket_nap_frame(), docs_dir=original, parameters=params)
    copy = tmp_path / "copy" / "gx"
    shutil.copytree(original, copy)
    before = sorted(p.relative_to(original) for p in original.rglob("*.html"))

    outcome = validate_frame(
        "ket_nap", ket_nap_frame(), docs_dir=copy, parameters=params, run_name="in-the-copy"
    )

    assert Path(outcome.docs_path).is_relative_to(copy.resolve())
    assert Path(outcome.docs_path).is_file()
    assert sorted(p.relative_to(original) for p in original.rglob("*.html")) == before


def test_a_large_load_is_checked_in_parts_and_reported_as_one(tmp_path: Path) -> None:
    """Three batches checked one at a time give one result that counts every bad row once."""
    parsed = tmp_path / "parsed"
    batches: dict[str, list[str]] = {}
    for number, period in enumerate(("2023-H2", "2024-H1", "2024-H2")):
        batch = write_parsed_report(parsed, f"08{number}_{period}_v1", period, under_age())
        batches.setdefault(period, []).append(batch)
    assert len(list(batch_parts(batches, size=1))) == 3
    whole = run_sheet_check("ket_nap", parsed, None, batches)
    in_parts = run_sheet_check("ket_nap", parsed, None, batches, part_size=1)
    for result in (whole, in_parts):
        assert not result.passed
        assert result.metadata["report_versions_checked"].value == 3
    age_rows = [
        line
        for line in in_parts.metadata["findings"].value.splitlines()
        if "age_at_admission" in line
    ]
    assert len(age_rows) == 1, age_rows
    assert "| 3 |" in age_rows[0]

    def rows(result: dg.AssetCheckResult) -> list[str]:
        return sorted(result.metadata["findings"].value.splitlines())

    assert rows(in_parts) == rows(whole)  # the same findings, whatever order the parts met them
