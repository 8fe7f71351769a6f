"""Receipt numbers `{office}-{device}-{jalali yyMMdd}-{daily seq}` (DESIGN.md section 2)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk_app.domain.errors import InvalidInput
from desk_app.domain.receipt import (
    RECEIPT_NO_RE,
    ReceiptNo,
    format_receipt_no,
    is_receipt_no,
    next_seq,
    normalize_receipt_no,
    parse_receipt_no,
)
from desk_app.domain.text import BIDI_CONTROLS

DAY = date(2026, 11, 29)  # 1405/09/08


def test_regex_is_the_design_one():
    assert RECEIPT_NO_RE.pattern == r"^[0-9]{4,6}-[0-9]{1,3}-[0-9]{6}-[0-9]{4,}$"
    assert not RECEIPT_NO_RE.match("۴۵۱۲-2-050908-0042")  # Persian digits are not [0-9]


def test_format_vectors():
    assert format_receipt_no("4512", 2, DAY, 42) == "4512-2-050908-0042"
    assert format_receipt_no("451200", "17", DAY, 1) == "451200-17-050908-0001"
    assert format_receipt_no("4512", 2, DAY, 9999) == "4512-2-050908-9999"
    assert format_receipt_no("4512", 2, DAY, 10000) == "4512-2-050908-10000"  # grows, no wrap
    assert format_receipt_no("0451", 999, date(2025, 3, 20), 7) == "0451-999-031230-0007"


def test_date_part_is_the_tehran_day():
    late = datetime(2026, 11, 29, 21, 0, tzinfo=UTC)  # already 1405/09/09 in Tehran
    assert format_receipt_no("4512", 2, late, 1) == "4512-2-050909-0001"


@pytest.mark.parametrize(
    "office, device, seq",
    [
        ("451", 2, 1),
        ("4512345", 2, 1),
        ("45a2", 2, 1),
        ("4512", 1000, 1),
        ("4512", -1, 1),
        ("4512", 2, 0),
        ("4512", 2, -3),
        ("4512", True, 1),
        ("4512", 2, 1.0),
    ],
)
def test_format_rejects_bad_parts(office, device, seq):
    with pytest.raises(InvalidInput):
        format_receipt_no(office, device, DAY, seq)


def test_parse():
    assert parse_receipt_no("4512-2-050908-0042") == ReceiptNo("4512", 2, "050908", 42)
    assert parse_receipt_no("۴۵۱۲-۲-۰۵۰۹۰۸-۰۰۴۲") == ReceiptNo("4512", 2, "050908", 42)
    assert parse_receipt_no(" 4512-2-050908-12345 ").seq == 12345
    assert normalize_receipt_no("۴۵۱۲-۲-۰۵۰۹۰۸-۰۰۴۲") == "4512-2-050908-0042"
    assert is_receipt_no("4512-2-050908-0042") and not is_receipt_no("4512-2-0509-0042")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "4512-2-050908-042",
        "4512-2-050908",
        "4512-2-050908-0042-1",
        "4512 2 050908 0042",
        "4512-2-050908-0042\u202e",
        "\u20664512-2-050908-0042\u2069",
        "4512-2-050908-0042' OR 1=1",
        "9" * 10_000,
        None,
    ],
)
def test_parse_rejects(bad):
    with pytest.raises(InvalidInput) as info:
        parse_receipt_no(bad)
    assert info.value.field == "receipt_no"


def test_next_seq():
    assert next_seq(None, "4512", 2, DAY) == 1
    assert next_seq("", "4512", 2, DAY) == 1
    assert next_seq("4512-2-050908-0042", "4512", 2, DAY) == 43
    assert next_seq("4512-2-050908-9999", "4512", 2, DAY) == 10000
    assert next_seq("4512-2-050907-0042", "4512", 2, DAY) == 1  # yesterday's
    assert next_seq("4512-3-050908-0042", "4512", 2, DAY) == 1  # another device
    assert next_seq("4513-2-050908-0042", "4512", 2, DAY) == 1  # another office
    assert next_seq("4512-02-050908-0042", "4512", "2", DAY) == 43


@settings(deadline=None)
@given(
    st.from_regex(re.compile(r"[0-9]{4,6}", re.ASCII), fullmatch=True),
    st.integers(0, 999),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(1, 10**7),
)
def test_round_trip_and_sequence(office, device, day, seq):
    no = format_receipt_no(office, device, day, seq)
    assert RECEIPT_NO_RE.match(no) and no.isascii()
    parsed = parse_receipt_no(no)
    assert parsed == ReceiptNo(office, device, parsed.yymmdd, seq)
    assert next_seq(no, office, device, day) == seq + 1
    assert format_receipt_no(office, device, day, next_seq(no, office, device, day)) != no


BIDI = sorted(BIDI_CONTROLS)  # equal to the design's list: checked in test_domain_text


@settings(deadline=None)
@given(st.integers(1, 10**6), st.randoms())
def test_typed_receipt_numbers_in_any_digits_and_bidi_rejection(seq, rnd):
    no = format_receipt_no("4512", 2, DAY, seq)
    typed = "".join(rnd.choice([c, "۰۱۲۳۴۵۶۷۸۹"[int(c)], "٠١٢٣٤٥٦٧٨٩"[int(c)]]) if c.isdigit() else c for c in no)
    assert normalize_receipt_no(typed) == no
    pos = rnd.randint(0, len(typed))
    with pytest.raises(InvalidInput):
        normalize_receipt_no(typed[:pos] + rnd.choice(BIDI) + typed[pos:])


@settings(deadline=None)
@given(st.one_of(st.text(), st.text(st.sampled_from("0123456789۰۱۲۳۴۵۶۷۸۹- \u202e'"), max_size=30)))
def test_any_text_is_a_receipt_no_or_invalid_input(raw):
    try:
        parsed = parse_receipt_no(raw)
    except InvalidInput:
        return
    assert RECEIPT_NO_RE.match(format_receipt_no(parsed.office, parsed.device, DAY, parsed.seq))
