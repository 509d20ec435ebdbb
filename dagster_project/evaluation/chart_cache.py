"""Charts kept by content, so that a chart is drawn only when what it shows changed.

Drawing is most of an evaluation's cost (importing pyplot, then an SVG and a PNG of up to a
hundred bars), while after a night's load most provinces' figures are what they were. A chart is
stored as <digest>.svg and <digest>.png, the digest taken over the chart's kind, its rows and the
version of the code that draws it (the source of charts.py and numbers.py, and matplotlib's
version), so that a change to any of them draws again. Files are written to a temporary name and
then renamed: a reader sees a whole chart or none. `prune` removes the charts the latest
evaluations no longer show, so the folder holds one night's charts, not a year's.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from dagster_project.evaluation import charts, numbers
from dagster_project.processes import starmap

CACHE_FOLDER = ".charts"
"""The cache's folder inside an evaluation output folder."""

DRAW: dict[str, Callable[[list], tuple[str, bytes]]] = {
    "attainment": charts.attainment_chart,
    "admissions": charts.admissions_chart,
}
_CHART_FILE = re.compile(r"^(?P<digest>[0-9a-f]{64})\.(svg|png)$")
_TEMP_FILE = re.compile(r"^\.[0-9a-f]{64}\..*\.tmp$")
_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read back: a chart gets the permissions any other written file gets


@lru_cache(maxsize=1)
def code_version() -> str:
    """What, besides the rows, decides a chart's bytes: the drawing code and matplotlib."""
    digest = hashlib.sha256()
    for module in (charts, numbers):
        digest.update(Path(module.__file__).read_bytes())
    try:
        digest.update(metadata.version("matplotlib").encode())
    except metadata.PackageNotFoundError:  # drawing will say so when it imports matplotlib
        digest.update(b"matplotlib?")
    return digest.hexdigest()


def chart_digest(kind: str, rows: list) -> str:
    """The key of a chart: its kind, its rows as Python writes them (types included, since a
    Decimal and a float print differently on the bars) and the code version."""
    text = f"{code_version()}\n{kind}\n{rows!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Chart:
    kind: str
    digest: str
    svg: str
    png: bytes
    drawn: bool


@dataclass
class ChartCache:
    """Charts of one output folder; `folder=None` draws every chart and keeps none."""

    folder: Path | None
    used: set[str] = field(default_factory=set)

    @classmethod
    def under(cls, out_dir: Path) -> ChartCache:
        return cls(Path(out_dir) / CACHE_FOLDER)

    def chart(self, kind: str, rows: list) -> Chart:
        return self.charts([(kind, rows)], workers=1)[0]

    def charts(self, requests: list[tuple[str, list]], workers: int | None = None) -> list[Chart]:
        """The chart of each (kind, rows) request, in order: taken from the cache when it holds
        it, else drawn (once for requests with the same digest) and kept. Several charts to draw
        are drawn across `workers` processes (default: one per core); each draws the same bytes
        it would draw here."""
        digests = [chart_digest(kind, rows) for kind, rows in requests]
        self.used.update(digests)
        held: dict[str, tuple[str, bytes]] = {}
        to_draw: dict[str, tuple[str, list]] = {}
        for (kind, rows), digest in zip(requests, digests, strict=True):
            if digest in held or digest in to_draw:
                continue
            cached = self._read(digest) if self.folder is not None else None
            if cached is None:
                to_draw[digest] = (kind, rows)
            else:
                held[digest] = cached
        drawn = _draw_all(list(to_draw.values()), workers)
        for digest, (svg, png) in zip(to_draw, drawn, strict=True):
            self._keep(digest, svg, png)
            held[digest] = (svg, png)
        out, first = [], set(to_draw)
        for (kind, _), digest in zip(requests, digests, strict=True):
            out.append(Chart(kind, digest, *held[digest], drawn=digest in first))
            first.discard(digest)  # a second request for the same chart reuses it
        return out

    def _keep(self, digest: str, svg: str, png: bytes) -> None:
        """Store a drawn chart; a folder that cannot be written (another user's, full) keeps
        nothing and the chart is drawn again next time."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # PNG first: the SVG's presence marks a whole pair (see _read).
            _write_atomic(self.folder / f"{digest}.png", png)
            _write_atomic(self.folder / f"{digest}.svg", svg.encode("utf-8"))
        except OSError:
            return

    def _read(self, digest: str) -> tuple[str, bytes] | None:
        try:
            svg = (self.folder / f"{digest}.svg").read_bytes().decode("utf-8")
            png = (self.folder / f"{digest}.png").read_bytes()
        except (OSError, UnicodeDecodeError):
            return None  # absent or unreadable: drawn again and rewritten
        return svg, png

    def prune(self) -> int:
        """Remove the charts (and any temporary files a stopped write left) not used since this
        cache was opened; the number of files removed."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        for path in self.folder.iterdir():
            match = _CHART_FILE.match(path.name)
            stale = (match and match["digest"] not in self.used) or _TEMP_FILE.match(path.name)
            if stale:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def _draw(kind: str, rows: list) -> tuple[str, bytes]:
    return DRAW[kind](rows)


def _draw_all(jobs: list[tuple[str, list]], workers: int | None) -> list[tuple[str, bytes]]:
    """(svg, png) of each (kind, rows), in order; across processes when there are several."""
    if len(jobs) > 1 and workers != 1:
        # matplotlib imported once here, inherited by the forked workers rather than imported
        # by each (charts.py is left as it is: its source is part of every chart's digest).
        charts._pyplot()
    return starmap(_draw, jobs, workers)


def _write_atomic(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            os.fchmod(out.fileno(), 0o666 & ~_UMASK)  # mkstemp makes it owner-only
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
