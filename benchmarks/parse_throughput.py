"""End-to-end report parsing throughput against pandas.read_excel(engine="openpyxl").

Generates one report with N KetNap rows (and small TongHop/ToChuc sheets) as .xlsx and as a CSV
bundle (.zip), then times read + normalise + check + write Parquet for each, the time pandas with
openpyxl needs only to read the same workbook, and, for context, python-calamine and fastexcel
reading it. Every figure is the best of ``--repeat`` rounds in this one process, the methods
taking turns within each round.

    .venv/bin/python benchmarks/parse_throughput.py --rows 50000
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

import fastexcel
import pandas as pd
import python_calamine
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dagster_project.reports import DEMO_KEY, parse_report, write_parsed
from tests.reports.builders import (
    KET_NAP,
    Variant,
    build_csv_zip,
    build_xlsx,
    make_meta,
    sheets,
)

CATEGORIES = [
    "Công nhân, người lao động",
    "Học sinh, sinh viên",
    "Chủ doanh nghiệp",
    "Cán bộ quản lý doanh nghiệp",
    "Khác",
]
ETHNICITIES = ["Kinh", "Mông", "H'Mông", "Dao", "Tày", "Giáy"]


def big_sheets(rows: int, seed: int = 7):
    """The clean fixture with its KetNap sheet grown to ``rows`` people (mixed date styles)."""
    rng = random.Random(seed)
    sheet_list = sheets(Variant())
    ket_nap = sheet_list[1]
    header_rows = ket_nap.rows[: len(ket_nap.rows) - len(KET_NAP)]
    body = []
    for index in range(rows):
        born = date(1970, 1, 1) + timedelta(days=rng.randrange(0, 365 * 34))
        admitted = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 181))
        body.append(
            [
                index + 1,
                f"Người thứ {index}",
                f"0100{rng.randrange(10**8):08d}",
                born if index % 2 else born.strftime("%d/%m/%Y"),
                "Nam" if index % 3 else "Nữ",
                rng.choice(ETHNICITIES),
                rng.choice(CATEGORIES),
                f"Công ty TNHH số {index % 500}",
                f"53{index % 500:08d}",
                admitted,
                f"{index}-QĐ/ĐU",
                f"Chi bộ {index % 500}",
            ]
        )
    ket_nap.rows = header_rows + body
    return sheet_list


def best_times(functions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Best time of each function over ``repeat`` rounds, the functions taking turns in every
    round so that a burst of load from elsewhere on the machine does not fall on one of them."""
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def read_with_calamine(path: Path) -> None:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in workbook.sheet_names:
        workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def read_with_fastexcel(path: Path) -> None:
    reader = fastexcel.read_excel(path)
    for name in reader.sheet_names:
        reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string", eager=True)


def machine() -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    libraries = ", ".join(
        f"{name} {version(name)}"
        for name in ("pyarrow", "fastexcel", "python-calamine", "openpyxl", "pandas")
    )
    return (
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"load average {load} at start\n{libraries}"
    )


BASELINE = "pandas.read_excel(engine='openpyxl'), read only"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    console = Console(width=130)
    console.print(machine())
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        sheet_list = big_sheets(args.rows)
        xlsx = build_xlsx(root / "088_2024-H1.xlsx", sheet_list=sheet_list)
        bundle = build_csv_zip(root / "088_2024-H1.zip", sheet_list=sheet_list)

        def parse_and_write(path: Path) -> None:
            result = parse_report(path, make_meta(path), DEMO_KEY)
            assert result.ket_nap.num_rows == args.rows, result.findings.to_pylist()[:3]
            write_parsed(result, root / "parsed" / path.suffix[1:])

        results = best_times(
            {
                "tcd parser, .xlsx (read+check+Parquet)": lambda: parse_and_write(xlsx),
                "tcd parser, CSV bundle .zip (read+check+Parquet)": lambda: parse_and_write(bundle),
                BASELINE: lambda: pd.read_excel(xlsx, sheet_name=None, engine="openpyxl"),
                "python-calamine, read only (context)": lambda: read_with_calamine(xlsx),
                "fastexcel as text, read only (context)": lambda: read_with_fastexcel(xlsx),
            },
            args.repeat,
        )
    baseline = results[BASELINE]
    table = Table(title=f"Report parsing, {args.rows:,} KetNap rows (best of {args.repeat})")
    for header in ("method", "rows", "seconds", "rows/s", "speed-up vs openpyxl"):
        table.add_column(header, justify="right" if header != "method" else "left")
    for name, seconds in results.items():
        table.add_row(
            name,
            f"{args.rows:,}",
            f"{seconds:.3f}",
            f"{args.rows / seconds:,.0f}",
            f"{baseline / seconds:.1f}x",
        )
    console.print(table)


if __name__ == "__main__":
    main()
