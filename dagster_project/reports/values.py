"""Cell values as Vietnamese reports write them: numbers, dates, identity and tax codes.

Every parser raises ``ValueError`` on a value it cannot read; the sheet parsers turn that into a
finding that names the cell. Functions accept what python-calamine returns for a cell (str, float,
int, bool, date, datetime) and the plain strings of a CSV file.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

_EXCEL_EPOCH = date(1899, 12, 30)
_MIN_DATE = date(1900, 1, 1)
_MAX_DATE = date(2100, 12, 31)
_SPACE_FILLER = " \u00a0\u202f\u2009\t"
_SPACE_CHARS = str.maketrans("", "", _SPACE_FILLER)
_GROUPED_DOTS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_DMY = re.compile(
    r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DIGITS = re.compile(r"^\d+$")
_TAX_CODE = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")

COUNT_DIGITS = 15
"""The range of every count column: whole numbers from 0 to fifteen digits.

Fifteen significant digits are all an Excel number keeps exactly, so nothing longer is a count
anyone typed; and the bound sits far inside the 64-bit columns of the parsed tables, so the
warehouse's sums and differences of counts can never overflow."""
COUNT_MAX = 10**COUNT_DIGITS - 1


class OutOfRange(ValueError):
    """A number that reads well but lies outside the range of its column."""

    def __init__(self, number: object, maximum: int) -> None:
        super().__init__(f"{number} is outside 0..{maximum}")
        self.maximum = maximum


def is_blank(value: object) -> bool:
    """A cell with nothing in it: None, an empty string, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse_number(value: object) -> Decimal:
    """A number written the Vietnamese way: '.' groups thousands, ',' is the decimal mark.

    "1.250" is 1250, "75,6" is 75.6 and "75,6%" is 0.756 (what Excel stores for a percent cell).
    A dot followed by anything but groups of three digits is read as a decimal point ("1.5"), and
    when both marks appear the last one is the decimal mark ("1,250.5" from an English locale).
    """
    if isinstance(value, bool):
        raise ValueError("boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return Decimal(repr(value))
    if not isinstance(value, str):
        raise ValueError("not a number")
    text = value.translate(_SPACE_CHARS)
    if not text:
        raise ValueError("empty")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    sign = ""
    if text[:1] in "+-":
        sign, text = text[0].replace("+", ""), text[1:]
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        if text.count(",") != 1:
            raise ValueError("more than one decimal comma")
        text = text.replace(",", ".")
    elif _GROUPED_DOTS.match(text):
        text = text.replace(".", "")
    if not _PLAIN_NUMBER.match(text):
        raise ValueError("not a number")
    try:
        number = Decimal(sign + text)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise ValueError("not a number") from exc
    return number / 100 if percent else number


def parse_count(value: object) -> int:
    """A non-negative whole count; "1.250" → 1250, 12.0 → 12, "12,5" and -1 are refused, and so
    is a whole number past ``COUNT_MAX`` (``OutOfRange``)."""
    if (
        value.__class__ is str
        and len(value) <= COUNT_DIGITS  # type: ignore[arg-type]
        and value.isascii()  # type: ignore[attr-defined]
        and value.isdigit()  # type: ignore[attr-defined]
    ):
        return int(value)  # type: ignore[call-overload]  # plain digits within range: the usual count
    number = parse_number(value)
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    if number < 0:
        raise ValueError("negative")
    if number > COUNT_MAX:
        raise OutOfRange(value, COUNT_MAX)
    return int(number)


def excel_serial_to_date(serial: float) -> date:
    """Date of an Excel serial day number (1900 system, as every modern workbook uses)."""
    if serial != int(serial):
        serial = int(serial)  # a time of day on the date: keep the date
    result = _EXCEL_EPOCH + timedelta(days=int(serial))
    if not _MIN_DATE <= result <= _MAX_DATE:
        raise ValueError("serial out of range")
    return result


def _day_month_year(text: str) -> tuple[int, int, int] | None:
    """Day, month and year of a day-first date, or None."""
    if len(text) == 10 and text[2] == "/" == text[5] and text.isascii():
        # dd/mm/yyyy, the usual spelling, without the pattern (which it matches).
        digits = (text[:2], text[3:5], text[6:])
        if all(part.isdigit() for part in digits):
            return int(digits[0]), int(digits[1]), int(digits[2])
    match = _DMY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return day, month, year
    return None


def parse_date(value: object) -> date:
    """A date cell: an Excel date, an Excel serial number, or text dd/mm/yyyy (also ISO yyyy-mm-dd).

    Two-digit years and month-first text are refused: "03/04/24" cannot be read safely.
    """
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, bool):
        raise ValueError("boolean is not a date")
    elif isinstance(value, int | float):
        return excel_serial_to_date(float(value))
    elif isinstance(value, str):
        text = value.strip()
        parts = _day_month_year(text)
        if parts:
            day, month, year = parts
        else:
            match = _ISO.match(text)
            if match:
                year, month, day = (int(part) for part in match.groups())
            elif _DIGITS.match(text) and 1 <= len(text) <= 6:
                return excel_serial_to_date(float(text))
            else:
                raise ValueError("not a date")
        result = date(year, month, day)
    else:
        raise ValueError("not a date")
    if not _MIN_DATE <= result <= _MAX_DATE:
        raise ValueError("date out of range")
    return result


def normalise_cccd(value: object) -> str:
    """The 12-digit citizen identity number as text.

    A number cell loses leading zeros (every CCCD starts with a 0xx province code), so a numeric
    cell of 10 or 11 digits is padded back to 12; text must already hold exactly 12 digits.
    """
    if isinstance(value, bool):
        raise ValueError("not a CCCD")
    if isinstance(value, float):
        if value != int(value):
            raise ValueError("not a CCCD")
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        if 10 <= len(text) <= 12:
            return text.zfill(12)
        raise ValueError("not 12 digits")
    if not isinstance(value, str):
        raise ValueError("not a CCCD")
    text = value.translate(_SPACE_CHARS).replace(".", "")
    if len(text) == 12 and _DIGITS.match(text):
        return text
    raise ValueError("not 12 digits")


def normalise_tax_code(value: object) -> str:
    """MST as ``0101234567`` or ``0101234567-001`` (a branch).

    Spaces are dropped, a 13-digit code gets its dash back, and a numeric cell that lost its
    leading zero is padded to 10 digits.
    """
    if isinstance(value, bool):
        raise ValueError("not a tax code")
    if isinstance(value, float):
        if value != int(value):
            raise ValueError("not a tax code")
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        if len(text) in (8, 9, 10):
            return text.zfill(10)
        if len(text) in (12, 13):
            text = text.zfill(13)
            return f"{text[:10]}-{text[10:]}"
        raise ValueError("not a tax code")
    if not isinstance(value, str):
        raise ValueError("not a tax code")
    text = value.translate(_SPACE_CHARS)
    match = _TAX_CODE.match(text)
    if not match:
        raise ValueError("not a tax code")
    main, branch = match.groups()
    return f"{main}-{branch}" if branch else main


# Personal data in a place it should not be. A CCCD written anywhere but its own column, or
# people's names under a header that says something else (swapped headers), must neither reach
# Parquet nor be echoed in a finding: these tests tell such values by their shape.

_CCCD_TEXT = re.compile(r"^\d{11,12}$")
_CCCD_FILLER = _SPACE_FILLER + "."  # what a CCCD's text may hold besides digits
_CCCD_RUN = re.compile(r"(?<!\d)\d{11,12}(?!\d)")
# Common Vietnamese family names, folded (no diacritics, lower case): well over 90% of people.
_SURNAME_LIST = """
    au bach be bui cao chau chu chung cu dam dang dao diep dieu dinh doan do duong giang giap
    ha han hau ho hoa hoang hua huynh khong khuc kieu kim la lac lai lam lang le lieu lo
    luc luong lu luu ly ma mac mai mong ninh nong ngo nghiem nguyen ong phan pham phung quach
    quan sung ta tang thach thai than thieu tieu to tong tran trieu trinh truong u ung van vi
    vu vo vuong yen
"""
_SURNAMES = frozenset(_SURNAME_LIST.split())
# Words of organisations, lower case with their diacritics (folding would confuse "Trường",
# a school, with "Trương", a family name): a text holding one names a unit, not a person.
_ORGANISATION_WORDS = re.compile(
    r"(?<!\w)(?:công ty|tnhh|mtv|cổ phần|chi nhánh|doanh nghiệp|hợp tác xã|kinh doanh|"
    r"[ủu]ỷ? ?ban|ubnd|bệnh viện|trường|phòng|sở|cục|viện|trung tâm|tập đoàn|ngân hàng|"
    r"xí nghiệp|nhà máy|điện lực|đảng|chi bộ|hội|xã|phường|huyện|quận|tỉnh|thành phố|"
    r"thị trấn|văn phòng|cửa hàng|jsc|ltd|co\.?|company|group)(?!\w)"
)
_NAME_WORD = re.compile(r"^[^\W\d_]+$")
# ASCII digits and punctuation: cleaning keeps them, and a word holding one is no name's word.
_NOT_IN_NAMES = re.compile(r"[!-@\[-`{-~]")


def looks_like_cccd(value: object) -> bool:
    """A 12-digit citizen id, or one that lost its leading zero (11 digits) as a number cell or
    as the text a number cell is read as."""
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or value != int(value):
            return False
        value = int(value)
    if isinstance(value, int):
        return 10**10 <= value < 10**12
    if isinstance(value, str):
        # Cheap refusals first (most cells are words or dates): spaces and dots aside, a CCCD
        # holds at least 11 characters and begins with a digit.
        if len(value) < 11 or not value.lstrip(_CCCD_FILLER)[:1].isdigit():
            return False
        return _CCCD_TEXT.match(value.translate(_SPACE_CHARS).replace(".", "")) is not None
    return False


def looks_like_person_name(value: object) -> bool:
    """A personal name: 2-5 capitalised words of letters, a common family name first, and no
    word of an organisation ("Nguyễn Thị Hoa" yes; "Công ty TNHH Hoa Mai", "Trường THPT số 1",
    "Hộ kinh doanh Trịnh Ngọc Ly" no)."""
    from dagster_project.reports.text import clean_text, fold

    if not isinstance(value, str) or _NOT_IN_NAMES.search(value):
        return False
    words = clean_text(value).split(" ")
    # The family name first: it refuses most texts for the price of a set lookup.
    if not 2 <= len(words) <= 5 or fold(words[0]) not in _SURNAMES:
        return False
    if not all(_NAME_WORD.match(word) for word in words):
        return False
    upper = all(word.isupper() for word in words)
    if not upper and not all(word[0].isupper() and word[1:] == word[1:].lower() for word in words):
        return False
    return _ORGANISATION_WORDS.search(" ".join(words).casefold()) is None


def mask(text: str) -> str:
    """Personal data shown without giving it away: the length and the last two characters."""
    if len(text) <= 2:
        return "*" * len(text)
    return "*" * (len(text) - 2) + text[-2:]


def mask_cccd_runs(text: str) -> str:
    """Every run of 11-12 digits (a CCCD, with or without its leading zero) masked."""
    return _CCCD_RUN.sub(lambda match: mask(match[0]), text)
