"""Iranian identifiers: national code, legal ID, mobile, postal code, Sheba, bank card.

Every validator takes what the user typed (Persian, Arabic-Indic or ASCII digits; spaces and
dashes between them) and returns the canonical ASCII form, or raises `InvalidInput` with a
Persian message. Messages never repeat the value (a national code must not reach a log line).
"""

from __future__ import annotations

import re

from desk_app.domain.errors import InvalidInput
from desk_app.domain.text import clean_code

MAX_INPUT_LEN = 128  # anything longer is not an identifier; refuse before any work

_DIGITS_RE = re.compile(r"[0-9]+", re.ASCII)
_POSTAL_OFFICIAL_RE = re.compile(r"(?!([0-9])\1{3})[13-9]{4}[1346-9][013-9]{5}", re.ASCII)


def _digits(text: str, field: str, label: str) -> str:
    if text is None:
        raise InvalidInput(f"{label} وارد نشده است.", field)
    if isinstance(text, str) and len(text) > MAX_INPUT_LEN:
        raise InvalidInput(f"{label} بیش از حد طولانی است.", field)
    s = clean_code(text, field)
    if not s:
        raise InvalidInput(f"{label} وارد نشده است.", field)
    if not _DIGITS_RE.fullmatch(s):
        raise InvalidInput(f"{label} فقط باید شامل رقم باشد.", field)
    return s


def national_code_check_digit(first9: str) -> int:
    """Check digit for the first nine digits of a national code."""
    s = sum(int(first9[i]) * (10 - i) for i in range(9)) % 11
    return s if s < 2 else 11 - s


def validate_national_code(text: str) -> str:
    """Canonical 10-digit national code (کد ملی), or `InvalidInput`.

    8-10 digits, left-padded with zeros; all-same digits and d[3..8] all zero are refused.
    """
    field, label = "national_code", "کد ملی"
    d = _digits(text, field, label)
    if not 8 <= len(d) <= 10:
        raise InvalidInput("کد ملی باید ۱۰ رقم باشد.", field)
    d = d.zfill(10)
    if len(set(d)) == 1:
        raise InvalidInput("کد ملی معتبر نیست (همهٔ رقم‌ها یکسان است).", field)
    if d[3:9] == "000000":
        raise InvalidInput("کد ملی معتبر نیست.", field)
    if int(d[9]) != national_code_check_digit(d[:9]):
        raise InvalidInput("کد ملی معتبر نیست (رقم کنترل نادرست است).", field)
    return d


_LEGAL_WEIGHTS = (29, 27, 23, 19, 17)


def legal_id_check_digit(first10: str) -> int:
    """Check digit of a legal ID (شناسه ملی اشخاص حقوقی): the tenth digit plus 2 is added to
    each of the first ten digits, weighted 29 27 23 19 17 (repeating), mod 11, 10 -> 0."""
    extra = int(first10[9]) + 2
    s = sum((int(first10[i]) + extra) * _LEGAL_WEIGHTS[i % 5] for i in range(10)) % 11
    return 0 if s == 10 else s


def validate_legal_id(text: str) -> str:
    """Canonical 11-digit legal ID (شناسه ملی), or `InvalidInput`."""
    field, label = "legal_id", "شناسه ملی"
    d = _digits(text, field, label)
    if len(d) != 11:
        raise InvalidInput("شناسه ملی باید ۱۱ رقم باشد.", field)
    if d[3:9] == "000000" or len(set(d)) == 1:
        raise InvalidInput("شناسه ملی معتبر نیست.", field)
    if int(d[10]) != legal_id_check_digit(d[:10]):
        raise InvalidInput("شناسه ملی معتبر نیست (رقم کنترل نادرست است).", field)
    return d


def validate_mobile(text: str) -> str:
    """`09xxxxxxxxx` from 09.., 9.., +98 9.., 0098 9.., 98 9.. forms, or `InvalidInput`."""
    field, label = "mobile", "شماره همراه"
    if isinstance(text, str) and len(text) <= MAX_INPUT_LEN:
        text = text.strip()
        text = re.sub(r"^\s*\+", "00", text)
        text = text.replace("(", "").replace(")", "")
    d = _digits(text, field, label)
    if len(d) == 14 and d.startswith("00989"):
        d = "0" + d[4:]
    elif len(d) == 12 and d.startswith("989"):
        d = "0" + d[2:]
    elif len(d) == 10 and d.startswith("9"):
        d = "0" + d
    if len(d) != 11 or not d.startswith("09"):
        raise InvalidInput("شماره همراه باید به شکل ۰۹xxxxxxxxx (۱۱ رقم) باشد.", field)
    return d


def validate_postal_code(text: str) -> str:
    """Canonical 10-digit postal code, or `InvalidInput`. See `postal_code_warning` too."""
    field, label = "postal_code", "کد پستی"
    d = _digits(text, field, label)
    if len(d) != 10:
        raise InvalidInput("کد پستی باید ۱۰ رقم باشد.", field)
    if len(set(d)) == 1:
        raise InvalidInput("کد پستی معتبر نیست.", field)
    return d


def postal_code_warning(code: str) -> str | None:
    """A Persian warning when a (valid, 10-digit) postal code breaks the usual national pattern
    (no 0 or 2 in the first five digits, no 5 in the fifth, no 2 in the last five); else None.
    Only a warning: the pattern is not official and some real codes break it."""
    if _POSTAL_OFFICIAL_RE.fullmatch(code or ""):
        return None
    return "کد پستی با الگوی معمول کدهای پستی ایران نمی‌خواند؛ لطفاً دوباره بررسی کنید."


def sheba_check_ok(iban: str) -> bool:
    """ISO 13616 check of `IR` + 24 digits: check digits 02-98 (ISO 7064 MOD 97-10 never makes
    00, 01 or 99, though they can pass the mod-97 test) and the mod-97 remainder 1."""
    if not "02" <= iban[2:4] <= "98":
        return False
    rearranged = iban[4:] + "1827" + iban[2:4]  # I=18, R=27
    return int(rearranged) % 97 == 1


def validate_sheba(text: str) -> str:
    """`IR` + 24 digits (شبا), mod 97; `IR` may be typed in either case or left out."""
    field, label = "sheba", "شماره شبا"
    if isinstance(text, str) and len(text) <= MAX_INPUT_LEN:
        text = re.sub(r"^\s*[Ii][Rr]", "", text.strip())
    d = _digits(text, field, label)
    if len(d) != 24:
        raise InvalidInput("شماره شبا باید IR و ۲۴ رقم باشد.", field)
    iban = "IR" + d
    if not sheba_check_ok(iban):
        raise InvalidInput("شماره شبا معتبر نیست (رقم کنترل نادرست است).", field)
    return iban


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def validate_card(text: str) -> str:
    """16-digit bank card number (Luhn), or `InvalidInput`."""
    field, label = "card", "شماره کارت"
    d = _digits(text, field, label)
    if len(d) != 16:
        raise InvalidInput("شماره کارت باید ۱۶ رقم باشد.", field)
    if len(set(d)) == 1 or not luhn_ok(d):
        raise InvalidInput("شماره کارت معتبر نیست.", field)
    return d


def mask_national_code(code: str) -> str:
    """`1234567890` -> `123***7890`: enough for the citizen to recognise, not to reuse."""
    code = code or ""
    if len(code) < 8:
        return "*" * len(code)
    return code[:3] + "*" * (len(code) - 7) + code[-4:]
