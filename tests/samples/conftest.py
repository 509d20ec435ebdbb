"""One demo sample per test session: generating it takes about a second."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcd_samples import generate


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out)
    return out


@pytest.fixture(scope="session")
def demo_reports(demo_dir: Path):
    from sample_readback import read_report, report_paths

    return [read_report(p) for p in report_paths(demo_dir)]
