"""The dbt project as Dagster sees it, kept in its own module for `prepare-and-package`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from dagster_project.settings import DBT_PROJECT_DIR

BIN_DIR = Path(sys.executable).parent
DBT_EXECUTABLE = str(BIN_DIR / "dbt")
"""dbt from this environment, whatever PATH the UI, a schedule or a test was started with."""

if str(BIN_DIR) not in os.environ.get("PATH", "").split(os.pathsep):
    # The manifest preparer under `dagster dev` runs plain `dbt`.
    os.environ["PATH"] = str(BIN_DIR) + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
