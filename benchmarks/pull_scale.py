"""What a pull costs as the landed history grows: first pull, a night with nothing new, 1% new.

    .venv/bin/python benchmarks/pull_scale.py                  # 1,000 / 4,000 / 16,000 reports
    .venv/bin/python benchmarks/pull_scale.py --reports 2000   # one size

For each size, writes that many synthetic CSV-zip reports (`tcd sample` scale mode: 20 half-years
of units `P01-U001`, ...) and a registry whose `file://` locations point at them, then times, in
this process, `pull_all` into an empty temporary home (the first pull: everything lands), again
(nothing new: the night that must cost a directory walk and one query), and after 1% of the
reports were resubmitted with other bytes. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from pipeline_scale import write_registry  # noqa: E402

from dagster_project.ingest import Landing, load_registry, pull_all  # noqa: E402
from tcd_samples import generate  # noqa: E402

PERIODS = 20
MAX_UNITS_PER_PROVINCE = 200


def shape(reports: int) -> tuple[int, int]:
    """(provinces, units per province) giving `reports` reports over 20 half-years."""
    units = max(1, reports // PERIODS)
    provinces = -(-units // MAX_UNITS_PER_PROVINCE)
    return provinces, units // provinces


def resubmit(files: list[Path], share: float, seed: int) -> list[Path]:
    """Rewrite a share of the reports with other bytes (a zip comment), as a unit resending."""
    chosen = random.Random(seed).sample(files, max(1, round(len(files) * share)))
    for path in chosen:
        with zipfile.ZipFile(path, "a") as archive:
            archive.comment = b"gui lai / resubmitted"
    return chosen


def timed_pull(registry_path: Path, home: Path) -> tuple[float, int, int, int]:
    registry = load_registry(registry_path)
    start = time.perf_counter()
    result = pull_all(registry, home)
    seconds = time.perf_counter() - start
    return seconds, len(result.landed), result.skipped, len(result.rejected)


def run(reports: int, admissions: int, seed: int) -> dict[str, float | int]:
    provinces, units = shape(reports)
    with tempfile.TemporaryDirectory(prefix="tcd-pull-bench-") as tmp:
        tmp_path = Path(tmp)
        folder = tmp_path / "reports"
        start = time.perf_counter()
        written = generate(
            folder,
            seed=seed,
            provinces=provinces,
            units_per_province=units,
            periods=PERIODS,
            admissions_per_report=admissions,
            fmt="zip",
        )
        generated = time.perf_counter() - start
        registry = write_registry(tmp_path, folder, provinces, units)
        home = tmp_path / "home"
        first = timed_pull(registry, home)
        quiet = timed_pull(registry, home)
        changed = resubmit(written.files, 0.01, seed)
        busy = timed_pull(registry, home)
        versions = len(Landing(home).entries())
        index_kib = sum(p.stat().st_size for p in (home / "landing").glob("index.sqlite*")) / 1024
    return {
        "reports": written.reports,
        "generate_s": generated,
        "first_s": first[0],
        "first_landed": first[1],
        "quiet_s": quiet[0],
        "quiet_landed": quiet[1],
        "quiet_skipped": quiet[2],
        "busy_s": busy[0],
        "busy_landed": busy[1],
        "resubmitted": len(changed),
        "versions": versions,
        "index_kib": index_kib,
        "rejected": first[3] + quiet[3] + busy[3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, action="append", help="repeatable")
    parser.add_argument("--admissions", type=int, default=20, help="admissions per report")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    sizes = args.reports or [1_000, 4_000, 16_000]
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    header = (
        f"{'reports':>8} {'first pull':>11} {'per report':>11} {'nothing new':>12} "
        f"{'1% new':>8} {'landed':>7} {'versions':>9} {'index':>9}"
    )
    print(header)
    print("-" * len(header))
    for size in sizes:
        row = run(size, args.admissions, args.seed)
        assert row["rejected"] == 0 and row["quiet_landed"] == 0, row
        assert row["busy_landed"] == row["resubmitted"], row
        print(
            f"{row['reports']:>8,} {row['first_s']:>10.1f}s "
            f"{1000 * row['first_s'] / row['reports']:>9.2f}ms "
            f"{row['quiet_s']:>11.2f}s {row['busy_s']:>7.2f}s {row['busy_landed']:>7} "
            f"{row['versions']:>9,} {row['index_kib']:>6.0f}KiB",
            flush=True,
        )


if __name__ == "__main__":
    main()
