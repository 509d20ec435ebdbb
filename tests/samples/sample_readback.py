"""Read generated reports back with python-calamine and csv only, independent of the parser.

The recount deliberately shares nothing with the generator but the file format, so a calibration
test checks what is in the files, not what the generator meant to write.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook


def fold(text: object) -> str:
    """Lower case, no diacritics, single spaces: how headers and labels are compared."""
    s = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "d")
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn").lower()
    return re.sub(r"\s+", " ", s).strip()


def load_sheets(path: Path) -> dict[str, list[list[object]]]:
    """Sheet key (tonghop, ketnap, tochuc) -> rows, for .xlsx, .zip or a CSV folder."""
    out: dict[str, list[list[object]]] = {}
    if path.suffix == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            out[fold(name).replace(" ", "")] = wb.get_sheet_by_name(name).to_python()
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                text = zf.read(name).decode("utf-8-sig")
                out[fold(Path(name).stem)] = list(csv.reader(io.StringIO(text)))
    else:
        for f in sorted(path.glob("*.csv")):
            out[fold(f.stem)] = list(csv.reader(io.StringIO(f.read_text("utf-8-sig"))))
    return out


def as_int(v: object) -> int:
    if isinstance(v, float):
        assert v == int(v), v
        return int(v)
    if isinstance(v, int):
        return v
    s = str(v).strip()
    return int(s.replace(".", "")) if s else 0


def as_date(v: object) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = str(v).strip()
    if not s:
        return None
    d, m, y = (int(x) for x in s.split("/"))
    return dt.date(y, m, d)


KET_NAP_KEYS = {
    "ho va ten": "name",
    "ho ten": "name",
    "so cccd": "cccd",
    "so can cuoc cong dan": "cccd",
    "ngay sinh": "birth",
    "ngay, thang, nam sinh": "birth",
    "gioi tinh": "gender",
    "dan toc": "ethnicity",
    "doi tuong": "category",
    "don vi cong tac": "work_unit",
    "ma so thue": "tax_code",
    "mst": "tax_code",
    "ngay ket nap": "admitted",
    "so quyet dinh": "decision",
    "so quyet dinh ket nap": "decision",
    "chi bo": "cell",
    "chi bo sinh hoat": "cell",
}
TO_CHUC_KEYS = {
    "ma so thue": "tax_code",
    "mst": "tax_code",
    "ten don vi": "name",
    "ten doanh nghiep, don vi": "name",
    "loai hinh": "ownership",
    "loai hinh doanh nghiep": "ownership",
    "khu cong nghiep/khu kinh te": "zone",
    "khu cong nghiep": "zone",
    "so lao dong": "employees",
    "tong so lao dong": "employees",
    "to chuc dang": "party_org",
    "ngay thanh lap to chuc dang": "party_founded",
    "so dang vien": "party_members",
    "tong so dang vien": "party_members",
    "cap uy cap tren": "superior",
    "cap uy cap tren truc tiep": "superior",
    "cong doan co so": "union",
    "ngay thanh lap cong doan": "union_founded",
    "so doan vien cong doan": "union_members",
    "to chuc doan": "youth",
    "ngay thanh lap to chuc doan": "youth_founded",
    "so doan vien thanh nien": "youth_members",
}
CATEGORY = {
    "cong nhan, nguoi lao dong": "cong_nhan_lao_dong",
    "hoc sinh, sinh vien": "hoc_sinh_sinh_vien",
    "sinh vien": "hoc_sinh_sinh_vien",
    "hoc sinh trung hoc pho thong": "hoc_sinh_thpt",
    "hoc sinh thpt": "hoc_sinh_thpt",
    "chu doanh nghiep": "chu_doanh_nghiep",
    "can bo quan ly doanh nghiep": "can_bo_quan_ly_dn",
    "can bo, cong chuc, vien chuc": "can_bo_cong_chuc",
    "khac": "khac",
}
OWNERSHIP = {
    "co quan nha nuoc": "co_quan_nha_nuoc",
    "don vi su nghiep cong lap": "don_vi_su_nghiep",
    "doanh nghiep nha nuoc": "dn_nha_nuoc",
    "tu nhan": "tu_nhan",
    "doanh nghiep tu nhan": "tu_nhan",
    "cong ty tnhh": "tu_nhan",
    "cong ty co phan": "tu_nhan",
    "co von dau tu nuoc ngoai": "fdi",
    "fdi": "fdi",
    "hop tac xa": "hop_tac_xa",
    "ho kinh doanh": "ho_kinh_doanh",
}
PRIVATE = {"tu_nhan", "fdi", "hop_tac_xa", "ho_kinh_doanh"}
PARTY_ORG = {
    "khong": "khong",
    "chi bo co so": "chi_bo_co_so",
    "dang bo co so": "dang_bo_co_so",
    "chi bo truc thuoc": "chi_bo_truc_thuoc",
}


def _table(rows: list[list[object]], keys: dict[str, str]) -> list[dict[str, object]]:
    """Rows under the header (one or two header rows), up to the "Tổng cộng" row."""
    start = next(i for i, r in enumerate(rows) if r and fold(r[0]) in ("stt", "tt"))
    header = [fold(c) for c in rows[start]]
    body = start + 1
    nxt = rows[body] if body < len(rows) else []
    if nxt and str(nxt[0]).strip() == "":  # second header row under merged group cells
        header = [fold(b) if str(b).strip() else a for a, b in zip(header, nxt, strict=False)]
        body += 1
    cols = {keys[h]: i for i, h in enumerate(header) if h in keys}
    out = []
    for r in rows[body:]:
        if not r or all(str(c).strip() == "" for c in r):
            break
        if fold(r[0]).startswith("tong cong"):
            break
        out.append({k: r[i] if i < len(r) else "" for k, i in cols.items()})
    return out


def _title_unit_and_period(rows: list[list[object]]) -> tuple[str, str]:
    unit = str(rows[0][0])
    text = fold(rows[1][0])
    m = re.search(r"6 thang (dau|cuoi) nam (\d{4})", text)
    assert m, text
    return unit, f"{m.group(2)}-H{1 if m.group(1) == 'dau' else 2}"


@dataclass
class ReadReport:
    unit_code: str
    period: str
    title_unit: str
    title_period: str
    summary: dict[str, int]  # folded label (numbering and "trong do:" removed) -> value
    admissions: list[dict[str, object]]
    orgs: list[dict[str, object]]


def _summary(rows: list[list[object]]) -> dict[str, int]:
    start = next(i for i, r in enumerate(rows) if r and fold(r[0]) in ("stt", "noi dung"))
    out = {}
    for r in rows[start + 1 :]:
        cells = [c for c in r if str(c).strip() != ""]
        if not cells:
            continue
        label = fold(" ".join(str(c) for c in cells[:-1]))
        label = re.sub(r"^(\d+(\.\d+)*\.?|[a-z]\))\s*", "", label)
        label = re.sub(r"^(- |trong do: )", "", label)
        out[label] = as_int(cells[-1])
    return out


def read_report(path: Path) -> ReadReport:
    stem = path.name.split(".")[0]
    unit_code, period = stem.rsplit("_", 1)
    sheets = load_sheets(path)
    title_unit, title_period = _title_unit_and_period(sheets["tonghop"])
    admissions = _table(sheets["ketnap"], KET_NAP_KEYS)
    for a in admissions:
        a["category"] = CATEGORY[fold(a["category"])]
        a["birth"], a["admitted"] = as_date(a["birth"]), as_date(a["admitted"])
        a["cccd"] = str(a["cccd"])
    orgs = _table(sheets["tochuc"], TO_CHUC_KEYS)
    for o in orgs:
        o["ownership"] = OWNERSHIP[fold(o["ownership"])]
        o["party_org"] = PARTY_ORG[fold(o["party_org"])]
        for k in ("employees", "party_members", "union_members", "youth_members"):
            o[k] = as_int(o[k])
        for k in ("party_founded", "union_founded", "youth_founded"):
            o[k] = as_date(o[k])
        o["zone"] = unicodedata.normalize("NFC", str(o["zone"]).strip()) or None
        o["name"] = unicodedata.normalize("NFC", str(o["name"]))
        o["private"] = o["ownership"] in PRIVATE
    return ReadReport(
        unit_code,
        period,
        unicodedata.normalize("NFC", title_unit),
        title_period,
        _summary(sheets["tonghop"]),
        admissions,
        orgs,
    )


def report_paths(root: Path) -> list[Path]:
    """Every report under `root/<unit>/`: files and CSV-bundle folders (not the listing)."""
    return sorted(
        p
        for unit in root.iterdir()
        if unit.is_dir()
        for p in unit.iterdir()
        if p.name != "index.json"
    )
