"""Hypothesis: generated forms (types, formats, enums, required fields, if/then/else conditions)
and generated answers (good values in every typed shape, garbage, bidi controls, unknown fields).

What the server relies on: whatever the client's freeze accepts, a fresh validator built from the
same form after a JSON round trip accepts too; freezing a frozen result gives it back; and no
bidi control ever gets into a frozen answer."""

from __future__ import annotations

import json
from datetime import date

import jdatetime
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from desk_app.domain.canonical import canonical_json
from desk_app.domain.formats import FORMAT_CHECKER, PLATE_LETTERS
from desk_app.domain.forms import (
    AnswersError,
    form_validator,
    freeze_answers,
    normalize_answers,
    parse_form,
    validate_answers,
    visible_fields,
)
from desk_app.domain.identifiers import legal_id_check_digit, luhn_ok, national_code_check_digit
from desk_app.domain.text import BIDI_CONTROLS, has_bidi_controls

ON = date(2026, 11, 29)
BIDI = sorted(BIDI_CONTROLS)
TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
FORMAT_NAMES = ["jalali-date", "national-code", "legal-id", "mobile", "postal-code", "sheba", "card", "ir-plate"]
LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"

digits = st.text("0123456789", min_size=1, max_size=1)


@st.composite
def national_codes(draw):
    first9 = draw(st.text("0123456789", min_size=9, max_size=9))
    code = first9 + str(national_code_check_digit(first9))
    assume(len(set(code)) > 1 and code[3:9] != "000000")
    return code


@st.composite
def legal_ids(draw):
    first10 = draw(st.text("0123456789", min_size=10, max_size=10))
    code = first10 + str(legal_id_check_digit(first10))
    assume(len(set(code)) > 1 and code[3:9] != "000000")
    return code


@st.composite
def cards(draw):
    first15 = draw(st.text("0123456789", min_size=15, max_size=15))
    code = next(first15 + d for d in "0123456789" if luhn_ok(first15 + d))
    assume(len(set(code)) > 1)
    return code


@st.composite
def shebas(draw):
    bban = draw(st.text("0123456789", min_size=22, max_size=22))
    return f"IR{98 - int(bban + '182700') % 97:02d}{bban}"


@st.composite
def jalali_dates(draw):
    y = draw(st.integers(1300, 1499))
    m = draw(st.integers(1, 12))
    d = draw(st.integers(1, 31 if m <= 6 else 30))
    try:
        jdatetime.date(y, m, d)
    except ValueError:
        d = 29
    return f"{y}/{m:02d}/{d:02d}"


@st.composite
def plates(draw):
    two = draw(st.integers(10, 99))
    three = draw(st.integers(100, 999))
    province = draw(st.integers(10, 99))
    letter = draw(st.sampled_from(PLATE_LETTERS))
    sep = draw(st.sampled_from(["", " ", "-"]))
    return f"{two}{sep}{letter}{sep}{three}{sep}{'ایران ' if sep == ' ' else ''}{province}"


GOOD_CODES = {
    "jalali-date": jalali_dates(),
    "national-code": national_codes(),
    "legal-id": legal_ids(),
    "mobile": st.text("0123456789", min_size=9, max_size=9).map(lambda s: "09" + s),
    "postal-code": st.text("0123456789", min_size=10, max_size=10).filter(lambda s: len(set(s)) > 1),
    "sheba": shebas(),
    "card": cards(),
    "ir-plate": plates(),
}

# -- forms -------------------------------------------------------------------------------------


@st.composite
def field_defs(draw, i: int):
    kind = draw(st.sampled_from(["text", "format", "integer", "amount", "boolean", "enum", "int_enum"]))
    title = f"فیلد {i}"
    if kind == "text":
        d = {"type": "string", "title": title}
        if draw(st.booleans()):
            d["maxLength"] = draw(st.integers(3, 300))
        if draw(st.booleans()):
            d["minLength"] = draw(st.integers(0, 3))
        return d
    if kind == "format":
        return {"type": "string", "title": title, "format": draw(st.sampled_from(FORMAT_NAMES))}
    if kind in ("integer", "amount"):
        d = {"type": "integer", "title": title}
        if kind == "amount":
            d["x-kind"] = "amount"
        if draw(st.booleans()):
            d["minimum"] = draw(st.integers(0, 100))
        if draw(st.booleans()):
            d["maximum"] = draw(st.integers(100, 10**6))
        return d
    if kind == "boolean":
        return {"type": "boolean", "title": title}
    if kind == "int_enum":
        return {"enum": draw(st.lists(st.integers(0, 50), min_size=1, max_size=5, unique=True)), "title": title}
    values = draw(st.lists(st.text("abcdefgh", min_size=1, max_size=6), min_size=1, max_size=6, unique=True))
    labels = {v: f"گزینهٔ {j}" for j, v in enumerate(values) if draw(st.booleans())}
    d = {"enum": values, "title": title}
    if labels:
        d["x-labels"] = labels
    return d


def _condition_on(name: str, d: dict, draw) -> dict:
    if d.get("type") == "boolean":
        test = {"const": draw(st.booleans())}
    elif "enum" in d:
        test = {"const": draw(st.sampled_from(d["enum"]))}
    elif d.get("type") == "integer":
        test = {"minimum": draw(st.integers(0, 1000))}
    else:
        test = {"minLength": draw(st.integers(1, 5))}
    return {"properties": {name: test}, "required": [name]}


@st.composite
def forms(draw):
    n = draw(st.integers(1, 7))
    names = [f"f{i}" for i in range(n)]
    props = {name: draw(field_defs(i)) for i, name in enumerate(names)}
    schema: dict = {"type": "object", "properties": props}
    conditional: set[str] = set()
    conds = []
    for _ in range(draw(st.integers(0, 3))):
        if n < 2:
            break
        src = draw(st.integers(0, n - 2))  # a condition looks only at an earlier field: no cycles
        targets = names[src + 1 :]
        then_names = draw(st.lists(st.sampled_from(targets), max_size=2, unique=True))
        else_names = draw(st.lists(st.sampled_from(targets), max_size=2, unique=True))
        cond: dict = {"if": _condition_on(names[src], props[names[src]], draw)}
        if then_names:
            cond["then"] = (
                {"required": then_names} if draw(st.booleans()) else {"properties": dict.fromkeys(then_names, {})}
            )
        if else_names:
            cond["else"] = {"required": else_names}
        conditional |= set(then_names) | set(else_names)
        conds.append(cond)
    if conds:
        schema["allOf"] = conds
    free = [nm for nm in names if nm not in conditional]
    schema["required"] = draw(st.lists(st.sampled_from(free), unique=True)) if free else []
    if draw(st.booleans()):
        schema["x-order"] = draw(st.permutations(names))
    return schema


# -- answers -----------------------------------------------------------------------------------


def garbage():
    return st.one_of(
        st.text(max_size=30),
        st.text(LETTERS + " " + "".join(BIDI), max_size=30),
        st.integers(-5, 2000),
        st.integers(-5, 2000).map(float),  # 2.0: an integer to jsonschema, never to be frozen
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
    )


def typed_shape(text: str, draw) -> str:
    shape = draw(st.sampled_from(["ascii", "persian", "spaced", "bidi"]))
    if shape == "persian":
        return text.translate(TO_PERSIAN)
    if shape == "spaced":
        return f"  {text} "
    if shape == "bidi":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.sampled_from(BIDI)) + text[at:]
    return text


@st.composite
def answer_for(draw, d: dict):
    if draw(st.integers(0, 4)) == 0:
        return draw(garbage())
    if "enum" in d:
        labels = d.get("x-labels", {})
        v = draw(st.sampled_from(d["enum"]))
        return draw(st.sampled_from([v, str(v), labels.get(str(v), str(v))]))
    if d.get("type") == "boolean":
        return draw(st.sampled_from([True, False, "بله", "خیر", "true", "false"]))
    if d.get("type") == "integer":
        v = draw(st.integers(d.get("minimum", 0), d.get("maximum", 10**6)))
        return draw(st.sampled_from([v, str(v), f"{v:,}", str(v).translate(TO_PERSIAN)]))
    if "format" in d:
        return typed_shape(draw(GOOD_CODES[d["format"]]), draw)
    text = draw(st.text(LETTERS + " يك", min_size=d.get("minLength", 0), max_size=min(d.get("maxLength", 40), 40)))
    return typed_shape(text, draw) if text else text


@st.composite
def form_and_answers(draw):
    schema = draw(forms())
    raw = {}
    for name, d in schema["properties"].items():
        if draw(st.integers(0, 5)) > 0:
            raw[name] = draw(answer_for(d))
    if draw(st.integers(0, 9)) == 0:
        raw["other_service_field"] = draw(garbage())
    return schema, raw


def _no_bidi(values: dict) -> bool:
    return not any(isinstance(v, str) and has_bidi_controls(v) for v in values.values())


SETTINGS = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
QUICK = settings(SETTINGS, max_examples=100)


@SETTINGS
@given(form_and_answers())
def test_freeze_is_idempotent_and_the_server_accepts_what_the_client_froze(case):
    schema, raw = case
    form = parse_form(schema)
    try:
        frozen = freeze_answers(form, raw, on=ON)
    except AnswersError as exc:
        event("refused")
        assert exc.errors and exc.field == exc.errors[0].field
        assert all(e.message for e in exc.errors)
        return
    event(f"frozen with {min(len(frozen), 3)}+ answers")
    assert freeze_answers(form, frozen, on=ON) == frozen
    assert validate_answers(form, frozen, on=ON) == []
    assert set(frozen) <= set(visible_fields(form, frozen, on=ON))
    assert _no_bidi(frozen)
    assert all(isinstance(v, (str, int)) for v in frozen.values())  # bool is an int; no float, no None
    # what the server does: the payload's bytes, the form from its own stored copy of the catalog
    travelled = json.loads(canonical_json(frozen))
    server_schema = json.loads(json.dumps(schema))
    assert freeze_answers(parse_form(server_schema), travelled, on=ON) == frozen
    assert form_validator(server_schema, on=ON).is_valid(travelled)
    assert Draft202012Validator(server_schema, format_checker=FORMAT_CHECKER).is_valid(travelled)


@QUICK
@given(form_and_answers())
def test_normalisation_never_lets_a_bidi_control_through(case):
    schema, raw = case
    form = parse_form(schema)
    values = normalize_answers(form, raw)
    refused = {e.field for e in validate_answers(form, raw, on=ON)}
    shown = set(visible_fields(form, raw, on=ON))
    for name, value in values.items():
        if isinstance(value, str) and has_bidi_controls(value):
            # kept as typed only so that validation names it (a code with a bidi control is refused),
            # or the field is hidden and its answer is dropped
            assert name in refused or name not in shown


@QUICK
@given(form_and_answers())
def test_validating_raw_or_normalised_answers_gives_the_same_errors(case):
    schema, raw = case
    form = parse_form(schema)
    assert validate_answers(form, normalize_answers(form, raw), on=ON) == validate_answers(form, raw, on=ON)
