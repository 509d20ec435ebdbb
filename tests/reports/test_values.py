"""Property tests for the value parsers: numbers, dates, labels."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dagster_project.reports.reference import indicator_catalogue
from dagster_project.reports.text import label_key
from dagster_project.reports.values import (
    normalise_tax_code,
    parse_count,
    parse_date,
    parse_number,
)

CATALOGUE = indicator_catalogue()


def vn_grouped(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@given(st.integers(min_value=0, max_value=10**12))
def test_vietnamese_grouped_integers_parse_back(value):
    assert parse_count(vn_grouped(value)) == value


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_decimal_comma_parses_back(whole, cents):
    text = f"{vn_grouped(whole)},{cents:02d}"
    assert parse_number(text) == Decimal(whole) + Decimal(cents) / 100


@given(st.integers(min_value=0, max_value=1000), st.integers(min_value=0, max_value=9))
def test_percent_text_is_a_fraction(whole, tenth):
    assert parse_number(f"{whole},{tenth}%") == (Decimal(whole) + Decimal(tenth) / 10) / 100


@given(st.integers(min_value=0, max_value=10**9))
def test_excel_number_cells_are_counts(value):
    assert parse_count(float(value)) == value


@given(st.integers(min_value=1, max_value=10**6))
def test_negative_counts_are_refused(value):
    with pytest.raises(ValueError):
        parse_count(-value)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=9))
def test_fractional_counts_are_refused(whole, tenth):
    with pytest.raises(ValueError):
        parse_count(f"{whole},{tenth}")


@given(st.text(alphabet="abcxyz!?@", min_size=1, max_size=8))
def test_words_are_not_numbers(text):
    with pytest.raises(ValueError):
        parse_number(text)


DATES = st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31))


@given(DATES)
def test_dd_mm_yyyy_text_dates_parse_back(value):
    assert parse_date(value.strftime("%d/%m/%Y")) == value


@given(DATES)
def test_excel_serial_dates_parse_back(value):
    assert parse_date(float((value - date(1899, 12, 30)).days)) == value


@given(DATES)
def test_unpadded_day_and_month_parse(value):
    assert parse_date(f"{value.day}/{value.month}/{value.year}") == value


@given(DATES)
def test_iso_text_dates_parse(value):
    assert parse_date(value.isoformat()) == value


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)))
def test_two_digit_years_are_refused(value):
    with pytest.raises(ValueError):
        parse_date(value.strftime("%d/%m/%y"))


def test_impossible_day_is_refused():
    with pytest.raises(ValueError):
        parse_date("30/02/2024")


LABELS = [(indicator.code, indicator.label) for indicator in CATALOGUE.indicators.values()]
NUMBERING = st.sampled_from(["", "1. ", "1.2 ", "1.2. ", "a) ", "b. ", "II. ", "- ", "+ "])


@given(
    st.sampled_from(LABELS),
    NUMBERING,
    st.sampled_from(["NFC", "NFD"]),
    st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
    st.sampled_from([" ", "  ", "\n", " \n "]),
)
def test_label_spelling_variants_match_their_indicator(entry, prefix, form, case, space):
    code, label = entry
    written = unicodedata.normalize(form, case(prefix + label.replace(" ", space, 2)))
    assert CATALOGUE.match(written) == code


@given(
    st.sampled_from(
        [
            (i.code, i.label)
            for i in CATALOGUE.indicators.values()
            if i.label.startswith("Trong đó: ")
        ]
    )
)
def test_child_labels_match_without_their_of_them_prefix(entry):
    code, label = entry
    assert CATALOGUE.match(label.removeprefix("Trong đó: ")) == code


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)


@given(st.text(alphabet=VIETNAMESE + "0123456789 .,:;()-\n", min_size=1, max_size=40))
def test_label_key_ignores_normal_form_and_case(text):
    assert label_key(unicodedata.normalize("NFD", text.upper())) == label_key(
        unicodedata.normalize("NFC", text.lower())
    )


@given(st.from_regex(r"\d{10}", fullmatch=True), st.from_regex(r"\d{3}", fullmatch=True))
def test_tax_codes_normalise_to_one_spelling(main, branch):
    assert normalise_tax_code(f"{main} - {branch}") == f"{main}-{branch}"
    assert normalise_tax_code(f"{main}{branch}") == f"{main}-{branch}"
    assert normalise_tax_code(f" {main} ") == main


def test_tax_code_of_nine_digits_is_refused():
    with pytest.raises(ValueError):
        normalise_tax_code("530012345")


def test_day_after_period_end_is_one_day_later():
    assert parse_date("01/07/2024") - parse_date("30/06/2024") == timedelta(days=1)
