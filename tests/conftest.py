"""Fixtures shared by every test folder: the session's one real load of the demo sample.

A Dagster + dbt run costs tens of seconds of start-up, so the bundled sample is loaded once per
session into a temporary home, and every test that needs a published warehouse reads that one.
"""

from __future__ import annotations

import pytest

from tests.integration.conftest import LoadRun, run_load


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `long` start first: on two workers they then run beside the many short
    ones instead of last and alone. The order is otherwise kept."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session")
def demo_load(tmp_path_factory: pytest.TempPathFactory) -> LoadRun:
    """The bundled sample reports, loaded from the registry's pull locations."""
    home = tmp_path_factory.mktemp("demo_home")
    run = run_load(home, "--demo-key")
    assert run.returncode == 0, run.stdout + run.stderr
    return run
