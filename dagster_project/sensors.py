"""A sensor that starts a load when report files appear or change at the pull locations."""

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg

from dagster_project.ingest import (
    ReportingUnit,
    ReportNameError,
    load_registry,
    parse_report_name,
)
from dagster_project.jobs import (
    build_job,
    final_run_selection,
    final_run_tags,
    load_job,
    parse_job,
    pull_job,
)
from dagster_project.load_plan import plan_load
from dagster_project.partitions import all_periods, range_tags
from dagster_project.settings import Settings, load_settings

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


def changed_periods(paths: list[str]) -> list[str]:
    """Periods of the reports behind changed files (a bundle's CSVs count for it)."""
    known = set(all_periods())
    periods = set()
    for path in map(Path, paths):
        for name in (path.name, path.parent.name + ".zip"):
            try:
                report = parse_report_name(name)
            except ReportNameError:
                continue
            if report.period_code in known:
                periods.add(report.period_code)
            break
    return sorted(periods)


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
            "tcd/changed_periods": ",".join(changed_periods(changed))[:1000],
        },
    )


def load_request(settings: Settings, run_key: str) -> dg.RunRequest | dg.SkipReason:
    """The next run a load needs: parse an earlier period range, or parse-build-publish.

    Runs follow one another: this sensor also watches parse runs, so the range after a parse
    run is requested only when that run has succeeded, and the build always comes last.
    """
    plan = plan_load(settings)
    if not plan.pending:
        return dg.SkipReason("Nothing new since the published warehouse was built.")
    if plan.parse_ranges:
        first, last = plan.parse_ranges[0]
        return dg.RunRequest(run_key=run_key, job_name=parse_job.name, tags=range_tags(first, last))
    from dagster_project.definitions import defs  # this module is part of them

    return dg.RunRequest(
        run_key=run_key,
        job_name=plan.final_job,
        tags=final_run_tags(plan),
        asset_selection=final_run_selection(
            defs, plan.final_job, reference_built=plan.reference_built
        ),
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[pull_job, parse_job],
    request_jobs=[parse_job, load_job, build_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "After a successful pull, load the periods whose report versions are not parsed yet "
        "(one run for all of them); when nothing changed, run nothing."
    ),
)
def load_after_pull(context: dg.RunStatusSensorContext):
    settings = load_settings()
    return load_request(settings, context.dagster_run.run_id)
