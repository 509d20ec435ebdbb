"""Report partitions: one per reporting period and reporting unit.

The key space is fixed when the code location loads: every half-year from the registry's first
validity year to the end of next year, times every unit of the registry that sends reports. A
load runs a whole range of partitions in one run (``BackfillPolicy.single_run``), so a backfill
of hundreds of partitions pays Dagster's start-up once.
"""

from datetime import date

import dagster as dg

from dagster_project.ingest import load_registry
from dagster_project.settings import load_settings

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def period_codes(first_year: int, last_year: int) -> list[str]:
    return [f"{year}-H{half}" for year in range(first_year, last_year + 1) for half in (1, 2)]


def build_report_partitions() -> dg.MultiPartitionsDefinition:
    registry = load_registry(load_settings().registry_path)
    reporters = [unit for unit in registry.units if unit.reports]
    first_year = min((unit.valid_from.year for unit in reporters), default=date.today().year)
    units = sorted({unit.code for unit in reporters})
    return dg.MultiPartitionsDefinition(
        {
            "period": dg.StaticPartitionsDefinition(
                period_codes(first_year, date.today().year + 1)
            ),
            "unit": dg.StaticPartitionsDefinition(units),
        }
    )


report_partitions = build_report_partitions()


def partition_key(period_code: str, unit_code: str) -> str:
    return dg.MultiPartitionKey({"period": period_code, "unit": unit_code})


def range_tags(keys: list[str] | None = None) -> dict[str, str]:
    """Run tags selecting the smallest box of partitions holding ``keys`` (all if None).

    A range over two dimensions is a box: every period from the first to the last of ``keys``
    times every unit from the first to the last. New reports of one period for every unit, the
    nightly case, make a box of exactly that period.
    """
    periods = report_partitions.get_partitions_def_for_dimension("period").get_partition_keys()
    units = report_partitions.get_partitions_def_for_dimension("unit").get_partition_keys()
    if not keys:
        return {
            RANGE_START_TAG: partition_key(periods[0], units[0]),
            RANGE_END_TAG: partition_key(periods[-1], units[-1]),
        }
    pairs = [str(key).split("|", 1) for key in keys]
    key_periods = sorted({period for period, _ in pairs}, key=periods.index)
    key_units = sorted({unit for _, unit in pairs}, key=units.index)
    return {
        RANGE_START_TAG: partition_key(key_periods[0], key_units[0]),
        RANGE_END_TAG: partition_key(key_periods[-1], key_units[-1]),
    }


def keys_in_tags(tags: dict[str, str]) -> list[str]:
    """The partition keys a pair of range tags selects."""
    selected = dg.PartitionKeyRange(tags[RANGE_START_TAG], tags[RANGE_END_TAG])
    return report_partitions.get_partition_keys_in_range(selected)


def period_range_tags(first_period: str, last_period: str) -> dict[str, str]:
    """Tags selecting every unit's partitions from ``first_period`` to ``last_period``."""
    periods = report_partitions.get_partitions_def_for_dimension("period").get_partition_keys()
    units = report_partitions.get_partitions_def_for_dimension("unit").get_partition_keys()
    for period in (first_period, last_period):
        if period not in periods:
            raise ValueError(
                f"Kỳ {period} nằm ngoài {periods[0]}..{periods[-1]} / "
                f"period {period} is outside {periods[0]}..{periods[-1]}"
            )
    return {
        RANGE_START_TAG: partition_key(first_period, units[0]),
        RANGE_END_TAG: partition_key(last_period, units[-1]),
    }


def pending_partition_keys(landing_entries, parsed_dir) -> tuple[list[str], list[str]]:
    """Partitions with report versions not parsed yet, and report_ids outside the key space."""
    known = set(report_partitions.get_partition_keys())
    keys, outside = set(), []
    for entry in landing_entries:
        if (parsed_dir / entry.report_id / "report.parquet").exists():
            continue
        key = str(partition_key(entry.period_code, entry.unit_code))
        if key in known:
            keys.add(key)
        else:
            outside.append(entry.report_id)
    return sorted(keys), outside
