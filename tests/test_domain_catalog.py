"""The catalog file (DESIGN.md "Catalog file"): the demo catalog, its JSON Schema, and every
kind of broken file giving a Persian problem that names the service and the field."""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import subprocess
import sys

import pytest

from desk_app.domain.catalog import Catalog, FeeLine, catalog_json_schema, catalog_sha256, parse_catalog
from desk_app.domain.errors import InvalidInput
from desk_app.domain.fees import FEE_KINDS, REQUIRED_SERVICE_FIELDS, CatalogError, fee_snapshot, fees_total
from desk_app.domain.text import normalize_text
from desk_app.paths import resources_dir
from tests.helpers.tools import require_module

CATALOG_DIR = resources_dir() / "catalog"


def demo() -> dict:
    return json.loads((CATALOG_DIR / "demo-catalog.json").read_text(encoding="utf-8"))


@functools.cache
def _schema_text() -> str:
    return (CATALOG_DIR / "catalog.schema.json").read_text(encoding="utf-8")


def schema() -> dict:
    return json.loads(_schema_text())


@functools.cache
def _validator():
    return require_module("jsonschema_rs", "jsonschema-rs (installed with schemathesis)").validator_for(schema())


def schema_validator():
    require_module("jsonschema_rs", "jsonschema-rs (installed with schemathesis)")  # skip/fail each time
    return _validator()


GOOD = {
    "version": "1405-09-01",
    "services": [
        {
            "code": "2101",
            "title": "صدور گذرنامه",
            "agency": "پلیس گذرنامه",
            "fees": [{"kind": "government", "amount": 12000000}, {"kind": "office", "amount": 850000}],
            "documents": ["کارت ملی", "شناسنامه"],
            "active": True,
        },
        {
            "code": "7101",
            "title": "ارسال مرسوله سفارشی",
            "agency": "شرکت ملی پست",
            "fees": [{"kind": "postage", "amount": 350000}],
            "active": False,
        },
    ],
}


# --- the demo catalog ------------------------------------------------------------------------


def test_demo_catalog_parses_and_is_a_real_office_list():
    cat = parse_catalog(demo())
    assert cat.version == "1405-09-15"
    assert len(cat.services) >= 40
    assert sum(s.form is not None for s in cat.services) >= 30  # the forms their agencies ask for
    assert all(re.fullmatch(r"[0-9]{4}", s.code) for s in cat.services)
    inactive = [s for s in cat.services if not s.active]
    assert 1 <= len(inactive) < len(cat.services) // 4
    everything = " ".join(s.title + " " + s.agency for s in cat.services)
    for word in [
        "گذرنامه",
        "کارت هوشمند ملی",
        "تعویض پلاک",
        "سند مالکیت خودرو",
        "گواهینامه رانندگی",
        "نظام وظیفه",
        "مالیات",
        "تأمین اجتماعی",
        "مرسوله",
        "قبض",
        "اسناد و املاک",
        "ثنا",
        "ثبت احوال",
        "یارانه",
        "بهزیستی",
        "جهاد کشاورزی",
        "روستاییان",
    ]:
        assert word in everything, word
    kinds = {f.kind for s in cat.services for f in s.fees}
    assert kinds == set(FEE_KINDS)
    for s in cat.services:
        assert s.title == normalize_text(s.title) and s.agency == normalize_text(s.agency)
        assert 0 < s.total < 100_000_000, s.code  # plausible counter amounts in rials
    # the file on disk is already in canonical text form: parsing changes nothing
    assert cat.to_dict() == {
        **demo(),
        "services": [{**s, "documents": s.get("documents", [])} for s in demo()["services"]],
    }


def test_schema_is_valid_json_and_agrees_with_the_parser():
    sch = schema()
    assert sch["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(sch["required"]) == {"version", "services"}
    service = sch["$defs"]["Service"]
    assert tuple(service["required"]) == REQUIRED_SERVICE_FIELDS
    assert service.get("additionalProperties", True) is not False  # more fields may be added
    fee = sch["$defs"]["FeeLine"]
    assert tuple(fee["properties"]["kind"]["enum"]) == FEE_KINDS
    assert fee["properties"]["amount"]["type"] == "integer" and fee["properties"]["amount"]["minimum"] == 0


def test_checked_in_schema_is_the_one_generated_from_the_models(tmp_path):
    """One declaration: the file in resources/ is what scripts/catalog_schema.py makes of the models."""
    assert schema() == catalog_json_schema()
    script = CATALOG_DIR.parent.parent / "scripts" / "catalog_schema.py"
    ok = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # the check fails on a file edited by hand (run against a copy of the tree's script and schema)
    copy_root = tmp_path / "tree"
    (copy_root / "scripts").mkdir(parents=True)
    (copy_root / "resources" / "catalog").mkdir(parents=True)
    (copy_root / "scripts" / "catalog_schema.py").write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    edited = schema()
    edited["$defs"]["FeeLine"]["properties"]["kind"]["enum"].append("tip")
    (copy_root / "resources" / "catalog" / "catalog.schema.json").write_text(json.dumps(edited), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(CATALOG_DIR.parent.parent)}
    bad = subprocess.run(
        [sys.executable, str(copy_root / "scripts" / "catalog_schema.py"), "--check"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 1 and "catalog_schema.py" in bad.stdout


def test_content_hash_is_the_canonical_json_of_the_file_as_given():
    doc = copy.deepcopy(GOOD)
    assert catalog_sha256(doc) == catalog_sha256(json.loads(json.dumps(doc, indent=3)))  # layout does not count
    reordered = {"services": doc["services"], "version": doc["version"]}
    assert catalog_sha256(reordered) == catalog_sha256(doc)  # key order does not count
    assert catalog_sha256({**doc, "published_at": "2026-11-22"}) != catalog_sha256(doc)  # content does


def _broken_documents():
    """(description, document, service code or None, field) for files both must refuse."""
    out = []
    for field in REQUIRED_SERVICE_FIELDS:
        d = copy.deepcopy(GOOD)
        del d["services"][0][field]
        out.append((f"missing {field}", d, None if field == "code" else "2101", field))
    for amount in [1.5, True, -1, "850000", None, 10**14]:
        d = copy.deepcopy(GOOD)
        d["services"][0]["fees"][1]["amount"] = amount
        out.append((f"amount {amount!r}", d, "2101", "fees[1].amount"))
    d = copy.deepcopy(GOOD)
    d["services"][1]["fees"][0]["kind"] = "tip"
    out.append(("unknown kind", d, "7101", "fees[0].kind"))
    d = copy.deepcopy(GOOD)
    d["services"][1]["active"] = "yes"
    out.append(("active not bool", d, "7101", "active"))
    d = copy.deepcopy(GOOD)
    d["services"][1]["title"] = ""
    out.append(("empty title", d, "7101", "title"))
    d = copy.deepcopy(GOOD)
    d["services"][0]["documents"] = "کارت ملی"
    out.append(("documents not a list", d, "2101", "documents"))
    d = copy.deepcopy(GOOD)
    d["services"][0]["fees"] = {"kind": "office", "amount": 1}
    out.append(("fees not a list", d, "2101", "fees"))
    d = copy.deepcopy(GOOD)
    d["services"][0]["code"] = 2101
    out.append(("numeric code", d, None, "code"))
    d = copy.deepcopy(GOOD)
    del d["version"]
    out.append(("no version", d, None, "version"))
    return out


BROKEN = _broken_documents()


@pytest.mark.parametrize("what, doc, code, field", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_names_service_and_field_in_persian(what, doc, code, field):
    with pytest.raises(CatalogError) as info:
        parse_catalog(doc)
    err = info.value
    assert isinstance(err, InvalidInput) and err.problems
    problem = next((p for p in err.problems if field in p), None)
    assert problem is not None, err.problems
    if code:
        assert f"خدمت {code}" in problem
    assert re.search("[\u0600-\u06ff]{3}", problem)  # Persian words around the names
    assert problem in err.message


@pytest.mark.parametrize("what, doc, code, field", BROKEN, ids=[b[0] for b in BROKEN])
def test_schema_refuses_the_same_files(what, doc, code, field):
    jsonschema_rs = require_module("jsonschema_rs", "jsonschema-rs (installed with schemathesis)")
    validator = jsonschema_rs.validator_for(schema())
    assert not validator.is_valid(doc), what


def test_schema_accepts_the_demo_and_a_minimal_file():
    jsonschema_rs = require_module("jsonschema_rs", "jsonschema-rs (installed with schemathesis)")
    validator = jsonschema_rs.validator_for(schema())
    assert validator.is_valid(demo())
    assert validator.is_valid(GOOD)
    assert validator.is_valid({**GOOD, "published_at": "2026-11-22"})  # more fields may be added


def test_duplicate_code_and_all_problems_at_once():
    d = copy.deepcopy(GOOD)
    d["services"].append(copy.deepcopy(d["services"][0]))
    d["services"][1]["fees"][0]["amount"] = 3.5
    with pytest.raises(CatalogError) as info:
        parse_catalog(d)
    problems = info.value.problems
    assert any("2101" in p and "تکراری" in p for p in problems)
    assert any("7101" in p and "amount" in p for p in problems)


@pytest.mark.parametrize(
    "doc", [None, [], "catalog", {"version": "1", "services": {}}, {"version": "1", "services": [3]}]
)
def test_not_a_catalog(doc):
    with pytest.raises(CatalogError):
        parse_catalog(doc)


def test_text_is_normalised_and_extra_fields_are_allowed():
    d = copy.deepcopy(GOOD)
    d["services"][0]["title"] = " صدور  گذرنامه\u202b "
    d["services"][0]["agency"] = "پليس گذرنامه"
    d["services"][0]["note"] = "ignored"
    cat = parse_catalog(d)
    assert cat.services[0].title == "صدور گذرنامه"
    assert cat.services[0].agency == "پلیس گذرنامه"
    assert cat.services[1].documents == ()  # documents is optional


def test_fee_snapshot_and_total():
    cat = parse_catalog(GOOD)
    passport = cat.get("2101")
    assert passport is not None and cat.get("9999") is None
    assert fee_snapshot(passport) == [{"kind": "government", "amount": 12000000}, {"kind": "office", "amount": 850000}]
    assert fees_total(passport.fees) == passport.total == 12_850_000
    assert fees_total(fee_snapshot(passport)) == 12_850_000
    assert fees_total([]) == 0
    snap = fee_snapshot(passport)
    snap[0]["amount"] = 1  # a snapshot is a copy: editing it leaves the service alone
    assert passport.fees[0] == FeeLine(kind="government", amount=12000000)
    assert isinstance(parse_catalog(cat.to_dict()), Catalog) and parse_catalog(cat.to_dict()) == cat


# --- properties: the parser never crashes, and agrees with the schema ---------------------------

from hypothesis import event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

MISSING = object()
# field -> (good values, bad values); a generated service breaks at most two fields
_POOL = {
    "code": (["2101", "0001", "A-12"], ["", "21 01", 2101, None, MISSING]),
    "title": (["صدور گذرنامه", " کارت  ملی "], ["", "   ", 5, None, MISSING]),
    "agency": (["پلیس"], ["", ["پلیس"], MISSING]),
    "active": ([True, False], ["true", 1, None, MISSING]),
    "documents": ([[], ["کارت ملی"], MISSING], ["کارت ملی", [""], [1], [" "]]),
    "kind": (["government", "office", "postage"], ["tip", "", None, MISSING]),
    "amount": ([0, 1, 850000, 10**13], [10**13 + 1, -1, True, False, 1.5, "5", None, MISSING]),
    "fees": ([], [{}, None, MISSING]),  # good fees are generated below
    "version": (["1405-09-01", "v2"], ["", "  ", 1405]),
}


@st.composite
def near_catalogs(draw):
    broken = draw(st.sets(st.sampled_from(sorted(_POOL)), max_size=2))

    def value(field):
        good, bad = _POOL[field]
        return draw(st.sampled_from(bad if field in broken else good))

    fees = [{"kind": value("kind"), "amount": value("amount")} for _ in range(draw(st.integers(0, 3)))]
    fees = [{k: v for k, v in f.items() if v is not MISSING} for f in fees]
    service = {k: value(k) for k in ["code", "title", "agency", "active", "documents"]}
    service["fees"] = value("fees") if "fees" in broken else fees
    service = {k: v for k, v in service.items() if v is not MISSING}
    fixed = copy.deepcopy(GOOD["services"][1])
    fixed["code"] = "9999"
    return {"version": value("version"), "services": [fixed, service]}


@settings(deadline=None, max_examples=300)
@given(near_catalogs())
def test_parser_and_schema_agree(doc):
    validator = schema_validator()
    try:
        parse_catalog(doc)
        parsed = True
    except CatalogError as exc:
        parsed = False
        assert exc.problems
    assert parsed == validator.is_valid(doc), doc
    event("accepted" if parsed else "refused")


json_any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["version", "services", "code", "title", "agency", "fees", "active", "documents", "kind", "amount", "x"]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(deadline=None, max_examples=120)
@given(json_any)
def test_any_json_gives_a_catalog_or_catalog_error(doc):
    try:
        parse_catalog(doc)
    except CatalogError as exc:
        assert exc.problems and all(isinstance(p, str) for p in exc.problems)
