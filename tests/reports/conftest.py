from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.reports import DEMO_KEY, ParseResult, parse_report
from tests.reports.builders import make_meta


@pytest.fixture
def parse():
    """Parse a fixture file with the demo key and the Sa Pa unit names."""

    def run(path: Path, **meta_kwargs) -> ParseResult:
        return parse_report(path, make_meta(path, **meta_kwargs), DEMO_KEY)

    return run


def rules(result: ParseResult) -> list[str]:
    return result.findings.column("rule_code").to_pylist()
