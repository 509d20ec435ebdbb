"""Rule violations (report-contract.md section 4) that can be planted in chosen reports.

Each injection changes exactly one thing, so a data-quality rule can be tested against the one
finding it should raise. Detail-sheet injections run before the TongHop values are computed (the
summary still agrees with the detail); summary injections run after.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from dagster_project.ingest.periods import period_bounds
from tcd_samples.identifiers import TaxCodes
from tcd_samples.model import GRASSROOTS_PARTY_ORGS, Report

# Rule code -> what the injection does (for the injection manifest and the docs).
INJECTIONS: dict[str, str] = {
    "part_exceeds_whole": "TongHop: union members in non-state enterprises above all new members",
    "summary_mismatch": "TongHop: admissions reported 2 more than KetNap rows",
    "bad_cccd": "KetNap: a CCCD with 11 digits",
    "admission_outside_period": "KetNap: an admission dated 10 days before the period starts",
    "under_18": "KetNap: a person 17 years old on the admission date",
    "duplicate_person": "KetNap: a CCCD already admitted in an earlier report of another unit",
    "unknown_tax_code": "KetNap: a tax code that is not in the report's ToChuc",
    "cumulative_shrink": "ToChuc: a grassroots party organisation of the previous period is gone",
    "non_integer_count": "ToChuc: Số đảng viên written '12,5'",
    "negative_count": "ToChuc: Số lao động written -5",
    "bad_date": "KetNap: Ngày kết nạp written 31/02/<year>",
    "bad_tax_code": "ToChuc: a tax code with 8 digits",
    "founding_after_period": "ToChuc: a union founding date after the period end",
    "unknown_category": "KetNap: Đối tượng 'Nông dân' (not a coded value)",
    "unknown_label": "TongHop: a row whose label is not in the indicator catalogue (warning)",
    "title_mismatch": "Title rows name another unit than the file name",
}
# The catalogue's rule code each injection breaks (dq_rules.csv); `--inject` takes either name.
RULE_CODES: dict[str, str] = {
    "part_exceeds_whole": "DQ_PART_LE_WHOLE",
    "summary_mismatch": "DQ_SUMMARY_DETAIL",
    "bad_cccd": "DQ_CCCD_FORMAT",
    "admission_outside_period": "DQ_ADMISSION_OUT_OF_PERIOD",
    "under_18": "DQ_AGE_UNDER_18",
    "duplicate_person": "DQ_DUPLICATE_PERSON",
    "unknown_tax_code": "DQ_TAXCODE_UNKNOWN",
    "cumulative_shrink": "DQ_STOCK_MOVEMENT",
    "non_integer_count": "DQ_COUNT_FORMAT",
    "negative_count": "DQ_COUNT_FORMAT",
    "bad_date": "DQ_DATE_FORMAT",
    "bad_tax_code": "DQ_TAXCODE_FORMAT",
    "founding_after_period": "DQ_FOUNDED_AFTER_PERIOD",
    "unknown_category": "DQ_CODE_UNKNOWN",
    "unknown_label": "DQ_UNKNOWN_INDICATOR",
    "title_mismatch": "DQ_TITLE_UNIT_MISMATCH",
}
_BY_CODE = {code: name for name, code in reversed(RULE_CODES.items())}  # first name wins
SUMMARY_RULES = {"summary_mismatch"}
NEEDS_ADMISSION = {
    "summary_mismatch",
    "bad_cccd",
    "admission_outside_period",
    "under_18",
    "duplicate_person",
    "unknown_tax_code",
    "bad_date",
    "unknown_category",
}


class UnknownInjection(ValueError):
    """An `--inject` name that is neither a rule code the generator can break nor its alias."""

    def __init__(self, rule: str) -> None:
        codes = ", ".join(sorted(set(RULE_CODES.values())))
        super().__init__(
            f"Không thể tạo vi phạm quy tắc {rule!r} / unknown rule to inject: {rule!r}; "
            f"valid codes: {codes} (or {', '.join(sorted(INJECTIONS))})"
        )


@dataclass(frozen=True)
class Injection:
    """One planted violation: which rule, in which file, and what was changed."""

    rule: str
    unit_code: str
    period_code: str
    sheet: str
    detail: str


def parse_requests(inject: list[str]) -> list[tuple[str, str | None]]:
    """`rule` or `rule@<unit>_<period>` -> (rule, stem or None)."""
    out = []
    for item in inject:
        rule, _, stem = item.partition("@")
        rule = _BY_CODE.get(rule.strip().upper(), rule.strip())
        if rule not in INJECTIONS:
            raise UnknownInjection(rule)
        out.append((rule, stem or None))
    return out


def eligible(rule: str, report: Report, history: dict[str, Report]) -> bool:
    """Whether `rule` can be planted in `report` (`history`: previous report per unit)."""
    if rule in NEEDS_ADMISSION and not report.admissions:
        return False
    if rule == "cumulative_shrink":
        prev = history.get(report.unit.code)
        return prev is not None and any(o.party_org in GRASSROOTS_PARTY_ORGS for o in prev.orgs)
    if rule == "duplicate_person":
        return any(r.unit.code != report.unit.code and r.admissions for r in history.values())
    return True


def apply_detail(
    rule: str, report: Report, history: dict[str, Report], rng: random.Random, other_title: str
) -> Injection:
    """Plant `rule` in `report`'s detail sheets or title (before the summary is computed)."""
    start, end = period_bounds(report.period)
    adm = report.admissions[0] if report.admissions else None
    sheet, detail = "KetNap", INJECTIONS[rule]
    if rule == "part_exceeds_whole":
        sheet = "TongHop"
        report.flows["doan_vien_cong_doan_moi_ngoai_nn"] = (
            report.flows["doan_vien_cong_doan_moi"] + 5
        )
    elif rule == "bad_cccd":
        adm.raw["cccd"] = adm.cccd[:11]
    elif rule == "admission_outside_period":
        adm.admission_date = start - dt.timedelta(days=10)
        adm.birth_date = adm.admission_date - dt.timedelta(days=25 * 365)
    elif rule == "under_18":
        adm.birth_date = adm.admission_date - dt.timedelta(days=17 * 365 + 100)
    elif rule == "duplicate_person":
        donor = next(
            r for r in history.values() if r.unit.code != report.unit.code and r.admissions
        )
        adm.cccd = donor.admissions[0].cccd
        adm.birth_date = donor.admissions[0].birth_date
        adm.gender = donor.admissions[0].gender
        adm.full_name = donor.admissions[0].full_name
        detail += f" ({donor.stem})"
    elif rule == "unknown_tax_code":
        adm.tax_code = TaxCodes(rng).new("53")
    elif rule == "cumulative_shrink":
        sheet = "ToChuc"
        prev = history[report.unit.code]
        gone = next(o for o in prev.orgs if o.party_org in GRASSROOTS_PARTY_ORGS)
        report.orgs = [o for o in report.orgs if o.tax_code != gone.tax_code]
        keep = report.orgs[0]
        for a in report.admissions:  # keep every admission pointing at a listed unit
            if a.tax_code == gone.tax_code:
                a.tax_code, a.work_unit_name = keep.tax_code, keep.name
        detail += f" ({gone.tax_code})"
    elif rule == "non_integer_count":
        sheet = "ToChuc"
        report.orgs[0].raw["dang_vien"] = "12,5"
    elif rule == "negative_count":
        sheet = "ToChuc"
        report.orgs[0].raw["lao_dong"] = -5
    elif rule == "bad_date":
        adm.raw["ngay_ket_nap"] = f"31/02/{start.year}"
    elif rule == "bad_tax_code":
        sheet = "ToChuc"
        target = next(
            (o for o in report.orgs if o.tax_code not in {a.tax_code for a in report.admissions}),
            report.orgs[0],
        )
        target.raw["mst"] = target.tax_code[:8]
    elif rule == "founding_after_period":
        sheet = "ToChuc"
        org = next((o for o in report.orgs if o.union_founded is None), report.orgs[0])
        org.union_founded = end + dt.timedelta(days=20)
        org.union_members = max(org.union_members, 5)
    elif rule == "unknown_category":
        adm.raw["doi_tuong"] = "Nông dân"
    elif rule == "unknown_label":
        sheet = "TongHop"
        report.extra_summary_rows.append(("Số hội viên hội doanh nhân trẻ kết nạp mới", 7))
    elif rule == "title_mismatch":
        sheet = "(title)"
        report.title_unit_override = other_title
    return Injection(rule, report.unit.code, report.period, sheet, detail)


def apply_summary(rule: str, report: Report) -> Injection:
    """Plant a summary-only violation (after the summary is computed from the detail)."""
    report.summary["ket_nap_dang_vien"] = int(report.summary["ket_nap_dang_vien"]) + 2
    return Injection(rule, report.unit.code, report.period, "TongHop", INJECTIONS[rule])
