"""The input side of the warehouse: unit registry, pulling report files, immutable landing."""

from dagster_project.ingest.landing import Landing, LandingEntry, LandingIndexError
from dagster_project.ingest.naming import ReportName, ReportNameError, parse_report_name
from dagster_project.ingest.pull import PullRejection, PullResult, pull_all
from dagster_project.ingest.reference import write_reference
from dagster_project.ingest.registry import (
    Registry,
    RegistryError,
    RegistryProblem,
    ReportingUnit,
    load_registry,
)

__all__ = [
    "Landing",
    "LandingEntry",
    "LandingIndexError",
    "PullRejection",
    "PullResult",
    "Registry",
    "RegistryError",
    "RegistryProblem",
    "ReportName",
    "ReportNameError",
    "ReportingUnit",
    "load_registry",
    "parse_report_name",
    "pull_all",
    "write_reference",
]
