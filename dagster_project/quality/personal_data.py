"""An expectation GX does not ship: no column whose name marks personal data.

Marts may grow columns freely, so an exact column list would break on every harmless addition;
what must never appear is a name, a CCCD or a birth date. This module imports Great Expectations
at its top and is itself imported only when a validation runs.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from great_expectations.expectations.expectation import BatchExpectation


class ExpectTableColumnsToExcludePatterns(BatchExpectation):
    """Fail when any column name matches one of ``forbidden_patterns`` (regex, any case).

    Registered with GX under ``expect_table_columns_to_exclude_patterns``.
    """

    forbidden_patterns: list[str]

    metric_dependencies: ClassVar[tuple[str, ...]] = ("table.columns",)
    success_keys: ClassVar[tuple[str, ...]] = ("forbidden_patterns",)
    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id",)

    def _validate(
        self,
        metrics: dict[str, Any],
        runtime_configuration: dict | None = None,
        execution_engine: Any = None,
    ) -> dict[str, Any]:
        columns = [str(c) for c in metrics["table.columns"]]
        patterns = [re.compile(p, re.IGNORECASE) for p in self.forbidden_patterns]
        offending = [c for c in columns if any(p.search(c) for p in patterns)]
        return {
            "success": not offending,
            "result": {
                "observed_value": columns,
                "unexpected_count": len(offending),
                "partial_unexpected_list": offending,
            },
        }
