"""Identifiers (DESIGN.md section 2): pinned vectors, and for every validator the same
properties: valid codes built by computing the check digit pass in any digit form with spaces
and dashes; a single changed digit fails; a bidi control anywhere fails; hostile input
(10,000 characters, SQL, random Unicode) gives InvalidInput and never another exception."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk_app.domain import identifiers as ids
from desk_app.domain.errors import InvalidInput
from desk_app.domain.identifiers import (
    mask_national_code,
    postal_code_warning,
    validate_card,
    validate_legal_id,
    validate_mobile,
    validate_national_code,
    validate_postal_code,
    validate_sheba,
)
from desk_app.domain.text import BIDI_CONTROLS

BIDI = sorted(BIDI_CONTROLS)  # equal to the design's list: checked in test_domain_text
PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
ARABIC = "٠١٢٣٤٥٦٧٨٩"
VALIDATORS = [
    validate_national_code,
    validate_legal_id,
    validate_mobile,
    validate_postal_code,
    validate_sheba,
    validate_card,
]

# --- independent reference computations (written from the published rules, not the module) --


def nc_sum(d9: str) -> int:
    return sum(int(c) * w for c, w in zip(d9, range(10, 1, -1))) % 11


def nc_check(d9: str) -> str:
    s = nc_sum(d9)
    return str(s if s < 2 else 11 - s)


def legal_sum(d10: str) -> int:
    k = int(d10[9]) + 2
    return sum((int(c) + k) * w for c, w in zip(d10, [29, 27, 23, 19, 17] * 2)) % 11


def legal_check(d10: str) -> str:
    return str(legal_sum(d10) % 10)  # 10 -> 0


def luhn_check(d15: str) -> str:
    total = 0
    for i, c in enumerate(reversed(d15)):  # these digits sit at odd positions from the right
        n = int(c) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def sheba_of(bban22: str) -> str:
    check = 98 - int(bban22 + "182700") % 97
    return f"IR{check:02d}{bban22}"


# --- pinned vectors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("1234567891", "1234567891"),
        ("0013542419", "0013542419"),
        ("13542419", "0013542419"),  # 8 digits: leading zeros restored
        ("013542419", "0013542419"),
        ("۰۰۱۳۵۴۲۴۱۹", "0013542419"),
        ("٠٠١٣٥٤٢٤١٩", "0013542419"),
        ("001-354241-9", "0013542419"),
        (" 001 354 2419 ", "0013542419"),
        ("۰۰1۳-5۴٢4 19", "0013542419"),
    ],
)
def test_national_code_vectors(raw, canonical):
    assert validate_national_code(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "1234567890",  # wrong check digit
        "1111111111",  # checksum holds but all digits the same
        "0000000000",
        "1230000003",  # checksum holds but d[3..8] all zero
        "1234567",  # 7 digits
        "12345678901",
        "",
        "   ",
        "12345678a1",
        "0013542419\u202e",
        "\u20660013542419\u2069",
        "00135.42419",
        "0013542419\n0013542419",
    ],
)
def test_national_code_rejects(raw):
    with pytest.raises(InvalidInput) as info:
        validate_national_code(raw)
    assert info.value.field == "national_code"
    assert re.search("[\u0600-\u06ff]", info.value.message)  # Persian
    assert raw.strip() == "" or raw not in info.value.message  # never echoes the code


def test_national_code_public_api_is_a_value_error():
    with pytest.raises(ValueError):
        validate_national_code("1234567890")


def test_other_vectors():
    assert validate_legal_id("10380284790") == "10380284790"
    assert validate_legal_id("۱۴۰۰۷۶۵۰۹۱۲") == "14007650912"
    assert validate_mobile("09121234567") == "09121234567"
    assert validate_mobile("+98 912 123 4567") == "09121234567"
    assert validate_mobile("0098-912-123-4567") == "09121234567"
    assert validate_mobile("989121234567") == "09121234567"
    assert validate_mobile("۹۱۲۱۲۳۴۵۶۷") == "09121234567"
    assert validate_mobile("(0912) 123 4567") == "09121234567"
    assert validate_postal_code("۱۳۱۸۹-۱۴۷۱۱") == "1318914711"
    assert validate_sheba("IR820540102680020817909002") == "IR820540102680020817909002"
    assert validate_sheba("ir06 2960 0000 0010 0324 2000 01") == "IR062960000000100324200001"
    assert validate_sheba("062960000000100324200001") == "IR062960000000100324200001"
    assert validate_card("6037-9912-3456-7893") == "6037991234567893"
    assert validate_card("۶۰۳۷ ۹۹۱۲ ۳۴۵۶ ۷۸۹۳") == "6037991234567893"


@pytest.mark.parametrize(
    "fn, raw",
    [
        (validate_legal_id, "10380284791"),
        (validate_legal_id, "1038028479"),
        (validate_mobile, "08121234567"),
        (validate_mobile, "0912123456"),
        (validate_mobile, "+1 912 123 4567"),
        (validate_mobile, "0912+1234567"),
        (validate_postal_code, "131891471"),
        (validate_postal_code, "0000000000"),
        (validate_sheba, "IR820540102680020817909003"),
        (validate_sheba, "DE820540102680020817909002"),
        (validate_sheba, "IR8205401026800208179090"),
        (validate_card, "6037991234567891"),
        (validate_card, "0000000000000000"),
        (validate_card, "603799123456789"),
    ],
)
def test_other_rejects(fn, raw):
    with pytest.raises(InvalidInput) as info:
        fn(raw)
    assert info.value.field and re.search("[\u0600-\u06ff]", info.value.message)


def test_postal_code_warning_is_only_a_warning():
    assert postal_code_warning("1318914711") is None
    assert postal_code_warning("1111914711") is not None  # four same digits first
    assert postal_code_warning("1028914711") is not None  # 0 and 2 in the first five
    assert postal_code_warning("1318514711") is not None  # 5 as the fifth digit
    assert validate_postal_code("1028914711") == "1028914711"  # still accepted


def test_mask_national_code():
    assert mask_national_code("1234567890") == "123***7890"
    assert "456" not in mask_national_code("1234567890")


# --- properties -------------------------------------------------------------------------------

digit_strings = lambda n: st.text(st.sampled_from("0123456789"), min_size=n, max_size=n)  # noqa: E731


def render(canonical: str, rnd, allow_seps: bool = True) -> str:
    """`canonical` as a user might type or paste it: digits in any script, spaces and dashes."""
    out = []
    for c in canonical:
        if c.isascii() and c.isdigit():
            c = rnd.choice([c, PERSIAN[int(c)], ARABIC[int(c)]])
        out.append(c)
        if allow_seps and c not in "IRir" and rnd.random() < 0.2:
            out.append(rnd.choice([" ", "-", " - "]))
    return rnd.choice(["", " "]) + "".join(out).strip("- ") + rnd.choice(["", " "])


def with_bidi(s: str, rnd) -> str:
    pos = rnd.randint(0, len(s))
    return s[:pos] + rnd.choice(BIDI) + s[pos:]


def mutate(code: str, rnd, positions) -> str:
    i = rnd.choice(positions)
    new = rnd.choice([d for d in "0123456789" if d != code[i]])
    return code[:i] + new + code[i + 1 :]


def with_check_digit(n: int, check, plausible=lambda code: True):
    """Strategy: `n` random digits followed by their check digit, kept if `plausible`."""
    return digit_strings(n).map(lambda d: d + check(d)).filter(lambda c: len(set(c)) > 1 and plausible(c))


def national_codes():
    return with_check_digit(9, nc_check, lambda c: c[3:9] != "000000")


def legal_ids():
    return with_check_digit(10, legal_check, lambda c: c[3:9] != "000000")


def cards():
    return with_check_digit(15, luhn_check)


@st.composite
def shebas(draw):
    return sheba_of(draw(digit_strings(22)))


@st.composite
def mobiles(draw):
    return "09" + draw(digit_strings(9))


def postal_codes():
    return digit_strings(10).filter(lambda c: len(set(c)) > 1)


CASES = [
    (validate_national_code, national_codes()),
    (validate_legal_id, legal_ids()),
    (validate_card, cards()),
    (validate_sheba, shebas()),
    (validate_mobile, mobiles()),
    (validate_postal_code, postal_codes()),
]
IDS = [fn.__name__ for fn, _ in CASES]


@pytest.mark.parametrize("fn, codes", CASES, ids=IDS)
@settings(deadline=None, max_examples=150)
@given(data=st.data())
def test_valid_codes_pass_in_every_digit_form(fn, codes, data):
    code = data.draw(codes)
    rnd = data.draw(st.randoms())
    assert fn(code) == code
    typed = render(code, rnd)
    if fn is validate_sheba and rnd.random() < 0.5:
        typed = typed.lower() if rnd.random() < 0.5 else render(code[2:], rnd)
    if fn is validate_mobile:
        typed = rnd.choice(["", "+98", "0098", "98", "+98 "]) + typed.lstrip()[1:] if rnd.random() < 0.5 else typed
    assert fn(typed) == code


@settings(deadline=None, max_examples=200)
@given(national_codes(), st.randoms())
def test_national_code_single_digit_change_is_rejected(code, rnd):
    bad = mutate(code, rnd, range(10))
    # The official check digit maps sums 1 and 10 both to 1, so a change that moves the sum
    # between them is a *valid* code by definition: the one blind spot of the algorithm.
    if (
        bad[9] == code[9]
        and {nc_sum(code[:9]), nc_sum(bad[:9])} == {1, 10}
        and len(set(bad)) > 1
        and bad[3:9] != "000000"
    ):
        assert validate_national_code(bad) == bad
        return
    with pytest.raises(InvalidInput):
        validate_national_code(bad)


@settings(deadline=None, max_examples=200)
@given(legal_ids(), st.randoms())
def test_legal_id_single_digit_change_is_rejected(code, rnd):
    bad = mutate(code, rnd, range(11))
    # likewise: sums 0 and 10 both give check digit 0
    if bad[10] == code[10] and {legal_sum(code[:10]), legal_sum(bad[:10])} == {0, 10} and bad[3:9] != "000000":
        assert validate_legal_id(bad) == bad
        return
    with pytest.raises(InvalidInput):
        validate_legal_id(bad)


@pytest.mark.parametrize("fn, codes", [(validate_card, cards()), (validate_sheba, shebas())], ids=["card", "sheba"])
@settings(deadline=None, max_examples=200)
@given(data=st.data())
def test_card_and_sheba_single_digit_change_is_rejected(fn, codes, data):
    code = data.draw(codes)
    rnd = data.draw(st.randoms())
    start = 2 if code.startswith("IR") else 0
    with pytest.raises(InvalidInput):
        fn(mutate(code, rnd, range(start, len(code))))


@pytest.mark.parametrize(
    "fn, codes", [(validate_mobile, mobiles()), (validate_postal_code, postal_codes())], ids=["mobile", "postal"]
)
@settings(deadline=None, max_examples=100)
@given(data=st.data())
def test_codes_without_check_digit_reject_a_missing_or_extra_digit(fn, codes, data):
    code = data.draw(codes)
    # position 0 of a mobile is its leading 0, which may rightly be left out (`912...`)
    i = data.draw(st.integers(1 if fn is validate_mobile else 0, len(code) - 1))
    with pytest.raises(InvalidInput):
        fn(code[:i] + code[i + 1 :])
    with pytest.raises(InvalidInput):
        fn(code[:i] + "7" + code[i:])


@pytest.mark.parametrize("fn, codes", CASES, ids=IDS)
@settings(deadline=None, max_examples=100)
@given(data=st.data())
def test_a_bidi_control_anywhere_is_rejected(fn, codes, data):
    code = data.draw(codes)
    rnd = data.draw(st.randoms())
    with pytest.raises(InvalidInput):
        fn(with_bidi(render(code, rnd), rnd))


HOSTILE = [
    "1" * 10_000,
    "۱" * 10_000,
    "0013542419" + " " * 9_990,
    "x" * 10_000,
    "' OR '1'='1",
    "0013542419' OR '1'='1",
    "0013542419; DROP TABLE citizens;",
    "1; DELETE FROM requests WHERE 1=1",
    '" UNION SELECT password_hash FROM users',
    "IR82'; --",
    "\x00" * 20,
    "𝟘𝟘𝟙𝟛𝟝𝟜𝟚𝟜𝟙𝟡",  # mathematical digits are not digits here
    "①②③④⑤⑥⑦⑧⑨⓪",
]


@pytest.mark.parametrize("fn", VALIDATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gives_invalid_input(fn, raw):
    with pytest.raises(InvalidInput):
        fn(raw)


@pytest.mark.parametrize("fn", VALIDATORS, ids=lambda f: f.__name__)
@settings(deadline=None, max_examples=150)
@given(raw=st.one_of(st.text(), st.text(st.sampled_from("0123456789۰۱۲۳۴۵۶۷۸۹ -+IRir'\";\u202e"), max_size=40)))
def test_any_text_gives_canonical_value_or_invalid_input(fn, raw):
    try:
        out = fn(raw)
    except InvalidInput as exc:
        assert exc.message and exc.field
        return
    assert re.fullmatch(r"(IR)?[0-9]+", out, re.ASCII)


@pytest.mark.parametrize("fn", VALIDATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("raw", [None, 1234567891, b"0013542419"], ids=["none", "int", "bytes"])
def test_non_text_gives_invalid_input(fn, raw):
    with pytest.raises(InvalidInput):
        fn(raw)


def test_input_length_limit_is_generous_for_real_typing():
    assert ids.MAX_INPUT_LEN >= 40
    assert validate_sheba("IR82 0540 1026 8002 0817 9090 02") == "IR820540102680020817909002"


# --- Sheba check digits (issue 9, fault 8) ---------------------------------------------------


def _bban_with_check(want: int) -> str:
    """A 22-digit BBAN whose ISO 7064 check digits are `want`."""
    for n in range(10**6):
        bban = f"0170000000{n:012d}"
        if 98 - int(bban + "182700") % 97 == want:
            return bban
    raise AssertionError(want)


@pytest.mark.parametrize("true_check, alias", [(97, "00"), (98, "01"), (2, "99")])
def test_sheba_check_digits_00_01_99_are_refused_though_mod97_passes(true_check, alias):
    bban = _bban_with_check(true_check)
    assert validate_sheba(f"IR{true_check:02d}{bban}") == f"IR{true_check:02d}{bban}"
    alias_iban = f"IR{alias}{bban}"
    assert int(bban + "1827" + alias) % 97 == 1  # the old check accepted it
    with pytest.raises(InvalidInput) as info:
        validate_sheba(alias_iban)
    assert info.value.field == "sheba" and "رقم کنترل" in info.value.message


@settings(deadline=None, max_examples=200)
@given(digit_strings(22), st.sampled_from(["00", "01", "99"]))
def test_no_sheba_with_check_digits_outside_02_98_is_valid(bban, check):
    with pytest.raises(InvalidInput):
        validate_sheba(f"IR{check}{bban}")
