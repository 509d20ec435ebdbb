"""Pull report files from the units' locations (or an inbox folder) into the landing area.

Locations are URIs: `file://` folders, `http(s)://` portals (an `index.json` listing or the HTML
directory listing Python's http.server produces) and, where configured, any other fsspec scheme.
A bad file never stops the run: it is recorded as a rejected pull with a message naming the file,
the value found and the value expected.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import posixpath
import tempfile
import time
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

from dagster_project.ingest.bundle import is_ignorable
from dagster_project.ingest.landing import Landing, LandingEntry, SourceRecord, parse_utc
from dagster_project.ingest.name_check import check_report_name
from dagster_project.ingest.naming import (
    ReportName,
    ReportNameError,
    parse_bundle_folder_name,
)
from dagster_project.ingest.registry import Registry

log = logging.getLogger(__name__)

_MAX_DEPTH = 4
_CHUNK = 1 << 16


@dataclass(frozen=True)
class PullRejection:
    """A file that was found but not landed, and why (Vietnamese, then English)."""

    file_name: str
    source_uri: str
    reason_vi: str
    reason_en: str


@dataclass
class PullResult:
    """What one pull did: new versions landed, files skipped as already known, files refused."""

    landed: list[LandingEntry] = field(default_factory=list)
    skipped: int = 0
    rejected: list[PullRejection] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, reason_vi: str, reason_en: str) -> None:
        super().__init__(reason_en)
        self.reason_vi = reason_vi
        self.reason_en = reason_en


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
    timeout_s: float = 30.0,
    retries: int = 3,
    backoff_s: float = 0.5,
) -> PullResult:
    """Pull every new or changed report; `inbox` replaces the registry's locations when given.

    Files in a unit's location must belong to a unit that reports there; files in an inbox may be
    for any unit. `retries` bounds the extra attempts on connection errors and 5xx answers, waiting
    `backoff_s`, then twice as long each time.
    """
    landing = Landing(Path(home))
    puller = _Puller(registry, landing, timeout_s=timeout_s, retries=retries, backoff_s=backoff_s)
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
    def __init__(
        self,
        registry: Registry,
        landing: Landing,
        *,
        timeout_s: float,
        retries: int,
        backoff_s: float,
    ) -> None:
        self.registry = registry
        self.landing = landing
        self.known = landing.sources()  # one query: what every source looked like last time
        self.seen: dict[str, SourceRecord] = {}
        self._listings: dict[Path, dict[str, datetime]] = {}
        self.timeout_s = timeout_s
        self.retries = max(0, retries)
        self.backoff_s = backoff_s
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
    def reject(self, file_name: str, source_uri: str, reason_vi: str, reason_en: str) -> None:
        log.warning("rejected %s (%s): %s", file_name, source_uri, reason_en)
        self.result.rejected.append(PullRejection(file_name, source_uri, reason_vi, reason_en))

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
            self.reject(name, source_uri, exc.reason_vi, exc.reason_en)
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
                self.reject(candidate.name, candidate.source_uri, exc.reason_vi, exc.reason_en)
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
            if item.is_dir():
                if parse_bundle_folder_name(name):
                    signature, newest = _folder_signature(path)
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
            stat = item.stat()
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
            if index.is_file():
                try:
                    listed = _parse_index(index.read_bytes(), index.as_uri())
                except (_Refused, OSError) as exc:
                    reason_vi = getattr(exc, "reason_vi", str(exc))
                    reason_en = getattr(exc, "reason_en", str(exc))
                    self.reject("index.json", index.as_uri(), reason_vi, reason_en)
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
            self.reject("", location, exc.reason_vi, exc.reason_en)
            return
        for item in listed:
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

    def request(self, url: str) -> httpx.Response:
        """GET with bounded retries and exponential backoff on connection errors and 5xx."""
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                response = self.client.get(url)
                if response.status_code < 500:
                    return response
                last = httpx.HTTPStatusError(
                    f"HTTP {response.status_code}", request=response.request, response=response
                )
            except httpx.TransportError as exc:
                last = exc
            self._wait(attempt, url, last)
        raise _Refused(
            f"Không kết nối được {url} sau {self.retries + 1} lần thử: {last}",
            f"cannot fetch {url} after {self.retries + 1} attempts: {last}",
        )

    def _wait(self, attempt: int, url: str, error: Exception | None) -> None:
        if attempt < self.retries:
            delay = self.backoff_s * (2**attempt)
            log.info("retrying %s in %.2fs after: %s", url, delay, error)
            time.sleep(delay)

    def pull_http_file(self, item: _Listed, allowed: frozenset[str] | None) -> None:
        report = self.check_name(item.name, is_bundle=False, allowed=allowed, source_uri=item.url)
        if report is None:
            return
        cached = self.unchanged(item.url, report)
        listed = item.sha256.lower() if item.sha256 else None
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
        """Stream a file to `target`, checking Content-Length, listed size and listed sha256."""
        last: Exception | None = None
        for attempt in range(self.retries + 1):
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
                        self._wait(attempt, item.url, last)
                        continue
                    if response.status_code != 200:
                        raise _Refused(
                            f"Tệp {item.name!r}: máy chủ trả về HTTP {response.status_code}",
                            f"file {item.name!r}: server answered HTTP {response.status_code}",
                        )
                    declared = response.headers.get("content-length")
                    encoded = response.headers.get("content-encoding", "identity") != "identity"
                    expected = int(declared) if declared and not encoded else None
                    digest = hashlib.sha256()
                    with target.open("wb") as handle:
                        for chunk in response.iter_bytes(_CHUNK):
                            handle.write(chunk)
                            digest.update(chunk)
                            received += len(chunk)
                    if expected is not None and received != expected:
                        raise _Truncated(received, expected)
                    meta = {
                        "etag": response.headers.get("etag"),
                        "last_modified": response.headers.get("last-modified"),
                    }
            except (httpx.TransportError, _Truncated) as exc:
                target.unlink(missing_ok=True)
                last = exc
                if expected is not None and received != expected:
                    last = _Truncated(received, expected)
                self._wait(attempt, item.url, last)
                continue
            _verify_listed(item, received, digest.hexdigest(), target)
            return meta
        if isinstance(last, _Truncated):
            raise _Refused(
                f"Tệp {item.name!r}: tải về không đầy đủ, nhận {last.received} byte, "
                f"cần {last.expected} byte (Content-Length)",
                f"file {item.name!r}: truncated download, received {last.received} bytes, "
                f"expected {last.expected} (Content-Length)",
            )
        raise _Refused(
            f"Tệp {item.name!r}: không tải được sau {self.retries + 1} lần thử: {last}",
            f"file {item.name!r}: download failed after {self.retries + 1} attempts: {last}",
        )


class _NotModified(Exception):
    pass


class _Truncated(Exception):
    def __init__(self, received: int, expected: int) -> None:
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
    newest modification time (ns) of a member, when the unit last wrote the bundle."""
    digest = hashlib.sha256()
    newest = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            relative = path.relative_to(folder).as_posix()
            digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            if not any(is_ignorable(part) for part in Path(relative).parts):
                newest = max(newest, stat.st_mtime_ns)
    return digest.hexdigest(), newest or folder.stat().st_mtime_ns


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
