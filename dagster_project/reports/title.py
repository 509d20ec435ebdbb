"""The title rows of a report ("ĐẢNG BỘ THỊ XÃ SA PA", "BÁO CÁO ... 6 THÁNG ĐẦU NĂM 2024"),
checked against the unit and period of the file name.

The unit as written is stored with the report (``title_unit``): it is cleaned like every cell
(``text.clean_text``) and defused if it begins like a formula, as any published text is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dagster_project.reports.findings import Finding, make_finding
from dagster_project.reports.text import defuse_formula, word_key

_HALF = re.compile(r"\b(?:6|sau) thang (dau|cuoi) nam (\d{4})\b")
_YEAR = re.compile(r"\bnam (\d{4})\b")
_NOT_A_UNIT = ("cong hoa", "doc lap", "dang cong san", "bao cao")
_NOT_A_UNIT_START = ("so ", "ngay ", "kinh gui")
_UNIT_STARTS = ("dang bo", "dang uy", "huyen uy", "thi uy", "thanh uy", "tinh uy", "ban ", "chi bo")


@dataclass(frozen=True)
class Title:
    unit: str | None
    period: str | None


def read_period(texts: list[str]) -> str | None:
    """``2024-H1`` from "6 THÁNG ĐẦU NĂM 2024", ``2024-H2`` from "6 tháng cuối năm 2024",
    a bare year from a report line that names only the year."""
    for text in texts:
        match = _HALF.search(word_key(text))
        if match:
            return f"{match[2]}-{'H1' if match[1] == 'dau' else 'H2'}"
    for text in texts:
        key = word_key(text)
        if "bao cao" in key:
            match = _YEAR.search(key)
            if match:
                return match[1]
    return None


def _guess_unit(texts: list[str]) -> str | None:
    for text in texts:
        if word_key(text).startswith(_UNIT_STARTS):
            return text
    for text in texts:
        key = word_key(text)
        if not key.startswith(_NOT_A_UNIT_START) and not any(word in key for word in _NOT_A_UNIT):
            return text
    return None


def check_title(
    texts: list[str],
    unit_code: str,
    period_code: str,
    unit_names: tuple[str, ...],
    sheet: str | None,
) -> tuple[Title, list[Finding]]:
    """The unit and period written in the title rows, and a finding for each disagreement."""
    findings: list[Finding] = []
    if not texts:
        findings.append(
            make_finding("DQ_TITLE_MISSING", sheet=sheet, expected=f"{unit_code} {period_code}")
        )
        return Title(None, None), findings
    unit = None
    names = [f" {word_key(name)} " for name in unit_names if word_key(name)]
    for text in texts:
        padded = f" {word_key(text)} "
        if any(name in padded for name in names):
            unit = text
            break
    if unit is None:
        unit = _guess_unit(texts)
        if names:
            findings.append(
                make_finding(
                    "DQ_TITLE_UNIT_MISMATCH",
                    sheet=sheet,
                    value=unit or "",
                    expected=f"{unit_code} ({' / '.join(unit_names)})",
                )
            )
    period = read_period(texts)
    if period is None:
        findings.append(
            make_finding("DQ_TITLE_MISSING", sheet=sheet, expected=f"kỳ / period {period_code}")
        )
    elif period != period_code and period != period_code[:4]:
        findings.append(
            make_finding(
                "DQ_TITLE_PERIOD_MISMATCH", sheet=sheet, value=period, expected=period_code
            )
        )
    return Title(defuse_formula(unit) if unit else unit, period), findings
