"""deploy/: the instance file Dagster accepts, the services' command lines and their units."""

from __future__ import annotations

import configparser
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.service import INSTANCE_TEMPLATE, WORKSPACE, ensure_instance, service_commands

SYSTEMD = INSTANCE_TEMPLATE.parent / "systemd"


def test_the_instance_file_is_a_valid_dagster_instance(tmp_path: Path) -> None:
    ensure_instance(tmp_path)
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.run_monitoring_enabled
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"


def test_a_home_keeps_its_own_instance_file(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    ensure_instance(tmp_path)
    assert (tmp_path / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"


def test_the_ui_is_the_webserver_and_the_daemon_not_the_development_server() -> None:
    commands = service_commands(3000)
    assert set(commands) == {"dagster-webserver", "dagster-daemon"}
    for command in commands.values():
        assert "dev" not in command
        assert command[command.index("-w") + 1] == str(WORKSPACE)
    webserver = commands["dagster-webserver"]
    assert webserver[webserver.index("-h") + 1] == "127.0.0.1"


@pytest.mark.parametrize("unit", sorted(p.name for p in SYSTEMD.glob("*.service")))
def test_a_unit_restarts_on_failure_and_stops_cleanly(unit: str) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(SYSTEMD / unit)
    service = parser["Service"]
    assert service["EnvironmentFile"] == "/etc/tcd-warehouse/tcd.env"
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGINT"  # Dagster's graceful stop
    assert int(service["TimeoutStopSec"]) >= 30
    assert "deploy/workspace.yaml" in service["ExecStart"]
    assert parser["Install"]["WantedBy"] == "multi-user.target"
