"""Report partitions: one per reporting period (half-year), the cycle reports arrive in.

Units are not a partition dimension: a period's partition holds every unit's reports of that
period, and what each period received is that partition's own metadata. Dagster's bookkeeping
(events, partition sets, range tags) then grows with the number of periods, about two a year,
not with the number of report versions, and a unit added to the registry (the 2025 communes)
needs no code change and no restart.

The key space runs from the registry's first year to the end of next year. A load runs the
periods that received something in one run (``BackfillPolicy.single_run``); a range never spans a
period that has no report at all, so a partition shows as materialised only when something was
parsed for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import dagster as dg

from dagster_project.ingest import load_registry
from dagster_project.settings import load_settings

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"


def period_codes(first_year: int, last_year: int) -> list[str]:
    return [f"{year}-H{half}" for year in range(first_year, last_year + 1) for half in (1, 2)]


def build_period_partitions() -> dg.StaticPartitionsDefinition:
    registry = load_registry(load_settings().registry_path)
    reporters = [unit for unit in registry.units if unit.reports]
    first_year = min((unit.valid_from.year for unit in reporters), default=date.today().year)
    return dg.StaticPartitionsDefinition(period_codes(first_year, date.today().year + 1))


period_partitions = build_period_partitions()


def all_periods() -> list[str]:
    return list(period_partitions.get_partition_keys())


def range_tags(first_period: str, last_period: str) -> dict[str, str]:
    """Run tags selecting the periods from ``first_period`` to ``last_period``."""
    periods = all_periods()
    for period in (first_period, last_period):
        if period not in periods:
            raise ValueError(
                f"Kỳ {period} nằm ngoài {periods[0]}..{periods[-1]} / "
                f"period {period} is outside {periods[0]}..{periods[-1]}"
            )
    return {RANGE_START_TAG: first_period, RANGE_END_TAG: last_period}


def keys_in_tags(tags: dict[str, str]) -> list[str]:
    """The period keys a pair of range tags selects."""
    selected = dg.PartitionKeyRange(tags[RANGE_START_TAG], tags[RANGE_END_TAG])
    return list(period_partitions.get_partition_keys_in_range(selected))


def run_periods(tags: dict[str, str]) -> list[str] | None:
    """The periods a run covers, from its tags; None when it is not a partitioned run."""
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return keys_in_tags(tags)
    if tags.get(PARTITION_TAG):
        return [tags[PARTITION_TAG]]
    return None


def period_segments(wanted: Iterable[str], reported: Iterable[str]) -> list[tuple[str, str]]:
    """Ranges of periods covering ``wanted`` that never cross a period with no report at all.

    ``reported`` is every period that holds a landed report version. Periods between two wanted
    ones that did receive reports are included (re-marking a period that holds data is true);
    a period that never received anything splits the range, so it never shows as materialised.
    """
    periods = all_periods()
    wanted_set, reported_set = set(wanted), set(reported) | set(wanted)
    segments: list[tuple[str, str]] = []
    start: str | None = None
    last_wanted: str | None = None
    for period in periods:
        if period not in reported_set:
            if start is not None and last_wanted is not None:
                segments.append((start, last_wanted))
            start = last_wanted = None
            continue
        if period in wanted_set:
            if start is None:
                start = period
            last_wanted = period
    if start is not None and last_wanted is not None:
        segments.append((start, last_wanted))
    return segments


def pending_periods(landing_entries, parsed_ids: set[str]) -> tuple[list[str], list[str]]:
    """Periods with report versions not parsed yet, and report_ids outside the key space."""
    known = set(all_periods())
    periods, outside = set(), []
    for entry in landing_entries:
        if entry.report_id in parsed_ids:
            continue
        if entry.period_code in known:
            periods.add(entry.period_code)
        else:
            outside.append(entry.report_id)
    return sorted(periods), outside
