"""Write, audit, publish: the published file changes only by one atomic rename.

Readers (BI tools) keep the published file open read-only. DuckDB lets any number of read-only
handles coexist, but a writer could never open a file a reader holds, so the warehouse is never
written in place: a new file is built beside it, closed cleanly (no WAL left behind), fsynced, and
``os.replace``-d over the old one. A reader holding the old file keeps its snapshot; the next
connection sees the new one. A crash at any point leaves either the old file or the new one.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "marts"
LOG_TABLE = "publish_log"
CONTRACT_TABLES = (
    "dim_reporting_unit",
    "dim_enterprise",
    "dim_period",
    "fct_admissions",
    "fct_enterprise_snapshots",
    "fct_organization_events",
    "mart_indicators",
    "mart_target_attainment",
    "mart_reporting_completeness",
    "dq_issues",
)
"""The relations BI tools are promised (report-contract section 5): never published without."""


@dataclass
class PublishResult:
    """What one publish did."""

    version: int
    published_at: datetime
    path: Path
    row_counts: dict[str, int] = field(default_factory=dict)
    changed: bool = True
    """False when the marts equal the published ones, so the file was left untouched."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_publish_log(published_db: Path) -> list[dict]:
    """The publish history stored inside the published file (empty when nothing is published)."""
    if not published_db.exists():
        return []
    with duckdb.connect(str(published_db), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [PUBLISHED_SCHEMA, LOG_TABLE],
        ).fetchone()[0]
        if not exists:
            return []
        cur = con.execute(f"select * from {PUBLISHED_SCHEMA}.{LOG_TABLE} order by version")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def marts_fingerprint(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[int]]:
    """Row count and an order-independent content hash of every marts table of ``catalog``."""
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_catalog = ? "
            "and table_schema = ? and table_name <> ? order by table_name",
            [catalog, PUBLISHED_SCHEMA, LOG_TABLE],
        ).fetchall()
    ]
    fingerprint = {}
    for table in tables:
        count, digest = con.execute(
            f"select count(*), coalesce(sum(hash(t)::hugeint), 0)::varchar "
            f'from {catalog}.{PUBLISHED_SCHEMA}."{table}" as t'
        ).fetchone()
        fingerprint[table] = [count, digest]
    return fingerprint


def publish_marts(
    build_db: Path,
    published_db: Path,
    *,
    check_summary: dict | None = None,
    run_id: str = "",
    force: bool = False,
    required: tuple[str, ...] = CONTRACT_TABLES,
) -> PublishResult:
    """Copy every table of the build's ``marts`` schema into a new file and swap it in.

    When the marts are identical to the published ones the file is left as it is (loading the
    same reports twice changes nothing), unless ``force``.
    """
    published_db.parent.mkdir(parents=True, exist_ok=True)
    for leftover in published_db.parent.glob(f".{published_db.name}.*.tmp*"):
        leftover.unlink()  # from a publish that was killed before its rename
    history = read_publish_log(published_db)
    version = (max(row["version"] for row in history) + 1) if history else 1
    published_at = datetime.now(UTC).replace(tzinfo=None)
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{build_db}' as build (read_only)")
        fingerprint = marts_fingerprint(con, "build")
    if history and not force and json.loads(history[-1]["fingerprint"]) == fingerprint:
        last = history[-1]
        return PublishResult(
            last["version"],
            last["published_at"],
            published_db,
            {table: count for table, (count, _) in fingerprint.items()},
            changed=False,
        )
    tmp_path = published_db.parent / f".{published_db.name}.{uuid.uuid4().hex}.tmp"
    row_counts: dict[str, int] = {}
    try:
        with duckdb.connect(str(tmp_path)) as con:
            con.execute(f"attach '{build_db}' as build (read_only)")
            tables = [
                row[0]
                for row in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_catalog = 'build' and table_schema = ? order by table_name",
                    [PUBLISHED_SCHEMA],
                ).fetchall()
            ]
            if not tables:
                raise RuntimeError(
                    f"The build database {build_db} has no '{PUBLISHED_SCHEMA}' tables."
                )
            missing = sorted(set(required) - set(tables))
            if missing:
                raise RuntimeError(
                    f"The build database {build_db} lacks contract tables: {', '.join(missing)}."
                )
            con.execute(f"create schema {PUBLISHED_SCHEMA}")
            for table in tables:
                con.execute(
                    f'create table {PUBLISHED_SCHEMA}."{table}" as '
                    f'select * from build.{PUBLISHED_SCHEMA}."{table}"'
                )
                row_counts[table] = con.execute(
                    f'select count(*) from {PUBLISHED_SCHEMA}."{table}"'
                ).fetchone()[0]
            con.execute("detach build")
            con.execute(
                f"""
                create table {PUBLISHED_SCHEMA}.{LOG_TABLE} (
                    version integer, published_at timestamp, run_id varchar,
                    row_counts json, check_summary json, fingerprint json
                )
                """
            )
            for row in history:
                con.execute(
                    f"insert into {PUBLISHED_SCHEMA}.{LOG_TABLE} values (?, ?, ?, ?, ?, ?)",
                    [
                        row["version"],
                        row["published_at"],
                        row["run_id"],
                        row["row_counts"],
                        row["check_summary"],
                        row["fingerprint"],
                    ],
                )
            con.execute(
                f"insert into {PUBLISHED_SCHEMA}.{LOG_TABLE} values (?, ?, ?, ?, ?, ?)",
                [
                    version,
                    published_at,
                    run_id,
                    json.dumps(row_counts),
                    json.dumps(check_summary or {}),
                    json.dumps(fingerprint),
                ],
            )
            con.execute("checkpoint")
        wal = tmp_path.with_name(tmp_path.name + ".wal")
        if wal.exists():
            raise RuntimeError(f"{wal} was left behind; refusing to publish an unclean file.")
        with open(tmp_path, "rb+") as handle:
            os.fsync(handle.fileno())
        stale_wal = published_db.with_name(published_db.name + ".wal")
        if stale_wal.exists():
            stale_wal.unlink()
        os.replace(tmp_path, published_db)
        _fsync_dir(published_db.parent)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
    log_line = {
        "version": version,
        "published_at": published_at.isoformat() + "Z",
        "run_id": run_id,
        "row_counts": row_counts,
        "check_summary": check_summary or {},
    }
    with open(published_db.parent / "publish_log.jsonl", "a", encoding="utf-8") as log:
        log.write(json.dumps(log_line, ensure_ascii=False) + "\n")
    return PublishResult(version, published_at, published_db, row_counts)
