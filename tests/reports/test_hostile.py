"""Hostile or broken files are refused with a finding, never an exception."""

from __future__ import annotations

import zipfile
from dataclasses import replace

from dagster_project.reports import ParseLimits, parse_report
from dagster_project.reports.pseudonym import DEMO_KEY
from tests.reports.builders import Variant, build_xlsx, csv_files, make_meta, sheets
from tests.reports.conftest import rules

NAME = "088_2024-H1"


def test_empty_file_is_refused(tmp_path, parse):
    path = tmp_path / f"{NAME}.xlsx"
    path.write_bytes(b"")
    result = parse(path)
    assert rules(result) == ["DQ_FILE_EMPTY"]
    assert result.error_count == 1


def test_text_renamed_to_xlsx_is_refused(tmp_path, parse):
    path = tmp_path / f"{NAME}.xlsx"
    path.write_text("không phải bảng tính", encoding="utf-8")
    assert rules(parse(path)) == ["DQ_FILE_UNREADABLE"]


def test_truncated_xlsx_is_refused(tmp_path, parse):
    path = build_xlsx(tmp_path / f"{NAME}.xlsx")
    path.write_bytes(path.read_bytes()[:-200])
    assert "DQ_FILE_UNREADABLE" in rules(parse(path))


def test_zip_without_workbook_parts_is_read_as_a_csv_bundle_missing_its_sheets(tmp_path, parse):
    path = tmp_path / f"{NAME}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "xin chào")
    assert rules(parse(path)).count("DQ_SHEET_MISSING") == 3


def test_path_traversal_inside_a_bundle_is_refused(tmp_path, parse):
    path = tmp_path / f"{NAME}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in csv_files().items():
            archive.writestr(name, data)
        archive.writestr("../../etc/TongHop.csv", b"x")
    result = parse(path)
    assert rules(result) == ["DQ_UNSAFE_PATH"]
    assert result.ket_nap.num_rows == 0


def test_zip_bomb_is_refused_by_declared_size(tmp_path):
    path = tmp_path / f"{NAME}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("TongHop.csv", b"0" * (4 << 20))
    limits = ParseLimits(max_expanded_bytes=1 << 20)
    result = parse_report(path, make_meta(path), DEMO_KEY, limits)
    assert rules(result) == ["DQ_FILE_TOO_LARGE"]


def test_zip_member_with_high_compression_ratio_is_refused(tmp_path, parse):
    path = tmp_path / f"{NAME}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("KetNap.csv", b"\n" * (64 << 20))
    assert rules(parse(path)) == ["DQ_FILE_TOO_LARGE"]


def test_more_rows_than_the_cap_refuses_the_sheet(tmp_path):
    path = tmp_path / NAME
    path.mkdir()
    for name, data in csv_files().items():
        (path / name).write_bytes(data)
    many = "".join(f"{i},,0100900{i:05d},01/01/1990\n" for i in range(400))
    with (path / "KetNap.csv").open("a", encoding="utf-8") as handle:
        handle.write(many)
    result = parse_report(path, make_meta(path), DEMO_KEY, ParseLimits(max_rows=100))
    assert "DQ_TOO_MANY_ROWS" in rules(result)
    assert result.ket_nap.num_rows == 0
    assert result.tong_hop.num_rows > 0


def test_undecodable_csv_is_refused_with_an_encoding_finding(tmp_path, parse):
    path = tmp_path / NAME
    path.mkdir()
    for name, data in csv_files().items():
        (path / name).write_bytes(data)
    (path / "ToChuc.csv").write_bytes(
        "Mã số thuế,Tên đơn vị\n".encode("utf-16-le")[2:] + b"\x81\x8d\x8f"
    )
    result = parse(path)
    assert "DQ_ENCODING" in rules(result)
    assert "DQ_SHEET_MISSING" not in rules(result)
    assert result.ket_nap.num_rows == 3


def test_missing_sheet_is_an_error_naming_it(tmp_path, parse):
    path = build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheets()[:2])
    result = parse(path)
    missing = [f for f in result.findings.to_pylist() if f["rule_code"] == "DQ_SHEET_MISSING"]
    assert [f["sheet"] for f in missing] == ["ToChuc"]


def test_missing_required_column_is_an_error_naming_it(tmp_path, parse):
    sheet_list = sheets()
    ket_nap = sheet_list[1]
    ket_nap.rows = [row[:2] + row[3:] for row in ket_nap.rows]  # drop "Số CCCD"
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))
    missing = [f for f in result.findings.to_pylist() if f["rule_code"] == "DQ_COLUMN_MISSING"]
    assert [f["expected"] for f in missing] == ["Số CCCD"]


def test_sheet_without_a_header_row_is_refused(tmp_path, parse):
    sheet_list = sheets()
    sheet_list[2].rows = [["a", "b"], [1, 2]]
    assert "DQ_HEADER_NOT_FOUND" in rules(
        parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))
    )


def test_formula_cells_are_read_as_their_cached_values(tmp_path, parse):
    sheet_list = sheets()
    sheet_list[0].rows[4][2] = "=1+2"  # xlsxwriter stores cached value 0
    result = parse(build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list))
    assert result.error_count == 0
    assert result.tong_hop.column("reported_value")[0].as_py() == 0


def test_missing_file_is_refused_not_raised(tmp_path, parse):
    assert rules(parse(tmp_path / f"{NAME}.xlsx")) == ["DQ_FILE_UNREADABLE"]


def test_legacy_xls_is_refused_with_a_save_as_message(tmp_path, parse):
    path = tmp_path / f"{NAME}.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    result = parse(path)
    assert rules(result) == ["DQ_FILE_UNREADABLE"]
    assert ".xlsx" in result.findings.column("message_en")[0].as_py()


def test_variant_dataclass_is_frozen():
    assert replace(Variant(), nfd=True).nfd


def test_xlsx_with_more_rows_than_the_cap_is_refused_before_loading(tmp_path):
    sheet_list = sheets()
    person = sheet_list[1].rows[4]
    sheet_list[1].rows.extend([list(person) for _ in range(400)])
    path = build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=sheet_list)
    result = parse_report(path, make_meta(path), DEMO_KEY, ParseLimits(max_rows=100))
    assert rules(result) == ["DQ_TOO_MANY_ROWS"]


def test_xlsx_with_a_cell_at_the_last_excel_row_is_refused(tmp_path, parse):
    import xlsxwriter

    path = tmp_path / f"{NAME}.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    for sheet in sheets():
        worksheet = workbook.add_worksheet(sheet.name)
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if isinstance(value, str | int):
                    worksheet.write(r, c, value)
    workbook.get_worksheet_by_name("ToChuc").write(1_048_575, 0, "x")
    workbook.close()
    result = parse(path)
    assert "DQ_TOO_MANY_ROWS" in rules(result)
    assert result.to_chuc.num_rows == 0


def test_xlsx_with_a_cell_past_the_last_excel_column_is_refused(tmp_path, parse):
    built = build_xlsx(tmp_path / "built.xlsx")
    path = tmp_path / f"{NAME}.xlsx"
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":
                data = data.replace(b'<c r="A1" ', b'<c r="AAAA1" ', 1)
                assert b"AAAA1" in data
            target.writestr(info, data)
    assert rules(parse(path)) == ["DQ_SHEET_DIMENSION"]
