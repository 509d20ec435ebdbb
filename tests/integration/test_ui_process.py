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


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


@pytest.mark.parametrize(
    ("stop_signal", "background"),
    [(signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGINT, True)],
    ids=["SIGINT-key-in-dot-env", "SIGTERM", "SIGINT-started-in-background"],
)
def test_a_stop_signal_ends_the_webserver_the_daemon_and_all_they_started(
    tmp_path: Path, stop_signal: signal.Signals, background: bool
) -> None:
    """The first case also starts from a folder whose .env holds the key (no --demo-key):
    runs launched from the UI (by the daemon, or the webserver) inherit their environment."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    dot_env = stop_signal == signal.SIGINT and not background
    if dot_env:
        (workdir / ".env").write_text("TCD_PSEUDONYM_KEY=key-from-dot-env\n", encoding="utf-8")
    args = () if dot_env else ("--demo-key",)
    with tcd_ui(tmp_path / "home", *args, background=background, cwd=workdir) as (_, proc):
        children = {
            command_line(pid).split()[1].rsplit("/", 1)[-1]: pid for pid in child_pids(proc.pid)
        }
        assert set(children) == {"dagster-webserver", "dagster-daemon"}, children
        if dot_env:
            environments = [environment_of(pid) for pid in children.values()]
            assert all(env.get("TCD_PSEUDONYM_KEY") == "key-from-dot-env" for env in environments)
            assert all("TCD_DEMO_KEY" not in env for env in environments)
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
