"""Catalog import: versions kept, nothing refused silently, fee snapshots survive tariff changes."""

from __future__ import annotations

import copy
import json

import pytest

from desk_app.domain.errors import InvalidInput
from desk_app.domain.fees import CatalogError
from desk_app.services import catalog, requests
from tests.helpers.deskdata import CATALOG, register


def test_list_and_search(desk):
    assert [s.code for s in catalog.list_services(desk)] == ["1101", "2101", "3001"]
    assert [s.code for s in catalog.list_services(desk, active_only=True)] == ["1101", "2101"]
    assert [s.code for s in catalog.list_services(desk, query="گذر")] == ["2101"]
    assert [s.code for s in catalog.list_services(desk, query="كارت هوشمند")] == ["1101"]  # ك folded
    assert [s.code for s in catalog.list_services(desk, query="21")] == ["2101"]
    assert catalog.list_services(desk, query="%") == []
    s = catalog.get_service(desk, "2101")
    assert s.total == 12_850_000 and s.documents == ["کارت ملی", "شناسنامه"]


def test_same_version_same_content_is_a_no_op_other_content_is_refused(desk):
    assert catalog.import_catalog(desk, copy.deepcopy(CATALOG)).unchanged
    changed = copy.deepcopy(CATALOG)
    changed["services"][0]["fees"][0]["amount"] = 1
    with pytest.raises(InvalidInput, match="1405-09-01"):
        catalog.import_catalog(desk, changed)
    assert catalog.get_service(desk, "2101").total == 12_850_000


def test_new_version_updates_deactivates_and_old_requests_keep_their_fees(desk):
    old = register(desk, 1)
    new = copy.deepcopy(CATALOG)
    new["version"] = "1405-10-01"
    new["services"] = [new["services"][0]]
    new["services"][0]["fees"] = [{"kind": "government", "amount": 15_000_000}]
    r = catalog.import_catalog(desk, new)
    assert (r.added, r.updated, r.deactivated) == (0, 1, 1)
    assert [s.code for s in catalog.list_services(desk, active_only=True)] == ["2101"]
    assert requests.get_request(desk, old.receipt_no).total == 12_850_000
    assert requests.get_request(desk, old.receipt_no).catalog_version == "1405-09-01"
    fresh = register(desk, 2)
    assert (fresh.total, fresh.catalog_version) == (15_000_000, "1405-10-01")
    assert catalog.current_version(desk) == "1405-10-01"


@pytest.mark.parametrize(
    "content, needle",
    [
        (b"", "خالی"),
        (b"   \n", "خالی"),
        (b'{"version": "x", "services": [', "JSON"),
        ("\ufeff{}".encode(), "version"),
        (b"\xff\xfe\x00\x00", "UTF-8"),
        (json.dumps({"version": "v9", "services": []}).encode(), "هیچ خدمتی"),
    ],
)
def test_bad_catalog_files(desk, tmp_path, content, needle):
    f = tmp_path / "catalog.json"
    f.write_bytes(content)
    with pytest.raises(InvalidInput) as err:
        catalog.import_catalog(desk, f)
    assert needle in err.value.message
    assert catalog.current_version(desk) == "1405-09-01"


def test_every_problem_is_named_by_service_and_field(desk):
    bad = {
        "version": "v2",
        "services": [
            {"code": "5001", "title": "الف", "agency": "ب", "fees": [{"kind": "tip", "amount": 5}], "active": True},
            {
                "code": "5002",
                "title": "الف",
                "agency": "ب",
                "fees": [{"kind": "office", "amount": 2.5}],
                "active": True,
            },
            {"code": "5003", "title": "الف", "fees": [], "active": True},
            {"code": "5001", "title": "د", "agency": "ب", "fees": [], "active": True},
        ],
    }
    with pytest.raises(CatalogError) as err:
        catalog.import_catalog(desk, bad)
    problems = "\n".join(err.value.problems)
    for needle in ("خدمت 5001", "kind", "خدمت 5002", "amount", "خدمت 5003", "agency", "تکراری"):
        assert needle in problems
    assert catalog.current_version(desk) == "1405-09-01"
    with pytest.raises(InvalidInput, match="پیدا نشد"):
        catalog.import_catalog(desk, "/nonexistent/catalog.json")
