"""Money (DESIGN.md section 2): integer rials, Persian display, amount in words.

Words convention, pinned here: hundreds as one word (یکصد ... نهصد), every scale counted
(1000 is «یک هزار», like «یک میلیون»), scales هزار/میلیون/میلیارد/تریلیون, parts joined by « و »."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk_app.domain.errors import InvalidInput
from desk_app.domain.money import MAX_RIALS, amount_in_words, format_amount, number_to_words, parse_rials
from desk_app.domain.text import BIDI_CONTROLS

WORDS = {
    0: "صفر",
    1: "یک",
    9: "نه",
    10: "ده",
    11: "یازده",
    12: "دوازده",
    15: "پانزده",
    18: "هجده",
    19: "نوزده",
    20: "بیست",
    21: "بیست و یک",
    99: "نود و نه",
    100: "یکصد",
    101: "یکصد و یک",
    110: "یکصد و ده",
    115: "یکصد و پانزده",
    200: "دویست",
    305: "سیصد و پنج",
    500: "پانصد",
    999: "نهصد و نود و نه",
    1000: "یک هزار",
    1001: "یک هزار و یک",
    1010: "یک هزار و ده",
    2000: "دو هزار",
    12000: "دوازده هزار",
    100000: "یکصد هزار",
    250000: "دویست و پنجاه هزار",
    1000000: "یک میلیون",
    1000001: "یک میلیون و یک",
    1250000: "یک میلیون و دویست و پنجاه هزار",
    12850000: "دوازده میلیون و هشتصد و پنجاه هزار",
    1000000000: "یک میلیارد",
    2500000000: "دو میلیارد و پانصد میلیون",
    10**12: "یک تریلیون",
    10**13: "ده تریلیون",
}


@pytest.mark.parametrize("n, words", sorted(WORDS.items()))
def test_number_to_words_vectors(n, words):
    assert number_to_words(n) == words


def test_amount_in_words():
    assert amount_in_words(1_250_000) == "یک میلیون و دویست و پنجاه هزار ریال"
    assert amount_in_words(0) == "صفر ریال"
    assert amount_in_words(1_250_000, unit="toman") == "یکصد و بیست و پنج هزار تومان"
    assert amount_in_words(1_250_005, unit="toman") == "یکصد و بیست و پنج هزار تومان و پنج ریال"


@pytest.mark.parametrize("bad", [-1, MAX_RIALS + 1, 1.0, True, "12"])
def test_number_to_words_refuses_out_of_range_and_non_int(bad):
    with pytest.raises((ValueError, TypeError)):
        number_to_words(bad)


def test_format_amount():
    assert format_amount(1_250_000) == "۱٬۲۵۰٬۰۰۰ ریال"
    assert format_amount(1_250_000, unit="toman") == "۱۲۵٬۰۰۰ تومان"
    assert format_amount(1_250_005, unit="toman") == "۱۲۵٬۰۰۰٫۵ تومان"
    assert format_amount(1_250_000, persian=False) == "1,250,000 ریال"
    assert format_amount(1_250_000, with_unit=False) == "۱٬۲۵۰٬۰۰۰"
    assert format_amount(0) == "۰ ریال"
    assert format_amount(999) == "۹۹۹ ریال"
    assert format_amount(-50_000, persian=False, with_unit=False) == "-50,000"
    with pytest.raises(TypeError):
        format_amount(12.5)


@pytest.mark.parametrize(
    "text, rials",
    [
        ("1250000", 1_250_000),
        ("۱٬۲۵۰٬۰۰۰", 1_250_000),
        ("١،٢٥٠،٠٠٠", 1_250_000),
        ("1,250,000", 1_250_000),
        (" 1 250 000 ", 1_250_000),
        ("۸۵۰۰۰۰ ریال", 850_000),
        ("0", 0),
        (12_000_000, 12_000_000),
        (str(MAX_RIALS), MAX_RIALS),
    ],
)
def test_parse_rials(text, rials):
    assert parse_rials(text) == rials


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "  ",
        "-5000",
        "۵۰۰۰-",
        "−5000",
        "12.5",
        "۱۲٫۵",
        "1e6",
        "12abc",
        "1-000",
        "1,5",  # a separator must stand between groups of three (issue 9, fault 8)
        "12,50,000",
        "1,250000",
        "1250,000",
        ",250",
        "250,",
        "1,,250",
        "1,250٬000",  # one kind of separator per amount
        "۱٬۵",
        "١،٥٠",
        "1 5",
        "1\u2060250",  # invisible characters are refused like bidi controls
        "12\u200b50",
        "0x10",
        "۱۲\u202e۳۴",
        "\u2066100\u2069",
        str(MAX_RIALS + 1),
        "9" * 10_000,
        "1; DROP TABLE requests",
        -1,
        12.0,
        True,
        None,
        [100],
    ],
)
def test_parse_rials_rejects(bad):
    with pytest.raises(InvalidInput) as info:
        parse_rials(bad)
    assert info.value.field == "amount"


# --- properties ------------------------------------------------------------------------------

_VALUES = {
    w: v
    for v, w in [
        (1, "یک"),
        (2, "دو"),
        (3, "سه"),
        (4, "چهار"),
        (5, "پنج"),
        (6, "شش"),
        (7, "هفت"),
        (8, "هشت"),
        (9, "نه"),
        (10, "ده"),
        (11, "یازده"),
        (12, "دوازده"),
        (13, "سیزده"),
        (14, "چهارده"),
        (15, "پانزده"),
        (16, "شانزده"),
        (17, "هفده"),
        (18, "هجده"),
        (19, "نوزده"),
        (20, "بیست"),
        (30, "سی"),
        (40, "چهل"),
        (50, "پنجاه"),
        (60, "شصت"),
        (70, "هفتاد"),
        (80, "هشتاد"),
        (90, "نود"),
        (100, "یکصد"),
        (200, "دویست"),
        (300, "سیصد"),
        (400, "چهارصد"),
        (500, "پانصد"),
        (600, "ششصد"),
        (700, "هفتصد"),
        (800, "هشتصد"),
        (900, "نهصد"),
    ]
}
_SCALES = {"هزار": 10**3, "میلیون": 10**6, "میلیارد": 10**9, "تریلیون": 10**12}


def words_to_number(text: str) -> int:
    """An independent reader of the words, to check them without trusting the writer."""
    if text == "صفر":
        return 0
    total = current = 0
    for part in text.split(" و "):
        tokens = part.split(" ")
        for tok in tokens:
            if tok in _VALUES:
                current += _VALUES[tok]
            else:
                total += current * _SCALES[tok]
                current = 0
    return total + current


amounts = st.one_of(st.integers(0, 10_000), st.integers(0, MAX_RIALS), st.integers(0, 10**9).map(lambda n: n * 1000))


@settings(deadline=None, max_examples=300)
@given(amounts)
def test_words_read_back_to_the_same_number(n):
    words = number_to_words(n)
    assert words_to_number(words) == n
    assert "  " not in words and words == words.strip()
    assert not words.startswith("و ") and " و و " not in words


@settings(deadline=None, max_examples=200)
@given(amounts, st.booleans(), st.sampled_from(["rial", "toman"]))
def test_display_parses_back(n, persian, unit):
    shown = format_amount(n, unit=unit, persian=persian, with_unit=False)
    if unit == "rial":
        assert parse_rials(shown) == n
    elif n % 10 == 0:
        assert parse_rials(shown) * 10 == n
    assert ("٬" in shown) == (persian and n >= (10_000 if unit == "toman" else 1000))
    assert not any(c in "0123456789" for c in shown) if persian else shown.isascii()


BIDI = sorted(BIDI_CONTROLS)  # equal to the design's list: checked in test_domain_text


def mixed_digits(text: str, rnd) -> str:
    return "".join(
        rnd.choice([c, "۰۱۲۳۴۵۶۷۸۹"[int(c)], "٠١٢٣٤٥٦٧٨٩"[int(c)]]) if c.isascii() and c.isdigit() else c for c in text
    )


@settings(deadline=None, max_examples=200)
@given(amounts, st.randoms())
def test_amount_in_any_digit_form_parses_and_a_bidi_control_never_does(n, rnd):
    typed = mixed_digits(rnd.choice([str(n), f"{n:,}", f"{n:,}".replace(",", "٬"), f"{n:,}".replace(",", " ")]), rnd)
    assert parse_rials(typed) == n
    pos = rnd.randint(0, len(typed))
    with pytest.raises(InvalidInput):
        parse_rials(typed[:pos] + rnd.choice(BIDI) + typed[pos:])


@settings(deadline=None, max_examples=200)
@given(st.one_of(st.text(), st.text(st.sampled_from("0123456789۰۱۲۳۴۵۶۷۸۹,٬، .-٫ریال'\u202e"), max_size=30)))
def test_any_text_is_rials_or_invalid_input(raw):
    try:
        n = parse_rials(raw)
    except InvalidInput as exc:
        assert exc.field == "amount" and exc.message
        return
    assert isinstance(n, int) and 0 <= n <= MAX_RIALS


@settings(deadline=None, max_examples=300)
@given(amounts, st.sampled_from([",", "٬", "،", " "]), st.data())
def test_a_separator_out_of_its_place_is_refused(n, sep, data):
    """`{n:,}` with the separator moved off a group boundary never parses (it used to give another number)."""
    digits = str(n)
    pos = data.draw(st.integers(1, max(1, len(digits) - 1)))
    if len(digits) < 2 or (len(digits) - pos) % 3 == 0:
        proper = f"{n:,}".replace(",", sep)
        assert parse_rials(proper) == n
        return
    with pytest.raises(InvalidInput) as info:
        parse_rials(digits[:pos] + sep + digits[pos:])
    assert "سه‌رقمی" in info.value.message
