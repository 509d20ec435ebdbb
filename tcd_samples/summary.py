"""The TongHop sheet: the catalogue's indicators, and the summary values the detail sheets give.

Labels, order and parents come from the indicator catalogue seed. The values the detail sheets
determine are computed by the warehouse's own definition of "summary equals detail" (the dbt model
`int_indicators_computed`, run over the generated reports' rows), so a clean report never
contradicts its own KetNap and ToChuc sheets; the other figures are the report's flows.
"""

from __future__ import annotations

import string

import pyarrow as pa

from dagster_project.reports.reference import indicator_catalogue
from dagster_project.reports.rules import model_query
from dagster_project.reports.schemas import TABLES
from tcd_samples.model import Report


def _numbered() -> list[tuple[str, str, str | None, str]]:
    """(code, canonical label, parent code, number as the "numbered" layout writes it)."""
    out: list[tuple[str, str, str | None, str]] = []
    top = 0
    children: dict[str, int] = {}
    indicators = indicator_catalogue().indicators
    for code, indicator in indicators.items():
        parent = indicator.parent_code or None
        if parent is None:
            top += 1
            number = f"{top}."
        else:
            children[parent] = children.get(parent, 0) + 1
            grandparent = indicators[parent].parent_code
            number = (
                f"{string.ascii_lowercase[children[parent] - 1]})"
                if grandparent
                else f"{top}.{children[parent]}"
            )
        out.append((code, indicator.label, parent, number))
    return out


INDICATORS = _numbered()
PARENT = {code: parent for code, _, parent, _ in INDICATORS if parent}


def _tables(reports: list[Report]) -> dict[str, pa.Table]:
    """The reports' detail rows in the parser's shape, each report named by its position."""
    report_rows, admissions, orgs = [], [], []
    for index, report in enumerate(reports):
        rid = str(index)
        report_rows.append(
            {"report_id": rid, "unit_code": report.unit.code, "period_code": report.period}
        )
        for row, a in enumerate(report.admissions, start=1):
            admissions.append(
                {"report_id": rid, "row_number": row, "category_code": a.category,
                 "tax_code": a.tax_code}
            )  # fmt: skip
        for row, o in enumerate(report.orgs, start=1):
            orgs.append(
                {
                    "report_id": rid,
                    "row_number": row,
                    "tax_code": o.tax_code,
                    "ownership_type": o.ownership,
                    "party_org_type": o.party_org,
                    "party_org_founded_date": o.party_founded,
                    "party_members": o.party_members,
                    "has_union": o.has_union,
                    "union_founded_date": o.union_founded,
                    "has_youth_org": o.has_youth,
                    "youth_org_founded_date": o.youth_founded,
                }
            )
    return {
        "report": pa.Table.from_pylist(report_rows, schema=TABLES["report"]),
        "ket_nap": pa.Table.from_pylist(admissions, schema=TABLES["ket_nap"]),
        "to_chuc": pa.Table.from_pylist(orgs, schema=TABLES["to_chuc"]),
    }


def compute_summaries(reports: list[Report]) -> list[dict[str, int]]:
    """Each report's summary values: the detail figures as the warehouse recomputes them."""
    computed: dict[tuple[str, str], int] = {
        (row["report_id"], row["indicator_code"]): int(row["computed_value"])
        for row in model_query("int_indicators_computed")(_tables(reports))
    }
    return [
        {
            code: computed[(str(index), code)]
            if (str(index), code) in computed
            else report.flows[code]
            for code, *_ in INDICATORS
        }
        for index, report in enumerate(reports)
    ]


def compute_summary(report: Report) -> dict[str, int]:
    """One report's summary values (see `compute_summaries`)."""
    return compute_summaries([report])[0]
