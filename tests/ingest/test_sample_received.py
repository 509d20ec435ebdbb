"""The bundled sample states when each report was sent, and a pull keeps exactly that date."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dagster_project.ingest import load_registry, pull_all
from dagster_project.ingest.periods import period_bounds
from dagster_project.settings import DEFAULT_REPORT_DEADLINE_DAYS


def test_pulling_the_bundled_sample_keeps_its_submission_dates(tmp_path: Path) -> None:
    registry = load_registry()
    result = pull_all(registry, tmp_path / "home")
    assert result.rejected == []
    listed: dict[str, datetime] = {}
    for unit in registry.units:
        if unit.reports and unit.location and unit.location.startswith("file:"):
            index = Path(unit.location.removeprefix("file://")) / "index.json"
            if index.is_file():
                for record in json.loads(index.read_text("utf-8"))["files"]:
                    stem = record["name"].removesuffix(".xlsx").removesuffix(".zip")
                    listed[stem] = datetime.fromisoformat(record["received_at"]).astimezone(UTC)
    received = {f"{e.unit_code}_{e.period_code}": e.received_at for e in result.landed}
    assert received == listed  # every report landed, each with the date its folder states
    late = [
        stem
        for stem, moment in received.items()
        if moment.date()
        > period_bounds(stem.rsplit("_", 1)[1])[1] + timedelta(days=DEFAULT_REPORT_DEADLINE_DAYS)
    ]
    assert 0 < len(late) < len(received) / 5  # most on time, a few late
