"""Where the warehouse keeps its files, and the knobs an operator sets through the environment.

Every path derives from one home folder (``TCD_HOME``) so that a test, a demo and a production
install differ by a single variable; each path can still be moved on its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the reports package reads settings itself: import it only when called
    from dagster_project.reports.readers import ParseLimits

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
SOURCES_DIR = REPO_ROOT / "sources"
EXPECTATIONS_DIR = Path(os.environ.get("TCD_EXPECTATIONS_DIR") or REPO_ROOT / "expectations")
"""Great Expectations suites; an operator may point this at a stricter copy."""
DEFAULT_REPORT_DEADLINE_DAYS = 15
"""Days after a period's last day by which its report is due, unless TCD_REPORT_DEADLINE_DAYS."""
MIN_FREE_ENV = "TCD_MIN_FREE_MB"
DEFAULT_MIN_FREE_MB = 512
"""Free space a load wants on the home's disk beyond twice the build and published files it
rewrites (unless TCD_MIN_FREE_MB): below it, the load stops before writing anything."""
LOCK_WAIT_ENV = "TCD_LOCK_WAIT_SECONDS"
DEFAULT_LOCK_WAIT_SECONDS = 3600
"""How long `tcd load` or `tcd backfill` waits for another one running on the same home before
it gives up (unless TCD_LOCK_WAIT_SECONDS or --wait): longer than a nightly load takes."""


@dataclass(frozen=True)
class PullLimits:
    """Bounds on one pull from the units' locations; each is an environment setting.

    A portal that answers slowly, never stops sending, or cuts a body short costs at most these
    bounds, and the file is refused with a message naming the bound.
    """

    timeout_s: float = 30.0
    """TCD_PULL_TIMEOUT_S: longest silence on a connection (connect, read, write)."""
    file_deadline_s: float = 300.0
    """TCD_PULL_FILE_DEADLINE_S: longest time for one listing or file, retries included."""
    deadline_s: float = 1800.0
    """TCD_PULL_DEADLINE_S: longest time for the whole pull; files not reached by then wait for
    the next pull."""
    max_bytes: int | None = None
    """TCD_PULL_MAX_BYTES: largest file (or listing) a pull downloads or copies; by default the
    parser's own limit (ParseLimits.max_file_bytes, 64 MiB), past which no report is read."""
    retries: int = 3
    """TCD_PULL_RETRIES: extra attempts after a connection error or an HTTP 5xx answer."""
    backoff_s: float = 0.5
    """TCD_PULL_BACKOFF_S: wait before the first retry, doubled for each further one."""


def pull_limits() -> PullLimits:
    """The pull's bounds: the environment's values over the documented defaults."""
    defaults = PullLimits()

    def number(name: str, default: float) -> float:
        value = os.environ.get(name, "").strip()
        return float(value) if value else default

    return PullLimits(
        timeout_s=number("TCD_PULL_TIMEOUT_S", defaults.timeout_s),
        file_deadline_s=number("TCD_PULL_FILE_DEADLINE_S", defaults.file_deadline_s),
        deadline_s=number("TCD_PULL_DEADLINE_S", defaults.deadline_s),
        max_bytes=int(os.environ["TCD_PULL_MAX_BYTES"])
        if os.environ.get("TCD_PULL_MAX_BYTES", "").strip()
        else None,
        retries=int(number("TCD_PULL_RETRIES", defaults.retries)),
        backoff_s=number("TCD_PULL_BACKOFF_S", defaults.backoff_s),
    )


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default.resolve()


@dataclass(frozen=True)
class Settings:
    """Resolved locations of every folder the pipeline reads or writes."""

    home: Path
    sources_dir: Path
    registry_path: Path
    build_db: Path
    published_db: Path
    report_deadline_days: int

    @property
    def landing_dir(self) -> Path:
        return self.home / "landing"

    @property
    def parsed_dir(self) -> Path:
        return self.home / "parsed"

    @property
    def reference_dir(self) -> Path:
        return self.home / "reference"

    @property
    def published_dir(self) -> Path:
        return self.published_db.parent

    @property
    def gx_docs_dir(self) -> Path:
        return self.home / "docs" / "gx"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def logs_dir(self) -> Path:
        """Full error output of `tcd load` and `tcd backfill` (the console shows sentences)."""
        return self.home / "logs"

    @property
    def lock_path(self) -> Path:
        """Held by the one command that writes this home at a time (home_lock.py)."""
        return self.home / ".tcd.lock"

    @property
    def reports_dir(self) -> Path:
        """The evaluations written after each publish; their charts are kept in .charts."""
        return self.home / "reports"

    def dbt_env(self) -> dict[str, str]:
        """Environment that points dbt at the same files as the Python side."""
        return {
            "TCD_HOME": str(self.home),
            "TCD_DUCKDB_PATH": str(self.build_db),
            "TCD_SOURCES_DIR": str(self.sources_dir),
            "TCD_REPORT_DEADLINE_DAYS": str(self.report_deadline_days),
        }

    def ensure_dirs(self) -> None:
        for folder in (
            self.landing_dir,
            self.parsed_dir,
            self.reference_dir,
            self.build_db.parent,
            self.published_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True)


def load_settings(home: str | os.PathLike[str] | None = None) -> Settings:
    """Read settings from the environment; an explicit ``home`` wins over ``TCD_HOME``."""
    if home is not None:
        home_path = Path(home).expanduser().resolve()
    else:
        home_path = _path_from_env("TCD_HOME", Path.cwd() / "data")
    sources_dir = _path_from_env("TCD_SOURCES_DIR", SOURCES_DIR)
    return Settings(
        home=home_path,
        sources_dir=sources_dir,
        registry_path=_path_from_env("TCD_REGISTRY", sources_dir / "registry.yaml"),
        build_db=_path_from_env("TCD_DUCKDB_PATH", home_path / "build" / "warehouse.duckdb"),
        published_db=_path_from_env(
            "TCD_PUBLISHED_PATH", home_path / "published" / "warehouse.duckdb"
        ),
        report_deadline_days=int(
            os.environ.get("TCD_REPORT_DEADLINE_DAYS", str(DEFAULT_REPORT_DEADLINE_DAYS))
        ),
    )


# Parse limits: the environment variable of each ParseLimits field (docs/data-layout.md).
PARSE_LIMIT_ENV = {
    "max_file_bytes": "TCD_MAX_FILE_BYTES",
    "max_expanded_bytes": "TCD_MAX_EXPANDED_BYTES",
    "max_compression_ratio": "TCD_MAX_COMPRESSION_RATIO",
    "max_members": "TCD_MAX_ZIP_MEMBERS",
    "max_rows": "TCD_MAX_ROWS",
    "max_columns": "TCD_MAX_COLUMNS",
    "max_cells": "TCD_MAX_CELLS",
    "max_cell_chars": "TCD_MAX_CELL_CHARS",
}


def read_parse_limits(environ: dict[str, str] | os._Environ[str] = os.environ) -> ParseLimits:
    """ParseLimits from the environment: each variable set (a positive whole number) replaces
    its default; a malformed one is an error naming it, never a silent default."""
    from dagster_project.reports.readers import ParseLimits

    values = {}
    for field_ in fields(ParseLimits):
        name = PARSE_LIMIT_ENV[field_.name]
        text = environ.get(name, "").strip().replace("_", "")
        if not text:
            continue
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"{name} must be a positive whole number, not {text!r}")
        values[field_.name] = int(text)
    return ParseLimits(**values)


@cache
def parse_limits() -> ParseLimits:
    """The parse limits of this process, read from the environment once."""
    return read_parse_limits()


def lock_wait_seconds() -> float:
    """Seconds a command waits for the home lock (TCD_LOCK_WAIT_SECONDS, default one hour)."""
    value = os.environ.get(LOCK_WAIT_ENV, "").strip()
    try:
        return max(float(value), 0.0) if value else float(DEFAULT_LOCK_WAIT_SECONDS)
    except ValueError:
        return float(DEFAULT_LOCK_WAIT_SECONDS)


def min_free_bytes(settings: Settings) -> int:
    """Free bytes a load needs on the home's disk: room for a new build database and a new
    published file beside the old ones, plus TCD_MIN_FREE_MB (default 512) of margin."""
    value = os.environ.get(MIN_FREE_ENV, "").strip()
    try:
        margin_mb = float(value) if value else DEFAULT_MIN_FREE_MB
    except ValueError:
        margin_mb = DEFAULT_MIN_FREE_MB
    rewritten = sum(
        path.stat().st_size for path in (settings.build_db, settings.published_db) if path.exists()
    )
    return int(2 * rewritten + margin_mb * 1024 * 1024)
