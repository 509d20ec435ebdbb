"""An older DuckDB in its own virtual environment, installed from the package registry at test
time and cached under a stable temporary folder, so a test can open the published file in a real
second process with the DuckDB a BI tool bundles."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

OLD_DUCKDB = "1.1.3"
"""The oldest DuckDB the published file promises to open in (storage version v1.1.0)."""

_UNREACHABLE = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ConnectTimeoutError",
    "ProxyError",
)


def old_duckdb_python(version: str = OLD_DUCKDB) -> Path:
    """The interpreter of a venv holding ``duckdb==version``; skips only when the registry
    cannot be reached, fails on any other install error."""
    root = Path(tempfile.gettempdir()) / "tcd-test-envs"
    root.mkdir(exist_ok=True)
    venv = root / f"duckdb-{version}"
    python = venv / "bin" / "python"
    with open(root / f"duckdb-{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time across test processes
        if _has_duckdb(python, version):
            return python
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
        proc = subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
             f"duckdb=={version}"],
            capture_output=True,
            text=True,
            timeout=600,
        )  # fmt: skip
        if proc.returncode != 0:
            output = proc.stdout + proc.stderr
            if any(marker in output for marker in _UNREACHABLE):
                pytest.skip(f"package registry unreachable: cannot install duckdb=={version}")
            raise AssertionError(f"pip install duckdb=={version} failed:\n{output}")
        assert _has_duckdb(python, version)
    return python


def _has_duckdb(python: Path, version: str) -> bool:
    if not python.exists():
        return False
    proc = subprocess.run(
        [str(python), "-c", "import duckdb; print(duckdb.__version__)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc.returncode == 0 and proc.stdout.strip() == version
