"""Numbers as the reports write them: thousands with '.', decimals with ',', shares truncated."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dagster_project.evaluation.numbers import so, truncated_pct, ty_le


@pytest.mark.parametrize(
    ("numerator", "denominator", "decimals", "written"),
    [
        (7, 15, 0, "46%"),  # seed 003: 7 of 15 organisations is "46%", not 47%
        (15, 1434, 0, "1%"),  # seed 003
        (227, 300, 1, "75,6%"),  # seed 001
        (110, 227, 1, "48,4%"),  # 48.46 truncated, not rounded to 48.5
        (41, 227, 2, "18,06%"),  # seed 001
        (3442, 1000, 1, "344,2%"),  # no binary rounding error: not 344.1
        (16, Decimal("10.5"), 1, "152,3%"),
    ],
)
def test_shares_are_truncated_as_the_articles_write_them(
    numerator, denominator, decimals, written
) -> None:
    assert ty_le(numerator, denominator, decimals) == written


def test_truncation_matches_the_warehouse_macro_on_a_grid() -> None:
    """dbt/macros/truncate.sql: floor(num x 10^(d+2) / den) / 10^d for non-negative shares."""
    for numerator in range(0, 400, 7):
        for denominator in (1, 3, 7, 15, 58, 227, 300, 1434):
            expected = Decimal((numerator * 1000) // denominator) / 10
            assert truncated_pct(numerator, denominator, 1) == expected


def test_no_share_of_nothing() -> None:
    assert truncated_pct(5, 0) is None
    assert ty_le(5, None) == "–"


@pytest.mark.parametrize(
    ("value", "written"),
    [(3274, "3.274"), (1434, "1.434"), (0, "0"), (1234567, "1.234.567"), (-50, "-50"),
     (Decimal("75.6"), "75,6"), (Decimal("300.00"), "300"), (None, "–")],
)  # fmt: skip
def test_vietnamese_number_format(value, written) -> None:
    assert so(value) == written
