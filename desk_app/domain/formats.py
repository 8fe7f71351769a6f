"""The `format`s a service form may use (DESIGN.md section 10), registered once as `jsonschema`
format checkers that the client and the server share.

Each format has a *converter*: what the clerk typed (Persian or ASCII digits, spaces, dashes) ->
the one canonical text that is frozen in the payload, or `InvalidInput` with a Persian message.
The format checker accepts exactly the canonical texts (`convert(v) == v`), so the server, which
only ever sees frozen values, applies the same rule the client normalised by. A bidi control in
a code is an error, never stripped (it can make a printed 0009 read 9000).

Canonical forms:
- `jalali-date`: ISO Gregorian `YYYY-MM-DD` of a real Jalali date of 1300..1499 (typed as
  `1405/09/08`, Persian or ASCII digits, `/` `-` or `.`; the ISO form itself is also accepted);
- `national-code` 10 digits, `legal-id` 11 digits, `mobile` `09xxxxxxxxx`, `postal-code` 10
  digits, `sheba` `IR` + 24 digits, `card` 16 digits (desk_app.domain.identifiers);
- `ir-plate`: `12ب345-67` — two digits, the series letter (`الف` for government plates), three
  digits, `-`, the two-digit province code; ASCII digits, no spaces. Typed as `۱۲ ب ۳۴۵ ایران ۶۷`,
  `12ب34567`, `12-ب-345-67`... Neither number starts with 0; province codes are 10..99.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

import jdatetime
from jsonschema import FormatChecker

from desk_app.domain import identifiers
from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import format_jalali_date, parse_jalali_date
from desk_app.domain.text import clean_code, has_bidi_controls, to_persian_digits

# Series letters of Iranian plates: the thirteen of private cars, then the special series
# (government الف, police پ, taxi ت, IRGC ث, defence ministry ز, army ش, public transport ع,
# agriculture ک, temporary passage گ, disabled drivers and veterans ژ). Diplomatic plates (Latin
# D/S, another layout) and the wheelchair symbol are not text a clerk types; they are left out.
PLATE_LETTERS: tuple[str, ...] = (
    "ب", "ج", "د", "س", "ص", "ط", "ق", "ل", "م", "ن", "و", "ه", "ی",
    "الف", "پ", "ت", "ث", "ز", "ش", "ع", "ک", "گ", "ژ",
)  # fmt: skip
_LETTER_VARIANTS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ھ": "ه", "ۀ": "ه", "ة": "ه", "آ": "ا"})
_PLATE_NOISE_RE = re.compile(r"ایران|iran|[|/._]", re.IGNORECASE)
_PLATE_RE = re.compile(
    r"([1-9][0-9])(" + "|".join(sorted(PLATE_LETTERS, key=len, reverse=True)) + r"|ا)([1-9][0-9]{2})([1-9][0-9])"
)
_ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_FIELD = "value"  # the converters' own field name; the form engine names the real field


class PlateParts(NamedTuple):
    two: str
    letter: str
    three: str
    province: str


def convert_plate(text: str) -> str:
    """Canonical `12ب345-67` from a typed plate, or `InvalidInput`."""
    if not isinstance(text, str):
        raise InvalidInput("پلاک باید متن باشد.", _FIELD)
    if len(text) > identifiers.MAX_INPUT_LEN:
        raise InvalidInput("پلاک بیش از حد طولانی است.", _FIELD)
    s = unicodedata.normalize("NFKC", text).translate(_LETTER_VARIANTS)
    s = clean_code(s, _FIELD)  # bidi -> error; digits; no spaces/dashes
    s = _PLATE_NOISE_RE.sub("", s)
    if not s:
        raise InvalidInput("پلاک وارد نشده است.", _FIELD)
    m = _PLATE_RE.fullmatch(s)
    if not m:
        raise InvalidInput(
            "پلاک باید به شکل ۱۲ ب ۳۴۵ ایران ۶۷ باشد (دو رقم، حرف پلاک، سه رقم، کد دو رقمی استان).", _FIELD
        )
    two, letter, three, province = m.groups()
    if letter == "ا":
        letter = "الف"
    return f"{two}{letter}{three}-{province}"


def plate_parts(canonical: str) -> PlateParts:
    """The four parts of a canonical plate, for renderers that draw the plate's boxes."""
    m = _PLATE_RE.fullmatch(canonical.replace("-", ""))
    if not m:
        raise ValueError("not a canonical plate")
    return PlateParts(*m.groups())


def display_plate(canonical: str) -> str:
    """`۱۲ ب ۳۴۵ ایران ۶۷`: how a plate is written in Persian text (right-to-left, read in order)."""
    p = plate_parts(canonical)
    return to_persian_digits(f"{p.two} {p.letter} {p.three} ایران {p.province}")


def _check_jalali_year(g: date) -> None:
    if not 1300 <= jdatetime.date.fromgregorian(date=g).year <= 1499:
        raise InvalidInput("سال تاریخ باید هجری شمسی (مثلاً ۱۴۰۵) باشد.", _FIELD)


def convert_jalali_date(text: str) -> str:
    """ISO Gregorian `2026-11-29` of a typed Jalali date `1405/09/08` (or of the ISO form itself)."""
    if not isinstance(text, str):
        raise InvalidInput("تاریخ باید به شکل ۱۴۰۵/۰۹/۰۸ باشد.", _FIELD)
    m = _ISO_DATE_RE.fullmatch(text.strip())
    if m and int(m.group(1)) >= 1800:
        try:
            g = date(*(int(x) for x in m.groups()))
        except ValueError:
            raise InvalidInput("چنین روزی در تقویم وجود ندارد.", _FIELD) from None
        _check_jalali_year(g)
        return g.isoformat()
    try:
        return parse_jalali_date(text).isoformat()
    except InvalidInput as exc:
        raise InvalidInput(exc.message, _FIELD) from None


def display_jalali_date(iso: str) -> str:
    """`۱۴۰۵/۰۹/۰۸` for a canonical ISO date."""
    return format_jalali_date(date.fromisoformat(iso))


class FormatInfo(NamedTuple):
    convert: Callable[[str], str]
    label_fa: str  # what the format is, for messages and renderers
    ltr: bool  # shown left-to-right (codes)


FORMATS: dict[str, FormatInfo] = {
    "jalali-date": FormatInfo(convert_jalali_date, "تاریخ", True),
    "national-code": FormatInfo(identifiers.validate_national_code, "کد ملی", True),
    "legal-id": FormatInfo(identifiers.validate_legal_id, "شناسه ملی", True),
    "mobile": FormatInfo(identifiers.validate_mobile, "شماره همراه", True),
    "postal-code": FormatInfo(identifiers.validate_postal_code, "کد پستی", True),
    "sheba": FormatInfo(identifiers.validate_sheba, "شماره شبا", True),
    "card": FormatInfo(identifiers.validate_card, "شماره کارت", True),
    "ir-plate": FormatInfo(convert_plate, "پلاک خودرو", True),
}


def convert(fmt: str, value: str) -> str:
    """Canonical text of `value` under format `fmt`, or `InvalidInput` (field left to the caller)."""
    return FORMATS[fmt].convert(value)


def _checker(fmt: str) -> Callable[[object], bool]:
    conv = FORMATS[fmt].convert

    def check(instance: object) -> bool:
        if not isinstance(instance, str):
            return True  # JSON Schema: a format says nothing about other types
        if has_bidi_controls(instance):
            raise InvalidInput("نویسه‌های کنترل جهت متن (نامرئی) در این فیلد مجاز نیست.", _FIELD)
        return conv(instance) == instance  # False: valid, but not the frozen (canonical) text

    return check


def _build_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    for name in FORMATS:
        checker.checks(name, raises=InvalidInput)(_checker(name))
    return checker


# The one checker of the project: pass it to every validator of a form (client and server).
FORMAT_CHECKER: FormatChecker = _build_checker()
