"""Hidden characters and formula text: removed or defused, said so, and never stored."""

from __future__ import annotations

import io
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from dagster_project.reports import text
from dagster_project.reports.validate import validate_files
from tests.hostile.sheet_edit import table
from tests.reports.builders import build_xlsx
from tests.reports.conftest import rules

INVISIBLE = "\x1b\x07\x00\u202e\u202d\u202c\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff\u00ad"


def _edited(tmp_path: Path, change) -> Path:
    path = build_xlsx(tmp_path / "088_2024-H1.xlsx")
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def _set_text(book, logical: str, field: str, value: str, row: int = 0) -> None:
    sheet = table(book, logical)
    sheet.set(sheet.rows[row], field, value)


def _texts(result) -> list[str]:
    """Every text value of the three data tables and the report row."""
    values = []
    for table_ in (result.report, result.tong_hop, result.ket_nap, result.to_chuc):
        for column in table_.columns:
            if pa.types.is_string(column.type):
                values.extend(v for v in column.to_pylist() if v is not None)
    return values


def test_the_invisible_table_is_every_non_space_control_and_format_character() -> None:
    if unicodedata.unidata_version != "14.0.0":
        pytest.skip(
            f"table written for Unicode 14.0, this Python has {unicodedata.unidata_version}"
        )
    expected = [
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf") and not chr(cp).isspace()
    ]
    assert all(text.has_invisible(ch) for ch in expected)
    assert not any(text.has_invisible(ch) for ch in "aĐễ \t\n\u00a0\u3000'=-+@")


@given(st.text(alphabet=st.sampled_from(list("Công ty Đảng ab1 ") + list(INVISIBLE))))
def test_clean_text_never_keeps_an_invisible_character(value: str) -> None:
    cleaned = text.clean_text(value)
    assert not text.has_invisible(cleaned)
    assert cleaned == text.clean_text(cleaned)


@given(st.text(alphabet=st.sampled_from(list("=+-@ (A1)!|'cmd 0123456789.,%Công"))))
def test_defused_text_is_never_formula_text(value: str) -> None:
    cleaned = text.clean_text(value)
    defused = text.defuse_formula(cleaned)
    assert not text.is_formula(defused)
    assert defused[:1] not in ("=", "+", "@")
    assert defused == cleaned or defused == f"'{cleaned}"


@pytest.mark.parametrize(
    "value",
    ["=1+1", '=HYPERLINK("http://x","y")', "@SUM(A1)", "+1+cmd|' /C calc'!A0", "-2+3", "-A1",
     "- SUM(A1)", "-(1)", "+=1", "+ Trong đó", "+84 912 345 678", "@"],
)  # fmt: skip
def test_formula_text_is_recognised(value: str) -> None:
    assert text.is_formula(value)


@pytest.mark.parametrize(
    "value", ["-5", "-1.250,5", "- 12", "- Công ty ABC", "-Trong đó: công nhân", "A=B", "Công ty -"]
)
def test_negative_numbers_dash_bullets_and_inner_signs_are_not_formulas(value: str) -> None:
    assert not text.is_formula(value)


def test_hidden_characters_are_removed_with_a_warning_and_never_stored(
    tmp_path: Path, parse
) -> None:
    def change(book):
        _set_text(book, "ket_nap", "work_unit_name", "Công ty\x1b[31m TNHH\x07 Hải\u200b Đăng")
        _set_text(book, "to_chuc", "enterprise_name", "Công ty \u202egnăĐ iảH\u202c")
        _set_text(book, "to_chuc", "superior_committee", "Đảng\ufeff ủy\u2066 phường\u2069")

    result = parse(_edited(tmp_path, change))
    found = result.findings.to_pylist()
    hidden = [f for f in found if f["rule_code"] == "DQ_TEXT_INVISIBLE"]
    assert len(hidden) == 3 and {f["severity"] for f in hidden} == {"warning"}
    assert "<U+001B>" in hidden[0]["message_en"] and "<U+202E>" in hidden[1]["message_vi"]
    assert result.error_count == 0
    assert "Công ty[31m TNHH Hải Đăng" in result.ket_nap.column("work_unit_name").to_pylist()
    assert not any(text.has_invisible(value) for value in _texts(result))


def test_formula_text_is_defused_with_a_warning(tmp_path: Path, parse) -> None:
    def change(book):
        _set_text(book, "to_chuc", "enterprise_name", '=HYPERLINK("http://x.invalid","A")')
        _set_text(book, "ket_nap", "decision_number", "+1+cmd|' /C calc'!A0")
        _set_text(book, "ket_nap", "party_cell", "@SUM(1)")
        _set_text(book, "ket_nap", "work_unit_name", "- Công ty ABC", row=1)

    result = parse(_edited(tmp_path, change))
    formula = [f for f in result.findings.to_pylist() if f["rule_code"] == "DQ_TEXT_FORMULA"]
    assert [f["column_name"] for f in formula] == ["Số quyết định", "Chi bộ", "Tên đơn vị"]
    assert result.error_count == 0
    assert (
        '\'=HYPERLINK("http://x.invalid","A")'
        in result.to_chuc.column("enterprise_name").to_pylist()
    )
    assert "- Công ty ABC" in result.ket_nap.column("work_unit_name").to_pylist()
    assert not any(text.is_formula(value) for value in _texts(result))
    for finding in result.findings.to_pylist():
        assert (finding["value"] or "")[:1] not in ("=", "+", "@")


def test_a_formula_summary_label_is_unknown_and_defused(tmp_path: Path, parse) -> None:
    def change(book):
        tong_hop = table(book, "tong_hop")
        tong_hop.set(tong_hop.rows[-1] + 1, "label", "=1+1")
        tong_hop.set(tong_hop.rows[-1] + 1, "value", 0)

    result = parse(_edited(tmp_path, change))
    assert {"DQ_UNKNOWN_INDICATOR", "DQ_TEXT_FORMULA"} <= set(rules(result))
    assert "'=1+1" in result.tong_hop.column("label").to_pylist()


def test_console_markup_in_a_label_is_printed_as_text(tmp_path: Path) -> None:
    def change(book):
        tong_hop = table(book, "tong_hop")
        tong_hop.set(tong_hop.rows[-1] + 1, "label", "[/] lỗi [bold]đậm")
        tong_hop.set(tong_hop.rows[-1] + 1, "value", 0)

    path = _edited(tmp_path, change)
    console = Console(file=io.StringIO(), width=300, color_system=None)
    status = validate_files([path], console)
    out = console.file.getvalue()
    assert status == 0, out
    assert "[/] lỗi [bold]đậm" in out


def test_a_required_cell_of_hidden_characters_only_is_blank(tmp_path: Path, parse) -> None:
    result = parse(
        _edited(
            tmp_path, lambda book: _set_text(book, "to_chuc", "enterprise_name", "\u200b\u2066")
        )
    )
    found = {f["rule_code"]: f for f in result.findings.to_pylist()}
    assert found["DQ_REQUIRED_VALUE"]["column_name"] == "Tên đơn vị"
    assert found["DQ_TEXT_INVISIBLE"]["value"] == "<U+200B><U+2066>"
