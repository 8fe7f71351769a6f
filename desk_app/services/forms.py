"""Service forms for the pages (DESIGN.md section 10): what the intake and requests pages need
of the domain's form engine, and the two reads they need of the store.

The UI imports services, never the domain or the store directly, so the types a page handles
(`Form`, `FieldSpec`, `Section`, `FieldError`, `DisplayValue`) are re-exported here. Validation
is the domain's (`validate_answers`): the page checks one field as the clerk leaves it by
validating every answer and keeping that field's message, so conditions (a guardian when the
applicant is under 18) and hidden fields (neither required nor kept) are judged exactly as the
save and the server judge them.

A returning citizen's earlier answers come from the answers their earlier requests froze (the
payload's `fields`, kept with the request), newest first: what was accepted once is offered
again, never what was only typed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from desk_app.domain.errors import InvalidInput
from desk_app.domain.formats import PLATE_LETTERS, display_jalali_date, display_plate
from desk_app.domain.forms import (
    KIND_AMOUNT,
    KIND_CHOICE,
    KIND_CODE,
    KIND_DATE,
    KIND_MULTILINE,
    KIND_NUMBER,
    KIND_TEXT,
    KIND_YESNO,
    AnswersError,
    DisplayValue,
    FieldError,
    FieldSpec,
    Form,
    FormError,
    Section,
    as_form,
    display_value,
    form_fields,
    form_sections,
    parse_form,
    validate_answers,
    visible_fields,
)
from desk_app.domain.identifiers import validate_national_code
from desk_app.domain.money import format_amount
from desk_app.domain.text import to_persian_digits
from desk_app.store.models import Request

if TYPE_CHECKING:
    from desk_app.services.context import Desk

__all__ = [
    "KIND_AMOUNT",
    "KIND_CHOICE",
    "KIND_CODE",
    "KIND_DATE",
    "KIND_MULTILINE",
    "KIND_NUMBER",
    "KIND_TEXT",
    "KIND_YESNO",
    "PLATE_LETTERS",
    "AnswersError",
    "DisplayValue",
    "FieldError",
    "FieldSpec",
    "Form",
    "FormError",
    "Section",
    "all_errors",
    "display_values",
    "earlier_answers",
    "edit_text",
    "field_error",
    "field_specs",
    "parse_form",
    "request_fields",
    "sections",
    "service_form",
    "shown_fields",
]

EARLIER_REQUESTS = 20  # how many of a citizen's latest requests are read for earlier answers


def field_specs(form: Form) -> list[FieldSpec]:
    """Every field in display order (`x-order`, then the rest)."""
    return form_fields(form)


def sections(form: Form) -> list[Section]:
    """The form's sections (`x-sections`; one untitled-by-the-author section when it has none)."""
    return form_sections(form)


def shown_fields(form: Form, answers: Mapping[str, Any], on: date | None = None) -> list[str]:
    """Names of the fields shown for these answers (as typed), in display order."""
    return visible_fields(form, answers, on)


def all_errors(form: Form, answers: Mapping[str, Any], on: date | None = None) -> dict[str, str]:
    """Every bad field at once: name -> Persian message (empty: the answers are good)."""
    return {e.field: e.message for e in validate_answers(form, answers, on)}


def field_error(form: Form, name: str, answers: Mapping[str, Any], on: date | None = None) -> str | None:
    """The message for field `name` given all the answers (conditions depend on the others), or None."""
    return all_errors(form, answers, on).get(name)


def edit_text(spec: FieldSpec, value: Any) -> Any:
    """A frozen (canonical) value as an editor shows it: a Jalali date, an amount grouped and a
    number in Persian digits, a plate as written; choices and yes/no stay values."""
    if value is None:
        return None
    try:
        if spec.kind == KIND_DATE and isinstance(value, str):
            return display_jalali_date(value)
        if spec.kind == KIND_AMOUNT and isinstance(value, int) and not isinstance(value, bool):
            return format_amount(value, with_unit=False)
        if spec.kind == KIND_NUMBER and isinstance(value, int) and not isinstance(value, bool):
            return to_persian_digits(str(value))
        if spec.kind == KIND_CODE and spec.format == "ir-plate" and isinstance(value, str):
            return display_plate(value)
    except (TypeError, ValueError):
        return value
    return value


def display_values(form: Form | None, fields: Mapping[str, Any]) -> list[DisplayValue]:
    """(title, display value, ltr, name) of frozen fields, in the form's order; a field the form
    no longer defines (a catalog update removed it) is still shown, under its name."""
    specs = {} if form is None else as_form(form).fields
    out = [DisplayValue(s.title, display_value(s, fields[n]), s.ltr, n) for n, s in specs.items() if n in fields]
    for name, value in fields.items():
        if name not in specs:
            shown = "بله" if value is True else "خیر" if value is False else str(value)
            out.append(DisplayValue(name, shown, True, name))
    return out


def service_form(desk: Desk, code: str) -> Form | None:
    """The form of the catalog service `code` (None: it asks for nothing beyond the citizen)."""
    from desk_app.services import catalog

    return catalog.service_form(desk, code)


def _frozen(fields_json: str | None) -> dict[str, Any]:
    try:
        found = json.loads(fields_json) if fields_json else {}
    except (TypeError, ValueError):
        return {}
    return dict(found) if isinstance(found, dict) else {}


def earlier_answers(desk: Desk, national_code: str, limit: int = EARLIER_REQUESTS) -> dict[str, list[Any]]:
    """A citizen's frozen answers of their latest requests: field name -> distinct values, newest
    first. An invalid national code has no earlier answers."""
    try:
        code = validate_national_code(national_code)
    except InvalidInput:
        return {}
    stmt = (
        select(Request.fields_json)
        .where(Request.national_code == code, Request.fields_json.is_not(None))
        .order_by(Request.seq.desc())
        .limit(limit)
    )
    with desk.db.read() as s:
        frozen = list(s.scalars(stmt))
    found: dict[str, list[Any]] = {}
    for fields_json in frozen:
        for name, value in _frozen(fields_json).items():
            values = found.setdefault(name, [])
            if value not in values:
                values.append(value)
    return found


def request_fields(desk: Desk, request_id: str) -> list[DisplayValue]:
    """The fields a request froze, for its detail view, titled by its service's form."""
    with desk.db.read() as s:
        row = s.execute(
            select(Request.fields_json, Request.service_code).where(Request.request_id == request_id)
        ).first()
    fields = _frozen(row[0]) if row is not None else {}
    if row is None or not fields:
        return []
    try:
        form = service_form(desk, row[1])
    except InvalidInput:  # the service left the catalog: the names stand in for the titles
        form = None
    return display_values(form, fields)
