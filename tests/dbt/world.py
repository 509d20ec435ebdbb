"""The small reporting world the dbt tests build: Lào Cai districts, its bloc, Ninh Bình's bloc.

Every figure below is chosen so one behaviour shows in the marts; the comments say which.
Reports arrive in two batches so the second `dbt build` runs the incremental path.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.dbt.parsed_tree import Report, write_reference, write_report, write_schema_folder


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T03:00:00")


def _d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def _unit(code: str, name: str, kind: str, province: str, parent: str | None, **extra: Any) -> dict:
    return {
        "unit_code": code,
        "unit_name": name,
        "unit_kind": kind,
        "province_code": province,
        "parent_unit_code": parent,
        "valid_from": extra.get("valid_from", _d("2015-01-01")),
        "valid_to": extra.get("valid_to"),
        "successor_unit_code": extra.get("successor"),
        "reports": extra.get("reports", True),
        "location": f"file://reports/{code}",
    }


UNITS = [
    _unit("10", "Tỉnh Lào Cai", "province", "10", None, reports=False),
    _unit(
        "OLD1",
        "Huyện cũ",
        "district",
        "10",
        "10",
        valid_from=_d("2005-01-01"),
        valid_to=_d("2014-12-31"),
        successor="088",
    ),
    _unit(
        "080",
        "Thành phố Lào Cai",
        "city",
        "10",
        "10",
        valid_to=_d("2025-06-30"),
        successor="LC-2025-LAOCAI",
    ),
    _unit(
        "088",
        "Thị xã Sa Pa",
        "town",
        "10",
        "10",
        valid_to=_d("2025-06-30"),
        successor="LC-2025-SAPA",
    ),
    _unit("10-CQDN", "Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh", "bloc", "10", "10"),
    _unit(
        "LC-2025-SAPA", "Phường Sa Pa", "commune", "LC-2025", "LC-2025", valid_from=_d("2025-07-01")
    ),
    _unit(
        "LC-2025-LAOCAI",
        "Phường Lào Cai",
        "commune",
        "LC-2025",
        "LC-2025",
        valid_from=_d("2025-07-01"),
    ),
    _unit(
        "LC-2025",
        "Tỉnh Lào Cai (từ 2025)",
        "province",
        "LC-2025",
        None,
        valid_from=_d("2025-07-01"),
        reports=False,
    ),
    _unit("37", "Tỉnh Ninh Bình", "province", "37", None, reports=False),
    _unit("37-CQDN", "Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh Ninh Bình", "bloc", "37", "37"),
]
ALIASES = [
    {"unit_code": "088", "alias": "TX Sa Pa"},
    {"unit_code": "088", "alias": "Sa Pa"},
]


def _org(tax: str, **fields: Any) -> dict:
    return {"tax_code": tax, "enterprise_name": f"Công ty {tax}", **fields}


def _party(tax: str, founded: str, members: int, superior: str = "Thành ủy Lào Cai", **kw: Any):
    return _org(
        tax,
        party_org_type=kw.pop("kind", "chi_bo_co_so"),
        party_org_founded_date=_d(founded),
        party_members=members,
        superior_committee=superior,
        **kw,
    )


T1 = "0100000001"
T2 = "0100000002"
T3 = "0100000003"
T4 = "0100000004"
T5 = "0100000005"
T6 = "0100000006"
S1 = "0100000099"
U1 = "0200000001"
U2 = "0200000002"
C1 = "0300000001"


def _org_080_2023() -> list[dict]:
    return [
        _party(T1, "2022-08-01", 20, has_union=True, union_founded_date=_d("2023-02-01")),
        _party(T2, "2022-09-01", 8),
    ]


def batch_one() -> list[Report]:
    """Everything but the resubmissions of 088 2024-H1."""
    history = [
        Report("080", period, 1, _at(received), summary={"lop_boi_duong": classes})
        for period, received, classes in [
            ("2020-H1", "2020-07-05", 2),
            ("2021-H1", "2021-07-05", 2),
            ("2022-H1", "2022-07-05", 3),
        ]
    ]
    return [
        *history,
        Report(
            "080",
            "2022-H2",
            1,
            _at("2023-01-05"),
            summary={"tcd_thanh_lap_kttn": 2},
            organizations=[_party(T1, "2022-08-01", 20), _party(T2, "2022-09-01", 8)],
        ),
        Report(
            "080",
            "2023-H1",
            1,
            _at("2023-07-05"),
            summary={"lop_boi_duong": 2},
            organizations=_org_080_2023(),
        ),
        # A newer version the parser refused: the older accepted one stays published.
        Report(
            "080",
            "2023-H1",
            2,
            _at("2023-07-10"),
            summary={"lop_boi_duong": 99},
            organizations=_org_080_2023(),
            findings=[
                {
                    "sheet": "KetNap",
                    "row_number": 7,
                    "column_name": "Số CCCD",
                    "value": "12345",
                    "expected": "12 chữ số",
                    "rule_code": "DQ_CCCD_FORMAT",
                    "severity": "error",
                    "message_vi": "Số CCCD phải có 12 chữ số",
                    "message_en": "CCCD must be 12 digits",
                }
            ],
        ),
        Report(
            "080",
            "2023-H2",
            1,
            _at("2024-01-05"),
            summary={"tcd_thanh_lap_kttn": 2, "tcd_kttn": 4},
            organizations=[
                *_org_080_2023(),
                _party(T3, "2023-08-01", 4),
                _party(T4, "2023-10-01", 2, ownership_type="fdi"),
            ],
        ),
        _lao_cai_city_2024_h1(),
        # The parser refused the ToChuc sheet: sheet-comparing rules stay silent.
        Report(
            "088",
            "2023-H1",
            1,
            _at("2023-07-05"),
            summary={"ket_nap_dang_vien": 1, "tcd_kttn": 5},
            admissions=[{"member_key": "m-009", "tax_code": "0100009999"}],
            findings=[
                {
                    "sheet": "ToChuc",
                    "row_number": None,
                    "column_name": None,
                    "value": None,
                    "expected": "Tên đơn vị",
                    "rule_code": "DQ_COLUMN_MISSING",
                    "severity": "error",
                    "message_vi": "Trang ToChuc: Thiếu cột bắt buộc 'Tên đơn vị'",
                    "message_en": "Sheet ToChuc: required column 'Tên đơn vị' is missing",
                }
            ],
        ),
        Report(
            "088",
            "2023-H2",
            1,
            _at("2024-01-06"),
            summary={"tcd_kttn": 1},
            organizations=[_party(U1, "2018-05-01", 20)],
        ),
        Report("088", "2024-H1", 1, _at("2024-07-06"), **_sapa_2024_h1(1000, with_m6=False)),
        _bloc_2023_h1(),
        # m-001 was admitted by 080 in the same period, received earlier; m-005 twice here.
        Report(
            "10-CQDN",
            "2024-H1",
            1,
            _at("2024-09-01"),
            summary={"ket_nap_dang_vien": 3},
            admissions=[
                {"member_key": "m-001", "tax_code": C1},
                {"member_key": "m-005", "tax_code": C1},
                {"member_key": "m-005", "tax_code": C1},
            ],
            organizations=[_party(C1, "2023-03-15", 6, superior="Đảng ủy Khối CQ-DN")],
        ),
        # Tax code not among its units, and a negative flow.
        Report(
            "10-CQDN",
            "2024-H2",
            1,
            _at("2025-01-05"),
            summary={"ket_nap_dang_vien": 1, "lop_boi_duong": -1},
            admissions=[{"member_key": "m-007", "tax_code": "0109999999"}],
            organizations=[_party(C1, "2023-03-15", 6, superior="Đảng ủy Khối CQ-DN")],
        ),
        # Summary 227 against 226 detail rows: quarantined; version 2 fixes it.
        Report("37-CQDN", "2023-H1", 1, _at("2023-07-03"), **_ninh_binh(detail_rows=226)),
        Report("37-CQDN", "2023-H1", 2, _at("2023-07-09"), **_ninh_binh(detail_rows=227)),
    ]


def _lao_cai_city_2024_h1(parsed_at: dt.datetime | None = None) -> Report:
    """080 2024-H1: late (deadline 2024-07-15); classes far above history (outlier); events
    against 2023-H2: T1 upgraded, T2 transferred, T3 gone, T4 lost its organisation, T5 and T6
    founded."""
    return Report(
        "080",
        "2024-H1",
        1,
        _at("2024-08-20"),
        summary={
            "lop_boi_duong": 17,
            "tcd_thanh_lap_kttn": 2,
            "tcd_kttn": 4,
            "doan_vien_cong_doan_moi": 2000,
            "ket_nap_dang_vien": 2,
            "ket_nap_kttn": 1,
            "dang_vien_kttn": 50,
            "dn_co_dv_chua_co_tcd": 1,
        },
        admissions=[
            {"member_key": "m-001", "tax_code": T1, "category_code": "cong_nhan_lao_dong"},
            {"member_key": "m-002", "tax_code": S1, "category_code": "can_bo_cong_chuc"},
        ],
        organizations=[
            _party(
                T1,
                "2022-08-01",
                30,
                kind="dang_bo_co_so",
                has_union=True,
                union_founded_date=_d("2023-02-01"),
            ),
            _party(T2, "2022-09-01", 10, superior="Đảng ủy Khối Cơ quan - Doanh nghiệp"),
            _org(T4, ownership_type="fdi", party_members=2),
            _party(T5, "2024-02-01", 5),
            _party(T6, "2024-03-01", 3, ownership_type="hop_tac_xa"),
            _org(S1, ownership_type="co_quan_nha_nuoc", enterprise_name="UBND phường"),
        ],
        parsed_at=parsed_at,
    )


def _bloc_2023_h1(parsed_at: dt.datetime | None = None, with_warning: bool = True) -> Report:
    """10-CQDN 2023-H1: one party organisation founded; a parser warning on its first parse."""
    warning = {
        "sheet": "ToChuc",
        "row_number": 4,
        "column_name": "Ghi chú",
        "value": "Ghi chú",
        "expected": None,
        "rule_code": "DQ_UNKNOWN_COLUMN",
        "severity": "warning",
        "message_vi": "Cột 'Ghi chú' không có trong mẫu báo cáo nên bị bỏ qua",
        "message_en": "Column 'Ghi chú' is not in the report template and was ignored",
    }
    return Report(
        "10-CQDN",
        "2023-H1",
        1,
        _at("2023-07-08"),
        summary={"tcd_thanh_lap_kttn": 1},
        organizations=[_party(C1, "2023-03-15", 3, superior="Đảng ủy Khối CQ-DN")],
        findings=[warning] if with_warning else [],
        parsed_at=parsed_at,
    )


def batch_two() -> list[Report]:
    """The resubmissions: 088 2024-H1 v2 restates, v3 breaks part <= whole."""
    v3 = _sapa_2024_h1(1500, with_m6=True)
    v3["summary"]["doan_vien_cong_doan_moi_ngoai_nn"] = 5000
    return [
        # Parsed again by a newer parser: same content, later parsed_at, the warning gone.
        _lao_cai_city_2024_h1(parsed_at=_at("2025-02-01")),
        _bloc_2023_h1(parsed_at=_at("2025-02-01"), with_warning=False),
        Report("088", "2024-H1", 2, _at("2024-07-10"), **_sapa_2024_h1(1442, with_m6=True)),
        Report("088", "2024-H1", 3, _at("2024-07-12"), **v3),
    ]


def _sapa_2024_h1(union_members: int, with_m6: bool) -> dict[str, Any]:
    admissions = [{"member_key": "m-003", "tax_code": U1}]
    if with_m6:
        admissions.append(
            {"member_key": "m-006", "tax_code": U2, "category_code": "chu_doanh_nghiep"}
        )
    return {
        # U2 is listed for the first time with an old organisation: stock moves without a founding.
        "summary": {
            "tcd_kttn": 2,
            "tcd_thanh_lap_kttn": 0,
            "doan_vien_cong_doan_moi": union_members,
            "ket_nap_dang_vien": len(admissions),
            "ket_nap_kttn": len(admissions),
            "dang_vien_kttn": 50,
        },
        "admissions": admissions,
        "organizations": [_party(U1, "2018-05-01", 20), _party(U2, "2019-05-01", 30)],
    }


def _ninh_binh(detail_rows: int) -> dict[str, Any]:
    categories = (
        ["cong_nhan_lao_dong"] * 110
        + ["hoc_sinh_sinh_vien"] * 33
        + ["hoc_sinh_thpt"] * 8
        + ["khac"] * 76
    )[:detail_rows]
    return {
        "summary": {
            "ket_nap_dang_vien": 227,
            "ket_nap_cong_nhan_lao_dong": 110,
            "ket_nap_hoc_sinh_sinh_vien": 41,
            "ket_nap_hoc_sinh_thpt": 8,
        },
        "admissions": [
            {"member_key": f"nb-{index:03d}", "category_code": category, "tax_code": None}
            for index, category in enumerate(categories)
        ],
    }


def write_world(home: Path, reports: list[Report]) -> dict[str, Report]:
    """Write the registry, `_schema/` and the given reports; returns them by report_id."""
    write_schema_folder(home)
    write_reference(home, UNITS, ALIASES)
    for report in reports:
        write_report(home, report)
    return {report.report_id: report for report in reports}
