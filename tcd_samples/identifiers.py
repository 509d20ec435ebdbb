"""Valid-looking identifiers: tax codes (MST) with their check digit, and 12-digit CCCD numbers.

Invented, never real: tax codes are random with a correct check digit so a format check passes,
and CCCD serials come from a counter scrambled by a bijection, so they look random but can never
repeat within one generation run, however large.
"""

from __future__ import annotations

import datetime as dt
import random

_MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def mst_check_digit(first_nine: str) -> int | None:
    """Check digit of a 10-digit tax code, or None when no digit is valid for that prefix."""
    total = sum(int(d) * w for d, w in zip(first_nine, _MST_WEIGHTS, strict=True))
    digit = 10 - total % 11
    return digit if 0 <= digit <= 9 else None


def is_valid_mst(code: str) -> bool:
    """Whether `code` is `dddddddddd` or `dddddddddd-ddd` with a correct check digit."""
    base, _, branch = code.partition("-")
    if (
        len(base) != 10
        or not base.isdigit()
        or (branch and (len(branch) != 3 or not branch.isdigit()))
    ):
        return False
    return mst_check_digit(base[:9]) == int(base[9])


class TaxCodes:
    """Hands out unique tax codes with a province prefix."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def new(self, prefix: str) -> str:
        while True:
            first = prefix + "".join(str(self._rng.randrange(10)) for _ in range(9 - len(prefix)))
            check = mst_check_digit(first)
            if check is None:
                continue
            code = f"{first}{check}"
            if code not in self._used:
                self._used.add(code)
                return code

    def branch(self, parent: str, number: int = 1) -> str:
        code = f"{parent}-{number:03d}"
        self._used.add(code)
        return code


class CccdNumbers:
    """Unique 12-digit CCCD: province (3) + gender/century (1) + birth year (2) + serial (6).

    The serial is `counter * 7919 mod 10**6` (a bijection on 0..999999 since 7919 is prime to 10),
    so numbers look scattered but a (province, gender, year) key can hand out a million before
    repeating.
    """

    def __init__(self) -> None:
        self._counters: dict[tuple[str, int, int], int] = {}

    def new(self, province: str, gender: str, birth: dt.date) -> str:
        century_digit = 0 if birth.year < 2000 else 2
        gender_digit = century_digit + (1 if gender == "nu" else 0)
        key = (province, gender_digit, birth.year % 100)
        n = self._counters.get(key, 0)
        self._counters[key] = n + 1
        serial = (n * 7919 + 104729) % 1_000_000
        return f"{province}{gender_digit}{birth.year % 100:02d}{serial:06d}"
