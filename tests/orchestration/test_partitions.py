"""Report partitions: one per half-year, selected as ranges that never cross an empty period."""

from __future__ import annotations

import pytest

from dagster_project.partitions import (
    all_periods,
    keys_in_tags,
    pending_periods,
    period_segments,
    range_tags,
    run_periods,
)


def test_partitions_are_half_years_and_hold_no_unit() -> None:
    periods = all_periods()
    assert "2024-H1" in periods and "2024-H2" in periods
    assert all("|" not in key for key in periods)


def test_a_period_range_selects_exactly_those_periods() -> None:
    assert keys_in_tags(range_tags("2023-H1", "2024-H1")) == ["2023-H1", "2023-H2", "2024-H1"]


def test_a_period_outside_the_key_space_is_refused_in_both_languages() -> None:
    with pytest.raises(ValueError, match=r"nằm ngoài.*outside"):
        range_tags("1800-H1", "2024-H1")


def test_one_new_period_is_one_range_of_one_period() -> None:
    assert period_segments(["2024-H2"], ["2023-H1", "2024-H2"]) == [("2024-H2", "2024-H2")]


def test_periods_that_hold_reports_join_two_wanted_periods_into_one_range() -> None:
    reported = ["2023-H1", "2023-H2", "2024-H1"]
    assert period_segments(["2023-H1", "2024-H1"], reported) == [("2023-H1", "2024-H1")]


def test_a_period_without_any_report_splits_the_range() -> None:
    reported = ["2022-H1", "2024-H1"]  # 2022-H2 .. 2023-H2 never received a report
    assert period_segments(["2022-H1", "2024-H1"], reported) == [
        ("2022-H1", "2022-H1"),
        ("2024-H1", "2024-H1"),
    ]


class _Entry:
    def __init__(self, report_id: str, period_code: str) -> None:
        self.report_id, self.period_code = report_id, period_code


def test_pending_periods_skip_parsed_versions_and_name_those_outside() -> None:
    entries = [
        _Entry("088_2024-H1_v1_aaaaaaaa", "2024-H1"),
        _Entry("088_2023-H2_v1_bbbbbbbb", "2023-H2"),
        _Entry("088_1990-H1_v1_cccccccc", "1990-H1"),
    ]
    periods, outside = pending_periods(entries, {"088_2023-H2_v1_bbbbbbbb"})
    assert periods == ["2024-H1"]
    assert outside == ["088_1990-H1_v1_cccccccc"]


def test_a_run_covers_its_range_or_its_one_period_or_everything() -> None:
    assert run_periods(range_tags("2023-H2", "2024-H1")) == ["2023-H2", "2024-H1"]
    assert run_periods({"dagster/partition": "2024-H1"}) == ["2024-H1"]
    assert run_periods({}) is None
