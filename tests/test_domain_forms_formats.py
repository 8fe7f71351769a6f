"""The formats of DESIGN.md section 10 as jsonschema format checkers: what each accepts as typed,
the one canonical text it freezes, and what it refuses (with a Persian message)."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from desk_app.domain.errors import InvalidInput
from desk_app.domain.formats import (
    FORMAT_CHECKER,
    FORMATS,
    PLATE_LETTERS,
    convert,
    display_jalali_date,
    display_plate,
    plate_parts,
)
from desk_app.domain.identifiers import legal_id_check_digit, luhn_ok, national_code_check_digit
from desk_app.domain.text import BIDI_CONTROLS

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def national_code(first9: str) -> str:
    return first9 + str(national_code_check_digit(first9))


def legal_id(first10: str) -> str:
    return first10 + str(legal_id_check_digit(first10))


def card(first15: str) -> str:
    return next(first15 + d for d in "0123456789" if luhn_ok(first15 + d))


def sheba(bban22: str) -> str:
    check = 98 - int(bban22 + "1827" + "00") % 97
    return f"IR{check:02d}{bban22}"


NC = national_code("001234567")
SHEBA = sheba("0120000000000123456789")
CARD = card("603799123456789")
GOOD = {
    # format: [(typed, canonical), ...]
    "jalali-date": [
        ("1405/09/08", "2026-11-29"),
        ("۱۴۰۵/۰۹/۰۸", "2026-11-29"),
        ("1405-9-8", "2026-11-29"),
        ("1403/12/30", "2025-03-20"),  # 1403 is a leap year
        ("2025-03-20", "2025-03-20"),  # the frozen form is accepted as it is
    ],
    "national-code": [(NC, NC), (NC.translate(PERSIAN), NC), (f"{NC[:3]}-{NC[3:9]}-{NC[9]}", NC)],
    "legal-id": [
        (legal_id("1010123456"), legal_id("1010123456")),
        (legal_id("1010123456").translate(PERSIAN), legal_id("1010123456")),
    ],
    "mobile": [("09121234567", "09121234567"), ("+98 912 123 4567", "09121234567"), ("۰۹۱۲۱۲۳۴۵۶۷", "09121234567")],
    "postal-code": [("13185-66477", "1318566477"), ("۱۳۱۸۵۶۶۴۷۷", "1318566477")],
    "sheba": [(SHEBA, SHEBA), ("ir " + " ".join(SHEBA[i : i + 4] for i in range(2, 26, 4)), SHEBA)],
    "card": [(CARD, CARD), ("-".join(CARD[i : i + 4] for i in range(0, 16, 4)), CARD)],
    "ir-plate": [
        ("12ب345-67", "12ب345-67"),
        ("۱۲ ب ۳۴۵ ایران ۶۷", "12ب345-67"),  # Persian digits, as written on paper
        ("12 ب 345 - 67", "12ب345-67"),
        ("12ب34567", "12ب345-67"),
        ("۹۸ الف ۷۶۵ | ۴۳", "98الف765-43"),
        ("98ا76543", "98الف765-43"),  # a lone alef is the government series
        ("45ي123-21", "45ی123-21"),  # Arabic yeh typed on an Arabic keyboard
        ("45ك123-21", "45ک123-21"),
    ],
}
BAD = {
    "jalali-date": ["1404/12/30", "1405/13/01", "1405/00/10", "05/09/08", "1299/01/01", "2025-02-30", "tomorrow"],
    "national-code": ["1234567890", "1111111111", "12345"],
    "legal-id": ["10101234567" if legal_id("1010123456") != "10101234567" else "10101234568", "123"],
    "mobile": ["0212345678", "0912123456"],
    "postal-code": ["123", "1111111111"],
    "sheba": ["IR000120000000000123456789", "IR12"],
    "card": [card("603799123456789")[:-1] + str((int(card("603799123456789")[-1]) + 1) % 10)],
    "ir-plate": [
        "12x345-67",  # not a Persian letter
        "12ف345-67",  # a Persian letter, but not a plate series
        "02ب345-67",  # numbers never start with 0
        "12ب045-67",
        "12ب345-07",  # province codes are 10..99
        "1ب345-67",
        "12ب3456-78",
        "12ب345",
    ],
}


def test_the_design_formats_are_all_registered_on_one_checker():
    assert set(FORMATS) == {
        "jalali-date",
        "national-code",
        "legal-id",
        "mobile",
        "postal-code",
        "sheba",
        "card",
        "ir-plate",
    }
    assert set(FORMAT_CHECKER.checkers) == set(FORMATS)  # ours only: no stray standard formats


@pytest.mark.parametrize(("fmt", "typed", "canonical"), [(f, t, c) for f, pairs in GOOD.items() for t, c in pairs])
def test_good_values_convert_to_their_canonical_text_which_the_checker_accepts(fmt, typed, canonical):
    assert convert(fmt, typed) == canonical
    assert convert(fmt, canonical) == canonical  # idempotent
    assert FORMAT_CHECKER.conforms(canonical, fmt)
    validator = Draft202012Validator({"type": "string", "format": fmt}, format_checker=FORMAT_CHECKER)
    assert validator.is_valid(canonical)


@pytest.mark.parametrize(("fmt", "typed"), [(f, t) for f, values in BAD.items() for t in values])
def test_bad_values_are_refused_with_a_persian_message(fmt, typed):
    with pytest.raises(InvalidInput) as exc:
        convert(fmt, typed)
    assert any("\u0600" <= ch <= "\u06ff" for ch in exc.value.message)
    assert not FORMAT_CHECKER.conforms(typed, fmt)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_checker_refuses_a_valid_value_that_is_not_in_its_frozen_form(fmt):
    typed = next(t for t, c in GOOD[fmt] if t != c)
    assert not FORMAT_CHECKER.conforms(typed, fmt)  # the server only accepts what the client froze


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("bidi", sorted(BIDI_CONTROLS))
def test_a_bidi_control_inside_a_code_is_refused_not_stripped(fmt, bidi):
    _typed, canonical = GOOD[fmt][0]
    sneaky = canonical[:2] + bidi + canonical[2:]
    with pytest.raises(InvalidInput) as exc:
        convert(fmt, sneaky)
    assert exc.value.message  # Persian, names nothing secret
    assert not FORMAT_CHECKER.conforms(sneaky, fmt)


def test_leap_day_of_1403_exists_and_of_1404_does_not():
    assert convert("jalali-date", "1403/12/30") == "2025-03-20"
    with pytest.raises(InvalidInput, match="چنین روزی"):
        convert("jalali-date", "1404/12/30")


def test_every_plate_letter_is_accepted_and_displayed_in_reading_order():
    for letter in PLATE_LETTERS:
        canonical = convert("ir-plate", f"۲۳ {letter} ۴۵۶ ایران ۷۸")
        assert canonical == f"23{letter}456-78"
        assert plate_parts(canonical) == ("23", letter, "456", "78")
        assert display_plate(canonical) == f"۲۳ {letter} ۴۵۶ ایران ۷۸"


def test_a_jalali_date_is_displayed_in_jalali_with_persian_digits():
    assert display_jalali_date("2026-11-29") == "۱۴۰۵/۰۹/۰۸"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_hostile_input_gives_invalid_input_and_nothing_else(fmt):
    for hostile in ["x" * 10_000, "۱" * 10_000, "'; DROP TABLE requests; --", "\x00", "🙂" * 50]:
        with pytest.raises(InvalidInput):
            convert(fmt, hostile)
