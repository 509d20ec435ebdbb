"""A real PostgreSQL server on 127.0.0.1 for instance-storage tests, started and stopped here.

It uses the server binaries of the machine's PostgreSQL (Debian's `postgresql` package:
`apt-get install postgresql`); as root it runs them as the `postgres` user, because the server
refuses to run as root. Tests are skipped, saying why, where no server binary is found.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

DEPLOY_INSTANCE = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml"


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    database: str

    def env(self) -> dict[str, str]:
        """The variables deploy/dagster.yaml's PostgreSQL block reads."""
        return {
            "TCD_DAGSTER_PG_HOST": self.host,
            "TCD_DAGSTER_PG_PORT": str(self.port),
            "TCD_DAGSTER_PG_USER": self.user,
            "TCD_DAGSTER_PG_PASSWORD": "",
            "TCD_DAGSTER_PG_DB": self.database,
        }


def server_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_instance_yaml() -> str:
    """deploy/dagster.yaml with its commented PostgreSQL storage block switched on."""
    lines = DEPLOY_INSTANCE.read_text(encoding="utf-8").splitlines()
    out, in_block = [], False
    for line in lines:
        if line.startswith("# storage:"):
            in_block = True
        if in_block and not line.startswith("#"):
            in_block = False
        out.append(line[2:] if in_block else line)
    text = "\n".join(out) + "\n"
    assert "\nstorage:\n  postgres:" in text, "deploy/dagster.yaml lost its PostgreSQL block"
    return text


@contextmanager
def running_postgres() -> Iterator[Postgres]:
    bin_dir = server_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (apt-get install postgresql)")
    as_user: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run the server as")
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="tcd-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if owner is not None:
        for path in (root, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "dagster", "--auth=trust", "-E", "UTF8")
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
        "-w", "start")  # fmt: skip
    try:
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "dagster",
            "dagster")  # fmt: skip
        yield Postgres("127.0.0.1", port, "dagster", "dagster")
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
