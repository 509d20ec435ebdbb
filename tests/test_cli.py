"""The `tcd` command as a user meets it: help everywhere, sentences not tracebacks, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TCD = Path(sys.executable).with_name("tcd")
COMMANDS = ["load", "backfill", "validate", "template", "status", "sample", "ui", "docs"]


def tcd(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "TCD_PSEUDONYM_KEY"}
    return subprocess.run(
        [str(TCD), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**base, "COLUMNS": "200", **(env or {})},
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    result = tcd(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_load_without_a_key_says_what_to_do(tmp_path: Path) -> None:
    result = tcd("load", "--home", str(tmp_path / "home"), cwd=tmp_path)
    assert result.returncode == 2
    assert "TCD_PSEUDONYM_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_inbox_says_so_and_touches_nothing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    home = tmp_path / "home"
    result = tcd("load", "--home", str(home), "--inbox", str(inbox), "--demo-key", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "holds no report file: nothing to load" in result.stdout
    assert not (home / "published").exists()


def test_status_before_any_load_is_a_sentence(tmp_path: Path) -> None:
    result = tcd("status", "--home", str(tmp_path / "home"), cwd=tmp_path)
    assert result.returncode == 2
    assert "Nothing is published yet" in result.stderr


def test_a_template_made_for_a_unit_validates_without_error(tmp_path: Path) -> None:
    out = tmp_path / "088_2024-H1.xlsx"
    made = tcd("template", str(out), "--unit", "088", "--period", "2024-H1", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    checked = tcd("validate", str(out), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout


def test_template_for_an_unknown_unit_is_refused(tmp_path: Path) -> None:
    result = tcd("template", str(tmp_path / "x.xlsx"), "--unit", "999", "--period", "2024-H1",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "999" in result.stderr and "Traceback" not in result.stderr


def test_validate_exit_codes(tmp_path: Path) -> None:
    missing = tcd("validate", str(tmp_path / "088_2024-H1.xlsx"), cwd=tmp_path)
    assert missing.returncode == 2
    broken = tmp_path / "088_2024-H1.xlsx"
    broken.write_bytes(b"this is not a workbook")
    refused = tcd("validate", str(broken), cwd=tmp_path)
    assert refused.returncode == 1
    assert "DQ_FILE_UNREADABLE" in refused.stdout
