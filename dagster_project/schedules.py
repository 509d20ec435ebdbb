"""The nightly load, at 02:00 Vietnam time."""

import dagster as dg

from dagster_project.jobs import load_job

nightly_load = dg.ScheduleDefinition(
    name="nightly_load",
    job=load_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Pull, parse, build, check and publish every night at 02:00 (Asia/Ho_Chi_Minh).",
)
