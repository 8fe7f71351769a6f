"""The one text normaliser (DESIGN.md section 2, Text): pinned vectors and properties."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk_app.domain.errors import InvalidInput
from desk_app.domain.text import (
    BIDI_CONTROLS,
    clean_code,
    has_bidi_controls,
    normalize_digits,
    normalize_text,
    search_key,
    to_persian_digits,
)

ZWNJ = "\u200c"
SPEC_BIDI = (
    {chr(c) for c in range(0x202A, 0x202F)}
    | {chr(c) for c in range(0x2066, 0x206A)}
    | {
        "\u200e",
        "\u200f",
        "\u061c",
    }
)


def test_bidi_control_set_is_exactly_the_design_list():
    assert BIDI_CONTROLS == SPEC_BIDI


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("علي", "علی"),  # Arabic yeh
        ("مصطفى", "مصطفی"),  # alef maksura
        ("كريم", "کریم"),  # Arabic kaf
        ("محـــمد", "محمد"),  # tatweel
        ("\ufeffرضا", "رضا"),  # BOM pasted from a CSV
        ("ب\u200dا", "با"),  # ZWJ
        ("می" + ZWNJ * 3 + "روم", "می" + ZWNJ + "روم"),  # ZWNJ kept, collapsed
        ("می " + ZWNJ + " روم", "می روم"),  # ZWNJ beside a space means nothing
        (ZWNJ + "رضا" + ZWNJ, "رضا"),
        ("ﻛﺘﺎﺏ", "کتاب"),  # presentation forms from a PDF
        ("ﻻﻟﻪ", "لاله"),  # lam-alef ligature
        ("ﯾﮏ", "یک"),  # Farsi yeh / keheh presentation forms
        ("  علی \t\n  رضایی  ", "علی رضایی"),
        ("کد \u202e0009\u202c", "کد 0009"),  # bidi override stripped from free text
        ("\u2066۱۲۳\u2069\u200f", "۱۲۳"),
        ("\u061cسلام", "سلام"),
        ("پلاک ٤٥٦", "پلاک ۴۵۶"),  # Arabic-Indic digits show as Persian ones in free text
        ("", ""),
    ],
)
def test_normalize_text_vectors(raw, expected):
    assert normalize_text(raw) == expected


def test_normalize_digits_and_back():
    assert normalize_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert normalize_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert normalize_digits("کد ۱۲a") == "کد 12a"
    assert to_persian_digits("4512-2-050908") == "۴۵۱۲-۲-۰۵۰۹۰۸"
    assert to_persian_digits("٤٥") == "۴۵"
    # the trap the design warns about: these pass isdigit() but are not ASCII
    assert "۱۲۳".isdigit() and re.fullmatch(r"\d+", "۱۲۳")
    assert not re.fullmatch(r"[0-9]+", "۱۲۳")


@pytest.mark.parametrize("ch", sorted(SPEC_BIDI))
def test_clean_code_rejects_every_bidi_control(ch):
    with pytest.raises(InvalidInput) as info:
        clean_code("0012" + ch + "345678", "national_code")
    assert info.value.field == "national_code"
    assert "جهت" in info.value.message  # Persian message
    assert str(info.value) == info.value.message


def test_clean_code_drops_spaces_and_dashes_and_maps_digits():
    assert clean_code(" ۰۰۱-۲٣4 –56\t", "x") == "0012345" + "6"
    assert clean_code("12\u200c3\u0640", "x") == "123"  # ZWNJ and tatweel carry nothing in a code


# Invisible format characters other than the bidi controls (issue 9, fault 8): removed from free
# text and search keys, refused in identifiers.
INVISIBLE = ["\u2060", *map(chr, range(0x206A, 0x2070)), "\ufff9", "\ufffa", "\ufffb", "\u200b", "\u00ad", "\u200d"]
INVISIBLE += ["\ufeff", "\u2061", "\u2064", "\u180e", "\u0600", "\u06dd", "\U000e0041", "\U0001d173"]


@pytest.mark.parametrize("ch", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_format_characters_vanish_from_names_and_are_refused_in_codes(ch):
    assert unicodedata.category(ch) == "Cf"
    assert normalize_text("علی" + ch + "رضا") == "علیرضا"
    assert search_key("محمد" + ch) == search_key("محمد")
    with pytest.raises(InvalidInput) as info:
        clean_code("0012" + ch + "345678", "national_code")
    assert info.value.field == "national_code" and "نامرئی" in info.value.message


def test_zwnj_is_the_one_format_character_that_stays_in_text():
    assert normalize_text("علی\u200cرضا") == "علی\u200cرضا"
    assert search_key("علی\u200cرضا") == search_key("علیرضا")


CF = st.characters(categories=["Cf"], exclude_characters=ZWNJ)


@pytest.mark.parametrize(
    "a, b",
    [
        ("آزاده", "ازاده"),
        ("أحمد", "احمد"),
        ("إبراهيم", "ابراهیم"),
        ("علی‌رضا", "علیرضا"),
        ("علي رضا", "علیرضا"),
        ("مُحَمَّد", "محمد"),
        ("خانۀ", "خانه"),
        ("فاطمة", "فاطمه"),
        ("ﻛﺮﻳﻢ", "کریم"),
        ("ALI Rezaei", "ali rezaei"),
        ("پلاک ۱۲", "پلاک 12"),
        ("\u202eرضا", "رضا"),
    ],
)
def test_search_key_folds_variants_together(a, b):
    assert search_key(a) == search_key(b)


def test_search_key_keeps_different_names_apart():
    assert search_key("علی") != search_key("عالی")
    assert search_key("کریم") != search_key("کرم")
    assert " " not in search_key("علی رضا") and ZWNJ not in search_key("علی‌رضا")


# --- properties ---------------------------------------------------------------------------

_interesting = st.sampled_from(
    sorted(SPEC_BIDI)
    + list("يىكـ\u200c\u200d\ufeff\u200b \t\n\u00a0")
    + list("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩0123456789")
    + list("ﻛﺘﺎﺏﻻﯾﮏﷲ")
    + list("آأإۀةئؤ\u064e\u064f\u0650\u0651\u0652\u0654")
    + list("abcAB-،.")
    + list("سلامعلیرضا")
)
text_strategy = st.one_of(st.text(_interesting, max_size=40), st.text(max_size=40))


@settings(deadline=None, max_examples=300)
@given(text_strategy)
def test_normalize_text_is_idempotent_and_clean(s):
    out = normalize_text(s)
    assert normalize_text(out) == out
    assert not has_bidi_controls(out)
    assert not set(out) & {"\u0640", "\u200d", "\ufeff", "ي", "ى", "ك"}
    assert ZWNJ * 2 not in out and "  " not in out
    assert out == out.strip() and not out.startswith(ZWNJ) and not out.endswith(ZWNJ)
    assert not re.search(r"\s", out.replace(" ", ""))  # only plain spaces remain
    assert unicodedata.normalize("NFKC", out) == out


@settings(deadline=None, max_examples=200)
@given(text_strategy)
def test_search_key_is_stable_and_digit_form_blind(s):
    key = search_key(s)
    assert search_key(key) == key
    assert search_key(to_persian_digits(s)) == key
    assert not has_bidi_controls(key) and " " not in key and ZWNJ not in key
    assert not re.search("[۰-۹٠-٩]", key)


@settings(deadline=None)
@given(st.text(st.sampled_from("0123456789"), min_size=1, max_size=20), st.randoms())
def test_persian_and_ascii_digits_are_equivalent(digits, rnd):
    mixed = "".join(rnd.choice([c, to_persian_digits(c), "٠١٢٣٤٥٦٧٨٩"[int(c)]]) for c in digits)
    assert normalize_digits(mixed) == digits
    assert clean_code(mixed, "x") == digits
    assert normalize_digits(normalize_text(mixed)) == digits


@settings(deadline=None)
@given(st.text(max_size=30), st.sampled_from(sorted(SPEC_BIDI)), st.integers(0, 30))
def test_clean_code_never_lets_a_bidi_control_through(s, ch, pos):
    pos = min(pos, len(s))
    with pytest.raises(InvalidInput):
        clean_code(s[:pos] + ch + s[pos:], "amount")


@settings(deadline=None, max_examples=300)
@given(text_strategy)
def test_normalized_text_holds_no_format_character_but_zwnj(s):
    out = normalize_text(s)
    assert all(ch == ZWNJ or unicodedata.category(ch) != "Cf" for ch in out)
    assert all(unicodedata.category(ch) != "Cf" for ch in search_key(s))


@settings(deadline=None, max_examples=300)
@given(st.text(_interesting, min_size=1, max_size=30), st.lists(st.tuples(st.integers(0, 30), CF), max_size=4))
def test_equal_names_with_invisible_characters_search_the_same(name, inserts):
    """Two names that look the same are the same name: same text, same search key."""
    dirty = name
    for pos, ch in inserts:
        pos = min(pos, len(dirty))
        dirty = dirty[:pos] + ch + dirty[pos:]
    assert normalize_text(dirty) == normalize_text(name.translate({ord(c): None for _, c in inserts}))
    assert search_key(dirty) == search_key(name.translate({ord(c): None for _, c in inserts}))


@settings(deadline=None, max_examples=200)
@given(st.text(st.sampled_from("0123456789۰۱۲۳۴۵۶۷۸۹ -"), max_size=20), CF, st.integers(0, 20))
def test_clean_code_never_lets_an_invisible_character_through(s, ch, pos):
    pos = min(pos, len(s))
    with pytest.raises(InvalidInput):
        clean_code(s[:pos] + ch + s[pos:], "national_code")
