"""Parse limits and workbook containers: each limit is configuration with a documented default,
and going past it is a finding that names the limit and the cell, never a crash or a blow-up."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.reports import DEMO_KEY, ParseLimits, parse_report, readers
from dagster_project.reports.columns import Column, counts
from dagster_project.reports.findings import make_finding
from dagster_project.reports.values import COUNT_MAX, OutOfRange, parse_count
from dagster_project.settings import PARSE_LIMIT_ENV, read_parse_limits
from tests.hostile.workbook_parts import encrypted_zip, ole_encrypted_workbook
from tests.reports.builders import build_xlsx, csv_files, make_meta
from tests.reports.conftest import rules

NAME = "088_2024-H1"
TONG_HOP, KET_NAP = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"


def _edited(tmp_path: Path, edits: dict, name: str = f"{NAME}.xlsx") -> Path:
    """The clean test workbook with some parts edited (each edit: bytes -> bytes)."""
    built = build_xlsx(tmp_path / "built.xlsx")
    path = tmp_path / name
    with zipfile.ZipFile(built) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(
                info.filename, edits[info.filename](data) if info.filename in edits else data
            )
    return path


def _row(xml: str):
    return lambda data: data.replace(b"</sheetData>", xml.encode() + b"</sheetData>", 1)


def _parse(path: Path, limits: ParseLimits | None = None):
    return parse_report(path, make_meta(path), DEMO_KEY, limits or ParseLimits())


def _finding(result, rule: str) -> dict:
    return next(f for f in result.findings.to_pylist() if f["rule_code"] == rule)


# --- configuration -------------------------------------------------------------------------------


def test_every_limit_has_an_environment_variable_and_defaults_without_one():
    assert set(PARSE_LIMIT_ENV) == {f for f in ParseLimits.__dataclass_fields__}
    assert read_parse_limits({}) == ParseLimits()


def test_a_limit_set_in_the_environment_replaces_its_default():
    limits = read_parse_limits({"TCD_MAX_ROWS": "2_000", "TCD_MAX_CELL_CHARS": " 500 "})
    assert (limits.max_rows, limits.max_cell_chars) == (2000, 500)
    assert limits.max_columns == ParseLimits().max_columns


@pytest.mark.parametrize("text", ["abc", "0", "-5", "1e6"])
def test_a_malformed_limit_is_an_error_naming_its_variable(text):
    with pytest.raises(ValueError, match="TCD_MAX_COLUMNS"):
        read_parse_limits({"TCD_MAX_COLUMNS": text})


def test_the_documented_table_lists_every_variable_with_its_default():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "data-layout.md").read_text()
    defaults = ParseLimits()
    for field, variable in PARSE_LIMIT_ENV.items():
        line = next(line for line in doc.splitlines() if f"`{variable}`" in line)
        assert f"{getattr(defaults, field):,}".replace(",", " ") in line.replace(",", " "), line


@given(st.integers(min_value=1, max_value=10**6))
def test_column_letters_and_numbers_agree(number):
    assert readers._column_number(readers.column_letters(number).encode()) == number


# --- dimensions, by the cells that hold values ---------------------------------------------------


def test_a_value_past_the_last_column_refuses_the_sheet_naming_the_cell(tmp_path):
    path = _edited(tmp_path, {TONG_HOP: _row('<row r="40"><c r="T40"><v>1</v></c></row>')})
    result = _parse(path, ParseLimits(max_columns=18))
    finding = _finding(result, "DQ_SHEET_DIMENSION")
    assert (finding["sheet"], finding["value"]) == ("TongHop", "T40")
    assert "A1:R" in finding["expected"]
    assert result.tong_hop.num_rows == 0
    assert result.ket_nap.num_rows > 0


def test_a_styled_cell_without_a_value_does_not_count(tmp_path):
    path = _edited(tmp_path, {TONG_HOP: _row('<row r="90000"><c r="XFD90000" s="1"/></row>')})
    result = _parse(path)
    assert result.error_count == 0
    assert result.tong_hop.num_rows > 0


def test_the_grid_of_rows_times_columns_is_capped(tmp_path):
    path = _edited(tmp_path, {KET_NAP: _row('<row r="60"><c r="Z60"><v>1</v></c></row>')})
    result = _parse(path, ParseLimits(max_cells=26 * 59))
    finding = _finding(result, "DQ_SHEET_DIMENSION")
    assert finding["sheet"] == "KetNap"
    assert "A1:Z60" in finding["value"]


def test_cells_without_references_are_placed_as_the_reader_places_them(tmp_path):
    cells = "".join("<c><v>1</v></c>" for _ in range(8))
    path = _edited(tmp_path, {TONG_HOP: _row(f'<row r="30">{cells}</row>')})
    finding = _finding(_parse(path, ParseLimits(max_columns=7)), "DQ_SHEET_DIMENSION")
    assert finding["value"] == "H30"


def test_prefixed_elements_are_cells_too(tmp_path):
    row = '<x:row r="31"><x:c r="IW31"><x:v>1</x:v></x:c></x:row>'
    path = _edited(tmp_path, {TONG_HOP: _row(row)})
    assert _finding(_parse(path), "DQ_SHEET_DIMENSION")["value"] == "IW31"


def test_a_far_cell_is_found_across_the_chunks_a_sheet_is_streamed_in(tmp_path):
    padding = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"x" * 200}</t></is></c></row>'
        for r in range(100, 12_100)
    )  # about 3 MB of rows before the stray cell
    far = '<row r="12200"><c r="XFD12200"><v>7</v></c></row>'
    path = _edited(tmp_path, {KET_NAP: _row(padding + far)})
    assert _finding(_parse(path), "DQ_SHEET_DIMENSION")["value"] == "XFD12200"


def test_more_rows_holding_values_than_the_cap_is_too_many_rows(tmp_path):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(30, 400))
    path = _edited(tmp_path, {KET_NAP: _row(rows)})
    result = _parse(path, ParseLimits(max_rows=100))
    assert "DQ_TOO_MANY_ROWS" in rules(result)
    assert "DQ_SHEET_DIMENSION" not in rules(result)


def test_a_stray_value_in_zz100000_costs_far_less_than_a_gib(tmp_path):
    """In its own process, as an officer runs it: the Rust readers never see the sheet."""
    path = _edited(tmp_path, {TONG_HOP: _row('<row r="100000"><c r="ZZ100000"><v>1</v></c></row>')})
    script = (
        "import json, resource, sys\n"
        "from pathlib import Path\n"
        "from dagster_project.reports import DEMO_KEY, parse_report\n"
        "from tests.reports.builders import make_meta\n"
        "path = Path(sys.argv[1])\n"
        "result = parse_report(path, make_meta(path), DEMO_KEY)\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
        "print(json.dumps([peak, result.findings.column('rule_code').to_pylist()]))\n"
    )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", script, str(path)], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    peak_mib, found = json.loads(proc.stdout.splitlines()[-1])
    assert "DQ_SHEET_DIMENSION" in found
    assert peak_mib < 1024, peak_mib  # the bound a hostile file must stay under


# --- formulas ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="C40"><f>SUM(C6:C8)</f></c>',  # LibreOffice scripts: no <v>
        '<c r="C40"><f>SUM(C6:C8)</f><v></v></c>',  # openpyxl: an empty <v>
        '<c r="C40"><f t="shared" ref="C40:C41" si="0">1+1</f><v/></c>',
    ],
)
def test_a_formula_without_a_cached_value_is_refused_naming_the_cell(tmp_path, cell):
    path = _edited(tmp_path, {TONG_HOP: _row(f'<row r="40">{cell}</row>')})
    result = _parse(path)
    finding = _finding(result, "DQ_FORMULA_NO_VALUE")
    assert (finding["sheet"], finding["row_number"], finding["column_name"]) == ("TongHop", 40, "C")
    assert "Excel" in finding["message_vi"] and "Excel" in finding["message_en"]
    assert result.tong_hop.num_rows == 0


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="E40"><f>1+2</f><v>3</v></c>',
        '<c r="E40" t="str"><f>IF(1,"","x")</f><v></v></c>',  # a cached empty text
    ],
)
def test_a_formula_with_a_cached_value_is_read(tmp_path, cell):
    path = _edited(tmp_path, {TONG_HOP: _row(f'<row r="40">{cell}</row>')})
    assert "DQ_FORMULA_NO_VALUE" not in rules(_parse(path))


# --- hidden sheets -------------------------------------------------------------------------------


def _hide(state: str, sheet: str = "TongHop"):
    return lambda xml: xml.replace(
        f'<sheet name="{sheet}"'.encode(), f'<sheet name="{sheet}" state="{state}"'.encode(), 1
    )


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_sheet_that_exists_only_hidden_is_refused(tmp_path, state):
    result = _parse(_edited(tmp_path, {"xl/workbook.xml": _hide(state)}))
    finding = _finding(result, "DQ_SHEET_HIDDEN")
    assert (finding["sheet"], finding["value"]) == ("TongHop", "TongHop")
    assert "DQ_SHEET_MISSING" not in rules(result)
    assert result.tong_hop.num_rows == 0


def test_a_hidden_sheet_is_ignored_when_a_visible_one_of_its_kind_exists(tmp_path):
    """The hidden sheet comes first and holds other figures; the visible one is read."""
    built = build_xlsx(tmp_path / "built.xlsx")
    with zipfile.ZipFile(built) as archive:
        copy = archive.read(TONG_HOP)
    hidden = copy.replace(b"<v>17</v>", b"<v>999</v>")
    assert hidden != copy
    path = _edited(
        tmp_path,
        {
            TONG_HOP: lambda _: hidden,
            "xl/workbook.xml": lambda xml: _hide("hidden")(xml).replace(
                b"</sheets>", b'<sheet name="Sua TongHop" sheetId="9" r:id="rId9"/></sheets>'
            ),
            "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(
                b"</Relationships>",
                b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/'
                b'2006/relationships/worksheet" Target="worksheets/copy.xml"/></Relationships>',
            ),
        },
    )
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/worksheets/copy.xml", copy)
    result = _parse(path)
    finding = _finding(result, "DQ_HIDDEN_SHEET_IGNORED")
    assert (finding["value"], finding["expected"], finding["severity"]) == (
        "TongHop",
        "Sua TongHop",
        "warning",
    )
    assert result.error_count == 0
    assert 17 in result.tong_hop.column("reported_value").to_pylist()


# --- containers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "declaration",
    [
        b'<!DOCTYPE x [<!ENTITY a "b">]>',
        b'<!ENTITY a "b">',
        b"<!doctype x>",
        '<!DOCTYPE x [<!ENTITY a "b">]>'.encode("utf-16-le"),
    ],
)
def test_xml_declaring_a_dtd_or_entities_is_refused_before_any_parser(tmp_path, declaration):
    path = _edited(tmp_path, {"[Content_Types].xml": lambda xml: declaration + xml})
    result = _parse(path)
    assert rules(result) == ["DQ_XML_DTD"]
    assert _finding(result, "DQ_XML_DTD")["value"] == "[Content_Types].xml"


def test_xml_comments_are_not_declarations(tmp_path):
    path = _edited(tmp_path, {"xl/workbook.xml": lambda xml: xml + b"<!-- ghi chu -->"})
    assert _parse(path).error_count == 0


def test_an_encrypted_zip_is_refused_as_password_protected(tmp_path):
    path = encrypted_zip(build_xlsx(tmp_path / "built.xlsx"), tmp_path / f"{NAME}.xlsx", b"pw")
    result = _parse(path)
    assert rules(result) == ["DQ_FILE_ENCRYPTED"]
    assert "mật khẩu" in result.findings.column("message_vi")[0].as_py()


def test_a_password_protected_workbook_is_refused_as_such(tmp_path):
    result = _parse(ole_encrypted_workbook(tmp_path / f"{NAME}.xlsx"))
    assert rules(result) == ["DQ_FILE_ENCRYPTED"]
    assert "password" in result.findings.column("message_en")[0].as_py()


def test_an_ole_file_without_encryption_is_an_old_excel_file(tmp_path):
    path = tmp_path / f"{NAME}.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    result = _parse(path)
    assert rules(result) == ["DQ_FILE_UNREADABLE"]
    assert "97-2003" in result.findings.column("message_en")[0].as_py()


def test_a_reader_failure_is_described_in_words_not_by_exception(tmp_path):
    path = _edited(tmp_path, {TONG_HOP: lambda xml: xml.replace(b"</sheetData>", b"<c")})
    result = _parse(path)
    assert "DQ_FILE_UNREADABLE" in rules(result)
    for message in result.findings.column("message_en").to_pylist():
        assert "Error" not in message and "Exception" not in message


# --- cell length ---------------------------------------------------------------------------------


def test_a_cell_longer_than_the_limit_refuses_its_sheet_naming_the_cell(tmp_path):
    long_name = "Công ty " + "x" * 600
    path = _edited(
        tmp_path,
        {
            KET_NAP: _row(
                f'<row r="50"><c r="C50" t="inlineStr"><is><t>{long_name}</t></is></c></row>'
            )
        },
    )
    result = _parse(path, ParseLimits(max_cell_chars=500))
    finding = _finding(result, "DQ_CELL_TOO_LONG")
    assert (finding["sheet"], finding["row_number"], finding["column_name"]) == ("KetNap", 50, "C")
    assert "Công ty" not in finding["message_vi"]  # the length, never the text
    assert result.ket_nap.num_rows == 0


@pytest.mark.parametrize("length", [600, 200_000])  # under and over the csv module's field limit
def test_a_csv_cell_longer_than_the_limit_is_refused(tmp_path, length):
    folder = tmp_path / NAME
    folder.mkdir()
    for name, data in csv_files().items():
        (folder / name).write_bytes(data)
    with (folder / "ToChuc.csv").open("a", encoding="utf-8") as handle:
        handle.write(f'0101234567,"{"y" * length}",Tư nhân\n')
    result = _parse(folder, ParseLimits(max_cell_chars=500))
    assert "DQ_CELL_TOO_LONG" in rules(result)
    assert result.to_chuc.num_rows == 0


# --- numbers past the range of their column ------------------------------------------------------


def test_counts_stop_at_fifteen_digits():
    assert parse_count("999.999.999.999.999") == COUNT_MAX
    for value in ("1.000.000.000.000.000", 1e20, "99999999999999999999", 10**30):
        with pytest.raises(OutOfRange):
            parse_count(value)


@pytest.mark.parametrize("cell", [1e20, "99999999999999999999", "1000000000000000"])
def test_a_count_cell_past_the_range_is_a_finding_naming_the_range(cell):
    cells = [str(n) for n in range(100)] + [cell]
    findings: list = []
    values = counts(Column("ToChuc", "Số lao động", cells, list(range(6, 107))), 101, findings)
    assert values[100].as_py() is None
    assert [f.rule_code for f in findings] == ["DQ_NUMBER_OUT_OF_RANGE"]
    assert str(COUNT_MAX) in findings[0].expected


@pytest.mark.parametrize("cell", [-3, 2.5, "-1", "12,5"])
def test_negative_and_fractional_counts_stay_format_findings(cell):
    findings: list = []
    counts(Column("ToChuc", "Số lao động", [cell], [7]), 1, findings)
    assert [f.rule_code for f in findings] == ["DQ_COUNT_FORMAT"]


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_a_finding_shows_a_non_finite_number_without_failing(value):
    assert make_finding("DQ_COUNT_FORMAT", value=value).value == str(value)


def test_a_twenty_digit_summary_figure_in_a_csv_bundle_is_a_finding(tmp_path):
    files = csv_files()
    text = files["TongHop.csv"].decode("utf-8").splitlines()
    row = next(i for i, line in enumerate(text) if line.rstrip().endswith(",3"))
    text[row] = text[row].rstrip()[:-1] + "99999999999999999999"
    files["TongHop.csv"] = "\n".join(text).encode("utf-8")
    folder = tmp_path / NAME
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    result = _parse(folder)
    assert "DQ_COUNT_FORMAT" in rules(result)
    assert None in result.tong_hop.column("reported_value").to_pylist()


def test_a_worksheet_anywhere_in_the_archive_is_scanned(tmp_path):
    """The path of a worksheet comes from the workbook's relations, not from a folder name."""
    built = build_xlsx(tmp_path / "built.xlsx")
    path = tmp_path / f"{NAME}.xlsx"
    far = b'<row r="100000"><c r="XFD100000"><v>1</v></c></row></sheetData>'
    with zipfile.ZipFile(built) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == TONG_HOP:
                new.writestr("data/tong.xml", data.replace(b"</sheetData>", far))
                continue
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b'Target="worksheets/sheet1.xml"', b'Target="/data/tong.xml"')
            new.writestr(info.filename, data)
    assert _finding(_parse(path), "DQ_SHEET_DIMENSION")["value"] == "XFD100000"


def test_a_sheet_list_that_is_not_xml_is_unreadable(tmp_path):
    path = _edited(
        tmp_path, {"xl/workbook.xml": lambda xml: xml.replace(b"</sheets>", b"<sheets>")}
    )
    result = _parse(path)
    assert rules(result) == ["DQ_FILE_UNREADABLE"]


_CELL = st.tuples(
    st.one_of(st.none(), st.tuples(st.integers(1, 30), st.integers(1, 40))),
    st.sampled_from(["value", "open", "closed", "formula"]),
)
_ROWS = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(1, 40)), st.lists(_CELL, max_size=6)), max_size=8
)


def _sheet_data(rows) -> bytes:
    xml = []
    for number, cells in rows:
        xml.append(f'<row r="{number}">' if number else "<row>")
        for place, kind in cells:
            r = f' r="{readers.column_letters(place[0])}{place[1]}"' if place else ""
            xml.append(
                {
                    "value": f"<c{r}><v>1</v></c>",
                    "open": f'<c{r} s="1"></c>',
                    "closed": f'<c{r} s="1"/>',
                    "formula": f"<c{r}><f>1+1</f><v>2</v></c>",
                }[kind]
            )
        xml.append("</row>")
    return ("<sheetData>" + "".join(xml) + "</sheetData>").encode()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_ROWS)
def test_the_census_places_cells_where_calamine_does(tmp_path, rows):
    def edit(xml: bytes) -> bytes:
        start, end = xml.index(b"<dimension"), xml.index(b"</sheetData>") + len(b"</sheetData>")
        return xml[:start] + _sheet_data(rows) + xml[end:]

    path = _edited(tmp_path, {TONG_HOP: edit})
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("TongHop")
    with zipfile.ZipFile(path) as archive:
        census = readers._cell_census(archive, TONG_HOP, ParseLimits())
    expected = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
    assert (census.max_row, census.max_column) == expected
