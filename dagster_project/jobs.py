"""Jobs. A load is a pull, then one run over the periods that received something.

Splitting them keeps a nightly run's cost proportional to what arrived: the second run covers
only the periods with report versions not parsed yet (``load_plan``); when nothing arrived and
the build's inputs are those of the published warehouse, no second run starts at all.
"""

import dagster as dg

PULL_ASSETS = dg.AssetSelection.assets("reporting_units", "landed_reports")
PARSE_ASSETS = dg.AssetSelection.assets("parsed_reports")

pull_job = dg.define_asset_job(
    name="pull_reports",
    selection=PULL_ASSETS,
    description="Validate the registry and pull new report files into the landing area.",
)

load_job = dg.define_asset_job(
    name="load_warehouse",
    selection=dg.AssetSelection.all() - PULL_ASSETS,
    description=(
        "Parse the selected report partitions, build the warehouse with dbt, run every quality "
        "check and publish the marts if the blocking checks pass."
    ),
)

parse_job = dg.define_asset_job(
    name="parse_reports",
    selection=PARSE_ASSETS,
    description="Parse the selected periods' new report versions (no build, no publish).",
)

build_job = dg.define_asset_job(
    name="build_warehouse",
    selection=dg.AssetSelection.all() - PULL_ASSETS - PARSE_ASSETS,
    description="Build, check and publish from what is parsed already (no new reports).",
)
