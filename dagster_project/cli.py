"""The `tcd` command: load the warehouse, validate reports, inspect status, open the UI.

Heavy imports (Dagster, dbt, Great Expectations) happen inside the commands that need them so
that `tcd --help` and `tcd validate` answer at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dagster_project.console_text import (
    disk_error,
    disk_full_path,
    disk_full_sentence,
    error_texts,
    failure_sentence,
    plain,
    without_class_name,
)
from dagster_project.settings import Settings, load_settings, lock_wait_seconds, min_free_bytes

app = typer.Typer(
    name="tcd",
    help="tcd-warehouse: party and mass-organisation reports in, a published DuckDB warehouse out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Folder for landing, parsed, build and published data (env TCD_HOME, default ./data).",
        show_default=False,
    ),
]


WaitOption = Annotated[
    float | None,
    typer.Option(
        "--wait",
        help="Seconds to wait when another load or backfill is running on the same home "
        "(env TCD_LOCK_WAIT_SECONDS, default 3600); 0: stop at once and say so.",
        show_default=False,
    ),
]
HOME_TAG = "tcd/home"
"""Run tag naming the home a run of `tcd load` or `tcd backfill` wrote to."""
LOGS_KEPT = 30
"""Error logs of `tcd load` / `tcd backfill` kept under `<home>/logs` (one per command run)."""
ABANDONED_STATUSES = ("NOT_STARTED", "STARTING", "STARTED", "CANCELING")

_entry_args: list[str] | None = None
"""The command line `tcd` was started with (set by `main`), to run the work as a child."""


class CliError(Exception):
    """A failure the user can act on: printed as a sentence, never as a traceback."""


@contextlib.contextmanager
def _writing(path: Path, doing: str) -> Iterator[None]:
    """A write the disk refuses (full, quota, file size limit) becomes one sentence naming it."""
    try:
        yield
    except Exception as exc:
        refused = disk_error(exc)
        if refused is None:
            raise
        where = str(refused.filename or path)
        raise CliError(disk_full_sentence(where, doing, published_kept=False)) from None


def _hold_home(settings: Settings, command: str, wait: float | None) -> None:
    """Make this command the one writer of the home; return in the process that does the work.

    The process the officer started takes the home lock (waiting for another load, with a
    message) and runs the same command line again as a child leading its own process group
    (service.run_as_group): a signal to `tcd`, or its death, ends every process of the load, and
    the lock stays held until they have all ended. That process never returns from here: it
    exits with the child's code. The child (or a `tcd` not started from the console script)
    returns and does the work.
    """
    from dagster_project import service
    from dagster_project.home_lock import (
        TOKEN_ENV,
        HomeBusy,
        HomeLock,
        end_leftovers,
        new_holder,
    )

    watch_fd = os.environ.pop(service.WATCH_FD_ENV, None)
    if watch_fd is not None:
        service.watch_parent(int(watch_fd))
        return
    lock = HomeLock(settings.lock_path)
    wait_seconds = lock_wait_seconds() if wait is None else wait

    def waiting(holder) -> None:
        err_console.print(
            f"Đang có lệnh khác ghi vào {settings.home}: {holder.describe()}; chờ lệnh đó xong "
            f"(tối đa {wait_seconds:.0f} giây, Ctrl-C để thôi). / Another command is writing "
            f"to {settings.home}: {holder.describe()}; waiting for it to finish (at most "
            f"{wait_seconds:.0f} s, Ctrl-C to stop waiting).",
            markup=False,
            highlight=False,
        )

    try:
        previous = lock.acquire(wait_seconds, waiting)
    except HomeBusy as exc:
        raise CliError(
            f"Thư mục {settings.home} đang được {exc} ghi; không làm gì cả, hãy chạy lại sau. / "
            f"The home {settings.home} is in use by {exc}; nothing was done: run it again "
            "later (or give --wait more seconds)."
        ) from None
    killed = end_leftovers(previous)
    if killed:
        err_console.print(
            f"Đã dừng {len(killed)} tiến trình còn sót của lần chạy trước. / Ended {len(killed)} "
            "processes an earlier, interrupted run had left behind.",
            markup=False,
        )
    token = uuid.uuid4().hex
    lock.record(new_holder(command, token))
    os.environ[TOKEN_ENV] = token
    if _entry_args is None:  # called in-process (not from the console script): no child
        return
    verbose = bool({"-v", "--verbose"} & set(_entry_args))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    log = None if verbose else settings.logs_dir / f"{command.replace(' ', '-')}-{stamp}.log"
    code = service.run_as_group(
        [sys.executable, "-m", "dagster_project.cli", *_entry_args],
        dict(os.environ),
        pass_fds=(lock.fd,),
        stderr_log=log,
    )
    if log is not None:
        logs = sorted(settings.logs_dir.glob("tcd-*.log"), key=lambda p: p.stat().st_mtime)
        for old in logs[:-LOGS_KEPT]:
            old.unlink(missing_ok=True)
    lock.release()
    raise typer.Exit(code)


def _require_free_space(settings: Settings) -> None:
    """Stop before writing anything when the home's disk has no room for a build and a publish."""
    import shutil

    folder = settings.home
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    needed = min_free_bytes(settings)
    if free < needed:
        raise CliError(
            f"Đĩa chứa {settings.home} chỉ còn {free // 2**20} MB trống; một lượt nạp cần ít nhất "
            f"{needed // 2**20} MB để ghi bản dựng {settings.build_db} và bản công bố mới. Chưa "
            f"ghi gì cả. / The disk of {settings.home} has {free // 2**20} MB free; a load needs "
            f"at least {needed // 2**20} MB to write the build database {settings.build_db} and "
            "a new published file. Nothing was written (free some space, or lower "
            "TCD_MIN_FREE_MB)."
        )


def _recover_interrupted(settings: Settings) -> None:
    """Under the home lock, before anything is read: settle what a killed command left.

    The parsed store finishes or undoes a compaction cut short (a batch cut short never counts
    by itself); runs left "started" are marked failed. The landing area and the publish clean
    their own temporary files when they next write; the build database replays its own log.
    """
    from dagster_project.reports.output import ParsedStore

    ParsedStore(settings.parsed_dir).settle()
    _fail_abandoned_runs(settings)


def _fail_abandoned_runs(settings: Settings) -> int:
    """Mark failed the runs of this home that an interrupted `tcd` left "started".

    A run executed in the `tcd` process has no run monitor: killed, it stays STARTED in the run
    history for ever. This runs under the home lock, so no run of this home is alive now.
    """
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    with DagsterInstance.get() as instance:
        runs = instance.get_runs(
            filters=RunsFilter(
                statuses=[DagsterRunStatus(status) for status in ABANDONED_STATUSES],
                tags={HOME_TAG: str(settings.home)},
            )
        )
        for run in runs:
            instance.report_run_failed(
                run,
                message="This run was interrupted (its tcd process ended before it finished); "
                "the next tcd command marked it failed and loaded again.",
            )
    return len(runs)


def _prepare_environment(settings: Settings) -> None:
    """Point every component (Dagster, dbt) at the same home."""
    from dagster_project.run_history import fast_sqlite_commits

    fast_sqlite_commits()
    os.environ["TCD_HOME"] = str(settings.home)
    os.environ.update(settings.dbt_env())
    if not os.environ.get("DAGSTER_HOME"):
        from dagster_project.service import ensure_instance

        ensure_instance(settings.dagster_home)  # run history in this folder: deploy/dagster.yaml
        os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    settings.ensure_dirs()


def _require_key(demo_key: bool) -> None:
    if not os.environ.get("TCD_PSEUDONYM_KEY") and not demo_key:
        raise CliError(
            "TCD_PSEUDONYM_KEY is not set. Set it to a long random secret (it keys the citizen-ID "
            "pseudonyms and must stay the same between loads), or pass --demo-key for sample data."
        )


def _counts(db: Path, sql: str, params: list | None = None) -> dict[str, int]:
    """``{key: count}`` from a two-column query of the build database; empty when it cannot
    be read (no build yet, or a build cut short before that relation)."""
    import duckdb

    if not db.exists():
        return {}
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return dict(con.execute(sql, params or []).fetchall())
    except duckdb.Error:
        return {}


def _versions_read_since(db: Path, since: datetime) -> dict[str, int]:
    """Report versions parsed by this command, by status (published, superseded, quarantined)."""
    return _counts(
        db,
        "select version_status, count(*) from intermediate.int_report_status "
        "where parsed_at >= ? group by version_status",
        [since],
    )


def _completeness(db: Path) -> dict[str, int]:
    return _counts(
        db, "select status, count(*) from marts.mart_reporting_completeness group by status"
    )


@app.command()
def load(
    home: HomeOption = None,
    inbox: Annotated[
        Path | None,
        typer.Option(
            help="A drop folder of report files (<unit>_<period>.xlsx|.zip, any sub-folders) to "
            "load instead of the registry's pull locations.",
        ),
    ] = None,
    demo_key: Annotated[
        bool,
        typer.Option(
            "--demo-key",
            help="Allow the documented demo pseudonymisation key when TCD_PSEUDONYM_KEY is unset. "
            "Never for real data.",
        ),
    ] = False,
    full_refresh: Annotated[
        bool, typer.Option(help="Rebuild incremental dbt models from scratch.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every Dagster event and dbt line.")
    ] = False,
    wait: WaitOption = None,
) -> None:
    """Run the whole pipeline: pull, parse, build, check, publish (one load per home at a time)."""
    settings = load_settings(home)
    if inbox is not None and not inbox.is_dir():
        raise CliError(f"The inbox {inbox} is not a folder.")
    if inbox is not None and not any(
        path.is_file() and not path.name.startswith(".") for path in inbox.rglob("*")
    ):
        console.print(
            f"Hộp thư {inbox} không có tệp báo cáo nào: không có gì để nạp. / "
            f"The inbox {inbox} holds no report file: nothing to load.",
            markup=False,
        )
        return
    _require_key(demo_key)
    _require_free_space(settings)
    _hold_home(settings, "tcd load", wait)
    _prepare_environment(settings)
    _recover_interrupted(settings)
    started = datetime.now(UTC).replace(tzinfo=None)
    defs = _definitions()
    run_config = _run_config(settings, demo_key=demo_key, verbose=verbose)
    run_config["ops"] = {
        "landed_reports": {"config": {"inbox": str(inbox.resolve()) if inbox else ""}}
    }
    pulled = _execute(defs, "pull_reports", run_config, tags={}, label="Pulling reports...")
    results = [pulled]
    if pulled.success:
        from dagster_project.jobs import final_run_selection, final_run_tags
        from dagster_project.load_plan import plan_load
        from dagster_project.partitions import range_tags

        plan = plan_load(settings, force_build=full_refresh)
        for report_id in plan.outside:
            err_console.print(
                f"[yellow]{plain(report_id)} lies outside the report periods (before the "
                "registry's history or after next year) and is not parsed."
            )
        for first, last in plan.parse_ranges:
            run_config = _run_config(settings, demo_key=demo_key, verbose=verbose)
            results.append(
                _execute(
                    defs,
                    "parse_reports",
                    run_config,
                    tags=range_tags(first, last),
                    label=f"Parsing {first}..{last}...",
                )
            )
        if plan.final_job and all(result.success for result in results):
            run_config = _run_config(settings, demo_key=demo_key, verbose=verbose)
            run_config["ops"] = {"warehouse_dbt": {"config": {"full_refresh": full_refresh}}}
            results.append(
                _execute(
                    defs,
                    plan.final_job,
                    run_config,
                    tags=final_run_tags(plan),
                    label="Parse, build, check, publish...",
                    asset_selection=final_run_selection(
                        defs, plan.final_job, reference_built=plan.reference_built
                    ),
                )
            )
        elif not plan.final_job:
            console.print("Nothing new: the published warehouse is up to date.")
    _print_load_summary(settings, results, started)
    if not all(result.success for result in results):
        raise typer.Exit(1)


def _definitions():
    """The code location, with a fresh dbt manifest; imported late because it is heavy."""
    import warnings

    from dagster import BetaWarning

    from dagster_project.resources.dbt_project import ensure_manifest

    with console.status("Preparing the dbt manifest..."):
        ensure_manifest()
    warnings.filterwarnings("ignore", category=BetaWarning)  # backfill policies are beta
    from dagster_project.definitions import defs

    return defs


def _run_config(settings: Settings, *, demo_key: bool, verbose: bool) -> dict:
    return {
        "loggers": {"console": {"config": {"log_level": "DEBUG" if verbose else "WARNING"}}},
        "resources": {
            "warehouse": {"config": {"home": str(settings.home), "allow_demo_key": demo_key}}
        },
    }


def _execute(
    defs,
    job_name: str,
    run_config: dict,
    *,
    tags: dict[str, str],
    label: str,
    asset_selection: list | None = None,
):
    """Run one job (or ``asset_selection`` of it) in this process, recorded in the Dagster
    instance under DAGSTER_HOME."""
    from dagster import DagsterInstance

    tags = {**tags, HOME_TAG: os.environ.get("TCD_HOME", "")}
    with console.status(label), DagsterInstance.get() as instance:
        return defs.resolve_job_def(job_name).execute_in_process(
            run_config=run_config,
            instance=instance,
            raise_on_error=False,
            tags=tags,
            asset_selection=asset_selection,
        )


@app.command()
def backfill(
    first: Annotated[str, typer.Option("--from", help="First period, e.g. 2023-H1.")],
    last: Annotated[str | None, typer.Option("--to", help="Last period (default: --from).")] = None,
    home: HomeOption = None,
    reparse: Annotated[
        bool,
        typer.Option(help="Parse those periods' report versions again (after a parser fix)."),
    ] = False,
    demo_key: Annotated[
        bool, typer.Option("--demo-key", help="Allow the public demo key (sample data only).")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    wait: WaitOption = None,
) -> None:
    """Load a range of past periods in one run: parse those partitions from what is landed,
    build, check, publish (no pull)."""
    settings = load_settings(home)
    _require_key(demo_key)
    from dagster_project.partitions import range_tags

    try:
        tags = range_tags(first, last or first)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    _require_free_space(settings)
    _hold_home(settings, "tcd backfill", wait)
    _prepare_environment(settings)
    _recover_interrupted(settings)
    started = datetime.now(UTC).replace(tzinfo=None)
    defs = _definitions()
    run_config = _run_config(settings, demo_key=demo_key, verbose=verbose)
    run_config["ops"] = {"parsed_reports": {"config": {"reparse": reparse}}}
    result = _execute(
        defs, "load_warehouse", run_config, tags=tags, label=f"Backfilling {first}..{last or first}"
    )
    _print_load_summary(settings, [result], started)
    if not result.success:
        raise typer.Exit(1)


def _step_failures(settings: Settings, results: list) -> list[str]:
    """One sentence per failed step, from its error and (for dbt) the failed nodes' messages."""
    from dagster_project.resources.dbt_artifacts import run_target_path

    sentences = []
    for result in results:
        for event in result.all_events:
            if event.event_type_value != "STEP_FAILURE" or event.step_failure_data is None:
                continue
            texts = error_texts(event.step_failure_data.error)
            results_file = run_target_path(settings.home, result.run_id) / "run_results.json"
            try:
                document = json.loads(results_file.read_text(encoding="utf-8"))
                texts += [
                    node.get("message") or ""
                    for node in document.get("results", [])
                    if node.get("status") in ("error", "fail", "runtime error")
                ]
            except (OSError, ValueError):
                pass
            sentences.append(failure_sentence(event.step_key or "?", texts))
    return sentences


def _print_load_summary(settings: Settings, results: list, since: datetime) -> None:
    events = [event for result in results for event in result.all_events]
    failed_steps = [event.step_key for event in events if event.event_type_value == "STEP_FAILURE"]
    failed_checks = [
        f"{event.asset_check_evaluation_data.asset_key.to_user_string()}:"
        f"{event.asset_check_evaluation_data.check_name}"
        for event in events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
        and not event.asset_check_evaluation_data.passed
    ]
    published_now = any(
        event.event_type_value == "STEP_SUCCESS" and event.step_key == "published_warehouse"
        for event in events
    )
    succeeded = all(result.success for result in results)
    status = _completeness(settings.build_db)
    published = plain(settings.published_db)
    table = Table(title="tcd load", show_header=False)
    for result in results:
        table.add_row(
            "run",
            f"{result.job_def.name} {result.run_id} "
            f"({'succeeded' if result.success else 'FAILED'})",
        )
    read_now = _versions_read_since(settings.build_db, since)
    if read_now:
        quarantined = read_now.get("quarantined", 0)
        table.add_row(
            "read now",
            f"{sum(read_now.values())} report versions: "
            f"{read_now.get('published', 0)} published, "
            f"{read_now.get('superseded', 0)} superseded, {quarantined} quarantined"
            + (" (findings: marts.dq_issues, tcd report)" if quarantined else ""),
        )
    table.add_row(
        "units x periods",
        f"{status.get('accepted', 0)} accepted, {status.get('quarantined', 0)} quarantined, "
        f"{status.get('missing', 0)} missing",
    )
    if published_now:
        table.add_row("published", published)
    elif len(results) == 1 and succeeded and settings.published_db.exists():
        table.add_row("published", f"up to date, unchanged: {published}")
    else:
        table.add_row("published", "no: the previous published file (if any) stays in place")
    if failed_steps:
        table.add_row("failed steps", ", ".join(sorted({plain(step) for step in failed_steps})))
    if failed_checks:
        table.add_row("failed checks", plain("\n".join(failed_checks)))
    refused = _refused(events)
    if refused:
        from rich.text import Text

        shown = refused[:50]
        if len(refused) > 50:
            shown.append(f"... {len(refused) - 50} more (marts.dq_issues, the run's metadata)")
        table.add_row("refused", Text("\n".join(shown), overflow="fold"))  # plain, never markup
    console.print(table)
    for sentence in _step_failures(settings, results):
        err_console.print(sentence, markup=False, highlight=False)
    if succeeded:
        console.print(
            f"Query it: tcd sql{plain(_home_hint(settings))} "
            '-c "select * from marts.mart_target_attainment limit 10"\n'
            "Open the Dagster UI: tcd ui (http://127.0.0.1:3000)"
        )


def _refused(events: list) -> list[str]:
    """Every sentence the run's steps recorded as refused (files and portals the pull refused,
    damaged landing objects): metadata `refused` of their materializations, each once."""
    sentences: dict[str, None] = {}
    for event in events:
        if event.event_type_value != "ASSET_MATERIALIZATION":
            continue
        value = event.event_specific_data.materialization.metadata.get("refused")
        for sentence in getattr(value, "data", None) or []:
            sentences[str(sentence)] = None
    return list(sentences)


@app.command()
def ui(
    home: HomeOption = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 3000,
    demo_key: Annotated[
        bool,
        typer.Option(
            "--demo-key",
            help="Let runs started from the UI use the public demo pseudonymisation key when "
            "TCD_PSEUDONYM_KEY is unset (sets TCD_DEMO_KEY=1). Sample data only.",
        ),
    ] = False,
) -> None:
    """Start the Dagster UI on 127.0.0.1 with its daemon (stop both with Ctrl-C or SIGTERM)."""
    from dagster_project.service import initialise_storage, run_services, service_commands

    settings = load_settings(home)
    _prepare_environment(settings)
    if demo_key:
        os.environ["TCD_DEMO_KEY"] = "1"
    elif not os.environ.get("TCD_PSEUDONYM_KEY"):
        err_console.print(
            "[yellow]TCD_PSEUDONYM_KEY is not set: runs that parse reports will stop until it is "
            "(in the environment or .env), or start the UI with --demo-key for sample data."
        )
    from dagster_project.resources.dbt_project import ensure_manifest

    with console.status("Preparing the dbt manifest..."):
        ensure_manifest()  # the webserver loads the code location from the packaged manifest
    initialise_storage()
    console.print(f"Dagster UI on http://127.0.0.1:{port} (Ctrl-C stops the UI and its daemon)")
    raise typer.Exit(run_services(service_commands(port)))


@app.command()
def docs(
    home: HomeOption = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port on 127.0.0.1 (default: the port of TCD_DOCS_URL, else 3001)."),
    ] = None,
) -> None:
    """Serve the Great Expectations Data Docs on 127.0.0.1 (they need no internet)."""
    from dagster_project.quality.data_docs import docs_port, docs_server, serve_until_stopped

    port = port or docs_port()
    folder = load_settings(home).gx_docs_dir
    server = docs_server(folder, port)
    console.print(
        f"Data Docs of {plain(folder)} on http://127.0.0.1:{port}/index.html (Ctrl-C stops)"
    )
    serve_until_stopped(server)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Report files or CSV bundle folders.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document of findings, for scripts.")
    ] = False,
    against: Annotated[
        Path | None,
        typer.Option(
            help="A published warehouse file: also check the rules across reports (one person "
            "admitted once, stocks, outliers) against its accepted reports. Needs the "
            "warehouse's TCD_PSEUDONYM_KEY (or --demo-key for the sample).",
        ),
    ] = None,
    demo_key: Annotated[
        bool,
        typer.Option(
            "--demo-key", help="With --against: the warehouse was loaded with the demo key."
        ),
    ] = False,
) -> None:
    """Check report files before sending them; exit 0 when no error, 1 on any error."""
    from dagster_project.reports import validate_files

    registry = None
    try:
        from dagster_project.ingest import load_registry

        registry = load_registry(load_settings().registry_path)
    except Exception as exc:  # the registry helps the name and title checks but is not required
        err_console.print(
            f"[yellow]Registry not read ({plain(without_class_name(str(exc)) or 'unreadable')});"
            " units and titles not checked against it."
        )
    key = None
    if against is not None:
        if not against.is_file():
            raise CliError(f"The published warehouse {against} does not exist.")
        _require_key(demo_key)
        from dagster_project.reports import pseudonym_key_from_env

        key = pseudonym_key_from_env(allow_demo=demo_key)
    status = validate_files(
        list(files),
        console,
        registry=registry,
        as_json=as_json,
        against=against,
        **({"pseudonym_key": key} if key else {}),
    )
    raise typer.Exit(status)


@app.command()
def status(home: HomeOption = None) -> None:
    """Completeness by unit and period, and the latest publish, from the published warehouse."""
    import duckdb

    from dagster_project.publish import read_publish_log

    settings = load_settings(home)
    db = settings.published_db
    if not db.exists():
        raise CliError(f"Nothing is published yet at {db}. Run `tcd load` first.")
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """
            select unit_code, period_code, status, on_time
            from marts.mart_reporting_completeness
            order by unit_code, period_code
            """
        ).fetchall()
    periods = sorted({period for _, period, _, _ in rows})
    marks = {"accepted": "[green]✓[/]", "quarantined": "[red]Q[/]", "missing": "[yellow]–[/]"}
    table = Table(title=f"Reports by unit and period ({plain(db)})")
    table.add_column("unit")
    for period in periods:
        table.add_column(plain(period), justify="center")
    by_unit: dict[str, dict[str, str]] = {}
    for unit, period, state, on_time in rows:
        mark = marks.get(state, plain(state))
        if state == "accepted" and on_time is False:
            mark += "[yellow]late[/]"
        by_unit.setdefault(unit, {})[period] = mark
    for unit, cells in by_unit.items():
        table.add_row(plain(unit), *(cells.get(period, "") for period in periods))
    console.print(table)
    console.print("✓ accepted  Q quarantined  – missing  late: received after the deadline")
    log = read_publish_log(db)
    if log:
        last = log[-1]
        console.print(
            f"Latest publish: version {last['version']} at {last['published_at']} UTC "
            f"(run {last['run_id'] or 'n/a'})"
        )


@app.command()
def report(
    period: Annotated[str, typer.Option(help="Period evaluated, e.g. 2024-H1.")],
    unit: Annotated[
        str, typer.Option(help="Unit code (e.g. 088, 37-CQDN) or GSO province code (e.g. 10).")
    ],
    out: Annotated[Path, typer.Option(help="Folder to write the evaluation into.")],
    plan: Annotated[
        list[str] | None,
        typer.Option(help="Plan code, e.g. DA24-TU (repeatable; default: every plan of the unit)."),
    ] = None,
    home: HomeOption = None,
) -> None:
    """Write the evaluation (docx, HTML, sources CSV) of a unit and period from the published
    warehouse."""
    from dagster_project.evaluation import EvaluationError, write_evaluation
    from dagster_project.evaluation.chart_cache import ChartCache

    settings = load_settings(home)
    # The charts the pipeline keeps (a chart is drawn only when its rows are new to the cache).
    charts = ChartCache.under(settings.reports_dir)
    try:
        with _writing(out, "tcd report"):
            evaluation = write_evaluation(
                settings.published_db, unit, period, out, plan or None, charts
            )
    except EvaluationError as exc:
        raise CliError(str(exc)) from exc
    for path in evaluation.paths:
        console.print(f"Wrote {plain(path)}")


@app.command()
def sql(
    home: HomeOption = None,
    command: Annotated[
        str | None,
        typer.Option("-c", "--command", help="Run this SQL and exit (several statements too)."),
    ] = None,
) -> None:
    """A read-only SQL prompt on the published warehouse (schema marts); -c runs one query."""
    import duckdb

    from dagster_project import sql_shell

    settings = load_settings(home)
    db = settings.published_db
    if not db.exists():
        raise CliError(
            f"Chưa có kho dữ liệu công bố tại {db}: chạy `tcd load` trước. / "
            f"Nothing is published yet at {db}: run `tcd load` first."
        )
    with sql_shell.connect(db) as con:
        if command is not None:
            try:
                sql_shell.run(con, command, sys.stdout)
            except duckdb.Error as exc:
                raise CliError(f"Truy vấn lỗi / The query failed: {exc}") from exc
        elif not sys.stdin.isatty():
            try:
                sql_shell.session(con, sys.stdin.read().splitlines(), sys.stdout)
            except duckdb.Error as exc:
                raise CliError(f"Truy vấn lỗi / The query failed: {exc}") from exc
        else:
            sql_shell.interactive(con, db)


def _home_hint(settings: Settings) -> str:
    default = (Path.cwd() / "data").resolve()
    import shlex

    return "" if settings.home == default else f" --home {shlex.quote(str(settings.home))}"


@app.command()
def sample(
    out: Annotated[Path, typer.Argument(help="Folder to write the reports into.")],
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed writes the same files.")
    ] = 2024,
    scale: Annotated[
        str, typer.Option(help="demo (calibrated to the seed articles), or a benchmark scale.")
    ] = "demo",
    inject: Annotated[
        list[str] | None,
        typer.Option(
            help="A data-quality rule code to violate in some reports (repeatable), e.g. "
            "DQ_CCCD_FORMAT or DQ_SUMMARY_DETAIL; RULE@<unit>_<period> picks the report.",
        ),
    ] = None,
) -> None:
    """Write sample reports that follow the report contract."""
    from tcd_samples import write_sample
    from tcd_samples.violations import UnknownInjection

    try:
        with _writing(out, "tcd sample"):
            paths = write_sample(out, seed=seed, scale=scale, inject=list(inject or []))
    except UnknownInjection as exc:
        raise CliError(str(exc)) from exc
    console.print(f"Wrote {len(paths)} report files under {plain(out)}")


@app.command()
def template(
    out: Annotated[Path, typer.Argument(help="The .xlsx to write, or a folder.")],
    unit: Annotated[str | None, typer.Option(help="Unit code, e.g. 088.")] = None,
    period: Annotated[str | None, typer.Option(help="Period, e.g. 2024-H1.")] = None,
    unit_name: Annotated[
        str | None, typer.Option(help="Unit name for the title (default: from the registry).")
    ] = None,
) -> None:
    """Write a blank report workbook: the right sheets, headers, drop-downs and instructions."""
    from dagster_project.reports.template import write_template

    try:
        with _writing(out, "tcd template"):
            path = write_template(out, unit_code=unit, period_code=period, unit_name=unit_name)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    console.print(f"Wrote {plain(path)}. Fill it in, then check it: tcd validate {plain(path)}")


def _unexpected(exc: BaseException) -> str:
    """One sentence for an error no command expected; the traceback goes to a file, not the
    officer's screen."""
    path = disk_full_path([str(exc)])
    refused = disk_error(exc)
    if refused is not None:
        path = refused.filename or path or ""
    if path is not None:
        doing = "tcd " + " ".join((_entry_args or [])[:1])
        return disk_full_sentence(str(path) or os.environ.get("TCD_HOME", ""), doing)
    import tempfile

    log = Path(tempfile.gettempdir()) / f"tcd-error-{os.getpid()}.txt"
    try:
        log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        details = f" Chi tiết / Details: {log}"
    except OSError:
        details = ""
    reason = without_class_name(str(exc)) or "no message"
    return f"Lỗi không mong đợi / Unexpected failure: {reason}.{details}"


def main() -> None:
    """Console-script entry point: user errors become one sentence and exit code 2."""
    global _entry_args
    _entry_args = sys.argv[1:]
    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)  # as `dagster dev` does
    from dagster_project.ingest import LandingIndexError

    try:
        app()
    except (CliError, LandingIndexError) as exc:
        err_console.print("[bold red]Error:[/] ", end="")
        # soft_wrap: the terminal wraps the sentence; a path in it stays whole for copying
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as exc:  # the last line of defence: a sentence, never a traceback
        err_console.print("[bold red]Error:[/] ", end="")
        err_console.print(_unexpected(exc), markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
