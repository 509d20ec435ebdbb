"""In-memory shape of one report before it is rendered to a file.

The generator builds these records first and renders them last, so the same report can be written
as a workbook or a CSV bundle, and a rule violation can be injected into the data before the
summary sheet is computed from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dagster_project.reports.reference import private_sector_codes

# Party organisations a stock-movement injection can dissolve (coded_values domain to_chuc_dang).
GRASSROOTS_PARTY_ORGS = frozenset({"chi_bo_co_so", "dang_bo_co_so"})


@dataclass
class Admission:
    """One KetNap row: a person admitted to the Party in the period (personal data included)."""

    full_name: str
    cccd: str
    birth_date: dt.date
    gender: str  # nam | nu
    ethnicity: str  # as written in the file (variant spelling allowed)
    category: str  # doi_tuong code
    work_unit_name: str
    tax_code: str
    admission_date: dt.date
    decision_number: str
    party_cell: str
    # Raw overrides used by violation injection: column key -> literal cell text.
    raw: dict[str, str] = field(default_factory=dict)


@dataclass
class OrgRow:
    """One ToChuc row: a unit or enterprise in the reporting unit's scope at period end."""

    tax_code: str
    name: str
    ownership: str  # loai_hinh code
    ownership_label: str  # label written in the file (a variant of the code's label)
    industrial_zone: str | None
    employees: int
    party_org: str  # to_chuc_dang code
    party_founded: dt.date | None
    party_members: int
    superior: str
    union_founded: dt.date | None
    union_members: int
    youth_founded: dt.date | None
    youth_members: int
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def has_union(self) -> bool:
        return self.union_founded is not None

    @property
    def has_youth(self) -> bool:
        return self.youth_founded is not None

    @property
    def is_private(self) -> bool:
        return self.ownership in private_sector_codes()  # coded_values.is_private_sector


@dataclass
class UnitInfo:
    """A reporting unit as the generator needs it: code and the names its title rows use."""

    code: str
    name: str  # official name, e.g. "Thị xã Sa Pa"
    title: str  # first title row, e.g. "ĐẢNG BỘ THỊ XÃ SA PA"
    province_code: str
    province_name: str
    decision_suffix: str  # e.g. "QĐ/HU"
    tax_prefix: str  # two-digit tax-office code of the province
    cccd_prefix: str  # three-digit birth-registration province code


@dataclass
class Report:
    """Everything one report file says, plus how to write it."""

    unit: UnitInfo
    period: str
    admissions: list[Admission]
    orgs: list[OrgRow]
    flows: dict[str, int]  # indicators with no detail sheet, reported as given
    # Filled by `summary.compute_summary`; injections may alter it afterwards.
    summary: dict[str, int | str] = field(default_factory=dict)
    fmt: str = "xlsx"  # xlsx | csv_dir | csv_zip | csv_bom_zip | csv_bom_dir
    style: int = 0  # selects layout variants deterministically
    nfd: bool = False
    title_unit_override: str | None = None
    title_period_override: str | None = None
    # TongHop rows whose label is not in the catalogue (label, value).
    extra_summary_rows: list[tuple[str, int]] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return f"{self.unit.code}_{self.period}"
