"""Intake and search figures of the local store.

1. Durable intake: median and p99 of `intake.register_request` (one BEGIN IMMEDIATE transaction:
   citizen, request, history, outbox, audit; synchronous=FULL), next to a bare sqlite3
   INSERT+COMMIT of a row of the same size under the same pragmas, in the same run and folder.
2. Search over N requests (default 1,000,000, generated with executemany): by receipt no, by
   national code, by the first 3 letters of a last name (found inside any name since the search
   index; first page of 100 and the count), through the services. The other kinds of search (full
   names, receipt and tracking-code suffixes) and the index's cost are in bench/search.py.
3. The gate: durable intake again, on that N-request store (p99 must stay under 10 ms).

    .venv/bin/python bench/intake.py [--rows 1000000] [--intake 300] [--searches 50] [--folder DIR]
                                     [--no-search]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk_app.domain.identifiers import national_code_check_digit  # noqa: E402
from desk_app.domain.jalali import jalali_yymmdd  # noqa: E402
from desk_app.domain.text import search_key  # noqa: E402

FIRST = [
    "محمد",
    "علی",
    "حسین",
    "رضا",
    "مهدی",
    "زهرا",
    "فاطمه",
    "مریم",
    "سارا",
    "نرگس",
    "امیر",
    "حسن",
    "ابوالفضل",
    "یوسف",
    "کوثر",
    "هانیه",
    "سمیه",
    "معصومه",
    "جواد",
    "صادق",
    "اکبر",
    "لیلا",
    "نازنین",
    "پریسا",
    "بهاره",
    "کامران",
    "آرش",
    "سیاوش",
    "شیرین",
    "پروین",
    "محمدرضا",
    "علیرضا",
    "امیرحسین",
    "فاطمه‌زهرا",
]
LAST = [
    "محمدی",
    "حسینی",
    "احمدی",
    "رضایی",
    "کریمی",
    "موسوی",
    "جعفری",
    "صادقی",
    "قاسمی",
    "رحیمی",
    "کاظمی",
    "نوری",
    "باقری",
    "زارعی",
    "اکبری",
    "عباسی",
    "یوسفی",
    "سلیمانی",
    "شریفی",
    "طاهری",
    "ملکی",
    "فرهادی",
    "نجفی",
    "عزیزی",
    "بهرامی",
    "پورمحمد",
    "آذری",
    "ارومیه‌ای",
    "خویی",
    "مرندی",
    "علی‌پور",
    "حسین‌زاده",
]


def national_code(n: int) -> str:
    first9 = f"{(n * 7919 + 1234567) % 10**9:09d}"
    return first9 + str(national_code_check_digit(first9))


def tracking_code(n: int) -> str:
    """A distinct 10-digit server_ref (کد رهگیری) for row n: 7368787 is prime to 10**10."""
    return f"{(n * 7368787 + 1299709) % 10**10:010d}"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def fmt(values: list[float], cpu: list[float] | None = None) -> str:
    text = f"median {statistics.median(values) * 1000:.2f} ms, p99 {pct(values, 99) * 1000:.2f} ms (n={len(values)})"
    if cpu:  # CPU time of this process: what the figure would be on an idle machine, roughly
        text += f"; CPU median {statistics.median(cpu) * 1000:.2f} ms"
    return text


def timed(fn, *args, **kwargs):
    """(result, wall seconds, CPU seconds of this process)."""
    w, c = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - w, time.process_time() - c


def _formless_service(desk) -> str:
    """The first active service without a form: the gate measures intake itself (bench/forms.py
    measures a 30-field form's share)."""
    from desk_app.services import catalog

    return next(
        s.code for s in catalog.list_services(desk, active_only=True) if catalog.service_form(desk, s.code) is None
    )


def bench_intake(folder: Path, n: int) -> dict:
    from desk_app.services import catalog, intake, setup, users
    from desk_app.services.context import Desk

    desk = Desk.open(folder / "intake")
    setup.init_office(desk, "4512", "دفتر", 2)
    users.add_user(desk, "ali", "clerk", "secret-123", "علی رضایی")
    catalog.import_catalog(desk, ROOT / "resources" / "catalog" / "demo-catalog.json")
    code = _formless_service(desk)
    rng = random.Random(1)

    def register():
        return intake.register_request(
            desk,
            clerk="ali",
            national_code=national_code(rng.randrange(10**8)),
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            service_code=code,
        )

    size = len(json.dumps(register().to_json(), ensure_ascii=False).encode())
    con = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
    for pragma in ("busy_timeout = 5000", "journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
        con.execute("PRAGMA " + pragma)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, request_id TEXT UNIQUE, body BLOB)")
    body = os.urandom(size * 2)  # the request row and its frozen outbox payload

    def insert():
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t (request_id, body) VALUES (?, ?)", (str(uuid.uuid4()), body))
        con.execute("COMMIT")

    # interleaved, so that both see the same disk and the same load from other processes
    times, cpu, bare, bare_cpu = [], [], [], []
    for _ in range(n):
        _, wall, c = timed(register)
        times.append(wall)
        cpu.append(c)
        _, wall, c = timed(insert)
        bare.append(wall)
        bare_cpu.append(c)
    con.close()
    desk.close()
    same, same_cpu = _same_rows_bare(desk.db.path, n)
    return {
        "service": times,
        "service_cpu": cpu,
        "bare": bare,
        "bare_cpu": bare_cpu,
        "row_bytes": size * 2,
        "same": same,
        "same_cpu": same_cpu,
    }


def _same_rows_bare(path: Path, n: int) -> tuple[list[float], list[float]]:
    """The floor for this schema: bare sqlite3 copies one intake's rows (citizen, request, history,
    outbox, audit line, with every index of those tables) under new keys, one transaction each."""
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in ("busy_timeout = 5000", "journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
        con.execute("PRAGMA " + pragma)
    seq, request_id = con.execute("SELECT seq, request_id FROM requests ORDER BY seq LIMIT 1").fetchone()

    def copy_sql(table: str, replaced: dict[str, str], where: str) -> str:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if not r[5]]  # all but the key
        picks = ", ".join(replaced.get(c, c) for c in cols)
        return f"INSERT INTO {table} ({', '.join(cols)}) SELECT {picks} FROM {table} WHERE {where}"

    citizen = copy_sql(
        "citizens", {"national_code": ":code"}, "id = (SELECT citizen_id FROM requests WHERE seq = :seq)"
    )
    request = copy_sql("requests", {"request_id": ":rid", "receipt_no": ":rno"}, "seq = :seq")
    history = copy_sql("request_history", {"request_id": ":rid"}, "request_id = :old")
    outbox = copy_sql("outbox", {"request_id": ":rid", "op_id": ":op", "receipt_no": ":rno"}, "request_id = :old")
    audit = (
        "INSERT INTO audit_log (id, at, actor, action, subject, details_json, prev_hash, hash)"
        " SELECT id + 1, at, actor, action, :rno, details_json, hash, hash FROM audit_log"
        " WHERE id = (SELECT max(id) FROM audit_log)"
    )
    times, cpu = [], []
    for i in range(n):
        args = {
            "code": f"x{i}",
            "seq": seq,
            "rid": str(uuid.uuid4()),
            "rno": f"same-{i}",
            "old": request_id,
            "op": str(uuid.uuid4()),
        }

        def txn(args=args):
            con.execute("BEGIN IMMEDIATE")
            for sql in (citizen, request, history, outbox, audit):
                con.execute(sql, args)
            con.execute("COMMIT")

        _, wall, c = timed(txn)
        times.append(wall)
        cpu.append(c)
    con.close()
    return times, cpu


def generate(desk, rows: int, seed: int = 7) -> None:
    """Insert `rows` requests straight into the store (one transaction, executemany)."""
    rng = random.Random(seed)
    start = date(2025, 3, 21)
    con = sqlite3.connect(desk.db.path, isolation_level=None)
    con.execute("PRAGMA synchronous = OFF")
    con.execute("BEGIN IMMEDIATE")
    fees = json.dumps([{"kind": "government", "amount": 3500000}, {"kind": "office", "amount": 650000}])
    batch, per_day = [], 2000
    for i in range(rows):
        day = start + timedelta(days=i // per_day)
        seq = i % per_day + 1
        receipt = f"4512-2-{jalali_yymmdd(day)}-{seq:04d}"
        code = national_code(i)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        status = rng.choice(["registered", "submitted", "completed"])
        server_ref = None if status == "registered" else tracking_code(i)
        created = f"{day.isoformat()}T08:{(seq // 60) % 60:02d}:{seq % 60:02d}.000000Z"
        batch.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                receipt,
                "4512",
                "2",
                created,
                day.isoformat(),
                code,
                first,
                last,
                search_key(first),
                search_key(last),
                "1101",
                "ثبت‌نام کارت هوشمند ملی",
                "1405-09-01",
                fees,
                4150000,
                "cash",
                "ali",
                status,
                server_ref,
                0,
                created,
            )
        )
        if len(batch) == 20000:
            _insert(con, batch)
            batch = []
    _insert(con, batch)
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.close()


def _samples(desk, k: int = 500) -> list[tuple[str, str, str]]:
    """(receipt no, national code, last name) of rows spread over the whole store."""
    con = sqlite3.connect(desk.db.path)
    try:
        n = con.execute("SELECT max(seq) FROM requests").fetchone()[0]
        step = max(1, n // k)
        return con.execute(
            "SELECT receipt_no, national_code, last_name FROM requests WHERE seq % ? = 0", (step,)
        ).fetchall()
    finally:
        con.close()


def _insert(con, batch) -> None:
    con.executemany(
        "INSERT INTO requests (request_id, receipt_no, office, device, created_at, tehran_day, national_code,"
        " first_name, last_name, first_key, last_key, service_code, service_title, catalog_version, fees_json,"
        " total, payment_method, clerk_username, status, server_ref, reprint_count, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        batch,
    )


def _generated_rows(desk) -> int:
    """Rows made by `generate` (no shift); intake runs of the gate add rows with a shift."""
    con = sqlite3.connect(desk.db.path)
    try:
        return con.execute("SELECT count(*) FROM requests WHERE shift_id IS NULL").fetchone()[0]
    finally:
        con.close()


def bench_intake_big(folder: Path, n: int) -> dict:
    """Durable intake into the generated store (office, clerk and catalog set up once)."""
    from desk_app.services import catalog, intake, requests, users
    from desk_app.services.context import Desk

    desk = Desk.open(folder / "search")
    if not desk.is_initialised:  # the generated rows are device 2 of office 4512
        desk.settings.set_many({"office_code": "4512", "office_name": "دفتر", "device_no": 2})
        users.add_user(desk, "ali", "clerk", "secret-123", "علی رضایی")
        catalog.import_catalog(desk, ROOT / "resources" / "catalog" / "demo-catalog.json")
    code = _formless_service(desk)
    rng = random.Random()  # codes far from the generated ones (0 .. rows): searches stay exact

    def register():
        return intake.register_request(
            desk,
            clerk="ali",
            national_code=national_code(rng.randrange(5 * 10**8, 6 * 10**8)),
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            service_code=code,
        )

    register()  # warm: first statements compile, first pages come into the cache
    times, cpu = [], []
    for _ in range(n):
        _, wall, c = timed(register)
        times.append(wall)
        cpu.append(c)
    out = {"rows": requests.count_requests(desk), "service": times, "service_cpu": cpu}
    desk.close()
    return out


def bench_search(folder: Path, rows: int, searches: int) -> dict:
    from desk_app.services import requests
    from desk_app.services.context import Desk

    desk = Desk.open(folder / "search")
    t0 = time.perf_counter()
    if _generated_rows(desk) != rows:  # --folder keeps a generated store between runs
        desk.close()
        shutil.rmtree(folder / "search")
        desk = Desk.open(folder / "search")
        generate(desk, rows)
    gen_s = time.perf_counter() - t0
    samples = _samples(desk)
    rng = random.Random(3)
    picks = [rng.choice(samples) for _ in range(searches)]
    out = {"generate_s": gen_s, "rows": requests.count_requests(desk)}
    checks = {
        "receipt_no": lambda p: requests.list_requests(desk, query=p[0], limit=100),
        "national_code": lambda p: requests.list_requests(desk, query=p[1], limit=100),
        "name_prefix_page": lambda p: requests.list_requests(desk, query=p[2][:3], limit=100),
        "name_prefix_count": lambda p: requests.count_requests(desk, query=p[2][:3]),
        "day_page": lambda p: requests.list_requests(desk, day="2025-06-01", limit=100),
    }
    for name, fn in checks.items():
        times, cpu = [], []
        for p in picks:
            result, wall, c = timed(fn, p)
            times.append(wall)
            cpu.append(c)
            if name in ("receipt_no", "national_code"):
                assert len(result) == 1, (name, p)
            elif name == "name_prefix_page":
                key = search_key(p[2][:3])
                assert result and all(key in search_key(r.first_name) or key in search_key(r.last_name) for r in result)
        out[name] = times
        out[name + "_cpu"] = cpu
    desk.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--intake", type=int, default=300)
    ap.add_argument("--searches", type=int, default=50)
    ap.add_argument("--folder", type=Path, help="keep the generated store here and reuse it next time")
    ap.add_argument("--no-search", action="store_true", help="intake figures only")
    ap.add_argument("--gate-only", action="store_true", help="only the gate (intake on the generated store)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if args.gate_only:
            return _gate(folder, args)
        shutil.rmtree(folder / "intake", ignore_errors=True)
        (folder / "bare.sqlite3").unlink(missing_ok=True)
        res = bench_intake(folder, args.intake)
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"intake through the service (durable, 1 transaction): {fmt(res['service'], res['service_cpu'])}")
        print(
            f"bare sqlite3 INSERT+COMMIT of {res['row_bytes']} bytes, same pragmas: {fmt(res['bare'], res['bare_cpu'])}"
        )
        print(
            f"bare sqlite3 copy of one intake's rows (5 tables, their indexes), same pragmas: "
            f"{fmt(res['same'], res['same_cpu'])}"
        )
        print(
            f"intake / bare, medians: {statistics.median(res['service']) / statistics.median(res['bare']):.2f}x wall,"
            f" {statistics.median(res['service_cpu']) / statistics.median(res['bare_cpu']):.1f}x CPU"
        )
        if args.no_search:
            return 0
        s = bench_search(folder, args.rows, args.searches)
        print(f"{s['rows']:,} requests generated (or reused) in {s['generate_s']:.1f} s")
        for name in ("receipt_no", "national_code", "name_prefix_page", "name_prefix_count", "day_page"):
            print(f"search {name}: {fmt(s[name], s[name + '_cpu'])}")
        return _gate(folder, args)


def _gate(folder: Path, args) -> int:
    from desk_app.services.context import Desk

    desk = Desk.open(folder / "search")
    missing = _generated_rows(desk) != args.rows
    desk.close()
    if missing:  # only with --gate-only on a fresh folder
        shutil.rmtree(folder / "search")
        generate_desk = Desk.open(folder / "search")
        generate(generate_desk, args.rows)
        generate_desk.close()
    print(f"load average before the gate: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    big = bench_intake_big(folder, args.intake)
    p99 = pct(big["service"], 99) * 1000
    print(
        f"gate: intake on the {big['rows']:,}-request store: {fmt(big['service'], big['service_cpu'])},"
        f" CPU p99 {pct(big['service_cpu'], 99) * 1000:.2f} ms -> p99 {'under' if p99 < 10 else 'OVER'} 10 ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
