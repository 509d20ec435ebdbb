"""Every legal variation of a report parses to the same rows as its clean twin."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pytest

from tests.reports.builders import (
    ALL_VARIATIONS,
    KET_NAP,
    TONG_HOP,
    Variant,
    build_csv_folder,
    build_csv_zip,
    build_xlsx,
)
from tests.reports.conftest import rules

NAME = "088_2024-H1"
VARIATIONS = {
    "title_rows_absent": replace(Variant(), title_rows=False),
    "merged_headers": replace(Variant(), merged_headers=True),
    "reordered_columns": replace(Variant(), reorder=True),
    "label_variants": replace(Variant(), label_variants=True),
    "value_variants": replace(Variant(), value_variants=True),
    "nfd_text": replace(Variant(), nfd=True),
    "text_numbers": replace(Variant(), text_numbers=True),
    "mixed_dates": replace(Variant(), mixed_dates=True),
    "totals_row": replace(Variant(), totals_row=True),
    "trailing_blanks": replace(Variant(), trailing_blanks=True),
    "column_number_row": replace(Variant(), column_numbers=True),
    "vietnamese_sheet_names": replace(Variant(), sheet_names=("Tổng hợp", "Kết nạp", "Tổ chức")),
    "all_at_once": ALL_VARIATIONS,
}
POSITIONAL = ["report_id", "sheet", "row_number", "label"]


def _content(table: pa.Table) -> list[dict]:
    keep = [name for name in table.column_names if name not in POSITIONAL]
    return sorted(table.select(keep).to_pylist(), key=repr)


def _assert_same(result, clean) -> None:
    for name in ("tong_hop", "ket_nap", "to_chuc"):
        assert _content(getattr(result, name)) == _content(getattr(clean, name)), name


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    from dagster_project.reports import DEMO_KEY, parse_report
    from tests.reports.builders import make_meta

    path = build_xlsx(tmp_path_factory.mktemp("clean") / f"{NAME}.xlsx")
    return parse_report(path, make_meta(path), DEMO_KEY)


def test_clean_twin_parses_every_row_without_findings(clean):
    assert clean.findings.num_rows == 0
    assert clean.tong_hop.num_rows == len(TONG_HOP)
    assert clean.ket_nap.num_rows == len(KET_NAP)
    assert clean.to_chuc.num_rows == 3


def test_clean_twin_matches_every_catalogue_indicator(clean):
    codes = clean.tong_hop.column("indicator_code").to_pylist()
    assert codes == [code for code, *_ in TONG_HOP]


@pytest.mark.parametrize("variation", sorted(VARIATIONS))
def test_xlsx_variation_parses_to_clean_rows(variation, tmp_path, parse, clean):
    path = build_xlsx(tmp_path / f"{NAME}.xlsx", VARIATIONS[variation])
    result = parse(path)
    assert result.error_count == 0, result.findings.to_pylist()
    _assert_same(result, clean)


@pytest.mark.parametrize("variation", ["clean", "all_at_once", "reordered_columns", "nfd_text"])
def test_csv_folder_variation_parses_to_clean_rows(variation, tmp_path, parse, clean):
    variant = VARIATIONS.get(variation, Variant())
    path = build_csv_folder(tmp_path / NAME, variant)
    result = parse(path)
    assert result.error_count == 0, result.findings.to_pylist()
    _assert_same(result, clean)
    assert result.report.column("file_format").to_pylist() == ["csv"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
def test_csv_zip_in_each_accepted_encoding_parses_to_clean_rows(encoding, tmp_path, parse, clean):
    path = build_csv_zip(tmp_path / f"{NAME}.zip", ALL_VARIATIONS, encoding=encoding)
    result = parse(path)
    assert result.error_count == 0, result.findings.to_pylist()
    _assert_same(result, clean)


def test_cp1258_text_is_decoded_not_mojibake(tmp_path, parse):
    path = build_csv_zip(tmp_path / f"{NAME}.zip", Variant(), encoding="cp1258")
    result = parse(path)
    assert "Công ty TNHH ABC Lào Cai" in result.to_chuc.column("enterprise_name").to_pylist()


def test_semicolon_separated_csv_parses(tmp_path, parse, clean):
    from tests.reports.builders import csv_files

    folder = tmp_path / NAME
    folder.mkdir()
    for name, data in csv_files(Variant(), delimiter=";").items():
        (folder / name).write_bytes(data)
    _assert_same(parse(folder), clean)


def test_missing_title_rows_is_a_warning_not_an_error(tmp_path, parse):
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx", replace(Variant(), title_rows=False)))
    assert "DQ_TITLE_MISSING" in rules(result)
    assert result.error_count == 0


def test_row_numbers_are_as_a_spreadsheet_shows_them(tmp_path, parse):
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx"))
    # two title rows, one blank row, the header on row 4, data from row 5
    assert result.ket_nap.column("row_number").to_pylist() == [5, 6, 7]


def test_labels_are_kept_as_found_in_nfc(tmp_path, parse):
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx", replace(Variant(), nfd=True)))
    labels = result.tong_hop.column("label").to_pylist()
    assert labels[0] == "Số đảng viên mới được kết nạp"
