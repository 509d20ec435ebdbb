"""Turn a report into sheets of cells, with the legal messiness of real district files.

One layout feeds both writers (workbook and CSV bundle): title rows naming the unit and period,
a one- or two-row header (merged group cells), label variants, columns in varying order,
numbers typed as text with Vietnamese separators, Excel and text dates mixed, a "Tổng cộng" row
and blank trailing rows. Every choice is drawn from a random source seeded by the report, so the
same seed writes the same cells.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field

from dagster_project.reports.reference import coded_values
from tcd_samples.model import Admission, OrgRow, Report
from tcd_samples.summary import INDICATORS

Cell = str | int | dt.date | None

# Labels of the coded values, as the seed (coded_values.csv) spells them.
_CODED = coded_values()
OWNERSHIP_LABEL = dict(_CODED["loai_hinh"].labels)
PARTY_ORG_LABEL = dict(_CODED["to_chuc_dang"].labels)
GENDER_LABEL = dict(_CODED["gioi_tinh"].labels)
# How officers write a category: the seed's label, and for some the seed's variant they prefer.
_CATEGORY_VARIANT = {
    "cong_nhan_lao_dong": None,  # the label twice: most files write it in full
    "hoc_sinh_sinh_vien": "Sinh viên",
    "hoc_sinh_thpt": "Học sinh THPT",
}
CATEGORY_LABELS = {
    code: [label, _CATEGORY_VARIANT.get(code) or label] if code in _CATEGORY_VARIANT else [label]
    for code, label in _CODED["doi_tuong"].labels.items()
}
if any(
    _CODED["doi_tuong"].match(text) != code
    for code, texts in CATEGORY_LABELS.items()
    for text in texts
):
    raise ValueError("samples: a category spelling the parser would not read back")

# Column key -> header label variants (the first is the contract's label).
KET_NAP_COLUMNS: dict[str, list[str]] = {
    "stt": ["STT", "TT"],
    "ho_ten": ["Họ và tên", "Họ tên"],
    "cccd": ["Số CCCD", "Số căn cước công dân"],
    "ngay_sinh": ["Ngày sinh", "Ngày, tháng, năm sinh"],
    "gioi_tinh": ["Giới tính"],
    "dan_toc": ["Dân tộc"],
    "doi_tuong": ["Đối tượng"],
    "don_vi": ["Đơn vị công tác"],
    "mst": ["Mã số thuế", "MST"],
    "ngay_ket_nap": ["Ngày kết nạp"],
    "so_qd": ["Số quyết định", "Số quyết định kết nạp"],
    "chi_bo": ["Chi bộ", "Chi bộ sinh hoạt"],
}
TO_CHUC_COLUMNS: dict[str, list[str]] = {
    "stt": ["STT", "TT"],
    "mst": ["Mã số thuế", "MST"],
    "ten": ["Tên đơn vị", "Tên doanh nghiệp, đơn vị"],
    "loai_hinh": ["Loại hình", "Loại hình doanh nghiệp"],
    "kcn": ["Khu công nghiệp/khu kinh tế", "Khu công nghiệp"],
    "lao_dong": ["Số lao động", "Tổng số lao động"],
    "tcd": ["Tổ chức đảng"],
    "ngay_tcd": ["Ngày thành lập tổ chức đảng"],
    "dang_vien": ["Số đảng viên", "Tổng số đảng viên"],
    "cap_tren": ["Cấp ủy cấp trên", "Cấp ủy cấp trên trực tiếp"],
    "cong_doan": ["Công đoàn cơ sở"],
    "ngay_cd": ["Ngày thành lập công đoàn"],
    "dv_cd": ["Số đoàn viên công đoàn"],
    "doan": ["Tổ chức đoàn"],
    "ngay_doan": ["Ngày thành lập tổ chức đoàn"],
    "dv_tn": ["Số đoàn viên thanh niên"],
}
TO_CHUC_GROUPS = [
    (None, ["stt", "mst", "ten", "loai_hinh", "kcn", "lao_dong"]),
    ("TỔ CHỨC ĐẢNG", ["tcd", "ngay_tcd", "dang_vien", "cap_tren"]),
    ("CÔNG ĐOÀN", ["cong_doan", "ngay_cd", "dv_cd"]),
    ("ĐOÀN THANH NIÊN", ["doan", "ngay_doan", "dv_tn"]),
]
SHEET_NAMES = [
    ("TongHop", "KetNap", "ToChuc"),
    ("TONGHOP", "KETNAP", "TOCHUC"),
    ("TổngHợp", "KếtNạp", "TổChức"),
]


@dataclass
class Sheet:
    """One sheet as rows of cells; `merges` are (row, first_col, last_row, last_col, text)."""

    name: str
    rows: list[list[Cell]]
    header_rows: tuple[int, ...] = ()
    merges: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    wrap_rows: tuple[int, ...] = ()


def period_text(period: str, *, upper: bool = True) -> str:
    year, half = period[:4], period[-1]
    text = f"6 tháng {'đầu' if half == '1' else 'cuối'} năm {year}"
    return text.upper() if upper else text


def vn_number(n: int) -> str:
    """Thousands grouped with '.', as Vietnamese files write them."""
    return f"{n:,}".replace(",", ".")


class Styler:
    """Per-report choices of layout and cell spelling."""

    def __init__(self, report: Report, seed: int) -> None:
        self.report = report
        self.rng = random.Random(f"{seed}:{report.stem}:layout")
        r = self.rng
        self.sheet_names = SHEET_NAMES[0 if report.style % 3 else r.randrange(3)]
        self.grouped_header = report.style % 2 == 1
        self.shuffle_columns = report.style % 4 >= 2
        self.numbers_as_text = r.random() < 0.4
        self.text_dates = r.choice([0.0, 0.3, 1.0])  # share of dates written as text
        self.yes, self.no = r.choice([("Có", "Không"), ("x", ""), ("Có", "")])
        self.variant = r.randrange(2)  # header label variant index
        self.trailing_blank = r.randrange(0, 4)

    def label(self, variants: list[str]) -> str:
        text = (
            variants[min(self.variant, len(variants) - 1)]
            if self.rng.random() < 0.5
            else (variants[0])
        )
        return text.replace(" ", "\n", 1) if len(text) > 14 and self.rng.random() < 0.3 else text

    def number(self, n: int) -> Cell:
        if n >= 1000 and self.numbers_as_text:
            return vn_number(n)
        if self.numbers_as_text and self.rng.random() < 0.15:
            return str(n)
        return n

    def date(self, d: dt.date | None, *, text_only: bool = False) -> Cell:
        if d is None:
            return None
        if text_only or self.rng.random() < self.text_dates:
            if self.rng.random() < 0.1:
                return f"{d.day}/{d.month}/{d.year}"
            return d.strftime("%d/%m/%Y")
        return d

    def yes_no(self, flag: bool) -> str:
        return self.yes if flag else self.no

    def title_rows(self, subtitle: str) -> list[list[Cell]]:
        rep = self.report
        unit_title = rep.title_unit_override or rep.unit.title
        ptext = rep.title_period_override or period_text(rep.period, upper=self.rng.random() < 0.8)
        return [
            [unit_title],
            [
                f"BÁO CÁO KẾT QUẢ XÂY DỰNG TỔ CHỨC ĐẢNG, ĐOÀN THỂ TRONG CÁC ĐƠN VỊ KINH TẾ TƯ NHÂN "
                f"{ptext}"
            ],
            [subtitle],
            [],
        ]


def tong_hop_sheet(st: Styler) -> Sheet:
    rep, r = st.report, st.rng
    numbered_in_label = r.random() < 0.4
    rows = st.title_rows("BIỂU TỔNG HỢP CÁC CHỈ TIÊU")
    header = len(rows)
    if numbered_in_label:
        rows.append(["Nội dung", "Kết quả"])
    else:
        rows.append(
            ["STT", r.choice(["Chỉ tiêu", "Nội dung chỉ tiêu"]), r.choice(["Số lượng", "Kết quả"])]
        )
    drop_prefix = r.random() < 0.3
    for code, label, parent, number in INDICATORS:
        text = label
        if parent and drop_prefix:
            text = "- " + label.removeprefix("Trong đó: ")
        elif parent is None and r.random() < 0.15:
            text = label.upper()
        value = rep.summary[code]
        cell: Cell = value if isinstance(value, str) else st.number(value)
        if numbered_in_label:
            rows.append([f"{number} {text}", cell])
        else:
            rows.append([number, text, cell])
    for label, value in rep.extra_summary_rows:
        rows.append([label, value] if numbered_in_label else [None, label, value])
    rows += [[] for _ in range(st.trailing_blank)]
    return Sheet(st.sheet_names[0], rows, header_rows=(header,))


def _ordered(st: Styler, keys: list[str]) -> list[str]:
    if not st.shuffle_columns:
        return keys
    head, tail = keys[:1], keys[1:]
    st.rng.shuffle(tail)
    return head + tail


def _ket_nap_cells(st: Styler, i: int, a: Admission) -> dict[str, Cell]:
    cells: dict[str, Cell] = {
        "stt": i,
        "ho_ten": a.full_name,
        "cccd": a.cccd,
        "ngay_sinh": st.date(a.birth_date),
        "gioi_tinh": GENDER_LABEL[a.gender],
        "dan_toc": a.ethnicity,
        "doi_tuong": st.rng.choice(CATEGORY_LABELS[a.category]),
        "don_vi": a.work_unit_name,
        "mst": a.tax_code,
        "ngay_ket_nap": st.date(a.admission_date),
        "so_qd": a.decision_number,
        "chi_bo": a.party_cell,
    }
    cells.update(a.raw)
    return cells


def ket_nap_sheet(st: Styler) -> Sheet:
    rep = st.report
    keys = _ordered(st, list(KET_NAP_COLUMNS))
    rows = st.title_rows("DANH SÁCH ĐẢNG VIÊN MỚI ĐƯỢC KẾT NẠP")
    header = len(rows)
    rows.append([st.label(KET_NAP_COLUMNS[k]) for k in keys])
    for i, a in enumerate(rep.admissions, start=1):
        cells = _ket_nap_cells(st, i, a)
        rows.append([cells[k] for k in keys])
    total: list[Cell] = ["Tổng cộng"] + [None] * (len(keys) - 1)
    total[keys.index("ho_ten")] = f"{len(rep.admissions)} đồng chí"
    rows.append(total)
    rows += [[] for _ in range(st.trailing_blank)]
    return Sheet(st.sheet_names[1], rows, header_rows=(header,), wrap_rows=(header,))


def _to_chuc_cells(st: Styler, i: int, o: OrgRow) -> dict[str, Cell]:
    cells: dict[str, Cell] = {
        "stt": i,
        "mst": o.tax_code,
        "ten": o.name,
        "loai_hinh": o.ownership_label,
        "kcn": o.industrial_zone,
        "lao_dong": st.number(o.employees),
        "tcd": PARTY_ORG_LABEL[o.party_org],
        "ngay_tcd": st.date(o.party_founded),
        "dang_vien": st.number(o.party_members),
        "cap_tren": o.superior or None,
        "cong_doan": st.yes_no(o.has_union),
        "ngay_cd": st.date(o.union_founded),
        "dv_cd": st.number(o.union_members),
        "doan": st.yes_no(o.has_youth),
        "ngay_doan": st.date(o.youth_founded),
        "dv_tn": st.number(o.youth_members),
    }
    cells.update(o.raw)
    return cells


def to_chuc_sheet(st: Styler) -> Sheet:
    rep, r = st.report, st.rng
    groups = [(g, list(keys)) for g, keys in TO_CHUC_GROUPS]
    if st.shuffle_columns:
        info = groups[0][1]
        info[1], info[2] = info[2], info[1]  # name before tax code
        if r.random() < 0.5:
            info.append(info.pop(info.index("kcn")))
        rest = groups[1:]
        r.shuffle(rest)
        groups = [groups[0], *rest]
    keys = [k for _, ks in groups for k in ks]
    rows = st.title_rows(
        "DANH SÁCH TỔ CHỨC ĐẢNG, ĐOÀN THỂ TRONG CÁC ĐƠN VỊ (TẠI THỜI ĐIỂM CUỐI KỲ)"
    )
    merges: list[tuple[int, int, int, int, str]] = []
    if st.grouped_header:
        top, sub = len(rows), len(rows) + 1
        top_row: list[Cell] = []
        sub_row: list[Cell] = []
        col = 0
        for group, ks in groups:
            if group is None:
                for k in ks:
                    text = st.label(TO_CHUC_COLUMNS[k])
                    top_row.append(text)
                    sub_row.append(None)
                    merges.append((top, col, sub, col, text))
                    col += 1
            else:
                top_row += [group] + [None] * (len(ks) - 1)
                merges.append((top, col, top, col + len(ks) - 1, group))
                for k in ks:
                    sub_row.append(st.label(TO_CHUC_COLUMNS[k]))
                    col += 1
        rows += [top_row, sub_row]
        header_rows: tuple[int, ...] = (top, sub)
    else:
        header_rows = (len(rows),)
        rows.append([st.label(TO_CHUC_COLUMNS[k]) for k in keys])
    for i, o in enumerate(rep.orgs, start=1):
        cells = _to_chuc_cells(st, i, o)
        rows.append([cells[k] for k in keys])
    sums = {
        "lao_dong": sum(o.employees for o in rep.orgs),
        "dang_vien": sum(o.party_members for o in rep.orgs),
        "dv_cd": sum(o.union_members for o in rep.orgs),
        "dv_tn": sum(o.youth_members for o in rep.orgs),
    }
    total: list[Cell] = [sums.get(k) for k in keys]
    total[0] = "Tổng cộng"
    rows.append(total)
    rows += [[] for _ in range(st.trailing_blank)]
    return Sheet(
        st.sheet_names[2], rows, header_rows=header_rows, merges=merges, wrap_rows=header_rows
    )


def build_sheets(report: Report, seed: int) -> list[Sheet]:
    """The three sheets of a report, in the order the file shows them."""
    st = Styler(report, seed)
    sheets = [tong_hop_sheet(st), ket_nap_sheet(st), to_chuc_sheet(st)]
    if report.style % 5 == 4:
        sheets = [sheets[0], sheets[2], sheets[1]]
    if report.nfd:
        for sh in sheets:
            sh.rows = [[_nfd(c) for c in row] for row in sh.rows]
            sh.merges = [(*m[:4], unicodedata.normalize("NFD", m[4])) for m in sh.merges]
    return sheets


def _nfd(cell: Cell) -> Cell:
    return unicodedata.normalize("NFD", cell) if isinstance(cell, str) else cell
