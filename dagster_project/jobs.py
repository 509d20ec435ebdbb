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


REFERENCE_BUILT_TAG = "tcd/reference_built"
"""Run tag of a last run that leaves out the reference-only models (``final_run_selection``)."""


def final_run_selection(
    defs: dg.Definitions, job_name: str, *, reference_built: bool
) -> list[dg.AssetKey] | None:
    """The assets the last run of a load materialises: the whole job, or (when the reference
    inputs are those the build database was built from) the job without the reference-only
    dbt models and seeds, whose tables stay as the last build left them."""
    if not reference_built:
        return None
    from dagster_project.assets.warehouse import reference_only_keys

    keys = defs.resolve_job_def(job_name).asset_layer.selected_asset_keys
    return sorted(keys - reference_only_keys())


def final_run_tags(plan) -> dict[str, str]:
    """The last run's tags: its partition range, and whether it leaves out the reference."""
    tags = dict(plan.final_tags)
    if plan.reference_built:
        tags[REFERENCE_BUILT_TAG] = "true"
    return tags
