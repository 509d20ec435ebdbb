"""The dbt project as Dagster sees it, kept in its own module for `prepare-and-package`."""

from __future__ import annotations

import functools
import importlib.metadata
import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from dagster_project.settings import DBT_PROJECT_DIR

BIN_DIR = Path(sys.executable).parent
DBT_EXECUTABLE = str(BIN_DIR / "dbt")
"""dbt from this environment, whatever PATH the UI, a schedule or a test was started with."""

if str(BIN_DIR) not in os.environ.get("PATH", "").split(os.pathsep):
    # The manifest preparer under `dagster dev` runs plain `dbt`.
    os.environ["PATH"] = str(BIN_DIR) + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


def manifest_is_stale() -> bool:
    """True when dbt files changed after the manifest was prepared (or it was never prepared)."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    project_dir = Path(dbt_project.project_dir)
    target = project_dir / "target"
    return any(
        path.stat().st_mtime > built
        for path in project_dir.rglob("*")
        if path.suffix in {".sql", ".yml", ".yaml", ".csv", ".md"} and target not in path.parents
    )


def ensure_manifest() -> None:
    """Prepare dbt's manifest when it is missing or older than the dbt project's files."""
    if manifest_is_stale():
        dbt_project.preparer.prepare(dbt_project)


class WarehouseDbtCli(DbtCliResource):
    """dbt as the warehouse runs it: the dbt CLI of this environment in a subprocess, nothing more.

    Before every dbt command, dagster-dbt also opens a dbt adapter in this process (about 3 s of
    loading dbt's macros) for two optional extras, row counts and column metadata of the built
    tables, which the warehouse does not ask for. The subprocess does the work either way.
    """

    def _initialize_dbt_core_adapter(self, args):
        return None

    @functools.cached_property
    def _cli_version(self) -> version.Version:
        """The version of dbt-core installed here, which is what ``DBT_EXECUTABLE`` runs.

        dagster-dbt would ask by running ``dbt --version`` before every dbt command: a second
        dbt start-up, about 1.5 s of every build.
        """
        return version.parse(importlib.metadata.version("dbt-core"))
