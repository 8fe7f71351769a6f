"""Time and the Jalali calendar: timestamps live in UTC, days and display are Tehran's.

Built on `jdatetime` (33-year rule) and `zoneinfo`; never Qt's Jalali calendar, which
disagrees from 1436 on. A naive datetime reaching these helpers is taken as UTC (that is how
the store hands timestamps back).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jdatetime

from desk_app.domain.errors import InvalidInput
from desk_app.domain.text import clean_code, to_persian_digits

TEHRAN = ZoneInfo("Asia/Tehran")
UTC = UTC


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(dt: datetime) -> datetime:
    """Aware UTC datetime; naive input is taken as UTC."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_utc(dt: datetime) -> str:
    """`2026-11-29T15:38:52.123456Z` (always microseconds, always Z)."""
    return as_utc(dt).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(s: str) -> datetime:
    """Aware UTC datetime from ISO 8601 (`Z`, an offset, or naive meaning UTC)."""
    if isinstance(s, datetime):
        return as_utc(s)
    try:
        return as_utc(datetime.fromisoformat(str(s).strip()))
    except ValueError:
        raise InvalidInput("زمان به قالب ISO 8601 نیست.", "created_at") from None


def tehran_day(dt_utc: datetime) -> date:
    """Gregorian date of the Tehran civil day that holds this instant."""
    return as_utc(dt_utc).astimezone(TEHRAN).date()


def today_tehran() -> date:
    return tehran_day(utc_now())


def day_bounds_utc(gdate: date) -> tuple[datetime, datetime]:
    """[start, end) of the Tehran civil day `gdate`, as aware UTC datetimes."""
    start = datetime.combine(gdate, time(0), TEHRAN)
    end = datetime.combine(gdate + timedelta(days=1), time(0), TEHRAN)
    return start.astimezone(UTC), end.astimezone(UTC)


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return tehran_day(value)
    return value


def to_jalali(value: date | datetime) -> jdatetime.date:
    """Jalali date of a Gregorian date, or of the Tehran day of an instant."""
    return jdatetime.date.fromgregorian(date=_as_date(value))


def jalali_yymmdd(gdate: date | datetime) -> str:
    """`050908` for 1405/09/08: the date part of a receipt number."""
    j = to_jalali(gdate)
    return f"{j.year % 100:02d}{j.month:02d}{j.day:02d}"


def format_jalali_date(value: date | datetime, persian: bool = True) -> str:
    """`۱۴۰۵/۰۹/۰۸` (or `1405/09/08` with persian=False)."""
    j = to_jalali(value)
    s = f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return to_persian_digits(s) if persian else s


def format_jalali_datetime(dt_utc: datetime, persian: bool = True) -> str:
    """`۱۴۰۵/۰۹/۰۸ ۱۴:۳۰` in Tehran time."""
    local = as_utc(dt_utc).astimezone(TEHRAN)
    j = jdatetime.date.fromgregorian(date=local.date())
    s = f"{j.year:04d}/{j.month:02d}/{j.day:02d} {local.hour:02d}:{local.minute:02d}"
    return to_persian_digits(s) if persian else s


_JALALI_RE = re.compile(r"([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})", re.ASCII)


def parse_jalali_date(text: str) -> date:
    """Gregorian date from a Jalali `1405/09/08` (Persian or ASCII digits; `/`, `-` or `.`)."""
    field = "date"
    if not isinstance(text, str) or len(text) > 32:
        raise InvalidInput("تاریخ باید به شکل ۱۴۰۵/۰۹/۰۸ باشد.", field)
    # clean_code drops dashes and spaces, so turn dashes into slashes first
    s = re.sub(r"[-\u2010-\u2013\u2212]", "/", text.strip())
    s = clean_code(s, field)
    m = _JALALI_RE.fullmatch(s)
    if not m:
        raise InvalidInput("تاریخ باید به شکل ۱۴۰۵/۰۹/۰۸ باشد.", field)
    y, mo, d = (int(g) for g in m.groups())
    if not 1300 <= y <= 1499:
        raise InvalidInput("سال تاریخ باید هجری شمسی (مثلاً ۱۴۰۵) باشد.", field)
    try:
        gregorian: date = jdatetime.date(y, mo, d).togregorian()
    except ValueError:
        raise InvalidInput("چنین روزی در تقویم وجود ندارد.", field) from None
    return gregorian


def is_jalali_leap(year: int) -> bool:
    return bool(jdatetime.date(year, 1, 1).isleap())
