"""Calendar and time (DESIGN.md section 2): UTC storage, Tehran days, Jalali via jdatetime."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import (
    TEHRAN,
    day_bounds_utc,
    format_jalali_date,
    format_jalali_datetime,
    format_utc,
    is_jalali_leap,
    jalali_yymmdd,
    parse_jalali_date,
    parse_utc,
    tehran_day,
    today_tehran,
    utc_now,
)
from desk_app.domain.text import BIDI_CONTROLS

UTC = UTC


@pytest.mark.parametrize(
    "g, jalali",
    [
        (date(2026, 11, 29), "1405/09/08"),
        (date(2025, 3, 20), "1403/12/30"),  # last day of leap 1403
        (date(2025, 3, 21), "1404/01/01"),
        (date(2024, 3, 20), "1403/01/01"),
        (date(2026, 3, 20), "1404/12/29"),  # 1404 is not leap: Esfand has 29 days
        (date(2026, 3, 21), "1405/01/01"),
    ],
)
def test_gregorian_to_jalali_vectors(g, jalali):
    assert format_jalali_date(g, persian=False) == jalali
    assert parse_jalali_date(jalali) == g


def test_leap_years():
    assert is_jalali_leap(1403) and is_jalali_leap(1408)
    assert not is_jalali_leap(1404) and not is_jalali_leap(1405)
    assert parse_jalali_date("1408/12/30") == date(2030, 3, 20)
    with pytest.raises(InvalidInput):
        parse_jalali_date("1404/12/30")


def test_tehran_day_is_three_and_a_half_hours_ahead():
    late = datetime(2026, 11, 29, 21, 0, tzinfo=UTC)
    assert tehran_day(late) == date(2026, 11, 30)
    assert format_jalali_date(late, persian=False) == "1405/09/09"
    assert jalali_yymmdd(late) == "050909"
    assert format_jalali_datetime(late) == "۱۴۰۵/۰۹/۰۹ ۰۰:۳۰"
    assert tehran_day(datetime(2026, 11, 29, 20, 29, 59, tzinfo=UTC)) == date(2026, 11, 29)
    assert tehran_day(datetime(2026, 11, 29, 20, 30, tzinfo=UTC)) == date(2026, 11, 30)
    # summer too: Iran has kept +03:30 all year since 2022
    assert tehran_day(datetime(2026, 7, 1, 20, 29, tzinfo=UTC)) == date(2026, 7, 1)
    assert tehran_day(datetime(2026, 7, 1, 20, 30, tzinfo=UTC)) == date(2026, 7, 2)
    assert datetime(2026, 7, 1, tzinfo=TEHRAN).utcoffset() == timedelta(hours=3, minutes=30)


def test_day_bounds():
    start, end = day_bounds_utc(date(2026, 11, 29))
    assert start == datetime(2026, 11, 28, 20, 30, tzinfo=UTC)
    assert end == datetime(2026, 11, 29, 20, 30, tzinfo=UTC)
    assert start.tzinfo is not None and end - start == timedelta(days=1)


def test_display_formats():
    g = date(2026, 11, 29)
    assert jalali_yymmdd(g) == "050908"
    assert format_jalali_date(g) == "۱۴۰۵/۰۹/۰۸"
    assert format_jalali_datetime(datetime(2026, 11, 29, 11, 0, tzinfo=UTC)) == "۱۴۰۵/۰۹/۰۸ ۱۴:۳۰"
    assert format_jalali_datetime(datetime(2026, 11, 29, 11, 0, tzinfo=UTC), persian=False) == "1405/09/08 14:30"


@pytest.mark.parametrize(
    "text", ["1405/09/08", "۱۴۰۵/۰۹/۰۸", "٠١٤٠٥/٠٩/٠٨"[1:], "1405-09-08", "۱۴۰۵-۹-۸", " 1405/9/8 ", "1405.09.08"]
)
def test_parse_jalali_date_forms(text):
    assert parse_jalali_date(text) == date(2026, 11, 29)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1405/13/01",
        "1405/00/10",
        "1405/07/31",
        "1405/09",
        "05/09/08",
        "2026-11-29",
        "1405/09/08\u202e",
        "1405/09/08 OR 1=1",
        "x" * 10_000,
        "1405//09/08",
        None,
        14050908,
    ],
)
def test_parse_jalali_date_rejects(text):
    with pytest.raises(InvalidInput) as info:
        parse_jalali_date(text)
    assert info.value.field == "date"


def test_utc_format_and_parse():
    dt = datetime(2026, 11, 29, 15, 38, 52, 123456, tzinfo=UTC)
    assert format_utc(dt) == "2026-11-29T15:38:52.123456Z"
    assert parse_utc("2026-11-29T15:38:52.123456Z") == dt
    assert parse_utc("2026-11-29T19:08:52.123456+03:30") == dt
    assert parse_utc("2026-11-29T15:38:52.123456") == dt  # naive means UTC
    assert parse_utc(format_utc(dt)).tzinfo is not None
    assert format_utc(datetime(2026, 11, 29, 19, 8, 52, tzinfo=TEHRAN)) == "2026-11-29T15:38:52.000000Z"
    with pytest.raises(InvalidInput):
        parse_utc("yesterday")


def test_now_helpers_are_aware_and_consistent():
    now = utc_now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert today_tehran() in {tehran_day(now), tehran_day(utc_now())}


days = st.dates(min_value=date(1990, 1, 1), max_value=date(2080, 12, 31))
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC))


@settings(deadline=None)
@given(days, st.booleans())
def test_jalali_round_trip(g, persian):
    assert parse_jalali_date(format_jalali_date(g, persian=persian)) == g
    yymmdd = jalali_yymmdd(g)
    assert len(yymmdd) == 6 and format_jalali_date(g, persian=False).replace("/", "")[2:] == yymmdd


@settings(deadline=None)
@given(instants)
def test_an_instant_lies_inside_the_bounds_of_its_tehran_day(dt):
    start, end = day_bounds_utc(tehran_day(dt))
    assert start <= dt < end
    assert parse_utc(format_utc(dt)) == dt


@settings(deadline=None)
@given(days)
def test_consecutive_days_have_consecutive_jalali_dates(g):
    a, b = format_jalali_date(g, persian=False), format_jalali_date(g + timedelta(days=1), persian=False)
    assert a < b  # zero-padded Jalali strings sort like the days


BIDI = sorted(BIDI_CONTROLS)  # equal to the design's list: checked in test_domain_text


@settings(deadline=None)
@given(days, st.randoms())
def test_dates_typed_in_any_digits_parse_and_bidi_is_refused(g, rnd):
    text = format_jalali_date(g, persian=False)
    typed = "".join(rnd.choice([c, "۰۱۲۳۴۵۶۷۸۹"[int(c)], "٠١٢٣٤٥٦٧٨٩"[int(c)]]) if c.isdigit() else c for c in text)
    assert parse_jalali_date(typed) == g
    pos = rnd.randint(0, len(typed))
    with pytest.raises(InvalidInput):
        parse_jalali_date(typed[:pos] + rnd.choice(BIDI) + typed[pos:])


@settings(deadline=None)
@given(st.one_of(st.text(), st.text(st.sampled_from("0123456789۰۱۲۳۴۵۶۷۸۹/-. \u202e"), max_size=20)))
def test_any_text_is_a_date_or_invalid_input(raw):
    try:
        parse_jalali_date(raw)
    except InvalidInput:
        pass
