"""A sensor that starts a load when report files appear or change at the pull locations."""

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg

from dagster_project.ingest import (
    Landing,
    ReportingUnit,
    ReportNameError,
    load_registry,
    parse_report_name,
)
from dagster_project.jobs import build_job, load_job, pull_job
from dagster_project.partitions import (
    partition_key,
    pending_partition_keys,
    range_tags,
    report_partitions,
)
from dagster_project.settings import load_settings

REPORT_SUFFIXES = {".xlsx", ".zip", ".csv"}


def local_folder(unit: ReportingUnit) -> Path | None:
    """The folder behind a unit's ``file://`` location; None for remote locations."""
    if not unit.location:
        return None
    parsed = urlparse(unit.location)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


def scan_locations(registry_path: Path) -> dict[str, str]:
    """Fingerprint of every report file under the registry's local (file://) locations.

    Only size and modification time are read, so a scan costs a directory walk, not a hash of
    every file; the landing step hashes what really changed.
    """
    registry = load_registry(registry_path)
    seen: dict[str, str] = {}
    for unit in registry.units:
        folder = local_folder(unit)
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix.lower() in REPORT_SUFFIXES:
                stat = path.stat()
                seen[str(path)] = f"{stat.st_size}:{stat.st_mtime_ns}"
    return seen


def changed_partitions(paths: list[str]) -> list[str]:
    """Partition keys of the reports behind changed files (a bundle's CSVs count for it)."""
    known = set(report_partitions.get_partition_keys())
    keys = set()
    for path in map(Path, paths):
        for name in (path.name, path.parent.name + ".zip"):
            try:
                report = parse_report_name(name)
            except ReportNameError:
                continue
            key = partition_key(report.period_code, report.unit_code)
            if key in known:
                keys.add(str(key))
            break
    return sorted(keys)


@dg.sensor(
    job=pull_job,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Watches the reporting units' local pull locations and requests a pull when a report "
        "file is added or changed (load_after_pull then loads just the changed partitions). "
        "Remote (http) portals are pulled by the nightly schedule."
    ),
)
def new_report_files(context: dg.SensorEvaluationContext):
    settings = load_settings()
    current = scan_locations(settings.registry_path)
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = sorted(path for path, stamp in current.items() if previous.get(path) != stamp)
    context.update_cursor(json.dumps(current))
    if not changed:
        return dg.SkipReason("No new or changed report files.")
    run_key = hashlib.sha256("\n".join(changed).encode()).hexdigest()[:16]
    names = ", ".join(Path(p).name for p in changed[:10])
    context.log.info(f"{len(changed)} new or changed file(s): {names}")
    return dg.RunRequest(
        run_key=run_key,
        tags={
            "tcd/changed_files": str(len(changed)),
            "tcd/changed_partitions": ",".join(changed_partitions(changed))[:1000],
        },
    )


def load_request(landing: Landing, parsed_dir: Path, run_key: str) -> dg.RunRequest:
    """Parse-build-publish over the partitions with unparsed versions, or just rebuild."""
    keys, _ = pending_partition_keys(landing.entries(), parsed_dir)
    if keys:
        return dg.RunRequest(run_key=run_key, job_name=load_job.name, tags=range_tags(keys))
    return dg.RunRequest(run_key=run_key, job_name=build_job.name)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[pull_job],
    request_jobs=[load_job, build_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "After a successful pull, load the report partitions whose versions are not parsed yet "
        "(one run for all of them), or rebuild and republish when nothing new arrived."
    ),
)
def load_after_pull(context: dg.RunStatusSensorContext):
    settings = load_settings()
    return load_request(Landing(settings.home), settings.parsed_dir, context.dagster_run.run_id)
