"""The TongHop sheet: indicator labels, and the summary values recomputed from the detail sheets.

The values follow report-contract.md's "summary equals detail" rules, so a clean report never
contradicts its own KetNap and ToChuc sheets.
"""

from __future__ import annotations

from dagster_project.ingest.periods import period_bounds
from dagster_project.samples.model import (
    GRASSROOTS_PARTY_ORGS,
    NON_ENTERPRISE_OWNERSHIP,
    STUDENT_CATEGORIES,
    Report,
)

# (code, canonical label, parent code, numbering used by the "numbered" layout), in sheet order.
INDICATORS: list[tuple[str, str, str | None, str]] = [
    ("ket_nap_dang_vien", "Số đảng viên mới được kết nạp", None, "1."),
    (
        "ket_nap_cong_nhan_lao_dong",
        "Trong đó: công nhân, người lao động",
        "ket_nap_dang_vien",
        "1.1",
    ),
    ("ket_nap_hoc_sinh_sinh_vien", "Trong đó: học sinh, sinh viên", "ket_nap_dang_vien", "1.2"),
    (
        "ket_nap_hoc_sinh_thpt",
        "Trong đó: học sinh trung học phổ thông",
        "ket_nap_hoc_sinh_sinh_vien",
        "a)",
    ),
    ("ket_nap_chu_doanh_nghiep", "Trong đó: chủ doanh nghiệp", "ket_nap_dang_vien", "1.3"),
    ("ket_nap_kttn", "Trong đó: trong các đơn vị kinh tế tư nhân", "ket_nap_dang_vien", "1.4"),
    ("lop_boi_duong", "Số lớp bồi dưỡng nhận thức về Đảng", None, "2."),
    ("hoc_vien_boi_duong", "Số học viên lớp bồi dưỡng nhận thức về Đảng", None, "3."),
    (
        "hoc_vien_kttn",
        "Trong đó: người lao động trong đơn vị kinh tế tư nhân",
        "hoc_vien_boi_duong",
        "3.1",
    ),
    ("de_nghi_ket_nap", "Số quần chúng được đề nghị kết nạp", None, "4."),
    ("doan_vien_uu_tu_gioi_thieu", "Số đoàn viên ưu tú được giới thiệu cho Đảng", None, "5."),
    (
        "doan_vien_uu_tu_ket_nap",
        "Trong đó: số được kết nạp vào Đảng",
        "doan_vien_uu_tu_gioi_thieu",
        "5.1",
    ),
    ("chuyen_chinh_thuc", "Số đảng viên dự bị được công nhận chính thức", None, "6."),
    (
        "tcd_thanh_lap_kttn",
        "Số tổ chức đảng thành lập mới trong đơn vị kinh tế tư nhân",
        None,
        "7.",
    ),
    ("cdcs_thanh_lap", "Số công đoàn cơ sở thành lập mới", None, "8."),
    ("doan_vien_cong_doan_moi", "Số đoàn viên công đoàn kết nạp mới", None, "9."),
    (
        "doan_vien_cong_doan_moi_ngoai_nn",
        "Trong đó: trong doanh nghiệp ngoài nhà nước",
        "doan_vien_cong_doan_moi",
        "9.1",
    ),
    ("to_chuc_doan_thanh_lap", "Số tổ chức đoàn thành lập mới", None, "10."),
    ("dang_vien_kttn", "Tổng số đảng viên trong đơn vị kinh tế tư nhân", None, "11."),
    ("tcd_kttn", "Số tổ chức cơ sở đảng trong đơn vị kinh tế tư nhân", None, "12."),
    (
        "dn_co_dv_chua_co_tcd",
        "Số doanh nghiệp có đảng viên nhưng chưa có tổ chức đảng",
        None,
        "13.",
    ),
]
PARENT = {code: parent for code, _, parent, _ in INDICATORS if parent}
FLOW_ONLY = (
    "lop_boi_duong",
    "hoc_vien_boi_duong",
    "hoc_vien_kttn",
    "de_nghi_ket_nap",
    "doan_vien_uu_tu_gioi_thieu",
    "doan_vien_uu_tu_ket_nap",
    "chuyen_chinh_thuc",
    "doan_vien_cong_doan_moi",
    "doan_vien_cong_doan_moi_ngoai_nn",
)


def compute_summary(report: Report) -> dict[str, int]:
    """Summary values as the contract recomputes them from the report's own detail sheets."""
    start, end = period_bounds(report.period)
    cats = [a.category for a in report.admissions]
    private_codes = {o.tax_code for o in report.orgs if o.is_private}

    def founded_in(d) -> bool:
        return d is not None and start <= d <= end

    values = {
        "ket_nap_dang_vien": len(cats),
        "ket_nap_cong_nhan_lao_dong": cats.count("cong_nhan_lao_dong"),
        "ket_nap_hoc_sinh_sinh_vien": sum(c in STUDENT_CATEGORIES for c in cats),
        "ket_nap_hoc_sinh_thpt": cats.count("hoc_sinh_thpt"),
        "ket_nap_chu_doanh_nghiep": cats.count("chu_doanh_nghiep"),
        "ket_nap_kttn": sum(a.tax_code in private_codes for a in report.admissions),
        "tcd_thanh_lap_kttn": sum(
            o.is_private and founded_in(o.party_founded) for o in report.orgs
        ),
        "cdcs_thanh_lap": sum(founded_in(o.union_founded) for o in report.orgs),
        "to_chuc_doan_thanh_lap": sum(founded_in(o.youth_founded) for o in report.orgs),
        "dang_vien_kttn": sum(o.party_members for o in report.orgs if o.is_private),
        "tcd_kttn": sum(o.is_private and o.party_org in GRASSROOTS_PARTY_ORGS for o in report.orgs),
        "dn_co_dv_chua_co_tcd": sum(
            o.ownership not in NON_ENTERPRISE_OWNERSHIP
            and o.party_members > 0
            and o.party_org == "khong"
            for o in report.orgs
        ),
    }
    values.update({code: report.flows[code] for code in FLOW_ONLY})
    return {code: values[code] for code, *_ in INDICATORS}
