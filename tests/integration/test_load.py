"""`tcd load` on the bundled sample: the walking path from files to the published warehouse."""

from __future__ import annotations

from dagster_project.publish import CONTRACT_TABLES
from tests.integration.conftest import LoadRun, run_load


def test_load_publishes_the_warehouse(demo_load: LoadRun) -> None:
    assert demo_load.published.exists()
    assert "accepted" in demo_load.stdout
    assert str(demo_load.published) in demo_load.stdout.replace("\n", "")


def test_published_file_holds_the_contract_marts(demo_load: LoadRun) -> None:
    tables = {
        row[0]
        for row in demo_load.query(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    }
    assert {*CONTRACT_TABLES, "mart_reporting_rate", "dim_dq_rule", "publish_log"} <= tables


def test_only_marts_are_published(demo_load: LoadRun) -> None:
    schemas = {
        row[0]
        for row in demo_load.query("select distinct table_schema from information_schema.tables")
    }
    assert schemas == {"marts"}


def test_no_personal_data_reaches_the_published_file(demo_load: LoadRun) -> None:
    columns = {
        row[0].lower()
        for row in demo_load.query("select column_name from information_schema.columns")
    }
    for forbidden in (
        "ho_ten",
        "full_name",
        "name_raw",
        "cccd",
        "citizen_id",
        "birth_date",
        "ngay_sinh",
    ):
        assert forbidden not in columns
    keys = demo_load.query("select member_key from marts.fct_admissions limit 50")
    assert keys and all(len(key) == 64 for (key,) in keys)


def test_every_admission_traces_to_a_report(demo_load: LoadRun) -> None:
    orphans = demo_load.scalar(
        "select count(*) from marts.fct_admissions a left join marts.mart_reporting_completeness c "
        "on a.report_id = c.report_id where c.report_id is null"
    )
    assert orphans == 0


def test_the_same_inbox_twice_changes_nothing_and_runs_nothing_after_the_pull(
    demo_load: LoadRun, tmp_path
) -> None:
    before = demo_load.published.read_bytes()
    again = run_load(demo_load.home, "--demo-key")
    assert again.returncode == 0, again.stdout + again.stderr
    assert demo_load.published.read_bytes() == before
    assert "Nothing new" in again.stdout
    assert "load_warehouse" not in again.stdout and "build_warehouse" not in again.stdout


def test_each_period_partition_shows_what_that_period_received(demo_load: LoadRun) -> None:
    """parsed_reports is partitioned by half-year: only periods that received reports are
    materialised, each with its own counts, and Dagster's bookkeeping does not grow per report."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(demo_load.home / "dagster"))
    try:
        events = instance.fetch_materializations(dg.AssetKey("parsed_reports"), limit=1000).records
        parsed_now = {
            event.partition_key: event.asset_materialization.metadata["parsed_now"].value
            for event in events
        }
    finally:
        instance.dispose()
    from collections import Counter

    from dagster_project.ingest import Landing

    per_period = Counter(entry.period_code for entry in Landing(demo_load.home).entries())
    assert parsed_now == dict(per_period)
    assert len(events) == len(per_period) < 20
