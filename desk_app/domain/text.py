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
# Every other invisible format character (Unicode category Cf: word joiner U+2060, the deprecated
# U+206A-206F, interlinear annotation U+FFF9-FFFB, Arabic number signs, tags...) carries nothing
# in a name either, and left in, it makes two equal names search differently. ZWNJ (Cf too) is
# the one Persian needs. The table below is the fast path; `_drop_format` catches any Cf it lacks.
FORMAT_CONTROLS: frozenset[str] = frozenset(
    ch
    for start, end in (
        (0x00AD, 0x00AD),
        (0x0600, 0x0605),
        (0x061C, 0x061C),
        (0x06DD, 0x06DD),
        (0x070F, 0x070F),
        (0x0890, 0x0891),
        (0x08E2, 0x08E2),
        (0x180E, 0x180E),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x206F),
        (0xFEFF, 0xFEFF),
        (0xFFF9, 0xFFFB),
        (0x110BD, 0x110BD),
        (0x110CD, 0x110CD),
        (0x13430, 0x1343F),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0001, 0xE0001),
        (0xE0020, 0xE007F),
    )
    for ch in map(chr, range(start, end + 1))
    if unicodedata.category(ch) == "Cf" and ch != "\u200c"
)

_TO_ASCII_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, ASCII_DIGITS * 2)
_TO_PERSIAN_DIGITS = str.maketrans(ASCII_DIGITS + ARABIC_DIGITS, PERSIAN_DIGITS * 2)
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
# Free text keeps its digits as digits of the Persian block (Arabic-Indic ٤٥٦ look different).
_ARABIC_TO_PERSIAN_DIGITS = str.maketrans(ARABIC_DIGITS, PERSIAN_DIGITS)
_DROP_FREE = str.maketrans({c: None for c in BIDI_CONTROLS | _REMOVED | frozenset(FORMAT_CONTROLS)})

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


def is_format_control(ch: str) -> bool:
    """An invisible format character (Unicode Cf) other than ZWNJ: bidi controls included."""
    return ch in FORMAT_CONTROLS or (ch != ZWNJ and unicodedata.category(ch) == "Cf")


def has_format_controls(s: str) -> bool:
    """True when `s` holds an invisible format character other than ZWNJ (see `is_format_control`)."""
    return not s.isprintable() and any(is_format_control(ch) for ch in s)


def _drop_format(s: str) -> str:
    # isprintable() is False for every Cf character (ZWNJ too), so most text skips the loop
    return s if s.isprintable() else "".join(ch for ch in s if not is_format_control(ch))


def _normalize_once(s: str) -> str:
    s = _drop_format(s.translate(_DROP_FREE))
    s = unicodedata.normalize("NFKC", s)  # presentation forms (ﻙ ﯽ ﻻ) -> letters
    s = s.translate(_DROP_FREE)  # NFKC can never add these, but cheap and certain
    s = s.translate(_LETTERS).translate(_ARABIC_TO_PERSIAN_DIGITS)
    s = _SPACES_RE.sub(" ", s)
    s = _ZWNJ_RUN_RE.sub(ZWNJ, s)
    s = _ZWNJ_NEAR_SPACE_RE.sub(lambda m: " " if " " in m.group(0) else ZWNJ, s)
    return s.strip(" " + ZWNJ)


def normalize_text(s: str) -> str:
    """Free text: ي/ى->ی, ك->ک, tatweel removed, ZWNJ collapsed, NFKC, bidi controls and every
    other invisible format character (ZWJ, BOM, U+2060...) stripped, whitespace collapsed and
    stripped. Idempotent: repeated until nothing changes."""
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

    A bidi control or any other invisible format character (ZWJ, BOM, U+200B, U+2060...)
    anywhere is an error, not something to strip silently: what is printed must be what was
    checked. Tatweel and ZWNJ go. The caller still checks the result against `[0-9]`-only patterns.
    """
    check_code_chars(s, field)
    s = s.replace(TATWEEL, "").replace(ZWNJ, "")
    s = normalize_digits(s)
    return _CODE_SEPARATORS_RE.sub("", s)


def check_code_chars(s: str, field: str) -> None:
    """Refuse (InvalidInput, Persian) text of an identifier or amount holding a bidi control or
    another invisible format character."""
    if not isinstance(s, str):
        raise InvalidInput("مقدار واردشده متن نیست.", field)
    if has_bidi_controls(s):
        raise InvalidInput("نویسه‌های کنترل جهت متن (نامرئی) در این فیلد مجاز نیست.", field)
    if has_format_controls(s):
        raise InvalidInput(
            "نویسه‌های نامرئی (مانند فاصلهٔ صفر یا اتصال‌دهنده) در این فیلد مجاز نیست؛ آن را دوباره تایپ کنید.", field
        )


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
