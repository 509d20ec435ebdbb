"""The code location loads and exposes the assets, checks, jobs and triggers operators rely on."""

from __future__ import annotations

import dagster as dg

from dagster_project.assets.warehouse import dbt_build_args
from dagster_project.definitions import defs


def asset_keys() -> set[str]:
    return {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_definitions_validate() -> None:
    dg.Definitions.validate_loadable(defs)


def test_the_flow_is_visible_as_assets() -> None:
    keys = asset_keys()
    for key in (
        "reporting_units",
        "landed_reports",
        "parsed_reports",
        "staging/stg_parsed__admissions",
        "marts/fct_admissions",
        "marts/mart_indicators",
        "marts/dq_issues",
        "published_warehouse",
    ):
        assert key in keys, key


def test_every_contract_mart_is_an_asset() -> None:
    keys = asset_keys()
    for mart in (
        "dim_reporting_unit",
        "dim_enterprise",
        "dim_period",
        "fct_admissions",
        "fct_enterprise_snapshots",
        "fct_organization_events",
        "mart_indicators",
        "mart_target_attainment",
        "mart_reporting_completeness",
        "dq_issues",
    ):
        assert f"marts/{mart}" in keys, mart


def test_assets_are_grouped_by_stage() -> None:
    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys() if graph.has(key)}
    assert {"sources", "staging", "intermediate", "marts", "quality", "publish"} <= groups


def test_publish_depends_on_every_mart() -> None:
    graph = defs.resolve_asset_graph()
    publish = graph.get(dg.AssetKey("published_warehouse"))
    marts = {k for k in graph.get_all_asset_keys() if k.path[0] == "marts"}
    assert marts and marts <= set(publish.parent_keys)


def test_dbt_tests_and_quality_checks_are_asset_checks() -> None:
    checks = {
        (key.asset_key.to_user_string(), key.name)
        for key in defs.resolve_asset_graph().asset_check_keys
    }
    assert any(asset == "marts/fct_admissions" and "unique" in name for asset, name in checks)
    blocking_assets = {asset for asset, _ in checks if asset.startswith("marts/")}
    assert "marts/fct_admissions" in blocking_assets


def test_jobs_split_pull_from_load_and_the_schedule_pulls_nightly() -> None:
    graph = defs.resolve_asset_graph()
    pull = defs.resolve_job_def("pull_reports")
    load = defs.resolve_job_def("load_warehouse")
    build = defs.resolve_job_def("build_warehouse")
    assert dg.AssetKey("landed_reports") in pull.asset_layer.selected_asset_keys
    assert dg.AssetKey("parsed_reports") in load.asset_layer.selected_asset_keys
    assert dg.AssetKey("landed_reports") not in load.asset_layer.selected_asset_keys
    assert dg.AssetKey("parsed_reports") not in build.asset_layer.selected_asset_keys
    assert dg.AssetKey("published_warehouse") in build.asset_layer.selected_asset_keys
    assert graph.has(dg.AssetKey("published_warehouse"))
    schedule = defs.resolve_schedule_def("nightly_load")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert schedule.job_name == "pull_reports"
    assert defs.resolve_sensor_def("new_report_files") is not None
    assert defs.resolve_sensor_def("load_after_pull") is not None


def test_report_parsing_is_partitioned_by_half_year_and_backfills_in_one_run() -> None:
    parsed = defs.resolve_assets_def("parsed_reports")
    assert isinstance(parsed.partitions_def, dg.StaticPartitionsDefinition)
    assert parsed.backfill_policy == dg.BackfillPolicy.single_run()
    keys = parsed.partitions_def.get_partition_keys()
    assert "2024-H1" in keys and "2023-H1" in keys
    assert len(keys) < 100  # grows by two a year, not with units or report versions


def test_parse_runs_are_a_job_of_their_own() -> None:
    parse = defs.resolve_job_def("parse_reports")
    assert parse.asset_layer.selected_asset_keys == {dg.AssetKey("parsed_reports")}


def test_dbt_command_line() -> None:
    assert dbt_build_args() == ["build", "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(full_refresh=True)[-1] == "--full-refresh"
