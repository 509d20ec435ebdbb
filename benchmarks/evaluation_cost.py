"""Seconds of the evaluation step against a published warehouse, by phase.

    .venv/bin/python benchmarks/evaluation_cost.py PUBLISHED.duckdb [--repeat 3] [--keep DIR]
    .venv/bin/python benchmarks/evaluation_cost.py --compare DIR_BEFORE DIR_AFTER

Runs `write_latest_evaluations` (what the pipeline does after each publish) into a fresh folder
twice per round: a first run that draws every chart, then a night's run over the same folder
that takes every chart from the cache. Time is attributed to the innermost phase running
(queries, charts, templating, rendering), the rest of the step is "other". The published file
is opened read-only, never written. Figures, not assertions. `--keep` leaves the last round's
documents in DIR; `--compare` then tells whether two such folders, written by two versions of the
code, hold the same documents: every file's bytes, a Word file's by its members (the zip stamps
write times), charts included.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib
import inspect
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dagster_project.evaluation import write_latest_evaluations

PHASES: dict[str, tuple[str, ...]] = {
    "queries": (
        "dagster_project.evaluation.queries:QueryRunner.rows",
        "dagster_project.evaluation.queries:QueryRunner.materialise",
        "dagster_project.evaluation.evaluate:latest_periods",
        "dagster_project.evaluation.evaluate:_indicator_labels",
        "dagster_project.evaluation.evaluate:_publish_version",
        "dagster_project.evaluation.queries:ScopeQueries._run",
        "dagster_project.evaluation.queries:ScopeQueries.__init__",
    ),
    "charts": (
        "dagster_project.evaluation.chart_cache:ChartCache.chart",
        "dagster_project.evaluation.chart_cache:ChartCache.charts",
    ),
    "templating": ("jinja2.environment:TemplateModule.__init__",),
    "rendering": (
        "dagster_project.evaluation.render:to_docx",
        "dagster_project.evaluation.render:to_html_body",
        "docx.document:Document.save",
    ),
}


class PhaseClock:
    """Exclusive seconds per phase: a phase called inside another is taken out of the outer."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.stack: list[list] = []

    def wrap(self, phase: str, fn):
        clock = self

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            now = time.perf_counter()
            if clock.stack:
                outer = clock.stack[-1]
                clock.seconds[outer[0]] += now - outer[1]
            clock.stack.append([phase, now])
            try:
                return fn(*args, **kwargs)
            finally:
                end = time.perf_counter()
                clock.seconds[phase] += end - clock.stack.pop()[1]
                if clock.stack:
                    clock.stack[-1][1] = end

        return timed


def instrument(clock: PhaseClock) -> list[str]:
    """Wrap every hook that exists in this version of the code; the hooks found."""
    found = []
    for phase, hooks in PHASES.items():
        for hook in hooks:
            module_name, _, qualname = hook.partition(":")
            try:
                owner = importlib.import_module(module_name)
            except ImportError:
                continue
            *path, attr = qualname.split(".")
            for part in path:
                owner = getattr(owner, part, None)
            if owner is None or not hasattr(owner, attr):
                continue
            setattr(owner, attr, clock.wrap(phase, getattr(owner, attr)))
            found.append(hook)
    return found


def run(
    published: Path, out: Path, clock: PhaseClock, workers: int | None
) -> tuple[float, dict[str, float], int, int]:
    clock.seconds.clear()
    start = time.perf_counter()
    if "workers" in inspect.signature(write_latest_evaluations).parameters:
        written, refused = write_latest_evaluations(published, out, workers=workers)
    else:  # a version of the code that draws in this process only
        written, refused = write_latest_evaluations(published, out)
    total = time.perf_counter() - start
    phases = dict(clock.seconds)
    phases["other"] = total - sum(phases.values())
    drawn = sum(e.charts_drawn for e in written)
    if refused:
        print(f"  not written: {len(refused)}", file=sys.stderr)
    return total, phases, len(written), drawn


def contents(folder: Path) -> dict[str, str]:
    """Digest of every file under folder (a Word file's members one by one)."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder))
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as docx:
                for member in docx.namelist():
                    out[f"{name}!{member}"] = hashlib.sha256(docx.read(member)).hexdigest()
        else:
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def compare(before: Path, after: Path) -> int:
    first, second = contents(before), contents(after)
    differ = [k for k in sorted(first.keys() | second.keys()) if first.get(k) != second.get(k)]
    print(f"{len(first)} and {len(second)} files and members; {len(differ)} differ")
    for name in differ[:40]:
        print(f"  {name}")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("published", type=Path, nargs="?")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="leave the last round's documents here")
    parser.add_argument("--workers", type=int, help="chart processes (default: one per core)")
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    if args.published is None:
        parser.error("the published file to evaluate is missing")
    clock = PhaseClock()
    instrument(clock)
    names = ["queries", "charts", "templating", "rendering", "other"]
    print(f"{'run':<8} {'total':>7} " + " ".join(f"{n:>10}" for n in names) + "  docs drawn")
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="evaluation-cost-") as folder:
            out = Path(folder) / "reports"
            for label in ("first", "night"):
                total, phases, docs, drawn = run(args.published, out, clock, args.workers)
                cells = " ".join(f"{phases.get(n, 0.0):>10.2f}" for n in names)
                print(f"{label:<8} {total:>7.2f} {cells}  {docs:>4} {drawn:>5}", flush=True)
            if args.keep:
                shutil.rmtree(args.keep, ignore_errors=True)
                shutil.copytree(out, args.keep)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: {own:.0f} MiB (chart workers: {workers:.0f} MiB each at most)")


if __name__ == "__main__":
    main()
