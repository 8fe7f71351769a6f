"""Persian wording shared by the document builders: amounts, dates, payment and fee labels."""

from __future__ import annotations

import datetime as dt

from desk_app.domain.fees import FEE_KIND_LABELS_FA
from desk_app.domain.jalali import format_jalali_date, format_jalali_datetime
from desk_app.domain.money import amount_in_words, format_amount
from desk_app.domain.text import to_persian_digits

PAYMENT_LABELS = {"cash": "نقدی", "card": "کارت بانکی", "pos": "کارت بانکی"}


def money(rials: int, unit: str = "rial") -> str:
    return format_amount(int(rials), unit=unit)


def signed_money(rials: int, unit: str = "rial") -> str:
    """A cash difference in words rather than with a sign (a minus moves about in RTL text)."""
    if rials == 0:
        return "بدون اختلاف"
    word = "اضافه" if rials > 0 else "کسری"
    return f"{word} {format_amount(abs(int(rials)), unit=unit)}"


def words(rials: int, unit: str = "rial") -> str:
    return amount_in_words(int(rials), unit=unit)


def num(n: int) -> str:
    """A count with Persian digits and thousands separators."""
    return format_amount(int(n), with_unit=False)


def fa(s) -> str:
    return to_persian_digits(str(s))


def payment_label(method: str | None) -> str:
    return PAYMENT_LABELS.get(method or "", method or "—")


def fee_label(kind: str) -> str:
    return FEE_KIND_LABELS_FA.get(kind, kind)


def jdate(value: dt.date | dt.datetime) -> str:
    return format_jalali_date(value)


def jdatetime(value: dt.datetime) -> str:
    return format_jalali_datetime(value)
