"""A request's form answers as printable lines (DESIGN.md section 10): the A4 form's sections and
the receipt's `x-on-receipt` lines, made from the domain's form (labels, sections, display values).

The service layer passes the form of the version the request was made under and the answers frozen
in its payload; nothing here reads the store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from desk_app.domain.forms import Form, display_value, form_sections, receipt_fields, visible_fields
from printing.data import FieldLine, FieldSection

EMPTY = "—"


def form_sections_data(form: Form | None, answers: Mapping[str, Any], on: date | None = None) -> list[FieldSection]:
    """The sections of the A4 form: every field shown for these answers, in the form's order, with
    its answer's display value («—» when the citizen gave none); an answer the form does not know
    (none should be) under «سایر اطلاعات» by its name, so nothing frozen is left off the paper."""
    if form is None:
        extra = [FieldLine(name, str(value)) for name, value in answers.items()]
        return [FieldSection("سایر اطلاعات", tuple(extra))] if extra else []
    shown = set(visible_fields(form, answers, on=on)) | set(answers)
    out: list[FieldSection] = []
    for section in form_sections(form):
        lines = tuple(
            FieldLine(spec.title, display_value(spec, answers[spec.name]) if spec.name in answers else EMPTY, spec.ltr)
            for spec in section.fields
            if spec.name in shown
        )
        if lines:
            out.append(FieldSection(section.title, lines))
    unknown = tuple(FieldLine(n, str(v)) for n, v in answers.items() if n not in form.fields)
    if unknown:
        out.append(FieldSection("سایر اطلاعات", unknown))
    return out


def receipt_lines(form: Form | None, answers: Mapping[str, Any], on: date | None = None) -> list[FieldLine]:
    """The `x-on-receipt` answers, as the thermal and A5 receipts show them."""
    if form is None:
        return []
    return [FieldLine(d.label, d.value, d.ltr) for d in receipt_fields(form, answers, on=on)]
