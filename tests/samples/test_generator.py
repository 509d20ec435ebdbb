"""Determinism, the committed sample, injected violations and scale mode."""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from sample_readback import fold, load_sheets, read_report, report_paths

from tcd_samples import generate, generator, write_sample
from tcd_samples.violations import INJECTIONS

BOM = b"\xef\xbb\xbf"
COMMITTED = Path(__file__).resolve().parents[2] / "sources" / "samples" / "reports"


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_writes_byte_identical_files(tmp_path, demo_dir):
    generate(tmp_path)
    assert tree(tmp_path) == tree(demo_dir)


def test_other_seed_writes_different_files(tmp_path, demo_dir):
    generate(tmp_path, seed=7)
    assert tree(tmp_path) != tree(demo_dir)


def test_committed_sample_is_what_the_generator_writes(demo_dir):
    cmp = filecmp.dircmp(COMMITTED, demo_dir)
    assert tree(COMMITTED) == tree(demo_dir), cmp.diff_files


def _starts_with_bom(path: Path) -> bool:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            return all(zf.read(n).startswith(BOM) for n in zf.namelist())
    if path.is_dir():
        return all(f.read_bytes().startswith(BOM) for f in path.glob("*.csv"))
    return False


def test_demo_sample_mixes_workbooks_zips_folders_and_bom_bundles(demo_dir):
    paths = report_paths(demo_dir)
    kinds = {p.suffix or "folder" for p in paths}
    assert kinds == {".xlsx", ".zip", "folder"}
    assert sum(p.suffix == ".xlsx" for p in paths) > len(paths) / 2
    boms = {p.suffix or "folder" for p in paths if _starts_with_bom(p)}
    assert boms == {".zip", "folder"}


def test_write_sample_returns_every_report_path(tmp_path):
    files = write_sample(tmp_path, scale="small", fmt="zip")
    assert len(files) == 2 * 5 * 4
    assert all(f.exists() and f.parent.name == f.name.rsplit("_", 1)[0] for f in files)


# --- injected violations -----------------------------------------------------------------------
TARGETS = {
    "part_exceeds_whole": "080_2023-H1",
    "summary_mismatch": "080_2023-H2",
    "bad_cccd": "082_2023-H1",
    "admission_outside_period": "082_2023-H2",
    "under_18": "086_2023-H1",
    "duplicate_person": "086_2024-H1",
    "unknown_tax_code": "089_2023-H1",
    "cumulative_shrink": "10-CQDN_2024-H1",
    "non_integer_count": "089_2023-H2",
    "negative_count": "10-KKT_2023-H2",
    "bad_date": "080_2024-H2",
    "bad_tax_code": "082_2024-H2",
    "founding_after_period": "086_2024-H2",
    "unknown_category": "089_2024-H2",
    "unknown_label": "10-CQDN_2023-H1",
    "title_mismatch": "087_2024-H1",
}


@pytest.fixture(scope="module")
def injected(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("injected")
    generate(out, inject=[f"{rule}@{stem}" for rule, stem in TARGETS.items()])
    return out


def path_of(root: Path, stem: str) -> Path:
    return next(p for p in report_paths(root) if p.name.split(".")[0] == stem)


def cells(root: Path, stem: str, sheet: str) -> list[object]:
    return [c for row in load_sheets(path_of(root, stem))[sheet] for c in row]


def test_every_rule_has_a_target_in_the_test():
    assert set(TARGETS) == set(INJECTIONS)


def test_injection_manifest_lists_every_planted_violation(injected):
    manifest = json.loads((injected / "_injections.json").read_text("utf-8"))
    assert {(m["rule"], f"{m['unit_code']}_{m['period_code']}") for m in manifest} == set(
        TARGETS.items()
    )


def test_part_exceeds_whole_is_planted(injected):
    s = read_report(path_of(injected, TARGETS["part_exceeds_whole"])).summary
    assert (
        s[fold("trong doanh nghiệp ngoài nhà nước")] > s[fold("Số đoàn viên công đoàn kết nạp mới")]
    )


def test_summary_mismatch_is_planted(injected):
    r = read_report(path_of(injected, TARGETS["summary_mismatch"]))
    assert r.summary[fold("Số đảng viên mới được kết nạp")] == len(r.admissions) + 2


def test_bad_cccd_is_planted(injected):
    r = read_report(path_of(injected, TARGETS["bad_cccd"]))
    assert any(len(a["cccd"]) == 11 for a in r.admissions)


def test_admission_outside_period_is_planted(injected):
    r = read_report(path_of(injected, TARGETS["admission_outside_period"]))
    assert min(a["admitted"] for a in r.admissions) < dt.date(2023, 7, 1)


def test_under_18_is_planted(injected):
    r = read_report(path_of(injected, TARGETS["under_18"]))
    assert any((a["admitted"] - a["birth"]).days < 18 * 365 for a in r.admissions)


def test_duplicate_person_is_planted(injected):
    target = read_report(path_of(injected, TARGETS["duplicate_person"]))
    others = {
        str(c)
        for p in report_paths(injected)
        if p.name.split(".")[0] != TARGETS["duplicate_person"]
        for c in cells(injected, p.name.split(".")[0], "ketnap")
    }
    assert {a["cccd"] for a in target.admissions} & others


def test_unknown_tax_code_is_planted(injected):
    r = read_report(path_of(injected, TARGETS["unknown_tax_code"]))
    assert {a["tax_code"] for a in r.admissions} - {o["tax_code"] for o in r.orgs}


def test_cumulative_shrink_is_planted(injected):
    before = read_report(path_of(injected, "10-CQDN_2023-H2"))
    after = read_report(path_of(injected, TARGETS["cumulative_shrink"]))
    grassroots = {
        o["tax_code"] for o in before.orgs if o["party_org"] in ("chi_bo_co_so", "dang_bo_co_so")
    }
    assert grassroots - {o["tax_code"] for o in after.orgs}


def test_count_and_format_violations_are_written_into_the_cells(injected):
    assert "12,5" in cells(injected, TARGETS["non_integer_count"], "tochuc")
    assert -5 in cells(injected, TARGETS["negative_count"], "tochuc")
    assert "31/02/2024" in cells(injected, TARGETS["bad_date"], "ketnap")
    assert "Nông dân" in cells(injected, TARGETS["unknown_category"], "ketnap")
    tax = [str(c) for c in cells(injected, TARGETS["bad_tax_code"], "tochuc")]
    assert any(c.isdigit() and len(c) == 8 for c in tax)


def test_founding_after_period_is_planted(injected):
    r = read_report(path_of(injected, TARGETS["founding_after_period"]))
    assert any(o["union_founded"] and o["union_founded"] > dt.date(2024, 12, 31) for o in r.orgs)


def test_unknown_label_is_planted(injected):
    texts = [fold(c) for c in cells(injected, TARGETS["unknown_label"], "tonghop")]
    assert fold("Số hội viên hội doanh nhân trẻ kết nạp mới") in texts


def test_title_mismatch_names_another_unit(injected):
    r = read_report(path_of(injected, TARGETS["title_mismatch"]))
    assert r.title_unit != "ĐẢNG BỘ HUYỆN BẢO YÊN"


def test_unnamed_injection_lands_in_a_seed_chosen_report(tmp_path):
    result = generate(
        tmp_path, provinces=1, units_per_province=3, periods=3, fmt="csv", inject=["bad_cccd"]
    )
    assert [i.rule for i in result.injections] == ["bad_cccd"]


def test_unknown_rule_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown rule"):
        generate(tmp_path, inject=["no_such_rule"])


# --- scale mode --------------------------------------------------------------------------------
def _peak(out: Path, units: int) -> tuple[int, int]:
    tracemalloc.start()
    result = generate(
        out, provinces=1, units_per_province=units, periods=2, fmt="csv", admissions_per_report=15
    )
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, result.reports


def test_scale_mode_memory_does_not_grow_with_the_number_of_units(tmp_path, monkeypatch):
    """Memory holds one chunk of reports (``SUMMARY_CHUNK``), whatever the number of units."""
    monkeypatch.setattr(generator, "SUMMARY_CHUNK", 4)
    small, n_small = _peak(tmp_path / "a", 2)
    large, n_large = _peak(tmp_path / "b", 16)
    assert n_large == 8 * n_small
    assert large < 1.5 * small


def test_scale_mode_admits_each_person_once_with_synthetic_unit_codes(tmp_path):
    generate(
        tmp_path, provinces=2, units_per_province=3, periods=3, fmt="zip", admissions_per_report=20
    )
    reports = [read_report(p) for p in report_paths(tmp_path)]
    assert {r.unit_code for r in reports} == {f"P0{p}-U00{u}" for p in (1, 2) for u in (1, 2, 3)}
    cccds = [a["cccd"] for r in reports for a in r.admissions]
    assert len(cccds) == len(set(cccds)) > 100


def test_a_scaled_history_that_starts_early_parses_without_error(tmp_path: Path) -> None:
    """Organisations that exist from the start are founded before the first period."""

    from dagster_project.reports import DEMO_KEY, ReportMeta, parse_report
    from tcd_samples import generate

    result = generate(
        tmp_path, provinces=1, units_per_province=3, periods=10, admissions_per_report=5, fmt="zip"
    )
    errors = {}
    for path in result.files:
        unit, period = path.stem.split("_")
        meta = ReportMeta(
            report_id=path.stem,
            unit_code=unit,
            period_code=period,
            version=1,
            sha256="0" * 64,
            file_name=path.name,
            source_uri=path.as_uri(),
            received_at=dt.datetime(2026, 1, 1),
        )
        parsed = parse_report(path, meta, DEMO_KEY)
        if parsed.error_count:
            errors[path.name] = parsed.findings.column("rule_code").to_pylist()
    assert len(result.files) == 30
    assert errors == {}


def test_inject_takes_the_catalogue_rule_code(tmp_path):
    result = generate(tmp_path, inject=["DQ_CCCD_FORMAT"])
    assert [i.rule for i in result.injections] == ["bad_cccd"]


def test_an_unknown_rule_code_is_one_sentence_listing_the_valid_codes(tmp_path):
    import subprocess
    import sys

    tcd = Path(sys.executable).with_name("tcd")
    proc = subprocess.run(
        [str(tcd), "sample", str(tmp_path / "out"), "--inject", "DQ_NO_SUCH_RULE"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "300"},
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "DQ_NO_SUCH_RULE" in proc.stderr and "DQ_CCCD_FORMAT" in proc.stderr
