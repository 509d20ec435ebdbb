"""The seeds the parser shares with dbt are complete and consistent."""

from __future__ import annotations

import csv
from pathlib import Path

from dagster_project.reports.findings import MESSAGES
from dagster_project.reports.reference import (
    coded_values,
    dq_rules,
    ethnic_groups,
    indicator_catalogue,
    private_sector_codes,
    seeds_dir,
)

CONTRACT_INDICATORS = {
    "ket_nap_dang_vien",
    "ket_nap_cong_nhan_lao_dong",
    "ket_nap_hoc_sinh_sinh_vien",
    "ket_nap_hoc_sinh_thpt",
    "ket_nap_chu_doanh_nghiep",
    "ket_nap_kttn",
    "lop_boi_duong",
    "hoc_vien_boi_duong",
    "hoc_vien_kttn",
    "de_nghi_ket_nap",
    "doan_vien_uu_tu_gioi_thieu",
    "chuyen_chinh_thuc",
    "tcd_thanh_lap_kttn",
    "cdcs_thanh_lap",
    "doan_vien_cong_doan_moi",
    "doan_vien_cong_doan_moi_ngoai_nn",
    "to_chuc_doan_thanh_lap",
    "dang_vien_kttn",
    "tcd_kttn",
    "dn_co_dv_chua_co_tcd",
    "doan_vien_uu_tu_ket_nap",
}


def test_catalogue_holds_every_contract_indicator():
    assert set(indicator_catalogue().indicators) == CONTRACT_INDICATORS


def test_every_parent_is_a_catalogue_indicator():
    indicators = indicator_catalogue().indicators
    assert all(i.parent_code in indicators for i in indicators.values() if i.parent_code)


def test_every_parser_rule_is_in_dq_rules_with_its_checker():
    rules = dq_rules()
    assert {code for code, row in rules.items() if row["checked_by"] == "parser"} == set(MESSAGES)


def test_warehouse_rules_are_declared():
    warehouse = {code for code, row in dq_rules().items() if row["checked_by"] == "warehouse"}
    assert {
        "DQ_PART_LE_WHOLE",
        "DQ_SUMMARY_DETAIL",
        "DQ_TAXCODE_UNKNOWN",
        "DQ_DUPLICATE_PERSON",
        "DQ_CUMULATIVE_SHRINK",
        "DQ_STOCK_MOVEMENT",
        "DQ_OUTLIER",
        "DQ_MISSING_REPORT",
        "DQ_LATE_REPORT",
    } <= warehouse


def test_coded_value_domains_and_codes_follow_the_layout():
    domains = coded_values()
    assert set(domains["loai_hinh"].labels) == {
        "co_quan_nha_nuoc",
        "don_vi_su_nghiep",
        "dn_nha_nuoc",
        "tu_nhan",
        "fdi",
        "hop_tac_xa",
        "ho_kinh_doanh",
    }
    assert private_sector_codes() == {"tu_nhan", "fdi", "hop_tac_xa", "ho_kinh_doanh"}
    assert set(domains["gioi_tinh"].labels) == {"nam", "nu"}
    assert len(domains["doi_tuong"].labels) == 7


def test_contract_variants_of_ownership_are_private():
    domain = coded_values()["loai_hinh"]
    for text in ("Doanh nghiệp tư nhân", "Công ty TNHH", "Công ty cổ phần"):
        assert domain.match(text) == "tu_nhan"
    assert domain.match("FDI") == "fdi"


def test_there_are_54_ethnic_groups():
    assert len(ethnic_groups().labels) == 54


def test_seed_csvs_have_the_layout_columns():
    expected = {
        "indicator_catalogue.csv": [
            "indicator_code",
            "label",
            "aliases",
            "kind",
            "parent_code",
            "description_en",
        ],
        "coded_values.csv": [
            "domain",
            "code",
            "label",
            "variants",
            "is_private_sector",
            "label_en",
        ],
        "ethnic_groups.csv": ["ethnic_code", "label", "variants", "label_en"],
        "dq_rules.csv": [
            "rule_code",
            "severity",
            "checked_by",
            "scope",
            "runs_in",
            "defined_in",
            "parameters",
            "description_vi",
            "description_en",
        ],
    }
    for name, columns in expected.items():
        with Path(seeds_dir(), name).open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == columns
