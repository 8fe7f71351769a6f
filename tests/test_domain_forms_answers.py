"""Answers to a service form: normalising what the clerk typed, conditional fields shown and
hidden, every bad field reported at once in Persian, closed forms, freezing, and what renderers
get (kinds, receipt lines). Uses the sample forms of resources/catalog/forms-sample.json."""

from __future__ import annotations

import json
from datetime import date

import pytest

from desk_app.domain.canonical import canonical_json
from desk_app.domain.errors import InvalidInput
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
    form_fields,
    form_validator,
    freeze_answers,
    normalize_answers,
    parse_form,
    receipt_fields,
    validate_answers,
    visible_fields,
)
from desk_app.domain.identifiers import national_code_check_digit
from desk_app.domain.text import BIDI_CONTROLS
from desk_app.paths import resources_dir

SAMPLES = {
    s["code"]: s["form"]
    for s in json.loads((resources_dir() / "catalog" / "forms-sample.json").read_text(encoding="utf-8"))["services"]
}
ON = date(2026, 11, 29)  # 1405/09/08, the day the requests below are registered


def nc(first9: str) -> str:
    return first9 + str(national_code_check_digit(first9))


GUARDIAN = nc("049937089")
BUYER = nc("127654321")


@pytest.fixture(scope="module")
def passport():
    return parse_form(SAMPLES["2101"])


@pytest.fixture(scope="module")
def plate_transfer():
    return parse_form(SAMPLES["3101"])


def passport_answers(**over) -> dict:
    raw = {
        "father_name": "علي",
        "birth_date": "۱۳۷۰/۰۵/۰۵",
        "birth_place": "تبريز",
        "passport_kind": "عادی",
        "postal_code": "۵۱۶۶۶-۱۵۷۳۱",
        "address": "تبریز، خیابان امام\nکوچهٔ ۵، پلاک ۱۲",
    }
    raw.update(over)
    return raw


def errors_by_field(form, raw, on=ON) -> dict[str, str]:
    return {e.field: e.message for e in validate_answers(form, raw, on=on)}


# --- normalising ------------------------------------------------------------------------------


def test_normalising_what_the_clerk_typed(passport):
    got = normalize_answers(passport, passport_answers(emergency_mobile="+98 912 123 4567", marital_status="متاهل"))
    assert got["father_name"] == "علی"  # Arabic yeh -> Persian
    assert got["birth_place"] == "تبریز"
    assert got["birth_date"] == "1991-07-27"  # Jalali -> ISO Gregorian
    assert got["passport_kind"] == "normal"  # matched on the label
    assert got["postal_code"] == "5166615731"
    assert got["emergency_mobile"] == "09121234567"
    assert got["marital_status"] == "married"  # «متاهل» without the hamza still finds «متأهل»
    assert got["address"] == "تبریز، خیابان امام\nکوچهٔ ۵، پلاک ۱۲"  # a multi-line field keeps its lines


def test_choices_match_on_value_or_label_and_refuse_the_rest(passport):
    for typed in ("urgent", "فوری", " فوري ", "URGENT"):
        assert normalize_answers(passport, {"passport_kind": typed})["passport_kind"] == "urgent"
    errors = errors_by_field(passport, passport_answers(passport_kind="express"))
    assert list(errors) == ["passport_kind"]
    assert "«نوع گذرنامه»" in errors["passport_kind"] and "گزینه" in errors["passport_kind"]


def test_numbers_amounts_and_booleans():
    form = parse_form(SAMPLES["7103"])
    raw = {
        "receiver_name": "مریم احمدی",
        "receiver_postal_code": "1318566477",
        "receiver_address": "تهران",
        "weight_grams": "۱٬۲۵۰",
        "contents": "کتاب",
        "declared_value": "۲,۵۰۰,۰۰۰",
        "fragile": "بله",
    }
    got = freeze_answers(form, raw, on=ON)
    assert got["weight_grams"] == 1250 and got["declared_value"] == 2_500_000 and got["fragile"] is True
    for word, value in [("خیر", False), ("false", False), ("True", True), (True, True)]:
        assert freeze_answers(form, dict(raw, fragile=word), on=ON)["fragile"] is value
    errors = errors_by_field(form, dict(raw, weight_grams="2.5", declared_value="-5", fragile="شاید"))
    assert set(errors) == {"weight_grams", "declared_value", "fragile"}
    assert "«وزن بسته (گرم)»" in errors["weight_grams"]
    assert "«شکستنی است»" in errors["fragile"] and "بله یا خیر" in errors["fragile"]
    # a JSON float is never frozen, not even 2.0 (which jsonschema counts as an integer)
    errors = errors_by_field(form, dict(raw, weight_grams=1250.0, declared_value=2.5, fragile=1.0))
    assert set(errors) == {"weight_grams", "declared_value", "fragile"}
    errors = errors_by_field(form, dict(raw, weight_grams="40000"))
    assert "۳۰۰۰۰" in errors["weight_grams"]  # the form's maximum, in Persian digits


def test_empty_answers_are_absent_not_empty_strings(passport):
    got = normalize_answers(
        passport, passport_answers(emergency_mobile="  ", marital_status=None, birth_place="\u200f")
    )
    assert "emergency_mobile" not in got and "marital_status" not in got and "birth_place" not in got
    assert errors_by_field(passport, passport_answers(birth_place=" "))["birth_place"] == "«محل تولد» وارد نشده است."


def test_jalali_leap_days(passport):
    leap = passport_answers(birth_date="1403/12/30", guardian_national_code=GUARDIAN, guardian_name="حسن رضایی")
    assert freeze_answers(passport, leap, on=ON)["birth_date"] == "2025-03-20"
    errors = errors_by_field(passport, passport_answers(birth_date="1404/12/30"))
    assert errors == {"birth_date": "«تاریخ تولد»: چنین روزی در تقویم وجود ندارد."}


def test_bidi_controls_are_stripped_from_free_text_and_refused_in_codes(passport):
    got = freeze_answers(passport, passport_answers(father_name="ع\u202eلی", address="خیابان \u2067امام\u2069"), on=ON)
    assert got["father_name"] == "علی" and got["address"] == "خیابان امام"
    for bidi in sorted(BIDI_CONTROLS):
        errors = errors_by_field(passport, passport_answers(postal_code="51666" + bidi + "15731"))
        assert list(errors) == ["postal_code"], bidi
        assert "«کد پستی محل سکونت»" in errors["postal_code"] and "نامرئی" in errors["postal_code"]


def test_ten_thousand_characters_are_capped_by_max_length(passport):
    errors = errors_by_field(passport, passport_answers(father_name="ب" * 10_000))
    assert errors == {"father_name": "«نام پدر» حداکثر ۱۰۰ نویسه می‌تواند باشد؛ ۱۰۰۰۰ نویسه وارد شده است."}


def test_a_text_field_without_max_length_still_has_a_cap():
    form = parse_form({"type": "object", "properties": {"note": {"type": "string", "title": "یادداشت"}}})
    assert freeze_answers(form, {"note": "ب" * 1000}, on=ON)
    assert "حداکثر ۱۰۰۰ نویسه" in errors_by_field(form, {"note": "ب" * 10_000})["note"]


# --- conditions -------------------------------------------------------------------------------


def test_the_guardian_is_shown_and_required_only_while_the_applicant_is_under_18(passport):
    adult = passport_answers(birth_date="1370/05/05")
    minor = passport_answers(birth_date="1395/01/01")
    assert "guardian_national_code" not in visible_fields(passport, adult, on=ON)
    assert {"guardian_national_code", "guardian_name"} <= set(visible_fields(passport, minor, on=ON))
    assert errors_by_field(passport, adult) == {}
    errors = errors_by_field(passport, minor)
    assert errors == {
        "guardian_national_code": "«کد ملی پدر یا سرپرست» وارد نشده است.",
        "guardian_name": "«نام و نام خانوادگی پدر یا سرپرست» وارد نشده است.",
    }
    frozen = freeze_answers(passport, dict(minor, guardian_national_code=GUARDIAN, guardian_name="حسن رضایی"), on=ON)
    assert frozen["guardian_national_code"] == GUARDIAN


def test_changing_the_birth_date_back_to_an_adult_drops_the_guardian_answers(passport):
    typed = passport_answers(birth_date="1395/01/01", guardian_national_code=GUARDIAN, guardian_name="حسن رضایی")
    typed["birth_date"] = "1370/05/05"  # the clerk corrects the year
    frozen = freeze_answers(passport, typed, on=ON)
    assert "guardian_national_code" not in frozen and "guardian_name" not in frozen  # hidden: not kept


def test_a_hidden_field_with_a_bad_value_does_not_block_the_save(passport):
    typed = passport_answers(birth_date="1370/05/05", guardian_national_code="123")  # hidden and invalid
    assert errors_by_field(passport, typed) == {}
    assert "guardian_national_code" not in freeze_answers(passport, typed, on=ON)


def test_the_day_decides_the_age_so_client_and_server_pass_the_request_day(passport):
    minor_until = passport_answers(birth_date="1387/09/09")  # 18 on 1405/09/09, the day after ON
    assert "guardian_national_code" in visible_fields(passport, minor_until, on=ON)
    assert "guardian_national_code" not in visible_fields(passport, minor_until, on=date(2026, 11, 30))


def test_a_yes_no_field_shown_by_a_choice(passport):
    assert "spouse_consent" not in visible_fields(passport, passport_answers(marital_status="single"), on=ON)
    assert "spouse_consent" in visible_fields(passport, passport_answers(marital_status="married"), on=ON)
    frozen = freeze_answers(passport, passport_answers(marital_status="single", spouse_consent="بله"), on=ON)
    assert "spouse_consent" not in frozen


def test_then_and_else_branches():
    form = parse_form(SAMPLES["1106"])
    base = {
        "child_first_name": "آرش",
        "child_sex": "پسر",
        "birth_date": "1405/09/01",
        "birth_place": "ارومیه",
        "father_national_code": BUYER,
        "mother_national_code": GUARDIAN,
    }
    home = dict(base, home_birth="بله")
    hospital = dict(base, home_birth="خیر")
    assert set(errors_by_field(form, home)) == {"witness_national_code"}
    assert set(errors_by_field(form, hospital)) == {"birth_certificate_no"}
    assert "birth_certificate_no" not in visible_fields(form, home, on=ON)
    assert "witness_national_code" not in visible_fields(form, hospital, on=ON)
    frozen = freeze_answers(form, dict(hospital, birth_certificate_no="۱۲۳۴۵۶", witness_national_code=BUYER), on=ON)
    assert frozen["birth_certificate_no"] == "123456" and "witness_national_code" not in frozen
    future = errors_by_field(form, dict(hospital, birth_certificate_no="123456", birth_date="1405/10/01"))
    assert "«تاریخ تولد نوزاد»" in future["birth_date"]  # x-age-at-least 0: not born in the future


def test_a_dropped_answer_can_hide_the_fields_it_showed():
    form = parse_form(
        {
            "type": "object",
            "properties": {
                "a": {"type": "boolean", "title": "الف"},
                "b": {"type": "boolean", "title": "ب"},
                "c": {"type": "string", "title": "ج"},
            },
            "allOf": [
                {"if": {"properties": {"a": {"const": True}}, "required": ["a"]}, "then": {"properties": {"b": {}}}},
                {"if": {"properties": {"b": {"const": True}}, "required": ["b"]}, "then": {"required": ["c"]}},
            ],
        }
    )
    assert visible_fields(form, {"a": True, "b": True}, on=ON) == ["a", "b", "c"]
    assert visible_fields(form, {"a": False, "b": True}, on=ON) == ["a"]  # b hidden, so c hidden too
    assert freeze_answers(form, {"a": "خیر", "b": "بله", "c": "x"}, on=ON) == {"a": False}


# --- closed forms, every error at once --------------------------------------------------------


def test_closed_forms_refuse_a_field_of_another_service(passport):
    errors = errors_by_field(passport, passport_answers(plate="12ب345-67"))
    assert errors == {"plate": "فیلد «plate» در فرم این خدمت نیست (شاید از خدمت دیگری است)."}
    # an empty column of another service's field (a CSV for several services) is no answer at all
    assert errors_by_field(passport, passport_answers(plate="")) == {}


def test_every_bad_field_is_reported_at_once_in_display_order(passport):
    typed = {
        "father_name": "ب" * 500,
        "birth_date": "1404/12/30",
        "passport_kind": "express",
        "postal_code": "123",
        "emergency_mobile": "0212345678",
        "plate": "12ب345-67",
    }
    errors = validate_answers(passport, typed, on=ON)
    assert [e.field for e in errors] == [
        "father_name",
        "birth_date",
        "birth_place",
        "passport_kind",
        "postal_code",
        "address",
        "emergency_mobile",
        "plate",
    ]
    titles = {f.name: f.title for f in form_fields(passport)}
    for e in errors:
        assert e.field == "plate" or f"«{titles[e.field]}»" in e.message
    with pytest.raises(AnswersError) as exc:
        freeze_answers(passport, typed, on=ON)
    assert isinstance(exc.value, InvalidInput)
    assert exc.value.field == "father_name"
    assert exc.value.errors == errors
    assert str(exc.value).splitlines() == [e.message for e in errors]


def test_messages_never_repeat_a_national_code(plate_transfer):
    bad = "1234567890"
    for e in validate_answers(plate_transfer, {"buyer_national_code": bad}, on=ON):
        assert bad not in e.message


# --- freezing ---------------------------------------------------------------------------------


def test_freeze_of_a_plate_transfer_with_persian_digits(plate_transfer):
    raw = {
        "plate": "۱۲ ب ۳۴۵ ایران ۶۷",
        "vehicle_model": "پژو ۴۰۵",
        "chassis_no": "nas 4111 00g 123",
        "engine_no": "۱۲۴۸۷۶۵۴",
        "keep_plate": "خیر",
        "buyer_national_code": BUYER.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),
        "buyer_first_name": "رضا",
        "buyer_last_name": "كريمي",
        "buyer_mobile": "۰۹۱۴۱۲۳۴۵۶۷",
        "buyer_postal_code": "5716773985",
        "sale_date": "1405/09/01",
        "sale_price": "۱٬۲۵۰٬۰۰۰٬۰۰۰",
    }
    frozen = freeze_answers(plate_transfer, raw, on=ON)
    assert frozen == {
        "plate": "12ب345-67",
        "vehicle_model": "پژو ۴۰۵",
        "chassis_no": "NAS411100G123",
        "engine_no": "12487654",
        "keep_plate": False,
        "buyer_national_code": BUYER,
        "buyer_first_name": "رضا",
        "buyer_last_name": "کریمی",
        "buyer_mobile": "09141234567",
        "buyer_postal_code": "5716773985",
        "sale_date": "2026-11-22",
        "sale_price": 1_250_000_000,
    }
    assert freeze_answers(plate_transfer, frozen, on=ON) == frozen
    again = json.loads(canonical_json(frozen))  # what travels in the payload
    assert freeze_answers(plate_transfer, again, on=ON) == frozen
    assert form_validator(json.loads(json.dumps(SAMPLES["3101"])), on=ON).is_valid(again)


def test_a_form_given_as_a_dict_gives_the_same_result(passport):
    raw = passport_answers()
    assert freeze_answers(SAMPLES["2101"], raw, on=ON) == freeze_answers(passport, raw, on=ON)


def test_answers_that_are_not_a_mapping_are_refused(passport):
    with pytest.raises(InvalidInput):
        freeze_answers(passport, ["father_name"], on=ON)  # type: ignore[arg-type]


# --- for renderers ----------------------------------------------------------------------------


def test_field_kinds_and_direction(passport, plate_transfer):
    kinds = {f.name: (f.kind, f.ltr) for f in form_fields(passport) + form_fields(plate_transfer)}
    assert kinds["father_name"] == (KIND_TEXT, False)
    assert kinds["address"] == (KIND_MULTILINE, False)
    assert kinds["birth_date"] == (KIND_DATE, True)
    assert kinds["passport_kind"] == (KIND_CHOICE, False)
    assert kinds["spouse_consent"] == (KIND_YESNO, False)
    assert kinds["postal_code"] == (KIND_CODE, True)
    assert kinds["chassis_no"] == (KIND_CODE, True)
    assert kinds["sale_price"] == (KIND_AMOUNT, True)
    assert kinds["plate"] == (KIND_CODE, False)  # digits around a Persian letter read in order only RTL
    household = {f.name: f for f in form_fields(parse_form(SAMPLES["6104"]))}["household_size"]
    assert (household.kind, household.minimum, household.maximum) == (KIND_NUMBER, 1, 20)
    assert [f.name for f in form_fields(passport)] == SAMPLES["2101"]["x-order"]
    choices = {f.name: f for f in form_fields(passport)}["passport_kind"].choices
    assert choices == (("normal", "عادی"), ("urgent", "فوری"))
    long_text = parse_form({"type": "object", "properties": {"n": {"type": "string", "title": "ش", "maxLength": 500}}})
    assert form_fields(long_text)[0].kind == KIND_MULTILINE


def test_receipt_fields_show_labels_and_persian_display_values(plate_transfer, passport):
    frozen = freeze_answers(
        plate_transfer,
        {
            "plate": "12ب34567",
            "chassis_no": "NAS411100G123",
            "engine_no": "12487654",
            "keep_plate": True,
            "buyer_national_code": BUYER,
            "buyer_first_name": "رضا",
            "buyer_last_name": "کریمی",
            "buyer_mobile": "09141234567",
            "buyer_postal_code": "5716773985",
            "sale_date": "1405/09/01",
        },
        on=ON,
    )
    got = [(r.label, r.value, r.ltr) for r in receipt_fields(plate_transfer, frozen, on=ON)]
    assert got == [("پلاک فعلی خودرو", "۱۲ ب ۳۴۵ ایران ۶۷", False), ("پلاک برای فروشنده حفظ شود", "بله", False)]
    fines = parse_form(SAMPLES["3108"])
    lines = receipt_fields(fines, {"plate": "12ب345-67", "fine_amount": "1250000"}, on=ON)
    assert [(r.label, r.value) for r in lines][1] == ("مبلغ خلافی پرداختی (ریال)", "۱٬۲۵۰٬۰۰۰ ریال")
    birth = parse_form(SAMPLES["1106"])
    line = receipt_fields(birth, {"child_first_name": "آرش", "birth_date": "2026-11-22"}, on=ON)
    assert [(r.label, r.value, r.ltr) for r in line][1] == ("تاریخ تولد نوزاد", "۱۴۰۵/۰۹/۰۱", True)
    assert receipt_fields(passport, {}, on=ON) == []  # nothing answered, nothing printed
