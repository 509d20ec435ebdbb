"""The registry as Parquet for dbt (`TCD_HOME/reference/`).

dbt reads these files rather than the YAML so that the registry has one loader (with its
validation) and the warehouse sees exactly what the pipeline pulled against.
"""

from __future__ import annotations

from pathlib import Path

from dagster_project.ingest.landing import write_atomically
from dagster_project.ingest.refusals import ensure_refusals_file
from dagster_project.ingest.registry import Registry


def write_reference(registry: Registry, out_dir: Path) -> None:
    """Write reporting_units.parquet (one row per unit version) and reporting_unit_aliases.parquet.

    Also an empty pull_refusals.parquet when no pull has written one yet (`ingest.refusals`).

    Each file is written under a temporary name and renamed, so dbt never reads half a file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    units = sorted(registry.units, key=lambda u: (u.code, u.valid_from))
    units_table = pa.table(
        {
            "unit_code": pa.array([u.code for u in units], pa.string()),
            "unit_name": pa.array([u.name for u in units], pa.string()),
            "unit_kind": pa.array([u.kind for u in units], pa.string()),
            "province_code": pa.array([u.province_code for u in units], pa.string()),
            "parent_unit_code": pa.array([u.parent_code for u in units], pa.string()),
            "valid_from": pa.array([u.valid_from for u in units], pa.date32()),
            "valid_to": pa.array([u.valid_to for u in units], pa.date32()),
            "successor_unit_code": pa.array([u.successor_code for u in units], pa.string()),
            "reports": pa.array([u.reports for u in units], pa.bool_()),
            "location": pa.array([u.location or None for u in units], pa.string()),
        }
    )
    pairs = sorted({(code, name) for code in registry.codes for name in registry.names_for(code)})
    aliases_table = pa.table(
        {
            "unit_code": pa.array([code for code, _ in pairs], pa.string()),
            "alias": pa.array([name for _, name in pairs], pa.string()),
        }
    )
    out_dir = Path(out_dir)
    for file_name, table in (
        ("reporting_units.parquet", units_table),
        ("reporting_unit_aliases.parquet", aliases_table),
    ):
        write_atomically(out_dir / file_name, lambda handle, t=table: pq.write_table(t, handle))
    ensure_refusals_file(out_dir)  # dbt's source of the pull's refusals, before any pull
