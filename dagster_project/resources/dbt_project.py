"""The dbt project as Dagster sees it, kept in its own module for `prepare-and-package`."""

from __future__ import annotations

from dagster_dbt import DbtProject

from dagster_project.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
