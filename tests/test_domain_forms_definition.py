"""Checking a form definition (what `catalog import` / `catalog load` call): every refusal is a
`FormError` whose Persian problems name the field, and the sample forms of the demo catalog load."""

from __future__ import annotations

import copy
import json

import pytest

from desk_app.domain.errors import InvalidInput
from desk_app.domain.form_schema import MAX_ENUM, MAX_FIELDS, MAX_FORM_BYTES
from desk_app.domain.forms import KINDS, FormError, form_fields, form_sections, parse_form
from desk_app.paths import resources_dir

SAMPLES = json.loads((resources_dir() / "catalog" / "forms-sample.json").read_text(encoding="utf-8"))


def base() -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "father_name": {"type": "string", "title": "نام پدر", "maxLength": 100},
            "birth_date": {"type": "string", "format": "jalali-date", "title": "تاریخ تولد"},
            "passport_kind": {
                "enum": ["normal", "urgent"],
                "title": "نوع گذرنامه",
                "x-labels": {"normal": "عادی", "urgent": "فوری"},
            },
            "guardian_national_code": {"type": "string", "format": "national-code", "title": "کد ملی سرپرست"},
        },
        "required": ["father_name", "birth_date"],
        "if": {"properties": {"birth_date": {"x-age-below": 18}}, "required": ["birth_date"]},
        "then": {"required": ["guardian_national_code"]},
        "x-order": ["father_name", "birth_date", "passport_kind", "guardian_national_code"],
        "x-on-receipt": ["passport_kind"],
    }


def problems_of(form) -> list[str]:
    with pytest.raises(FormError) as exc:
        parse_form(form)
    assert isinstance(exc.value, InvalidInput)
    assert exc.value.problems and str(exc.value).startswith("فرم خدمت ایراد دارد")
    return exc.value.problems


def refused(mutate, *expected: str) -> list[str]:
    form = base()
    mutate(form)
    problems = problems_of(form)
    text = "\n".join(problems)
    for piece in expected:
        assert piece in text, f"{piece!r} not in:\n{text}"
    return problems


def test_the_base_form_and_every_sample_form_load():
    parse_form(base())
    for svc in SAMPLES["services"]:
        form = parse_form(svc["form"])
        assert form_fields(form), svc["code"]
        assert {f.kind for f in form_fields(form)} <= set(KINDS)


def test_the_samples_cover_every_format_and_kind():
    formats = {f.format for s in SAMPLES["services"] for f in form_fields(parse_form(s["form"]))}
    kinds = {f.kind for s in SAMPLES["services"] for f in form_fields(parse_form(s["form"]))}
    assert formats >= {
        "jalali-date",
        "national-code",
        "legal-id",
        "mobile",
        "postal-code",
        "sheba",
        "card",
        "ir-plate",
    }
    assert kinds == set(KINDS)


def test_not_a_valid_draft_2020_12_schema():
    refused(lambda f: f["properties"]["father_name"].update(maxLength=-3), "فیلد father_name", "JSON Schema")
    refused(lambda f: f.update(required="father_name"), "JSON Schema")
    refused(lambda f: f["properties"].update(broken=7), "فیلد broken", "JSON Schema")


def test_not_a_json_object_or_not_json_data():
    assert problems_of([1, 2])
    assert problems_of("{}")
    assert problems_of({"type": "object", "properties": {"a": {"type": "string", "title": float("nan")}}})
    assert problems_of({"type": "object", "properties": {"a": {"type": "string", "title": {1, 2}}}})


def test_not_an_object_schema():
    refused(lambda f: f.update(type="string"), '"type": "object"')
    refused(lambda f: f.pop("type"), '"type": "object"')


def test_an_unknown_format_names_the_field():
    refused(lambda f: f["properties"]["birth_date"].update(format="jalali-dat"), "فیلد birth_date", "jalali-dat")
    refused(lambda f: f["properties"]["father_name"].update(format="email"), "فیلد father_name", "email")


def test_x_order_naming_an_undefined_field():
    refused(lambda f: f["x-order"].append("mother_name"), "x-order", "mother_name")
    refused(lambda f: f["x-order"].append("father_name"), "x-order", "دو بار")


def test_required_naming_an_undefined_field():
    refused(lambda f: f["required"].append("plate"), "required", "plate")


def test_a_field_always_required_and_also_conditional():
    # the ODK failure: a field that can be hidden while it is still required blocks the save
    refused(lambda f: f["required"].append("guardian_national_code"), "فیلد guardian_national_code", "شرط")


def test_x_on_receipt_naming_an_undefined_field():
    refused(lambda f: f["x-on-receipt"].append("receipt_only"), "x-on-receipt", "receipt_only")


def test_x_labels_for_a_value_not_in_the_enum():
    refused(lambda f: f["properties"]["passport_kind"]["x-labels"].update(express="سریع"), "passport_kind", "express")
    refused(lambda f: f["properties"]["father_name"].update({"x-labels": {"a": "ب"}}), "father_name", "x-labels")
    refused(lambda f: f["properties"]["passport_kind"]["x-labels"].update(normal=""), "passport_kind", "normal")


def test_bad_enums():
    big = [f"v{i}" for i in range(MAX_ENUM + 1)]
    refused(lambda f: f["properties"]["passport_kind"].update(enum=big), "passport_kind", "بیشینه")
    refused(lambda f: f["properties"]["passport_kind"].update(enum=[]), "passport_kind")
    refused(lambda f: f["properties"]["passport_kind"].update(enum=["normal", "normal", "urgent"]), "تکراری")
    refused(lambda f: f["properties"]["passport_kind"].update(enum=["normal", 2, "urgent"]), "passport_kind")
    refused(lambda f: f["properties"]["passport_kind"].update(enum=["normal", True]), "passport_kind")
    refused(lambda f: f["properties"]["passport_kind"].update(enum=["normal", " urgent"]), "passport_kind")
    refused(lambda f: f["properties"]["passport_kind"].update(enum=["normal", "ur\u202egent"]), "نامرئی")
    parse_form(
        _with(
            lambda f: f["properties"]["passport_kind"].update(
                enum=["normal", "urgent", *(f"v{i}" for i in range(MAX_ENUM - 2))]
            )
        )
    )


def test_conditions_referencing_unknown_fields():
    refused(lambda f: f["if"]["properties"].update(age={"minimum": 18}), "شرط", "age")
    refused(lambda f: f["if"].update(required=["birth_date", "age"]), "شرط", "age")
    refused(lambda f: f["then"].update(required=["guardian_mobile"]), "شاخه", "guardian_mobile")
    refused(lambda f: f["then"].update(properties={"guardian_mobile": {}}), "شاخه", "guardian_mobile")


def test_conditions_inside_all_of_are_checked_too():
    def nested(f):
        f["allOf"] = [{"if": {"properties": {"passport_kind": {"const": "urgent"}}}, "then": {"required": ["nope"]}}]

    refused(nested, "allOf", "nope")

    def bad_value(f):
        f["allOf"] = [{"if": {"properties": {"passport_kind": {"const": "urgnt"}}}, "then": {"required": []}}]

    refused(bad_value, "urgnt")


def test_a_field_whose_visibility_depends_on_itself():
    def direct(f):
        f["allOf"] = [
            {
                "if": {
                    "properties": {"guardian_national_code": {"minLength": 1}},
                    "required": ["guardian_national_code"],
                },
                "then": {"properties": {"guardian_national_code": {}}},
            }
        ]

    refused(direct, "فیلد guardian_national_code", "چرخه")

    def through_others(f):
        props = f["properties"]
        props["a"] = {"type": "boolean", "title": "الف"}
        props["b"] = {"type": "boolean", "title": "ب"}
        props["c"] = {"type": "boolean", "title": "ج"}
        f["allOf"] = [
            {"if": {"properties": {"a": {"const": True}}, "required": ["a"]}, "then": {"required": ["b"]}},
            {"if": {"properties": {"b": {"const": True}}, "required": ["b"]}, "then": {"required": ["c"]}},
            {"if": {"properties": {"c": {"const": True}}, "required": ["c"]}, "then": {"properties": {"a": {}}}},
        ]

    problems = refused(through_others, "چرخه")
    assert any("a" in p and "b" in p and "c" in p for p in problems)

    def nested_cycle(f):  # the inner branch depends on the outer condition's field too
        f["allOf"] = [
            {
                "if": {"properties": {"passport_kind": {"const": "urgent"}}, "required": ["passport_kind"]},
                "then": {"allOf": [{"if": {"required": ["father_name"]}, "then": {"required": ["passport_kind"]}}]},
            }
        ]

    refused(nested_cycle, "passport_kind", "چرخه")


def test_an_if_must_require_the_fields_it_tests():
    # otherwise `properties` holds for an empty answer and the branch is in force before anything is typed
    problems = refused(lambda f: f["if"].pop("required"), "فیلد birth_date", "required")
    assert len(problems) == 1


def test_a_chain_of_conditions_without_a_cycle_is_fine():
    def chain(f):
        f["properties"]["a"] = {"type": "boolean", "title": "الف"}
        f["properties"]["b"] = {"type": "boolean", "title": "ب"}
        f["allOf"] = [
            {"if": {"properties": {"a": {"const": True}}, "required": ["a"]}, "then": {"required": ["b"]}},
            {"if": {"properties": {"b": {"const": True}}, "required": ["b"]}, "then": {"required": ["passport_kind"]}},
        ]

    form = parse_form(_with(chain))
    assert {f.name for f in form_fields(form) if f.conditional} == {"b", "passport_kind", "guardian_national_code"}


@pytest.mark.parametrize(
    ("where", "keyword", "value"),
    [
        ("top", "$ref", "https://example.com/other.json"),
        ("top", "$defs", {"x": {"type": "string"}}),
        ("top", "patternProperties", {"^x_": {"type": "string"}}),
        ("top", "anyOf", [{"required": ["father_name"]}]),
        ("top", "unevaluatedProperties", False),
        ("top", "dependentRequired", {"father_name": ["birth_date"]}),
        ("top", "additionalProperties", True),
        ("field", "$ref", "#/properties/birth_date"),
        ("field", "oneOf", [{"maxLength": 3}]),
        ("field", "default", "علی"),
        ("field", "const", "علی"),
        ("field", "x-colour", "red"),
        ("then", "$ref", "#"),
        ("if", "anyOf", [{"required": ["father_name"]}]),
    ],
)
def test_unsupported_schema_features_are_refused(where, keyword, value):
    def mutate(f):
        target = {"top": f, "field": f["properties"]["father_name"], "then": f["then"], "if": f["if"]}[where]
        target[keyword] = value

    refused(mutate)


@pytest.mark.parametrize(
    ("field_def", "piece"),
    [
        ({"type": "number", "title": "سن"}, "integer"),
        ({"type": "array", "title": "فهرست"}, "array"),
        ({"type": ["string", "null"], "title": "نام"}, "نوع"),
        ({"type": "string"}, "title"),
        ({"type": "string", "title": "   "}, "title"),
        ({"title": "بدون نوع"}, "type"),
        ({"type": "integer", "title": "عدد", "format": "mobile"}, "format"),
        ({"type": "string", "title": "مبلغ", "x-kind": "amount"}, "x-kind"),
        ({"type": "integer", "title": "مبلغ", "x-kind": "money"}, "x-kind"),
        ({"type": "string", "title": "متن", "maxLength": 100000}, "maxLength"),
        ({"type": "string", "title": "متن", "minLength": 5, "maxLength": 3}, "minLength"),
        ({"type": "string", "title": "متن", "pattern": "("}, "pattern"),
        ({"type": "integer", "title": "عدد", "maxLength": 3}, "maxLength"),
        ({"type": "integer", "title": "عدد", "minimum": 1.5}, "minimum"),
        ({"type": "string", "title": "متن", "minimum": 1}, "minimum"),
        ({"type": "string", "title": "متن", "x-age-below": 18}, "x-age-below"),
        ({"type": "string", "format": "jalali-date", "title": "تاریخ", "x-age-below": -1}, "x-age-below"),
        ({"type": "string", "title": "متن", "x-multiline": "yes"}, "x-multiline"),
        ({"type": "boolean", "title": "بله", "x-multiline": True}, "x-multiline"),
    ],
)
def test_bad_field_definitions_name_the_field(field_def, piece):
    refused(lambda f: f["properties"].update(extra=field_def), "فیلد extra", piece)


def test_field_names_must_be_plain_ascii_identifiers():
    refused(lambda f: f["properties"].update({"نام": {"type": "string", "title": "نام"}}), "نام فیلد")
    refused(lambda f: f["properties"].update({"Father Name": {"type": "string", "title": "نام"}}), "Father Name")


def test_limits_on_size():
    many = {f"f{i}": {"type": "string", "title": f"فیلد {i}"} for i in range(MAX_FIELDS + 1)}
    assert "بیشینه" in "\n".join(problems_of({"type": "object", "properties": many}))
    huge = base()
    huge["properties"]["father_name"]["description"] = "ب" * MAX_FORM_BYTES
    assert "بزرگ" in "\n".join(problems_of(huge))


def test_every_problem_is_reported_at_once():
    def several(f):
        f["properties"]["birth_date"]["format"] = "jalali-dat"
        f["required"].append("plate")
        f["x-order"].append("mother_name")

    problems = refused(several, "jalali-dat", "plate", "mother_name")
    assert len(problems) >= 3


def test_sections_are_checked_and_keep_display_order():
    def sections(f):
        f["x-sections"] = [
            {"title": "متقاضی", "fields": ["birth_date", "father_name"]},
            {"title": "گذرنامه", "fields": ["passport_kind"]},
        ]

    form = parse_form(_with(sections))
    got = [(s.title, [x.name for x in s.fields]) for s in form_sections(form)]
    assert got == [
        ("متقاضی", ["father_name", "birth_date"]),
        ("گذرنامه", ["passport_kind"]),
        ("سایر اطلاعات", ["guardian_national_code"]),
    ]
    refused(lambda f: f.update({"x-sections": [{"title": "الف", "fields": ["nope"]}]}), "nope")
    refused(lambda f: f.update({"x-sections": [{"fields": ["father_name"]}]}), "عنوان")
    refused(
        lambda f: f.update(
            {"x-sections": [{"title": "a", "fields": ["father_name"]}, {"title": "b", "fields": ["father_name"]}]}
        ),
        "دو بخش",
    )


def test_a_form_without_sections_is_one_section_in_display_order():
    (only,) = form_sections(parse_form(base()))
    assert [f.name for f in only.fields] == base()["x-order"]


def test_parse_form_does_not_change_the_definition_it_was_given():
    form_def = base()
    before = copy.deepcopy(form_def)
    form = parse_form(form_def)
    assert form_def == before
    assert form.to_dict() == before  # what the catalog keeps is what it was given


def _with(mutate) -> dict:
    form = base()
    mutate(form)
    return form
