"""Pull report files from the units' locations (or an inbox folder) into the landing area.

Locations are URIs: `file://` folders, `http(s)://` portals (an `index.json` listing or the HTML
directory listing Python's http.server produces) and, where configured, any other fsspec scheme.
A bad file never stops the run: it is recorded as a rejected pull with a message naming the file,
the value found and the value expected.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import posixpath
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

import httpx

from dagster_project.ingest.bundle import UnsafeMember, bundle_members, is_ignorable
from dagster_project.ingest.landing import Landing, LandingEntry, SourceRecord, parse_utc
from dagster_project.ingest.name_check import check_report_name
from dagster_project.ingest.naming import (
    ReportName,
    ReportNameError,
    parse_bundle_folder_name,
)
from dagster_project.ingest.refusals import record_refusals
from dagster_project.ingest.registry import Registry
from dagster_project.settings import PullLimits, pull_limits

log = logging.getLogger(__name__)

_MAX_DEPTH = 4
PULL_FAILED = "DQ_PULL_FAILED"
"""Rule code of a fault in fetching (a portal's error, a deadline, a body cut short)."""


@dataclass(frozen=True)
class PullRejection:
    """A file (or, with no file name, a whole location) found but not landed, and why.

    `rule_code` is the file's refusal (DQ_FILE_NAME, DQ_UNSAFE_PATH, DQ_FILE_TOO_LARGE: recorded
    for dq_issues) or DQ_PULL_FAILED, a fault of the location or the transfer (named in the
    run's summary; the next pull tries again).
    """

    file_name: str
    source_uri: str
    reason_vi: str
    reason_en: str
    rule_code: str = PULL_FAILED
    value: str | None = None
    expected: str | None = None

    @property
    def message(self) -> str:
        where = self.file_name or self.source_uri
        return f"{where}: {self.reason_vi} / {self.reason_en}"


@dataclass
class PullResult:
    """What one pull did: new versions landed, files skipped as already known, files refused."""

    landed: list[LandingEntry] = field(default_factory=list)
    skipped: int = 0
    rejected: list[PullRejection] = field(default_factory=list)


class _Refused(Exception):
    def __init__(
        self,
        reason_vi: str,
        reason_en: str,
        rule_code: str = PULL_FAILED,
        value: str | None = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(reason_en)
        self.reason_vi = reason_vi
        self.reason_en = reason_en
        self.rule_code = rule_code
        self.value = value
        self.expected = expected


@dataclass
class _Candidate:
    """A file or bundle folder found at a location, not yet fetched."""

    name: str
    source_uri: str
    is_bundle: bool
    signature: str | None
    fetch: Callable[[Path], Path]  # puts the bytes into a work folder; returns what to land
    # When the unit sent it, asked after the fetch; None: when it was pulled.
    sent_at: Callable[[], datetime | None] = lambda: None
    local: bool = False  # the bytes are already on this machine: no work folder needed


def pull_all(
    registry: Registry,
    home: Path,
    *,
    inbox: Path | None = None,
    limits: PullLimits | None = None,
    timeout_s: float | None = None,
    retries: int | None = None,
    backoff_s: float | None = None,
) -> PullResult:
    """Pull every new or changed report; `inbox` replaces the registry's locations when given.

    Files in a unit's location must belong to a unit that reports there; files in an inbox may be
    for any unit. `limits` (default: the environment's, settings.PullLimits) bound the time and
    bytes of the pull; `timeout_s`, `retries` and `backoff_s` override single limits. The
    refusals of files are added to the record dbt reads (`ingest.refusals`).
    """
    limits = limits or pull_limits()
    overrides = {"timeout_s": timeout_s, "retries": retries, "backoff_s": backoff_s}
    limits = dataclasses.replace(limits, **{k: v for k, v in overrides.items() if v is not None})
    landing = Landing(Path(home))
    puller = _Puller(registry, landing, limits)
    try:
        with landing.batch():  # objects synced and index rows committed a chunk at a time
            if inbox is not None:
                puller.pull_location(Path(inbox).resolve().as_uri() + "/", allowed=None)
            else:
                for location, codes in _locations(registry).items():
                    puller.pull_location(location, allowed=codes)
    finally:
        puller.close()
    result = puller.result
    record_refusals(landing, result.rejected)
    log.info(
        "pull: %d landed, %d skipped, %d rejected",
        len(result.landed),
        result.skipped,
        len(result.rejected),
    )
    return result


def _locations(registry: Registry) -> dict[str, frozenset[str]]:
    """Location URI -> codes of the units that report there (several units may share a portal)."""
    found: dict[str, set[str]] = {}
    for unit in registry.units:
        if unit.reports and unit.location:
            found.setdefault(unit.location, set()).add(unit.code)
    return {location: frozenset(codes) for location, codes in sorted(found.items())}


class _Puller:
    def __init__(self, registry: Registry, landing: Landing, limits: PullLimits) -> None:
        self.registry = registry
        self.landing = landing
        self.known = landing.sources()  # one query: what every source looked like last time
        self.seen: dict[str, SourceRecord] = {}
        self._listings: dict[Path, dict[str, datetime]] = {}
        self.limits = limits
        self.timeout_s = limits.timeout_s
        self.retries = max(0, limits.retries)
        self.backoff_s = limits.backoff_s
        self.max_bytes = _max_bytes(limits)
        self.deadline = time.monotonic() + limits.deadline_s
        self.location = ""
        self._late: set[str] = set()
        self.result = PullResult()
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout_s, follow_redirects=True)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self.landing.remember_sources(self.seen.values())

    def remember(self, record: SourceRecord) -> None:
        self.seen[record.source_uri] = record

    def unchanged(self, uri: str, report: ReportName) -> SourceRecord | None:
        """The record of a source whose last pulled bytes are landed for this unit and period."""
        cached = self.known.get(uri)
        if (
            cached is not None
            and cached.landed
            and (cached.unit_code, cached.period_code) == (report.unit_code, report.period_code)
        ):
            return cached
        return None

    # ------------------------------------------------------------------ shared steps
    def reject(
        self,
        file_name: str,
        source_uri: str,
        reason_vi: str,
        reason_en: str,
        rule_code: str = PULL_FAILED,
        value: str | None = None,
        expected: str | None = None,
    ) -> None:
        log.warning("rejected %s (%s): %s", file_name, source_uri, reason_en)
        self.result.rejected.append(
            PullRejection(file_name, source_uri, reason_vi, reason_en, rule_code, value, expected)
        )

    def refuse(self, file_name: str, source_uri: str, refused: _Refused) -> None:
        self.reject(
            file_name,
            source_uri,
            refused.reason_vi,
            refused.reason_en,
            refused.rule_code,
            refused.value,
            refused.expected,
        )

    def out_of_time(self) -> bool:
        """Whether the pull's deadline has passed; says so once for each location it stops."""
        if time.monotonic() <= self.deadline:
            return False
        if self.location not in self._late:
            self._late.add(self.location)
            seconds = f"{self.limits.deadline_s:g}"
            self.reject(
                "",
                self.location,
                f"Hết thời hạn {seconds} giây của lần lấy báo cáo (TCD_PULL_DEADLINE_S): các tệp "
                f"còn lại ở {self.location} sẽ được lấy ở lần sau",
                f"the pull's deadline of {seconds} s (TCD_PULL_DEADLINE_S) passed: the remaining "
                f"files at {self.location} wait for the next pull",
            )
        return True

    def file_deadline(self) -> float:
        """When fetching one listing or file must end (monotonic clock), retries included."""
        return min(time.monotonic() + self.limits.file_deadline_s, self.deadline)

    def skip(self, name: str, why: str) -> None:
        log.info("skipped %s: %s", name, why)
        self.result.skipped += 1

    def check_name(
        self, name: str, *, is_bundle: bool, allowed: frozenset[str] | None, source_uri: str
    ) -> ReportName | None:
        """The report's unit and period, or None after recording why the file is refused."""
        try:
            return check_report_name(name, self.registry, is_bundle=is_bundle, allowed=allowed)
        except ReportNameError as exc:
            self.reject(name, source_uri, exc.reason_vi, exc.reason_en, "DQ_FILE_NAME", value=name)
            return None

    def land(
        self, candidate: _Candidate, report: ReportName, *, known_sha256: str | None = None
    ) -> str | None:
        """Fetch and land a candidate; returns its sha256, or None when it was refused.

        A fetch that finds the source unchanged (HTTP 304) counts as skipped and keeps
        `known_sha256`, the hash recorded for it by the previous pull.
        """
        if candidate.local:
            folder: contextlib.AbstractContextManager[str] = contextlib.nullcontext("")
        else:
            self.landing.tmp_dir.mkdir(parents=True, exist_ok=True)
            folder = tempfile.TemporaryDirectory(dir=self.landing.tmp_dir)
        with folder as work:
            try:
                local = candidate.fetch(Path(work))
                entry, sha256 = self.landing.land_with_hash(
                    local,
                    source_uri=candidate.source_uri,
                    file_name=report.file_name,
                    received_at=candidate.sent_at() or datetime.now(UTC),
                )
            except _NotModified:
                self.skip(candidate.name, "not modified since the last pull")
                return known_sha256
            except _Refused as exc:
                self.refuse(candidate.name, candidate.source_uri, exc)
                return None
            except UnsafeMember as exc:
                self.refuse(candidate.name, candidate.source_uri, _unsafe(candidate.name, exc))
                return None
            except OSError as exc:
                self.reject(
                    candidate.name,
                    candidate.source_uri,
                    f"không đọc/ghi được tệp: {exc}",
                    f"cannot read or write the file: {exc}",
                )
                return None
        if entry is None:
            self.skip(candidate.name, "same bytes already landed")
        else:
            self.result.landed.append(entry)
        return sha256

    def pull_candidates(self, candidates: Iterator[_Candidate], allowed: frozenset[str] | None):
        for candidate in candidates:
            if self.out_of_time():
                return
            report = self.check_name(
                candidate.name,
                is_bundle=candidate.is_bundle,
                allowed=allowed,
                source_uri=candidate.source_uri,
            )
            if report is None:
                continue
            cached = self.unchanged(candidate.source_uri, report)
            signature = candidate.signature
            if signature is not None and cached is not None and cached.signature == signature:
                self.skip(candidate.name, "unchanged since the last pull")
                continue
            sha256 = self.land(candidate, report)
            if sha256 is not None:
                self.remember(
                    SourceRecord(
                        candidate.source_uri,
                        report.unit_code,
                        report.period_code,
                        sha256,
                        signature=candidate.signature,
                    )
                )

    # ------------------------------------------------------------------ locations
    def pull_location(self, location: str, *, allowed: frozenset[str] | None) -> None:
        self.location = location
        if self.out_of_time():
            return
        scheme = urlsplit(location).scheme.lower()
        if scheme == "file":
            folder = Path(url2pathname(unquote(urlsplit(location).path)))
            if not folder.is_dir():
                log.info("location %s does not exist yet: nothing to pull", location)
                return
            self.pull_candidates(self.scan_folder(folder, 0), allowed)
        elif scheme in ("http", "https"):
            self.pull_http(location, allowed, depth=0)
        else:
            self.pull_fsspec(location, allowed)

    def scan_folder(self, folder: Path, depth: int) -> Iterator[_Candidate]:
        """Files and bundle folders under a local folder, any sub-folder layout.

        Costs one directory listing and one stat per file: the bytes are read only when the
        size or modification time differs from what the last pull recorded.
        """
        with os.scandir(folder) as listing:
            found = sorted(listing, key=lambda e: e.name)
        for item in found:
            name = item.name
            if is_ignorable(name):
                continue
            path = Path(item.path)
            if item.is_symlink():  # never followed: it may lead anywhere on this machine
                self.refuse(name, path.as_uri(), _unsafe(name, UnsafeMember(name)))
                continue
            if item.is_dir():
                if parse_bundle_folder_name(name):
                    try:
                        signature, newest = _folder_signature(path)
                    except UnsafeMember as exc:
                        self.refuse(name, path.as_uri() + "/", _unsafe(name, exc))
                        continue
                    yield _Candidate(
                        name=name,
                        source_uri=path.as_uri() + "/",
                        is_bundle=True,
                        signature=signature,
                        fetch=lambda _work, p=path: p,
                        sent_at=lambda p=path, t=newest: self.listed_date(p) or _from_ns(t),
                        local=True,
                    )
                elif depth < _MAX_DEPTH:
                    yield from self.scan_folder(path, depth + 1)
                continue
            if self._ignored_file(name):
                continue
            stat = item.stat(follow_symlinks=False)
            if stat.st_size > self.max_bytes:
                self.refuse(name, path.as_uri(), _too_large(name, stat.st_size, self.max_bytes))
                continue
            yield _Candidate(
                name=name,
                source_uri=path.as_uri(),
                is_bundle=False,
                signature=f"{stat.st_size}:{stat.st_mtime_ns}",
                fetch=lambda _work, p=path: p,
                sent_at=lambda p=path, t=stat.st_mtime_ns: self.listed_date(p) or _from_ns(t),
                local=True,
            )

    def listed_date(self, path: Path) -> datetime | None:
        """The date the folder's `index.json` (if any) states for this file, read once a pull."""
        folder = path.parent
        if folder not in self._listings:
            self._listings[folder] = {}
            index = folder / "index.json"
            if index.is_file() and not index.is_symlink():
                try:
                    listed = _parse_index(index.read_bytes(), index.as_uri())
                except _Refused as exc:
                    self.refuse("index.json", index.as_uri(), exc)
                    listed = []
                except OSError as exc:
                    self.reject(
                        "index.json",
                        index.as_uri(),
                        f"không đọc được danh sách: {exc.strerror or exc}",
                        f"cannot read the listing: {exc.strerror or exc}",
                    )
                    listed = []
                self._listings[folder] = {
                    item.name: item.received_at for item in listed if item.received_at
                }
        return self._listings[folder].get(path.name)

    def _ignored_file(self, name: str) -> bool:
        lower = name.lower()
        if lower == "index.json":
            return True
        if lower.endswith(".csv"):
            self.skip(name, "a single CSV is not a report (a CSV bundle is a folder or a .zip)")
            return True
        return False

    # ------------------------------------------------------------------ fsspec
    def pull_fsspec(self, location: str, allowed: frozenset[str] | None) -> None:
        """Any other fsspec scheme, through its generic interface (ls, info, get)."""
        import fsspec

        try:
            fs, root = fsspec.core.url_to_fs(location)
            if not fs.isdir(root):
                log.info("location %s does not exist yet: nothing to pull", location)
                return
        except Exception as exc:
            self.reject(
                "",
                location,
                f"không mở được địa chỉ {location}: {exc}",
                f"cannot open location {location}: {exc}",
            )
            return
        prefix = location.split("://", 1)[0] + "://"
        self.pull_candidates(self._scan_fsspec(fs, root, prefix, 0), allowed)

    def _scan_fsspec(self, fs: Any, folder: str, prefix: str, depth: int) -> Iterator[_Candidate]:
        for info in sorted(fs.ls(folder, detail=True), key=lambda i: i["name"]):
            path = info["name"].rstrip("/")
            name = posixpath.basename(path)
            if is_ignorable(name):
                continue
            uri = prefix + path.lstrip("/") if not path.startswith("/") else prefix + path
            if info.get("type") == "directory":
                if parse_bundle_folder_name(name):

                    def fetch_bundle(work: Path, p: str = path, n: str = name) -> Path:
                        target = work / n
                        target.mkdir()
                        for child in fs.find(p):
                            relative = posixpath.relpath(child, p)
                            if relative.startswith("..") or posixpath.isabs(relative):
                                raise _unsafe(n, UnsafeMember(relative))
                            (target / relative).parent.mkdir(parents=True, exist_ok=True)
                            fs.get_file(child, str(target / relative))
                        return target

                    yield _Candidate(name, uri + "/", True, None, fetch_bundle)
                elif depth < _MAX_DEPTH:
                    yield from self._scan_fsspec(fs, path, prefix, depth + 1)
                continue
            if self._ignored_file(name):
                continue
            version = (
                info.get("ETag") or info.get("etag") or info.get("mtime") or info.get("created")
            )
            signature = f"{info.get('size')}:{version}" if version is not None else None
            modified = _as_datetime(
                info.get("mtime") or info.get("LastModified") or info.get("created")
            )

            def fetch_file(work: Path, p: str = path, n: str = name) -> Path:
                fs.get_file(p, str(work / n))
                return work / n

            yield _Candidate(name, uri, False, signature, fetch_file, lambda m=modified: m)

    # ------------------------------------------------------------------ http(s)
    def pull_http(self, location: str, allowed: frozenset[str] | None, *, depth: int) -> None:
        try:
            listed, folders = self.list_http(location)
        except _Refused as exc:
            self.refuse("", location, exc)
            return
        for item in listed:
            if self.out_of_time():
                return
            if not self._ignored_file(item.name):
                self.pull_http_file(item, allowed)
        for folder_url in folders:
            name = unquote(folder_url.rstrip("/").rsplit("/", 1)[-1])
            if parse_bundle_folder_name(name):
                self.reject(
                    name,
                    folder_url,
                    f"Thư mục {name!r}: bộ CSV qua http phải nén thành {name}.zip",
                    f"folder {name!r}: a CSV bundle served over http must be zipped as {name}.zip",
                )
            elif depth < _MAX_DEPTH:
                self.pull_http(folder_url, allowed, depth=depth + 1)

    def list_http(self, location: str) -> tuple[list[_Listed], list[str]]:
        """Files (and sub-folders) at an http location: index.json if present, else HTML links."""
        index_url = urljoin(location, "index.json")
        response = self.request(index_url)
        if response.status_code == 200:
            return _parse_index(response.content, index_url), []
        if response.status_code != 404:
            raise _Refused(
                f"Không đọc được danh sách {index_url}: HTTP {response.status_code}",
                f"cannot read listing {index_url}: HTTP {response.status_code}",
            )
        response = self.request(location)
        if response.status_code != 200:
            raise _Refused(
                f"Không đọc được danh sách {location}: HTTP {response.status_code}",
                f"cannot read listing {location}: HTTP {response.status_code}",
            )
        return _parse_html_listing(response.text, location)

    def request(self, url: str) -> _Page:
        """GET a listing with bounded retries and exponential backoff on connection errors and
        5xx, within the deadline of one file and the size limit."""
        deadline = self.file_deadline()
        last: Exception | None = None
        attempts = 0
        for attempt in range(self.retries + 1):
            attempts += 1
            try:
                with self.client.stream("GET", url) as response:
                    if response.status_code < 500:
                        chunks: list[bytes] = []
                        name = url.rsplit("/", 1)[-1] or url
                        self._read_body(response, name, deadline, chunks.append)
                        return _Page(response.status_code, b"".join(chunks))
                    last = httpx.HTTPStatusError(
                        f"HTTP {response.status_code}", request=response.request, response=response
                    )
            except httpx.TransportError as exc:
                last = exc
            if not self._wait(attempt, url, last, deadline):
                break
        raise _Refused(
            f"Không kết nối được {url} sau {attempts} lần thử: {_describe(last)}",
            f"cannot fetch {url} after {attempts} attempts: {_describe(last)}",
        )

    def _wait(self, attempt: int, url: str, error: Exception | None, deadline: float) -> bool:
        """Sleep before the next attempt; False when none is left or it would pass the deadline."""
        if attempt >= self.retries:
            return False
        delay = self.backoff_s * (2**attempt)
        if time.monotonic() + delay > deadline:
            return False
        log.info("retrying %s in %.2fs after: %s", url, delay, error)
        time.sleep(delay)
        return True

    def _read_body(
        self,
        response: httpx.Response,
        name: str,
        deadline: float,
        write: Callable[[bytes], object],
    ) -> int:
        """Pass the body to `write` as it arrives; refuse it past the size limit or the deadline.

        The deadline is checked as each piece arrives, and silence is bounded by the connection
        timeout, so a body trickling in is given up at most `timeout_s` after the deadline.
        """
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise _too_large(name, int(declared), self.max_bytes)
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > self.max_bytes:
                raise _too_large(name, received, self.max_bytes, at_least=True)
            if time.monotonic() > deadline:
                raise _late(name, self.limits.file_deadline_s, received)
            write(chunk)
        return received

    def pull_http_file(self, item: _Listed, allowed: frozenset[str] | None) -> None:
        report = self.check_name(item.name, is_bundle=False, allowed=allowed, source_uri=item.url)
        if report is None:
            return
        cached = self.unchanged(item.url, report)
        listed = item.sha256.lower() if item.sha256 else None
        if item.size is not None and item.size > self.max_bytes:
            self.refuse(item.name, item.url, _too_large(item.name, item.size, self.max_bytes))
            return
        if listed and (
            (cached and cached.sha256 == listed)
            or self.landing.find(report.unit_code, report.period_code, listed)
        ):
            self.skip(item.name, "listed sha256 already landed")
            return
        headers: dict[str, str] = {}
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        meta: dict[str, Any] = {}

        def fetch(work: Path) -> Path:
            target = work / item.name
            meta.update(self.download(item, target, headers))
            return target

        def sent_at() -> datetime | None:
            return item.received_at or _http_date(meta.get("last_modified"))

        candidate = _Candidate(item.name, item.url, False, None, fetch, sent_at)
        sha256 = self.land(candidate, report, known_sha256=cached.sha256 if cached else None)
        if sha256 is not None and meta:  # after a 304 the record stands as it was
            self.remember(
                SourceRecord(
                    item.url,
                    report.unit_code,
                    report.period_code,
                    sha256,
                    etag=meta.get("etag"),
                    last_modified=meta.get("last_modified"),
                )
            )

    def download(self, item: _Listed, target: Path, headers: dict[str, str]) -> dict[str, Any]:
        """Stream a file to `target` within the deadline of one file and the size limit,
        checking Content-Length, the listed size and sha256; a body that ends without a
        declared length must at least be a whole zip (every report file is one)."""
        deadline = self.file_deadline()
        last: Exception | None = None
        attempts = 0
        for attempt in range(self.retries + 1):
            attempts += 1
            received = 0
            expected: int | None = None
            try:
                with self.client.stream("GET", item.url, headers=headers) as response:
                    if response.status_code == 304:
                        raise _NotModified
                    if response.status_code >= 500:
                        last = httpx.HTTPStatusError(
                            f"HTTP {response.status_code}",
                            request=response.request,
                            response=response,
                        )
                    elif response.status_code != 200:
                        raise _Refused(
                            f"Tệp {item.name!r}: máy chủ trả về HTTP {response.status_code}",
                            f"file {item.name!r}: server answered HTTP {response.status_code}",
                        )
                    else:
                        declared = response.headers.get("content-length")
                        encoded = response.headers.get("content-encoding", "identity") != "identity"
                        expected = int(declared) if declared and not encoded else None
                        digest = hashlib.sha256()
                        with target.open("wb") as handle:

                            def write(chunk: bytes, handle=handle, digest=digest) -> None:
                                handle.write(chunk)
                                digest.update(chunk)

                            received = self._read_body(response, item.name, deadline, write)
                        if expected is not None and received != expected:
                            raise _Truncated(received, expected)
                        unverifiable = expected is None and not (item.size or item.sha256)
                        if unverifiable and not _whole_zip(target):
                            raise _Truncated(received, None)
                        _verify_listed(item, received, digest.hexdigest(), target)
                        return {
                            "etag": response.headers.get("etag"),
                            "last_modified": response.headers.get("last-modified"),
                        }
            except (httpx.TransportError, _Truncated) as exc:
                last = exc
                if expected is not None and received != expected:
                    last = _Truncated(received, expected)
            except _Refused:
                target.unlink(missing_ok=True)
                raise
            target.unlink(missing_ok=True)
            if not self._wait(attempt, item.url, last, deadline):
                break
        if isinstance(last, _Truncated) and last.expected is None:
            raise _Refused(
                f"Tệp {item.name!r}: tải về dừng ở {last.received} byte khi máy chủ không báo độ "
                "dài (Content-Length) và nội dung không phải một tệp zip/xlsx trọn vẹn: có thể "
                "bị cắt ngang; sẽ tải lại ở lần sau",
                f"file {item.name!r}: the download ended at {last.received} bytes with no "
                "declared length (Content-Length) and is not a whole zip/xlsx file: probably "
                "cut short; it is fetched again at the next pull",
            )
        if isinstance(last, _Truncated):
            raise _Refused(
                f"Tệp {item.name!r}: tải về không đầy đủ, nhận {last.received} byte, "
                f"cần {last.expected} byte (Content-Length)",
                f"file {item.name!r}: truncated download, received {last.received} bytes, "
                f"expected {last.expected} (Content-Length)",
            )
        raise _Refused(
            f"Tệp {item.name!r}: không tải được sau {attempts} lần thử: {_describe(last)}",
            f"file {item.name!r}: download failed after {attempts} attempts: {_describe(last)}",
        )


@dataclass(frozen=True)
class _Page:
    """A listing as fetched: its HTTP status and body."""

    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def _whole_zip(path: Path) -> bool:
    """Whether a file ends with a readable zip directory (a body cut short does not)."""
    try:
        with zipfile.ZipFile(path) as archive:
            archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
    return True


def _describe(error: Exception | None) -> str:
    """A failed attempt in words, without Python's exception class names."""
    if isinstance(error, httpx.HTTPStatusError):
        return str(error)
    if isinstance(error, httpx.TimeoutException):
        return "hết thời gian chờ / timed out"
    if isinstance(error, httpx.ConnectError):
        return "không kết nối được / connection refused or unreachable"
    if isinstance(error, httpx.TransportError):
        return f"kết nối bị ngắt / connection broken ({error})"
    return str(error or "")


def _late(name: str, seconds: float, received: int) -> _Refused:
    return _Refused(
        f"Tệp {name!r}: quá thời hạn {seconds:g} giây cho một tệp (TCD_PULL_FILE_DEADLINE_S) "
        f"sau {received} byte; sẽ tải lại ở lần sau",
        f"file {name!r}: past the deadline of {seconds:g} s for one file "
        f"(TCD_PULL_FILE_DEADLINE_S) after {received} bytes; it is fetched again at the next pull",
    )


class _NotModified(Exception):
    pass


class _Truncated(Exception):
    def __init__(self, received: int, expected: int | None) -> None:
        super().__init__(f"received {received} of {expected} bytes")
        self.received = received
        self.expected = expected


@dataclass(frozen=True)
class _Listed:
    name: str
    url: str
    size: int | None = None
    sha256: str | None = None
    received_at: datetime | None = None  # when the unit sent it, as the listing states


def _verify_listed(item: _Listed, size: int, sha256: str, target: Path) -> None:
    if item.size is not None and size != item.size:
        target.unlink(missing_ok=True)
        raise _Refused(
            f"Tệp {item.name!r}: kích thước {size} byte, danh sách ghi {item.size} byte",
            f"file {item.name!r}: size {size} bytes, the listing says {item.size}",
        )
    if item.sha256 and sha256 != item.sha256.lower():
        target.unlink(missing_ok=True)
        raise _Refused(
            f"Tệp {item.name!r}: mã băm SHA-256 {sha256} khác danh sách ({item.sha256})",
            f"file {item.name!r}: SHA-256 {sha256} differs from the listing ({item.sha256})",
        )


_INDEX_FORMAT = '{"files": [{"name", "size", "sha256", "url", "received_at"}]}'


def _parse_index(content: bytes, index_url: str) -> list[_Listed]:
    """`{"files": [{"name", "size", "sha256", "url", "received_at"}]}`, all but one of `name`
    and `url` optional; urls relative to the listing; `received_at` ISO 8601 (UTC without an
    offset): when the unit sent the file."""
    try:
        document = json.loads(content)
        files = document["files"]
        listed = []
        for record in files:
            url = urljoin(index_url, record.get("url") or record["name"])
            name = record.get("name") or unquote(url.rsplit("/", 1)[-1])
            size = record.get("size")
            sent = record.get("received_at")
            listed.append(
                _Listed(
                    name=os.path.basename(name),
                    url=url,
                    size=int(size) if size is not None else None,
                    sha256=(record.get("sha256") or None),
                    received_at=parse_utc(sent) if sent else None,
                )
            )
        return listed
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _Refused(
            f"Danh sách {index_url} sai định dạng ({exc}); cần {_INDEX_FORMAT}",
            f"listing {index_url} is malformed ({exc}); expected {_INDEX_FORMAT}",
        ) from exc


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _parse_html_listing(html: str, location: str) -> tuple[list[_Listed], list[str]]:
    """Links below `location` in an HTML directory listing; links ending in '/' are folders."""
    collector = _LinkCollector()
    collector.feed(html)
    files: list[_Listed] = []
    folders: list[str] = []
    for href in collector.hrefs:
        if href.startswith(("?", "#")):
            continue
        url = urljoin(location, href).split("#", 1)[0]
        if not url.startswith(location) or url == location or "?" in url:
            continue
        relative = url[len(location) :]
        if relative.endswith("/"):
            if "/" not in relative.rstrip("/"):
                folders.append(url)
            continue
        if "/" in relative:
            continue
        name = unquote(relative)
        if is_ignorable(name) or name.lower() in ("index.json", "index.html"):
            continue
        files.append(_Listed(name=name, url=url))
    return files, sorted(set(folders))


def _folder_signature(folder: Path) -> tuple[str, int]:
    """Changes whenever a file in the bundle folder is added, removed or rewritten; also the
    newest modification time (ns) of a member, when the unit last wrote the bundle.

    Raises UnsafeMember for a link in the folder (`bundle.bundle_members`)."""
    digest = hashlib.sha256()
    newest = 0
    for relative, path in bundle_members(folder):
        stat = path.lstat()
        digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        newest = max(newest, stat.st_mtime_ns)
    return digest.hexdigest(), newest or folder.stat().st_mtime_ns


def _max_bytes(limits: PullLimits) -> int:
    if limits.max_bytes is not None:
        return limits.max_bytes
    from dagster_project.reports.readers import ParseLimits  # the parser's own limit

    return ParseLimits().max_file_bytes


def _unsafe(name: str, exc: UnsafeMember) -> _Refused:
    where = exc.relative
    return _Refused(
        f"Tệp {name!r}: {where!r} là liên kết tượng trưng (symlink) hoặc không phải tệp thường; "
        "chỉ đọc tệp thường nằm trong hộp thư",
        f"file {name!r}: {where!r} is a symbolic link or not a regular file; only regular "
        "files inside the inbox are read",
        "DQ_UNSAFE_PATH",
        value=where,
        expected="tệp thường / a regular file",
    )


def _too_large(name: str, size: int, limit: int, *, at_least: bool = False) -> _Refused:
    found_vi = f"ít nhất {size}" if at_least else str(size)
    found_en = f"at least {size}" if at_least else str(size)
    return _Refused(
        f"Tệp {name!r}: {found_vi} byte, vượt giới hạn {limit} byte (TCD_PULL_MAX_BYTES)",
        f"file {name!r}: {found_en} bytes, past the limit of {limit} bytes (TCD_PULL_MAX_BYTES)",
        "DQ_FILE_TOO_LARGE",
        value=str(size),
        expected=f"<= {limit} bytes",
    )


def _from_ns(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, UTC)


def _as_datetime(value: object) -> datetime | None:
    """An fsspec modification time (epoch seconds, datetime or ISO text), in UTC."""
    try:
        if isinstance(value, datetime):
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, int | float):
            return datetime.fromtimestamp(float(value), UTC)
        if isinstance(value, str) and value:
            return parse_utc(value)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _http_date(value: str | None) -> datetime | None:
    """A `Last-Modified` header as a UTC time; None when absent or unreadable."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None
