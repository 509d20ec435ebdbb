"""End-to-end load at several scales against the floor script, with stage times and nights.

    .venv/bin/python benchmarks/pipeline_scale.py                 # 1,000 / 4,000 / 16,000
    .venv/bin/python benchmarks/pipeline_scale.py --reports 1000  # one scale
    .venv/bin/python benchmarks/pipeline_scale.py --national      # 34 x 97 x 20 only
    .venv/bin/python benchmarks/pipeline_scale.py --reports 16000 --national  # both

For each scale it writes the scaled reports (CSV zips, `tcd sample` scale mode) and a benchmark
registry, runs the floor script (`benchmarks/floor.py`) on the same files, then `tcd load` as a
user runs it (its own process) into a fresh home: a first load, a night with nothing new, and a
night on which 1% of the reports were resubmitted. Stage times come from the runs' step records
in the home's Dagster instance. Last it times the stack's own floor (`stack_floor.py`): the
least any night can cost. Prints one table; figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.stack_floor import pipeline_floor  # noqa: E402
from tcd_samples import generate  # noqa: E402
from tcd_samples.scale import synthetic_units  # noqa: E402

PERIODS = 20
SCALES = {1000: (1, 50), 4000: (2, 100), 16000: (8, 100)}
"""Reports -> (provinces, units per province), 20 half-years each."""
NATIONAL = (34, 97)
STAGES = {
    "pull": ("reporting_units", "landed_reports"),
    "parse": ("parsed_reports",),
    "dbt": ("warehouse_dbt",),
    "checks": ("gx_parsed_sheets", "gx_marts"),
    "publish": ("published_warehouse",),
    "evaluation": ("evaluation_reports",),
}


def write_registry(folder: Path, reports_dir: Path, provinces: int, units: int) -> Path:
    documents = []
    for p in range(1, provinces + 1):
        documents.append(
            {
                "code": f"P{p:02d}",
                "name": f"Tỉnh P{p:02d}",
                "kind": "province",
                "province_code": f"P{p:02d}",
                "valid_from": "2010-01-01",
                "valid_to": None,
                "reports": False,
            }
        )
    for unit in synthetic_units(provinces, units):
        documents.append(
            {
                "code": unit.code,
                "name": unit.name,
                "aliases": [unit.title],
                "kind": "district",
                "province_code": unit.province_code,
                "parent_code": unit.province_code,
                "valid_from": "2010-01-01",
                "valid_to": None,
                "reports": True,
            }
        )
    path = folder / "registry.yaml"
    path.write_text(
        yaml.safe_dump(
            {"location_template": f"file:{reports_dir}/{{code}}/", "units": documents},
            allow_unicode=True,
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    return path


@dataclass
class Load:
    seconds: float
    peak_mib: float
    stages: dict[str, float] = field(default_factory=dict)
    runs: int = 0


def peak_children_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def stage_times(home: Path, since: float) -> tuple[dict[str, float], int]:
    """Seconds per stage of the runs started after ``since``, and Dagster's own time before
    each run's first step (start-up, planning, bookkeeping)."""
    from dagster import DagsterInstance, RunsFilter

    instance = DagsterInstance.from_config(str(home / "dagster"))
    try:
        runs = [
            r
            for r in instance.get_run_records(RunsFilter())
            if r.start_time and r.start_time >= since
        ]
        totals = dict.fromkeys([*STAGES, "dagster before first step"], 0.0)
        for record in runs:
            steps = instance.get_run_step_stats(record.dagster_run.run_id)
            starts = [s.start_time for s in steps if s.start_time]
            if starts:
                totals["dagster before first step"] += min(starts) - record.start_time
            for step in steps:
                if not (step.start_time and step.end_time):
                    continue
                for stage, prefixes in STAGES.items():
                    if step.step_key.startswith(prefixes):
                        totals[stage] += step.end_time - step.start_time
        return totals, len(runs)
    finally:
        instance.dispose()


def timed_load(home: Path, registry: Path) -> Load:
    env = {**os.environ, "TCD_REGISTRY": str(registry), "COLUMNS": "120"}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    since = time.time()
    start = time.perf_counter()
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("tcd")), "load", "--home", str(home), "--demo-key"],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:])
        raise SystemExit(f"tcd load failed with exit code {proc.returncode}")
    stages, runs = stage_times(home, since)
    return Load(seconds, peak_children_mib(), stages, runs)


def floor_seconds(reports: Path, db: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "floor.py"), str(reports), "--db", str(db)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def resubmit(reports: Path, share: float) -> int:
    """Resubmit a share of the reports: the same bundle with a note, so new bytes, new version."""
    files = sorted(reports.rglob("*.zip"))
    chosen = files[:: max(1, round(1 / share))]
    for path in chosen:
        with zipfile.ZipFile(path, "a") as bundle:
            bundle.comment = b"resubmitted"
    return len(chosen)


def scaled_reports(provinces: int, units: int, folder: Path, cache: Path | None) -> int:
    """Write the scaled reports into ``folder`` (or copy them from ``cache``, writing it once)."""
    if cache is None:
        return len(_generate(provinces, units, folder))
    kept = cache / f"{provinces}x{units}x{PERIODS}"
    if not (kept / "COMPLETE").exists():
        shutil.rmtree(kept, ignore_errors=True)
        _generate(provinces, units, kept / "reports")
        (kept / "COMPLETE").touch()
    shutil.copytree(kept / "reports", folder)
    return sum(1 for _ in folder.rglob("*.zip"))


def _generate(provinces: int, units: int, folder: Path) -> list[Path]:
    return generate(
        folder,
        provinces=provinces,
        units_per_province=units,
        periods=PERIODS,
        admissions_per_report=30,
        fmt="zip",
    ).files


def run_scale(provinces: int, units: int, tmp: Path, cache: Path | None = None) -> dict:
    reports = tmp / "reports"
    start = time.perf_counter()
    files = scaled_reports(provinces, units, reports, cache)
    generated = time.perf_counter() - start
    registry = write_registry(tmp, reports, provinces, units)
    floor = floor_seconds(reports, tmp / "floor.duckdb")
    home = tmp / "home"
    first = timed_load(home, registry)
    quiet = timed_load(home, registry)
    changed = resubmit(reports, 0.01)
    night = timed_load(home, registry)
    published = home / "published" / "warehouse.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        admissions = con.execute("select count(*) from marts.fct_admissions").fetchone()[0]
    return {
        "reports": files,
        "admissions": admissions,
        "generated": generated,
        "floor": floor,
        "first": first,
        "quiet": quiet,
        "night": night,
        "changed": changed,
    }


def print_table(rows: list[dict]) -> None:
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    head = (
        f"{'reports':>8} {'admissions':>10} {'floor s':>8} {'load s':>7} {'ratio':>6} "
        f"{'pull':>5} {'parse':>6} {'dbt':>5} {'checks':>6} {'pub':>4} {'eval':>5} {'dag':>5} "
        f"{'peak MiB':>8} {'quiet s':>7} {'1% s':>6} {'1%/first':>8}"
    )
    print(head)
    for row in rows:
        first = row["first"]
        s = first.stages
        print(
            f"{row['reports']:>8,} {row['admissions']:>10,} {row['floor']:>8.1f} "
            f"{first.seconds:>7.1f} {first.seconds / row['floor']:>5.1f}x "
            f"{s['pull']:>5.1f} {s['parse']:>6.1f} {s['dbt']:>5.1f} {s['checks']:>6.1f} "
            f"{s['publish']:>4.1f} {s['evaluation']:>5.1f} {s['dagster before first step']:>5.1f} "
            f"{first.peak_mib:>8.0f} {row['quiet'].seconds:>7.1f} {row['night'].seconds:>6.1f} "
            f"{row['night'].seconds / first.seconds:>7.0%}"
        )
    print("the 1% night, stage by stage:")
    print(
        f"{'reports':>8} {'changed':>7} {'night s':>7} {'pull':>5} {'parse':>6} {'dbt':>5} "
        f"{'checks':>6} {'pub':>4} {'eval':>5} {'outside steps':>13}"
    )
    for row in rows:
        night = row["night"]
        s = night.stages
        inside = sum(s[stage] for stage in STAGES)
        print(
            f"{row['reports']:>8,} {row['changed']:>7,} {night.seconds:>7.1f} {s['pull']:>5.1f} "
            f"{s['parse']:>6.1f} {s['dbt']:>5.1f} {s['checks']:>6.1f} {s['publish']:>4.1f} "
            f"{s['evaluation']:>5.1f} {night.seconds - inside:>13.1f}"
        )
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        growth = large["first"].seconds / small["first"].seconds
        print(
            f"growth: {large['reports'] / small['reports']:.0f}x the reports cost "
            f"{growth:.1f}x the time"
        )
    print(
        "columns: stage seconds summed over the load's runs; dag = Dagster's time before each "
        "run's first step; quiet = a night with nothing new; 1% = a night with 1% resubmitted; "
        "outside steps = the command's own start-up, planning and summary."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, action="append", choices=sorted(SCALES))
    parser.add_argument(
        "--national", action="store_true", help="34 x 97 units x 20 (alone unless --reports)"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="keep the written reports in this folder and reuse them in later runs",
    )
    args = parser.parse_args()
    default = [] if args.national else sorted(SCALES)
    scales = [SCALES[n] for n in (args.reports or default)]
    if args.national:
        scales.append(NATIONAL)
    rows = []
    for provinces, units in scales:
        with tempfile.TemporaryDirectory(prefix="tcd-bench-") as tmp:
            rows.append(run_scale(provinces, units, Path(tmp), args.cache))
            print_table(rows[-1:])
            sys.stdout.flush()
    print()
    print_table(rows)
    floor = pipeline_floor()
    print(
        textwrap.fill(
            f"stack floor: the smallest Dagster + dbt + GX run (benchmarks/stack_floor.py) "
            f"takes {floor:.1f} s, so no night costs less; a 1% night under 10% of a first "
            f"load needs a first load of at least {10 * floor:.0f} s.",
            width=78,
        )
    )


if __name__ == "__main__":
    main()
