"""Service forms (DESIGN.md section 10): the pure engine the catalog, intake, the server, the UI
and printing share. No I/O, no Qt.

- `parse_form(schema) -> Form` checks a definition (`FormError` with `.problems`, see form_schema).
- `normalize_answers(form, raw)`: what the clerk typed -> canonical values (text normalised,
  codes through their validators, Jalali dates to ISO Gregorian, numbers and amounts to int,
  yes/no to bool, choices matched on value or label). A value that cannot be normalised is kept
  as typed, so nothing is lost and validation names it.
- `visible_fields(form, answers)`: a field is shown when it is unconditional or a branch in
  force names it; hidden fields are neither required nor kept.
- `validate_answers(form, answers) -> [FieldError]`: every bad field at once, in Persian, named
  by its title; fields the form does not define are refused (forms are closed).
- `freeze_answers(form, raw)`: normalise, drop hidden, validate, return the canonical dict for
  the payload, or `AnswersError` (`.field` = the first bad field, `.errors` = all of them).

Validation is `jsonschema` (draft 2020-12) with the project's `FORMAT_CHECKER` and two keywords
of ours, `x-age-below` / `x-age-at-least` (age in whole Jalali years of a `jalali-date` field on a
reference day `on`). Every function taking `on` uses it only for those keywords; the client
passes the request's Tehran day and the server the day of the request it validates, so both
get the same result for the same (form, answers, day). Freezing a frozen result returns it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import jdatetime
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import extend

from desk_app.domain.canonical import canonical_json
from desk_app.domain.errors import InvalidInput
from desk_app.domain.form_schema import (
    DEFAULT_MULTILINE_MAX_LENGTH,
    KIND_AMOUNT,
    KIND_CHOICE,
    KIND_CODE,
    KIND_DATE,
    KIND_MULTILINE,
    KIND_NUMBER,
    KIND_TEXT,
    KIND_YESNO,
    KINDS,
    MAX_ENUM,
    MAX_FIELDS,
    Branch,
    Condition,
    FieldSpec,
    FormError,
    Section,
    check_definition,
    fa,
)
from desk_app.domain.formats import FORMAT_CHECKER, FORMATS, display_jalali_date, display_plate
from desk_app.domain.jalali import today_tehran
from desk_app.domain.money import format_amount, parse_rials
from desk_app.domain.text import clean_code, normalize_text, search_key, to_persian_digits

__all__ = [
    "FORMAT_CHECKER",
    "KINDS",
    "KIND_AMOUNT",
    "KIND_CHOICE",
    "KIND_CODE",
    "KIND_DATE",
    "KIND_MULTILINE",
    "KIND_NUMBER",
    "KIND_TEXT",
    "KIND_YESNO",
    "MAX_ENUM",
    "MAX_FIELDS",
    "AnswersError",
    "DisplayValue",
    "FieldError",
    "FieldSpec",
    "Form",
    "FormError",
    "Section",
    "as_form",
    "check_answers",
    "display_value",
    "form_fields",
    "form_sections",
    "form_validator",
    "freeze_answers",
    "normalize_answers",
    "parse_form",
    "receipt_fields",
    "validate_answers",
    "visible_fields",
]

TRUE_WORDS = frozenset({"true", "بله", "yes", "1", "آری", "بلی"})
FALSE_WORDS = frozenset({"false", "خیر", "no", "0", "نه"})
_MAX_NUMBER_TEXT = 40
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class FieldError(NamedTuple):
    field: str
    message: str  # Persian, names the field by its title


class DisplayValue(NamedTuple):
    label: str
    value: str
    ltr: bool  # render left-to-right (codes, numbers, dates)
    name: str


class AnswersError(InvalidInput):
    """Answers a form refuses: `.field` is the first bad field, `.errors` every `FieldError`."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("\n".join(e.message for e in errors), errors[0].field)
        self.errors = errors


# --- validators -------------------------------------------------------------------------------


def _age(iso: str, on: date) -> int | None:
    try:
        born = jdatetime.date.fromgregorian(date=date.fromisoformat(iso))
    except (TypeError, ValueError):
        return None
    today = jdatetime.date.fromgregorian(date=on)
    return int(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


@functools.lru_cache(maxsize=16)
def _validator_class(on: date) -> type:
    """Draft 2020-12 plus our age keywords, evaluated on the day `on`."""

    def age_below(validator: Any, limit: int, instance: Any, schema: Any) -> Iterable[ValidationError]:
        if isinstance(instance, str):
            age = _age(instance, on)
            if age is None or age >= limit:
                yield ValidationError(f"age is not below {limit}")

    def age_at_least(validator: Any, limit: int, instance: Any, schema: Any) -> Iterable[ValidationError]:
        if isinstance(instance, str):
            age = _age(instance, on)
            if age is None or age < limit:
                yield ValidationError(f"age is below {limit}")

    keywords = {"x-age-below": age_below, "x-age-at-least": age_at_least}
    validator_class: type = extend(Draft202012Validator, keywords)  # type: ignore[no-untyped-call]  # unannotated in types-jsonschema
    return validator_class


def form_validator(schema: Mapping[str, Any], on: date | None = None) -> Any:
    """A jsonschema validator for `schema` with the project's formats and age keywords.

    This is the plain validator, without the limits `Form` adds; `Form.validator(on)` is the one
    answers are checked by. Both accept every frozen answer set of the form."""
    return _validator_class(on or today_tehran())(schema, format_checker=FORMAT_CHECKER)


@dataclass(frozen=True)
class _Node:
    test: Any  # validator of the `if`
    then: tuple[frozenset[str], tuple[_Node, ...]] | None
    otherwise: tuple[frozenset[str], tuple[_Node, ...]] | None


def _nodes(conditions: tuple[Condition, ...], cls: type) -> tuple[_Node, ...]:
    def branch(b: Branch | None) -> tuple[frozenset[str], tuple[_Node, ...]] | None:
        return None if b is None else (b.names, _nodes(b.conditions, cls))

    return tuple(
        _Node(cls(c.if_schema, format_checker=FORMAT_CHECKER), branch(c.then), branch(c.otherwise)) for c in conditions
    )


class Form:
    """A checked form definition. `schema` is the definition as given (what the catalog keeps);
    `fields` its fields in display order (`x-order`, then the rest)."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        definition = check_definition(schema)
        self.schema: dict[str, Any] = json.loads(json.dumps(schema))
        self.fields: dict[str, FieldSpec] = definition.fields
        self.receipt: tuple[str, ...] = definition.receipt
        self.sections: tuple[Section, ...] = definition.sections
        self._conditions = definition.conditions
        self._effective = definition.effective
        self._unconditional = frozenset(n for n, f in self.fields.items() if not f.conditional)
        self._by_day: dict[date, tuple[Any, tuple[_Node, ...]]] = {}

    def to_dict(self) -> dict[str, Any]:
        copy: dict[str, Any] = json.loads(json.dumps(self.schema))
        return copy

    def _validators(self, on: date | None) -> tuple[Any, tuple[_Node, ...]]:
        day = on or today_tehran()
        got = self._by_day.get(day)
        if got is None:
            cls = _validator_class(day)
            got = (cls(self._effective, format_checker=FORMAT_CHECKER), _nodes(self._conditions, cls))
            if len(self._by_day) > 8:
                self._by_day.clear()
            self._by_day[day] = got
        return got

    def validator(self, on: date | None = None) -> Any:
        """The validator answers are checked by (closed, with default limits)."""
        return self._validators(on)[0]

    def shown(self, values: Mapping[str, Any], on: date | None = None) -> set[str]:
        """Names of the fields shown for these (normalised) values."""
        shown = set(self._unconditional)

        def walk(nodes: tuple[_Node, ...]) -> None:
            for node in nodes:
                branch = node.then if node.test.is_valid(values) else node.otherwise
                if branch is not None:
                    shown.update(branch[0])
                    walk(branch[1])

        walk(self._validators(on)[1])
        return shown


@functools.lru_cache(maxsize=128)
def _cached_form(key: bytes) -> Form:
    return Form(json.loads(key))


def parse_form(schema: Any) -> Form:
    """A checked `Form`, or `FormError` whose `.problems` name each bad field in Persian."""
    return Form(schema)


def as_form(form: Form | Mapping[str, Any]) -> Form:
    """`form` itself, or the (cached) parsed form of a definition dict."""
    if isinstance(form, Form):
        return form
    if not isinstance(form, Mapping):
        raise FormError(["فرم: فرم باید یک شیء JSON (طرح‌وارهٔ JSON Schema) باشد."])
    try:
        key = canonical_json(dict(form))
    except (TypeError, ValueError):
        return Form(form)  # raises the FormError
    return _cached_form(key)


# --- normalising ------------------------------------------------------------------------------

_ABSENT = object()


def _parse_integer(text: str) -> int:
    if len(text) > _MAX_NUMBER_TEXT:
        raise InvalidInput("عدد بیش از حد طولانی است.")
    s = text.strip()
    negative = s[:1] in ("-", "\u2212")
    s = clean_code(s[1:] if negative else s, "value")  # bidi -> error; Persian digits; no spaces
    for sep in (",", "\u066c", "\u060c"):
        s = s.replace(sep, "")
    if not s.isascii() or not s.isdigit():
        raise InvalidInput("باید عدد صحیح (بدون اعشار) باشد.")
    return -int(s) if negative else int(s)


def _normalize_value(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """(canonical value or _ABSENT, None) or (the value as typed, Persian reason)."""
    if value is None:
        return _ABSENT, None
    kind = spec.kind
    if isinstance(value, float):  # JSON 2.0 passes as an integer in jsonschema: never freeze a float
        return value, "باید عدد صحیح (بدون اعشار) باشد." if kind in (KIND_NUMBER, KIND_AMOUNT, KIND_CHOICE) else None
    if isinstance(value, str):
        if len(value) > 4 * (spec.max_length or DEFAULT_MULTILINE_MAX_LENGTH) + 64:
            return value, None  # far over its limit: maxLength refuses it as typed, no use normalising
        text = normalize_text(value)
        if not text:
            return _ABSENT, None  # empty (or only spaces / invisible characters) is not an answer
        if kind == KIND_TEXT:
            return text, None
    try:
        if kind in (KIND_TEXT, KIND_MULTILINE):
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value), None
            if not isinstance(value, str):
                return value, None
            lines = [normalize_text(line) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
            out: list[str] = []
            for line in lines:
                if line or (out and out[-1]):
                    out.append(line)
            return "\n".join(out).strip("\n"), None
        if kind in (KIND_CODE, KIND_DATE):
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                return value, None
            if spec.format is None:  # x-kind: code (a chassis number, a licence number...)
                return clean_code(value, spec.name).translate(_ASCII_UPPER), None
            return FORMATS[spec.format].convert(value), None
        if kind == KIND_NUMBER:
            return (_parse_integer(value), None) if isinstance(value, str) else (value, None)
        if kind == KIND_AMOUNT:
            return (parse_rials(value), None) if isinstance(value, str) else (value, None)
        if kind == KIND_YESNO:
            if isinstance(value, str):
                word = normalize_text(value).lower()
                if word in TRUE_WORDS:
                    return True, None
                if word in FALSE_WORDS:
                    return False, None
                return normalize_text(value), "باید بله یا خیر باشد."
            return value, None
        if kind == KIND_CHOICE:
            return _match_choice(spec, value)
    except InvalidInput as exc:
        return value, exc.message
    return value, None


def _match_choice(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return value, None
    values = [v for v, _ in spec.choices]
    if value in values:
        return value, None
    text = normalize_text(str(value))
    key = search_key(text)
    for v, label in spec.choices:
        if text == str(v) or text == label:
            return v, None
    for v, label in spec.choices:
        if key == search_key(str(v)) or key == search_key(label):
            return v, None
    return text, "این گزینه در فهرست گزینه‌های این فیلد نیست."


def _normalize(form: Form, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    if not isinstance(raw, Mapping):
        raise InvalidInput("پاسخ‌های فرم باید مجموعه‌ای از نام فیلد و مقدار باشد.", "fields")
    for key, value in raw.items():
        name = str(key)
        spec = form.fields.get(name)
        if spec is None:  # not in this form: kept (normalised) so that validation refuses it
            if isinstance(value, str):
                value = normalize_text(value)
                if not value:
                    continue
            if value is None:
                continue
            values[name] = value
            continue
        got, reason = _normalize_value(spec, value)
        if got is _ABSENT:
            continue
        values[name] = got
        if reason:
            reasons[name] = reason
    ordered = {n: values[n] for n in form.fields if n in values}
    ordered.update((n, v) for n, v in values.items() if n not in form.fields)
    return ordered, reasons


def normalize_answers(form: Form | Mapping[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical values of what was typed; empty answers left out; a value that cannot be
    normalised (a bad national code, an unknown choice) kept as typed for validation to name."""
    return _normalize(as_form(form), raw)[0]


def _drop_hidden(form: Form, values: dict[str, Any], on: date | None) -> set[str]:
    """Drops hidden fields until what is left is all shown (a dropped answer can hide more)."""
    while True:
        shown = form.shown(values, on)
        hidden = [n for n in values if n in form.fields and n not in shown]
        if not hidden:
            return shown
        for n in hidden:
            del values[n]


def visible_fields(form: Form | Mapping[str, Any], answers: Mapping[str, Any], on: date | None = None) -> list[str]:
    """Names of the fields shown for these answers (raw or normalised), in display order."""
    f = as_form(form)
    values, _ = _normalize(f, answers)
    shown = _drop_hidden(f, values, on)
    return [n for n in f.fields if n in shown]


# --- validating -------------------------------------------------------------------------------

_TYPE_FA = {"string": "متن", "integer": "عدد صحیح", "boolean": "بله یا خیر"}


def _message(form: Form, name: str, err: ValidationError) -> str:
    spec = form.fields[name]
    t = f"«{spec.title}»"
    kw = err.validator
    v: Any = err.validator_value  # the keyword's value in the schema: set on every error a keyword makes
    if kw == "format":
        cause = err.cause
        if isinstance(cause, InvalidInput):
            return f"{t}: {cause.message}"
        return f"{t} به شکل ذخیره‌شدهٔ {FORMATS[v].label_fa} نیست."
    if kw == "type":
        return f"{t} باید {_TYPE_FA.get(v, str(v))} باشد."
    if kw in ("enum", "const"):
        return f"{t}: این گزینه در فهرست گزینه‌های این فیلد نیست."
    if kw == "maxLength":
        n = len(err.instance) if isinstance(err.instance, str) else 0
        return f"{t} حداکثر {fa(v)} نویسه می‌تواند باشد؛ {fa(n)} نویسه وارد شده است."
    if kw == "minLength":
        return f"{t} دست‌کم {fa(v)} نویسه باید باشد."
    if kw == "pattern":
        custom = err.schema.get("x-message") if isinstance(err.schema, Mapping) else None
        return f"{t}: {normalize_text(custom)}" if custom else f"{t} به شکل درست وارد نشده است."
    if kw == "minimum":
        return f"{t} نباید کمتر از {fa(v)} باشد."
    if kw == "maximum":
        return f"{t} نباید بیشتر از {fa(v)} باشد."
    if kw == "exclusiveMinimum":
        return f"{t} باید بیشتر از {fa(v)} باشد."
    if kw == "exclusiveMaximum":
        return f"{t} باید کمتر از {fa(v)} باشد."
    if kw == "x-age-below":
        return f"{t}: سن متقاضی برای این خدمت باید کمتر از {fa(v)} سال باشد."
    if kw == "x-age-at-least":
        return f"{t}: سن متقاضی برای این خدمت باید دست‌کم {fa(v)} سال باشد."
    return f"{t} معتبر نیست."


def _errors(form: Form, values: dict[str, Any], reasons: Mapping[str, str], on: date | None) -> list[FieldError]:
    found = {n: f"«{form.fields[n].title}»: {r}" for n, r in reasons.items() if n in values}
    for err in form.validator(on).iter_errors(values):
        path = list(err.absolute_path)
        if path:
            name = str(path[0])
            if name in form.fields and name not in found:
                found[name] = _message(form, name, err)
        elif err.validator == "required":
            for name in err.validator_value:
                if name not in values and name not in found and name in form.fields:
                    found[name] = f"«{form.fields[name].title}» وارد نشده است."
        elif err.validator == "additionalProperties":
            for name in values:
                if name not in form.fields and name not in found:
                    found[name] = f"فیلد «{name}» در فرم این خدمت نیست (شاید از خدمت دیگری است)."
    order = {n: i for i, n in enumerate(form.fields)}
    names = sorted(found, key=lambda n: (order.get(n, len(order)), n))
    return [FieldError(n, found[n]) for n in names]


def _run(form: Form, raw: Mapping[str, Any], on: date | None) -> tuple[dict[str, Any], list[FieldError]]:
    values, reasons = _normalize(form, raw)
    _drop_hidden(form, values, on)
    return values, _errors(form, values, reasons, on)


def validate_answers(
    form: Form | Mapping[str, Any], answers: Mapping[str, Any], on: date | None = None
) -> list[FieldError]:
    """Every bad field at once (empty list: the answers are good). Hidden fields are neither
    required nor checked; fields the form does not define are refused. Works on raw answers too
    (it normalises first), so the UI can call it as the clerk leaves a field."""
    f = as_form(form)
    return _run(f, answers, on)[1]


check_answers = validate_answers


def freeze_answers(form: Form | Mapping[str, Any], raw: Mapping[str, Any], on: date | None = None) -> dict[str, Any]:
    """The canonical answers to freeze in the payload (hidden fields dropped), or `AnswersError`."""
    f = as_form(form)
    values, errors = _run(f, raw, on)
    if errors:
        raise AnswersError(errors)
    return values


# --- for renderers ----------------------------------------------------------------------------


def form_fields(form: Form | Mapping[str, Any]) -> list[FieldSpec]:
    """Every field in display order (`x-order`, then the others in `properties` order)."""
    return list(as_form(form).fields.values())


def form_sections(form: Form | Mapping[str, Any]) -> list[Section]:
    """The A4 form's sections (`x-sections`), then the fields no section names under «سایر اطلاعات».
    A form without `x-sections` is one section titled «مشخصات درخواست»."""
    f = as_form(form)
    if not f.sections:
        return [Section("مشخصات درخواست", tuple(f.fields.values()))]
    placed = {spec.name for s in f.sections for spec in s.fields}
    rest = tuple(spec for n, spec in f.fields.items() if n not in placed)
    return [*f.sections, *([Section("سایر اطلاعات", rest)] if rest else [])]


def display_value(spec: FieldSpec, value: Any) -> str:
    """How a frozen value is shown on screen and paper: Persian digits for numbers, amounts and
    dates; codes in their ASCII canonical form (render them left-to-right); a plate as it is
    written in Persian text; the label of a choice; بله/خیر."""
    if value is None:
        return ""
    kind = spec.kind
    if kind == KIND_YESNO:
        return "بله" if value is True else "خیر" if value is False else str(value)
    if kind == KIND_CHOICE:
        return next((label for v, label in spec.choices if v == value), str(value))
    if kind == KIND_AMOUNT and isinstance(value, int):
        return format_amount(value)
    if kind == KIND_NUMBER:
        return to_persian_digits(str(value))
    try:
        if kind == KIND_DATE:
            return display_jalali_date(value)
        if kind == KIND_CODE and spec.format == "ir-plate":
            return display_plate(value)
    except (TypeError, ValueError):
        return str(value)
    return str(value)


def receipt_fields(
    form: Form | Mapping[str, Any], answers: Mapping[str, Any], on: date | None = None
) -> list[DisplayValue]:
    """(label, display value, ltr, name) of the `x-on-receipt` fields that have a shown answer."""
    f = as_form(form)
    values, _ = _normalize(f, answers)
    _drop_hidden(f, values, on)
    out: list[DisplayValue] = []
    for name in f.receipt:
        spec = f.fields[name]
        if name in values:
            out.append(DisplayValue(spec.title, display_value(spec, values[name]), spec.ltr, name))
    return out
