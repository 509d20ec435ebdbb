"""The nightly load, at 02:00 Vietnam time: a pull, which the `load_after_pull` sensor follows."""

import dagster as dg

from dagster_project.jobs import pull_job

nightly_load = dg.ScheduleDefinition(
    name="nightly_load",
    job=pull_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Every night at 02:00 (Asia/Ho_Chi_Minh): pull new reports. When the pull succeeds, the "
        "sensor load_after_pull parses what arrived, builds, checks and publishes."
    ),
)
