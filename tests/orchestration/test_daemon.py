"""The real dagster-daemon, with the project's instance settings, loads a report dropped into a
pull location; the nightly schedule's tick asks for a run.

Black-box on purpose: what is asserted is the published file and the run records, whatever jobs
and sensors the code location uses to get there.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.service import WORKSPACE, ensure_instance, initialise_storage

pytestmark = [pytest.mark.integration, pytest.mark.long]

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SAMPLE = REPO / "sources" / "samples" / "reports" / "088" / "088_2024-H1.xlsx"
DEADLINE_SECONDS = 900


def watched_registry(folder: Path) -> Path:
    """The project's registry with every unit pulling from ``folder/<unit code>/``."""
    text = (REPO / "sources" / "registry.yaml").read_text(encoding="utf-8")
    text, count = re.subn(
        r"^location_template: .*$", 'location_template: "file:reports/{code}/"', text, flags=re.M
    )
    assert count == 1
    path = folder / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def all_runs_finished() -> bool:
    """Every run recorded so far has ended (the steps after the publish included)."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
    return bool(runs) and all(run.is_finished for run in runs)


def accepted(published: Path, unit: str, period: str) -> bool:
    if not published.exists():
        return False
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            row = con.execute(
                "select count(*) from marts.mart_reporting_completeness "
                "where unit_code = ? and period_code = ? and status = 'accepted'",
                [unit, period],
            ).fetchone()
    except duckdb.Error:
        return False
    return bool(row and row[0])


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    registry = watched_registry(tmp_path)
    env = {
        "TCD_HOME": str(tmp_path / "home"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "TCD_REGISTRY": str(registry),
        "TCD_PSEUDONYM_KEY": "a-test-secret-for-the-daemon-test",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TCD_DEMO_KEY", raising=False)
    ensure_instance(Path(env["DAGSTER_HOME"]))
    initialise_storage()
    return {**os.environ, **env}


def test_the_daemon_publishes_a_report_dropped_into_a_pull_location(
    tmp_path: Path, environment: dict[str, str]
) -> None:
    import dagster as dg

    started = subprocess.run(
        [str(BIN / "dagster"), "sensor", "start", "--start-all", "-w", str(WORKSPACE)],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert started.returncode == 0, started.stdout + started.stderr
    drop = tmp_path / "reports" / "088"
    drop.mkdir(parents=True)
    (drop / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    published = Path(environment["TCD_HOME"]) / "published" / "warehouse.duckdb"
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-w", str(WORKSPACE)],
        cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT, process_group=0,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline and not (
            accepted(published, "088", "2024-H1") and all_runs_finished()
        ):
            assert daemon.poll() is None, (tmp_path / "daemon.log").read_text()[-3000:]
            time.sleep(5)
    finally:
        os.killpg(daemon.pid, signal.SIGINT)
        try:
            daemon.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
        log.close()
    assert accepted(published, "088", "2024-H1"), (tmp_path / "daemon.log").read_text()[-3000:]
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
    assert runs, "the publish happened through runs recorded in the instance"
    assert any("dagster/sensor_name" in run.tags for run in runs)
    assert all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs), [
        (run.job_name, run.status) for run in runs
    ]


def test_the_nightly_tick_requests_a_run(environment: dict[str, str]) -> None:
    import dagster as dg

    from dagster_project.definitions import defs

    schedules = list(defs.schedules or [])
    nightly = [s for s in schedules if "nightly" in s.name]
    assert nightly, [s.name for s in schedules]
    tick_time = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # 02:00 in Asia/Ho_Chi_Minh
    with dg.DagsterInstance.get() as instance:
        for schedule in nightly:
            assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
            context = dg.build_schedule_context(
                instance=instance, scheduled_execution_time=tick_time
            )
            result = schedule.evaluate_tick(context)
            assert result.run_requests, result.skip_message
            for request in result.run_requests:
                job = defs.resolve_job_def(request.job_name or schedule.job_name)
                assert job is not None
