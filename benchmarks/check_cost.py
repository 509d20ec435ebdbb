"""Seconds per suite of the check steps, run against a built home.

Runs what the two check steps of a load run (``gx_parsed_sheets``, ``gx_marts``), table by
table, and prints for each the rows validated and the seconds spent reading the frame and
validating it, then the total. The first lines time ``import great_expectations`` and the first
GX context, paid once per check step. The sheet checks cover every parsed batch, as a first
load's do. The home is only read (the build database is opened read-only); Data Docs, when
asked for with ``--docs``, are written to that folder, never into the home.

    .venv/bin/python benchmarks/check_cost.py --home /path/to/home --repeat 3
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a home a load has built")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the best is shown")
    parser.add_argument("--docs", action="store_true", help="render Data Docs, as a load does")
    parser.add_argument("--only", nargs="*", default=None, help="tables or sheets to time")
    args = parser.parse_args()
    console = Console(width=150)

    started = time.perf_counter()
    import great_expectations  # noqa: F401

    imported = time.perf_counter() - started

    from dagster_project.quality.checks import _mart_tables, check_mart, run_sheet_check
    from dagster_project.quality.frames import SHEETS, read_mart
    from dagster_project.quality.validation import _context, data_docs_step
    from dagster_project.reports.output import ParsedStore

    started = time.perf_counter()
    _context(None)
    context_seconds = time.perf_counter() - started
    console.print(
        f"import great_expectations: {imported:.2f} s; first context: {context_seconds:.2f} s"
    )

    build_db = args.home / "build" / "warehouse.duckdb"
    parsed_dir = args.home / "parsed"
    store = ParsedStore(parsed_dir)
    batches: dict[str, list[str]] = {}
    for period in store.periods():
        batches[period] = sorted(set(store.current_batches(period).values()))

    def chosen(name: str) -> bool:
        return args.only is None or name in args.only

    best: dict[str, list[float]] = {}
    rows: dict[str, int] = {}
    passed: dict[str, bool] = {}
    docs_root = Path(tempfile.mkdtemp(prefix="check-cost-docs-")) if args.docs else None
    for _ in range(args.repeat):
        with data_docs_step(docs_root, "check-cost") as docs:
            for sheet in SHEETS:
                if not chosen(sheet):
                    continue
                started = time.perf_counter()
                result = run_sheet_check(sheet, parsed_dir, None, batches, docs=docs)
                total = time.perf_counter() - started
                name = f"sheet {sheet}"
                rows[name] = result.metadata["rows"].value
                passed[name] = result.passed
                best[name] = min(best.get(name, [total]), [total])
            for family, table in _mart_tables():
                if not chosen(table):
                    continue
                name = f"mart {family}.{table}"
                started = time.perf_counter()
                frame = read_mart(build_db, table)
                read = time.perf_counter() - started
                del frame
                started = time.perf_counter()
                run = check_mart(family, table, build_db, None, docs=docs)
                total = time.perf_counter() - started
                rows[name] = run.result.metadata["rows"].value
                passed[name] = run.result.passed
                best[name] = min(best.get(name, [total, read]), [total, read])
            started = time.perf_counter()  # the step renders its pages as it closes
        if docs_root:
            render = time.perf_counter() - started
            best["data docs render"] = min(best.get("data docs render", [render]), [render])

    report = Table(title=f"check cost at {args.home} (best of {args.repeat}, pid {os.getpid()})")
    for column in ("check", "rows", "passed", "seconds", "reading the table alone"):
        report.add_column(column, justify="left" if column == "check" else "right")
    for name, times in best.items():
        report.add_row(
            name,
            f"{rows.get(name, 0):,}",
            str(passed.get(name, "")),
            f"{times[0]:.2f}",
            f"{times[1]:.2f}" if len(times) > 1 else "",
        )
    report.add_row("total", "", "", f"{sum(t[0] for t in best.values()):.2f}", "")
    console.print(report)


if __name__ == "__main__":
    main()
