"""Child processes that stop together: `tcd ui`'s services, and the work of `tcd load`.

`tcd ui`: dagster-webserver and dagster-daemon as two children that stop together.

`dagster dev` is Dagster's development server; a team's server runs the webserver and the daemon
(see `deploy/`). `tcd ui` runs the same two programs on one machine, in one process group of
their own, so that Ctrl-C in a terminal, or SIGTERM from a supervisor, stops both of them and
every code server and run worker they started. Dagster's own graceful stop is SIGINT: each child
gets it first, then the group gets SIGTERM and finally SIGKILL if anything is still there.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from dagster_project.settings import REPO_ROOT

DEPLOY_DIR = REPO_ROOT / "deploy"
WORKSPACE = DEPLOY_DIR / "workspace.yaml"
INSTANCE_TEMPLATE = DEPLOY_DIR / "dagster.yaml"
GRACE_SECONDS = 20.0
"""How long the children get to stop after SIGINT before the group is terminated."""

log = logging.getLogger(__name__)


def ensure_instance(dagster_home: Path) -> Path:
    """Give a Dagster home the project's instance settings unless it has its own already."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    instance_yaml = dagster_home / "dagster.yaml"
    if not instance_yaml.exists():
        instance_yaml.write_text(INSTANCE_TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    return instance_yaml


def initialise_storage() -> None:
    """Create the instance's databases once, before two processes race to create them.

    On a new Dagster home, a webserver and a daemon started together would both create the
    SQLite schema and stamp its migration table twice, after which neither loads the code.
    """
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        instance.get_runs(limit=1)
        instance.get_asset_keys(limit=1)


def service_commands(
    port: int, *, host: str = "127.0.0.1", workspace: Path = WORKSPACE
) -> dict[str, list[str]]:
    """The two command lines, from this environment's scripts, on one workspace file."""
    bin_dir = Path(sys.executable).parent
    return {
        "dagster-webserver": [
            str(bin_dir / "dagster-webserver"),
            "-w", str(workspace),
            "-h", host,
            "-p", str(port),
        ],
        "dagster-daemon": [str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace)],
    }  # fmt: skip


class Services:
    """The running children, in one new process group led by the first of them."""

    def __init__(self, commands: dict[str, Sequence[str]], env: dict[str, str] | None = None):
        self.procs: dict[str, subprocess.Popen] = {}
        group = 0
        for name, command in commands.items():
            proc = subprocess.Popen(
                list(command), cwd=REPO_ROOT, env=env, process_group=group, stdin=subprocess.DEVNULL
            )
            self.procs[name] = proc
            group = group or proc.pid
        self.pgid = group

    def exited(self) -> dict[str, int]:
        return {name: p.returncode for name, p in self.procs.items() if p.poll() is not None}

    def group_alive(self) -> bool:
        try:
            os.killpg(self.pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # a process we cannot signal is still in the group
            return True
        return True

    def _signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, sig)

    def _wait_group(self, deadline: float) -> bool:
        while time.monotonic() < deadline:
            for proc in self.procs.values():
                proc.poll()
            if not self.group_alive():
                return True
            time.sleep(0.2)
        return False

    def stop(self, grace: float = GRACE_SECONDS) -> None:
        """SIGINT to each child, SIGTERM to the group, then SIGKILL: never leave one behind."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        if self._wait_group(time.monotonic() + grace):
            return
        self._signal_group(signal.SIGTERM)
        if self._wait_group(time.monotonic() + 10):
            return
        self._signal_group(signal.SIGKILL)
        self._wait_group(time.monotonic() + 10)


def run_services(commands: dict[str, Sequence[str]], env: dict[str, str] | None = None) -> int:
    """Run the children until one exits or this process gets SIGINT/SIGTERM; stop them all.

    Returns 0 after a requested stop, else the exit code of the child that ended first.
    """
    requested: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        requested.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    services = Services(commands, env)
    try:
        while not requested and not services.exited():
            time.sleep(0.2)
    finally:
        services.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if requested:
        return 0
    name, code = next(iter(services.exited().items()))
    log.error("%s exited with code %s; the other was stopped.", name, code)
    return code or 1


# -- `tcd load` and `tcd backfill`: the work in a process group that dies with the command ------
#
# The process the officer started (the front) runs the same command again as one child that
# leads a new process group; everything the work starts (Dagster's log tails, parse workers,
# dbt) inherits that group. The front forwards SIGINT, SIGTERM and SIGHUP to the group and ends
# it (SIGKILL after a grace period) before it exits. A front killed with SIGKILL cannot do that,
# so the child watches it: it holds the read end of a pipe whose only write end is the front's,
# and when that pipe reports end-of-file (the front is gone, however it died) the child kills its
# whole group. A run killed that way is marked failed by the next command (see cli.py).

WATCH_FD_ENV = "TCD_WATCH_FD"
"""In the child: the file descriptor of the pipe that ends when the front process is gone."""
STOP_GRACE_SECONDS = 10.0
"""How long the group gets to stop after the forwarded signal before it is killed."""


def watch_parent(fd: int) -> None:
    """In the child: kill this process group as soon as the front process is gone."""

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(fd, 1):
                pass
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="tcd-parent-watch", daemon=True).start()
    os.register_at_fork(before=_note_forking_parent, after_in_child=_die_with_parent)


PR_SET_PDEATHSIG = 1
_forking_parent = 0


def _note_forking_parent() -> None:
    global _forking_parent
    _forking_parent = os.getpid()


def _die_with_parent() -> None:
    """In a process forked by the work (a parse worker): die when the work's process dies.

    The group is normally ended as a whole; this covers a work process killed on its own (an
    out-of-memory kill), whose forked workers would otherwise wait on their queue for ever.
    """
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != _forking_parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, read from /proc (Linux).

    A zombie is already gone for every purpose here (it holds no file or lock) but still counts
    for ``killpg``, and one whose parent died waits for an init that may never reap it.
    """
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


_TRACE_START = re.compile(
    r"^(Traceback \(most recent call last\)|Stack Trace:|The above exception (was|occurred)"
    r"|During handling of the above exception|--- Logging error ---)"
)
_CLASS_LINE = re.compile(r"^\(?[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b\)?(:|$)")
_CLASS_NAME = re.compile(r"\(?\b[A-Za-z_]\w*(?:\.\w+)*(?:Error|Exception)\b\)?:?")


class TracebackFilter:
    """Drops Python tracebacks and exception class lines from a stream of text lines.

    What Dagster and dbt print when a step fails (the error's class, its stack, its causes) is
    for a developer: the officer gets the load's summary, which says in one sentence what
    failed, and the whole stream is kept in a log file the summary names.
    """

    def __init__(self, note: str) -> None:
        self.note = note
        self.inside = False
        self.dropped = False

    def feed(self, line: str) -> list[str]:
        text = line.rstrip("\n")
        starts = bool(_TRACE_START.match(text))
        in_block = not text.strip() or text[:1].isspace() or text.startswith('File "')
        if starts or (self.inside and in_block):
            self.inside = self.dropped = True
            return []
        if _CLASS_LINE.match(text):
            self.dropped = True
            return []
        self.inside = False
        if text.strip() == "Arguments: ()" or text.startswith(("Message: '{", "(Background on")):
            return []  # the tail of a logging error's report, SQLAlchemy's link
        if _CLASS_NAME.search(text):
            line = _CLASS_NAME.sub("", text).replace("  ", " ") + "\n"
            self.dropped = True
        out = []
        if self.dropped:
            out.append(self.note + "\n")
            self.dropped = False
        out.append(line)
        return out

    def close(self) -> list[str]:
        return [self.note + "\n"] if self.dropped else []


def _relay(stream, log_path: Path, note: str) -> None:
    """Copy the child's stderr to the log file, and to ours without tracebacks."""
    keep = TracebackFilter(note)
    with contextlib.suppress(OSError), log_path.open("a", encoding="utf-8") as log:
        for line in stream:
            log.write(line)
            log.flush()
            for shown in keep.feed(line):
                sys.stderr.write(shown)
            sys.stderr.flush()
        for shown in keep.close():
            sys.stderr.write(shown)


def run_as_group(
    argv: Sequence[str],
    env: dict[str, str],
    pass_fds: Sequence[int] = (),
    grace: float = STOP_GRACE_SECONDS,
    stderr_log: Path | None = None,
) -> int:
    """Run ``argv`` as the leader of a new process group; end the group before returning.

    Returns the child's exit code, or 128 + the signal number when this process was asked to
    stop (SIGINT, SIGTERM, SIGHUP), as shells report it.
    """
    read_end, write_end = os.pipe()
    requested: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        requested.append(signum)

    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, on_signal) for sig in stop_signals}
    relay = None
    try:
        proc = subprocess.Popen(
            list(argv),
            env={**env, WATCH_FD_ENV: str(read_end)},
            pass_fds=(read_end, *pass_fds),
            process_group=0,
            stderr=subprocess.PIPE if stderr_log else None,
            text=True,
            errors="replace",
        )
    finally:
        os.close(read_end)
    if stderr_log is not None:
        stderr_log.parent.mkdir(parents=True, exist_ok=True)
        note = f"(chi tiết kỹ thuật / technical details: {stderr_log})"
        relay = threading.Thread(target=_relay, args=(proc.stderr, stderr_log, note), daemon=True)
        relay.start()
    pgid = proc.pid
    forwarded = False
    deadline = None
    try:
        while True:
            # Wait without reaping: the group id cannot be reused while the leader is unreaped.
            status = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if status is not None:
                break
            if requested and not forwarded:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, requested[0])
                forwarded = True
                deadline = time.monotonic() + grace
            if deadline is not None and time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                deadline = None
            time.sleep(0.05)
        # The leader has ended: end whatever it left in its group, then reap it.
        if any(pid != proc.pid for pid in group_members(pgid)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        code = proc.wait()
        if relay is not None:
            relay.join(timeout=10)
        end = time.monotonic() + 10
        while group_members(pgid) and time.monotonic() < end:
            time.sleep(0.05)
    finally:
        os.close(write_end)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if requested:
        return 128 + requested[0]
    return code if code >= 0 else 128 - code
