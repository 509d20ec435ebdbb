"""Recovery: a killed `tcd` leaves nothing running and nothing the next load cannot finish.

- The integration test kills one load of the bundled sample into a new home at each stage in
  turn (pull, parse, checks, dbt), with SIGKILL to the whole process tree, each time as soon as
  the run's own event log (or the files it writes) shows that stage under way; every next run
  starts at once on the same home. The last run is left to finish: its marts must equal those of
  the session's uninterrupted load of the same sample. The publish stage is killed on its own
  (the process writing the new file, SIGKILL once that file appears), then published again: a
  load that reaches it costs a whole load more, and the publish is one function of its own.
- The fast tests run real processes and signals: the home lock between two processes, the
  process group of `tcd load` (nothing left after SIGKILL of the `tcd` process), report text
  printed literally by a real rich Console 80 columns wide, and files that cannot be written.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from dagster_project.console_text import failure_sentence
from dagster_project.home_lock import HomeBusy, HomeLock, read_holder
from dagster_project.reports.validate import validate_files
from dagster_project.service import group_members
from tests.integration.conftest import REPO, SAMPLE_REPORTS, TCD, LoadRun
from tests.integration.test_gate import mart_contents

PYTHON = sys.executable


def _run_logs(home: Path) -> set[str]:
    return set(glob.glob(str(home / "dagster" / "history" / "runs" / "*.db")))


def _started_steps(home: Path, old_logs: set[str]) -> list[str]:
    """Step keys with a STEP_START in the event logs of runs not in ``old_logs``."""
    steps: list[str] = []
    for db in _run_logs(home) - old_logs:
        if db.endswith("index.db"):
            continue
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
                steps += [
                    row[0]
                    for row in con.execute(
                        "select step_key from event_logs where dagster_event_type = 'STEP_START'"
                    )
                ]
        except sqlite3.Error:
            continue  # created but not written yet: no step has started in it
    return steps


def _dbt_built_something(home: Path, old_logs: set[str]) -> bool:
    for db in _run_logs(home) - old_logs:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
                row = con.execute(
                    "select 1 from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION' "
                    "and step_key = 'warehouse_dbt' limit 1"
                ).fetchone()
        except sqlite3.Error:
            continue
        if row:
            return True
    return False


def _new_files(pattern: str, before: set[str]) -> bool:
    return bool(set(glob.glob(pattern)) - before)


def _start_load(home: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(TCD), "load", "--home", str(home), "--demo-key"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        env={**os.environ, "COLUMNS": "80"},
        start_new_session=True,  # the test's handle on the whole tree: its session id
    )


def _session_members(sid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def _kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL to every process of the load's session (front, worker, dbt, log tails), again
    until none is left: a process may start another between two kills."""
    deadline = time.monotonic() + 30
    while members := _session_members(proc.pid):
        assert time.monotonic() < deadline, f"the load's processes survive SIGKILL: {members}"
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)
    proc.wait(timeout=30)


def _kill_when(proc: subprocess.Popen, home: Path, ready: Callable[[], bool], stage: str) -> None:
    deadline = time.monotonic() + 300
    while not ready():
        if proc.poll() is not None:
            output = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"the load ended before its {stage} stage:\n{output}")
        assert time.monotonic() < deadline, f"no {stage} stage within 300 s"
        time.sleep(0.02)
    _kill_tree(proc)


@pytest.mark.integration
def test_a_load_killed_at_each_stage_is_finished_by_the_next_one(
    demo_load: LoadRun, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    published = home / "published" / "warehouse.duckdb"
    parsed_glob = str(home / "parsed" / "*" / "period=*" / "*")

    old_logs: set[str] = set()  # event logs of the runs killed before this one

    def step_started(step: str, then: Callable[[], bool] | None = None):
        def ready() -> bool:
            return step in _started_steps(home, old_logs) and (then is None or then())

        return ready

    landing_before: set[str] = set()
    stages: list[tuple[str, Callable[[], bool]]] = [
        # The pull: once the first report object is in the landing area.
        (
            "pull",
            step_started(
                "landed_reports",
                lambda: _new_files(str(home / "landing" / "objects" / "*"), landing_before),
            ),
        ),
        # Parsing: once its first batch file (or temporary file) appears.
        ("parse", step_started("parsed_reports", lambda: _new_files(parsed_glob, set()))),
        # The checks that follow parsing (Great Expectations on the parsed sheets).
        ("checks", step_started("gx_parsed_sheets")),
        # dbt: once it has built its first model.
        ("dbt", step_started("warehouse_dbt", lambda: _dbt_built_something(home, old_logs))),
    ]
    for stage, ready in stages:
        old_logs |= _run_logs(home)
        proc = _start_load(home)
        _kill_when(proc, home, ready, stage)

    final = _start_load(home)
    output, _ = final.communicate(timeout=600)
    assert final.returncode == 0, output
    assert "Traceback" not in output
    assert mart_contents(published) == mart_contents(demo_load.published)
    with sqlite3.connect(home / "dagster" / "history" / "runs.db") as con:
        left = con.execute("select count(*) from runs where status = 'STARTED'").fetchone()[0]
    assert left == 0, "a killed run is still shown as started"


# -- the home lock --------------------------------------------------------------------------


def _holder_process(lock_path: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the home lock for ``seconds``, as a running load does."""
    code = textwrap.dedent(
        f"""
        import sys, time
        from dagster_project.home_lock import HomeLock, new_holder
        lock = HomeLock({str(lock_path)!r})
        lock.acquire(0)
        lock.record(new_holder("tcd load", "t0ken"))
        print("locked", flush=True)
        time.sleep({seconds})
        """
    )
    proc = subprocess.Popen([PYTHON, "-c", code], stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.stdout and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_load_on_a_busy_home_says_which_command_holds_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "088_2024-H1.xlsx").write_bytes(
        (SAMPLE_REPORTS / "088" / "088_2024-H1.xlsx").read_bytes()
    )
    holder = _holder_process(home / ".tcd.lock", 60)
    try:
        started = time.monotonic()
        second = subprocess.run(
            [str(TCD), "load", "--home", str(home), "--inbox", str(inbox), "--demo-key",
             "--wait", "1"],
            capture_output=True, text=True, timeout=60, cwd=REPO,
            env={**os.environ, "COLUMNS": "80"},
        )  # fmt: skip
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert second.returncode == 2, second.stdout + second.stderr
    text = " ".join((second.stdout + second.stderr).split())
    assert f"pid {holder.pid}" in text and "tcd load" in text
    assert "waiting for it to finish" in text and "nothing was done" in text
    assert "Traceback" not in text and "Error:" in text and "HomeBusy" not in text
    assert elapsed < 30
    assert not (home / "landing").exists()


def test_a_waiting_command_gets_the_home_as_soon_as_the_holder_ends(tmp_path: Path) -> None:
    path = tmp_path / "home" / ".tcd.lock"
    holder = _holder_process(path, 1.5)
    seen = []
    lock = HomeLock(path)
    started = time.monotonic()
    try:
        previous = lock.acquire(30, seen.append, poll=0.05)
    finally:
        holder.wait()
    assert 0.5 < time.monotonic() - started < 10
    assert [h.pid for h in seen] == [holder.pid]
    assert previous.token == "t0ken"  # the next holder learns whose leftovers to look for
    with pytest.raises(HomeBusy):
        HomeLock(path).acquire(0)  # held by this process's descriptor now
    lock.release()
    HomeLock(path).acquire(0)


def test_a_lock_held_by_a_killed_process_is_free_at_once(tmp_path: Path) -> None:
    path = tmp_path / ".tcd.lock"
    holder = _holder_process(path, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert read_holder(path).pid == holder.pid
    HomeLock(path).acquire(0)


# -- the process group ----------------------------------------------------------------------

GROUP_CHILD = textwrap.dedent(
    """
    # The work of a `tcd load`: a forked worker (as the parse pool) and an exec'd program (dbt).
    import os, subprocess, sys, time
    from dagster_project.service import WATCH_FD_ENV, watch_parent
    watch_parent(int(os.environ.pop(WATCH_FD_ENV)))
    children = [subprocess.Popen(["sleep", "300"]).pid]
    pid = os.fork()
    if pid == 0:
        time.sleep(300)
        os._exit(0)
    children.append(pid)
    print(" ".join(map(str, [os.getpid(), *children])), flush=True)
    time.sleep(300)
    """
)
GROUP_FRONT = textwrap.dedent(
    """
    import sys
    from dagster_project.service import run_as_group
    sys.exit(run_as_group([sys.executable, "-c", sys.argv[1]], dict(__import__("os").environ)))
    """
)


def _front() -> tuple[subprocess.Popen, list[int]]:
    front = subprocess.Popen(
        [PYTHON, "-c", GROUP_FRONT, GROUP_CHILD], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert front.stdout
    pids = [int(pid) for pid in front.stdout.readline().split()]
    assert len(pids) == 3
    return front, pids


def _gone(pids: list[int], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if Path(f"/proc/{pid}").exists() and _live(pid)]
        if not alive:
            return True
        time.sleep(0.05)
    return False


def _live(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killing_tcd_ends_every_process_it_started(sig: signal.Signals) -> None:
    front, pids = _front()
    assert group_members(pids[0])  # the work runs in a group of its own
    front.send_signal(sig)
    front.wait(timeout=30)
    assert _gone(pids), f"left running after {sig.name}: {pids}"
    if sig != signal.SIGKILL:
        assert front.returncode == 128 + sig


def test_workers_forked_by_the_work_die_with_it_even_when_nothing_else_is_left() -> None:
    """The work and `tcd` killed at once (no one left to end the group): forked workers die."""
    front, (work, program, forked) = _front()
    try:
        os.kill(front.pid, signal.SIGKILL)
        os.kill(work, signal.SIGKILL)
        front.wait(timeout=30)
        assert _gone([work, forked])
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(program, signal.SIGKILL)  # an exec'd program: the next holder's to end


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


# -- messages -------------------------------------------------------------------------------

MARKUP_LABEL = "[/] Chỉ tiêu lạ [bold]đậm[/bold] [link=http://x]"


def _report_with_label(folder: Path, label: str) -> Path:
    source = SAMPLE_REPORTS / "088" / "088_2024-H1.xlsx"
    workbook = openpyxl.load_workbook(source)
    sheet = workbook["TongHop"]
    last = max(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value)
    sheet.cell(last + 1, 1).value = label  # an extra row with a label nobody knows
    sheet.cell(last + 1, 2).value = 1
    target = folder / source.name
    workbook.save(target)
    return target


def test_report_text_is_printed_literally_at_80_columns(tmp_path: Path) -> None:
    report = _report_with_label(tmp_path, MARKUP_LABEL)
    out = StringIO()
    console = Console(file=out, width=80, force_terminal=False, color_system=None)
    status = validate_files([report], console)
    text = out.getvalue()
    assert status in (0, 1)
    for literal in ("[/] Chỉ", "[bold]đậm", "[/bold]", "[link=htt"):  # as typed, not styled
        assert literal in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_validate_in_a_terminal_of_80_columns_shows_markup_without_crashing(
    tmp_path: Path,
) -> None:
    (tmp_path / "[bold]").mkdir()
    report = _report_with_label(tmp_path / "[bold]", MARKUP_LABEL)
    result = subprocess.run(
        [str(TCD), "validate", str(report)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "MarkupError" not in result.stdout + result.stderr
    assert "[/]" in result.stdout


def _fsize_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_file_that_cannot_be_written_is_one_sentence_naming_it(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes the kernel refuse the write (EFBIG) as a full disk would (ENOSPC)."""
    out = tmp_path / "088_2024-H1.xlsx"
    result = subprocess.run(
        [str(TCD), "template", str(out), "--unit", "088", "--period", "2024-H1"],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, "COLUMNS": "80"}, preexec_fn=_fsize_limit(2048),
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    text = " ".join(result.stderr.split())
    assert "No room to write" in text and str(out) in text
    assert "Traceback" not in text and "OSError" not in text and "Errno" not in text


def test_a_disk_without_room_for_a_load_stops_it_before_anything_is_written(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "088_2024-H1.xlsx").write_bytes(
        (SAMPLE_REPORTS / "088" / "088_2024-H1.xlsx").read_bytes()
    )
    result = subprocess.run(
        [str(TCD), "load", "--home", str(home), "--inbox", str(inbox), "--demo-key"],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, "COLUMNS": "80", "TCD_MIN_FREE_MB": str(2**40)},
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    text = " ".join(result.stderr.split())
    assert f"The disk of {home}" in text and "Nothing was written" in text
    assert "Traceback" not in text
    assert not home.exists()


PUBLISH = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from dagster_project.publish import publish_marts
    publish_marts(Path(sys.argv[1]), Path(sys.argv[2]), force=True)
    """
)


@pytest.mark.integration
def test_a_publish_killed_while_writing_keeps_the_published_file_and_is_redone(
    demo_load: LoadRun, tmp_path: Path
) -> None:
    build = demo_load.home / "build" / "warehouse.duckdb"
    published = tmp_path / "published" / "warehouse.duckdb"
    published.parent.mkdir()
    published.write_bytes(demo_load.published.read_bytes())
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    writer = subprocess.Popen([PYTHON, "-c", PUBLISH, str(build), str(published)], cwd=REPO)
    deadline = time.monotonic() + 120
    while not glob.glob(str(published.parent / ".warehouse.duckdb.*.tmp")):
        assert writer.poll() is None and time.monotonic() < deadline, "the publish never began"
        time.sleep(0.01)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before

    again = subprocess.run(
        [PYTHON, "-c", PUBLISH, str(build), str(published)], cwd=REPO, timeout=120
    )
    assert again.returncode == 0
    assert mart_contents(published) == mart_contents(demo_load.published)
    assert not glob.glob(str(published.parent / ".*.tmp*"))  # the killed one's files are gone


@pytest.mark.integration
def test_a_publish_that_cannot_write_keeps_the_published_file(
    demo_load: LoadRun, tmp_path: Path
) -> None:
    build = demo_load.home / "build" / "warehouse.duckdb"
    published = tmp_path / "published" / "warehouse.duckdb"
    published.parent.mkdir()
    published.write_bytes(demo_load.published.read_bytes())
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    code = textwrap.dedent(
        f"""
        from pathlib import Path
        from dagster_project.publish import publish_marts
        publish_marts(Path({str(build)!r}), Path({str(published)!r}), force=True)
        """
    )
    limit = published.stat().st_size // 4
    result = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO,
        preexec_fn=_fsize_limit(limit),
    )  # fmt: skip
    assert result.returncode != 0
    sentence = failure_sentence("published_warehouse", [result.stderr])
    assert f"No room to write {published.parent}/.warehouse.duckdb." in sentence
    assert "the published data is unchanged" in sentence
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in published.parent.iterdir()) == ["warehouse.duckdb"]


def test_tracebacks_of_the_work_go_to_the_log_and_not_to_the_officer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dagster_project.service import run_as_group

    child = textwrap.dedent(
        """
        import sys
        print("2026-01-01 - dagster - WARNING - a file name the pull refuses", file=sys.stderr)
        try:
            {}["x"]
        except KeyError:
            import traceback; traceback.print_exc()
        print("(sqlite3.OperationalError) database or disk is full", file=sys.stderr)
        sys.exit(3)
        """
    )
    log = tmp_path / "logs" / "tcd-load.log"
    code = run_as_group([PYTHON, "-c", child], dict(os.environ), stderr_log=log)
    shown = capsys.readouterr().err
    assert code == 3
    assert "a file name the pull refuses" in shown and "database or disk is full" in shown
    assert "Traceback" not in shown and "KeyError" not in shown and "OperationalError" not in shown
    assert str(log) in shown
    kept = log.read_text()
    assert "Traceback" in kept and "KeyError" in kept


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("OSError: [Errno 28] No space left on device: '/h/build/x.duckdb'", "/h/build/x.duckdb"),
        (
            'IO Error: Could not write file "/h/p/.w.duckdb.1.tmp": File too large',
            "/h/p/.w.duckdb.1.tmp",
        ),
        ("(sqlite3.OperationalError) database or disk is full", ""),
        ("KeyError: 'x'", None),
    ],
)
def test_a_refused_write_is_recognised_and_its_file_named(message: str, expected) -> None:
    from dagster_project.console_text import disk_full_path, without_class_name

    assert disk_full_path([message]) == expected
    sentence = failure_sentence("parsed_reports", [message])
    assert "Error" not in sentence.replace("IO Error", "") and "Errno" not in sentence
    assert without_class_name("(sqlite3.OperationalError) disk I/O error") == "disk I/O error"
