"""`tcd report` as a user meets it before anything is published."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TCD = Path(sys.executable).with_name("tcd")


def tcd(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TCD), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_report_has_help(tmp_path: Path) -> None:
    result = tcd("report", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "--period" in result.stdout and "--plan" in result.stdout


def test_report_before_any_publish_says_what_to_do(tmp_path: Path) -> None:
    result = tcd(
        "report", "--period", "2024-H1", "--unit", "10", "--out", str(tmp_path / "out"),
        "--home", str(tmp_path / "home"), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Chưa có kho dữ liệu công bố" in result.stderr
    assert "tcd load" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
