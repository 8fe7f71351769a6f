"""What the console's pages show: a request with its form fields and scanned pages, the
province's offices (stale first, sortable, CSV) and requests per service per day (chart, CSV)."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import update

from desk_app.domain.jalali import format_jalali_date, today_tehran, utc_now
from provincial_server.catalogs import load_catalog
from provincial_server.db import Attachment, Device, DeviceStatus, ServerDB
from provincial_server.storage import FolderStore
from tests.helpers.console import POLICE, ConsoleUser, alerts, files_dir, link_of, seed_staff, upload_requests
from tests.helpers.server import CATALOG

FORM_VERSION = "1405-09-05"
FORM = {
    "type": "object",
    "properties": {
        "father_name": {"type": "string", "title": "نام پدر", "maxLength": 100},
        "birth_date": {"type": "string", "format": "jalali-date", "title": "تاریخ تولد"},
        "passport_kind": {
            "enum": ["normal", "urgent"],
            "title": "نوع گذرنامه",
            "x-labels": {"normal": "عادی", "urgent": "فوری"},
        },
        "postal_code": {"type": "string", "format": "postal-code", "title": "کد پستی"},
    },
    "required": ["father_name", "birth_date"],
    "x-order": ["passport_kind", "father_name", "birth_date", "postal_code"],
}


@pytest.fixture(scope="module")
def srv(live_server):
    seed_staff(live_server.db_url)
    db = ServerDB(live_server.db_url)
    services = [dict(svc) for svc in CATALOG["services"]]
    services[0] = {**services[0], "form": FORM}
    with db.write() as s:
        load_catalog(s, {"version": FORM_VERSION, "services": services})
    db.dispose()
    return live_server


@pytest.fixture(scope="module")
def sdb(srv):
    db = ServerDB(srv.db_url)
    yield db
    db.dispose()


def _png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 160), colour).save(out, "PNG")
    return out.getvalue()


def _tiff() -> bytes:
    out = io.BytesIO()
    Image.new("1", (200, 100), 1).save(out, "TIFF", compression="group4")
    return out.getvalue()


def attach(srv, sdb, payload, data: bytes, content_type: str, document: str) -> str:
    """A page linked to the request as the upload path leaves it: bytes in the file store, a row."""
    sha = hashlib.sha256(data).hexdigest()
    tmp = srv.cwd / f"upload-{sha}"
    tmp.write_bytes(data)
    FolderStore(files_dir(srv)).put_file(payload["office"], sha, tmp)
    with sdb.write() as s:
        s.add(
            Attachment(
                office=payload["office"],
                request_id=payload["request_id"],
                sha256=sha,
                document=document,
                bytes=len(data),
                content_type=content_type,
            )
        )
    return sha


def test_request_page_shows_fields_in_form_order_and_the_scanned_pages(srv, sdb):
    code, tokens = srv.new_office()
    fields = {"father_name": "محمد", "birth_date": "1990-03-21", "passport_kind": "urgent", "postal_code": "1234567890"}
    p = upload_requests(
        srv, code, tokens[2], [POLICE], catalog_version=FORM_VERSION, fields=fields, form_version=FORM_VERSION
    )[0]
    png = _png("#3366aa")
    sha_png = attach(srv, sdb, p, png, "image/png", "کارت ملی")
    sha_tif = attach(srv, sdb, p, _tiff(), "image/tiff", "شناسنامه")
    u = ConsoleUser(srv.url).login("police1")
    page = u.get(link_of(p)).text
    titles = ["نوع گذرنامه", "نام پدر", "تاریخ تولد", "کد پستی"]
    at = [page.index(f"<dt>{t}</dt>") for t in titles]
    assert at == sorted(at)  # the form's x-order
    assert ">فوری</dd>" in page and ">محمد</dd>" in page
    assert format_jalali_date(__import__("datetime").date(1990, 3, 21)) in page  # ۱۳۶۹/۰۱/۰۱
    assert 'dir="ltr" class="code">1234567890' in page
    assert "علی رضایی" in page and p["citizen"]["national_code"] in page
    assert page.count("<img ") == 2 and "کارت ملی" in page and "شناسنامه" in page
    r = u.get(f"{link_of(p)}/files/{sha_png}")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content == png
    assert r.headers["x-content-type-options"] == "nosniff"
    r = u.get(f"{link_of(p)}/files/{sha_tif}")  # G4 TIFF, which browsers do not draw, comes as PNG
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).size == (200, 100)
    # a page of this request, asked for under another request of the same agency: not found
    other = upload_requests(srv, code, tokens[2], [POLICE])[0]
    assert u.get(f"{link_of(other)}/files/{sha_png}").status_code == 404
    other_page = u.get(link_of(other)).text
    assert "اطلاعات فرم" not in other_page and "مدارک" not in other_page  # no fields, no pages: nothing shown
    u.close()


def test_offices_page_puts_the_silent_ones_first_and_sorts(srv, sdb):
    now = utc_now()
    silent, busy, fresh = (srv.new_office()[0] for _ in range(3))
    with sdb.write() as s:
        for code, seen in ((silent, now - timedelta(days=3)), (busy, now - timedelta(hours=2)), (fresh, now)):
            s.execute(update(Device).where(Device.office == code).values(last_seen_at=seen))
        s.add(
            DeviceStatus(
                office=silent,
                device=2,
                reported_at=now - timedelta(days=3),
                app_version="1.3.0",
                pending=4,
                oldest_pending_s=3600,
                printer_state="offline",
                last_error="سرور در دسترس نیست",
            )
        )
        s.add(
            DeviceStatus(
                office=busy,
                device=2,
                reported_at=now - timedelta(hours=2),
                app_version="1.4.0",
                pending=120,
                oldest_pending_s=600,
                printer_state="ok",
            )
        )
        s.add(
            DeviceStatus(
                office=fresh,
                device=2,
                reported_at=now,
                app_version="1.4.0",
                pending=0,
                oldest_pending_s=None,
                printer_state="ok",
            )
        )
    u = ConsoleUser(srv.url).login("prov")
    page = u.get("/console/offices").text
    pos = {c: page.index(f'dir="ltr">{c}</td>') for c in (silent, busy, fresh)}
    assert pos[silent] < pos[busy] < pos[fresh]  # longest silent first
    row = page[pos[silent] : page.index("</tr>", pos[silent])]
    assert "۳ روز پیش" in row and "خاموش یا جدا" in row and "سرور در دسترس نیست" in row and "1.3.0" in row
    assert "۳ روز" in row.split("پیش")[1]  # the oldest pending has waited since the last report too
    bypending = u.get("/console/offices", params={"sort": "pending", "dir": "desc"}).text
    assert bypending.index(f'dir="ltr">{busy}</td>') < bypending.index(f'dir="ltr">{silent}</td>')
    assert 'aria-sort="descending"' in bypending
    r = u.get("/console/offices.csv")
    assert r.headers["content-type"].startswith("text/csv") and r.content.startswith(b"\xef\xbb\xbf")
    rows = {x["office"]: x for x in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))}
    assert rows[silent]["stale"] == "1" and rows[fresh]["stale"] == "0" and rows[busy]["pending"] == "120"
    assert rows[silent]["name"] == f"دفتر {silent}"
    u.close()


def test_requests_per_service_per_day_table_chart_and_csv(srv):
    code, tokens = srv.new_office()
    before = ConsoleUser(srv.url).login("prov")
    today = format_jalali_date(today_tehran(), persian=False)
    base = {
        x["service_code"]: int(x["requests"])
        for x in csv.DictReader(
            io.StringIO(before.get("/console/stats.csv", params={"from": today, "to": today}).text.lstrip("\ufeff"))
        )
    }
    upload_requests(srv, code, tokens[2], [POLICE] * 3 + [CATALOG["services"][1]] * 2)
    page = before.get("/console/stats").text
    assert page.count("<rect ") >= 2 and "صدور گذرنامه" in page and "گواهی عدم سوء پیشینه" in page
    got = {
        x["service_code"]: int(x["requests"])
        for x in csv.DictReader(
            io.StringIO(before.get("/console/stats.csv", params={"from": today, "to": today}).text.lstrip("\ufeff"))
        )
    }
    assert got["2101"] - base.get("2101", 0) == 3 and got["3001"] - base.get("3001", 0) == 2
    r = before.get("/console/stats", params={"from": "1405/02/31x", "to": "1300/01/01"})
    assert r.status_code == 200 and len(alerts(r.text)) >= 1
    r = before.get("/console/stats", params={"from": today, "to": "1404/01/01"})
    assert "جابه‌جا" in " ".join(alerts(r.text))
    before.close()


def test_staff_accounts_survive_a_backup_and_restore_sessions_do_not(srv, tmp_path):
    u = ConsoleUser(srv.url).login("police1")
    assert u.get("/console/requests").status_code == 200
    backup = tmp_path / "prov.json"
    srv.admin("backup", str(backup))
    srv.admin("restore", str(backup))
    assert u.get("/console/requests").status_code == 200  # sessions are not in the file: not touched
    fresh = ConsoleUser(srv.url).login("police1")  # the account came back from the file
    assert fresh.get("/console/requests").status_code == 200
    import json

    tables = json.loads(backup.read_text(encoding="utf-8"))["tables"]
    assert any(r["username"] == "police1" for r in tables["console_staff"])
    assert "console_sessions" not in tables and "console_login_throttle" not in tables
    u.close()
    fresh.close()
