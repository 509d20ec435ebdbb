"""Small real report files for tests: a clean workbook and every legal variation of it.

Importable by other suites: ``from tests.reports.builders import build_xlsx, Variant``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from dagster_project.reports.xlsx import write_xlsx

UNIT_CODE = "088"
PERIOD = "2024-H1"
UNIT_NAMES = ("Thị xã Sa Pa", "TX Sa Pa", "Sa Pa")
TITLE_ROWS = [
    "ĐẢNG BỘ THỊ XÃ SA PA",
    "BÁO CÁO KẾT QUẢ CÔNG TÁC XÂY DỰNG ĐẢNG TRONG ĐƠN VỊ KINH TẾ TƯ NHÂN 6 THÁNG ĐẦU NĂM 2024",
]

# (indicator code, canonical label, label variant as some units write it, value)
TONG_HOP = [
    ("ket_nap_dang_vien", "Số đảng viên mới được kết nạp", "1. Kết nạp đảng viên mới", 3),
    (
        "ket_nap_cong_nhan_lao_dong",
        "Trong đó: công nhân, người lao động",
        "a) công nhân, người lao động",
        1,
    ),
    ("ket_nap_hoc_sinh_sinh_vien", "Trong đó: học sinh, sinh viên", "b) HỌC SINH, SINH VIÊN", 1),
    ("ket_nap_hoc_sinh_thpt", "Trong đó: học sinh trung học phổ thông", "- Học sinh THPT", 0),
    ("ket_nap_chu_doanh_nghiep", "Trong đó: chủ doanh nghiệp", "c) Chủ doanh nghiệp", 1),
    (
        "ket_nap_kttn",
        "Trong đó: trong các đơn vị kinh tế tư nhân",
        "d) Trong đó:\ntrong các đơn vị KTTN",
        2,
    ),
    (
        "lop_boi_duong",
        "Số lớp bồi dưỡng nhận thức về Đảng",
        "2. Số lớp bồi dưỡng nhận thức về Đảng (lớp)",
        17,
    ),
    (
        "hoc_vien_boi_duong",
        "Số học viên lớp bồi dưỡng nhận thức về Đảng",
        "3. Số  học viên lớp bồi dưỡng nhận thức về Đảng",
        1250,
    ),
    (
        "hoc_vien_kttn",
        "Trong đó: người lao động trong đơn vị kinh tế tư nhân",
        "3.1 Người lao động trong đơn vị KTTN",
        28,
    ),
    (
        "de_nghi_ket_nap",
        "Số quần chúng được đề nghị kết nạp",
        "4. Số quần chúng ưu tú được đề nghị kết nạp",
        5,
    ),
    (
        "doan_vien_uu_tu_gioi_thieu",
        "Số đoàn viên ưu tú được giới thiệu cho Đảng",
        "5. Số đoàn viên ưu tú được giới thiệu cho Đảng xem xét kết nạp",
        65,
    ),
    (
        "doan_vien_uu_tu_ket_nap",
        "Trong đó: số được kết nạp vào Đảng",
        "5.1. Trong đó số được kết nạp vào Đảng",
        45,
    ),
    (
        "chuyen_chinh_thuc",
        "Số đảng viên dự bị được công nhận chính thức",
        "6. Số đảng viên dự bị chuyển chính thức",
        4,
    ),
    (
        "tcd_thanh_lap_kttn",
        "Số tổ chức đảng thành lập mới trong đơn vị kinh tế tư nhân",
        "7. Số TCĐ thành lập mới trong đơn vị KTTN",
        1,
    ),
    ("cdcs_thanh_lap", "Số công đoàn cơ sở thành lập mới", "8. Số CĐCS thành lập mới", 0),
    (
        "doan_vien_cong_doan_moi",
        "Số đoàn viên công đoàn kết nạp mới",
        "9. Số đoàn viên công đoàn được kết nạp mới",
        3442,
    ),
    (
        "doan_vien_cong_doan_moi_ngoai_nn",
        "Trong đó: trong doanh nghiệp ngoài nhà nước",
        "9.1 trong các doanh nghiệp ngoài nhà nước",
        2842,
    ),
    (
        "to_chuc_doan_thanh_lap",
        "Số tổ chức đoàn thành lập mới",
        "10. Số tổ chức Đoàn thanh niên thành lập mới",
        1,
    ),
    (
        "dang_vien_kttn",
        "Tổng số đảng viên trong đơn vị kinh tế tư nhân",
        "11. Tổng số đảng viên trong các đơn vị KTTN",
        7,
    ),
    (
        "tcd_kttn",
        "Số tổ chức cơ sở đảng trong đơn vị kinh tế tư nhân",
        "12. Số TCCS đảng trong đơn vị KTTN",
        1,
    ),
    (
        "dn_co_dv_chua_co_tcd",
        "Số doanh nghiệp có đảng viên nhưng chưa có tổ chức đảng",
        "13. Số doanh nghiệp có đảng viên nhưng chưa có TCĐ",
        1,
    ),
]

KET_NAP_HEADERS = [
    "STT",
    "Họ và tên",
    "Số CCCD",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Đối tượng",
    "Đơn vị công tác",
    "Mã số thuế",
    "Ngày kết nạp",
    "Số quyết định",
    "Chi bộ",
]
KET_NAP_HEADER_VARIANTS = [
    "TT",
    "Họ tên",
    "CCCD",
    "Ngày tháng\nnăm sinh",
    "Giới\ntính",
    "DÂN TỘC",
    "Đối tượng kết nạp",
    "Nơi công tác",
    "MST",
    "Ngày kết nạp Đảng",
    "Số QĐ kết nạp",
    "Chi bộ sinh hoạt",
]
KET_NAP = [
    [
        "Nguyễn Văn An",
        "010090001234",
        date(1990, 5, 12),
        "Nam",
        "Kinh",
        "Công nhân, người lao động",
        "Công ty TNHH ABC Lào Cai",
        "5300123456",
        date(2024, 3, 15),
        "12-QĐ/ĐU",
        "Chi bộ Công ty ABC",
    ],
    [
        "Giàng Thị Mai",
        "010199005678",
        date(2002, 7, 1),
        "Nữ",
        "Mông",
        "Học sinh, sinh viên",
        "Trường Cao đẳng Lào Cai",
        "5300654321",
        date(2024, 5, 20),
        "31-QĐ/TU",
        "Chi bộ Trường CĐ",
    ],
    [
        "Lý Văn Páo",
        "010087009999",
        date(1985, 11, 30),
        "Nam",
        "Dao",
        "Chủ doanh nghiệp",
        "HTX Nông nghiệp Sa Pa",
        "5300111222-001",
        date(2024, 6, 30),
        "45-QĐ/TU",
        "Chi bộ HTX",
    ],
]
# Legal spellings of the same values, used by the "variants" builders.
KET_NAP_VALUE_VARIANTS = {
    (0, 4): "kinh",
    (1, 4): "H'Mông",
    (2, 4): "Dao",
    (0, 3): "NAM",
    (1, 3): "nữ",
    (0, 5): "Công nhân/người lao động",
    (1, 5): "HSSV",
    (2, 5): "chủ doanh nghiệp",
    (2, 7): "5300111222 - 001",
}

TO_CHUC_HEADERS = [
    "STT",
    "Mã số thuế",
    "Tên đơn vị",
    "Loại hình",
    "Khu công nghiệp/khu kinh tế",
    "Số lao động",
    "Tổ chức đảng",
    "Ngày thành lập tổ chức đảng",
    "Số đảng viên",
    "Cấp ủy cấp trên",
    "Công đoàn cơ sở",
    "Ngày thành lập công đoàn",
    "Số đoàn viên công đoàn",
    "Tổ chức đoàn",
    "Ngày thành lập tổ chức đoàn",
    "Số đoàn viên thanh niên",
]
# Two-row header: (upper, lower) per column; lower None = one cell merged over both rows.
TO_CHUC_MERGED = [
    ("STT", None),
    ("Mã số thuế", None),
    ("Tên đơn vị", None),
    ("Loại hình", None),
    ("Khu công nghiệp/khu kinh tế", None),
    ("Số lao động", None),
    ("Tổ chức đảng", "Loại"),
    ("", "Ngày thành lập"),
    ("", "Số đảng viên"),
    ("Cấp ủy cấp trên", None),
    ("Công đoàn cơ sở", "Có/Không"),
    ("", "Ngày thành lập"),
    ("", "Số đoàn viên"),
    ("Tổ chức đoàn", "Có/Không"),
    ("", "Ngày thành lập"),
    ("", "Số đoàn viên"),
]
TO_CHUC = [
    [
        "5300123456",
        "Công ty TNHH ABC Lào Cai",
        "Tư nhân",
        "KCN Tằng Loỏng",
        1250,
        "Chi bộ cơ sở",
        date(2024, 2, 1),
        5,
        "Đảng ủy Khối CQ-DN",
        "Có",
        date(2020, 1, 10),
        80,
        "Có",
        date(2024, 4, 2),
        25,
    ],
    [
        "5300654321",
        "Trường Cao đẳng Lào Cai",
        "Đơn vị sự nghiệp công lập",
        None,
        300,
        "Đảng bộ cơ sở",
        date(2010, 5, 5),
        60,
        "Thị ủy Sa Pa",
        "Có",
        date(2005, 1, 1),
        250,
        "Có",
        date(2006, 1, 1),
        100,
    ],
    [
        "5300111222-001",
        "HTX Nông nghiệp Sa Pa",
        "Hợp tác xã",
        None,
        15,
        "Không",
        None,
        2,
        "Thị ủy Sa Pa",
        "Không",
        None,
        None,
        None,
        None,
        None,
    ],
]
TO_CHUC_VALUE_VARIANTS = {
    (0, 2): "Công ty TNHH",
    (1, 2): "đơn vị sự nghiệp công lập",
    (2, 2): "HTX",
    (0, 9): "x",
    (1, 9): "có",
    (2, 9): None,
    (0, 12): "X",
    (2, 5): "không",
}


@dataclass(frozen=True)
class Variant:
    """Which legal variations of the report to write; the default is the clean twin."""

    title_rows: bool = True
    merged_headers: bool = False
    reorder: bool = False
    label_variants: bool = False
    value_variants: bool = False
    nfd: bool = False
    text_numbers: bool = False
    mixed_dates: bool = False
    totals_row: bool = False
    trailing_blanks: bool = False
    column_numbers: bool = False
    sheet_names: tuple[str, str, str] = ("TongHop", "KetNap", "ToChuc")


ALL_VARIATIONS = Variant(
    merged_headers=True,
    reorder=True,
    label_variants=True,
    value_variants=True,
    nfd=True,
    text_numbers=True,
    mixed_dates=True,
    totals_row=True,
    trailing_blanks=True,
    column_numbers=True,
    sheet_names=("Tổng hợp", "Kết nạp", "Tổ chức"),
)


def _vn_number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _text(value: object, variant: Variant) -> object:
    if isinstance(value, str) and variant.nfd:
        return unicodedata.normalize("NFD", value)
    return value


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int, object]]


def _cell_number(value: int | None, variant: Variant) -> object:
    if value is None or not variant.text_numbers:
        return value
    return _vn_number(value)


def _cell_date(value: date | None, variant: Variant, index: int) -> object:
    if value is None or not variant.mixed_dates:
        return value
    if index % 3 == 0:
        return value.strftime("%d/%m/%Y")
    if index % 3 == 1:
        return float((value - date(1899, 12, 30)).days)  # an unformatted Excel serial
    return value


def sheets(variant: Variant = Variant()) -> list[Sheet]:
    """The three sheets as rows of Python values (str, int, float, date, None)."""
    result = []
    titles = [[t] for t in TITLE_ROWS] + [[None]] if variant.title_rows else []

    # TongHop
    rows: list[list[object]] = [list(r) for r in titles]
    header = [
        "STT",
        "Nội dung" if variant.label_variants else "Chỉ tiêu",
        "Kết quả" if variant.label_variants else "Số lượng",
    ]
    rows.append(header)
    if variant.column_numbers:
        rows.append(["(1)", "(2)", "(3)"])
    for index, (_code, label, alias, value) in enumerate(TONG_HOP):
        rows.append(
            [index + 1, alias if variant.label_variants else label, _cell_number(value, variant)]
        )
    if variant.totals_row:
        rows.append(["Tổng cộng", None, None])
    if variant.trailing_blanks:
        rows.extend([[None, None, None], [None, "", None]])
    result.append(Sheet(variant.sheet_names[0], rows, []))

    # KetNap
    headers = KET_NAP_HEADER_VARIANTS if variant.label_variants else KET_NAP_HEADERS
    order = list(range(len(headers)))
    if variant.reorder:
        order = order[::-1]
    rows = [list(r) for r in titles]
    rows.append([headers[i] for i in order])
    if variant.column_numbers:
        rows.append([f"({i + 1})" for i in range(len(headers))])
    for index, person in enumerate(KET_NAP):
        values: list[object] = [index + 1, *person]
        if variant.value_variants:
            for (row, column), text in KET_NAP_VALUE_VARIANTS.items():
                if row == index:
                    values[column + 1] = text
        values[3] = _cell_date(values[3], variant, index)  # type: ignore[arg-type]
        values[9] = _cell_date(values[9], variant, index + 1)  # type: ignore[arg-type]
        rows.append([values[i] for i in order])
    if variant.totals_row:
        total = [None] * len(headers)
        total[order.index(1)] = "Tổng cộng: 3 người"
        total[order.index(0)] = "Tổng cộng"
        rows.append(total)
    if variant.trailing_blanks:
        rows.extend([[None] * len(headers) for _ in range(3)])
    result.append(Sheet(variant.sheet_names[1], rows, []))

    # ToChuc
    order = list(range(len(TO_CHUC_HEADERS)))
    if variant.reorder:
        order = [0, 2, 1, *order[3:]]  # groups stay together so merged headers stay legal
    rows = [list(r) for r in titles]
    merges: list[tuple[int, int, int, int, object]] = []
    if variant.merged_headers:
        top = len(rows)
        rows.append([TO_CHUC_MERGED[i][0] for i in order])
        rows.append([TO_CHUC_MERGED[i][1] for i in order])
        for position, source in enumerate(order):
            upper, lower = TO_CHUC_MERGED[source]
            if lower is None:
                merges.append((top, position, top + 1, position, upper))
            elif upper:
                merges.append((top, position, top, position + 2, upper))
    else:
        headers = list(TO_CHUC_HEADERS)
        if variant.label_variants:
            headers[1], headers[2], headers[5] = "MST", "Tên doanh nghiệp", "Tổng số\nlao động"
        rows.append([headers[i] for i in order])
    if variant.column_numbers:
        rows.append([f"({i + 1})" for i in range(len(order))])
    for index, unit in enumerate(TO_CHUC):
        values = [index + 1, *unit]
        if variant.value_variants:
            for (row, column), text in TO_CHUC_VALUE_VARIANTS.items():
                if row == index:
                    values[column + 1] = text
        for column in (5, 8, 12, 15):
            values[column] = _cell_number(values[column], variant)  # type: ignore[arg-type]
        for column in (7, 11, 14):
            values[column] = _cell_date(values[column], variant, index + column)  # type: ignore[arg-type]
        rows.append([values[i] for i in order])
    if variant.totals_row:
        total = [None] * len(order)
        total[0] = "Cộng"
        total[order.index(5)] = 1565
        rows.append(total)
    if variant.trailing_blanks:
        rows.extend([[None] * len(order) for _ in range(2)])
    result.append(Sheet(variant.sheet_names[2], rows, merges))

    for sheet in result:
        sheet.rows = [[_text(cell, variant) for cell in row] for row in sheet.rows]
        sheet.merges = [(*m[:4], _text(m[4], variant)) for m in sheet.merges]
        sheet.name = _text(sheet.name, variant)  # type: ignore[assignment]
    return result


def build_xlsx(
    path: Path, variant: Variant = Variant(), sheet_list: list[Sheet] | None = None
) -> Path:
    """Write the report as a real .xlsx workbook with the project's writer (dates as Excel dates,
    merges as merges)."""
    return write_xlsx(path, sheet_list if sheet_list is not None else sheets(variant))


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes of Vietnamese text: precomposed base letters plus combining tone marks."""
    out = bytearray()
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out += base.encode("cp1258") + "".join(c for c in decomposed if c in tones).encode("cp1258")
    return bytes(out)


def csv_files(
    variant: Variant = Variant(),
    encoding: str = "utf-8",
    delimiter: str = ",",
    sheet_list: list[Sheet] | None = None,
) -> dict[str, bytes]:
    """One CSV file per sheet: name → bytes in the given encoding ("utf-8-sig", "cp1258", ...)."""
    files = {}
    for sheet in sheet_list if sheet_list is not None else sheets(variant):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        for row in sheet.rows:
            writer.writerow([_csv_cell(cell) for cell in row])
        text = buffer.getvalue()
        data = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
        files[f"{sheet.name}.csv"] = data
    return files


def build_csv_folder(folder: Path, variant: Variant = Variant(), encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in csv_files(variant, encoding).items():
        (folder / name).write_bytes(data)
    return folder


def build_csv_zip(
    path: Path,
    variant: Variant = Variant(),
    encoding: str = "utf-8",
    sheet_list: list[Sheet] | None = None,
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in csv_files(variant, encoding, sheet_list=sheet_list).items():
            archive.writestr(name, data)
    return path


def make_meta(path: Path, unit_names: tuple[str, ...] = UNIT_NAMES, report_id: str | None = None):
    """A ReportMeta for a fixture file (imported lazily so builders load without the parser)."""
    from dagster_project.reports import ReportMeta

    unit_code, period = UNIT_CODE, PERIOD
    return ReportMeta(
        report_id=report_id or f"{unit_code}_{period}_v1_00000000",
        unit_code=unit_code,
        period_code=period,
        version=1,
        sha256="0" * 64,
        file_name=path.name,
        source_uri=f"file://{path}",
        received_at=datetime(2024, 7, 5, 3, 0, tzinfo=UTC),
        unit_names=unit_names,
    )


__all__ = [
    "ALL_VARIATIONS",
    "KET_NAP",
    "PERIOD",
    "TONG_HOP",
    "TO_CHUC",
    "UNIT_CODE",
    "UNIT_NAMES",
    "Sheet",
    "Variant",
    "build_csv_folder",
    "build_csv_zip",
    "build_xlsx",
    "csv_files",
    "make_meta",
    "replace",
    "sheets",
    "to_cp1258",
]
