"""`tcd ui` is dagster-webserver plus dagster-daemon, and both go when it is told to stop."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.integration.browser import child_pids, process_group_members, tcd_ui

pytestmark = pytest.mark.integration


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_gone(pids: list[int], pgid: int, timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
        alive += [pid for pid in process_group_members(pgid) if pid not in alive]
        if not alive:
            return []
        time.sleep(0.5)
    return alive


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_ends_the_webserver_the_daemon_and_all_they_started(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    with tcd_ui(tmp_path / "home", "--demo-key") as (_, proc):
        children = {
            command_line(pid).split()[1].rsplit("/", 1)[-1]: pid for pid in child_pids(proc.pid)
        }
        assert set(children) == {"dagster-webserver", "dagster-daemon"}, children
        pgid = os.getpgid(children["dagster-webserver"])
        assert pgid != os.getpgid(proc.pid), "the children need a process group of their own"
        assert os.getpgid(children["dagster-daemon"]) == pgid
        time.sleep(5)  # let both start their code servers
        started = process_group_members(pgid)
        assert len(started) > 2, "the webserver and the daemon each start a code server"
        proc.send_signal(stop_signal)
        assert proc.wait(timeout=120) == 0
        left = wait_gone(started, pgid, timeout=30)
        assert not left, [command_line(pid) for pid in left]
