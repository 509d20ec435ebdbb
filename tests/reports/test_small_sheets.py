"""A small sheet read as Python lists parses exactly as the same sheet read as Arrow arrays, and
the value readers' shortcuts decide as the rules they stand in front of.

Sheets of at most ``PYTHON_VALUES`` rows are kept as Python lists by the readers, because Arrow's
per-call cost outweighs its speed on a few dozen cells; larger sheets stay Arrow arrays. Whatever
the cells hold, both forms must give the same rows, values and findings.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pyarrow as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dagster_project.reports import headers, readers, reference, sheets, values
from dagster_project.reports.columns import PYTHON_VALUES
from dagster_project.reports.readers import ParseLimits, RawSheet
from dagster_project.reports.text import clean_text, fold
from tests.reports.builders import KET_NAP_HEADERS, TO_CHUC_HEADERS, TONG_HOP, Variant
from tests.reports.builders import sheets as fixture_sheets

PERIOD = sheets.Period("2024-H1", date(2024, 1, 1), date(2024, 6, 30))
TODAY = date(2024, 7, 5)
KEY = b"small-sheet-key"

# Text as CSV files and fastexcel give it (and None for an empty workbook cell): each kind of
# value a report cell holds, well formed or not, personal data in the wrong place included.
cells = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "\u00a0",
            "Nam",
            "nữ",
            "Kinh",
            "H'Mông",
            "Khác",
            "Công nhân, người lao động",
            "Có",
            "x",
            "Không",
            "Nguyễn Văn An",
            "TRẦN THỊ BÌNH",
            "Công ty TNHH Hoa Mai",
            '=HYPERLINK("x")',
            "Chi bộ\u200b 1",
            "Tổng cộng",
            "Tổng cộng: 3 người",
            "1.250",
            "12,5",
            "-3",
            "0100100008",
            "0100100054-001",
            "001188104729",
            "01188104729",
            "15/04/2024",
            "31/02/2024",
            "2024-02-08",
            "01/01/1900",
            "25/12/2030",
            "45000",
        ]
    ),
    st.text(alphabet="0123456789 .", min_size=1, max_size=14),
    st.dates(min_value=date(1950, 1, 1), max_value=date(2031, 1, 1)).map(
        lambda d: d.strftime("%d/%m/%Y")
    ),
    st.text(max_size=6),
)


def _rows(header: list[str], body: list[list[object]]) -> list[list[object]]:
    width = len(header)
    title = ["ĐẢNG BỘ THỊ XÃ SA PA", *[None] * (width - 1)]
    return [title, [None] * width, header, *[(row * width)[:width] for row in body]]


def _both(rows: list[list[object]]) -> tuple[RawSheet, RawSheet]:
    """The sheet as Python lists and as Arrow arrays, cell for cell."""
    as_lists = RawSheet.from_rows("Sheet", rows)
    as_arrow = RawSheet("Sheet", [pa.array(column, pa.string()) for column in as_lists.columns])
    return as_lists, as_arrow


def _outcome(result: sheets.SheetResult) -> tuple:
    columns = {
        name: values.to_pylist() if isinstance(values, pa.Array) else list(values)
        for name, values in result.columns.items()
    }
    return columns, result.findings, result.title_texts, result.refused


# Rows of blank-looking cells (spaces, NBSP, empty), with or without a number in STT, too.
blank_rows = st.lists(st.sampled_from([None, "", " ", "\u00a0", " \t"]), min_size=1, max_size=4)
rows = st.one_of(
    st.lists(cells, min_size=1, max_size=16),
    blank_rows,
    blank_rows.map(lambda row: ["7", *row]),
)
bodies = st.lists(rows, min_size=0, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_ket_nap_parses_alike_from_lists_and_arrow(body):
    as_lists, as_arrow = _both(_rows(KET_NAP_HEADERS, body))
    parse = sheets.parse_ket_nap
    assert _outcome(parse(as_lists, PERIOD, KEY, 1000, TODAY)) == _outcome(
        parse(as_arrow, PERIOD, KEY, 1000, TODAY)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_to_chuc_parses_alike_from_lists_and_arrow(body):
    as_lists, as_arrow = _both(_rows(TO_CHUC_HEADERS, body))
    parse = sheets.parse_to_chuc
    assert _outcome(parse(as_lists, PERIOD, 1000, TODAY)) == _outcome(
        parse(as_arrow, PERIOD, 1000, TODAY)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(cells, min_size=0, max_size=12))
def test_tong_hop_parses_alike_from_lists_and_arrow(values):
    body = [
        [str(i + 1), label, value]
        for i, ((_, label, _, _), value) in enumerate(zip(TONG_HOP, values, strict=False))
    ]
    as_lists, as_arrow = _both(_rows(["STT", "Chỉ tiêu", "Số lượng"], body))
    assert _outcome(sheets.parse_tong_hop(as_lists, 1000)) == _outcome(
        sheets.parse_tong_hop(as_arrow, 1000)
    )


def _csv_zip(records: int) -> bytes:
    lines = ["STT,Chỉ tiêu,Số lượng", *(f"{i},Số lớp {i},{i}" for i in range(records - 1))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("TongHop.csv", "\r\n".join(lines) + "\r\n")
    return buffer.getvalue()


def test_a_csv_sheet_of_a_few_dozen_records_is_read_as_lists_and_a_larger_one_as_arrow(tmp_path):
    for records, kind in ((PYTHON_VALUES, list), (PYTHON_VALUES + 1, pa.Array)):
        path = tmp_path / f"088_2024-H1_{records}.zip"
        path.write_bytes(_csv_zip(records))
        sheet = readers.read_report_file(path, ParseLimits()).sheets["tong_hop"]
        assert sheet.height == records
        assert all(isinstance(column, kind) for column in sheet.columns)


# The value readers' shortcuts (plain-digit counts, dd/mm/yyyy dates, cheap refusals of CCCDs and
# names) decide every value exactly as the general rules they stand in front of.


def _count_by_number(value: object) -> object:
    number = values.parse_number(value)
    if number != number.to_integral_value() or number < 0:
        return "refused"
    if number > values.COUNT_MAX:
        return "out of range"
    return int(number)


def _outcome_of(function, value: object) -> object:
    try:
        return function(value)
    except values.OutOfRange:
        return "out of range"
    except ValueError:
        return "refused"


def _name_by_the_rule(value: object) -> bool:
    if not isinstance(value, str):
        return False
    words = clean_text(value).split(" ")
    if not 2 <= len(words) <= 5 or not all(values._NAME_WORD.match(word) for word in words):
        return False
    upper = all(word.isupper() for word in words)
    if not upper and not all(w[0].isupper() and w[1:] == w[1:].lower() for w in words):
        return False
    if fold(words[0]) not in values._SURNAMES:
        return False
    return values._ORGANISATION_WORDS.search(" ".join(words).casefold()) is None


digit_texts = st.text(alphabet="0123456789", max_size=18)
shaped = st.text(alphabet="0123456789/.- \u00a0٣a", max_size=14)
names = st.one_of(
    st.sampled_from(["Nguyễn Văn An", "TRẦN THỊ BÌNH", "Lê 3 Hoa", "Phạm-Thị Hoa", "Võ Thị Hoa."]),
    st.lists(
        st.sampled_from(["Nguyễn", "Thị", "hoa", "Công ty", "9", "Đỗ", "Ly'", "≠"]), max_size=6
    ).map(" ".join),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(digit_texts, shaped))
def test_count_shortcut_reads_as_parse_number(value):
    assert _outcome_of(values.parse_count, value) == _outcome_of(_count_by_number, value)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(shaped, st.dates().map(lambda d: d.strftime("%d/%m/%Y"))))
def test_day_first_shortcut_reads_as_the_pattern(value):
    match = values._DMY.match(value)
    expected = tuple(int(part) for part in match.groups()) if match else None
    assert values._day_month_year(value) == expected


@settings(max_examples=300, deadline=None)
@given(value=shaped)
def test_cccd_refusals_agree_with_the_pattern(value):
    text = value.translate(values._SPACE_CHARS).replace(".", "")
    assert values.looks_like_cccd(value) == (values._CCCD_TEXT.match(text) is not None)


@settings(max_examples=300, deadline=None)
@given(value=names)
def test_name_refusals_agree_with_the_rule(value):
    assert values.looks_like_person_name(value) == _name_by_the_rule(value)


def _header_by_every_row(rows, spec):
    """The header search reading every candidate row and row pair (no shortcut)."""
    best_row, best_score = -1, 1
    for index in range(min(headers._SCAN_ROWS, len(rows))):
        if best_row >= 0 and index - best_row > headers._ROWS_AFTER_HEADER:
            break
        score = headers._matched(headers._single(rows[index], spec))
        if score > best_score:
            best_row, best_score = index, score
    if best_row < 0:
        return None
    options = [(best_row, best_row, headers._single(rows[best_row], spec))]
    if best_row > 0:
        options.append(
            (best_row - 1, best_row, headers._pair(rows[best_row - 1], rows[best_row], spec))
        )
    if best_row + 1 < len(rows):
        options.append(
            (best_row, best_row + 1, headers._pair(rows[best_row], rows[best_row + 1], spec))
        )
    top, bottom, cells = max(options, key=lambda option: headers._matched(option[2]))
    return top, bottom, cells


header_words = st.sampled_from(
    [*KET_NAP_HEADERS, *TO_CHUC_HEADERS, "Tổ chức đảng", "Ngày thành lập", "Số đảng viên", "(1)"]
)
header_rows = st.lists(
    st.lists(st.one_of(st.none(), st.just(""), header_words, cells), min_size=1, max_size=8),
    min_size=1,
    max_size=9,
)


# The fixture's two-row ToChuc header (merged group titles above their columns), as read.
MERGED_TO_CHUC = fixture_sheets(Variant(merged_headers=True))[2].rows[:8]


@settings(max_examples=300, deadline=None)
@given(rows=header_rows, kind=st.sampled_from(["ket_nap", "to_chuc"]))
@example(rows=MERGED_TO_CHUC, kind="to_chuc")
@example(rows=MERGED_TO_CHUC[2:], kind="to_chuc")
def test_header_search_finds_what_reading_every_row_finds(rows, kind):
    spec = reference.sheet_headers()[kind]
    width = max(map(len, rows))
    rows = [row + [None] * (width - len(row)) for row in rows]
    expected = _header_by_every_row(rows, spec)
    layout = headers.locate_header(rows, spec)
    if expected is None:
        assert layout is None
    else:
        top, bottom, cells = expected
        assert (layout.title_row_count, layout.header_end) == (top, bottom + 1)
        assert layout.names == {index: text for index, (_, text) in sorted(cells.items())}


# The date rules have a Python form for small sheets and an Arrow form for large ones: both must
# flag the same rows, the boundaries included (an 18th birthday on the admission day, the first
# and last days of the period, the day itself).
around_boundaries = st.one_of(
    st.none(),
    st.dates(date(1900, 1, 1), date(2030, 12, 31)),
    st.sampled_from(
        [PERIOD.start, PERIOD.end, TODAY, date(2006, 1, 1), date(2006, 6, 30), date(2024, 2, 29)]
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=st.lists(st.tuples(around_boundaries, around_boundaries), min_size=1, max_size=20))
def test_the_date_rules_flag_the_same_rows_in_python_and_in_arrow(pairs, monkeypatch) -> None:
    births = pa.array([born for born, _ in pairs], pa.date32())
    admissions = pa.array([admitted for _, admitted in pairs], pa.date32())

    def both(function, *args):
        small = function(*args)
        with monkeypatch.context() as patch:
            patch.setattr(sheets.conv, "PYTHON_VALUES", -1)  # every column is "large"
            large = function(*args)
        return small, large

    small, large = both(sheets._later_than, admissions, TODAY)
    assert small == large
    for period in (PERIOD, None):
        small, large = both(sheets._age_checks, births, admissions, period, 18, 100)
        assert small[0].equals(large[0]) and small[1].equals(large[1])
        for flags_small, flags_large in zip(small[2:], large[2:], strict=True):
            assert flags_small.tolist() == flags_large.tolist()
