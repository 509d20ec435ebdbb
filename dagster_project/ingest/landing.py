"""The immutable landing area: every pulled report kept byte for byte, keyed by SHA-256.

Layout (docs/data-layout.md): `landing/objects/<sha256>/<file name>` holds the bytes and
`landing/index.sqlite` the index: one row per report version (table `versions`) and what each
source looked like when it was last pulled (table `sources`, which only saves work). A file is
first written under a temporary name in its final folder, flushed to disk, re-hashed and only then
renamed, so a reader never sees a partial object; its index row is committed after the object.
Version numbers are assigned under an exclusive lock, in one transaction, so concurrent pulls never
hand out the same version.

Homes written before the index kept one JSON file per version under `landing/manifest/` and the
HTTP validators in `landing/pull_state.json`: both are imported into the index the first time it
is opened, and left in place, read-only, as a record of what was imported.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from dagster_project.ingest.bundle import bundle_members, write_deterministic_zip
from dagster_project.ingest.naming import (
    ReportNameError,
    parse_bundle_folder_name,
    parse_report_name,
)

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
INDEX_NAME = "index.sqlite"
_SCHEMA_VERSION = 1
_SCHEMA = """
create table if not exists versions (
    report_id text primary key,
    unit_code text not null,
    period_code text not null,
    version integer not null check (version >= 1),
    file_name text not null,
    size_bytes integer not null check (size_bytes >= 0),
    sha256 text not null check (length(sha256) = 64),
    source_uri text not null,
    pulled_at text not null,
    received_at text not null,
    landing_path text not null,
    unique (unit_code, period_code, version)
);
create unique index if not exists versions_by_content on versions (unit_code, period_code, sha256);
create table if not exists sources (
    source_uri text primary key,
    unit_code text,
    period_code text,
    sha256 text,
    signature text,
    etag text,
    last_modified text,
    checked_at text not null
);
"""
_VERSION_COLUMNS = (
    "report_id, unit_code, period_code, version, file_name, size_bytes, sha256, source_uri, "
    "pulled_at, received_at, landing_path"
)
_NAMES = tuple(_VERSION_COLUMNS.split(", "))
# Connections a forked child inherited: kept referenced so the child never closes them.
_INHERITED: list[sqlite3.Connection] = []


class LandingIndexError(Exception):
    """The landing index (or an old manifest file being imported) cannot be read."""

    def __init__(self, path: Path, detail: str, *, row: str | None = None) -> None:
        where = f"{path}, dòng {row}" if row else str(path)
        where_en = f"{path}, row {row}" if row else str(path)
        super().__init__(
            f"Chỉ mục landing {where} bị hỏng hoặc không đọc được ({detail}) / "
            f"the landing index {where_en} is damaged or unreadable ({detail})"
        )
        self.path = path


def utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and `Z`: how the index stores every time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> datetime:
    """The inverse of `utc_text`; a time without a zone is read as UTC."""
    moment = datetime.fromisoformat(str(text))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def mtime_of(path: Path) -> datetime:
    """When a file was last written, or a bundle folder's newest member."""
    path = Path(path)
    if path.is_dir():
        stamps = [member.stat().st_mtime_ns for _, member in bundle_members(path)]
        ns = max(stamps, default=path.stat().st_mtime_ns)
    else:
        ns = path.stat().st_mtime_ns
    return datetime.fromtimestamp(ns / 1e9, UTC)


@dataclass(frozen=True)
class LandingEntry:
    """One landed report version: a row of the index's `versions` table.

    `pulled_at` is when this warehouse landed it; `received_at` when the unit sent it (the file's
    modification time at its location, or the date its portal's listing states).
    """

    report_id: str
    unit_code: str
    period_code: str
    version: int
    file_name: str
    size_bytes: int
    sha256: str
    source_uri: str
    pulled_at: datetime
    received_at: datetime
    landing_path: str

    def to_json(self) -> dict[str, object]:
        record = {name: getattr(self, name) for name in _NAMES}
        record["pulled_at"] = utc_text(self.pulled_at)
        record["received_at"] = utc_text(self.received_at)
        return record

    @classmethod
    def from_json(cls, record: dict[str, object]) -> LandingEntry:
        """From a manifest record (old manifests have no `received_at`: the pull time stands)."""
        values = {f.name: record.get(f.name) for f in fields(cls)}
        missing = [name for name, value in values.items() if value is None]
        if missing == ["received_at"]:
            values["received_at"] = values["pulled_at"]
        elif missing:
            raise ValueError(f"missing {', '.join(missing)}")
        values["pulled_at"] = parse_utc(str(values["pulled_at"]))
        values["received_at"] = parse_utc(str(values["received_at"]))
        values["version"] = int(values["version"])  # type: ignore[arg-type]
        values["size_bytes"] = int(values["size_bytes"])  # type: ignore[arg-type]
        for name in ("report_id", "unit_code", "period_code", "file_name", "sha256"):
            if not isinstance(values[name], str) or not values[name]:
                raise ValueError(f"{name} is {values[name]!r}")
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SourceRecord:
    """What a source (file, bundle folder or URL) looked like when it was last pulled.

    Only a cache: a lost or stale record costs a re-read, never a wrong or missing report.
    `landed` says whether `sha256` is landed for `unit_code` and `period_code` (read-only).
    """

    source_uri: str
    unit_code: str | None = None
    period_code: str | None = None
    sha256: str | None = None
    signature: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    landed: bool = False


def make_report_id(unit_code: str, period_code: str, version: int, sha256: str) -> str:
    """`<unit_code>_<period_code>_v<version>_<sha256[:8]>`, e.g. `088_2024-H1_v1_3fa2c9e1`."""
    return f"{unit_code}_{period_code}_v{version}_{sha256[:8]}"


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 hex digest and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(
    target: Path,
    write: Callable[[BinaryIO], object],
    verify: Callable[[Path], None] | None = None,
    *,
    durable: bool = True,
) -> None:
    """Write through a temp file in the target's folder, fsync, verify, then rename over it.

    The temp name starts with '.' and ends in '.tmp', so nothing that lists the folder mistakes
    it for a landed file; it is removed on any failure. `durable=False` leaves the fsyncs to the
    caller (a batch syncs all its files at once).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if verify is not None:
            verify(temp)
        if target.exists():
            target.chmod(0o644)
        os.replace(temp, target)
        if durable:
            _fsync_dir(target.parent)
    finally:
        temp.unlink(missing_ok=True)


def _sync_to_disk(paths: list[Path]) -> None:
    """Make written files and their folder entries durable: one syncfs(2) for the file system
    where Linux has it, else an fsync per file and folder."""
    if not paths:
        return
    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        syncfs = None
    if syncfs is not None:
        fd = os.open(paths[0].parent, os.O_RDONLY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_dir(path.parent)
        _fsync_dir(path.parent.parent)


@dataclass
class _Batch:
    """Landings whose objects are synced and rows committed together (see `Landing.batch`)."""

    size: int
    seconds: float
    lock: BinaryIO | None = None
    opened: float = 0.0
    written: list[Path] = field(default_factory=list)
    rows: int = 0


class Landing:
    """The landing area under `<home>/landing`."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.root = self.home / "landing"
        self.objects_dir = self.root / "objects"
        self.index_path = self.root / INDEX_NAME
        self.manifest_dir = self.root / "manifest"  # before the index; imported, never written
        self.pull_state_path = self.root / "pull_state.json"  # likewise
        self.tmp_dir = self.root / "tmp"
        self.lock_path = self.root / ".lock"
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:  # connections stay with their process
        return {k: v for k, v in self.__dict__.items() if k != "_local"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock across processes (and threads: each call opens its own descriptor)."""
        handle = self._acquire()
        try:
            yield
        finally:
            self._release(handle)

    def _acquire(self) -> BinaryIO:
        self.root.mkdir(parents=True, exist_ok=True)
        handle = self.lock_path.open("a+b")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except BaseException:
            handle.close()
            raise
        return handle

    @staticmethod
    def _release(handle: BinaryIO) -> None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()

    @contextlib.contextmanager
    def batch(self, size: int = 500, seconds: float = 5.0) -> Iterator[None]:
        """Land many files at the cost of few disk syncs (what a pull does).

        Inside, this thread's landings write their objects without an fsync each and insert
        their rows into one open transaction, holding the lock; every `size` rows or `seconds`
        (and at the end, even after an error) the objects are synced to disk in one call and only
        then the rows committed, so an index row never names an object that could be lost. Other
        processes wait for the lock at most one chunk; their readers see only committed rows.
        """
        if getattr(self._local, "batch", None) is not None:
            yield
            return
        self._local.batch = _Batch(size, seconds)
        try:
            yield
        finally:
            try:
                self._flush_batch()
            finally:
                self._local.batch = None

    def _flush_batch(self) -> None:
        batch: _Batch | None = getattr(self._local, "batch", None)
        if batch is None or batch.lock is None:
            return
        db = self._db()
        assert db is not None
        try:
            _sync_to_disk(batch.written)
            db.execute("commit")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("rollback")
            raise
        finally:
            self._release(batch.lock)
            batch.lock, batch.written, batch.rows = None, [], 0

    # ------------------------------------------------------------------ the index
    def _db(self, *, create: bool = True) -> sqlite3.Connection | None:
        """This thread's connection to the index (None when there is none and `create` is off)."""
        held = getattr(self._local, "db", None)
        if held is not None:
            if held[0] == os.getpid():
                return held[1]
            _INHERITED.append(held[1])
        self._local.db = None
        legacy = self.manifest_dir.is_dir() or self.pull_state_path.is_file()
        if not create and not self.index_path.exists() and not legacy:
            return None
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self.index_path, timeout=60.0, isolation_level=None)
            db.execute("pragma busy_timeout = 60000")
            if db.execute("pragma user_version").fetchone()[0] != _SCHEMA_VERSION:
                self._migrate(db)
            db.execute("pragma synchronous = full")
        except sqlite3.DatabaseError as exc:
            raise LandingIndexError(self.index_path, str(exc)) from exc
        self._local.db = (os.getpid(), db)
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Create the index, importing an older home's manifest files and pull state, once."""
        with self.lock():
            if db.execute("pragma user_version").fetchone()[0] == _SCHEMA_VERSION:
                return  # another process did it while this one waited for the lock
            db.execute("pragma journal_mode = wal")
            db.execute("begin immediate")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                imported = self._import_manifests(db)
                self._import_pull_state(db)
                db.execute(f"pragma user_version = {_SCHEMA_VERSION}")
                db.execute("commit")
            except BaseException:
                db.execute("rollback")
                raise
        if imported:
            log.info("imported %d manifest entries into %s", imported, self.index_path)

    def _import_manifests(self, db: sqlite3.Connection) -> int:
        if not self.manifest_dir.is_dir():
            return 0
        count = 0
        for path in sorted(self.manifest_dir.glob("*.json")):
            try:
                entry = LandingEntry.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError, AttributeError) as exc:
                raise LandingIndexError(path, f"manifest: {exc}") from exc
            db.execute(
                f"insert or ignore into versions ({_VERSION_COLUMNS}) values "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _row_of(entry),
            )
            count += 1
        return count

    def _import_pull_state(self, db: sqlite3.Connection) -> None:
        """Validators of the old `pull_state.json`; it was only a cache, so damage is skipped."""
        try:
            document = json.loads(self.pull_state_path.read_text(encoding="utf-8"))
            records = document["sources"].items()
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("pull state %s unreadable (%s); not imported", self.pull_state_path, exc)
            return
        rows = []
        for uri, record in records:
            if not isinstance(record, dict):
                continue
            name = str(uri).rstrip("/").rsplit("/", 1)[-1]
            try:
                report = parse_bundle_folder_name(name) or parse_report_name(name)
            except ReportNameError:
                continue
            rows.append(
                SourceRecord(
                    source_uri=str(uri),
                    unit_code=report.unit_code,
                    period_code=report.period_code,
                    sha256=record.get("sha256"),
                    signature=record.get("signature"),
                    etag=record.get("etag"),
                    last_modified=record.get("last_modified"),
                )
            )
        _upsert_sources(db, rows)

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        db = self._db(create=False)
        if db is None:
            return []
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise LandingIndexError(self.index_path, str(exc)) from exc

    def _entry(self, row: tuple[Any, ...]) -> LandingEntry:
        try:
            entry = LandingEntry.from_json(dict(zip(_NAMES, row, strict=True)))
        except (ValueError, TypeError) as exc:
            raise LandingIndexError(self.index_path, str(exc), row=str(row[0])) from exc
        return entry

    def entries(self) -> list[LandingEntry]:
        """Every landed version, sorted by (unit, period, version)."""
        rows = self._query(
            f"select {_VERSION_COLUMNS} from versions order by unit_code, period_code, version"
        )
        return [self._entry(row) for row in rows]

    def find(self, unit_code: str, period_code: str, sha256: str) -> LandingEntry | None:
        """The entry holding these bytes for this unit and period, if they were landed before."""
        rows = self._query(
            f"select {_VERSION_COLUMNS} from versions "
            "where unit_code = ? and period_code = ? and sha256 = ?",
            (unit_code, period_code, sha256),
        )
        return self._entry(rows[0]) if rows else None

    def path_of(self, entry: LandingEntry) -> Path:
        return self.home / entry.landing_path

    def damage(self, entry: LandingEntry) -> str | None:
        """None when a version's object holds exactly the bytes landed (SHA-256 and size, read
        without following a link); else one sentence naming the object and what is wrong.

        Checked before every parse: damaged bytes are never read as the report they replaced.
        """
        path = self.path_of(entry)
        try:
            if path.is_symlink() or not path.is_file():
                raise FileNotFoundError(path)
            sha256, size = hash_file(path)
        except OSError:
            found_vi, found_en = "không còn hoặc không đọc được", "missing or unreadable"
        else:
            if (sha256, size) == (entry.sha256, entry.size_bytes):
                return None
            found_vi = f"có mã băm SHA-256 {sha256[:12]}…, {size} byte"
            found_en = f"has SHA-256 {sha256[:12]}…, {size} bytes"
        recorded = f"{entry.sha256[:12]}…, {entry.size_bytes}"
        return (
            f"Tệp landing {entry.landing_path} của phiên bản {entry.report_id} {found_vi}, "
            f"khác lúc nhận ({recorded} byte): không đọc lại, dữ liệu đã công bố từ phiên bản này "
            f"giữ nguyên / the landing object {entry.landing_path} of report version "
            f"{entry.report_id} {found_en}, not what was landed ({recorded} bytes): it is not "
            "parsed again and what was published from it stays published"
        )

    def sources(self) -> dict[str, SourceRecord]:
        """What every source looked like when last pulled, and whether its bytes are landed."""
        rows = self._query(
            "select s.source_uri, s.unit_code, s.period_code, s.sha256, s.signature, s.etag, "
            "s.last_modified, v.report_id is not null from sources as s "
            "left join versions as v on v.unit_code = s.unit_code "
            "and v.period_code = s.period_code and v.sha256 = s.sha256"
        )
        return {row[0]: SourceRecord(*row[:7], landed=bool(row[7])) for row in rows}

    def remember_sources(self, records: Iterable[SourceRecord]) -> None:
        """Record what these sources looked like (one transaction; the newest record wins)."""
        records = list(records)
        if not records:
            return
        self._flush_batch()
        db = self._db()
        assert db is not None
        with self.lock():  # writers queue on the lock, never on SQLite's busy timeout
            try:
                db.execute("begin immediate")
                try:
                    _upsert_sources(db, records)
                    db.execute("commit")
                except BaseException:
                    db.execute("rollback")
                    raise
            except sqlite3.DatabaseError as exc:
                raise LandingIndexError(self.index_path, str(exc)) from exc

    # ------------------------------------------------------------------ landing
    def land_file(
        self,
        path: Path,
        *,
        source_uri: str,
        file_name: str | None = None,
        received_at: datetime | None = None,
    ) -> LandingEntry | None:
        """Land a report file (or a CSV bundle folder, zipped); None when these bytes are known.

        `file_name` defaults to the file's own name (a folder `088_2024-H1/` lands as
        `088_2024-H1.zip`); it must follow `<unit code>_<period>.<ext>` (ReportNameError if not).
        `received_at` (when the unit sent it) defaults to the file's modification time.
        """
        entry, _sha256 = self.land_with_hash(
            path, source_uri=source_uri, file_name=file_name, received_at=received_at
        )
        return entry

    def land_with_hash(
        self,
        path: Path,
        *,
        source_uri: str,
        file_name: str | None = None,
        received_at: datetime | None = None,
    ) -> tuple[LandingEntry | None, str]:
        """`land_file`, also returning the SHA-256 of what was (or had already been) landed."""
        path = Path(path)
        if path.is_dir():
            name = file_name or f"{path.name}.zip"
            parse_report_name(name)
            received_at = received_at or mtime_of(path)
            self.tmp_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=self.tmp_dir) as work:
                zipped = Path(work) / name
                write_deterministic_zip(path, zipped)
                return self._land_regular_file(zipped, name, source_uri, received_at)
        name = file_name or path.name
        parse_report_name(name)
        return self._land_regular_file(path, name, source_uri, received_at or mtime_of(path))

    def _land_regular_file(
        self, path: Path, file_name: str, source_uri: str, received_at: datetime
    ) -> tuple[LandingEntry | None, str]:
        report = parse_report_name(file_name)
        sha256, size = hash_file(path)
        if self.find(report.unit_code, report.period_code, sha256):
            log.info("%s: same bytes already landed (%s), skipped", file_name, sha256[:8])
            return None, sha256
        target = self.objects_dir / sha256 / file_name
        batch: _Batch | None = getattr(self._local, "batch", None)
        db = self._db()
        assert db is not None
        if batch is not None:
            return self._land_in_batch(
                batch, db, path, target, report, sha256, size, source_uri, received_at
            )
        self._store_object(path, target, sha256, size)
        with self.lock():
            try:
                db.execute("begin immediate")
                try:
                    entry = self._insert_version(
                        db, report.unit_code, report.period_code, sha256, file_name, size,
                        source_uri, received_at, target,
                    )  # fmt: skip
                    db.execute("commit")
                except BaseException:
                    db.execute("rollback")
                    raise
            except sqlite3.DatabaseError as exc:
                raise LandingIndexError(self.index_path, str(exc)) from exc
        if entry is not None:
            log.info("landed %s as %s", file_name, entry.report_id)
        return entry, sha256

    def _land_in_batch(
        self,
        batch: _Batch,
        db: sqlite3.Connection,
        path: Path,
        target: Path,
        report: Any,
        sha256: str,
        size: int,
        source_uri: str,
        received_at: datetime,
    ) -> tuple[LandingEntry | None, str]:
        if self._store_object(path, target, sha256, size, durable=False):
            batch.written.append(target)
        if batch.lock is None:
            batch.lock = self._acquire()
            batch.opened = time.monotonic()
            try:
                db.execute("begin immediate")
            except BaseException:
                self._release(batch.lock)
                batch.lock = None
                raise
        try:
            entry = self._insert_version(
                db, report.unit_code, report.period_code, sha256, target.name, size,
                source_uri, received_at, target,
            )  # fmt: skip
        except sqlite3.DatabaseError as exc:
            raise LandingIndexError(self.index_path, str(exc)) from exc
        if entry is not None:
            batch.rows += 1
            log.info("landed %s as %s", target.name, entry.report_id)
        if batch.rows >= batch.size or time.monotonic() - batch.opened > batch.seconds:
            self._flush_batch()
        return entry, sha256

    def _insert_version(
        self,
        db: sqlite3.Connection,
        unit_code: str,
        period_code: str,
        sha256: str,
        file_name: str,
        size: int,
        source_uri: str,
        received_at: datetime,
        target: Path,
    ) -> LandingEntry | None:
        """Assign the next version and insert it; None if another pull landed these bytes."""
        known = db.execute(
            "select 1 from versions where unit_code = ? and period_code = ? and sha256 = ?",
            (unit_code, period_code, sha256),
        ).fetchone()
        if known:
            return None
        (last,) = db.execute(
            "select coalesce(max(version), 0) from versions "
            "where unit_code = ? and period_code = ?",
            (unit_code, period_code),
        ).fetchone()
        version = int(last) + 1
        entry = LandingEntry(
            report_id=make_report_id(unit_code, period_code, version, sha256),
            unit_code=unit_code,
            period_code=period_code,
            version=version,
            file_name=file_name,
            size_bytes=size,
            sha256=sha256,
            source_uri=source_uri,
            pulled_at=datetime.now(UTC),
            received_at=received_at.astimezone(UTC),
            landing_path=target.relative_to(self.home).as_posix(),
        )
        db.execute(
            f"insert into versions ({_VERSION_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _row_of(entry),
        )
        return entry

    def _store_object(
        self, source: Path, target: Path, sha256: str, size: int, *, durable: bool = True
    ) -> bool:
        """Copy bytes into the object store; the rename happens only after the copy verifies.

        False when the object was there already."""
        if target.exists() and hash_file(target) == (sha256, size):
            return False

        def copy(handle: BinaryIO) -> None:
            with source.open("rb") as src:
                shutil.copyfileobj(src, handle, _CHUNK)

        def verify(temp: Path) -> None:
            written = hash_file(temp)
            if written != (sha256, size):
                raise OSError(
                    f"bản sao {target.name} không khớp mã băm / copy of {target.name} does not "
                    f"match its hash (expected {sha256}, {size} bytes; got {written})"
                )

        write_atomically(target, copy, verify, durable=durable)
        target.chmod(0o444)
        return True


def _row_of(entry: LandingEntry) -> tuple[Any, ...]:
    record = entry.to_json()
    return tuple(record[name] for name in _NAMES)


def _upsert_sources(db: sqlite3.Connection, records: Iterable[SourceRecord]) -> None:
    now = utc_text(datetime.now(UTC))
    db.executemany(
        "insert into sources (source_uri, unit_code, period_code, sha256, signature, etag, "
        "last_modified, checked_at) values (?, ?, ?, ?, ?, ?, ?, ?) "
        "on conflict (source_uri) do update set unit_code = excluded.unit_code, "
        "period_code = excluded.period_code, sha256 = excluded.sha256, "
        "signature = excluded.signature, etag = excluded.etag, "
        "last_modified = excluded.last_modified, checked_at = excluded.checked_at",
        [
            (
                r.source_uri,
                r.unit_code,
                r.period_code,
                r.sha256,
                r.signature,
                r.etag,
                r.last_modified,
                now,
            )
            for r in records
        ],
    )
