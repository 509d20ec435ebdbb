"""What a load has to run after a pull: parse the periods that received something, build, or
nothing at all.

A night on which nothing arrived must not rebuild: the build's inputs (the parsed store, the
reference data, the targets, the dbt project and the settings dbt reads) are fingerprinted after
every successful build and publish, and a load whose inputs match the last fingerprint, with the
published file in place, runs nothing after the pull. The fingerprint reads file names, sizes and
a few small files, never the parsed rows, so it costs the same whatever the history holds.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.ingest import Landing
from dagster_project.ingest.refusals import REFUSALS_FILE
from dagster_project.partitions import pending_periods, period_segments, range_tags
from dagster_project.reports.output import ParsedStore
from dagster_project.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, Settings

FINGERPRINT_FILE = "last_build.json"
DBT_ENV_VARS = ("TCD_REPORT_DEADLINE_DAYS",)
"""Settings dbt reads from the environment; a change to one is a change to the build."""


def _hash_files(digest, root: Path, paths: list[Path], *, contents: bool) -> None:
    for path in sorted(paths):
        stat = path.stat()
        digest.update(str(path.relative_to(root)).encode())
        digest.update(str(stat.st_size).encode())
        if contents:
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def project_fingerprint() -> str:
    """A digest of the dbt project's models, seeds, macros and tests (the manifest's checksums).

    Incremental models keep rows computed by earlier code: when this changes, the next build
    is a full refresh.
    """
    digest = hashlib.sha256()
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if manifest.exists():
        document = json.loads(manifest.read_text(encoding="utf-8"))
        checksums = sorted(
            (key, node.get("checksum", {}).get("checksum", ""))
            for key, node in document["nodes"].items()
        )
        macros = sorted(
            (key, macro.get("macro_sql", ""))
            for key, macro in document.get("macros", {}).items()
            if macro.get("package_name") == document["metadata"].get("project_name")
        )
        digest.update(json.dumps([checksums, macros]).encode())
    project_file = DBT_PROJECT_DIR / "dbt_project.yml"  # variables the models read
    if project_file.exists():
        digest.update(project_file.read_bytes())
    return digest.hexdigest()


def reference_fingerprint(settings: Settings) -> str:
    """A digest of what the reference-only part of the build reads: the registry's reference
    tables, the plan targets, the dbt project (its nodes, macros, seeds and variables) and the
    settings dbt reads. Equal digests leave the dimensions built from them unchanged."""
    digest = hashlib.sha256()
    reference = settings.reference_dir
    if reference.is_dir():
        tables = [p for p in reference.glob("*.parquet") if p.name != REFUSALS_FILE]
        _hash_files(digest, reference, tables, contents=True)
    targets = settings.sources_dir / "targets"
    if targets.is_dir():
        _hash_files(digest, targets, list(targets.glob("*.csv")), contents=True)
    digest.update(project_fingerprint().encode())
    for name in DBT_ENV_VARS:
        digest.update(f"{name}={os.environ.get(name, '')}".encode())
    for name, value in sorted(settings.dbt_env().items()):  # the paths dbt's SQL reads from
        digest.update(f"{name}={value}".encode())
    return digest.hexdigest()


def build_inputs_fingerprint(settings: Settings) -> str:
    """A digest of everything a dbt build reads; equal digests give equal marts."""
    digest = hashlib.sha256()
    parsed = settings.parsed_dir
    if parsed.is_dir():  # batch files are never rewritten in place: names and sizes suffice
        files = [p for p in parsed.glob("*/period=*/*.parquet") if not p.name.startswith(".")]
        _hash_files(digest, parsed, files, contents=False)
    refusals = settings.reference_dir / REFUSALS_FILE  # the pull's refusals: data, not reference
    if refusals.exists():
        _hash_files(digest, settings.reference_dir, [refusals], contents=True)
    digest.update(reference_fingerprint(settings).encode())
    if EXPECTATIONS_DIR.is_dir():
        _hash_files(digest, EXPECTATIONS_DIR, list(EXPECTATIONS_DIR.glob("*.json")), contents=True)
    return digest.hexdigest()


def fingerprint_path(settings: Settings) -> Path:
    return settings.build_db.parent / FINGERPRINT_FILE


def record_build(settings: Settings, fingerprint: str) -> None:
    """Remember the inputs of a build that passed its checks and was published."""
    path = fingerprint_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    record = {
        "fingerprint": fingerprint,
        "reference": reference_fingerprint(settings),
    }
    temp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(temp, path)


def _recorded(settings: Settings) -> dict:
    try:
        return json.loads(fingerprint_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def build_is_current(settings: Settings) -> bool:
    """Whether the published warehouse was built from exactly the inputs there are now."""
    if not settings.published_db.exists():
        return False
    return _recorded(settings).get("fingerprint") == build_inputs_fingerprint(settings)


def kept_rows_stale(settings: Settings) -> bool:
    """Whether rows the incremental models kept may differ from what a full refresh gives now.

    Those rows were computed by the dbt project of their build and joined the reference of
    their time (a unit's province and version, the aliases that resolve a report's unit): when
    either changed since the last published build, or a build database has no build on record,
    the next build is a full refresh (``warehouse_dbt`` asks this before every dbt command,
    whichever run it is in). The reference fingerprint holds the project's.
    """
    return settings.build_db.exists() and not reference_is_built(settings)


def reference_is_built(settings: Settings) -> bool:
    """Whether the build database holds the reference-only models built from the reference
    data there is now (so a build may leave them out)."""
    return settings.build_db.exists() and _recorded(settings).get(
        "reference"
    ) == reference_fingerprint(settings)


@dataclass
class LoadPlan:
    """The runs a load needs after its pull, in order."""

    parse_ranges: list[tuple[str, str]] = field(default_factory=list)
    """Period ranges to parse in runs of their own before the last one."""
    final_job: str | None = None
    """``load_warehouse`` (parse the last range, build, check, publish), ``build_warehouse``
    (build, check, publish from what is parsed) or None (nothing changed)."""
    final_tags: dict[str, str] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)
    """Report versions whose period lies outside the partitions (not parsed)."""
    reference_built: bool = False
    """The reference-only models (dimensions of units, periods, indicators, codes, rules and
    their tests) are built from unchanged inputs: the final run leaves them out."""

    @property
    def pending(self) -> bool:
        return self.final_job is not None


def plan_load(settings: Settings, *, force_build: bool = False) -> LoadPlan:
    """The runs that bring the published warehouse up to date with the landing area."""
    entries = Landing(settings.home).entries()
    parsed_ids = ParsedStore(settings.parsed_dir).parsed_report_ids()
    periods, outside = pending_periods(entries, parsed_ids)
    plan = LoadPlan(
        outside=outside,
        reference_built=not force_build and reference_is_built(settings),
    )
    if periods:
        reported = {entry.period_code for entry in entries}
        segments = period_segments(periods, reported)
        plan.parse_ranges = segments[:-1]
        plan.final_job = "load_warehouse"
        plan.final_tags = range_tags(*segments[-1])
    elif force_build or not build_is_current(settings):
        plan.final_job = "build_warehouse"
    return plan
