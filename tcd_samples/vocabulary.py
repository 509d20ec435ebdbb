"""Invented Vietnamese names for people and enterprises, and the region's ethnic groups.

Names are random combinations of common syllables, so they belong to nobody in particular; a short
blocklist keeps out the officials the seed articles name.
"""

from __future__ import annotations

import random

# Ethnic group -> spellings seen in files (the first is the canonical label).
ETHNIC_VARIANTS: dict[str, list[str]] = {
    "Kinh": ["Kinh"],
    "Mông": ["Mông", "H'Mông", "Hmông", "HMông"],
    "Tày": ["Tày"],
    "Dao": ["Dao"],
    "Giáy": ["Giáy"],
    "Nùng": ["Nùng"],
    "Hà Nhì": ["Hà Nhì"],
    "Phù Lá": ["Phù Lá"],
    "Bố Y": ["Bố Y"],
    "Mường": ["Mường"],
}
# Relative weights by region.
ETHNIC_WEIGHTS_LAO_CAI = {
    "Kinh": 40,
    "Mông": 18,
    "Tày": 12,
    "Dao": 11,
    "Giáy": 5,
    "Nùng": 4,
    "Hà Nhì": 3,
    "Phù Lá": 3,
    "Bố Y": 1,
}
ETHNIC_WEIGHTS_NINH_BINH = {"Kinh": 95, "Mường": 4, "Tày": 1}

_SURNAMES = {
    "Kinh": ["Nguyễn", "Trần", "Lê", "Phạm", "Vũ", "Đỗ", "Bùi", "Ngô", "Dương", "Đinh", "Trịnh"],
    "Mông": ["Giàng", "Sùng", "Thào", "Vàng", "Lù", "Mua", "Hầu", "Lồ"],
    "Tày": ["Hoàng", "Nông", "Lục", "Ma", "Hà"],
    "Dao": ["Tẩn", "Chảo", "Phàn", "Lý", "Triệu"],
    "Giáy": ["Lò", "Vương", "Hoàng"],
    "Nùng": ["Nông", "Vi", "Hoàng"],
    "Hà Nhì": ["Chu", "Ly", "Pờ"],
    "Phù Lá": ["Vàng", "Lò", "Sần"],
    "Bố Y": ["Sần", "Lò"],
    "Mường": ["Đinh", "Quách", "Bạch"],
}
_MIDDLE = {
    "nam": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Mạnh", "Tiến", "Công"],
    "nu": ["Thị", "Ngọc", "Thu", "Thanh", "Thùy", "Hồng", "Phương"],
}
_MIDDLE_MONG = {"nam": ["A", "Seo", "Văn"], "nu": ["Thị"]}
_GIVEN = {
    "nam": [
        "Anh",
        "Bình",
        "Cường",
        "Dũng",
        "Hải",
        "Hiếu",
        "Khoa",
        "Lâm",
        "Nam",
        "Phong",
        "Quân",
        "Sơn",
        "Thành",
        "Tùng",
        "Việt",
        "Trung",
        "Tuấn",
        "Đạt",
        "Khánh",
        "Vinh",
    ],
    "nu": [
        "Hà",
        "Hằng",
        "Hoa",
        "Lan",
        "Linh",
        "Mai",
        "Nga",
        "Thảo",
        "Trang",
        "Yến",
        "Vân",
        "Nhung",
        "Ly",
        "Thư",
        "Ngân",
        "Duyên",
    ],
}
_GIVEN_MONG = {
    "nam": ["Páo", "Chứ", "Sử", "Dìn", "Lử", "Pao", "Chư", "Súa"],
    "nu": ["Mỷ", "Dợ", "Sính", "Mai", "Chi", "Sua"],
}

# People the seed articles name: generated names must never coincide with them.
_BLOCKLIST = {
    "Vương Trinh Quốc",
    "Đặng Đình Chung",
    "Nguyễn Huy Long",
    "Nguyễn Thị Huế",
    "Phạm Toàn Thắng",
    "Hoàng Quốc Khánh",
    "Phạm Văn Hậu",
    "Lâm Đông",
    "Lưu Xuân Hải",
    "Nguyễn Thanh Hải",
}


def person_name(rng: random.Random, ethnicity: str, gender: str) -> str:
    """An invented full name that fits the person's ethnic group and gender."""
    while True:
        surname = rng.choice(_SURNAMES.get(ethnicity, _SURNAMES["Kinh"]))
        if ethnicity == "Mông":
            name = f"{surname} {rng.choice(_MIDDLE_MONG[gender])} {rng.choice(_GIVEN_MONG[gender])}"
        else:
            name = f"{surname} {rng.choice(_MIDDLE[gender])} {rng.choice(_GIVEN[gender])}"
        if name not in _BLOCKLIST:
            return name


def pick_ethnicity(rng: random.Random, weights: dict[str, int]) -> str:
    """A canonical ethnic group drawn with the region's weights."""
    groups = list(weights)
    return rng.choices(groups, weights=[weights[g] for g in groups])[0]


def ethnicity_spelling(rng: random.Random, ethnicity: str) -> str:
    """How a file writes the group: any accepted variant."""
    return rng.choice(ETHNIC_VARIANTS[ethnicity])


_BRANDS = [
    "Hoàng Liên",
    "Phan Xi Păng",
    "Kim Thành",
    "Hồng Hà",
    "Cốc Lếu",
    "Phố Mới",
    "Mường Hoa",
    "Thiên Phú",
    "An Khang",
    "Minh Đức",
    "Tân Phong",
    "Hưng Thịnh",
    "Tây Bắc Xanh",
    "Việt Trung",
    "Sông Hồng",
    "Bình Minh",
    "Đại Phát",
    "Phúc Lộc",
    "Nam Cường",
    "Hải Đăng",
    "Vạn Xuân",
    "Trường An",
    "Tiến Đạt",
    "Lũng Pô",
    "Ngòi Đum",
    "Quang Minh",
    "Hợp Thành",
    "Tả Phời",
    "Đông Dương",
    "Thành Công",
    "Hòa Bình",
    "Trung Sơn",
    "Bảo Minh",
    "Gia Khánh",
    "Tràng An",
    "Vân Long",
    "Hoa Lư",
    "Tam Cốc",
    "Kim Sơn",
    "Yên Mô",
    "Gia Viễn",
    "Cúc Phương",
]
_TRADES = [
    "Thương mại và Dịch vụ",
    "Xây dựng",
    "Khoáng sản",
    "Chè",
    "Nông sản",
    "Vận tải",
    "Du lịch",
    "Xuất nhập khẩu",
    "Cơ khí",
    "Vật liệu xây dựng",
    "Chế biến gỗ",
    "Dược liệu",
    "Đầu tư và Phát triển",
    "Môi trường",
    "Thực phẩm",
    "Logistics",
]
_IZ_TRADES = [
    "Hóa chất",
    "Phân bón",
    "Luyện kim",
    "Chế biến khoáng sản",
    "Phốt pho",
    "Gạch không nung",
    "Cơ khí chế tạo",
    "Bao bì",
    "Chế biến gỗ",
    "Sản xuất dây cáp điện",
    "Thức ăn chăn nuôi",
]
_FDI_STEMS = ["Hồng Phát", "Vĩnh Thịnh", "Tân Đạt", "Kim Long", "Hoa Hạ", "Thịnh Vượng"]
_COOP_TRADES = ["Nông nghiệp", "Chè", "Dược liệu", "Dịch vụ nông nghiệp", "Rau an toàn"]
_HH_TRADES = ["Vật liệu xây dựng", "Nhà nghỉ", "Sửa chữa ô tô", "Nông sản", "Tạp hóa"]


def enterprise_name(
    rng: random.Random, ownership: str, place: str, *, industrial: bool = False
) -> tuple[str, str]:
    """An invented enterprise name and the Loại hình label a district officer would type for it."""
    brand = rng.choice(_BRANDS)
    if ownership == "fdi":
        trade = rng.choice(_IZ_TRADES if industrial else _TRADES)
        label = rng.choice(["Có vốn đầu tư nước ngoài", "FDI"])
        return f"Công ty TNHH {trade} {rng.choice(_FDI_STEMS)} Việt Nam", label
    if ownership == "hop_tac_xa":
        return f"Hợp tác xã {rng.choice(_COOP_TRADES)} {brand}", "Hợp tác xã"
    if ownership == "ho_kinh_doanh":
        owner = person_name(rng, "Kinh", rng.choice(["nam", "nu"]))
        return f"Hộ kinh doanh {owner} ({rng.choice(_HH_TRADES)})", "Hộ kinh doanh"
    if ownership == "dn_nha_nuoc":
        return f"Công ty TNHH MTV {rng.choice(_TRADES)} {place}", "Doanh nghiệp nhà nước"
    trade = rng.choice(_IZ_TRADES if industrial else _TRADES)
    form = rng.choice(["tnhh", "tnhh_mtv", "cp", "dntn"])
    if form == "tnhh":
        return f"Công ty TNHH {trade} {brand}", rng.choice(["Tư nhân", "Công ty TNHH"])
    if form == "tnhh_mtv":
        return f"Công ty TNHH MTV {trade} {brand}", rng.choice(["Tư nhân", "Công ty TNHH"])
    if form == "cp":
        return f"Công ty cổ phần {trade} {brand}", rng.choice(["Tư nhân", "Công ty cổ phần"])
    return f"Doanh nghiệp tư nhân {brand}", rng.choice(["Tư nhân", "Doanh nghiệp tư nhân"])
