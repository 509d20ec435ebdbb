"""The dbt profile: DuckDB's memory bound is set once per database, not on every cursor."""

from __future__ import annotations

import yaml

from dagster_project.settings import DBT_PROJECT_DIR

SPILL_SETTINGS = {"memory_limit", "temp_directory"}


def test_the_memory_bound_and_spill_folder_are_set_when_the_database_opens() -> None:
    """dbt-duckdb runs a profile's ``settings`` as SET on every thread's cursor; once a build has
    spilled (a national history does), DuckDB refuses to switch the temporary directory and
    every later node fails. ``config_options`` are applied once, when the database opens."""
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    target = profile["tcd_warehouse"]["outputs"]["dev"]
    assert set(target.get("config_options", {})) >= SPILL_SETTINGS
    assert not SPILL_SETTINGS & set(target.get("settings") or {})
