"""Write, audit, publish: the published file changes only by one atomic rename.

Readers (BI tools) keep the published file open read-only. DuckDB lets any number of read-only
handles coexist, but a writer could never open a file a reader holds, so the warehouse is never
written in place: a new file is built beside it, closed cleanly (no WAL left behind), fsynced, and
``os.replace``-d over the old one. A crash at any point leaves either the old file or the new one.

A night changes a few rows of a few tables, so the new file is usually a copy of the published
one with those rows deleted and inserted (:func:`_write_changes`), checked against the build's
fingerprint before it is swapped in; it is written whole from the build on the first publish,
when asked, when the copy does not match its log, and when patching has grown the file past
:data:`REWRITE_GROWTH` times its last whole size. Either way readers see one complete version.

What a reader sees after a publish depends on the process, not only the connection: DuckDB keeps
one database instance per file path and process while any connection to it is open, and that
instance holds the old file (the old inode). A connection opened in a process that has no other
connection to the file sees the new warehouse; one opened beside a connection that is still open
gets the old one. ``VERSION`` beside the file, written last, says which version is published, so
a long-lived client can poll it cheaply and reconnect.

The file is written in an older storage format (:data:`STORAGE_VERSION`) so that every DuckDB
from 1.1 on opens it: BI tools bundle their own, often older, DuckDB. Every relation is also
written as Parquet (``parquet/<relation>.parquet``) for tools that read Parquet; that folder is
swapped as a whole by replacing a symbolic link.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "marts"
LOG_TABLE = "publish_log"
STORAGE_VERSION = "v1.1.0"
"""DuckDB storage format of the published file: readable by DuckDB 1.1.0 and every later release
(DuckDB 2.0 writes v2.0.0 by default, which the DuckDB 1.x CLI, Superset's and Metabase's
drivers refuse). Nothing the marts use needs a newer format."""
PARQUET_LINK = "parquet"
"""``published/parquet``: a symbolic link to the Parquet folder of the published version."""
PARQUET_KEEP = 2
"""Parquet folders kept: the published one and the one before it, for readers still in it."""
PUBLISH_LOG_FILE = "publish_log.jsonl"
"""``published/publish_log.jsonl``: a line per publish, appended after the swap."""
WRITTEN_WHOLE = "whole"
WRITTEN_CHANGES = "changes"
"""How a publish wrote the new file (``written`` in ``publish_log.jsonl``): whole from the
build, or as a copy of the published file with the changed rows applied."""
REWRITE_GROWTH = 1.5
"""A file written by applying changes grows (DuckDB reuses freed blocks, but not all of them):
once it is this many times its size when last written whole, the next publish writes it whole,
which compacts it."""
VERSION_FILE = "VERSION"
"""``published/VERSION``: the published version number, replaced last by every publish."""
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
    written: str = WRITTEN_WHOLE
    """:data:`WRITTEN_WHOLE` or :data:`WRITTEN_CHANGES`."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def sql_literal(text: str) -> str:
    """``text`` as a SQL string literal (a path with a quote in it included)."""
    return "'" + text.replace("'", "''") + "'"


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


def published_version(published_dir: Path) -> int | None:
    """The version named by ``VERSION`` (None before the first publish): cheap to poll."""
    try:
        return int((published_dir / VERSION_FILE).read_text(encoding="ascii").split()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None


def _marts_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = ? "
            "and schema_name = ? and table_name <> ? order by table_name",
            [catalog, PUBLISHED_SCHEMA, LOG_TABLE],
        ).fetchall()
    ]


def marts_fingerprint(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list]:
    """:func:`table_fingerprint` of every marts table of ``catalog``, and the storage version
    the file is written in: a change of any of them is a change of the published file."""
    fingerprint: dict[str, list] = {"": [0, STORAGE_VERSION]}
    for table in _marts_tables(con, catalog):
        fingerprint[table] = table_fingerprint(con, catalog, table)
    return fingerprint


def table_fingerprint(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list:
    """Row count, an order-independent content hash and a hash of the DDL (columns, types,
    constraints) of one marts table of ``catalog``."""
    count, digest, ddl = con.execute(
        f"select count(*), coalesce(sum(hash(t)::hugeint), 0)::varchar, "
        f"(select md5(sql) from duckdb_tables() where database_name = ? "
        f"and schema_name = ? and table_name = ?) "
        f'from {catalog}.{PUBLISHED_SCHEMA}."{table}" as t',
        [catalog, PUBLISHED_SCHEMA, table],
    ).fetchone()
    return [count, digest, ddl]


def row_hash_changes(new: str, old: str, *, added_only: bool = False) -> str:
    """A query of ``row_hash`` and ``old_rows``: each hash of a whole row that occurs a
    different number of times in relation ``new`` than in relation ``old`` (with
    ``added_only``, more times), and how many rows of ``old`` have it. The hash is the one
    :func:`table_fingerprint` adds up."""
    differs = (
        "coalesce(new.rows, 0) > coalesce(old.rows, 0)"
        if added_only
        else "new.rows is distinct from old.rows"
    )
    return f"""
        select row_hash, coalesce(old.rows, 0) as old_rows
        from (select hash(t) as row_hash, count(*) as rows from {new} as t group by 1) as new
        full outer join
            (select hash(t) as row_hash, count(*) as rows from {old} as t group by 1) as old
            using (row_hash)
        where {differs}
    """


def _copy_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Create ``table`` in the catalog in use from the build's own DDL (so NOT NULL and key
    constraints survive, which ``create table as`` would drop), copy its rows and comments."""
    (ddl,) = con.execute(
        "select sql from duckdb_tables() where database_name = 'build' "
        "and schema_name = ? and table_name = ?",
        [PUBLISHED_SCHEMA, table],
    ).fetchone()
    con.execute(ddl)
    con.execute(
        f'insert into {PUBLISHED_SCHEMA}."{table}" select * from build.{PUBLISHED_SCHEMA}."{table}"'
    )
    _copy_comments(con, table)


def _copy_comments(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Give the table in use and its columns the build's comments, where they differ."""

    def comments(catalog: str) -> str:
        return (
            f"select '' as column_name, coalesce(comment, '') as comment from duckdb_tables() "
            f"where database_name = '{catalog}' and schema_name = $schema and table_name = $table "
            f"union all select column_name, coalesce(comment, '') from duckdb_columns() "
            f"where database_name = '{catalog}' and schema_name = $schema and table_name = $table"
        )

    (catalog,) = con.execute("select current_database()").fetchone()
    differing = con.execute(
        f"select new.column_name, new.comment from ({comments('build')}) as new "
        f"left join ({comments(catalog)}) as old using (column_name) "
        "where new.comment is distinct from coalesce(old.comment, '') order by all",
        {"schema": PUBLISHED_SCHEMA, "table": table},
    ).fetchall()
    for column, comment in differing:
        target = f'{PUBLISHED_SCHEMA}."{table}"' + (f'."{column}"' if column else "")
        kind = "column" if column else "table"
        con.execute(f"comment on {kind} {target} is {sql_literal(comment) if comment else 'null'}")


def _write_parquet(db: Path, folder: Path, reuse: dict[str, Path]) -> None:
    """Every relation of ``db``'s marts schema (the log included) as one Parquet file; the files
    in ``reuse`` (a table's unchanged snapshot) are hard-linked instead of written."""
    folder.mkdir(parents=True)
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach {sql_literal(str(db))} as published (read_only)")
        for table in [*_marts_tables(con, "published"), LOG_TABLE]:
            target = folder / f"{table}.parquet"
            if table in reuse:
                os.link(reuse[table], target)
                continue
            con.execute(
                f'copy (select * from published.{PUBLISHED_SCHEMA}."{table}") '
                f"to {sql_literal(str(target))} (format parquet, compression zstd)"
            )
            _fsync_file(target)
    _fsync_dir(folder)


def _swap_parquet(published_dir: Path, folder: Path) -> None:
    """Point ``parquet`` at ``folder`` by replacing the link in one rename; prune old folders."""
    link = published_dir / PARQUET_LINK
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a plain folder from a copy of the published tree
    tmp_link = published_dir / f".{PARQUET_LINK}.{uuid.uuid4().hex}.tmp"
    os.symlink(folder.name, tmp_link)
    os.replace(tmp_link, link)
    _fsync_dir(published_dir)
    folders = sorted(
        (p for p in published_dir.glob(f"{PARQUET_LINK}-v*") if p.name[9:].isdigit()),
        key=lambda p: int(p.name[9:]),
        reverse=True,
    )
    keep = {folder.name}
    for old in folders:
        if old.name in keep:
            continue
        if len(keep) < PARQUET_KEEP:
            keep.add(old.name)
            continue
        shutil.rmtree(old, ignore_errors=True)


def _write_version(published_dir: Path, version: int) -> None:
    tmp = published_dir / f".{VERSION_FILE}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(f"{version}\n", encoding="ascii")
    _fsync_file(tmp)
    os.replace(tmp, published_dir / VERSION_FILE)
    _fsync_dir(published_dir)


def _clean_leftovers(published_db: Path) -> None:
    """Temporary files and folders of a publish that was killed before its renames."""
    folder = published_db.parent
    for leftover in folder.glob(f".{published_db.name}.*.tmp*"):
        leftover.unlink()
    for leftover in folder.glob(f".{PARQUET_LINK}*.tmp"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    for leftover in folder.glob(f".{VERSION_FILE}.*.tmp"):
        leftover.unlink()


def _ensure_parquet(published_db: Path, version: int) -> None:
    """Write the Parquet folder of the published file when it is missing (e.g. a file published
    before Parquet was written), so an unchanged publish still leaves both in place."""
    published_dir = published_db.parent
    folder = published_dir / f"{PARQUET_LINK}-v{version}"
    link = published_dir / PARQUET_LINK
    if link.is_symlink() and link.resolve() == folder.resolve() and folder.is_dir():
        return
    tmp = published_dir / f".{PARQUET_LINK}-v{version}.{uuid.uuid4().hex}.tmp"
    _write_parquet(published_db, tmp, {})
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(tmp, folder)
    _swap_parquet(published_dir, folder)
    if published_version(published_dir) != version:
        _write_version(published_dir, version)


def publish_marts(
    build_db: Path,
    published_db: Path,
    *,
    check_summary: dict | None = None,
    run_id: str = "",
    force: bool = False,
    required: tuple[str, ...] = CONTRACT_TABLES,
) -> PublishResult:
    """Publish the build's ``marts`` schema as a new file swapped in over the old one, with the
    same snapshot as Parquet beside it; then write ``VERSION``.

    When the marts are identical to the published ones the file is left as it is (loading the
    same reports twice changes nothing), unless ``force``. Otherwise the new file is a copy of
    the published one with the changed rows of the changed tables applied (see
    :func:`_apply_changes`), or, when that copy has grown too far (:data:`REWRITE_GROWTH`) or
    ``force`` is given, a file written whole from the build.
    """
    published_dir = published_db.parent
    published_dir.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(published_db)
    history = read_publish_log(published_db)
    version = (max(row["version"] for row in history) + 1) if history else 1
    published_at = datetime.now(UTC).replace(tzinfo=None)
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach {sql_literal(str(build_db))} as build (read_only)")
        fingerprint = marts_fingerprint(con, "build")
    last = json.loads(history[-1]["fingerprint"]) if history else None
    row_counts = {table: values[0] for table, values in fingerprint.items() if table}
    if last == fingerprint and not force:
        _ensure_parquet(published_db, history[-1]["version"])
        return PublishResult(
            history[-1]["version"], history[-1]["published_at"], published_db, row_counts,
            changed=False,
        )  # fmt: skip
    token = uuid.uuid4().hex
    tmp_path = published_dir / f".{published_db.name}.{token}.tmp"
    tmp_parquet = published_dir / f".{PARQUET_LINK}-v{version}.{token}.tmp"
    parquet_folder = published_dir / f"{PARQUET_LINK}-v{version}"
    log_row = [version, published_at, run_id, json.dumps(row_counts),
               json.dumps(check_summary or {}), json.dumps(fingerprint)]  # fmt: skip
    written = WRITTEN_WHOLE
    if last is not None and not force and _may_apply_changes(published_db, last):
        written = WRITTEN_CHANGES
    try:
        if written == WRITTEN_CHANGES:
            try:
                _write_changes(
                    build_db, published_db, tmp_path, last, fingerprint, log_row, required
                )
            except _Diverged:
                written = WRITTEN_WHOLE
        if written == WRITTEN_WHOLE:
            tmp_path.unlink(missing_ok=True)
            _write_whole(build_db, tmp_path, history, log_row, required)
        _write_parquet(tmp_path, tmp_parquet, _reusable_parquet(published_dir, last, fingerprint))
        wal = tmp_path.with_name(tmp_path.name + ".wal")
        if wal.exists():
            raise RuntimeError(f"{wal} was left behind; refusing to publish an unclean file.")
        _fsync_file(tmp_path)
        if parquet_folder.exists():
            shutil.rmtree(parquet_folder)  # of a publish killed between its renames
        os.replace(tmp_parquet, parquet_folder)
        stale_wal = published_db.with_name(published_db.name + ".wal")
        if stale_wal.exists():
            stale_wal.unlink()
        file_bytes = tmp_path.stat().st_size
        os.replace(tmp_path, published_db)
        _fsync_dir(published_dir)
        _swap_parquet(published_dir, parquet_folder)
    finally:
        # A publish that failed (a full disk, say) leaves nothing behind: the published file was
        # never touched, and its half-written successor and that file's log go.
        for leftover in (tmp_path, tmp_path.with_name(tmp_path.name + ".wal")):
            leftover.unlink(missing_ok=True)
        if tmp_parquet.exists():
            shutil.rmtree(tmp_parquet)
    log_line = {
        "version": version,
        "published_at": published_at.isoformat() + "Z",
        "run_id": run_id,
        "row_counts": row_counts,
        "check_summary": check_summary or {},
        "written": written,
        "file_bytes": file_bytes,
    }
    with open(published_dir / PUBLISH_LOG_FILE, "a", encoding="utf-8") as log:
        log.write(json.dumps(log_line, ensure_ascii=False) + "\n")
        log.flush()
        os.fsync(log.fileno())
    _write_version(published_dir, version)
    return PublishResult(version, published_at, published_db, row_counts, written=written)


class _Diverged(Exception):
    """The copy of the published file does not hold what its log says: write it whole."""


def _build_tables(con: duckdb.DuckDBPyConnection, build_db: Path, required) -> list[str]:
    tables = _marts_tables(con, "build")
    if not tables:
        raise RuntimeError(f"The build database {build_db} has no '{PUBLISHED_SCHEMA}' tables.")
    missing = sorted(set(required) - set(tables))
    if missing:
        raise RuntimeError(
            f"The build database {build_db} lacks contract tables: {', '.join(missing)}."
        )
    return tables


def _write_whole(
    build_db: Path, tmp_path: Path, history: list[dict], log_row: list, required
) -> None:
    """A new file in :data:`STORAGE_VERSION` holding every marts table of the build and the log."""
    with duckdb.connect(":memory:") as con:
        con.execute(
            f"attach {sql_literal(str(tmp_path))} as published "
            f"(storage_version {sql_literal(STORAGE_VERSION)})"
        )
        con.execute(f"attach {sql_literal(str(build_db))} as build (read_only)")
        con.execute("use published")
        tables = _build_tables(con, build_db, required)
        con.execute(f"create schema {PUBLISHED_SCHEMA}")
        for table in tables:
            _copy_table(con, table)
        con.execute("detach build")
        con.execute(
            f"""
            create table {PUBLISHED_SCHEMA}.{LOG_TABLE} (
                version integer not null primary key, published_at timestamp not null,
                run_id varchar, row_counts json, check_summary json, fingerprint json
            )
            """
        )
        for row in history:
            con.execute(
                f"insert into {PUBLISHED_SCHEMA}.{LOG_TABLE} values (?, ?, ?, ?, ?, ?)",
                [row["version"], row["published_at"], row["run_id"], row["row_counts"],
                 row["check_summary"], row["fingerprint"]],
            )  # fmt: skip
        con.execute(
            f"comment on table {PUBLISHED_SCHEMA}.{LOG_TABLE} is 'Every publish of this "
            "file (lịch sử công bố): version, time, row counts, check summary.'"
        )
        _log_publish(con, log_row)
        con.execute("use memory")
        con.execute("detach published")


def _write_changes(
    build_db: Path,
    published_db: Path,
    tmp_path: Path,
    last: dict[str, list],
    fingerprint: dict[str, list],
    log_row: list,
    required,
) -> None:
    """A copy of the published file with the build's changes applied: tables whose fingerprint
    is unchanged are left as they are, tables new or with a changed definition are copied, and
    in every other changed table only the rows that differ are deleted and inserted. The copy
    must then have the build's fingerprint, or :class:`_Diverged` is raised."""
    shutil.copyfile(published_db, tmp_path)
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach {sql_literal(str(tmp_path))} as published")
        con.execute(f"attach {sql_literal(str(build_db))} as build (read_only)")
        con.execute("use published")
        tables = _build_tables(con, build_db, required)
        for table in set(_marts_tables(con, "published")) - set(tables):
            con.execute(f'drop table {PUBLISHED_SCHEMA}."{table}"')
        for table in tables:
            before = last.get(table)
            if before == fingerprint[table]:
                continue
            if before is None or before[2] != fingerprint[table][2]:
                con.execute(f'drop table if exists {PUBLISHED_SCHEMA}."{table}"')
                _copy_table(con, table)
            else:
                _apply_changes(con, table, before[0])
        con.execute("detach build")
        copied = marts_fingerprint(con, "published")
        if copied != fingerprint:
            con.execute("use memory")
            con.execute("detach published")
            raise _Diverged
        _log_publish(con, log_row)
        con.execute("use memory")
        con.execute("detach published")


def _apply_changes(con: duckdb.DuckDBPyConnection, table: str, published_rows: int) -> None:
    """Make the published ``table`` (of ``published_rows`` rows) hold the build's rows by
    touching only rows that differ.

    Rows are told apart by the hash of the whole row: every published row whose hash occurs a
    different number of times in the build is deleted, and every build row with such a hash
    inserted. Two different rows with one hash and the same counts would go unseen, so the
    caller compares the fingerprints of the result. A table most of whose rows change is copied
    whole instead, which also keeps the file compact."""
    target = f'{PUBLISHED_SCHEMA}."{table}"'
    source = f'build.{PUBLISHED_SCHEMA}."{table}"'
    con.execute(
        f"create or replace temp table changed_hashes as {row_hash_changes(source, target)}"
    )
    (changed,) = con.execute("select coalesce(sum(old_rows), 0) from changed_hashes").fetchone()
    if changed * 2 > published_rows:
        con.execute(f"drop table {target}")
        _copy_table(con, table)
    else:
        con.execute(
            f"delete from {target} as t where hash(t) in (select row_hash from changed_hashes)"
        )
        con.execute(
            f"insert into {target} select * from {source} as t "
            "where hash(t) in (select row_hash from changed_hashes)"
        )
        _copy_comments(con, table)
    con.execute("drop table changed_hashes")


def _log_publish(con: duckdb.DuckDBPyConnection, log_row: list) -> None:
    """Add this publish to the file's log and checkpoint the file (no WAL left behind)."""
    con.execute(f"insert into {PUBLISHED_SCHEMA}.{LOG_TABLE} values (?, ?, ?, ?, ?, ?)", log_row)
    con.execute("checkpoint published")


def _may_apply_changes(published_db: Path, last: dict[str, list]) -> bool:
    """Whether the next file may be a copy of the published one with the changes applied: it is
    in the storage version written now, and has not grown past :data:`REWRITE_GROWTH` times
    its size when it was last written whole."""
    if last.get("", [None, None])[1] != STORAGE_VERSION or not published_db.exists():
        return False
    whole = None
    log = published_db.parent / PUBLISH_LOG_FILE
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("written") == WRITTEN_WHOLE:
                whole = entry.get("file_bytes")
            elif entry.get("written") is None:
                whole = None  # a publish that did not record how it wrote the file
    return bool(whole) and published_db.stat().st_size <= REWRITE_GROWTH * whole


def _reusable_parquet(
    published_dir: Path, last: dict[str, list] | None, fingerprint: dict[str, list]
) -> dict[str, Path]:
    """Parquet files of the published version whose tables did not change: linked, not
    written again."""
    link = published_dir / PARQUET_LINK
    if last is None or not link.is_symlink():
        return {}
    folder = link.resolve()
    return {
        table: folder / f"{table}.parquet"
        for table, values in fingerprint.items()
        if table and last.get(table) == values and (folder / f"{table}.parquet").is_file()
    }
