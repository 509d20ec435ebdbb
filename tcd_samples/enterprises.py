"""An enterprise's history over the sampled periods, from which each period-end snapshot is cut.

Keeping the whole timeline on one object is what makes snapshots consistent: an organisation
founded in one period is still there in the next, an upgrade keeps the founding date, and a
transfer only changes the superior committee.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tcd_samples.model import OrgRow


@dataclass
class Enterprise:
    """Per-period state of one unit or enterprise, indexed by period position (0 = first)."""

    tax_code: str
    name: str
    ownership: str
    ownership_label: str
    industrial_zone: str | None
    n_periods: int
    first: int = 0  # first period it appears in a snapshot
    employees: list[int] = field(default_factory=list)
    party_org: list[str] = field(default_factory=list)
    party_members: list[int] = field(default_factory=list)
    party_founded: dt.date | None = None
    superior: list[str] = field(default_factory=list)
    union_founded: dt.date | None = None
    union_from: int = 0  # first period whose snapshot shows the union
    union_members: list[int] = field(default_factory=list)
    youth_founded: dt.date | None = None
    youth_from: int = 0
    youth_members: list[int] = field(default_factory=list)
    party_from: int = 0  # first period whose snapshot shows the party organisation

    def __post_init__(self) -> None:
        n = self.n_periods
        for name, default in (
            ("employees", 0),
            ("party_org", "khong"),
            ("party_members", 0),
            ("superior", ""),
            ("union_members", 0),
            ("youth_members", 0),
        ):
            if not getattr(self, name):
                setattr(self, name, [default] * n)

    @property
    def is_private(self) -> bool:
        return self.ownership in {"tu_nhan", "fdi", "hop_tac_xa", "ho_kinh_doanh"}

    def exists(self, p: int) -> bool:
        return p >= self.first

    def has_union(self, p: int) -> bool:
        return self.union_founded is not None and p >= self.union_from

    def has_youth(self, p: int) -> bool:
        return self.youth_founded is not None and p >= self.youth_from

    def has_party_org(self, p: int) -> bool:
        return self.party_org[p] != "khong"

    def snapshot(self, p: int) -> OrgRow:
        """The ToChuc row at the end of period `p`."""
        has_party = self.has_party_org(p)
        return OrgRow(
            tax_code=self.tax_code,
            name=self.name,
            ownership=self.ownership,
            ownership_label=self.ownership_label,
            industrial_zone=self.industrial_zone,
            employees=self.employees[p],
            party_org=self.party_org[p],
            party_founded=self.party_founded if has_party else None,
            party_members=self.party_members[p],
            superior=self.superior[p] if has_party else "",
            union_founded=self.union_founded if self.has_union(p) else None,
            union_members=self.union_members[p] if self.has_union(p) else 0,
            youth_founded=self.youth_founded if self.has_youth(p) else None,
            youth_members=self.youth_members[p] if self.has_youth(p) else 0,
        )
