"""A total row is told by its label cell and its place, never by how a name begins."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from dagster_project.reports.sheets import _is_total_cell
from tests.hostile.sheet_edit import table
from tests.reports.builders import ALL_VARIATIONS, build_xlsx


def _edited(tmp_path: Path, change, variant=ALL_VARIATIONS) -> Path:
    path = build_xlsx(tmp_path / "088_2024-H1.xlsx", variant)
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


@pytest.mark.parametrize(
    "cell",
    ["Tổng cộng", "TỔNG CỘNG", "Cộng", "Tổng số", "Tổng", "Tổng cộng:", "Tổng cộng: 3 người",
     "Tổng cộng 4 đồng chí", "Cộng (toàn đơn vị)", "Tổng cộng chung", "  tổng   cộng  "],
)  # fmt: skip
def test_total_labels(cell: str) -> None:
    assert _is_total_cell(cell)


@pytest.mark.parametrize(
    "cell",
    ["Tổng công ty Phát điện 3", "TỔNG CÔNG TY ĐIỆN LỰC", "Tống Công Thành", "Tổng Cộng Hòa",
     "Công ty Tổng hợp", "Tổng số đảng viên trong đơn vị kinh tế tư nhân", "Cộng đồng Xanh",
     "Tổng công ty: ABC", 3, None],
)  # fmt: skip
def test_names_that_begin_like_a_total_are_not_total_labels(cell: object) -> None:
    assert not _is_total_cell(cell)


def test_an_enterprise_named_tong_cong_ty_in_the_last_row_is_data(tmp_path: Path, parse) -> None:
    def change(book):
        to_chuc = table(book, "to_chuc")
        to_chuc.set(to_chuc.rows[-1], "enterprise_name", "Tổng công ty Phát điện 3")

    result = parse(_edited(tmp_path, change))
    names = result.to_chuc.column("enterprise_name").to_pylist()
    assert names[-1] == "Tổng công ty Phát điện 3"
    assert result.to_chuc.num_rows == 3
    assert result.error_count == 0


def test_the_same_enterprise_closing_a_table_without_total_row_is_data(
    tmp_path: Path, parse
) -> None:
    def change(book):
        to_chuc = table(book, "to_chuc")
        to_chuc.set(to_chuc.rows[-1], "enterprise_name", "Tổng công ty Phát điện 3")
        for row in reversed(to_chuc.total_rows()):
            to_chuc.sheet.delete_rows(row)

    result = parse(_edited(tmp_path, change))
    assert result.to_chuc.column("enterprise_name").to_pylist()[-1] == "Tổng công ty Phát điện 3"


def test_a_person_named_tong_cong_in_the_last_row_is_admitted(tmp_path: Path, parse) -> None:
    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.set(ket_nap.rows[-1], "full_name", "Tống Công Thành")
        ket_nap.set(ket_nap.rows[-1], "stt", "Tổng")

    result = parse(_edited(tmp_path, change))
    assert result.ket_nap.num_rows == 3
    assert result.error_count == 0


def test_the_total_rows_closing_the_tables_are_not_data(tmp_path: Path, parse) -> None:
    result = parse(build_xlsx(tmp_path / "088_2024-H1.xlsx", ALL_VARIATIONS))
    assert result.error_count == 0
    assert (result.ket_nap.num_rows, result.to_chuc.num_rows) == (3, 3)


def test_a_total_label_on_a_row_with_a_cccd_is_a_person(tmp_path: Path, parse) -> None:
    def change(book):
        ket_nap = table(book, "ket_nap")
        ket_nap.set(ket_nap.rows[-1], "stt", "Cộng")

    result = parse(_edited(tmp_path, change))
    assert result.ket_nap.num_rows == 3


def test_a_count_under_the_cccd_header_of_a_total_row_keeps_it_a_total(
    tmp_path: Path, parse
) -> None:
    def change(book):
        ket_nap = table(book, "ket_nap")
        total = ket_nap.total_rows()[0]
        ket_nap.set(total, "cccd", "3")

    result = parse(_edited(tmp_path, change))
    assert result.ket_nap.num_rows == 3
    assert result.error_count == 0
