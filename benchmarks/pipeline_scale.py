"""End-to-end load at a chosen scale: generate reports, load them, print where the time goes.

    .venv/bin/python benchmarks/pipeline_scale.py --units 20 --periods 4 --admissions 30

Writes a benchmark registry for the synthetic units (P01-U001, ...), runs `tcd load` as a user
would (its own process) into a temporary home, and prints report and row counts, wall time per
run, throughput and the peak memory of the load process. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tcd_samples import generate  # noqa: E402
from tcd_samples.scale import synthetic_units  # noqa: E402


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


def timed_load(home: Path, registry: Path) -> tuple[float, int, int]:
    env = {**os.environ, "TCD_REGISTRY": str(registry), "COLUMNS": "120"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("tcd")), "load", "--home", str(home), "--demo-key"],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:])
        raise SystemExit(f"tcd load failed with exit code {proc.returncode}")
    return seconds, max(peak_kib, before), proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=1)
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--periods", type=int, default=4)
    parser.add_argument("--admissions", type=int, default=30, help="admissions per report")
    parser.add_argument("--fmt", default="zip", choices=["mixed", "xlsx", "csv", "zip"])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tcd-bench-") as tmp:
        tmp_path = Path(tmp)
        reports = tmp_path / "reports"
        start = time.perf_counter()
        result = generate(
            reports,
            provinces=args.provinces,
            units_per_province=args.units,
            periods=args.periods,
            admissions_per_report=args.admissions,
            fmt=args.fmt,
        )
        generated = time.perf_counter() - start
        registry = write_registry(tmp_path, reports, args.provinces, args.units)
        home = tmp_path / "home"
        first, peak_kib, _ = timed_load(home, registry)
        second, _, _ = timed_load(home, registry)
        published = home / "published" / "warehouse.duckdb"
        with duckdb.connect(str(published), read_only=True) as con:
            admissions = con.execute("select count(*) from marts.fct_admissions").fetchone()[0]
            snapshots = con.execute(
                "select count(*) from marts.fct_enterprise_snapshots"
            ).fetchone()[0]
        files = len(result.files)
        print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
        print(
            f"scale: {args.provinces} province(s) x {args.units} units x {args.periods} periods,"
            f" {args.admissions} admissions/report, format {args.fmt}"
        )
        print(f"{'step':<34}{'seconds':>10}{'per second':>22}")
        print(f"{'generate ' + str(files) + ' report files':<34}{generated:>10.1f}")
        print(
            f"{'first load (all new)':<34}{first:>10.1f}"
            f"{files / first:>12.1f} reports {admissions / first:>8.0f} admissions"
        )
        print(f"{'second load (nothing new)':<34}{second:>10.1f}")
        print(f"published: {admissions} admissions, {snapshots} enterprise snapshots")
        print(f"peak memory of a load process: {peak_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
