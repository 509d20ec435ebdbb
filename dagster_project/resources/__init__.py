"""Dagster resources: where the warehouse lives and how dbt is invoked."""

from dagster_project.resources.dbt_project import dbt_project
from dagster_project.resources.warehouse import WarehouseResource

__all__ = ["WarehouseResource", "dbt_project"]
