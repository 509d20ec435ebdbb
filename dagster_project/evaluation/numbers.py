"""Numbers written the Vietnamese way: '.' groups thousands, ',' marks decimals, shares truncated.

Shares are truncated, never rounded, exactly as `truncated_pct` in dbt/macros/truncate.sql does
it in the warehouse: floor(numerator x 10^(decimals + 2) / denominator) / 10^decimals. Here the
division is done on integers, so 3442/1000 gives 344.2 and 7/15 gives 46 (0 decimals) or 46.6.
"""

from __future__ import annotations

from decimal import Decimal


def truncated_pct(numerator: int | Decimal, denominator: int | Decimal, decimals: int = 1):
    """numerator / denominator x 100 truncated toward zero to `decimals` places; None when the
    denominator is zero or missing. Returned as a Decimal so it prints without binary noise."""
    if denominator is None or numerator is None or Decimal(denominator) == 0:
        return None
    num, den = Decimal(numerator), Decimal(denominator)
    scaled = num * (10 ** (decimals + 2)) / den
    whole = int(scaled)  # int() truncates toward zero, as the macro's floor/ceiling pair does
    return Decimal(whole).scaleb(-decimals)


def so(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    """3274 -> '3.274'; 75.6 -> '75,6'; None -> '–'. Integral values print without decimals
    unless `decimals` asks for them."""
    if value is None:
        return "–"
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if decimals is None:
        integral = number == number.to_integral_value()
        decimals = 0 if integral else max(-number.as_tuple().exponent, 0)
    text = f"{number:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def ty_le(numerator, denominator, decimals: int = 1) -> str:
    """A truncated share as the reports write it: 7/15 -> '46%' (0 decimals), 110/227 -> '48,4%'."""
    share = truncated_pct(numerator, denominator, decimals)
    return "–" if share is None else so(share, decimals) + "%"
