"""One normaliser for every piece of text that enters the app (keyboard, import, server).

Free text is cleaned (bidi controls stripped); identifiers and amounts are stricter
(`clean_code`): a bidi control there is rejected, because it can make a printed 0009 read 9000.
Use `[0-9]` after normalising: Python's `\\d` and `str.isdigit()` accept Persian digits too.
"""

from __future__ import annotations

import re
import unicodedata

from desk_app.domain.errors import InvalidInput

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0..U+06F9
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # U+0660..U+0669
ASCII_DIGITS = "0123456789"

BIDI_CONTROLS: frozenset[str] = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]  # LRE RLE PDF LRO RLO
    + [chr(c) for c in range(0x2066, 0x206A)]  # LRI RLI FSI PDI
    + ["\u200e", "\u200f", "\u061c"]  # LRM RLM ALM
)

ZWNJ = "\u200c"
ZWJ = "\u200d"
TATWEEL = "\u0640"
BOM = "\ufeff"
# Invisible characters that carry nothing in our text: tatweel, ZWJ, BOM (as the design says),
# plus zero-width space and soft hyphen, which paste in from web pages and Word.
_REMOVED = frozenset([TATWEEL, ZWJ, BOM, "\u200b", "\u00ad"])

_TO_ASCII_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, ASCII_DIGITS * 2)
_TO_PERSIAN_DIGITS = str.maketrans(ASCII_DIGITS + ARABIC_DIGITS, PERSIAN_DIGITS * 2)
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
# Free text keeps its digits as digits of the Persian block (Arabic-Indic ٤٥٦ look different).
_ARABIC_TO_PERSIAN_DIGITS = str.maketrans(ARABIC_DIGITS, PERSIAN_DIGITS)
_DROP_FREE = str.maketrans({c: None for c in BIDI_CONTROLS | _REMOVED})

_SPACES_RE = re.compile(r"\s+")
_ZWNJ_RUN_RE = re.compile(ZWNJ + "+")
_ZWNJ_NEAR_SPACE_RE = re.compile(r" ?" + ZWNJ + r" ?")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
_CODE_SEPARATORS_RE = re.compile(r"[\s" + re.escape(_DASHES) + r"]+")


def normalize_digits(s: str) -> str:
    """Persian and Arabic-Indic digits -> ASCII; nothing else changes."""
    return s.translate(_TO_ASCII_DIGITS)


def to_persian_digits(s: str) -> str:
    """ASCII and Arabic-Indic digits -> Persian digits (for display)."""
    return str(s).translate(_TO_PERSIAN_DIGITS)


def has_bidi_controls(s: str) -> bool:
    return any(ch in BIDI_CONTROLS for ch in s)


def _normalize_once(s: str) -> str:
    s = s.translate(_DROP_FREE)
    s = unicodedata.normalize("NFKC", s)  # presentation forms (ﻙ ﯽ ﻻ) -> letters
    s = s.translate(_DROP_FREE)  # NFKC can never add these, but cheap and certain
    s = s.translate(_LETTERS).translate(_ARABIC_TO_PERSIAN_DIGITS)
    s = _SPACES_RE.sub(" ", s)
    s = _ZWNJ_RUN_RE.sub(ZWNJ, s)
    s = _ZWNJ_NEAR_SPACE_RE.sub(lambda m: " " if " " in m.group(0) else ZWNJ, s)
    return s.strip(" " + ZWNJ)


def normalize_text(s: str) -> str:
    """Free text: ي/ى->ی, ك->ک, tatweel/ZWJ/BOM removed, ZWNJ collapsed, NFKC, bidi controls
    stripped, whitespace collapsed and stripped. Idempotent: repeated until nothing changes."""
    if s is None:
        return ""
    s = str(s)
    for _ in range(4):
        t = _normalize_once(s)
        if t == s:
            break
        s = t
    return s


def clean_code(s: str, field: str) -> str:
    """Text of an identifier or an amount: digits to ASCII, spaces and dashes removed.

    A bidi control anywhere is an error, not something to strip silently. The caller still
    checks the result against `[0-9]`-only patterns.
    """
    if not isinstance(s, str):
        raise InvalidInput("مقدار واردشده متن نیست.", field)
    if has_bidi_controls(s):
        raise InvalidInput("نویسه‌های کنترل جهت متن (نامرئی) در این فیلد مجاز نیست.", field)
    s = "".join(ch for ch in s if ch not in _REMOVED and ch != ZWNJ)
    s = normalize_digits(s)
    return _CODE_SEPARATORS_RE.sub("", s)


# --- folded search key -----------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        "ۀ": "ه",
        "ة": "ه",
        "ە": "ه",  # U+06D5, what NFKD leaves of ۀ
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        ZWNJ: None,
        " ": None,
    }
)


def search_key(s: str) -> str:
    """Folded key stored beside names and titles: no diacritics, no ZWNJ, no spaces,
    ۀ/ة->ه, أ/إ/آ->ا, ASCII digits, lower case. Search compares keys, never raw text."""
    s = normalize_text(s)
    s = s.translate(_FOLD)  # before NFKD, so آ/أ/إ fold to ا rather than losing a mark only
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = unicodedata.normalize("NFC", s)
    s = s.translate(_FOLD)  # NFKD turned ئ into ي + hamza, ۀ into ە + hamza
    return normalize_digits(s).lower()
