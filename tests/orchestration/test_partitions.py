"""Report partitions: period x unit, selected as the smallest box that holds what changed."""

from __future__ import annotations

from dagster_project.partitions import (
    keys_in_tags,
    period_range_tags,
    range_tags,
    report_partitions,
)


def test_the_box_holds_every_changed_partition_and_no_other_period_or_unit() -> None:
    changed = ["2024-H1|088", "2023-H2|080", "2024-H1|37-CQDN"]
    selected = keys_in_tags(range_tags(changed))
    assert set(changed) <= set(selected)
    periods = {key.split("|")[0] for key in selected}
    assert periods == {"2023-H2", "2024-H1"}


def test_one_period_for_every_unit_is_exactly_that_period() -> None:
    units = report_partitions.get_partitions_def_for_dimension("unit").get_partition_keys()
    changed = [f"2024-H2|{unit}" for unit in units]
    assert sorted(keys_in_tags(range_tags(changed))) == sorted(changed)


def test_no_keys_select_every_partition() -> None:
    assert len(keys_in_tags(range_tags())) == len(report_partitions.get_partition_keys())


def test_a_period_backfill_covers_every_unit_of_those_periods() -> None:
    selected = keys_in_tags(period_range_tags("2023-H1", "2023-H2"))
    units = report_partitions.get_partitions_def_for_dimension("unit").get_partition_keys()
    assert len(selected) == 2 * len(units)
    assert {key.split("|")[0] for key in selected} == {"2023-H1", "2023-H2"}
