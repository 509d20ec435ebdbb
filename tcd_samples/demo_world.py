"""The calibrated demo sample: Lào Cai 2022-H2..2024-H2 and the Ninh Bình bloc 2022-H1..2023-H2.

Randomness fills in names, sizes and dates; the figures the seed articles report are fixed by the
plan constants below and by a final balancing step, so the published marts reproduce F01-F15
exactly (see `seed_figures.py`).
"""

from __future__ import annotations

import datetime as dt
import random

from dagster_project.ingest.periods import period_bounds, period_range
from tcd_samples.enterprises import Enterprise
from tcd_samples.identifiers import CccdNumbers, TaxCodes
from tcd_samples.model import Admission, Report, UnitInfo
from tcd_samples.units import (
    BLOC_COMMITTEE_LC,
    BLOC_COMMITTEE_NB,
    INDUSTRIAL_ZONES,
    LAO_CAI_UNITS,
    NINH_BINH_BLOC,
    PLACES,
    ZONE_COMMITTEE_LC,
)
from tcd_samples.vocabulary import (
    ETHNIC_WEIGHTS_LAO_CAI,
    ETHNIC_WEIGHTS_NINH_BINH,
    enterprise_name,
    ethnicity_spelling,
    person_name,
    pick_ethnicity,
)

LC_PERIODS = period_range("2022-H2", "2024-H2")
NB_PERIODS = period_range("2022-H1", "2023-H2")
PLAN_START = dt.date(2022, 10, 21)  # Đề án 24-ĐA/TU

# --- Lào Cai plan figures, one value per period of LC_PERIODS (2024-H1 is index 3) ---------------
PRIVATE_ADMISSIONS = [50, 55, 54, 15, 20]  # F11: 15 in 2024-H1, 174 over 2022-H2..2024-H1
NO_PRIVATE_ADMISSION_2024H1 = {"083", "084", "085", "087", "088"}  # F13
PARTY_FOUNDINGS = {  # F12: 3 in 2024-H1, 7 over the plan (private units, chi bộ cơ sở)
    0: ["089"],
    1: ["10-KKT", "082"],
    2: ["10-CQDN"],
    3: ["080", "086", "10-KKT"],
    4: ["082", "10-CQDN"],
}
UNION_FOUNDINGS = [5, 8, 7, 13, 6]  # F05 13 in 2024-H1; F09 33 over the plan
YOUTH_FOUNDINGS = [2, 5, 4, 5, 3]  # F09 16 over the plan
UNION_NEW_MEMBERS = [310, 420, 455, 3442, 1310]  # F05 3,442
UNION_NEW_MEMBERS_NON_STATE = [120, 150, 162, 2842, 905]  # F05 2,842; F09 3,274 over the plan
AWARENESS_CLASSES = [14, 16, 15, 17, 15]  # F10
TRAINEES_PRIVATE = [31, 36, 33, 28, 30]  # F10
YOUTH_INTRODUCED = [41, 50, 56, 65, 47]  # F06 65
YOUTH_ADMITTED = [26, 31, 35, 45, 30]  # F06 45
PRIVATE_MEMBERS_2024H1 = 1434  # F14
IZ_ENTERPRISES = [104, 108, 111, 115, 119]  # F01 115 at 2024-H1
IZ_LARGE_2024H1 = 33  # F02
IZ_PARTY_ORGS_2024H1 = 12  # F03
IZ_PARTY_MEMBERS_2024H1 = 525  # F03
IZ_MEMBERS_NO_ORG_2024H1 = 6  # F04

# --- Ninh Bình bloc, one value per period of NB_PERIODS (2023-H1 is index 2) ---------------------
NB_ADMISSIONS = [148, 163, 227, 181]  # F15 227
NB_WORKERS = [70, 79, 110, 88]  # F15 110
NB_STUDENTS = [13, 20, 33, 25]  # hoc_sinh_sinh_vien; 2022: 13+20 = 33 (F15)
NB_THPT = [0, 0, 8, 3]  # F15 8 high-school students inside the 41

DISTRICT_PRIVATE = {
    "080": 30,
    "082": 14,
    "083": 8,
    "084": 6,
    "085": 10,
    "086": 22,
    "087": 10,
    "088": 16,
    "089": 12,
}
BUSINESS_ASSOCIATION = "Hiệp hội Doanh nghiệp tỉnh Lào Cai"  # F07
DUC_GIANG = "Công ty TNHH MTV Hóa chất Đức Giang Lào Cai"  # F08


def _date_in(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _event_window(period: str) -> tuple[dt.date, dt.date]:
    """Dates events of a period fall on: 2022-H2 events start at the plan date so that counting
    "since the plan began" by date or by period gives the same answer."""
    start, end = period_bounds(period)
    return (max(start, PLAN_START) if period == "2022-H2" else start), end


def _split(rng: random.Random, total: int, weights: list[float], caps: list[int] | None = None):
    """Split `total` into integer parts by weight, never above `caps`."""
    parts = [0] * len(weights)
    for _ in range(total):
        live = [i for i, w in enumerate(weights) if w > 0 and (caps is None or parts[i] < caps[i])]
        if not live:
            raise ValueError("cannot split: caps too small")
        i = rng.choices(live, weights=[weights[j] for j in live])[0]
        parts[i] += 1
    return parts


def _at_least_one(parts: list[int], wanted: list[bool]) -> None:
    """Move single units from the largest parts to wanted parts that got none (total kept)."""
    for i, want in enumerate(wanted):
        if want and parts[i] == 0:
            donor = max(range(len(parts)), key=lambda j: (parts[j], -j))
            if parts[donor] < 2:
                raise ValueError("cannot give every wanted part one: total too small")
            parts[donor] -= 1
            parts[i] += 1


class _World:
    """State shared while the demo sample is built: random source and identifier pools."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.tax = TaxCodes(random.Random(seed + 1))
        self.cccd = CccdNumbers()
        self.decision_no: dict[str, int] = {}

    # --- enterprises -------------------------------------------------------------------------
    def enterprise(
        self,
        unit: UnitInfo,
        ownership: str,
        n: int,
        *,
        place: str,
        iz: str | None = None,
        name: str | None = None,
        label: str | None = None,
        tax_code: str | None = None,
    ) -> Enterprise:
        rng = self.rng
        if name is None:
            name, label = enterprise_name(rng, ownership, place, industrial=iz is not None)
        return Enterprise(
            tax_code=tax_code or self.tax.new(unit.tax_prefix),
            name=name,
            ownership=ownership,
            ownership_label=label or "Tư nhân",
            industrial_zone=iz,
            n_periods=n,
        )

    def grow(self, ent: Enterprise, at: int, value: int, *, floor: int = 1) -> None:
        """Employees: `value` at period `at`, smaller before and a little larger after."""
        rng = self.rng
        for p in range(ent.n_periods):
            if p < at:
                v = round(value * (1 - 0.04 * (at - p) * rng.random()))
            elif p > at:
                v = round(value * (1 + 0.05 * (p - at) * rng.random()))
            else:
                v = value
            ent.employees[p] = max(floor, v)

    def set_party(
        self,
        ent: Enterprise,
        kind: str,
        founded: dt.date,
        members_at: int,
        at: int,
        superior: str,
        *,
        since: int = 0,
    ) -> None:
        rng = self.rng
        ent.party_founded = founded
        ent.party_from = since
        for p in range(ent.n_periods):
            if p < since:
                continue
            ent.party_org[p] = kind
            ent.superior[p] = superior
            drift = sum(rng.randrange(0, 3) for _ in range(abs(p - at)))
            ent.party_members[p] = max(3, members_at - drift if p < at else members_at + drift)

    def set_union(self, ent: Enterprise, founded: dt.date, since: int = 0) -> None:
        ent.union_founded, ent.union_from = founded, since
        for p in range(ent.n_periods):
            ent.union_members[p] = max(1, round(ent.employees[p] * self.rng.uniform(0.6, 0.95)))

    def set_youth(self, ent: Enterprise, founded: dt.date, since: int = 0) -> None:
        ent.youth_founded, ent.youth_from = founded, since
        for p in range(ent.n_periods):
            ent.youth_members[p] = max(
                1, min(ent.employees[p], round(ent.employees[p] * self.rng.uniform(0.1, 0.4)))
            )

    def old_date(self, start_year: int = 2005, end_year: int = 2021) -> dt.date:
        return _date_in(self.rng, dt.date(start_year, 1, 1), dt.date(end_year, 12, 31))

    # --- people ------------------------------------------------------------------------------
    def admission(
        self,
        unit: UnitInfo,
        period: str,
        ent: Enterprise,
        category: str,
        party_cell: str,
        weights: dict[str, int],
    ) -> Admission:
        rng = self.rng
        start, end = _event_window(period) if unit.province_code == "10" else period_bounds(period)
        admitted = _date_in(rng, start, end)
        if category == "hoc_sinh_thpt":
            age_days = 18 * 365 + 5 + rng.randrange(300)
        elif category == "hoc_sinh_sinh_vien":
            age_days = 18 * 365 + 5 + rng.randrange(5 * 365)
        else:
            age_days = 20 * 365 + rng.randrange(28 * 365)
        birth = admitted - dt.timedelta(days=age_days)
        gender = rng.choice(["nam", "nam", "nu"])
        ethnic = pick_ethnicity(rng, weights)
        number = self.decision_no.get(unit.code, 0) + rng.randrange(1, 4)
        self.decision_no[unit.code] = number
        return Admission(
            full_name=person_name(rng, ethnic, gender),
            cccd=self.cccd.new(unit.cccd_prefix, gender, birth),
            birth_date=birth,
            gender=gender,
            ethnicity=ethnicity_spelling(rng, ethnic),
            category=category,
            work_unit_name=ent.name,
            tax_code=ent.tax_code,
            admission_date=admitted,
            decision_number=f"{number}-{unit.decision_suffix}",
            party_cell=party_cell,
        )


def _party_cell(ent: Enterprise, p: int, fallback: str) -> str:
    if ent.party_org[p] == "dang_bo_co_so":
        return f"Đảng bộ {ent.name}"
    if ent.has_party_org(p):
        return f"Chi bộ {ent.name}"
    return fallback


def _public_units(w: _World, unit: UnitInfo, n: int, place: str, superior: str) -> list[Enterprise]:
    """Agencies, schools and a state-owned branch: where non-private admissions work."""
    rng = w.rng
    kind = "thành phố" if unit.code == "080" else "thị xã" if unit.code == "088" else "huyện"
    specs = [
        ("co_quan_nha_nuoc", f"Ủy ban nhân dân {kind} {place}", "Cơ quan nhà nước"),
        ("co_quan_nha_nuoc", f"Phòng Giáo dục và Đào tạo {kind} {place}", "Cơ quan nhà nước"),
        ("don_vi_su_nghiep", f"Trường THPT số 1 {place}", "Đơn vị sự nghiệp công lập"),
        ("don_vi_su_nghiep", f"Trung tâm Y tế {kind} {place}", "Đơn vị sự nghiệp công lập"),
    ]
    out = []
    for ownership, name, label in specs:
        ent = w.enterprise(unit, ownership, n, place=place, name=name, label=label)
        w.grow(ent, 0, rng.randrange(25, 140), floor=10)
        org = "chi_bo_truc_thuoc" if "Trung tâm" in name else "chi_bo_co_so"
        w.set_party(ent, org, w.old_date(1995, 2015), rng.randrange(12, 45), 0, superior)
        w.set_union(ent, w.old_date(1995, 2015))
        if rng.random() < 0.6:
            w.set_youth(ent, w.old_date(1995, 2015))
        out.append(ent)
    # A state-owned company's branch: the branch tax code carries -001.
    parent = w.tax.new(unit.tax_prefix)
    ent = w.enterprise(
        unit,
        "dn_nha_nuoc",
        n,
        place=place,
        name=f"Chi nhánh Điện lực {place}",
        label="Doanh nghiệp nhà nước",
        tax_code=w.tax.branch(parent, 1),
    )
    w.grow(ent, 0, rng.randrange(30, 90), floor=20)
    w.set_party(ent, "chi_bo_co_so", w.old_date(2000, 2015), rng.randrange(10, 30), 0, superior)
    w.set_union(ent, w.old_date(2000, 2015))
    out.append(ent)
    return out


def _private_units(
    w: _World, unit: UnitInfo, count: int, n: int, place: str, superior: str, communes: list[str]
) -> list[Enterprise]:
    rng = w.rng
    at = min(3, n - 1)  # the period whose sizes are drawn (2024-H1 in Lào Cai)
    out = []
    for i in range(count):
        ownership = rng.choices(
            ["tu_nhan", "hop_tac_xa", "ho_kinh_doanh", "fdi"], weights=[70, 12, 10, 8]
        )[0]
        ent = w.enterprise(unit, ownership, n, place=place)
        size = rng.choice([4, 6, 9, 12, 18, 25, 40, 60, 120]) if ownership != "ho_kinh_doanh" else 3
        w.grow(ent, at, size)
        # Enterprises appear over time: most exist from the start.
        if i >= count - 2 and n > 1 and rng.random() < 0.7:
            ent.first = rng.randrange(1, n)
        elif ent.employees[0] >= 15 and rng.random() < 0.35:
            where = (
                superior
                if not communes or rng.random() < 0.5
                else f"Đảng ủy {rng.choice(communes)}"
            )
            w.set_party(
                ent,
                "chi_bo_co_so",
                w.old_date(2008, 2021),
                min(ent.employees[at], rng.randrange(3, 16)),
                at,
                where,
            )
        elif rng.random() < 0.25:
            for p in range(n):
                ent.party_members[p] = rng.randrange(1, 3)
        if ent.first == 0 and ent.employees[0] >= 10 and rng.random() < 0.35:
            w.set_union(ent, w.old_date(2010, 2021))
        if ent.first == 0 and ent.employees[0] >= 15 and rng.random() < 0.2:
            w.set_youth(ent, w.old_date(2012, 2021))
        out.append(ent)
    return out


def _industrial_zone_units(w: _World, unit: UnitInfo, n: int) -> list[Enterprise]:
    """The 3 industrial zones: 115 active enterprises at 2024-H1 (F01-F04)."""
    rng = w.rng
    at = 3
    total = IZ_ENTERPRISES[-1]
    ents: list[Enterprise] = []
    duc_giang = w.enterprise(
        unit, "tu_nhan", n, place="Lào Cai", iz="Tằng Loỏng", name=DUC_GIANG, label="Công ty TNHH"
    )
    ents.append(duc_giang)
    for _ in range(total - 1):
        ownership = rng.choices(["tu_nhan", "fdi", "hop_tac_xa"], weights=[80, 15, 5])[0]
        ents.append(
            w.enterprise(unit, ownership, n, place="Lào Cai", iz=rng.choice(INDUSTRIAL_ZONES))
        )
    # Arrival order: the first IZ_ENTERPRISES[p] exist at period p.
    for p in range(n - 1, -1, -1):
        for ent in ents[: IZ_ENTERPRISES[p]]:
            ent.first = p
    large = ents[:IZ_LARGE_2024H1]  # all present from the start
    for i, ent in enumerate(ents):
        if ent is duc_giang:
            w.grow(ent, at, 880)
        elif i < IZ_LARGE_2024H1:
            w.grow(ent, at, rng.choice([20, 22, 25, 28, 35, 45, 60, 80, 150, 260, 420]), floor=20)
            if i < 4:  # growing firms: crossed the 20-worker line during the plan
                for p in range(at):
                    ent.employees[p] = rng.randrange(12, 20)
        else:
            w.grow(ent, at, rng.randrange(3, 20))
            for p in range(at, n):
                ent.employees[p] = min(ent.employees[p], 19) if p == at else ent.employees[p]
    # Party organisations: Đức Giang, 9 older ones, 2 founded during the plan.
    # Each of the 9 older cells has at least 8 members; the rest is spread at random.
    spread = _split(rng, IZ_PARTY_MEMBERS_2024H1 - 96 - 5 - 3 - 9 * 8, [1.0] * 9)
    members = [96, *(m + 8 for m in spread), 5, 3]
    assert sum(members) == IZ_PARTY_MEMBERS_2024H1
    with_org = [duc_giang, *large[1:10], large[10], large[11]]
    for k, (ent, m) in enumerate(zip(with_org, members, strict=True)):
        if ent is duc_giang:
            w.set_party(ent, "chi_bo_co_so", dt.date(2020, 10, 10), m, at, ZONE_COMMITTEE_LC)
            for p in range(2, n):  # upgraded to a đảng bộ cơ sở in 2023-H2
                ent.party_org[p] = "dang_bo_co_so"
        elif k < 10:
            w.set_party(ent, "chi_bo_co_so", w.old_date(2010, 2021), m, at, ZONE_COMMITTEE_LC)
        ent.party_members[at] = m
    # 6 enterprises with 1-3 members and no organisation (F04).
    for ent in ents[IZ_LARGE_2024H1 : IZ_LARGE_2024H1 + IZ_MEMBERS_NO_ORG_2024H1]:
        for p in range(n):
            ent.party_members[p] = rng.randrange(1, 4)
    # Unions and youth organisations present before the plan.
    for ent in large[:22]:
        if ent is not duc_giang:
            w.set_union(ent, w.old_date(2008, 2021))
    w.set_youth(duc_giang, dt.date(2021, 3, 26))
    for ent in large[12:18]:
        w.set_youth(ent, w.old_date(2012, 2021))
    return ents


def _fix_members_le_employees(ents: list[Enterprise]) -> None:
    for ent in ents:
        for p in range(ent.n_periods):
            ent.employees[p] = max(ent.employees[p], ent.party_members[p], 1)


def build_lao_cai(w: _World) -> dict[str, list[Enterprise]]:
    """Every Lào Cai unit's enterprises over LC_PERIODS, with the plan's events placed."""
    rng, n = w.rng, len(LC_PERIODS)
    scope: dict[str, list[Enterprise]] = {}
    for unit in LAO_CAI_UNITS:
        if unit.code in PLACES:
            place, committee, communes = PLACES[unit.code]
            ents = _public_units(w, unit, n, place, committee)
            ents += _private_units(
                w, unit, DISTRICT_PRIVATE[unit.code], n, place, committee, communes
            )
        elif unit.code == "10-CQDN":
            ents = _bloc_units(w, unit, n)
        else:
            agency = w.enterprise(
                unit,
                "co_quan_nha_nuoc",
                n,
                place="Lào Cai",
                name="Ban Quản lý Khu kinh tế tỉnh Lào Cai",
                label="Cơ quan nhà nước",
            )
            w.grow(agency, 0, 64, floor=40)
            w.set_party(agency, "chi_bo_co_so", dt.date(2008, 5, 12), 38, 0, ZONE_COMMITTEE_LC)
            w.set_union(agency, dt.date(2008, 6, 2))
            ents = [agency, *_industrial_zone_units(w, unit, n)]
        scope[unit.code] = ents

    # Superior-committee transfers and an upgrade (organisation events over time).
    big_080 = _balancing_enterprise(w, scope["080"], n)
    transfer = next(
        e for e in scope["086"] if e.is_private and e.has_party_org(0) and e is not big_080
    )
    for p in range(2, n):
        transfer.superior[p] = PLACES["086"][1]
    for p in range(2):
        transfer.superior[p] = f"Đảng ủy {PLACES['086'][2][0]}"

    # Party organisations founded in private units during the plan (F12).
    for p, codes in PARTY_FOUNDINGS.items():
        for code in codes:
            cands = [
                e
                for e in scope[code]
                if e.is_private
                and e.first == 0
                and not e.has_party_org(n - 1)
                and e.industrial_zone is None
                and e.employees[p] >= 10
                and e.tax_code != transfer.tax_code
            ]
            if code == "10-KKT":
                cands = [
                    e
                    for e in scope[code]
                    if e.industrial_zone
                    and e.party_founded is None
                    and e.party_members[3] >= 3
                    and e.party_org[3] == "khong"
                    and e.employees[3] >= 20
                ]
                cands = cands[:1]
            ent = cands[0] if code == "10-KKT" else rng.choice(cands)
            start, end = _event_window(LC_PERIODS[p])
            founded = _date_in(rng, start, end)
            superior = (
                ZONE_COMMITTEE_LC
                if code == "10-KKT"
                else BLOC_COMMITTEE_LC
                if code == "10-CQDN"
                else PLACES[code][1]
            )
            members_at = ent.party_members[3] if code == "10-KKT" else rng.randrange(3, 7)
            for q in range(p):
                ent.party_members[q] = rng.randrange(1, 3)
            w.set_party(
                ent, "chi_bo_co_so", founded, max(3, members_at), max(p, 3), superior, since=p
            )
            if code == "10-KKT":
                ent.party_members[3] = members_at

    # Unions and youth organisations founded in private units (F05, F09).
    weights = {u.code: 1.0 + sum(e.is_private for e in scope[u.code]) for u in LAO_CAI_UNITS}
    duc_giang = next(e for e in scope["10-KKT"] if e.name == DUC_GIANG)
    for p in range(n):
        start, end = _event_window(LC_PERIODS[p])
        for kind, count in (("union", UNION_FOUNDINGS[p]), ("youth", YOUTH_FOUNDINGS[p])):
            todo = count
            if kind == "union" and p == 3:
                w.set_union(duc_giang, dt.date(2024, 5, 15), since=3)
                todo -= 1
            while todo:
                code = rng.choices(list(weights), weights=list(weights.values()))[0]
                has = "union_founded" if kind == "union" else "youth_founded"
                cands = [
                    e
                    for e in scope[code]
                    if e.is_private
                    and e.exists(p)
                    and getattr(e, has) is None
                    and e.employees[p] >= 8
                    and e is not duc_giang
                ]
                if not cands:
                    continue
                ent = rng.choice(cands)
                founded = _date_in(rng, start, end)
                (w.set_union if kind == "union" else w.set_youth)(ent, founded, since=p)
                todo -= 1

    for ents in scope.values():
        _fix_members_le_employees(ents)
    _balance_private_members(scope, big_080)
    return scope


def _bloc_units(w: _World, unit: UnitInfo, n: int) -> list[Enterprise]:
    """The Lào Cai bloc committee: provincial agencies, state companies, larger private firms."""
    rng = w.rng
    ents: list[Enterprise] = []
    for name, ownership, label in [
        ("Sở Kế hoạch và Đầu tư tỉnh Lào Cai", "co_quan_nha_nuoc", "Cơ quan nhà nước"),
        ("Sở Công Thương tỉnh Lào Cai", "co_quan_nha_nuoc", "Cơ quan nhà nước"),
        ("Trường Cao đẳng Kỹ thuật Lào Cai", "don_vi_su_nghiep", "Đơn vị sự nghiệp công lập"),
        ("Công ty TNHH MTV Xổ số kiến thiết Lào Cai", "dn_nha_nuoc", "Doanh nghiệp nhà nước"),
        ("Công ty TNHH MTV Cấp thoát nước Lào Cai", "dn_nha_nuoc", "Doanh nghiệp nhà nước"),
    ]:
        ent = w.enterprise(unit, ownership, n, place="Lào Cai", name=name, label=label)
        w.grow(ent, 0, rng.randrange(40, 220), floor=30)
        w.set_party(
            ent, "chi_bo_co_so", w.old_date(1995, 2012), rng.randrange(15, 60), 0, BLOC_COMMITTEE_LC
        )
        w.set_union(ent, w.old_date(1995, 2012))
        w.set_youth(ent, w.old_date(1995, 2012))
        ents.append(ent)
    assoc = w.enterprise(
        unit, "tu_nhan", n, place="Lào Cai", name=BUSINESS_ASSOCIATION, label="Tư nhân"
    )
    w.grow(assoc, 0, 50, floor=50)
    w.set_party(assoc, "chi_bo_co_so", dt.date(2016, 9, 6), 45, 3, BLOC_COMMITTEE_LC)
    assoc.party_members[:] = [41, 43, 44, 45, 45]
    ents.append(assoc)
    for ent in _private_units(w, unit, 18, n, "Lào Cai", BLOC_COMMITTEE_LC, []):
        for p in range(n):
            if ent.has_party_org(p):
                ent.superior[p] = BLOC_COMMITTEE_LC
        ents.append(ent)
    return ents


def _balancing_enterprise(w: _World, ents: list[Enterprise], n: int) -> Enterprise:
    """A large private company in the city whose membership absorbs the rounding (F14)."""
    ent = next(e for e in ents if e.is_private and e.first == 0 and e.party_founded is None)
    ent.name, ent.ownership, ent.ownership_label = (
        "Công ty cổ phần Tập đoàn Thương mại Kim Thành",
        "tu_nhan",
        "Công ty cổ phần",
    )
    w.grow(ent, 3, 1450, floor=900)
    w.set_party(ent, "chi_bo_co_so", dt.date(2012, 3, 3), 150, 3, PLACES["080"][1])
    for p in range(1, n):  # upgraded to a đảng bộ cơ sở in 2023-H1
        ent.party_org[p] = "dang_bo_co_so"
    for p in range(3):  # superior moved from the ward to the city committee in 2024-H1
        ent.superior[p] = f"Đảng ủy {PLACES['080'][2][1]}"
    w.set_union(ent, dt.date(2012, 5, 5))
    w.set_youth(ent, dt.date(2013, 3, 26))
    return ent


def _balance_private_members(scope: dict[str, list[Enterprise]], ent: Enterprise) -> None:
    at = 3
    total = sum(
        e.party_members[at]
        for ents in scope.values()
        for e in ents
        if e.is_private and e.exists(at)
    )
    diff = PRIVATE_MEMBERS_2024H1 - total
    ent.party_members[at] += diff
    ent.party_members[at + 1] = max(ent.party_members[at + 1] + diff, ent.party_members[at] + 2)
    if ent.party_members[at] < 20:
        raise ValueError("balancing enterprise too small; change the seed or plan")


# --- admissions ------------------------------------------------------------------------------
def _lao_cai_reports(w: _World, scope: dict[str, list[Enterprise]]) -> list[Report]:
    rng, n = w.rng, len(LC_PERIODS)
    reports: list[Report] = []
    codes = [u.code for u in LAO_CAI_UNITS]
    by_code = {u.code: u for u in LAO_CAI_UNITS}
    private_split: list[list[int]] = []
    for p in range(n):
        weights = [
            0.0
            if p == 3 and c in NO_PRIVATE_ADMISSION_2024H1
            else 1.0 + sum(e.party_members[p] for e in scope[c] if e.is_private) ** 0.5
            for c in codes
        ]
        split = _split(rng, PRIVATE_ADMISSIONS[p], weights)
        if p == 3:  # F13: every other district admits someone in a private unit in 2024-H1
            _at_least_one(
                split, [w > 0 and c in PLACES for w, c in zip(weights, codes, strict=True)]
            )
        private_split.append(split)
    for p, period in enumerate(LC_PERIODS):
        other_counts = [rng.randrange(3, 8) for _ in codes]
        flows = _lao_cai_flows(
            rng, p, [private_split[p][i] + other_counts[i] for i in range(len(codes))]
        )
        for i, code in enumerate(codes):
            unit = by_code[code]
            ents = [e for e in scope[code] if e.exists(p)]
            fallback = (
                f"Chi bộ ghép doanh nghiệp {PLACES[code][2][0]}"
                if code in PLACES
                else "Chi bộ ghép các doanh nghiệp"
            )
            adm: list[Admission] = []
            private = [e for e in ents if e.is_private]
            for _ in range(private_split[p][i]):
                ent = rng.choices(private, weights=[e.party_members[p] + 1 for e in private])[0]
                cat = rng.choices(
                    ["cong_nhan_lao_dong", "can_bo_quan_ly_dn", "chu_doanh_nghiep"],
                    weights=[75, 17, 8],
                )[0]
                adm.append(
                    w.admission(
                        unit,
                        period,
                        ent,
                        cat,
                        _party_cell(ent, p, fallback),
                        ETHNIC_WEIGHTS_LAO_CAI,
                    )
                )
            public = [e for e in ents if not e.is_private]
            for _ in range(other_counts[i]):
                ent = rng.choice(public)
                if "THPT" in ent.name:
                    cat = rng.choice(["hoc_sinh_thpt", "can_bo_cong_chuc"])
                elif "Cao đẳng" in ent.name:
                    cat = rng.choice(["hoc_sinh_sinh_vien", "can_bo_cong_chuc"])
                elif ent.ownership == "dn_nha_nuoc":
                    cat = "cong_nhan_lao_dong"
                else:
                    cat = rng.choice(["can_bo_cong_chuc", "can_bo_cong_chuc", "khac"])
                adm.append(
                    w.admission(
                        unit,
                        period,
                        ent,
                        cat,
                        _party_cell(ent, p, fallback),
                        ETHNIC_WEIGHTS_LAO_CAI,
                    )
                )
            adm.sort(key=lambda a: (a.admission_date, a.decision_number))
            reports.append(
                Report(
                    unit=unit,
                    period=period,
                    admissions=adm,
                    orgs=[e.snapshot(p) for e in ents],
                    flows=flows[i],
                )
            )
    return reports


def _lao_cai_flows(rng: random.Random, p: int, admissions: list[int]) -> list[dict[str, int]]:
    """Flow indicators with no detail sheet, split over the units so the province sums hit the
    plan figures and every part stays within its whole."""
    k = len(admissions)
    ones = [1.0] * k
    classes = _split(rng, AWARENESS_CLASSES[p], ones)
    with_class = [1.0 if c else 0.0 for c in classes]
    trainees_private = _split(rng, TRAINEES_PRIVATE[p], with_class)
    admitted_youth = _split(rng, YOUTH_ADMITTED[p], ones, caps=admissions)
    introduced_extra = _split(rng, YOUTH_INTRODUCED[p] - YOUTH_ADMITTED[p], ones)
    non_state = _split(rng, UNION_NEW_MEMBERS_NON_STATE[p], ones)
    union_extra = _split(rng, UNION_NEW_MEMBERS[p] - UNION_NEW_MEMBERS_NON_STATE[p], ones)
    out = []
    for i in range(k):
        out.append(
            {
                "lop_boi_duong": classes[i],
                "hoc_vien_boi_duong": trainees_private[i] + classes[i] * rng.randrange(25, 45),
                "hoc_vien_kttn": trainees_private[i],
                "de_nghi_ket_nap": admissions[i] + rng.randrange(0, 6),
                "doan_vien_uu_tu_gioi_thieu": admitted_youth[i] + introduced_extra[i],
                "doan_vien_uu_tu_ket_nap": admitted_youth[i],
                "chuyen_chinh_thuc": rng.randrange(2, 12),
                "doan_vien_cong_doan_moi": non_state[i] + union_extra[i],
                "doan_vien_cong_doan_moi_ngoai_nn": non_state[i],
            }
        )
    return out


def _ninh_binh_reports(w: _World) -> list[Report]:
    rng, n, unit = w.rng, len(NB_PERIODS), NINH_BINH_BLOC
    ents: list[Enterprise] = []
    specs = [
        ("Sở Xây dựng tỉnh Ninh Bình", "co_quan_nha_nuoc", "Cơ quan nhà nước", 60),
        ("Sở Tài chính tỉnh Ninh Bình", "co_quan_nha_nuoc", "Cơ quan nhà nước", 70),
        ("Sở Giao thông vận tải tỉnh Ninh Bình", "co_quan_nha_nuoc", "Cơ quan nhà nước", 90),
        ("Văn phòng Ủy ban nhân dân tỉnh Ninh Bình", "co_quan_nha_nuoc", "Cơ quan nhà nước", 80),
        ("Trường Đại học Tràng An Ninh Bình", "don_vi_su_nghiep", "Đơn vị sự nghiệp công lập", 420),
        ("Trường Cao đẳng Y tế Gia Viễn", "don_vi_su_nghiep", "Đơn vị sự nghiệp công lập", 160),
        ("Trường Cao đẳng Kỹ thuật Kim Sơn", "don_vi_su_nghiep", "Đơn vị sự nghiệp công lập", 140),
        ("Trường THPT Vân Long", "don_vi_su_nghiep", "Đơn vị sự nghiệp công lập", 90),
        ("Trường THPT Tam Cốc", "don_vi_su_nghiep", "Đơn vị sự nghiệp công lập", 85),
        ("Bệnh viện Đa khoa Hoa Lư", "don_vi_su_nghiep", "Đơn vị sự nghiệp công lập", 380),
        (
            "Công ty TNHH MTV Khai thác công trình thủy lợi Yên Mô",
            "dn_nha_nuoc",
            "Doanh nghiệp nhà nước",
            260,
        ),
        ("Công ty cổ phần Nhiệt năng Gia Khánh", "dn_nha_nuoc", "Doanh nghiệp nhà nước", 640),
    ]
    for name, ownership, label, size in specs:
        ent = w.enterprise(unit, ownership, n, place="Ninh Bình", name=name, label=label)
        w.grow(ent, 2, size, floor=30)
        kind = "dang_bo_co_so" if size > 300 else "chi_bo_co_so"
        w.set_party(ent, kind, w.old_date(1990, 2015), rng.randrange(20, 120), 2, BLOC_COMMITTEE_NB)
        w.set_union(ent, w.old_date(1990, 2015))
        w.set_youth(ent, w.old_date(1990, 2015))
        ents.append(ent)
    for ent in _private_units(w, unit, 26, n, "Ninh Bình", BLOC_COMMITTEE_NB, []):
        w.grow(ent, 2, max(ent.employees[2], rng.choice([30, 60, 120, 300, 800, 1500])))
        if ent.has_party_org(2):
            for p in range(n):
                ent.superior[p] = BLOC_COMMITTEE_NB
                ent.party_members[p] = max(ent.party_members[p], 8)
        elif ent.first == 0 and rng.random() < 0.4:
            w.set_party(
                ent,
                "chi_bo_co_so",
                w.old_date(2010, 2021),
                rng.randrange(5, 30),
                2,
                BLOC_COMMITTEE_NB,
            )
        ents.append(ent)
    # Organisations founded in the Ninh Bình periods.
    for p, period in enumerate(NB_PERIODS):
        start, end = period_bounds(period)
        for _ in range(2):
            cands = [e for e in ents if e.is_private and e.exists(p) and e.union_founded is None]
            if cands:
                w.set_union(rng.choice(cands), _date_in(rng, start, end), since=p)
        cands = [e for e in ents if e.is_private and e.exists(p) and e.youth_founded is None]
        if cands:
            w.set_youth(rng.choice(cands), _date_in(rng, start, end), since=p)
        cands = [
            e
            for e in ents
            if e.is_private and e.first == 0 and e.party_founded is None and e.employees[p] >= 20
        ]
        if cands and p in (1, 3):
            ent = rng.choice(cands)
            w.set_party(
                ent,
                "chi_bo_co_so",
                _date_in(rng, start, end),
                rng.randrange(3, 8),
                p,
                BLOC_COMMITTEE_NB,
                since=p,
            )
            for q in range(p):
                ent.party_members[q] = rng.randrange(1, 3)
    _fix_members_le_employees(ents)

    reports = []
    for p, period in enumerate(NB_PERIODS):
        present = [e for e in ents if e.exists(p)]
        enterprises = [
            e for e in present if e.ownership not in ("co_quan_nha_nuoc", "don_vi_su_nghiep")
        ]
        private = [e for e in present if e.is_private]
        colleges = [e for e in present if "Đại học" in e.name or "Cao đẳng" in e.name]
        schools = [e for e in present if "THPT" in e.name]
        public = [e for e in present if e.ownership in ("co_quan_nha_nuoc", "don_vi_su_nghiep")]
        others = NB_ADMISSIONS[p] - NB_WORKERS[p] - NB_STUDENTS[p] - NB_THPT[p]
        plan = (
            [("cong_nhan_lao_dong", enterprises)] * NB_WORKERS[p]
            + [("hoc_sinh_sinh_vien", colleges)] * NB_STUDENTS[p]
            + [("hoc_sinh_thpt", schools)] * NB_THPT[p]
        )
        for _ in range(others):
            cat = rng.choices(
                ["can_bo_cong_chuc", "can_bo_quan_ly_dn", "chu_doanh_nghiep", "khac"],
                weights=[62, 22, 4, 12],
            )[0]
            pool = {
                "can_bo_cong_chuc": public,
                "can_bo_quan_ly_dn": enterprises,
                "chu_doanh_nghiep": private,
                "khac": public,
            }[cat]
            plan.append((cat, pool))
        adm = []
        for cat, pool in plan:
            ent = rng.choice(pool)
            adm.append(
                w.admission(
                    unit,
                    period,
                    ent,
                    cat,
                    _party_cell(ent, p, "Chi bộ ghép các doanh nghiệp"),
                    ETHNIC_WEIGHTS_NINH_BINH,
                )
            )
        adm.sort(key=lambda a: (a.admission_date, a.decision_number))
        total = len(adm)
        classes = rng.randrange(6, 12)
        trainees = classes * rng.randrange(35, 60)
        youth_in = rng.randrange(20, 50)
        union_ns = rng.randrange(150, 400)
        flows = {
            "lop_boi_duong": classes,
            "hoc_vien_boi_duong": trainees,
            "hoc_vien_kttn": rng.randrange(10, 60),
            "de_nghi_ket_nap": total + rng.randrange(5, 30),
            "doan_vien_uu_tu_gioi_thieu": youth_in,
            "doan_vien_uu_tu_ket_nap": rng.randrange(5, youth_in),
            "chuyen_chinh_thuc": rng.randrange(100, 200),
            "doan_vien_cong_doan_moi": union_ns + rng.randrange(100, 300),
            "doan_vien_cong_doan_moi_ngoai_nn": union_ns,
        }
        reports.append(
            Report(
                unit=unit,
                period=period,
                admissions=adm,
                orgs=[e.snapshot(p) for e in present],
                flows=flows,
            )
        )
    return reports


def build_demo_reports(seed: int) -> list[Report]:
    """Every report of the demo sample, in a stable order (unit, then period)."""
    w = _World(seed)
    scope = build_lao_cai(w)
    reports = _lao_cai_reports(w, scope) + _ninh_binh_reports(w)
    reports.sort(key=lambda r: (r.unit.code, r.period))
    return reports
