"""Small real inputs for the quality layer: seed CSVs, parsed Parquet, a build DuckDB file.

Every frame here passes its suite; a test breaks one thing and expects that one thing reported.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dagster_project.quality.suites import suite_parameters
from dagster_project.reports.output import BATCH_COLUMN, ParsedStore, new_batch_id

CODED_VALUES = """domain,code,label,variants,is_private_sector
loai_hinh,co_quan_nha_nuoc,Cơ quan nhà nước,,false
loai_hinh,tu_nhan,Tư nhân,Công ty TNHH,true
loai_hinh,fdi,Có vốn đầu tư nước ngoài,FDI,true
to_chuc_dang,khong,Không,,
to_chuc_dang,chi_bo_co_so,Chi bộ cơ sở,,
to_chuc_dang,dang_bo_co_so,Đảng bộ cơ sở,,
doi_tuong,cong_nhan_lao_dong,"Công nhân, người lao động",,
doi_tuong,hoc_sinh_sinh_vien,"Học sinh, sinh viên",,
doi_tuong,khac,Khác,,
gioi_tinh,nam,Nam,,
gioi_tinh,nu,Nữ,,
"""
INDICATORS = """indicator_code,label,aliases,kind,parent_code,description_en
ket_nap_dang_vien,Số đảng viên mới được kết nạp,,flow,,Admitted
ket_nap_kttn,Trong đó: trong các đơn vị kinh tế tư nhân,,flow,ket_nap_dang_vien,Private
"""
DQ_RULES = """rule_code,severity,checked_by,parameters,description_vi,description_en
DQ_SUMMARY_DETAIL,error,warehouse,,Số tổng hợp khớp số chi tiết,Summary equals detail
DQ_LATE_REPORT,warning,warehouse,,Báo cáo muộn,Late report
DQ_AGE_UNDER_18,error,parser,min_age=18,Chưa đủ 18 tuổi,Under 18
DQ_AGE_IMPLAUSIBLE,error,parser,max_age=100,Tuổi quá lớn,Implausible age
"""


def member_key(cccd: str) -> str:
    return hashlib.sha256(cccd.encode()).hexdigest()


@pytest.fixture(scope="session")
def seeds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("seeds")
    (folder / "coded_values.csv").write_text(CODED_VALUES, encoding="utf-8")
    (folder / "indicator_catalogue.csv").write_text(INDICATORS, encoding="utf-8")
    (folder / "dq_rules.csv").write_text(DQ_RULES, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def params(seeds_dir: Path) -> dict:
    return suite_parameters(seeds_dir)


def ket_nap_frame() -> pd.DataFrame:
    """Two admissions from one accepted 2024-H1 report, as the parser writes them."""
    return pd.DataFrame(
        {
            "report_id": ["088_2024-H1_v1_3fa2c9e1"] * 2,
            "sheet": ["KetNap"] * 2,
            "row_number": [5, 6],
            "member_key": [member_key("001090000001"), member_key("001090000002")],
            "gender": ["nam", "nu"],
            "ethnicity": ["Kinh", "Mông"],
            "category_code": ["cong_nhan_lao_dong", "hoc_sinh_sinh_vien"],
            "work_unit_name": ["Công ty TNHH A", "Công ty TNHH B"],
            "tax_code": ["5300123456", "5300123457-001"],
            "admission_date": [date(2024, 3, 1), date(2024, 6, 30)],
            "decision_number": ["12-QĐ/HU", "13-QĐ/HU"],
            "party_cell": ["Chi bộ A", "Chi bộ B"],
            "birth_year": [1995, 2004],
            "age_at_admission": [28, 19],
            "unit_code": ["088"] * 2,
            "period_code": ["2024-H1"] * 2,
        }
    )


def fct_admissions_frame() -> pd.DataFrame:
    frame = ket_nap_frame()
    frame["is_private_sector"] = [True, True]
    return frame[
        [
            "member_key",
            "unit_code",
            "period_code",
            "admission_date",
            "category_code",
            "tax_code",
            "is_private_sector",
            "gender",
            "ethnicity",
            "birth_year",
            "report_id",
        ]
    ]


def mart_frames() -> dict[str, pd.DataFrame]:
    """One passing frame per mart table a family suite covers."""
    return {
        "fct_admissions": fct_admissions_frame(),
        "fct_enterprise_snapshots": pd.DataFrame(
            {
                "tax_code": ["5300123456", "5300123456", "5300999999"],
                "unit_code": ["088", "088", "088"],
                "period_code": ["2024-H1", "2024-H2", "2024-H1"],
                "employees": [120, 130, 8],
                "party_org_type": ["chi_bo_co_so", "dang_bo_co_so", "khong"],
                "party_members": [12, 25, 0],
                "has_union": [True, True, False],
                "union_members": [100, 110, 0],
                "has_youth_org": [True, True, False],
                "youth_members": [20, 22, 0],
            }
        ),
        "fct_organization_events": pd.DataFrame(
            {
                "tax_code": ["5300123456", "5300123456"],
                "org_kind": ["party", "party"],
                "event_type": ["founded", "upgraded"],
                "event_date": [date(2024, 2, 1), date(2024, 9, 1)],
                "unit_code": ["088", "088"],
                "period_code": ["2024-H1", "2024-H2"],
            }
        ),
        "dim_enterprise": pd.DataFrame(
            {
                "tax_code": ["5300123456", "5300999999"],
                "enterprise_name": ["Công ty TNHH A", "Cơ quan B"],
                "ownership_type": ["tu_nhan", "co_quan_nha_nuoc"],
                "is_private_sector": [True, False],
                "industrial_zone": ["Tằng Loỏng", None],
                "size_band": ["20+", "<20"],
            }
        ),
        "mart_indicators": pd.DataFrame(
            {
                "unit_code": ["088", "088"],
                "period_code": ["2024-H1", "2024-H1"],
                "indicator_code": ["ket_nap_dang_vien", "ket_nap_kttn"],
                "reported_value": [2, 2],
                "computed_value": [2, None],
            }
        ),
        "mart_target_attainment": pd.DataFrame(
            {
                "plan_code": ["DA24", "DA24"],
                "indicator_code": ["ket_nap_kttn", "ket_nap_kttn"],
                "scope_unit_code": [None, "088"],
                "window_start": ["2024-H1", "2024-H1"],
                "window_end": ["2024-H2", "2024-H2"],
                "actual_value": [15.0, 2.0],
                "target_min": [58.0, 5.0],
                "target_max": [None, None],
                "attainment_pct": [25.8, 40.0],
                "status": ["behind", "on_track"],
            }
        ),
        "mart_reporting_completeness": pd.DataFrame(
            {
                "unit_code": ["088", "089"],
                "period_code": ["2024-H1", "2024-H1"],
                "status": ["accepted", "missing"],
                "received_at": [datetime(2024, 7, 3, tzinfo=UTC), None],
                "on_time": [True, None],
            }
        ),
        "dq_issues": pd.DataFrame(
            {
                "report_id": ["088_2024-H1_v1_3fa2c9e1", None],
                "unit_code": ["088", "089"],
                "period_code": ["2024-H1", "2024-H1"],
                "rule_code": ["DQ_SUMMARY_DETAIL", "DQ_LATE_REPORT"],
                "severity": ["error", "warning"],
                "sheet": ["TongHop", None],
                "row_number": [7, None],
                "column_name": ["reported_value", None],
                "message": ["Tổng hợp 3, chi tiết 2 / summary 3, detail 2", "Chưa có báo cáo"],
            }
        ),
    }


def write_build_db(path: Path, frames: dict[str, pd.DataFrame]) -> Path:
    """A real DuckDB build file with the given tables in schema ``marts``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        for name, frame in frames.items():
            con.register("frame_view", frame)
            con.execute(f"create or replace table marts.{name} as select * from frame_view")
            con.unregister("frame_view")
    finally:
        con.close()
    return path


def write_parsed_report(
    parsed_dir: Path,
    report_id: str,
    period_code: str,
    ket_nap: pd.DataFrame,
    *,
    errors: int = 0,
    batch: str | None = None,
) -> str:
    """One parsed report version as a batch of its own, as the parser lays batches out; return
    the batch id (``batch`` when given: one parse run numbers each period's batches alike)."""
    batch = batch or new_batch_id()
    unit_code = report_id.split("_")[0]
    report = pa.table(
        {
            "report_id": [report_id],
            "unit_code": [unit_code],
            "period_code": [period_code],
            "version": pa.array([1], pa.int32()),
            "error_count": pa.array([errors], pa.int32()),
            "warning_count": pa.array([0], pa.int32()),
            BATCH_COLUMN: [batch],
        }
    )
    rows = ket_nap.drop(columns=["unit_code", "period_code"]).assign(
        report_id=report_id, **{BATCH_COLUMN: batch}
    )
    tong_hop = pd.DataFrame(
        {
            "report_id": [report_id],
            "sheet": ["TongHop"],
            "row_number": [4],
            "indicator_code": ["ket_nap_dang_vien"],
            "label": ["Số đảng viên mới được kết nạp"],
            "reported_value": [len(rows)],
            BATCH_COLUMN: [batch],
        }
    )
    store = ParsedStore(parsed_dir)
    for name, table in (
        ("ket_nap", pa.Table.from_pandas(rows, preserve_index=False)),
        ("tong_hop", pa.Table.from_pandas(tong_hop, preserve_index=False)),
        ("report", report),
    ):
        folder = store.period_dir(name, period_code)
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / f"{batch}.parquet")
    return batch
