"""Screenshots of the provincial web console in headless Chromium, with realistic Persian data.

    .venv/bin/python scripts/console_screenshots.py docs/screenshots

A temporary SQLite server gets the demo catalog (passport with its form), a dozen offices with
what their desks reported, requests over two weeks (some taken, some answered) and a request
with scanned pages; Chromium signs in as agency staff and as the province and grabs
console-worklist.png, console-request.png, console-offices.png and console-stats.png.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OFFICES = [
    ("4512", "دفتر پیشخوان ۴۵۱۲ ارومیه"),
    ("4513", "دفتر پیشخوان ۴۵۱۳ ارومیه، خیابان امام"),
    ("4520", "دفتر پیشخوان ۴۵۲۰ خوی"),
    ("4521", "دفتر پیشخوان ۴۵۲۱ مهاباد"),
    ("4530", "دفتر پیشخوان ۴۵۳۰ میاندوآب"),
    ("4531", "دفتر پیشخوان ۴۵۳۱ سلماس"),
    ("4540", "دفتر پیشخوان ۴۵۴۰ بوکان"),
    ("4541", "دفتر پیشخوان ۴۵۴۱ نقده"),
    ("4550", "دفتر پیشخوان ۴۵۵۰ ماکو"),
    ("4551", "دفتر پیشخوان ۴۵۵۱ سردشت"),
    ("4560", "دفتر پیشخوان ۴۵۶۰ پیرانشهر"),
    ("4561", "دفتر پیشخوان ۴۵۶۱ شاهین‌دژ"),
]
FIRST = ["محمد", "مریم", "رضا", "سارا", "امیر", "نرگس", "مهدی", "لیلا", "جواد", "آیدا", "حسین", "فاطمه"]
LAST = ["حسینی", "قاسمی", "نوروزی", "جعفری", "صادقی", "رحیمی", "باقری", "موسوی", "کاظمی", "عباسی", "کریم‌زاده"]
PASSWORD = "screenshot-password"


def catalog() -> dict:
    demo = json.loads((ROOT / "resources/catalog/demo-catalog.json").read_text(encoding="utf-8"))
    forms = json.loads((ROOT / "resources/catalog/forms-sample.json").read_text(encoding="utf-8"))
    form_of = {s["code"]: s["form"] for s in forms["services"] if "form" in s}
    demo["version"] = "1405-09-10"
    demo["services"] = [
        {**s, "active": True, **({"form": form_of[s["code"]]} if s["code"] in form_of else {})}
        for s in demo["services"]
    ]
    return demo


def fill(srv, db_url: str, tmp: Path) -> dict:
    from desk_app.domain.jalali import utc_now
    from provincial_server import admin, feed
    from provincial_server.catalogs import load_catalog
    from provincial_server.console.staff import add_staff
    from provincial_server.db import Attachment, Device, DeviceStatus, ServerDB, ServerRequest
    from provincial_server.storage import FolderStore
    from tests.helpers.console import files_dir
    from tests.helpers.server import make_request_op
    from tests.helpers.syncdata import national_code

    rng = random.Random(1405)
    cat = catalog()
    services = {s["code"]: s for s in cat["services"]}
    police = [services[c] for c in ("2101", "2102", "2103", "2104")]
    others = [services[c] for c in ("1101", "1104", "3101", "5104", "6102")]
    db = ServerDB(db_url)
    db.init()
    with db.write() as s:
        load_catalog(s, cat)
    tokens = {}
    for code, name in OFFICES:
        admin.add_office(db, code, name)
        tokens[code] = admin.enrol_device(db, code, 2)
    add_staff(db, "m.ahmadi", "agency", "پلیس مهاجرت و گذرنامه فراجا", PASSWORD)
    add_staff(db, "ostan", "province", None, PASSWORD)

    now = utc_now()
    featured = None
    n = 0
    for code, _name in OFFICES:
        ops = []
        for _ in range(rng.randint(6, 16)):
            n += 1
            svc = rng.choice(police if rng.random() < 0.6 else others)
            created = now - timedelta(days=rng.randint(0, 12), minutes=rng.randint(0, 600))
            citizen = {
                "national_code": national_code(n),
                "first_name": rng.choice(FIRST),
                "last_name": rng.choice(LAST),
                "mobile": f"0914{rng.randint(1000000, 9999999)}",
            }
            ops.append(
                make_request_op(
                    code, 2, service=svc, created_at=created, catalog_version=cat["version"], n=n, citizen=citizen
                )
            )
        if code == "4512":
            fields = {
                "father_name": "غلامرضا",
                "birth_date": "1988-06-02",
                "birth_place": "ارومیه",
                "passport_kind": "urgent",
                "marital_status": "married",
                "spouse_consent": True,
                "postal_code": "5715793611",
                "address": "ارومیه، خیابان شهید بهشتی، کوچه ۱۲، پلاک ۴",
                "emergency_mobile": "09141112233",
            }
            featured = make_request_op(
                code,
                2,
                service=services["2101"],
                catalog_version=cat["version"],
                n=9999,
                citizen={
                    "national_code": national_code(9999),
                    "first_name": "مریم",
                    "last_name": "کریم‌زاده",
                    "mobile": "09143334455",
                },
                fields=fields,
                form_version=cat["version"],
            )
            ops.append(featured)
        with srv.client(tokens[code]) as c:
            r = c.post(f"/api/v1/offices/{code}/requests/batch", json={"items": ops})
            results = [x["result"] for x in r.json()["results"]]
            assert set(results) == {"created"}, r.json()
    # some taken, some answered, by the agency
    with db.write() as s:
        rows = s.query(ServerRequest).filter(ServerRequest.service_code.in_(["2101", "2102", "2103", "2104"])).all()
        for req in rows:
            if req.request_id == featured["request_id"]:
                continue
            roll = rng.random()
            if roll < 0.2:
                feed.transition(s, req, "in_progress", actor="console:m.ahmadi")
            elif roll < 0.35:
                feed.transition(s, req, "completed", actor="console:m.ahmadi", note="آماده‌ی تحویل")
    # scanned pages of the featured request
    store = FolderStore(files_dir(srv))
    import hashlib

    for path, doc, ctype in (
        (ROOT / "docs/screenshots/attachment-id-card.jpg", "کارت ملی", "image/jpeg"),
        (ROOT / "docs/screenshots/attachment-text-page.png", "شناسنامه", "image/png"),
    ):
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        tmp_file = tmp / sha
        tmp_file.write_bytes(data)
        store.put_file("4512", sha, tmp_file)
        with db.write() as s:
            s.add(
                Attachment(
                    office="4512",
                    request_id=featured["request_id"],
                    sha256=sha,
                    document=doc,
                    bytes=len(data),
                    content_type=ctype,
                )
            )
    # what the desks reported
    with db.write() as s:
        for i, (code, _name) in enumerate(OFFICES):
            if code == "4561":
                s.query(Device).filter(Device.office == code).update({"last_seen_at": None})
                continue
            silent = timedelta(days=3, hours=5) if code in {"4550", "4551"} else timedelta(minutes=rng.randint(1, 90))
            seen = now - silent
            s.query(Device).filter(Device.office == code).update({"last_seen_at": seen})
            pending = 0 if i % 3 == 0 else rng.randint(1, 40)
            s.add(
                DeviceStatus(
                    office=code,
                    device=2,
                    reported_at=seen,
                    app_version="1.4.0" if i % 4 else "1.3.2",
                    pending=pending,
                    oldest_pending_s=rng.randint(300, 7200) if pending else None,
                    attachment_bytes_pending=pending * 90_000,
                    printer_state="offline" if code in {"4550", "4530"} else "ok",
                    last_error="سرور استان در دسترس نیست" if code in {"4550", "4551"} else None,
                )
            )
    db.dispose()
    return featured["payload"]


def main(out: Path) -> None:
    from selenium.webdriver.common.by import By

    from tests.helpers.browser import chromium, full_page_screenshot, window_screenshot
    from tests.helpers.server import ServerProcess

    tmp = Path(tempfile.mkdtemp(prefix="console-shots-"))
    try:
        url = f"sqlite:///{tmp / 'provincial.db'}"
        srv = ServerProcess(url, cwd=tmp, serve_args=("--rate-limit", "0"))
        srv.start()
        try:
            featured = fill(srv, url, tmp)
            with chromium(tmp, short_base=tmp) as b:

                def login(user):
                    b.delete_all_cookies()
                    b.get(srv.url + "/console/login")
                    b.find_element(By.NAME, "username").send_keys(user)
                    b.find_element(By.NAME, "password").send_keys(PASSWORD)
                    b.find_element(By.CSS_SELECTOR, "form.stack button").click()

                login("m.ahmadi")
                b.get(srv.url + "/console/requests")
                window_screenshot(b, out / "console-worklist.png")
                b.get(f"{srv.url}/console/requests/{featured['office']}/{featured['request_id']}")
                full_page_screenshot(b, out / "console-request.png")
                login("ostan")
                b.get(srv.url + "/console/offices")
                full_page_screenshot(b, out / "console-offices.png")
                b.get(srv.url + "/console/stats")
                full_page_screenshot(b, out / "console-stats.png")
        finally:
            srv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for name in ("console-worklist", "console-request", "console-offices", "console-stats"):
        print(out / f"{name}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
