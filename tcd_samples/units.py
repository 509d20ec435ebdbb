"""The reporting units of the demo sample, with the names their reports print in the title rows."""

from __future__ import annotations

from tcd_samples.model import UnitInfo

LAO_CAI = "10"
NINH_BINH = "37"


def _lc(code: str, name: str, title: str, suffix: str = "QĐ/HU") -> UnitInfo:
    return UnitInfo(code, name, title, LAO_CAI, "Lào Cai", suffix, "53", "010")


# Lào Cai before the 2025 reform: GSO district codes, plus the bloc and the zone-board committees.
LAO_CAI_UNITS: list[UnitInfo] = [
    _lc("080", "Thành phố Lào Cai", "ĐẢNG BỘ THÀNH PHỐ LÀO CAI", "QĐ/TU"),
    _lc("082", "Bát Xát", "ĐẢNG BỘ HUYỆN BÁT XÁT"),
    _lc("083", "Mường Khương", "ĐẢNG BỘ HUYỆN MƯỜNG KHƯƠNG"),
    _lc("084", "Si Ma Cai", "ĐẢNG BỘ HUYỆN SI MA CAI"),
    _lc("085", "Bắc Hà", "ĐẢNG BỘ HUYỆN BẮC HÀ"),
    _lc("086", "Bảo Thắng", "ĐẢNG BỘ HUYỆN BẢO THẮNG"),
    _lc("087", "Bảo Yên", "ĐẢNG BỘ HUYỆN BẢO YÊN"),
    _lc("088", "Thị xã Sa Pa", "ĐẢNG BỘ THỊ XÃ SA PA", "QĐ/TU"),
    _lc("089", "Văn Bàn", "ĐẢNG BỘ HUYỆN VĂN BÀN"),
    _lc(
        "10-CQDN",
        "Đảng bộ Khối Cơ quan - Doanh nghiệp tỉnh Lào Cai",
        "ĐẢNG BỘ KHỐI CƠ QUAN - DOANH NGHIỆP TỈNH LÀO CAI",
        "QĐ/ĐU",
    ),
    _lc(
        "10-KKT",
        "Đảng bộ Ban Quản lý Khu kinh tế tỉnh Lào Cai",
        "ĐẢNG BỘ BAN QUẢN LÝ KHU KINH TẾ TỈNH LÀO CAI",
        "QĐ/ĐU",
    ),
]

NINH_BINH_BLOC = UnitInfo(
    "37-CQDN",
    "Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh Ninh Bình",
    "ĐẢNG BỘ KHỐI CƠ QUAN VÀ DOANH NGHIỆP TỈNH NINH BÌNH",
    NINH_BINH,
    "Ninh Bình",
    "QĐ/ĐU",
    "27",
    "037",
)

# District seat and a few communes/wards, used for superior committees and joint party cells.
PLACES: dict[str, tuple[str, str, list[str]]] = {
    # code: (place name for enterprise names, district-level committee, commune committees)
    "080": (
        "Lào Cai",
        "Thành ủy Lào Cai",
        ["phường Cốc Lếu", "phường Kim Tân", "phường Bắc Cường"],
    ),
    "082": ("Bát Xát", "Huyện ủy Bát Xát", ["thị trấn Bát Xát", "xã Bản Vược", "xã Quang Kim"]),
    "083": ("Mường Khương", "Huyện ủy Mường Khương", ["thị trấn Mường Khương", "xã Bản Lầu"]),
    "084": ("Si Ma Cai", "Huyện ủy Si Ma Cai", ["thị trấn Si Ma Cai", "xã Sán Chải"]),
    "085": ("Bắc Hà", "Huyện ủy Bắc Hà", ["thị trấn Bắc Hà", "xã Bảo Nhai"]),
    "086": ("Bảo Thắng", "Huyện ủy Bảo Thắng", ["thị trấn Phố Lu", "thị trấn Tằng Loỏng"]),
    "087": ("Bảo Yên", "Huyện ủy Bảo Yên", ["thị trấn Phố Ràng", "xã Xuân Thượng"]),
    "088": ("Sa Pa", "Thị ủy Sa Pa", ["phường Sa Pa", "phường Cầu Mây", "xã Tả Van"]),
    "089": ("Văn Bàn", "Huyện ủy Văn Bàn", ["thị trấn Khánh Yên", "xã Võ Lao"]),
}
BLOC_COMMITTEE_LC = "Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh"
ZONE_COMMITTEE_LC = "Đảng ủy Ban Quản lý Khu kinh tế tỉnh"
BLOC_COMMITTEE_NB = "Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh Ninh Bình"
INDUSTRIAL_ZONES = ["Bắc Duyên Hải", "Đông Phố Mới", "Tằng Loỏng"]
