"""Text normalisation shared by every matcher in the parser.

Reports arrive in NFC or NFD, in any case, with stray spaces, line breaks inside wrapped header
cells and numbering in front of labels. Every comparison goes through one of the keys below so
that two spellings a district officer would call "the same" compare equal, while the value written
to Parquet stays the NFC text as found.
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


def nfc(value: str) -> str:
    """NFC form, so that NFD text from some editors is stored and compared as one spelling."""
    return unicodedata.normalize("NFC", value)


@lru_cache(maxsize=65536)
def clean_text(value: str) -> str:
    """NFC, trimmed, runs of whitespace (NBSP and line breaks too) collapsed to one space."""
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
