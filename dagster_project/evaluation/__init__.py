"""The six-month (or yearly) evaluation written from the published warehouse.

`write_evaluation(published_db, scope, period, out_dir, plans)` writes the Word document, the
self-contained HTML page and the provenance CSV of one scope (a reporting unit or a GSO province
code) and period. Wording: templates/danh_gia.md.j2; figures: the named queries of queries.sql.
"""

from dagster_project.evaluation.evaluate import (
    Evaluation,
    EvaluationError,
    file_stem,
    latest_periods,
    write_evaluation,
    write_latest_evaluations,
)

__all__ = [
    "Evaluation",
    "EvaluationError",
    "file_stem",
    "latest_periods",
    "write_evaluation",
    "write_latest_evaluations",
]
