"""The floor: the least a hand-written script must do with the same reports, for comparison.

    .venv/bin/python benchmarks/floor.py REPORTS_DIR [--db floor.duckdb]

Reads every CSV-bundle report (zip) under REPORTS_DIR, finds each KetNap sheet's header row,
pseudonymises the CCCD with HMAC-SHA256, drops names, keeps the birth year, and builds
`fct_admissions` plus per-unit indicator counts in DuckDB. No orchestration, no checks, no
findings, no versions, no publish: what `tcd load` does beyond this is the price of those.
Prints seconds, reports and admissions. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import io
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa

KEY = b"tcd-demo-key-not-secret"
COLUMNS = {
    "cccd": "cccd",
    "can cuoc": "cccd",
    "dinh danh": "cccd",
    "ngay sinh": "birth_date",
    "gioi tinh": "gender",
    "dan toc": "ethnicity",
    "doi tuong": "category",
    "thue": "tax_code",
    "ngay ket nap": "admission_date",
}


def column_of(cell: str) -> str | None:
    folded = fold(cell)
    return next((name for word, name in COLUMNS.items() if word in folded), None)


def iso_date(text: str) -> str:
    text = text.strip()
    if "/" in text:
        day, month, year = text.split("/")
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text[:10]


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn").lower().strip()


def admissions(path: Path) -> list[tuple]:
    unit, period = path.stem.rsplit("_", 1)
    with zipfile.ZipFile(path) as bundle:
        name = next(n for n in bundle.namelist() if fold(n).startswith("ketnap"))
        raw = bundle.read(name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1258")
    rows = list(csv.reader(io.StringIO(text)))
    header_at = next(i for i, row in enumerate(rows) if any(column_of(c) == "cccd" for c in row))
    positions: dict[str, int] = {}
    for row in rows[max(0, header_at - 1) : header_at + 2]:  # headers may span two rows
        for i, cell in enumerate(row):
            name = column_of(cell)
            if name and name not in positions:
                positions[name] = i
    out = []
    for row in rows[header_at + 1 :]:
        if len(row) <= positions["cccd"] or not row[positions["cccd"]].strip().isdigit():
            continue  # blank rows, a row of column numbers, a totals row
        cccd = row[positions["cccd"]].strip()
        birth = iso_date(row[positions["birth_date"]]) if "birth_date" in positions else "0"

        def cell(name: str, row: list[str] = row) -> str:
            at = positions.get(name)
            return row[at] if at is not None and at < len(row) else ""

        out.append(
            (
                unit,
                period,
                hmac.new(KEY, cccd.encode(), hashlib.sha256).hexdigest(),
                int(birth[:4] or 0),
                cell("gender"),
                cell("ethnicity"),
                cell("category"),
                cell("tax_code"),
                iso_date(cell("admission_date")),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", type=Path)
    parser.add_argument("--db", type=Path, default=Path("floor.duckdb"))
    args = parser.parse_args()
    start = time.perf_counter()
    files = sorted(args.reports.rglob("*.zip"))
    rows = [row for path in files for row in admissions(path)]
    names = [
        "unit_code",
        "period_code",
        "member_key",
        "birth_year",
        "gender",
        "ethnicity",
        "category",
        "tax_code",
        "admission_date",
    ]
    table = pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})
    args.db.unlink(missing_ok=True)
    with duckdb.connect(str(args.db)) as con:
        con.register("parsed", table)
        con.execute(
            "create table fct_admissions as select * replace "
            "(cast(admission_date as date) as admission_date) from parsed"
        )
        con.execute(
            "create table indicator_counts as select unit_code, period_code, category, "
            "count(*) as admissions from fct_admissions group by all"
        )
    seconds = time.perf_counter() - start
    print(f"floor: {len(files)} reports, {len(rows)} admissions, {seconds:.1f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
