"""Service forms in the catalog (DESIGN.md section 10): a catalog service carries its `form`; the
one write path stores it (and hashes it); a bad form is refused at `desk-app catalog import` and at
`provincial-server catalog load`, naming the service and the field; `service_form` gives the parsed
form of the current version."""

from __future__ import annotations

import copy
import json

import pytest

from desk_app.cli import main
from desk_app.domain.catalog import catalog_sha256, parse_catalog
from desk_app.domain.errors import InvalidInput
from desk_app.domain.fees import CatalogError
from desk_app.domain.forms import Form
from desk_app.services import catalog
from tests.helpers.deskdata import CATALOG
from tests.helpers.server import ServerProcess

PASSPORT_FORM = {
    "type": "object",
    "properties": {
        "father_name": {"type": "string", "title": "نام پدر", "maxLength": 100},
        "birth_date": {"type": "string", "format": "jalali-date", "title": "تاریخ تولد"},
        "passport_kind": {
            "enum": ["normal", "urgent"],
            "title": "نوع گذرنامه",
            "x-labels": {"normal": "عادی", "urgent": "فوری"},
        },
        "plate": {"type": "string", "format": "ir-plate", "title": "پلاک"},
    },
    "required": ["father_name", "birth_date"],
    "x-order": ["father_name", "birth_date", "passport_kind", "plate"],
    "x-on-receipt": ["passport_kind"],
}


def with_form(form, code="2101", version=None):
    data = copy.deepcopy(CATALOG)
    if version:
        data["version"] = version
    for svc in data["services"]:
        if svc["code"] == code:
            svc["form"] = copy.deepcopy(form)
    return data


def _cycle(f):
    f["properties"]["a"] = {"type": "boolean", "title": "الف"}
    f["properties"]["b"] = {"type": "boolean", "title": "ب"}
    f["allOf"] = [
        {"if": {"properties": {"a": {"const": True}}, "required": ["a"]}, "then": {"required": ["b"]}},
        {"if": {"properties": {"b": {"const": True}}, "required": ["b"]}, "then": {"properties": {"a": {}}}},
    ]


def _set(path, value):
    def edit(f):
        node = f
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


BAD_FORMS = [
    ("unknown format", _set(("properties", "plate", "format"), "iran-plate"), ["plate", "iran-plate"]),
    ("required not defined", _set(("required",), ["father_name", "mother_name"]), ["mother_name", "required"]),
    ("x-order undefined", _set(("x-order",), ["father_name", "grandfather"]), ["grandfather", "x-order"]),
    ("x-on-receipt undefined", _set(("x-on-receipt",), ["kind"]), ["kind"]),
    ("condition cycle", _cycle, ["چرخه"]),
    ("huge enum", _set(("properties", "passport_kind", "enum"), [f"v{i}" for i in range(5000)]), ["passport_kind"]),
    ("not a schema", _set(("properties", "father_name", "maxLength"), "صد"), ["father_name"]),
    ("no title", _set(("properties", "father_name", "title"), ""), ["father_name", "عنوان"]),
]


def _bad(edit):
    form = copy.deepcopy(PASSPORT_FORM)
    edit(form)
    return with_form(form)


def test_a_service_form_is_parsed_and_kept_with_the_catalog():
    parsed = parse_catalog(with_form(PASSPORT_FORM))
    assert parsed.get("2101").form == PASSPORT_FORM
    assert parsed.get("1101").form is None
    assert "form" not in parsed.get("1101").to_dict()  # a service without a form has no form key
    assert parsed.get("2101").to_dict()["form"] == PASSPORT_FORM


@pytest.mark.parametrize(("case", "edit", "needles"), BAD_FORMS, ids=[b[0] for b in BAD_FORMS])
def test_a_bad_form_is_refused_naming_service_and_field(case, edit, needles):
    with pytest.raises(CatalogError) as err:
        parse_catalog(_bad(edit))
    problems = err.value.problems
    assert problems, case
    assert all(p.startswith("خدمت 2101: فیلد form") for p in problems), problems
    text = "\n".join(problems)
    for needle in needles:
        assert needle in text, (case, text)


def test_every_bad_form_of_a_file_is_reported_at_once():
    data = with_form({"type": "object", "properties": {"x": {"type": "string", "title": "x", "format": "nope"}}})
    data["services"][1]["form"] = {"type": "object", "properties": {}, "required": ["ghost"]}
    data["services"][2]["form"] = ["not", "an", "object"]
    with pytest.raises(CatalogError) as err:
        parse_catalog(data)
    text = "\n".join(err.value.problems)
    assert "خدمت 2101" in text and "nope" in text
    assert "خدمت 1101" in text and "ghost" in text
    assert "خدمت 3001" in text and "شیء JSON" in text


def test_the_form_is_part_of_the_content_hash():
    assert catalog_sha256(with_form(PASSPORT_FORM)) != catalog_sha256(CATALOG)
    other = copy.deepcopy(PASSPORT_FORM)
    other["properties"]["father_name"]["maxLength"] = 50
    assert catalog_sha256(with_form(other)) != catalog_sha256(with_form(PASSPORT_FORM))


def test_service_form_gives_the_parsed_form_of_the_current_version(desk):
    assert catalog.service_form(desk, "2101") is None  # the test catalog has no forms
    catalog.import_catalog(desk, with_form(PASSPORT_FORM, version="1405-09-20"))
    form = catalog.service_form(desk, "2101")
    assert isinstance(form, Form)
    assert list(form.fields) == ["father_name", "birth_date", "passport_kind", "plate"]
    assert catalog.service_form(desk, " 2101 ") is form  # normalised code; parsed once per content
    assert catalog.service_form(desk, "1101") is None
    assert catalog.get_service(desk, "2101").to_json()["form"] == PASSPORT_FORM
    with pytest.raises(InvalidInput) as err:
        catalog.service_form(desk, "7777")
    assert err.value.field == "service"

    # the same version with another form is other content: refused, the stored form stays
    other = copy.deepcopy(PASSPORT_FORM)
    del other["properties"]["plate"]
    other["x-order"].remove("plate")
    with pytest.raises(InvalidInput, match="محتوای دیگری"):
        catalog.import_catalog(desk, with_form(other, version="1405-09-20"))
    assert "plate" in catalog.service_form(desk, "2101").fields

    # a new version without the field: the service's form is the new one
    catalog.import_catalog(desk, with_form(other, version="1405-09-21"))
    assert "plate" not in catalog.service_form(desk, "2101").fields

    # a version removing the form altogether
    catalog.import_catalog(desk, with_form(None, version="1405-09-22"))
    assert catalog.service_form(desk, "2101") is None


def test_a_bad_form_leaves_the_local_catalog_as_it_was(desk):
    before = catalog.current_version(desk)
    with pytest.raises(CatalogError):
        catalog.import_catalog(desk, _bad(BAD_FORMS[0][1]))
    assert catalog.current_version(desk) == before
    assert catalog.service_form(desk, "2101") is None


def test_desk_app_catalog_import_refuses_a_bad_form(home, tmp_path, capsys):
    assert main(["--home", str(home), "init", "--office", "4512", "--office-name", "دفتر", "--device", "2"]) == 0
    f = tmp_path / "catalog.json"
    f.write_text(json.dumps(_bad(BAD_FORMS[0][1]), ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["--home", str(home), "catalog", "import", str(f)]) == 1
    err = capsys.readouterr().err
    assert "خدمت 2101" in err and "plate" in err and "iran-plate" in err

    f.write_text(json.dumps(with_form(PASSPORT_FORM), ensure_ascii=False), encoding="utf-8")
    assert main(["--home", str(home), "catalog", "import", str(f)]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "catalog", "list", "--json"]) == 0
    listed = {s["code"]: s for s in json.loads(capsys.readouterr().out)}
    assert listed["2101"]["form"] == PASSPORT_FORM and "form" not in listed["1101"]


def test_provincial_server_catalog_load_refuses_a_bad_form(tmp_path):
    srv = ServerProcess(f"sqlite:///{tmp_path / 'provincial.db'}", cwd=tmp_path)
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(_bad(_cycle), ensure_ascii=False), encoding="utf-8")
    res = srv.admin("catalog", "load", str(f), check=False)
    assert res.returncode == 1
    assert "خدمت 2101" in res.stderr and "form" in res.stderr and "چرخه" in res.stderr
    good = tmp_path / "good.json"
    good.write_text(json.dumps(with_form(PASSPORT_FORM), ensure_ascii=False), encoding="utf-8")
    assert srv.admin("catalog", "load", str(good)).returncode == 0
