"""The demo sample reproduces the seed figures, counted straight from the files."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console
from sample_readback import ReadReport, fold, report_paths

from dagster_project.ingest.periods import period_bounds
from dagster_project.ingest.registry import load_registry
from dagster_project.reports import validate_files
from dagster_project.settings import REPO_ROOT
from tcd_samples.seed_figures import SEED_FIGURES

PLAN = ("2022-H2", "2023-H1", "2023-H2", "2024-H1")
PLAN_START = dt.date(2022, 10, 21)
ZONES = {"Bắc Duyên Hải", "Đông Phố Mới", "Tằng Loỏng"}
STUDENTS = {"hoc_sinh_sinh_vien", "hoc_sinh_thpt"}
DISTRICTS = ("080", "082", "083", "084", "085", "086", "087", "088", "089")  # city, town, districts


def lao_cai(reports: list[ReadReport], periods=("2024-H1",)) -> list[ReadReport]:
    return [r for r in reports if r.unit_code != "37-CQDN" and r.period in periods]


def flow(reports, label: str, periods=("2024-H1",)) -> int:
    return sum(r.summary[fold(label)] for r in lao_cai(reports, periods))


def private_founded(reports, date_key: str, periods) -> int:
    n = 0
    for r in lao_cai(reports, periods):
        start, end = period_bounds(r.period)
        n += sum(
            o["private"]
            and o[date_key] is not None
            and start <= o[date_key] <= end
            and o[date_key] >= PLAN_START
            for o in r.orgs
        )
    return n


def recount(reports: list[ReadReport]) -> dict[str, object]:
    """Every seed figure recomputed from the read-back files (ids as in seed_figures.py)."""
    iz = [o for r in lao_cai(reports) for o in r.orgs if o["zone"] in ZONES]
    grassroots = [o for o in iz if o["party_org"] in ("chi_bo_co_so", "dang_bo_co_so")]
    by_name = {o["name"]: o for r in lao_cai(reports) for o in r.orgs}
    assoc = by_name["Hiệp hội Doanh nghiệp tỉnh Lào Cai"]
    duc = by_name["Công ty TNHH MTV Hóa chất Đức Giang Lào Cai"]
    duc_types = [
        o["party_org"]
        for r in sorted(lao_cai(reports, (*PLAN, "2024-H2")), key=lambda r: r.period)
        for o in r.orgs
        if o["name"] == duc["name"]
    ]
    upgrades = sum(
        a == "chi_bo_co_so" and b == "dang_bo_co_so" for a, b in itertools.pairwise(duc_types)
    )

    def private_adm(periods, units=None) -> int:
        n = 0
        for r in lao_cai(reports, periods):
            if units and r.unit_code not in units:
                continue
            private = {o["tax_code"] for o in r.orgs if o["private"]}
            n += sum(a["tax_code"] in private for a in r.admissions)
        return n

    members_private = sum(
        o["party_members"] for r in lao_cai(reports) for o in r.orgs if o["private"]
    )
    nb = {r.period: r for r in reports if r.unit_code == "37-CQDN"}
    cats = Counter(a["category"] for a in nb["2023-H1"].admissions)
    return {
        "F01": len(iz),
        "F02a": sum(o["employees"] >= 20 for o in iz),
        "F02b": sum(o["employees"] < 20 for o in iz),
        "F03a": len(grassroots),
        "F03b": sum(o["party_members"] for o in grassroots),
        "F04": sum(o["party_org"] == "khong" and 1 <= o["party_members"] <= 3 for o in iz),
        "F05a": flow(reports, "Số đoàn viên công đoàn kết nạp mới"),
        "F05b": flow(reports, "trong doanh nghiệp ngoài nhà nước"),
        "F05c": private_founded(reports, "union_founded", ("2024-H1",)),
        "F06a": flow(reports, "Số đoàn viên ưu tú được giới thiệu cho Đảng"),
        "F06b": flow(reports, "số được kết nạp vào Đảng"),
        "F07a": assoc["party_members"],
        "F07b": assoc["party_founded"].isoformat(),
        "F08a": duc["party_org"],
        "F08b": duc["party_founded"].isoformat(),
        "F08c": upgrades,
        "F09a": private_founded(reports, "union_founded", PLAN),
        "F09b": flow(reports, "trong doanh nghiệp ngoài nhà nước", PLAN),
        "F09c": private_founded(reports, "youth_founded", PLAN),
        "F10a": flow(reports, "Số lớp bồi dưỡng nhận thức về Đảng"),
        "F10b": flow(reports, "người lao động trong đơn vị kinh tế tư nhân"),
        "F11a": private_adm(("2024-H1",)),
        "F11b": private_adm(PLAN),
        "F12a": private_founded(reports, "party_founded", ("2024-H1",)),
        "F12b": private_founded(reports, "party_founded", PLAN),
        "F13": ",".join(code for code in DISTRICTS if private_adm(("2024-H1",), {code}) == 0),
        "F14a": members_private,
        "F14b": 100 * private_adm(("2024-H1",)) // members_private,
        "F15a": len(nb["2023-H1"].admissions),
        "F15b": cats["cong_nhan_lao_dong"],
        "F15c": cats["hoc_sinh_sinh_vien"] + cats["hoc_sinh_thpt"],
        "F15d": cats["hoc_sinh_thpt"],
        "F15e": sum(
            a["category"] in STUDENTS for p in ("2022-H1", "2022-H2") for a in nb[p].admissions
        ),
    }


@pytest.mark.parametrize("figure", SEED_FIGURES, ids=lambda f: f.figure_id)
def test_seed_figure_recounted_from_files_matches_expected(demo_reports, figure):
    assert recount(demo_reports)[figure.figure_id] == figure.expected


def test_every_seed_figure_has_a_recount(demo_reports):
    assert set(recount(demo_reports)) == {f.figure_id for f in SEED_FIGURES}


def test_sample_covers_every_unit_and_period(demo_reports):
    have = {(r.unit_code, r.period) for r in demo_reports}
    lc = ["080", "082", "083", "084", "085", "086", "087", "088", "089", "10-CQDN", "10-KKT"]
    want = {(u, p) for u in lc for p in (*PLAN, "2024-H2")}
    want |= {("37-CQDN", p) for p in ("2022-H1", "2022-H2", "2023-H1", "2023-H2")}
    assert have == want


def test_every_report_passes_the_single_report_rules(demo_dir: Path):
    """Summary equals detail, parts within wholes, ...: the warehouse's own rules, run as
    `tcd validate` runs them, refuse no report of the demo sample."""
    registry = load_registry(REPO_ROOT / "sources" / "registry.yaml")
    console = Console(file=io.StringIO(), width=200)
    paths = report_paths(demo_dir)
    assert validate_files(paths, console, registry=registry) == 0, console.file.getvalue()


def test_every_admission_is_valid_and_admitted_once(demo_reports):
    seen: set[str] = set()
    for r in demo_reports:
        start, end = period_bounds(r.period)
        taxes = {o["tax_code"] for o in r.orgs}
        for a in r.admissions:
            assert re.fullmatch(r"(010|037)[0-3]\d{8}", a["cccd"]), a["cccd"]
            assert a["cccd"] not in seen
            seen.add(a["cccd"])
            assert start <= a["admitted"] <= end
            years = (a["admitted"] - a["birth"]).days / 365.25
            assert years >= 18
            assert a["tax_code"] in taxes


def test_each_enterprise_is_reported_by_one_unit_per_period(demo_reports):
    owners: dict[tuple[str, str], str] = {}
    for r in demo_reports:
        for o in r.orgs:
            key = (o["tax_code"], r.period)
            assert owners.setdefault(key, r.unit_code) == r.unit_code, key


def test_title_rows_name_the_file_period(demo_reports):
    assert all(r.title_period == r.period for r in demo_reports)
