"""Text normalisation shared by every matcher in the parser.

Reports arrive in NFC or NFD, in any case, with stray spaces, line breaks inside wrapped header
cells and numbering in front of labels. Every comparison goes through one of the keys below so
that two spellings a district officer would call "the same" compare equal, while the value written
to Parquet stays the NFC text as found.

Two kinds of text never reach Parquet as found:

- Invisible characters: C0/C1 control characters (ESC, BEL, NUL, ...), bidirectional controls
  (LRM, RLM, LRE, RLE, PDF, LRO, RLO, the isolates LRI, RLI, FSI, PDI) and zero-width or other
  format characters (ZWSP, ZWNJ, ZWJ, WJ, BOM, soft hyphen), i.e. Unicode categories Cc and Cf
  that are not whitespace. ``clean_text`` removes them from every cell, header and title, so no
  key or stored value holds one. Vietnamese needs none of them; where they appear they were pasted
  from a web page or planted to make text display as something it is not (an RLO reverses what
  follows). The column parsers decide per column what their presence means: in free-text columns
  (unit and enterprise names, labels, decision numbers, party cells) the cleaned text is exactly
  what the officer sees, so it is kept with a warning (``DQ_TEXT_INVISIBLE``); in identity and
  code columns (CCCD, tax code, dates, counts) a hidden character means the value is not the one
  shown, so the cell is refused by that column's format rule, and coded columns store the code of
  the cleaned text, never the text.
- Formula text: a text cell that begins with ``=``, ``+`` or ``@``, or with ``-`` followed by
  an expression (not a plain negative number, not a list bullet such as "- Công ty"), is what a
  spreadsheet evaluates when a BI tool exports the
  published tables to Excel or CSV (``=HYPERLINK(...)``, ``-2+3+cmd|' /C calc'!A0``). Such text
  is neutralised rather than refused (``defuse_formula``): a leading apostrophe makes every
  spreadsheet read it as text, the officer's wording is kept, and a warning
  (``DQ_TEXT_FORMULA``) says so. A negative number typed in a count or date column is not text:
  those columns parse numbers and never go through this path.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")
_NUMBERING = re.compile(
    r"^\s*(?:(?:\d+(?:\.\d+)*|[ivx]+|[a-z])\s*[.):]|\d+(?:\.\d+)+(?=\s)|\d+(?=\s)|[-+*•–])\s*"
)
_OF_THEM = re.compile(r"^(?:trong do|trong so do|trong do co)\b\s*:?\s*")


# Unicode categories Cc and Cf (14.0) without the whitespace controls (TAB, LF, VT, FF, CR, the
# separators 1C-1F, NEL): ``test_text_hygiene`` checks this table against ``unicodedata``.
_INVISIBLE_RANGES = (
    (0x00, 0x08), (0x0E, 0x1B), (0x7F, 0x84), (0x86, 0x9F), (0xAD, 0xAD),
    (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891),
    (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064),
    (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip


def _char_class(escape) -> str:
    return "".join(
        escape(low) if low == high else f"{escape(low)}-{escape(high)}"
        for low, high in _INVISIBLE_RANGES
    )


# The same class for Python's ``re`` and for RE2 (pyarrow.compute's regular expressions).
INVISIBLE_CLASS = _char_class(lambda cp: f"\\U{cp:08x}")
INVISIBLE_CLASS_RE2 = _char_class(lambda cp: f"\\x{{{cp:x}}}")
_INVISIBLE = re.compile(f"[{INVISIBLE_CLASS}]")
# Text a spreadsheet evaluates: "=", "+" or "@" first, whatever follows; "-" first when an
# expression follows (a number with more after it, a bracket, a reference, a function call,
# another operator) rather than a plain negative number or a list bullet ("- Công ty").
FORMULA_START = "=+@-"
_NEGATIVE_NUMBER = re.compile(r"^-\s*\d+(?:[.,\s]\d+)*\s*%?$")
_EXPRESSION = re.compile(
    r"^-\s*(?:[-=+@(\d$\"'.]|[A-Za-z_][\w.]*\s*[(!]|\$?[A-Za-z]{1,3}\$?\d)", re.ASCII
)


def has_invisible(value: str) -> bool:
    """True when the text holds a control, bidirectional or zero-width character."""
    return _INVISIBLE.search(value) is not None


def visible(value: str) -> str:
    """The text with each invisible character shown as ``<U+202E>``, for a message."""
    return _INVISIBLE.sub(lambda match: f"<U+{ord(match[0]):04X}>", value)


def is_formula(text: str) -> bool:
    """True when a spreadsheet would evaluate this (already cleaned) text as a formula."""
    if not text or text[0] not in FORMULA_START:
        return False
    if text[0] != "-":
        return True
    return _EXPRESSION.match(text) is not None and _NEGATIVE_NUMBER.match(text) is None


def defuse_formula(text: str) -> str:
    """Text a spreadsheet reads as text: a leading apostrophe before formula text."""
    return f"'{text}" if is_formula(text) else text


def nfc(value: str) -> str:
    """NFC form, so that NFD text from some editors is stored and compared as one spelling."""
    return unicodedata.normalize("NFC", value)


@lru_cache(maxsize=65536)
def clean_text(value: str) -> str:
    """NFC, trimmed, runs of whitespace (NBSP and line breaks too) collapsed to one space,
    invisible characters (control, bidirectional, zero-width) removed."""
    if _INVISIBLE.search(value):
        value = _INVISIBLE.sub("", value)
    text = " ".join(value.split())  # every Unicode space, NBSP included
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def fold(value: str) -> str:
    """Lowercase ASCII-ish form: diacritics dropped, đ → d, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFD", value)
    stripped = _COMBINING.sub("", decomposed).replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped.casefold()).strip()


@lru_cache(maxsize=65536)
def word_key(value: str) -> str:
    """Folded words separated by single spaces, punctuation ignored ("Có/Không" → "co khong")."""
    return _NON_ALNUM.sub(" ", fold(value)).strip()


@lru_cache(maxsize=65536)
def compact_key(value: str) -> str:
    """Folded letters and digits only ("H'Mông" and "Hmông" → "hmong")."""
    return _NON_ALNUM.sub("", fold(value))


@lru_cache(maxsize=65536)
def header_key(value: str) -> str:
    """Key of a column header: a trailing "(...)" note such as "(Có/Không)" or "(1)" is ignored."""
    text = fold(value)
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING_PAREN.sub("", text)
    return _NON_ALNUM.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def label_key(value: str) -> str:
    """Key of a summary label: numbering ("1.", "1.2", "a)", "II.") and "Trong đó:" are ignored.

    Children in the catalogue are written with their parent's "Trong đó:" prefix and reports write
    them with or without it, so the prefix never takes part in the comparison.
    """
    text = fold(value)
    for _ in range(3):
        stripped = _NUMBERING.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    text = _TRAILING_PAREN.sub("", text)
    text = _OF_THEM.sub("", text)
    return _NON_ALNUM.sub(" ", text).strip()
