"""The report parser: one report version (.xlsx or CSV bundle) in, five Parquet tables out.

See docs/data-layout.md for the tables and the report contract for what a legal file looks like.
"""

from dagster_project.reports.output import write_empty_schemas, write_parsed
from dagster_project.reports.parse import ParseResult, ReportMeta, parse_report
from dagster_project.reports.periods import period_bounds
from dagster_project.reports.pseudonym import (
    DEMO_KEY,
    MissingPseudonymKey,
    pseudonym_key_from_env,
)
from dagster_project.reports.readers import ParseLimits
from dagster_project.reports.validate import validate_files

__all__ = [
    "DEMO_KEY",
    "MissingPseudonymKey",
    "ParseLimits",
    "ParseResult",
    "ReportMeta",
    "parse_report",
    "period_bounds",
    "pseudonym_key_from_env",
    "validate_files",
    "write_empty_schemas",
    "write_parsed",
]
