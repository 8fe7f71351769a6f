"""How fast the web console's pages answer over big tables (DESIGN.md section 12).

A SQLite server database is filled directly (no HTTP): 1,000,000 requests over a year in 675
offices and 20 services of 5 agencies, their text rows, 675 offices with 1-2 devices, what each
desk last reported (`device_status`) and a week of heartbeats every 10 minutes (`heartbeats`).
Then the real server (`provincial-server serve`) answers real HTTP on loopback, signed in as an
agency's staff and as the province; each page is fetched N times and the median and p95 of the
wall time are printed and appended to bench/RESULTS.md.

    .venv/bin/python bench/console.py [--requests 1000000] [--offices 675] [--repeat 20]
                                      [--keep DIR] [--no-record]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk_app.domain.jalali import format_jalali_date, tehran_day  # noqa: E402
from tests.helpers.console import PASSWORD, ConsoleUser  # noqa: E402
from tests.helpers.server import ServerProcess  # noqa: E402

AGENCIES = [
    "پلیس مهاجرت و گذرنامه فراجا",
    "سازمان ثبت احوال کشور",
    "قوه قضاییه",
    "سازمان تأمین اجتماعی",
    "شرکت ملی پست",
]
STATUSES = ["completed"] * 70 + ["rejected"] * 10 + ["cancelled"] * 5 + ["submitted"] * 10 + ["in_progress"] * 5
VERSION = "1405-01-01"
TS = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a DateTime in SQLite


def catalog() -> dict:
    services = []
    for i in range(20):
        services.append(
            {
                "code": str(2101 + i),
                "title": f"خدمت آزمایشی {i + 1}",
                "agency": AGENCIES[i % 5],
                "fees": [{"kind": "office", "amount": 300000}],
                "documents": [],
                "active": True,
            }
        )
    return {"version": VERSION, "services": services}


def seed(path: Path, n_requests: int, n_offices: int, rng: random.Random) -> dict:
    from provincial_server import console  # noqa: F401 - the console's tables join the metadata
    from provincial_server.catalogs import load_catalog
    from provincial_server.console.staff import add_staff
    from provincial_server.console.tables import REQUEST_INDEXES
    from provincial_server.db import ServerDB

    url = f"sqlite:///{path}"
    db = ServerDB(url)
    db.init()
    with db.write() as s:
        load_catalog(s, catalog())
    add_staff(db, "agency1", "agency", AGENCIES[0], PASSWORD)
    add_staff(db, "prov", "province", None, PASSWORD)
    db.dispose()
    now = datetime.now(UTC)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    for name in REQUEST_INDEXES:  # made again, once, after the rows (faster than row by row)
        con.execute(f"DROP INDEX IF EXISTS {name}")
    offices = [str(100000 + i) for i in range(n_offices)]
    t0 = time.perf_counter()
    con.executemany(
        "INSERT INTO offices (code, name, created_at) VALUES (?, ?, ?)",
        [(o, f"دفتر پیشخوان {o}", now.strftime(TS)) for o in offices],
    )
    devices = []
    for i, o in enumerate(offices):
        for d in range(1, 3 if i % 4 == 0 else 2):
            devices.append((o, d))
    con.executemany(
        "INSERT INTO devices (office, device, token_sha256, enrolled_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
        [
            (
                o,
                d,
                hashlib.sha256(f"{o}{d}".encode()).hexdigest(),
                now.strftime(TS),
                None
                if i % 97 == 0
                else (now - timedelta(minutes=rng.randint(1, 60 * 24 * (5 if i % 31 == 0 else 1)))).strftime(TS),
            )
            for i, (o, d) in enumerate(devices)
        ],
    )
    con.executemany("INSERT INTO feed_counters (office, last_seq) VALUES (?, 0)", [(o,) for o in offices])
    status_rows, beats = [], []
    for i, (o, d) in enumerate(devices):
        version = "1.4.0" if i % 5 else "1.3.2"
        status_rows.append(
            (
                o,
                d,
                now.strftime(TS),
                version,
                rng.randint(0, 50),
                rng.randint(0, 86400),
                rng.randint(0, 10**7),
                "ok" if i % 9 else "offline",
                None,
            )
        )
        at = now - timedelta(days=7)
        while at < now:
            beats.append((o, d, at.strftime(TS), version, rng.randint(0, 50), rng.randint(0, 3600), 0, "ok", None))
            at += timedelta(minutes=10)
    cols = "office, device, {}, app_version, pending, oldest_pending_s, attachment_bytes_pending, "
    cols += "printer_state, last_error"
    con.executemany(f"INSERT INTO device_status ({cols.format('reported_at')}) VALUES (?,?,?,?,?,?,?,?,?)", status_rows)
    con.executemany(f"INSERT INTO heartbeats ({cols.format('at')}) VALUES (?,?,?,?,?,?,?,?,?)", beats)
    con.commit()
    print(
        f"offices {len(offices)}, devices {len(devices)}, heartbeats {len(beats)} in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    t0 = time.perf_counter()
    start = now - timedelta(days=365)
    step = timedelta(days=365) / n_requests
    per_office: dict[str, int] = {}
    batch, texts = [], []
    for k in range(n_requests):
        office = offices[rng.randrange(n_offices)]
        per_office[office] = per_office.get(office, 0) + 1
        created = start + step * k
        received = created + timedelta(seconds=rng.randint(1, 600))
        rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        code = str(2101 + rng.randrange(20))
        day = tehran_day(created)
        receipt = f"{office}-1-{per_office[office]:06d}"
        payload = json.dumps(
            {
                "request_id": rid,
                "citizen": {
                    "national_code": "0013542419",
                    "first_name": "علی",
                    "last_name": "رضایی",
                    "mobile": "09141234567",
                },
            },
            ensure_ascii=False,
        )
        batch.append(
            (
                office,
                rid,
                receipt,
                1,
                f"{k:010d}",
                payload,
                "0" * 64,
                "0" * 64,
                rng.choice(STATUSES),
                code,
                VERSION,
                300000,
                0,
                created.strftime(TS),
                0.0,
                day.isoformat(),
                received.strftime(TS),
                received.strftime(TS),
            )
        )
        texts.append((office, rid, "علی", "رضایی", "علی", "رضایی", "سارا احمدی"))
        if len(batch) == 50_000:
            _flush(con, batch, texts)
            print(f"  {k + 1:,} requests, {time.perf_counter() - t0:.0f} s", flush=True)
    _flush(con, batch, texts)
    t1 = time.perf_counter()
    for name, target in REQUEST_INDEXES.items():
        con.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
    con.execute("ANALYZE")
    con.commit()
    con.close()
    print(f"requests {n_requests:,} in {t1 - t0:.0f} s, indexes {time.perf_counter() - t1:.0f} s", flush=True)
    return {"offices": offices}


def _flush(con, batch, texts) -> None:
    con.executemany(
        "INSERT INTO requests (office, request_id, receipt_no, device, server_ref, payload_json, payload_sha256,"
        " core_sha256, status, service_code, catalog_version, total, refund, created_at, clock_skew_s, tehran_day,"
        " received_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        batch,
    )
    con.executemany(
        "INSERT INTO request_texts (office, request_id, first_name, last_name, first_key, last_key, clerk_full_name)"
        " VALUES (?,?,?,?,?,?,?)",
        texts,
    )
    con.commit()
    batch.clear()
    texts.clear()


def timed(user: ConsoleUser, path: str, repeat: int, params=None) -> tuple[float, float, str]:
    times, text = [], ""
    for _ in range(repeat):
        t = time.perf_counter()
        r = user.get(path, params=params)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        text = r.text
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--offices", type=int, default=675)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--keep", type=Path, help="folder for the database; reused when it holds one")
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-console-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "provincial.db"
    rng = random.Random(12)
    if not path.exists():
        seed(path, args.requests, args.offices, rng)
    srv = ServerProcess(f"sqlite:///{path}", cwd=folder, serve_args=("--rate-limit", "0"))
    srv.start()
    rows = []
    try:
        agency = ConsoleUser(srv.url).login("agency1")
        prov = ConsoleUser(srv.url).login("prov")
        timed(agency, "/console/requests", 2)  # warm the page cache
        rows.append(
            ("worklist, first page (submitted, 4 services)", *timed(agency, "/console/requests", args.repeat)[:2])
        )
        rows.append(("worklist, all statuses", *timed(agency, "/console/requests", args.repeat, {"status": "all"})[:2]))
        rows.append(
            (
                "worklist, one service, completed",
                *timed(agency, "/console/requests", args.repeat, {"status": "completed", "service": "2106"})[:2],
            )
        )
        today = tehran_day(datetime.now(UTC))
        month = {
            "status": "all",
            "from": format_jalali_date(today - timedelta(days=30), persian=False),
            "to": format_jalali_date(today, persian=False),
        }
        rows.append(("worklist, last 30 days", *timed(agency, "/console/requests", args.repeat, month)[:2]))
        rows.append(
            (
                "worklist, one office",
                *timed(agency, "/console/requests", args.repeat, {"status": "all", "office": "100007"})[:2],
            )
        )
        # deep pages: follow `next` 40 pages (2,000 rows) into the list
        url, deep = "/console/requests?status=all", []
        for _ in range(40):
            t = time.perf_counter()
            r = agency.get(url)
            deep.append((time.perf_counter() - t) * 1000)
            nxt = r.text.split('rel="next" href="')
            url = nxt[1].split('"')[0].replace("&amp;", "&")
        deep.sort()
        rows.append(("worklist, 40 pages deep by keyset", statistics.median(deep), deep[int(len(deep) * 0.95)]))
        link = r.text.split('href="/console/requests/')[1].split('"')[0]
        rows.append(("request page", *timed(agency, "/console/requests/" + link, args.repeat)[:2]))
        med, p95, text = timed(prov, "/console/offices", args.repeat)
        assert text.count('<td class="code" dir="ltr">1') >= args.offices
        rows.append((f"offices page ({args.offices} offices)", med, p95))
        rows.append(
            (
                "offices page sorted by backlog",
                *timed(prov, "/console/offices", args.repeat, {"sort": "pending", "dir": "desc"})[:2],
            )
        )
        rows.append(("offices CSV", *timed(prov, "/console/offices.csv", args.repeat)[:2]))
        rows.append(("requests per service per day, 14 days", *timed(prov, "/console/stats", args.repeat)[:2]))
        agency.close()
        prov.close()
    finally:
        srv.stop()
    con = sqlite3.connect(path)
    n_req = con.execute("SELECT count(*) FROM requests").fetchone()[0]
    n_beats = con.execute("SELECT count(*) FROM heartbeats").fetchone()[0]
    con.close()
    import os

    load = os.getloadavg()[0]
    print(f"{n_req:,} requests, {n_beats:,} heartbeats; load average {load:.1f}")
    for name, med, p95 in rows:
        print(f"{name:50s} median {med:7.1f} ms   p95 {p95:7.1f} ms")
    if not args.no_record:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            f"\n## Web console pages ({stamp})\n",
            f"Command: `.venv/bin/python bench/console.py --requests {args.requests} --offices {args.offices} "
            f"--repeat {args.repeat}` — SQLite, one uvicorn worker, real HTTP on loopback, 2 CPUs shared, load "
            f"average {load:.1f}. {n_req:,} requests over a year (20 services of 5 agencies; the agency's staff see "
            f"4 services, about 200,000 requests), {args.offices} offices, {n_beats:,} heartbeats "
            "(a week, every 10 min).\n",
            "| page | median ms | p95 ms |",
            "|---|---|---|",
        ]
        lines += [f"| {name} | {med:.1f} | {p95:.1f} |" for name, med, p95 in rows]
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
