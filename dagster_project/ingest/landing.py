"""The immutable landing area: every pulled report kept byte for byte, keyed by SHA-256.

Layout (docs/data-layout.md): `landing/objects/<sha256>/<file name>` holds the bytes and
`landing/manifest/<report_id>.json` one entry per report version. A file is first written under a
temporary name in its final folder, flushed to disk, re-hashed and only then renamed, so a reader
never sees a partial object; the manifest entry is written after the object, the same way. Version
numbers are assigned under an exclusive lock so concurrent pulls never hand out the same version.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from dagster_project.ingest.bundle import write_deterministic_zip
from dagster_project.ingest.naming import parse_report_name

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class LandingEntry:
    """One landed report version, as written to `landing/manifest/<report_id>.json`."""

    report_id: str
    unit_code: str
    period_code: str
    version: int
    file_name: str
    size_bytes: int
    sha256: str
    source_uri: str
    pulled_at: datetime
    landing_path: str

    def to_json(self) -> dict[str, object]:
        record = asdict(self)
        record["pulled_at"] = self.pulled_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return record

    @classmethod
    def from_json(cls, record: dict[str, object]) -> LandingEntry:
        values = dict(record)
        pulled = datetime.fromisoformat(str(values["pulled_at"]))
        values["pulled_at"] = pulled if pulled.tzinfo else pulled.replace(tzinfo=UTC)
        values["version"] = int(values["version"])  # type: ignore[arg-type]
        values["size_bytes"] = int(values["size_bytes"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]


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
) -> None:
    """Write through a temp file in the target's folder, fsync, verify, then rename over it.

    The temp name starts with '.' and ends in '.tmp', so nothing that lists the folder mistakes
    it for a landed file; it is removed on any failure.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if verify is not None:
            verify(temp)
        if target.exists():
            target.chmod(0o644)
        os.replace(temp, target)
        _fsync_dir(target.parent)
    finally:
        temp.unlink(missing_ok=True)


class Landing:
    """The landing area under `<home>/landing`."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.root = self.home / "landing"
        self.objects_dir = self.root / "objects"
        self.manifest_dir = self.root / "manifest"
        self.tmp_dir = self.root / "tmp"
        self.lock_path = self.root / ".lock"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock across processes (and threads: each call opens its own descriptor)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def entries(self) -> list[LandingEntry]:
        """Every landed version, sorted by (unit, period, version)."""
        if not self.manifest_dir.is_dir():
            return []
        found = []
        for path in self.manifest_dir.glob("*.json"):
            found.append(LandingEntry.from_json(json.loads(path.read_text(encoding="utf-8"))))
        return sorted(found, key=lambda e: (e.unit_code, e.period_code, e.version))

    def find(self, unit_code: str, period_code: str, sha256: str) -> LandingEntry | None:
        """The entry holding these bytes for this unit and period, if they were landed before."""
        for entry in self._entries_for(unit_code, period_code):
            if entry.sha256 == sha256:
                return entry
        return None

    def path_of(self, entry: LandingEntry) -> Path:
        return self.home / entry.landing_path

    def _entries_for(self, unit_code: str, period_code: str) -> list[LandingEntry]:
        if not self.manifest_dir.is_dir():
            return []
        found = []
        # `_` never occurs in unit codes, so this prefix selects exactly one unit and period.
        for path in self.manifest_dir.glob(f"{unit_code}_{period_code}_v*.json"):
            entry = LandingEntry.from_json(json.loads(path.read_text(encoding="utf-8")))
            if entry.unit_code == unit_code and entry.period_code == period_code:
                found.append(entry)
        return found

    def land_file(
        self, path: Path, *, source_uri: str, file_name: str | None = None
    ) -> LandingEntry | None:
        """Land a report file (or a CSV bundle folder, zipped); None when these bytes are known.

        `file_name` defaults to the file's own name (a folder `088_2024-H1/` lands as
        `088_2024-H1.zip`); it must follow `<unit code>_<period>.<ext>` (ReportNameError if not).
        """
        entry, _sha256 = self.land_with_hash(path, source_uri=source_uri, file_name=file_name)
        return entry

    def land_with_hash(
        self, path: Path, *, source_uri: str, file_name: str | None = None
    ) -> tuple[LandingEntry | None, str]:
        """`land_file`, also returning the SHA-256 of what was (or had already been) landed."""
        path = Path(path)
        if path.is_dir():
            name = file_name or f"{path.name}.zip"
            parse_report_name(name)
            self.tmp_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=self.tmp_dir) as work:
                zipped = Path(work) / name
                write_deterministic_zip(path, zipped)
                return self._land_regular_file(zipped, name, source_uri)
        return self._land_regular_file(path, file_name or path.name, source_uri)

    def _land_regular_file(
        self, path: Path, file_name: str, source_uri: str
    ) -> tuple[LandingEntry | None, str]:
        report = parse_report_name(file_name)
        sha256, size = hash_file(path)
        if self.find(report.unit_code, report.period_code, sha256):
            log.info("%s: same bytes already landed (%s), skipped", file_name, sha256[:8])
            return None, sha256
        target = self.objects_dir / sha256 / file_name
        self._store_object(path, target, sha256, size)
        with self.lock():
            if self.find(report.unit_code, report.period_code, sha256):
                return None, sha256
            versions = [e.version for e in self._entries_for(report.unit_code, report.period_code)]
            version = max(versions, default=0) + 1
            entry = LandingEntry(
                report_id=make_report_id(report.unit_code, report.period_code, version, sha256),
                unit_code=report.unit_code,
                period_code=report.period_code,
                version=version,
                file_name=file_name,
                size_bytes=size,
                sha256=sha256,
                source_uri=source_uri,
                pulled_at=datetime.now(UTC),
                landing_path=target.relative_to(self.home).as_posix(),
            )
            payload = json.dumps(entry.to_json(), ensure_ascii=False, indent=2).encode("utf-8")
            write_atomically(
                self.manifest_dir / f"{entry.report_id}.json", lambda h: h.write(payload)
            )
        log.info("landed %s as %s", file_name, entry.report_id)
        return entry, sha256

    def _store_object(self, source: Path, target: Path, sha256: str, size: int) -> None:
        """Copy bytes into the object store; the rename happens only after the copy verifies."""
        if target.exists() and hash_file(target) == (sha256, size):
            return

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

        write_atomically(target, copy, verify)
        target.chmod(0o444)
