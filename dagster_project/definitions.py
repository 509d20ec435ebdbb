"""The tcd-warehouse code location: one Definitions with every asset, check, job and trigger."""

import dagster as dg

from dagster_project.assets.evaluation import evaluation_reports
from dagster_project.assets.ingestion import landed_reports, parsed_reports, reporting_units
from dagster_project.assets.publish import published_warehouse
from dagster_project.assets.reporting import target_attainment_chart
from dagster_project.assets.warehouse import warehouse_dbt
from dagster_project.jobs import build_job, load_job, pull_job
from dagster_project.quality import build_quality_checks
from dagster_project.resources import WarehouseResource, dbt_project
from dagster_project.resources.dbt_project import DBT_EXECUTABLE, WarehouseDbtCli
from dagster_project.run_history import fast_sqlite_commits
from dagster_project.schedules import nightly_load
from dagster_project.sensors import load_after_pull, new_report_files

fast_sqlite_commits()  # every process that runs these definitions writes events with it

defs = dg.Definitions(
    assets=[
        reporting_units,
        landed_reports,
        parsed_reports,
        warehouse_dbt,
        published_warehouse,
        target_attainment_chart,
        evaluation_reports,
    ],
    asset_checks=build_quality_checks(),
    jobs=[pull_job, load_job, build_job],
    schedules=[nightly_load],
    sensors=[new_report_files, load_after_pull],
    resources={
        "warehouse": WarehouseResource.from_environment(),
        "dbt": WarehouseDbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
)
