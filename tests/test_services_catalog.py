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


# --- one write path, one hash ----------------------------------------------------------------

# Not in canonical text form (ي, doubled space, no `documents`, an extra field): the file's own
# content hash and a hash of the parsed catalog differ, so the test sees which one is stored.
RAW = {
    "version": "1405-10-15",
    "published_at": "2026-12-05",
    "services": [
        {
            "code": "2101",
            "title": "صدور  گذرنامه",
            "agency": "پليس گذرنامه",
            "fees": [{"kind": "government", "amount": 12000000}, {"kind": "office", "amount": 850000}],
            "active": True,
        },
        {
            "code": "6101",
            "title": "پرداخت قبض",
            "agency": "شرکت توزیع برق",
            "fees": [{"kind": "office", "amount": 150000}],
            "documents": ["قبض"],
            "active": True,
        },
    ],
}


def _stored_sha(desk, version):
    from desk_app.store.models import CatalogVersion

    with desk.db.read() as s:
        return s.get(CatalogVersion, version).content_sha256


def test_file_import_server_load_and_sync_refresh_share_one_hash(desk, tmp_path):
    """`catalog import` of a file, `provincial-server catalog load` of the same file and the sync's
    refresh from that server: one content hash (the server's ETag), no second write."""
    import os
    import subprocess
    import sys

    from desk_app.domain.catalog import catalog_sha256
    from desk_app.services import setup
    from tests.helpers.server import ServerProcess

    f = tmp_path / "catalog.json"
    f.write_text(json.dumps(RAW, ensure_ascii=False, indent=1), encoding="utf-8")
    first = catalog.import_catalog(desk, f)
    assert (first.added, first.updated, first.deactivated) == (1, 1, 1)  # 1101 hidden; 3001 was already
    assert _stored_sha(desk, "1405-10-15") == catalog_sha256(RAW)
    assert catalog.get_service(desk, "2101").title == "صدور گذرنامه"  # stored normalised
    imported_at = _imported_at(desk, "1405-10-15")

    srv = ServerProcess(f"sqlite:///{tmp_path / 'provincial.db'}", cwd=tmp_path)
    srv.add_office("4512")
    srv.admin("catalog", "load", str(f))
    token = srv.enrol("4512", 2)
    srv.start()
    try:
        with srv.client(token) as c:
            etag = c.get("/api/v1/hello").json()["catalog_etag"]
        setup.init_office(desk, "4512", "دفتر پیشخوان آزمایشی", 2, server_url=srv.url, token=token)
        env = {**os.environ, "DESK_APP_HOME": str(desk.home)}
        out = subprocess.run(
            [sys.executable, "-m", "desk_app", "sync", "--once", "--json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
    finally:
        srv.stop()
    assert etag == f'"{catalog_sha256(RAW)}"' == f'"{_stored_sha(desk, "1405-10-15")}"'
    with desk.db.read() as s:
        from desk_app.store.models import SyncState

        assert s.get(SyncState, "catalog_etag").value == etag  # the refresh ran ...
    assert _imported_at(desk, "1405-10-15") == imported_at  # ... and found the same content: no rewrite


def _imported_at(desk, version):
    from desk_app.store.models import CatalogVersion

    with desk.db.read() as s:
        return s.get(CatalogVersion, version).imported_at


def test_the_server_wins_a_version_a_file_gave_other_content(desk):
    from desk_app.domain.jalali import format_utc, utc_now
    from desk_app.sync.catalog import store_catalog

    catalog.import_catalog(desk, RAW)
    theirs = copy.deepcopy(RAW)
    theirs["services"][1]["fees"][0]["amount"] = 175000
    with pytest.raises(InvalidInput, match="1405-10-15"):  # a file may not change a version
        catalog.import_catalog(desk, theirs)
    with desk.db.write() as s:  # the province may: it checks requests against its own copy
        assert store_catalog(s, theirs, format_utc(utc_now())) == "1405-10-15"
    assert catalog.get_service(desk, "6101").total == 175000
    from desk_app.domain.catalog import catalog_sha256

    assert _stored_sha(desk, "1405-10-15") == catalog_sha256(theirs)


def test_a_store_from_before_the_one_hash_still_knows_its_file(desk):
    """Stores written by the old import hashed the parsed catalog; the same file is not refused."""
    from desk_app.domain.canonical import canonical_json, payload_sha256
    from desk_app.domain.catalog import catalog_sha256, parse_catalog
    from desk_app.store.models import CatalogVersion

    catalog.import_catalog(desk, RAW)
    old_style = payload_sha256(canonical_json(parse_catalog(RAW).to_dict()))
    assert old_style != catalog_sha256(RAW)
    with desk.db.write() as s:
        s.get(CatalogVersion, "1405-10-15").content_sha256 = old_style
    assert catalog.import_catalog(desk, copy.deepcopy(RAW)).unchanged
    assert _stored_sha(desk, "1405-10-15") == catalog_sha256(RAW)  # and now stores the one hash
