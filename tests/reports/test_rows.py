"""Row-level checks: every bad cell is a finding naming sheet, row, column and value."""

from __future__ import annotations

from datetime import date

from tests.reports.builders import build_xlsx, sheets
from tests.reports.conftest import rules

NAME = "088_2024-H1"


def _ket_nap_with(tmp_path, parse, column: int, value: object, person: int = 0):
    sheet_list = sheets()
    sheet_list[1].rows[4 + person][column] = value
    return parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))


def _finding(result, rule):
    return next(f for f in result.findings.to_pylist() if f["rule_code"] == rule)


def test_short_cccd_is_an_error_that_does_not_echo_the_number(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 2, "01009000123")
    finding = _finding(result, "DQ_CCCD_FORMAT")
    assert (finding["sheet"], finding["row_number"], finding["column_name"]) == (
        "KetNap",
        5,
        "Số CCCD",
    )
    assert "01009000123" not in str(finding)
    assert result.ket_nap.column("member_key")[0].as_py() is None


def test_cccd_typed_as_a_number_keeps_its_leading_zero(tmp_path, parse):
    as_text = _ket_nap_with(tmp_path, parse, 2, "010090001234")
    as_number = _ket_nap_with(tmp_path, parse, 2, 10090001234)
    assert as_number.error_count == 0
    assert as_number.ket_nap.column("member_key")[0] == as_text.ket_nap.column("member_key")[0]


def test_member_key_is_stable_and_keyed(tmp_path, parse):
    from dagster_project.reports.sheets import member_key

    first = parse(build_xlsx(tmp_path / f"{NAME}.xlsx"))
    assert first.ket_nap.column("member_key")[0].as_py() == member_key(
        "010090001234", b"tcd-demo-key-not-secret"
    )
    assert (
        member_key("010090001234", b"another key") != first.ket_nap.column("member_key")[0].as_py()
    )


def test_bad_tax_code_is_an_error(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 8, "53001234")
    assert _finding(result, "DQ_TAXCODE_FORMAT")["value"] == "53001234"


def test_impossible_date_is_an_error(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 9, "31/02/2024")
    finding = _finding(result, "DQ_DATE_FORMAT")
    assert (finding["column_name"], finding["value"]) == ("Ngày kết nạp", "31/02/2024")


def test_unknown_category_is_an_error_listing_the_accepted_values(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 6, "Nông dân")
    finding = _finding(result, "DQ_CODE_UNKNOWN")
    assert "Học sinh, sinh viên" in finding["expected"]


def test_admission_outside_the_period_is_an_error(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 9, date(2024, 7, 1))
    assert _finding(result, "DQ_ADMISSION_OUT_OF_PERIOD")["expected"] == "01/01/2024 - 30/06/2024"


def test_admission_under_18_is_an_error(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 3, date(2006, 3, 16))
    assert _finding(result, "DQ_AGE_UNDER_18")["value"] == "17"


def test_eighteenth_birthday_on_admission_day_is_accepted(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 3, date(2006, 3, 15))
    assert "DQ_AGE_UNDER_18" not in rules(result)
    assert result.ket_nap.column("age_at_admission")[0].as_py() == 18


def test_unknown_ethnicity_is_a_warning_and_kept(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 5, "Xá Lá Vàng")
    assert result.error_count == 0
    assert result.ket_nap.column("ethnicity")[0].as_py() == "Xá Lá Vàng"


def test_ethnic_spellings_become_one_group(tmp_path, parse):
    for spelling in ("H'Mông", "Hmông", "Mông", "HMÔNG"):
        result = _ket_nap_with(tmp_path, parse, 5, spelling, person=1)
        assert result.ket_nap.column("ethnicity")[1].as_py() == "Mông"


def _to_chuc_with(tmp_path, parse, column: int, value: object):
    sheet_list = sheets()
    sheet_list[2].rows[4][column] = value
    return parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))


def test_negative_count_is_an_error(tmp_path, parse):
    assert _finding(_to_chuc_with(tmp_path, parse, 5, -3), "DQ_COUNT_FORMAT")["value"] == "-3"


def test_fractional_count_is_an_error(tmp_path, parse):
    assert "DQ_COUNT_FORMAT" in rules(_to_chuc_with(tmp_path, parse, 5, "12,5"))


def test_founding_after_period_end_is_an_error(tmp_path, parse):
    result = _to_chuc_with(tmp_path, parse, 7, date(2024, 7, 2))
    assert (
        _finding(result, "DQ_FOUNDED_AFTER_PERIOD")["column_name"] == "Ngày thành lập tổ chức đảng"
    )


def test_unknown_yes_no_value_is_an_error(tmp_path, parse):
    assert "DQ_CODE_UNKNOWN" in rules(_to_chuc_with(tmp_path, parse, 10, "Đang thành lập"))


def test_unknown_indicator_is_a_warning_and_the_row_is_kept(tmp_path, parse):
    sheet_list = sheets()
    sheet_list[0].rows.append([22, "Số chi bộ được kiện toàn", 4])
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))
    finding = _finding(result, "DQ_UNKNOWN_INDICATOR")
    assert finding["severity"] == "warning"
    assert finding["value"] == "Số chi bộ được kiện toàn"
    last = result.tong_hop.to_pylist()[-1]
    assert (last["indicator_code"], last["reported_value"]) == (None, 4)


def test_indicator_reported_twice_is_an_error(tmp_path, parse):
    sheet_list = sheets()
    sheet_list[0].rows.append([22, "Số đảng viên mới được kết nạp", 4])
    assert "DQ_DUPLICATE_INDICATOR" in rules(
        parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))
    )


def test_title_of_another_unit_is_an_error(tmp_path, parse):
    sheet_list = sheets()
    for sheet in sheet_list:
        sheet.rows[0][0] = "ĐẢNG BỘ HUYỆN BẢO YÊN"
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))
    assert _finding(result, "DQ_TITLE_UNIT_MISMATCH")["value"] == "ĐẢNG BỘ HUYỆN BẢO YÊN"


def test_title_of_another_period_is_an_error(tmp_path, parse):
    sheet_list = sheets()
    for sheet in sheet_list:
        sheet.rows[1][0] = "BÁO CÁO KẾT QUẢ 6 THÁNG CUỐI NĂM 2024"
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))
    finding = _finding(result, "DQ_TITLE_PERIOD_MISMATCH")
    assert (finding["value"], finding["expected"]) == ("2024-H2", "2024-H1")


def test_title_alias_of_the_unit_is_accepted(tmp_path, parse):
    sheet_list = sheets()
    for sheet in sheet_list:
        sheet.rows[0][0] = "THỊ ỦY TX SA PA"
    assert parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list)).error_count == 0


def test_every_message_is_bilingual_and_names_the_row(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 6, "Nông dân")
    finding = _finding(result, "DQ_CODE_UNKNOWN")
    assert finding["message_vi"].startswith("Trang KetNap, dòng 5, cột 'Đối tượng'")
    assert finding["message_en"].startswith("Sheet KetNap, row 5, column 'Đối tượng'")


def test_template_rows_with_only_a_prefilled_number_are_blank(tmp_path, parse):
    sheet_list = sheets()
    width = len(sheet_list[1].rows[4])
    sheet_list[1].rows.extend([[n] + [None] * (width - 1) for n in range(4, 30)])
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))
    assert result.ket_nap.num_rows == 3
    assert result.error_count == 0


def test_row_with_only_a_name_is_kept_and_reported(tmp_path, parse):
    sheet_list = sheets()
    width = len(sheet_list[1].rows[4])
    sheet_list[1].rows.append([4, "Vàng Văn Sử"] + [None] * (width - 2))
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))
    assert result.ket_nap.num_rows == 4
    assert "DQ_REQUIRED_VALUE" in rules(result)


def test_text_cells_are_trimmed_and_spaces_collapsed(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 7, "  Công ty\u00a0TNHH   ABC \n Lào Cai ")
    assert result.ket_nap.column("work_unit_name")[0].as_py() == "Công ty TNHH ABC Lào Cai"


def test_blank_text_cell_is_null(tmp_path, parse):
    result = _ket_nap_with(tmp_path, parse, 11, "   ")
    assert result.ket_nap.column("party_cell")[0].as_py() is None
