"""The fast readers agree with the typed ones on every file.

Workbooks are read as text by fastexcel and CSV bodies by Arrow's CSV reader; whatever a sheet
holds, the parsed rows and findings must be exactly those of reading every cell with its type
(python-calamine) or every record with Python's csv module.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.reports import DEMO_KEY, parse_report, readers, sheets
from tests.reports.builders import (
    Sheet,
    Variant,
    build_csv_zip,
    build_xlsx,
    csv_files,
    make_meta,
)
from tests.reports.builders import sheets as fixture_sheets

NAME = "088_2024-H1"
TABLES = ("tong_hop", "ket_nap", "to_chuc", "findings")

# Cells as officers type them, and as they should not: each kind of value a cell can hold.
digits = st.text(alphabet="0123456789", min_size=1, max_size=14)
cells = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "Nam", "nữ", "Kinh", "H'Mông", "Khác", "x", "Có", "true", "abc"]),
    digits,
    st.builds(lambda d: f"-{d}", digits),
    st.integers(min_value=-10, max_value=10**13),
    st.floats(min_value=-1e6, max_value=1e13, allow_nan=False).map(lambda f: round(f, 3)),
    st.sampled_from([1.125, 45000.5, 0.00001, 1e17, 12.0]),
    st.dates(min_value=date(1899, 1, 1), max_value=date(2101, 12, 31)),
    st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)).map(
        lambda d: d.strftime("%d/%m/%Y")
    ),
    st.sampled_from(["31/02/2024", "1/2/2024", "2024-02-08", "2024-02-08 00:00:00", "45000"]),
    st.sampled_from(["1.250", "1.125", "12,5", "5300123456", "5300111222-001", "010090001234"]),
)


def _typed(monkeypatch) -> None:
    """Make every workbook sheet go the typed way."""

    def always(sheet, name, column):
        raise sheets.NeedsTypedCells(sheet.name)

    monkeypatch.setattr(sheets, "_check_rendered", always)


def _tables(result) -> dict[str, list]:
    return {name: getattr(result, name).to_pylist() for name in TABLES}


def _parse(path: Path):
    return parse_report(path, make_meta(path), DEMO_KEY)


def _with_body(body: list[list[object]], title: object = None) -> list[Sheet]:
    sheet_list = fixture_sheets(Variant())
    ket_nap, to_chuc = sheet_list[1], sheet_list[2]
    ket_nap.rows = ket_nap.rows[:4] + body
    if title is not None:
        ket_nap.rows[1] = [title]
    to_chuc.rows = to_chuc.rows[:4] + [[i + 1, *row[:15]] for i, row in enumerate(body)]
    return sheet_list


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.lists(st.lists(cells, min_size=12, max_size=16), min_size=1, max_size=90),
    title=st.one_of(st.none(), st.just(2024), st.just("2024")),
)
def test_workbook_read_as_text_parses_like_typed_cells(body, title, monkeypatch):
    with tempfile.TemporaryDirectory() as folder:
        path = build_xlsx(Path(folder) / f"{NAME}.xlsx", sheet_list=_with_body(body, title))
        fast = _tables(_parse(path))
        with monkeypatch.context() as patch:
            _typed(patch)
            typed = _tables(_parse(path))
    assert fast == typed


def _many_rows(count: int) -> list[list[object]]:
    return [
        [
            index + 1,
            f"Người {index}",
            f"0100{index:08d}",
            date(1980, 1, 1 + index % 28) if index % 2 else f"{1 + index % 28:02d}/03/1985",
            "Nam" if index % 3 else "Nữ",
            "Kinh",
            "Khác",
            f"Công ty  số {index % 70}",
            f"53{index % 90:08d}",
            date(2024, 1 + index % 6, 1 + index % 28),
            f"{index}-QĐ/ĐU",
            f"Chi bộ {index % 80}",
        ]
        for index in range(count)
    ]


def test_large_clean_workbook_takes_the_text_path_and_matches_typed_cells(tmp_path, monkeypatch):
    path = build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=_with_body(_many_rows(300)))
    checked: list[str] = []
    original = sheets._check_rendered

    def recording(sheet, name, column):
        original(sheet, name, column)  # raises when the sheet must be read typed
        checked.append(f"{sheet.name}.{name}")

    monkeypatch.setattr(sheets, "_check_rendered", recording)
    fast = _tables(_parse(path))
    assert {"KetNap.cccd", "KetNap.birth_date", "KetNap.party_cell"} <= set(checked)
    _typed(monkeypatch)
    assert fast == _tables(_parse(path))


def test_cccd_numbers_in_a_large_sheet_are_read_with_their_type(tmp_path):
    body = _many_rows(200)
    for row in body:
        row[2] = int(row[2])  # typed as a number: the leading zero is lost
    path = build_xlsx(tmp_path / f"{NAME}.xlsx", sheet_list=_with_body(body))
    result = _parse(path)
    ket_nap = [f for f in result.findings.to_pylist() if f["sheet"] == "KetNap"]
    assert ket_nap == []
    assert result.ket_nap.column("member_key").null_count == 0


csv_cells = st.one_of(
    st.sampled_from(["", " ", "Nam", "Công nhân, người lao động", 'a "quoted" word', "x\ny"]),
    st.text(alphabet='0123456789/.,-" \n', max_size=12),
    st.text(max_size=8),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.lists(st.lists(csv_cells, min_size=12, max_size=12), min_size=60, max_size=120),
    ragged=st.booleans(),
)
def test_csv_body_read_by_arrow_parses_like_pythons_csv_module(body, ragged, monkeypatch):
    if ragged:
        body[-1] = body[-1][:3]
    sheet_list = _with_body(body)
    with tempfile.TemporaryDirectory() as folder:
        path = build_csv_zip(Path(folder) / f"{NAME}.zip", sheet_list=sheet_list)
        fast = _tables(_parse(path))
        with monkeypatch.context() as patch:
            patch.setattr(readers, "_CSV_HEAD_RECORDS", 10**9)
            slow = _tables(_parse(path))
    assert fast == slow


def test_csv_with_more_lines_than_the_cap_is_refused_without_reading_it_all(tmp_path):
    files = csv_files(sheet_list=_with_body(_many_rows(150)))
    folder = tmp_path / NAME
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    result = parse_report(folder, make_meta(folder), DEMO_KEY, readers.ParseLimits(max_rows=100))
    assert "DQ_TOO_MANY_ROWS" in result.findings.column("rule_code").to_pylist()
    assert result.ket_nap.num_rows == 0


@pytest.mark.parametrize("key", [b"", b"k", b"0123456789abcdef" * 4, b"long key " * 20])
def test_prepared_hmac_states_give_the_member_key(key):
    cccds = ["010090001234", "001234567890"]
    assert sheets._MemberKeys(key).many(cccds) == [sheets.member_key(c, key) for c in cccds]


def test_text_cells_rendered_from_numbers_and_dates_are_typed_again_in_the_head():
    sheet = readers.RawSheet(
        "KetNap",
        [pa.array(["12", "1.5", "2024-02-08 00:00:00", "true", "1.50", "abc", None])],
        rendered=True,
    )
    assert [row[0] for row in sheet.head(10)] == [
        12.0,
        1.5,
        datetime(2024, 2, 8),
        True,
        "1.50",
        "abc",
        None,
    ]


@given(
    st.lists(
        st.tuples(st.integers(0, 39), st.integers(0, 19), st.integers(1850, 2150), st.booleans()),
        min_size=1,
        max_size=50,
    )
)
def test_vectorised_dates_agree_with_the_date_parser(parts):
    from dagster_project.reports.columns import _dates_fast
    from dagster_project.reports.values import parse_date

    texts = [
        f"{d:02d}/{m:02d}/{y:04d}" if dmy else f"{y:04d}-{m:02d}-{d:02d} 00:00:00"
        for d, m, y, dmy in parts
    ]
    for text, fast in zip(texts, _dates_fast(pa.array(texts)).to_pylist(), strict=True):
        try:
            expected = parse_date(text)
        except ValueError:
            expected = None
        assert fast == expected, text
