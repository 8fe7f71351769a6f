"""Intake with a service form (DESIGN.md section 10): answers normalised and frozen by the
service's form on the Tehran day, every bad field named at once, nothing written for a refused
request; `desk-app request add --field`, `request import` columns `field.NAME`; request objects
carry `fields` and `form_version`."""

from __future__ import annotations

import copy
import json
import sqlite3
from datetime import UTC, datetime

import pytest

from desk_app.cli import main
from desk_app.domain.errors import InvalidInput
from desk_app.domain.forms import AnswersError
from desk_app.services import catalog, intake, requests
from desk_app.services.context import database_path
from tests.helpers.deskdata import CATALOG, national_code
from tests.test_forms_catalog import PASSPORT_FORM

VERSION = "1405-09-20"
GUARDIAN = {  # the guardian's national code is asked for (and required) when the applicant is under 18
    "if": {"properties": {"birth_date": {"x-age-below": 18}}, "required": ["birth_date"]},
    "then": {"required": ["guardian_national_code"]},
}
URGENT = {  # the reason of an urgent passport is asked for only when it is urgent
    "if": {"properties": {"passport_kind": {"const": "urgent"}}, "required": ["passport_kind"]},
    "then": {"required": ["urgent_reason"]},
}


def form() -> dict:
    f = copy.deepcopy(PASSPORT_FORM)
    f["properties"]["guardian_national_code"] = {
        "type": "string",
        "format": "national-code",
        "title": "کد ملی پدر یا سرپرست",
    }
    f["properties"]["urgent_reason"] = {"type": "string", "title": "علت فوریت", "maxLength": 300}
    f["properties"]["has_old_passport"] = {"type": "boolean", "title": "گذرنامهٔ قبلی دارد"}
    f["x-order"] += ["guardian_national_code", "urgent_reason", "has_old_passport"]
    f["allOf"] = [GUARDIAN, URGENT]
    return f


def forms_catalog() -> dict:
    data = copy.deepcopy(CATALOG)
    data["version"] = VERSION
    data["services"][0]["form"] = form()  # 2101
    return data


@pytest.fixture
def fdesk(desk):
    catalog.import_catalog(desk, forms_catalog())
    return desk


ADULT = {"father_name": "حسن", "birth_date": "1370/01/02", "passport_kind": "normal"}
NOON = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)  # 1405/09/12 in Tehran


def reg(desk, fields, n=1, service="2101", **kw):
    return intake.register_request(
        desk,
        clerk="ali",
        national_code=national_code(n),
        first_name="مریم",
        last_name="احمدی",
        service_code=service,
        fields=fields,
        now=kw.pop("now", NOON),
        **kw,
    )


def _counts(desk):
    con = sqlite3.connect(database_path(desk.home))
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("requests", "outbox", "citizens"))
    finally:
        con.close()


def refused(desk, fields, **kw) -> dict[str, str]:
    before = _counts(desk)
    with pytest.raises(AnswersError) as err:
        reg(desk, fields, **kw)
    assert isinstance(err.value, InvalidInput) and err.value.field == err.value.errors[0].field
    assert _counts(desk) == before  # nothing written: no request, no outbox entry, no citizen
    return {e.field: e.message for e in err.value.errors}


def test_answers_are_normalised_and_frozen_with_the_form_version(fdesk):
    r = reg(fdesk, {**ADULT, "birth_date": "۱۳۷۰/۰۱/۰۲", "father_name": " حسن  ", "plate": "۱۲ ب ۳۴۵ ۶۷"})
    assert r.fields == {
        "father_name": "حسن",
        "birth_date": "1991-03-22",
        "passport_kind": "normal",
        "plate": "12ب345-67",
    }
    assert r.form_version == VERSION == r.catalog_version
    again = requests.get_request(fdesk, r.receipt_no)
    assert again.to_json()["fields"] == r.fields and again.to_json()["form_version"] == VERSION


def test_every_bad_field_is_named_at_once(fdesk):
    bad = refused(
        fdesk,
        {"birth_date": "1404/12/30", "passport_kind": "diplomatic", "mother_name": "زهرا", "plate": "12345"},
    )
    assert set(bad) == {"father_name", "birth_date", "passport_kind", "plate", "mother_name"}
    assert "وارد نشده" in bad["father_name"] and "«نام پدر»" in bad["father_name"]
    assert "«تاریخ تولد»" in bad["birth_date"]
    assert "گزینه" in bad["passport_kind"]
    assert "در فرم این خدمت نیست" in bad["mother_name"]


def test_leap_years_1403_12_30_is_a_day_1404_12_30_is_not(fdesk):
    baby = {**ADULT, "birth_date": "1403/12/30", "guardian_national_code": national_code(3)}  # a minor
    assert reg(fdesk, baby, n=2).fields["birth_date"] == "2025-03-20"
    assert set(refused(fdesk, {**ADULT, "birth_date": "1404/12/30"})) == {"birth_date"}


def test_bidi_controls_in_a_code_are_refused_and_never_frozen_in_text(fdesk):
    assert set(refused(fdesk, {**ADULT, "plate": "12\u202eب345-67"})) == {"plate"}
    r = reg(fdesk, {**ADULT, "father_name": "\u2067حسن\u2069"}, n=3)  # isolates around a name: removed
    assert r.fields["father_name"] == "حسن"


def test_ten_thousand_characters_are_refused_with_the_limit(fdesk):
    bad = refused(fdesk, {**ADULT, "father_name": "ح" * 10_000})
    assert set(bad) == {"father_name"} and "۱۰۰" in bad["father_name"]
    bad = refused(fdesk, {**ADULT, "urgent_reason": "x" * 10_000, "passport_kind": "urgent"})
    assert set(bad) == {"urgent_reason"}


def test_persian_digits_in_a_plate(fdesk):
    r = reg(fdesk, {**ADULT, "plate": "۴۵ ج ۶۷۸ ۹۱"}, n=4)
    assert r.fields["plate"] == "45ج678-91"


def test_a_field_of_another_service_and_a_service_without_a_form(fdesk):
    assert (
        "در فرم این خدمت نیست"
        in refused(fdesk, {**ADULT, "buyer_national_code": national_code(8)})["buyer_national_code"]
    )
    bad = refused(fdesk, {"father_name": "حسن"}, service="1101")  # 1101 has no form
    assert set(bad) == {"father_name"} and "فرمی ندارد" in bad["father_name"]
    r = reg(fdesk, {"father_name": "  "}, n=5, service="1101")  # an empty answer is no answer
    assert r.fields == {} and r.form_version == VERSION


def test_a_hidden_required_field_does_not_block_and_is_not_kept(fdesk):
    # an adult: the guardian is hidden, so not required; a guardian typed anyway is not kept
    r = reg(fdesk, {**ADULT, "guardian_national_code": national_code(7)}, n=6)
    assert "guardian_national_code" not in r.fields
    # a normal passport: the urgent reason is hidden and dropped
    r = reg(fdesk, {**ADULT, "urgent_reason": "سفر درمانی"}, n=7)
    assert "urgent_reason" not in r.fields


def test_conditions_that_are_in_force_require_their_fields(fdesk):
    child = {**ADULT, "birth_date": "1395/05/05"}  # ten years old on 1405/09/12
    assert set(refused(fdesk, child)) == {"guardian_national_code"}
    r = reg(fdesk, {**child, "guardian_national_code": national_code(9)}, n=8)
    assert r.fields["guardian_national_code"] == national_code(9)
    assert set(refused(fdesk, {**ADULT, "passport_kind": "فوری"})) == {"urgent_reason"}  # label matches
    r = reg(fdesk, {**ADULT, "passport_kind": "فوری", "urgent_reason": "سفر درمانی"}, n=9)
    assert r.fields["passport_kind"] == "urgent"


def test_the_age_is_taken_on_the_requests_tehran_day(fdesk):
    turns_18 = {**ADULT, "birth_date": "1387/09/12"}  # 18 on 1405/09/12
    assert reg(fdesk, turns_18, n=10).fields["birth_date"] == "2008-12-02"
    day_before = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # 1405/09/11: still 17
    assert set(refused(fdesk, turns_18, now=day_before)) == {"guardian_national_code"}


def test_yes_no_answers(fdesk):
    assert reg(fdesk, {**ADULT, "has_old_passport": "بله"}, n=11).fields["has_old_passport"] is True
    assert reg(fdesk, {**ADULT, "has_old_passport": "false"}, n=12).fields["has_old_passport"] is False
    assert "بله یا خیر" in refused(fdesk, {**ADULT, "has_old_passport": "شاید"})["has_old_passport"]


def test_register_many_takes_fields_and_undoes_a_bad_row_alone(fdesk):
    base = {"first_name": "مریم", "last_name": "احمدی", "mobile": None, "service_code": "2101"}
    forms = [
        {**base, "national_code": national_code(20), "fields": ADULT},
        {**base, "national_code": national_code(21), "fields": {"passport_kind": "x"}},
        {**base, "national_code": national_code(22)},  # no fields at all: the required ones are missing
    ]
    results = dict(intake.register_many(fdesk, "ali", forms))
    assert results[0].fields["birth_date"] == "1991-03-22"
    assert isinstance(results[1], AnswersError) and {e.field for e in results[1].errors} == {
        "father_name",
        "birth_date",
        "passport_kind",
    }
    assert isinstance(results[2], AnswersError)


# ---------------------------------------------------------------- the command line


@pytest.fixture
def cli_home(fdesk):
    return fdesk.home


def cli(capsys, home, *argv):
    code = main(["--home", str(home), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def add_args(n, *fields):
    args = ["request", "add", "--national-code", national_code(n), "--first-name", "مریم", "--last-name", "احمدی"]
    args += ["--service", "2101", "--clerk", "ali", "--json"]
    for f in fields:
        args += ["--field", f]
    return args


def test_request_add_with_fields(cli_home, capsys):
    code, out, err = cli(
        capsys,
        cli_home,
        *add_args(30, "father_name=حسن", "birth_date=۱۳۷۰/۰۱/۰۲", "passport_kind=normal", "has_old_passport=خیر"),
    )
    assert code == 0, err
    obj = json.loads(out)
    assert obj["fields"] == {
        "father_name": "حسن",
        "birth_date": "1991-03-22",
        "passport_kind": "normal",
        "has_old_passport": False,
    }
    assert obj["form_version"] == VERSION
    code, out, _ = cli(capsys, cli_home, "request", "list", "--json")
    assert json.loads(out)[0]["fields"] == obj["fields"] and json.loads(out)[0]["form_version"] == VERSION


def test_request_add_with_a_bad_field_is_exit_1_naming_it(cli_home, capsys):
    code, out, err = cli(capsys, cli_home, *add_args(31, "father_name=حسن", "birth_date=1404/12/30"))
    assert code == 1 and out == ""
    assert "birth_date" in err and "«تاریخ تولد»" in err and "passport_kind" not in err
    code, out, err = cli(capsys, cli_home, *add_args(31, "father_name=حسن", "birth_date=1370/01/01", "colour=red"))
    assert code == 1 and "colour" in err and "در فرم این خدمت نیست" in err
    code, out, err = cli(capsys, cli_home, *add_args(31, "father_name"))
    assert code == 1 and "NAME=VALUE" in err
    code, out, err = cli(capsys, cli_home, *add_args(31, "father_name=a", "father_name=b"))
    assert code == 1 and "دو بار" in err
    code, out, _ = cli(capsys, cli_home, "request", "list", "--json")
    assert json.loads(out) == []  # nothing was registered


def test_request_import_with_field_columns(cli_home, capsys, tmp_path):
    f = tmp_path / "in.csv"
    header = "national_code,first_name,last_name,mobile,service,payment,payment_ref"
    header += ",field.father_name,field.birth_date,field.passport_kind"
    rows = [
        f"{national_code(40)},مریم,احمدی,,2101,cash,,حسن,۱۳۷۰/۰۱/۰۲,فوری",  # urgent without its reason
        f"{national_code(41)},مریم,احمدی,,2101,cash,,حسن,1370/01/02,normal",
        f"{national_code(42)},مریم,احمدی,,2101,cash,,,1404/12/30,normal",
        f"{national_code(43)},مریم,احمدی,,1101,cash,,,,",  # no form, empty cells: fine
    ]
    f.write_text("\ufeff" + header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = cli(capsys, cli_home, "request", "import", str(f), "--clerk", "ali", "--json")
    assert code == 1
    report = json.loads(out)
    assert [c["line"] for c in report["created"]] == [3, 5]
    assert report["created"][0]["fields"]["birth_date"] == "1991-03-22"
    errors = {(e["line"], e["field"]) for e in report["errors"]}
    assert errors == {(2, "field.urgent_reason"), (4, "field.father_name"), (4, "field.birth_date")}
    assert all(e["message"] for e in report["errors"])
    assert "«تاریخ تولد»" in err


def test_request_show_lists_the_answers(cli_home, capsys):
    code, out, _ = cli(
        capsys, cli_home, *add_args(32, "father_name=حسن", "birth_date=1370/01/02", "passport_kind=normal")
    )
    receipt = json.loads(out)["receipt_no"]
    code, out, _ = cli(capsys, cli_home, "request", "show", receipt)
    assert code == 0 and "father_name: حسن" in out and "birth_date: 1991-03-22" in out
    code, out, _ = cli(capsys, cli_home, "request", "show", receipt, "--json")
    assert json.loads(out)["fields"]["passport_kind"] == "normal"
