"""Writing a parse result as the five Parquet files of ``parsed/<report_id>/``."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dagster_project.reports import schemas
from dagster_project.reports.parse import ParseResult


def _write_folder(tables: dict[str, pa.Table], out_dir: Path) -> None:
    """Write into a sibling temp folder, then swap it in, so readers never see half a report."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    staging = out_dir.parent / f".{out_dir.name}.tmp-{tag}"
    staging.mkdir()
    try:
        for name, table in tables.items():
            schema = schemas.TABLES[name]
            pq.write_table(table.cast(schema), staging / f"{name}.parquet", compression="zstd")
        if out_dir.exists():
            retired = out_dir.parent / f".{out_dir.name}.old-{tag}"
            os.replace(out_dir, retired)
            os.replace(staging, out_dir)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def write_parsed(result: ParseResult, out_dir: Path) -> None:
    """The five Parquet files of one report version; rewriting the same result is harmless."""
    _write_folder(
        {
            "report": result.report,
            "tong_hop": result.tong_hop,
            "ket_nap": result.ket_nap,
            "to_chuc": result.to_chuc,
            "findings": result.findings,
        },
        out_dir,
    )


def write_empty_schemas(out_dir: Path) -> None:
    """The five files with zero rows, so dbt's globs over ``parsed/*/`` never come up empty."""
    _write_folder({name: schema.empty_table() for name, schema in schemas.TABLES.items()}, out_dir)
