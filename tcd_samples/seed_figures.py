"""The figures the seed articles report, as queries against the published marts.

The demo sample is calibrated so that every query here returns its expected value once the sample
is loaded and published; an end-to-end test loops over `SEED_FIGURES`. Lào Cai's detail rows are
selected by `dim_reporting_unit.province_code = '10'`: the districts, the bloc committee (10-CQDN)
and the zone board (10-KKT) each report different enterprises, so the sum never double counts.
TongHop figures are a plain sum of `mart_indicators` (each leaf reporting unit's own rows, so
nothing counts twice) over `province_code = '10'`, as a BI user would. docs/seed-figures.md
explains each count; its table is `figures_markdown_table()`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedFigure:
    """One checkable figure: id (F01a...), seed article, what it counts, SQL, expected value."""

    figure_id: str
    seed: str
    description: str
    sql: str
    expected: int | float | str


_LC = "select distinct unit_code from marts.dim_reporting_unit where province_code = '10'"
_IZ = "('Bắc Duyên Hải', 'Đông Phố Mới', 'Tằng Loỏng')"
_PLAN = "('2022-H2', '2023-H1', '2023-H2', '2024-H1')"


def _iz_snapshots(select: str, where: str = "true") -> str:
    return f"""
select {select}
from marts.fct_enterprise_snapshots as s
inner join marts.dim_enterprise as e on s.tax_code = e.tax_code
where s.period_code = '2024-H1'
    and s.unit_code in ({_LC})
    and e.industrial_zone in {_IZ}
    and {where}""".strip()


def _indicator_sum(indicator: str, periods: str = "('2024-H1')") -> str:
    """Lào Cai's leaf reporting units' own figures: mart_indicators holds no roll-up rows, so a
    plain sum counts each report once (it equals the province row of mart_indicators_rollup)."""
    return f"""
select sum(reported_value)
from marts.mart_indicators
where indicator_code = '{indicator}'
    and period_code in {periods}
    and province_code = '10'""".strip()


def _private_events(org_kind: str, periods: str) -> str:
    return f"""
select count(*)
from marts.fct_organization_events as ev
inner join marts.dim_enterprise as e on ev.tax_code = e.tax_code
where ev.org_kind = '{org_kind}'
    and ev.event_type = 'founded'
    and e.is_private_sector
    and ev.period_code in {periods}
    and ev.event_date >= date '2022-10-21'
    and ev.unit_code in ({_LC})""".strip()


def _private_admissions(periods: str, extra: str = "true") -> str:
    return f"""
select count(*)
from marts.fct_admissions
where is_private_sector
    and period_code in {periods}
    and unit_code in ({_LC})
    and {extra}""".strip()


# The README's query, its rows joined: the districts (town, city) of Lào Cai without one.
_NO_PRIVATE_ADMISSION_DISTRICTS = """
select string_agg(unit_code, ',' order by unit_code)
from (
    select u.unit_code
    from marts.dim_reporting_unit as u
    left join marts.fct_admissions as a
        on a.unit_code = u.unit_code and a.period_code = '2024-H1' and a.is_private_sector
    where u.province_code = '10' and u.unit_kind in ('district', 'town', 'city')
        and date '2024-06-30' between u.valid_from and coalesce(u.valid_to, date '9999-12-31')
    group by u.unit_code
    having count(a.member_key) = 0
)""".strip()


def _named(name: str, select: str, extra: str = "s.period_code = '2024-H1'") -> str:
    return f"""
select {select}
from marts.fct_enterprise_snapshots as s
inner join marts.dim_enterprise as e on s.tax_code = e.tax_code
where e.enterprise_name = '{name}'
    and {extra}""".strip()


def _named_event(name: str, select: str, event_type: str) -> str:
    return f"""
select {select}
from marts.fct_organization_events as ev
inner join marts.dim_enterprise as e on ev.tax_code = e.tax_code
where e.enterprise_name = '{name}'
    and ev.org_kind = 'party'
    and ev.event_type = '{event_type}'""".strip()


def _nb(extra: str, periods: str = "('2023-H1')") -> str:
    return f"""
select count(*)
from marts.fct_admissions
where unit_code = '37-CQDN'
    and period_code in {periods}
    and {extra}""".strip()


_ASSOC = "Hiệp hội Doanh nghiệp tỉnh Lào Cai"
_DUC_GIANG = "Công ty TNHH MTV Hóa chất Đức Giang Lào Cai"
_STUDENTS = "category_code in ('hoc_sinh_sinh_vien', 'hoc_sinh_thpt')"

SEED_FIGURES: list[SeedFigure] = [
    SeedFigure(
        "F01",
        "000",
        "Active enterprises in the 3 industrial zones, 2024-H1 end",
        _iz_snapshots("count(*)"),
        115,
    ),
    SeedFigure(
        "F02a",
        "000",
        "Industrial-zone enterprises with 20 or more workers",
        _iz_snapshots("count(*)", "s.employees >= 20"),
        33,
    ),
    SeedFigure(
        "F02b",
        "000",
        "Industrial-zone enterprises with fewer than 20 workers",
        _iz_snapshots("count(*)", "s.employees < 20"),
        82,
    ),
    SeedFigure(
        "F03a",
        "000",
        "Industrial-zone enterprises with a grassroots party organisation",
        _iz_snapshots("count(*)", "s.party_org_type in ('chi_bo_co_so', 'dang_bo_co_so')"),
        12,
    ),
    SeedFigure(
        "F03b",
        "000",
        "Party members in those enterprises",
        _iz_snapshots(
            "sum(s.party_members)", "s.party_org_type in ('chi_bo_co_so', 'dang_bo_co_so')"
        ),
        525,
    ),
    SeedFigure(
        "F04",
        "000",
        "Industrial-zone enterprises with 1-3 party members, no organisation",
        _iz_snapshots("count(*)", "s.party_org_type = 'khong' and s.party_members between 1 and 3"),
        6,
    ),
    SeedFigure(
        "F05a",
        "000",
        "New trade-union members, Lào Cai 2024-H1",
        _indicator_sum("doan_vien_cong_doan_moi"),
        3442,
    ),
    SeedFigure(
        "F05b",
        "000",
        "of them in non-state enterprises",
        _indicator_sum("doan_vien_cong_doan_moi_ngoai_nn"),
        2842,
    ),
    SeedFigure(
        "F05c",
        "000",
        "Grassroots unions founded in non-state enterprises, 2024-H1",
        _private_events("union", "('2024-H1')"),
        13,
    ),
    SeedFigure(
        "F06a",
        "000",
        "Outstanding union members introduced to the Party, 2024-H1",
        _indicator_sum("doan_vien_uu_tu_gioi_thieu"),
        65,
    ),
    SeedFigure(
        "F06b",
        "000",
        "of them admitted to the Party",
        _indicator_sum("doan_vien_uu_tu_ket_nap"),
        45,
    ),
    SeedFigure(
        "F07a",
        "000",
        "Business Association party cell: members in 2024-H1",
        _named(_ASSOC, "s.party_members"),
        45,
    ),
    SeedFigure(
        "F07b",
        "000",
        "Business Association party cell: founding date",
        _named_event(_ASSOC, "cast(min(ev.event_date) as varchar)", "founded"),
        "2016-09-06",
    ),
    SeedFigure(
        "F08a",
        "000",
        "Đức Giang Lào Cai: party organisation type in 2024-H1",
        _named(_DUC_GIANG, "s.party_org_type"),
        "dang_bo_co_so",
    ),
    SeedFigure(
        "F08b",
        "000",
        "Đức Giang Lào Cai: party cell founding date",
        _named_event(_DUC_GIANG, "cast(min(ev.event_date) as varchar)", "founded"),
        "2020-10-10",
    ),
    SeedFigure(
        "F08c",
        "000",
        "Đức Giang Lào Cai: upgrades from chi bộ to đảng bộ",
        _named_event(_DUC_GIANG, "count(*)", "upgraded"),
        1,
    ),
    SeedFigure(
        "F09a",
        "003",
        "Grassroots unions founded in private units since the plan began",
        _private_events("union", _PLAN),
        33,
    ),
    SeedFigure(
        "F09b",
        "003",
        "New union members in non-state enterprises since the plan began",
        _indicator_sum("doan_vien_cong_doan_moi_ngoai_nn", _PLAN),
        3274,
    ),
    SeedFigure(
        "F09c",
        "003",
        "Youth-union organisations founded in private units since the plan",
        _private_events("youth", _PLAN),
        16,
    ),
    SeedFigure(
        "F10a",
        "003",
        "Party-awareness classes, Lào Cai 2024-H1",
        _indicator_sum("lop_boi_duong"),
        17,
    ),
    SeedFigure(
        "F10b",
        "003",
        "Trainees from private units, Lào Cai 2024-H1",
        _indicator_sum("hoc_vien_kttn"),
        28,
    ),
    SeedFigure(
        "F11a",
        "003",
        "Party members admitted in private units, Lào Cai 2024-H1",
        _private_admissions("('2024-H1')"),
        15,
    ),
    SeedFigure(
        "F11b",
        "003",
        "Private-unit admissions since the plan began (2022-H2..2024-H1)",
        _private_admissions(_PLAN),
        174,
    ),
    SeedFigure(
        "F12a",
        "003",
        "Party organisations founded in private units, 2024-H1",
        _private_events("party", "('2024-H1')"),
        3,
    ),
    SeedFigure(
        "F12b",
        "003",
        "Party organisations founded in private units since the plan",
        _private_events("party", _PLAN),
        7,
    ),
    SeedFigure(
        "F13",
        "003",
        "Districts with no private-unit admission in 2024-H1: exactly Mường Khương, Si Ma Cai, "
        "Bắc Hà, Bảo Yên and Sa Pa",
        _NO_PRIVATE_ADMISSION_DISTRICTS,
        "083,084,085,087,088",
    ),
    SeedFigure(
        "F14a",
        "003",
        "Party members in private units, Lào Cai 2024-H1 end",
        f"""
select sum(s.party_members)
from marts.fct_enterprise_snapshots as s
inner join marts.dim_enterprise as e on s.tax_code = e.tax_code
where s.period_code = '2024-H1'
    and e.is_private_sector
    and s.unit_code in ({_LC})""".strip(),
        1434,
    ),
    SeedFigure(
        "F14b",
        "003",
        "2024-H1 private-unit admissions as a truncated % of that stock",
        f"""
select cast(floor(100.0 * (
    {_private_admissions("('2024-H1')")}
) / (
    select sum(s.party_members)
    from marts.fct_enterprise_snapshots as s
    inner join marts.dim_enterprise as e on s.tax_code = e.tax_code
    where s.period_code = '2024-H1'
        and e.is_private_sector
        and s.unit_code in ({_LC})
)) as integer)""".strip(),
        1,
    ),
    SeedFigure("F15a", "001", "Ninh Bình bloc admissions, 2023-H1", _nb("true"), 227),
    SeedFigure(
        "F15b",
        "001",
        "of them workers (công nhân, người lao động)",
        _nb("category_code = 'cong_nhan_lao_dong'"),
        110,
    ),
    SeedFigure(
        "F15c", "001", "of them students, high-school students included", _nb(_STUDENTS), 41
    ),
    SeedFigure(
        "F15d", "001", "of them high-school students", _nb("category_code = 'hoc_sinh_thpt'"), 8
    ),
    SeedFigure(
        "F15e",
        "001",
        "Ninh Bình bloc students admitted in all of 2022",
        _nb(_STUDENTS, "('2022-H1', '2022-H2')"),
        33,
    ),
]


def _markdown_cell(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line.replace("|", "\\|")


def figures_markdown_table(figures: list[SeedFigure] | None = None) -> str:
    """The table of docs/seed-figures.md, rendered from the figures so the two cannot drift."""
    rows = [
        "| figure | seed | scope | SQL against the published warehouse | expected |",
        "|---|---|---|---|---|",
    ]
    for figure in SEED_FIGURES if figures is None else figures:
        rows.append(
            f"| {figure.figure_id} | {figure.seed} | {_markdown_cell(figure.description)} "
            f"| `{_markdown_cell(figure.sql)}` | {figure.expected} |"
        )
    return "\n".join(rows) + "\n"
