"""One writer per home: the lock every command that writes the home holds while it runs.

``tcd load`` and ``tcd backfill`` take an exclusive ``flock`` on ``<home>/.tcd.lock`` before
they pull, parse or build, and keep it until every process they started has ended (the lock's
file descriptor is inherited by the process group that does the work, so a killed front process
does not free the home while its children are still writing). A second command on the same home
waits for the first, saying which command holds it, up to ``TCD_LOCK_WAIT_SECONDS``
(``--wait``); then it stops with one sentence and changes nothing.

The lock file also records who holds it (command, process ids, start time, a random token): the
next holder uses that to end processes an earlier holder left behind (see
:func:`end_leftovers`), and a waiting command uses it to say what it waits for. ``flock`` locks
end with the processes that hold them, so a crash or a ``kill -9`` never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

TOKEN_ENV = "TCD_RUN_TOKEN"
"""Environment variable that marks every process of one locked command (and its children)."""


class HomeBusy(Exception):
    """The home is locked by another command for longer than we were ready to wait."""


@dataclass
class Holder:
    """What the lock file says about the command that holds (or last held) the lock."""

    command: str = ""
    pid: int = 0
    group: int = 0
    token: str = ""
    started_at: str = ""

    def describe(self) -> str:
        since = f", từ / since {self.started_at} UTC" if self.started_at else ""
        return f"{self.command or 'tcd'} (pid {self.pid or '?'}{since})"


def read_holder(path: Path) -> Holder:
    try:
        record = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return Holder()
    fields = Holder.__dataclass_fields__
    return Holder(**{key: value for key, value in record.items() if key in fields})


class HomeLock:
    """An exclusive lock on one home, held through an open file descriptor."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(
        self,
        wait_seconds: float,
        on_wait: Callable[[Holder], None] | None = None,
        poll: float = 0.5,
    ) -> Holder:
        """Take the lock, waiting at most ``wait_seconds``; returns the previous holder's record.

        ``on_wait`` is called once, with the current holder, when the lock is busy.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + max(wait_seconds, 0)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = read_holder(self.path)
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise HomeBusy(holder.describe()) from None
                if not told and on_wait is not None:
                    on_wait(holder)
                    told = True
                time.sleep(poll)
        self.fd = fd
        return read_holder(self.path)

    def record(self, holder: Holder) -> None:
        """Say in the lock file who holds it now (read by waiting commands and the next holder)."""
        assert self.fd is not None
        data = json.dumps(holder.__dict__).encode()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def new_holder(command: str, token: str, group: int = 0) -> Holder:
    return Holder(
        command=command,
        pid=os.getpid(),
        group=group,
        token=token,
        started_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    )


def _processes_with_token(token: str) -> list[int]:
    """Processes of this user whose environment carries ``TCD_RUN_TOKEN=<token>`` (Linux)."""
    marker = f"{TOKEN_ENV}={token}".encode()
    found = []
    proc = Path("/proc")
    if not token or not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
    return found


def end_leftovers(previous: Holder, grace: float = 10.0) -> list[int]:
    """End the processes an earlier holder of the lock left running, before writing anything.

    A killed command's process group normally ends with it; this is the safety net for a group
    whose watcher was killed too (an out-of-memory kill, say). Only processes that carry the
    earlier holder's token are touched. Returns the process ids that had to be killed.
    """
    if not previous.token:
        return []
    deadline = time.monotonic() + grace
    while _processes_with_token(previous.token) and time.monotonic() < deadline:
        time.sleep(0.2)  # a group that is being killed takes a moment to go
    left = _processes_with_token(previous.token)
    for pid in left:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + grace
    while _processes_with_token(previous.token) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
