"""Data quality with Great Expectations: suites in `expectations/`, run as Dagster asset checks.

Importing this package does not import Great Expectations; only running a validation does.
"""

from dagster_project.quality.checks import build_quality_checks
from dagster_project.quality.suites import load_suite_dict
from dagster_project.quality.validation import ValidationOutcome, validate_frame

__all__ = ["ValidationOutcome", "build_quality_checks", "load_suite_dict", "validate_frame"]
