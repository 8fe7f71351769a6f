"""Money is integer rials everywhere; this module parses, displays and spells it.

Words convention (pinned in tests): hundreds are one word (یکصد, دویست, ..., نهصد), scales are
always counted, so 1000 is «یک هزار» like 1,000,000 is «یک میلیون»; the scales are هزار,
میلیون, میلیارد, تریلیون; parts are joined with « و ». Zero is «صفر».
"""

from __future__ import annotations

import re

from desk_app.domain.errors import InvalidInput
from desk_app.domain.text import check_code_chars, normalize_digits, to_persian_digits

MAX_RIALS = 10**13
PERSIAN_THOUSANDS_SEP = "\u066c"  # ٬
PERSIAN_DECIMAL_SEP = "\u066b"  # ٫
UNIT_LABELS = {"rial": "ریال", "toman": "تومان"}

# Thousands separators: `,` `٬` (Persian) `،` (Arabic comma, as Arabic keyboards type it) `'` `’` `_`
# and spaces. One kind per amount, between proper groups of three (`1,250,000`), or none: a
# separator anywhere else (`1,5`, `12,50,000`) is a typing mistake, not 15 or 1,250,000 rials.
_SEPARATORS = ",\u066c\u060c'\u2019_ \u00a0\u202f\u2009"
_AMOUNT_RE = re.compile(
    r"[0-9]{1,14}|[0-9]{1,3}(?P<sep>[" + re.escape(_SEPARATORS) + r"])[0-9]{3}(?:(?P=sep)[0-9]{3}){0,3}", re.ASCII
)
_UNIT_RE = re.compile(r"\s*(?:ریال)$")
_MINUS = ("-", "\u2212", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\ufe63", "\uff0d")


def parse_rials(value: str | int, field: str = "amount") -> int:
    """Non-negative integer rials from an int or typed text (Persian digits; `,` `٬` `،` or spaces
    as thousands separators, in proper groups of three only). Floats, decimals, negatives, a
    misplaced separator, bidi controls and other invisible characters, and > 10**13 are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInput("مبلغ باید عدد صحیح ریالی باشد.", field)
    if isinstance(value, str):
        if len(value) > 40:
            raise InvalidInput("مبلغ بیش از حد طولانی است.", field)
        stripped = value.strip()
        if stripped.startswith(_MINUS) or stripped.endswith(_MINUS):
            raise InvalidInput("مبلغ نمی‌تواند منفی باشد.", field)
        if any(ch in _MINUS for ch in stripped):
            raise InvalidInput("مبلغ باید عدد صحیح ریالی باشد.", field)
        check_code_chars(stripped, field)  # bidi controls and other invisible characters -> InvalidInput
        s = _UNIT_RE.sub("", normalize_digits(stripped).replace("\u0640", "").replace("\u200c", ""))
        if not s:
            raise InvalidInput("مبلغ وارد نشده است.", field)
        if not _AMOUNT_RE.fullmatch(s):
            if re.fullmatch(r"[0-9" + re.escape(_SEPARATORS) + "]+", s, re.ASCII) and s[0].isdigit():
                raise InvalidInput(
                    "جداکنندهٔ هزارگان باید میان دسته‌های سه‌رقمی باشد (مانند ۱٬۲۵۰٬۰۰۰) یا اصلاً نباشد.", field
                )
            raise InvalidInput("مبلغ باید عدد صحیح ریالی و بدون اعشار باشد.", field)
        value = int(re.sub("[^0-9]", "", s))
    if value < 0:
        raise InvalidInput("مبلغ نمی‌تواند منفی باشد.", field)
    if value > MAX_RIALS:
        raise InvalidInput("مبلغ بیش از حد مجاز است.", field)
    return value


def _group(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def format_amount(rials: int, unit: str = "rial", persian: bool = True, with_unit: bool = True) -> str:
    """`۱٬۲۵۰٬۰۰۰ ریال`; toman is rials / 10 (a remainder shows as `٫۵`). Negative amounts (a
    cash difference) get a leading minus."""
    if isinstance(rials, bool) or not isinstance(rials, int):
        raise TypeError("amounts are integer rials")
    if unit not in UNIT_LABELS:
        raise ValueError(f"unknown unit {unit!r}")
    sign = "-" if rials < 0 else ""
    n = abs(rials)
    sep = PERSIAN_THOUSANDS_SEP if persian else ","
    if unit == "toman":
        text = _group(n // 10, sep)
        if n % 10:
            text += (PERSIAN_DECIMAL_SEP if persian else ".") + str(n % 10)
    else:
        text = _group(n, sep)
    text = sign + text
    if persian:
        text = to_persian_digits(text)
    if with_unit:
        text += " " + UNIT_LABELS[unit]
    return text


_ONES = ["", "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه"]
_TEENS = ["ده", "یازده", "دوازده", "سیزده", "چهارده", "پانزده", "شانزده", "هفده", "هجده", "نوزده"]
_TENS = ["", "", "بیست", "سی", "چهل", "پنجاه", "شصت", "هفتاد", "هشتاد", "نود"]
_HUNDREDS = ["", "یکصد", "دویست", "سیصد", "چهارصد", "پانصد", "ششصد", "هفتصد", "هشتصد", "نهصد"]
_SCALES = ["", "هزار", "میلیون", "میلیارد", "تریلیون"]
_JOIN = " و "


def _below_thousand(n: int) -> str:
    parts = []
    h, rest = divmod(n, 100)
    if h:
        parts.append(_HUNDREDS[h])
    if 10 <= rest < 20:
        parts.append(_TEENS[rest - 10])
    else:
        t, o = divmod(rest, 10)
        if t:
            parts.append(_TENS[t])
        if o:
            parts.append(_ONES[o])
    return _JOIN.join(parts)


def number_to_words(n: int) -> str:
    """Persian words of 0 <= n <= 10**13 (see the module docstring for the convention)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("number_to_words takes an int")
    if n < 0 or n > MAX_RIALS:
        raise ValueError("number_to_words covers 0..10**13")
    if n == 0:
        return "صفر"
    groups = []
    scale = 0
    while n:
        n, g = divmod(n, 1000)
        if g:
            words = _below_thousand(g)
            groups.append(f"{words} {_SCALES[scale]}" if scale else words)
        scale += 1
    return _JOIN.join(reversed(groups))


def amount_in_words(rials: int, unit: str = "rial") -> str:
    """«یک میلیون و دویست و پنجاه هزار ریال» for 1,250,000 (مبلغ به حروف on receipts)."""
    if unit == "toman":
        tomans, rest = divmod(rials, 10)
        text = f"{number_to_words(tomans)} تومان"
        if rest:
            text += f"{_JOIN}{number_to_words(rest)} ریال"
        return text
    if unit != "rial":
        raise ValueError(f"unknown unit {unit!r}")
    return f"{number_to_words(rials)} ریال"
