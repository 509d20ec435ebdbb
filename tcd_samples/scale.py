"""Synthetic reports at any scale (up to national: 34 provinces, ~3,300 units, 10 years).

Reports are produced one unit at a time and handed on one by one, so memory holds a single
unit's enterprises, never the whole country. Identifiers stay unique without remembering them:
tax codes are built from province, unit and a serial; CCCD serials come from counters.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from dagster_project.ingest.periods import period_bounds, period_range
from tcd_samples.demo_world import _party_cell, _private_units, _public_units, _World
from tcd_samples.identifiers import CccdNumbers, mst_check_digit
from tcd_samples.model import Report, UnitInfo
from tcd_samples.vocabulary import ETHNIC_WEIGHTS_LAO_CAI

LAST_PERIOD = "2024-H2"


class _UnitTaxCodes:
    """Tax codes `<province:2><unit:3><serial:4><check>`: unique by construction."""

    def __init__(self, province: int, unit: int) -> None:
        self._stem = f"{province % 100:02d}{unit % 1000:03d}"
        self._serial = 0

    def new(self, prefix: str) -> str:  # prefix is implied by the province
        while True:
            first = f"{self._stem}{self._serial:04d}"
            self._serial += 1
            check = mst_check_digit(first)
            if check is not None:
                return f"{first}{check}"

    def branch(self, parent: str, number: int = 1) -> str:
        return f"{parent}-{number:03d}"


def synthetic_units(provinces: int, units_per_province: int) -> Iterator[UnitInfo]:
    """Units `P01-U001`...: what a benchmark registry has to list."""
    for p in range(1, provinces + 1):
        for u in range(1, units_per_province + 1):
            code = f"P{p:02d}-U{u:03d}"
            yield UnitInfo(
                code=code,
                name=f"Đơn vị {code}",
                title=f"ĐẢNG BỘ ĐƠN VỊ {code}",
                province_code=f"P{p:02d}",
                province_name=f"Tỉnh P{p:02d}",
                decision_suffix="QĐ/HU",
                tax_prefix=f"{p:02d}",
                cccd_prefix=f"{p:03d}",
            )


def last_periods(count: int, last: str = LAST_PERIOD) -> list[str]:
    """The `count` half-years ending with `last`."""
    year = int(last[:4]) - (count // 2 + 1)
    return period_range(f"{year}-H1", last)[-count:]


def _found_before(ents: list, first_day: dt.date, rng: random.Random) -> None:
    """Move organisations that exist from the start to before the first period.

    The enterprise builders date pre-existing organisations up to 2021, as the demo's history
    starts in 2022; a scaled history may start earlier, and a founding date after a snapshot's
    period would be an error in that report.
    """
    for ent in ents:
        for attr, since in (
            ("union_founded", ent.union_from),
            ("youth_founded", ent.youth_from),
            ("party_founded", ent.party_from),
        ):
            founded = getattr(ent, attr)
            if founded is not None and since == 0 and founded >= first_day:
                setattr(ent, attr, first_day - dt.timedelta(days=1 + rng.randrange(3650)))


def synthetic_reports(
    seed: int,
    *,
    provinces: int,
    units_per_province: int,
    periods: int,
    admissions_per_report: int,
    fmt: str,
) -> Iterator[Report]:
    """Every unit's reports, unit after unit, period after period."""
    codes = last_periods(periods)
    cccd = CccdNumbers()
    file_format = {"csv": "csv_dir", "zip": "csv_zip"}.get(fmt, "xlsx")
    for index, unit in enumerate(synthetic_units(provinces, units_per_province)):
        w = _World(_unit_seed(seed, unit.code))
        w.tax = _UnitTaxCodes(int(unit.province_code[1:]), index % units_per_province + 1)
        w.cccd = cccd
        rng = w.rng
        place = unit.code
        committee = f"Huyện ủy {unit.code}"
        ents = _public_units(w, unit, periods, place, committee)
        ents += _private_units(
            w,
            unit,
            rng.randrange(8, 25),
            periods,
            place,
            committee,
            [f"xã {unit.code}-{k}" for k in range(1, 4)],
        )
        _found_before(ents, period_bounds(codes[0])[0], rng)
        for p, period in enumerate(codes):
            start, end = period_bounds(period)
            for kind in ("union", "youth", "party"):
                if rng.random() < 0.3:
                    attr = {
                        "union": "union_founded",
                        "youth": "youth_founded",
                        "party": "party_founded",
                    }[kind]
                    cands = [
                        e
                        for e in ents
                        if e.is_private
                        and e.first <= p
                        and getattr(e, attr) is None
                        and e.employees[p] >= 10
                    ]
                    if cands:
                        ent = rng.choice(cands)
                        day = start + (end - start) * rng.random()
                        if kind == "union":
                            w.set_union(ent, day, since=p)
                        elif kind == "youth":
                            w.set_youth(ent, day, since=p)
                        else:
                            w.set_party(
                                ent, "chi_bo_co_so", day, rng.randrange(3, 8), p, committee, since=p
                            )
            present = [e for e in ents if e.exists(p)]
            for e in present:
                e.employees[p] = max(e.employees[p], e.party_members[p], 1)
            private = [e for e in present if e.is_private]
            public = [e for e in present if not e.is_private]
            n_adm = max(0, round(admissions_per_report * rng.uniform(0.7, 1.3)))
            adm = []
            for _ in range(n_adm):
                if rng.random() < 0.35 and private:
                    ent = rng.choice(private)
                    cat = rng.choice(["cong_nhan_lao_dong", "can_bo_quan_ly_dn"])
                else:
                    ent = rng.choice(public)
                    cat = (
                        "hoc_sinh_thpt"
                        if "THPT" in ent.name
                        else "cong_nhan_lao_dong"
                        if ent.ownership == "dn_nha_nuoc"
                        else "can_bo_cong_chuc"
                    )
                adm.append(
                    w.admission(
                        unit,
                        period,
                        ent,
                        cat,
                        _party_cell(ent, p, "Chi bộ ghép doanh nghiệp"),
                        ETHNIC_WEIGHTS_LAO_CAI,
                    )
                )
            classes = rng.randrange(0, 4)
            kttn = rng.randrange(0, 10) if classes else 0
            youth_in = rng.randrange(0, 10)
            union_ns = rng.randrange(0, 200)
            flows = {
                "lop_boi_duong": classes,
                "hoc_vien_boi_duong": kttn + classes * rng.randrange(20, 50),
                "hoc_vien_kttn": kttn,
                "de_nghi_ket_nap": n_adm + rng.randrange(0, 5),
                "doan_vien_uu_tu_gioi_thieu": youth_in,
                "doan_vien_uu_tu_ket_nap": min(youth_in, n_adm, rng.randrange(0, 5)),
                "chuyen_chinh_thuc": rng.randrange(0, 20),
                "doan_vien_cong_doan_moi": union_ns + rng.randrange(0, 100),
                "doan_vien_cong_doan_moi_ngoai_nn": union_ns,
            }
            yield Report(
                unit=unit,
                period=period,
                admissions=adm,
                orgs=[e.snapshot(p) for e in present],
                flows=flows,
                fmt=file_format,
                style=2 * rng.randrange(10),  # flat headers: constant-memory writing
            )


def _unit_seed(seed: int, code: str) -> int:
    return random.Random(f"{seed}:{code}").getrandbits(32)
