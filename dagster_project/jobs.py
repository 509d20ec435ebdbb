"""Jobs: the full load (pull, parse, build, check, publish)."""

import dagster as dg

load_job = dg.define_asset_job(
    name="load_warehouse",
    selection=dg.AssetSelection.all(),
    description=(
        "Pull new reports, parse them, build the warehouse with dbt, run every quality check "
        "and publish the marts if the blocking checks pass."
    ),
)
