"""Service forms on the real provincial server (DESIGN.md section 10): the server checks a
request's `fields` by the form of the version the request names, with the domain's own rules; a bad
field is a per-item `invalid` naming it, the same on every retry; a catalog update between intake
and sync changes nothing for the queued request."""

from __future__ import annotations

import copy

import pytest

from desk_app.services import catalog, intake, setup, sync
from desk_app.services import requests as requests_svc
from desk_app.store.models import OutboxOp
from tests.helpers.deskdata import make_desk, national_code
from tests.helpers.server import ServerProcess, make_request_op
from tests.helpers.syncdata import CATALOG as SYNC_CATALOG
from tests.test_forms_catalog import PASSPORT_FORM

V1 = "1405-09-10"
V2 = "1405-09-11"


def forms_catalog(version: str, form: dict | None) -> dict:
    data = copy.deepcopy(SYNC_CATALOG)
    data["version"] = version
    if form is not None:
        data["services"][0]["form"] = copy.deepcopy(form)  # 2101
    return data


def form_without_plate() -> dict:
    """The next version: `plate` is gone and a new required field came."""
    f = copy.deepcopy(PASSPORT_FORM)
    del f["properties"]["plate"]
    f["x-order"].remove("plate")
    f["properties"]["mother_name"] = {"type": "string", "title": "نام مادر", "maxLength": 100}
    f["required"].append("mother_name")
    return f


GOOD = {"father_name": "حسن", "birth_date": "1370/01/02", "passport_kind": "urgent", "plate": "12ب345-67"}
FROZEN = {"father_name": "حسن", "birth_date": "1991-03-22", "passport_kind": "urgent", "plate": "12ب345-67"}


@pytest.fixture
def province(tmp_path):
    srv = ServerProcess(f"sqlite:///{tmp_path / 'provincial.db'}", cwd=tmp_path)
    srv.token = srv.quick_setup({"4512": (2,)}, catalog=forms_catalog(V1, PASSPORT_FORM))[("4512", 2)]
    srv.start()
    yield srv
    srv.stop()


def _op(**overrides):
    service = forms_catalog(V1, PASSPORT_FORM)["services"][0]
    return make_request_op("4512", 2, service=service, catalog_version=V1, **overrides)


def _send(province, *ops):
    with province.client(province.token) as c:
        res = c.post("/api/v1/offices/4512/requests/batch", json={"items": list(ops)})
    assert res.status_code == 200, res.text
    return res.json()["results"]


def test_a_request_queued_under_one_form_is_accepted_after_a_catalog_update_removes_its_field(province, tmp_path):
    desk = make_desk(tmp_path / "desk")
    try:
        catalog.import_catalog(desk, forms_catalog(V1, PASSPORT_FORM))
        setup.init_office(desk, "4512", "دفتر پیشخوان آزمایشی", 2, server_url=province.url, token=province.token)
        r = intake.register_request(
            desk,
            clerk="ali",
            national_code=national_code(5),
            first_name="مریم",
            last_name="احمدی",
            service_code="2101",
            fields={**GOOD, "birth_date": "۱۳۷۰/۰۱/۰۲", "plate": "۱۲ ب ۳۴۵ ۶۷"},
        )
        assert (r.fields, r.form_version) == (FROZEN, V1)

        # the province publishes a new version: `plate` is gone, `mother_name` is now required
        province.load_catalog(forms_catalog(V2, form_without_plate()))
        outcome = sync.sync_once(desk)
        assert (outcome.report.acked, outcome.report.invalid, outcome.report.attention) == (1, 0, 0)
        assert outcome.report.catalog_version == V2  # the desk took the new catalog ...
        assert "plate" not in catalog.service_form(desk, "2101").fields
        after = requests_svc.get_request(desk, r.receipt_no)
        assert after.server_ref and (after.fields, after.form_version) == (FROZEN, V1)  # ... the request kept its own

        listed = {x["receipt_no"]: x for x in province.list_requests("4512")}
        assert listed[r.receipt_no]["fields"] == FROZEN and listed[r.receipt_no]["form_version"] == V1

        # a new request now follows the new form
        with pytest.raises(intake.AnswersError) as refused:
            intake.register_request(
                desk,
                clerk="ali",
                national_code=national_code(6),
                first_name="مریم",
                last_name="احمدی",
                service_code="2101",
                fields=GOOD,
            )
        assert {e.field for e in refused.value.errors} == {"plate", "mother_name"}
    finally:
        desk.close()


BAD_ANSWERS = [
    ("missing required", {k: v for k, v in FROZEN.items() if k != "father_name"}, "father_name", "وارد نشده"),
    ("enum not listed", {**FROZEN, "passport_kind": "diplomatic"}, "passport_kind", "گزینه"),
    ("unknown field", {**FROZEN, "mother_name": "زهرا"}, "mother_name", "در فرم این خدمت نیست"),
    ("not frozen (Jalali as typed)", {**FROZEN, "birth_date": "1370/01/02"}, "birth_date", "تاریخ تولد"),
    ("leap day of a common year", {**FROZEN, "birth_date": "1404/12/30"}, "birth_date", "تاریخ تولد"),
    ("bidi control", {**FROZEN, "father_name": "حسن\u202e"}, "father_name", "نام پدر"),
    ("10,000 characters", {**FROZEN, "father_name": "ح" * 10_000}, "father_name", "۱۰۰"),
    ("wrong type", {**FROZEN, "father_name": 12}, "father_name", "نام پدر"),
]


@pytest.mark.parametrize(("case", "fields", "name", "needle"), BAD_ANSWERS, ids=[b[0] for b in BAD_ANSWERS])
def test_a_bad_field_is_invalid_naming_it_and_stays_so_on_retry(province, case, fields, name, needle):
    bad = _op(fields=fields, form_version=V1)
    good = _op(fields=FROZEN, form_version=V1)
    first = _send(province, bad, good)
    assert first[0]["result"] == "invalid", first
    assert first[0]["code"] == f"fields.{name}" and name in first[0]["detail"] and needle in first[0]["detail"], first
    assert first[1]["result"] == "created"  # the rest of the batch commits
    again = _send(province, bad)  # the same operation again (a retry): the same answer
    assert (again[0]["result"], again[0]["code"], again[0]["detail"]) == (
        "invalid",
        first[0]["code"],
        first[0]["detail"],
    )
    province.load_catalog(forms_catalog(V2, form_without_plate()))
    later = _send(province, bad)  # a new catalog changes nothing for it either
    assert (later[0]["result"], later[0]["detail"]) == ("invalid", first[0]["detail"])


def test_fields_are_checked_by_the_version_the_request_names(province):
    province.load_catalog(forms_catalog(V2, form_without_plate()))
    v2 = {k: v for k, v in FROZEN.items() if k != "plate"} | {"mother_name": "زهرا"}
    results = _send(
        province,
        _op(fields=FROZEN, form_version=V1),  # V1's answers under V1: fine, though V2 is current
        _op(fields=v2, form_version=V2),  # V2's answers under V2
        _op(fields=v2, form_version=V1),  # V2's answers claimed under V1: mother_name is unknown there
        _op(fields=FROZEN, form_version="1405-01-01"),  # a version the province never had
    )
    assert [r["result"] for r in results] == ["created", "created", "invalid", "invalid"], results
    assert results[2]["code"] == "fields.mother_name"
    assert results[3]["code"] == "unknown_form_version"


def test_a_field_for_a_service_without_a_form_is_refused_by_name(province):
    service = forms_catalog(V1, PASSPORT_FORM)["services"][1]  # 3001: no form
    op = make_request_op("4512", 2, service=service, catalog_version=V1, fields={"father_name": "حسن"}, form_version=V1)
    [res] = _send(province, op)
    assert res["result"] == "invalid" and res["code"] == "fields.father_name" and "فرمی ندارد" in res["detail"]
    [ok] = _send(province, make_request_op("4512", 2, service=service, catalog_version=V1, fields={}, form_version=V1))
    assert ok["result"] == "created"


def test_shapes_the_form_cannot_even_read_are_invalid(province):
    cases = [
        ({"father_name": 1.5}, "fields.father_name"),
        ({"Father": "x"}, "fields._"),
        ({"father_name": ["a"]}, "fields.father_name"),
        ("not an object", "fields"),
    ]
    results = _send(province, *[_op(fields=f, form_version=V1) for f, _ in cases])
    assert [(r["result"], r["code"]) for r in results] == [("invalid", code) for _, code in cases], results


def test_a_payload_from_a_desk_before_forms_is_still_accepted(province):
    """No `fields` key at all: a desk that predates forms (its queue must still drain)."""
    [res] = _send(province, _op())
    assert res["result"] == "created"
    listed = province.list_requests("4512")
    assert listed[0]["fields"] == {} and listed[0]["form_version"] == V1


def test_the_outbox_payload_carries_the_frozen_fields_in_its_hash(tmp_path):
    import json

    from sqlalchemy import select

    from desk_app.domain.canonical import payload_sha256

    desk = make_desk(tmp_path / "desk")
    try:
        catalog.import_catalog(desk, forms_catalog(V1, PASSPORT_FORM))
        r = intake.register_request(
            desk,
            clerk="ali",
            national_code=national_code(9),
            first_name="مریم",
            last_name="احمدی",
            service_code="2101",
            fields=GOOD,
        )
        with desk.db.read() as s:
            op = s.scalar(select(OutboxOp).where(OutboxOp.request_id == r.request_id))
        payload = json.loads(op.payload)
        assert payload["fields"] == FROZEN and payload["form_version"] == V1
        assert op.payload_sha256 == payload_sha256(payload)
        changed = {**payload, "fields": {**FROZEN, "passport_kind": "normal"}}
        assert payload_sha256(changed) != op.payload_sha256
    finally:
        desk.close()
