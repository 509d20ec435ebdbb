"""Write sample district reports: the calibrated demo sample, or a synthetic load at any scale.

`write_sample` is what `tcd sample` calls; `generate` exposes every knob. Files follow
report-contract.md section 2 and land as `<out_dir>/<unit code>/<unit code>_<period>.<ext>`
(a CSV bundle as a folder has no extension), one folder per unit as the registry's `file://`
locations expect.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tcd_samples.demo_world import build_demo_reports
from tcd_samples.layout import build_sheets
from tcd_samples.model import Report
from tcd_samples.submissions import write_listings
from tcd_samples.summary import compute_summaries, compute_summary
from tcd_samples.violations import (
    SUMMARY_RULES,
    Injection,
    apply_detail,
    apply_summary,
    eligible,
    parse_requests,
)
from tcd_samples.writers import write_csv_dir, write_csv_zip, write_xlsx

DEFAULT_SEED = 2024
INJECTION_MANIFEST = "_injections.json"

# Demo sample: which reports arrive as CSV bundles, and which are typed in NFD.
_DEMO_FORMATS = {
    "084": "csv_dir",
    "083_2023-H2": "csv_zip",
    "083_2024-H1": "csv_zip",
    "083_2024-H2": "csv_zip",
    "085_2024-H1": "csv_bom_zip",
    "37-CQDN_2023-H2": "csv_bom_dir",
}
_DEMO_NFD = {"088_2023-H2", "082_2024-H1", "37-CQDN_2022-H2", "10-KKT_2023-H1"}
FORMATS = ("mixed", "xlsx", "csv", "zip")


@dataclass
class GenerationResult:
    """Files written and violations planted, for tests and the CLI to report."""

    files: list[Path] = field(default_factory=list)
    injections: list[Injection] = field(default_factory=list)
    reports: int = 0
    admissions: int = 0


def _demo_format(report: Report, fmt: str) -> str:
    if fmt == "xlsx":
        return "xlsx"
    if fmt == "csv":
        return "csv_dir"
    if fmt == "zip":
        return "csv_zip"
    return _DEMO_FORMATS.get(report.stem, _DEMO_FORMATS.get(report.unit.code, "xlsx"))


def write_report(report: Report, out_dir: Path, seed: int, *, constant_memory: bool = False):
    """Render one report into its unit's folder and return the path written."""
    folder = out_dir / report.unit.code
    folder.mkdir(parents=True, exist_ok=True)
    sheets = build_sheets(report, seed)
    bom = report.fmt.startswith("csv_bom")
    if report.fmt == "xlsx":
        return write_xlsx(folder / f"{report.stem}.xlsx", sheets, constant_memory=constant_memory)
    if report.fmt.endswith("zip"):
        return write_csv_zip(folder / f"{report.stem}.zip", sheets, bom=bom)
    return write_csv_dir(folder / report.stem, sheets, bom=bom)


SUMMARY_CHUNK = 256
"""Reports whose summaries one run of the warehouse's rule computes: memory holds this many
reports at a time, whatever the scale (a run costs about 10 ms, so 4 at a time wrote 100
reports a second, 256 at a time about 400)."""


def _with_summaries(reports: Iterator[Report]) -> Iterator[tuple[int, Report, dict[str, int]]]:
    """Reports with their clean summaries, computed by the warehouse's rule a chunk at a time."""
    index = 0
    iterator = iter(reports)
    while batch := list(itertools.islice(iterator, SUMMARY_CHUNK)):
        for report, summary in zip(batch, compute_summaries(batch), strict=True):
            yield index, report, summary
            index += 1


def _finish(
    reports: Iterator[Report],
    out_dir: Path,
    seed: int,
    requests: list[tuple[str, str | None]],
    *,
    constant_memory: bool = False,
    pick_after: int = 0,
    bounded: bool = False,
) -> GenerationResult:
    """Inject, summarise and write reports one at a time (streaming: nothing is kept but the
    previous report of each unit, which cumulative and duplicate injections need)."""
    result = GenerationResult()
    rng = random.Random(f"{seed}:inject")
    pending = list(requests)
    history: dict[str, Report] = {}
    titles: dict[str, str] = {}
    for index, report, clean_summary in _with_summaries(reports):
        titles.setdefault(report.unit.code, report.unit.title)
        chosen = []
        for req in list(pending):
            rule, stem = req
            if stem is not None:
                hit = stem == report.stem
            else:
                hit = (
                    index >= pick_after
                    and eligible(rule, report, history)
                    and (rng.random() < 0.35 or rule in ("duplicate_person", "cumulative_shrink"))
                )
            if hit:
                if not eligible(rule, report, history):
                    raise ValueError(f"cannot inject {rule} into {report.stem}")
                chosen.append(rule)
                pending.remove(req)
        other = next((t for c, t in titles.items() if c != report.unit.code), "ĐẢNG BỘ HUYỆN KHÁC")
        detail_rules = [rule for rule in chosen if rule not in SUMMARY_RULES]
        for rule in detail_rules:
            result.injections.append(apply_detail(rule, report, history, rng, other))
        report.summary = compute_summary(report) if detail_rules else clean_summary
        for rule in chosen:
            if rule in SUMMARY_RULES:
                result.injections.append(apply_summary(rule, report))
        result.files.append(write_report(report, out_dir, seed, constant_memory=constant_memory))
        result.reports += 1
        result.admissions += len(report.admissions)
        history.pop(report.unit.code, None)
        history[report.unit.code] = report
        if bounded and len(history) > 2:  # scale mode: this unit and one other are enough
            for code in list(history)[:-2]:
                del history[code]
    if pending:
        raise ValueError(f"no report could take injection(s): {pending}")
    if result.injections:
        (out_dir / INJECTION_MANIFEST).write_text(
            json.dumps([asdict(i) for i in result.injections], ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
    return result


def _demo_reports(seed: int, fmt: str) -> Iterator[Report]:
    style_rng = random.Random(f"{seed}:style")
    reports = build_demo_reports(seed)
    # Periods in time order so "previous report of the unit" and "earlier report" hold.
    reports.sort(key=lambda r: (r.period, r.unit.code))
    for report in reports:
        report.fmt = _demo_format(report, fmt)
        report.style = style_rng.randrange(20)
        report.nfd = report.stem in _DEMO_NFD
        yield report


def generate(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    provinces: int | None = None,
    units_per_province: int = 10,
    periods: int = 4,
    admissions_per_report: int = 20,
    inject: list[str] | tuple[str, ...] = (),
    fmt: str = "mixed",
) -> GenerationResult:
    """Write reports under `out_dir`.

    With `provinces=None` this is the calibrated demo sample (Lào Cai and the Ninh Bình bloc;
    the other size knobs are ignored). With `provinces=N` it is scale mode: N synthetic provinces
    of `units_per_province` units (codes like `P01-U001`), `periods` half-years ending 2024-H2,
    about `admissions_per_report` admissions per report, streamed to disk one report at a time.
    `inject` plants rule violations: `"rule"` (a report chosen by the seed) or
    `"rule@<unit>_<period>"`; see `violations.INJECTIONS`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    requests = parse_requests(list(inject))
    if provinces is None:
        result = _finish(_demo_reports(seed, fmt), out_dir, seed, requests, pick_after=11)
        write_listings(result.files, seed)
        return result
    from tcd_samples.scale import synthetic_reports

    stream = synthetic_reports(
        seed,
        provinces=provinces,
        units_per_province=units_per_province,
        periods=periods,
        admissions_per_report=admissions_per_report,
        fmt=fmt,
    )
    return _finish(stream, out_dir, seed, requests, constant_memory=True, bounded=True)


# Named sizes for `tcd sample --scale`.
SCALES: dict[str, dict[str, int] | None] = {
    "demo": None,
    "small": {"provinces": 2, "units_per_province": 5, "periods": 4, "admissions_per_report": 10},
    "province": {
        "provinces": 1,
        "units_per_province": 100,
        "periods": 20,
        "admissions_per_report": 30,
    },
    "national": {
        "provinces": 34,
        "units_per_province": 97,
        "periods": 20,
        "admissions_per_report": 30,
    },
}


def write_sample(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    scale: str = "demo",
    inject: list[str] | None = None,
    fmt: str = "mixed",
) -> list[Path]:
    """Write a sample (`scale`: demo, small, province, national) and return the files written.

    "demo" is the calibrated sample committed under sources/samples/reports; "national" is
    34 provinces x 97 units x 20 half-years at 30 admissions per report (about 200,000 a year).
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}, not {scale!r}")
    knobs = SCALES[scale] or {}
    return generate(Path(out_dir), seed=seed, inject=list(inject or []), fmt=fmt, **knobs).files
