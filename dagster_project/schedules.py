"""The nightly load, at 02:00 Vietnam time."""

import dagster as dg

from dagster_project.jobs import load_job
from dagster_project.partitions import range_tags


@dg.schedule(
    name="nightly_load",
    job=load_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Pull, parse, build, check and publish every night at 02:00 (Asia/Ho_Chi_Minh), over "
        "every report partition in one run; versions parsed before are skipped."
    ),
)
def nightly_load(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=None,
        tags=range_tags(),
    )
