"""The parsed store: parse results written in batches, one Parquet file per table and batch.

Layout (docs/data-layout.md): ``parsed/<table>/period=<period_code>/<batch_id>.parquet``. A parse
run writes one batch per chunk of report versions of one period, so dbt reads a handful of files
per period with one glob instead of five files per report version. Every row carries the
``batch_id`` it was written in; the ``report`` table is the commit record: a report version's rows
count only in the batch its newest ``report`` row names. That makes every write safe to interrupt:

- a batch writes its detail tables first and the ``report`` table last, so a batch cut short
  leaves rows no ``report`` row points at, which staging ignores and compaction drops;
- parsing a version again writes a newer batch that supersedes the old rows;
- compaction merges a period's files into one per table under a journal
  (``parsed/_journal/<id>.json``): written files are listed before the old ones are removed, and
  an interrupted compaction is finished or undone the next time the store is opened.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dagster_project.reports import schemas
from dagster_project.reports.parse import ParseResult

BATCH_COLUMN = "batch_id"
SCHEMA_PERIOD = "_schema"
"""A pseudo-period folder of zero-row files, so dbt's globs never come up empty."""
MAX_FILES_PER_PERIOD = 8
"""A period with more batch files than this is compacted into one file per table."""
# Detail tables first, the commit record last.
WRITE_ORDER = ("findings", "tong_hop", "ket_nap", "to_chuc", "report")


def new_batch_id() -> str:
    """Sortable by time, unique across processes: ``b20241124T020000123456-1a2b3c4d``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"b{stamp}-{uuid.uuid4().hex[:8]}"


def table_schema(table: str) -> pa.Schema:
    """The stored schema of a table: the parser's columns plus ``batch_id``."""
    return schemas.TABLES[table].append(pa.field(BATCH_COLUMN, pa.string()))


def _with_batch(table: pa.Table, name: str, batch_id: str) -> pa.Table:
    if table.schema != schemas.TABLES[name]:
        table = table.cast(schemas.TABLES[name])
    return table.append_column(
        pa.field(BATCH_COLUMN, pa.string()), pa.array([batch_id] * table.num_rows, pa.string())
    )


def stored_table(name: str, table: pa.Table | None = None, batch_id: str = "") -> pa.Table:
    """A parse result's table as the store holds it (with ``batch_id``); empty when None.

    The rule runner of ``tcd validate`` gives dbt's models one report in this shape, so that
    they read it exactly as they read the store.
    """
    if table is None:
        return table_schema(name).empty_table()
    return _with_batch(table, name, batch_id)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(table: pa.Table, target: Path) -> None:
    """Write beside the target under a dot-name, flush, then rename: no half file is ever seen."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    try:
        pq.write_table(table, temp, compression="zstd")
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


class ParsedStore:
    """The folder ``parsed/`` of one home."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.journal_dir = self.root / "_journal"
        self.lock_path = self.root / ".lock"

    # -- layout ---------------------------------------------------------------------------------

    def period_dir(self, table: str, period_code: str) -> Path:
        return self.root / table / f"period={period_code}"

    def files(self, table: str, period_code: str) -> list[Path]:
        folder = self.period_dir(table, period_code)
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("."))

    def periods(self) -> list[str]:
        """Periods with at least one batch of the ``report`` table."""
        folder = self.root / "report"
        if not folder.is_dir():
            return []
        return sorted(
            p.name.removeprefix("period=")
            for p in folder.glob("period=*")
            if p.name != f"period={SCHEMA_PERIOD}" and any(p.glob("*.parquet"))
        )

    # -- locking and recovery -------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """One writer at a time; an interrupted compaction is settled before anything else."""
        self.root.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                self.recover()
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def recover(self) -> None:
        """Finish a committed compaction, undo one that was not committed, drop temp files."""
        if self.journal_dir.is_dir():
            for journal in sorted(self.journal_dir.glob("*.json")):
                record = json.loads(journal.read_text(encoding="utf-8"))
                doomed = record["remove"] if record.get("committed") else record["add"]
                for name in doomed:
                    (self.root / name).unlink(missing_ok=True)
                journal.unlink()
        for temp in [*self.root.glob("*/period=*/.*.tmp"), *self.journal_dir.glob(".*.tmp")]:
            temp.unlink(missing_ok=True)

    def settle(self) -> None:
        """Settle what an interrupted writer left (a compaction cut short) before anyone reads.

        Readers do not lock the store: dbt reads its files by glob, and a half-done compaction
        holds rows twice (in the old files and in the merged one) until it is finished or undone.
        Every load settles the store first, under the home lock, even one that parses nothing.
        """
        with self.lock():
            pass

    def ensure_schema(self) -> None:
        """Zero-row files in ``period=_schema`` for every table."""
        for table in schemas.TABLES:
            target = self.period_dir(table, SCHEMA_PERIOD) / "empty.parquet"
            if not target.exists():
                _write_file(table_schema(table).empty_table(), target)

    # -- writing --------------------------------------------------------------------------------

    def write_batch(self, period_code: str, results: list[ParseResult], batch_id: str) -> None:
        """One file per table holding every result of one period; the report table is last."""
        for name in WRITE_ORDER:
            schema = schemas.TABLES[name]
            parts = [getattr(result, name) for result in results]
            # One cast and one batch column for the whole batch, not one per report version.
            parts = [part if part.schema == schema else part.cast(schema) for part in parts]
            table = (
                _with_batch(pa.concat_tables(parts), name, batch_id)
                if parts
                else table_schema(name).empty_table()
            )
            _write_file(table, self.period_dir(name, period_code) / f"{batch_id}.parquet")

    def current_batches(self, period_code: str | None = None) -> dict[str, str]:
        """``report_id -> batch_id`` of the batch that counts for each parsed report version."""
        periods = [period_code] if period_code else self.periods()
        current: dict[str, str] = {}
        for period in periods:
            for path in self.files("report", period):
                table = pq.read_table(path, columns=["report_id", BATCH_COLUMN])
                for report_id, batch in zip(
                    table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True
                ):
                    if batch > current.get(report_id, ""):
                        current[report_id] = batch
        return current

    def parsed_report_ids(self) -> set[str]:
        return set(self.current_batches())

    def compact(self, period_code: str, *, force: bool = False) -> bool:
        """Merge a period's files into one per table, keeping only the rows that count.

        Runs when the period holds more than ``MAX_FILES_PER_PERIOD`` batches, or always with
        ``force`` (after a re-parse, to drop the superseded rows). Returns whether it ran.
        """
        report_files = self.files("report", period_code)
        if len(report_files) <= 1 or (not force and len(report_files) <= MAX_FILES_PER_PERIOD):
            return False
        current = self.current_batches(period_code)
        keys = pa.table(
            {
                "report_id": pa.array(list(current), pa.string()),
                BATCH_COLUMN: pa.array(list(current.values()), pa.string()),
            }
        )
        compacted_id = "c" + new_batch_id()[1:]
        plan: dict[str, tuple[list[Path], Path]] = {
            name: (
                self.files(name, period_code),
                self.period_dir(name, period_code) / f"{compacted_id}.parquet",
            )
            for name in WRITE_ORDER
        }
        journal = self.journal_dir / f"{compacted_id}.json"
        record = {
            "period": period_code,
            "add": [str(new.relative_to(self.root)) for _, new in plan.values()],
            "remove": [str(p.relative_to(self.root)) for old, _ in plan.values() for p in old],
            "committed": False,
        }
        self._write_journal(journal, record)
        for name, (old, new) in plan.items():
            table = pq.read_table(old, schema=table_schema(name)) if old else None
            if table is None:
                table = table_schema(name).empty_table()
            else:
                table = table.join(keys, ["report_id", BATCH_COLUMN], join_type="inner")
                table = table.select(table_schema(name).names)
                table = table.sort_by([("report_id", "ascending")])
            _write_file(table, new)
        record["committed"] = True
        self._write_journal(journal, record)
        for name in record["remove"]:
            (self.root / name).unlink(missing_ok=True)
        journal.unlink()
        return True

    def _write_journal(self, path: Path, record: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_text(json.dumps(record, indent=1), encoding="utf-8")
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
        _fsync_dir(path.parent)

    # -- reading --------------------------------------------------------------------------------

    def read(
        self,
        table: str,
        report_ids: Iterable[str] | None = None,
        columns: list[str] | None = None,
        period_code: str | None = None,
    ) -> pa.Table:
        """The rows that count of one table, optionally of one period or some versions only."""
        current = self.current_batches(period_code)
        if report_ids is not None:
            wanted = set(report_ids)
            current = {rid: batch for rid, batch in current.items() if rid in wanted}
        periods = [period_code] if period_code else self.periods()
        paths = [path for period in periods for path in self.files(table, period)]
        schema = table_schema(table)
        if not paths or not current:
            result = schema.empty_table()
        else:
            result = pq.read_table(paths, schema=schema)
            keys = pa.table(
                {
                    "report_id": pa.array(list(current), pa.string()),
                    BATCH_COLUMN: pa.array(list(current.values()), pa.string()),
                }
            )
            result = result.join(keys, ["report_id", BATCH_COLUMN], join_type="inner")
            result = result.select(schema.names)
        return result.select(columns) if columns else result

    def count_rows(self, table: str, report_ids: Iterable[str]) -> int:
        return self.read(table, report_ids, columns=["report_id"]).num_rows

    def remove_all(self) -> None:
        """Forget everything parsed (a full re-parse starts from the landing area)."""
        for name in schemas.TABLES:
            shutil.rmtree(self.root / name, ignore_errors=True)


def write_parsed(result: ParseResult, out_dir: Path) -> None:
    """One report version as a batch of its own in the store at ``out_dir`` (tools, tests)."""
    store = ParsedStore(out_dir)
    with store.lock():
        store.ensure_schema()
        period = result.report.column("period_code")[0].as_py() if result.report.num_rows else ""
        store.write_batch(period or SCHEMA_PERIOD, [result], new_batch_id())


def write_empty_schemas(out_dir: Path) -> None:
    """The zero-row files of every table, so dbt's globs never come up empty."""
    ParsedStore(out_dir).ensure_schema()


__all__ = [
    "BATCH_COLUMN",
    "ParsedStore",
    "new_batch_id",
    "stored_table",
    "table_schema",
    "write_empty_schemas",
    "write_parsed",
]
