"""Operations figures (printed; appended to bench/RESULTS.md with --record):

1. an encrypted backup of a data folder holding N requests (default 200,000, with their outbox
   rows): snapshot + compress + AES-GCM, and the way back (decrypt + verify + restore);
   file sizes; the scrypt key derivation alone;
2. log lines through the masking filter into the rotating file, per second;
3. `desk-app demo --no-gui --exit`: first start (set-up) and second start (reuse), wall time.

    .venv/bin/python bench/ops.py [--requests 200000] [--record]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DESK_APP_NO_KEYRING", "1")

from desk_app import logs  # noqa: E402
from desk_app.services import autobackup, backup_crypto  # noqa: E402
from desk_app.services.context import Desk  # noqa: E402
from desk_app.services.setup import init_office  # noqa: E402

PASS = "bench passphrase 1405"
NAMES = ["مریم", "علی", "زهرا", "حسین", "فاطمه", "محمد", "سارا", "رضا"]
FAMILIES = ["احمدی", "رضایی", "محمدی", "حسینی", "کریمی", "موسوی", "جعفری", "قاسمی"]


def fill(desk: Desk, n: int) -> None:
    """N requests and their outbox rows, written straight into the tables (fast, realistic size)."""
    con = sqlite3.connect(desk.db.path)
    rnd = random.Random(1405)
    now = "2026-11-29T08:00:00.000000Z"
    rows, ops = [], []
    for i in range(n):
        rid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        receipt = f"4512-2-0509{(i // 5000) % 28 + 1:02d}-{i:04d}"
        first, last = rnd.choice(NAMES), rnd.choice(FAMILIES)
        fees = json.dumps([{"kind": "government", "amount": 3500000}, {"kind": "office", "amount": 650000}])
        rows.append(
            (
                rid,
                receipt,
                "4512",
                "2",
                now,
                "2026-11-29",
                None,
                f"{rnd.randrange(10**10):010d}",
                first,
                last,
                first,
                last,
                f"0912{rnd.randrange(10**7):07d}",
                "1101",
                "ثبت‌نام کارت هوشمند ملی (صدور اول)",
                "1405-09-01",
                fees,
                4150000,
                "cash",
                None,
                "clerk",
                None,
                "submitted",
                None,
                f"R{i:09d}",
                0,
                0,
                now,
            )
        )
        payload = json.dumps(
            {
                "request_id": rid,
                "receipt_no": receipt,
                "first_name": first,
                "last_name": last,
                "fees": json.loads(fees),
            },
            ensure_ascii=False,
        ).encode()
        ops.append(
            (
                str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                "request",
                rid,
                receipt,
                payload,
                "0" * 64,
                "acked",
                1,
                now,
            )
        )
    con.executemany(
        "INSERT INTO requests (request_id, receipt_no, office, device, created_at, tehran_day, citizen_id,"
        " national_code, first_name, last_name, first_key, last_key, mobile, service_code, service_title,"
        " catalog_version, fees_json, total, payment_method, payment_ref, clerk_username, shift_id, status,"
        " status_note, server_ref, clock_skew_s, reprint_count, updated_at)"
        " VALUES (" + ",".join("?" * 28) + ")",
        rows,
    )
    cols = [r[1] for r in con.execute("PRAGMA table_info(outbox)")]
    if {
        "op_id",
        "kind",
        "request_id",
        "receipt_no",
        "payload",
        "payload_sha256",
        "state",
        "attempts",
        "created_at",
    } <= set(cols):
        con.executemany(
            "INSERT INTO outbox (op_id, kind, request_id, receipt_no, payload, payload_sha256,"
            " state, attempts, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            ops,
        )
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB"


def bench_backup(n: int, out: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "office"
        desk = Desk.open(home)
        init_office(desk, "4512", "دفتر سنجش", 2)
        t = time.perf_counter()
        fill(desk, n)
        out.append(
            f"filled {n:,} requests (+ outbox) in {time.perf_counter() - t:.1f} s; "
            f"database {mb(desk.db.path.stat().st_size)}"
        )
        t = time.perf_counter()
        backup_crypto._derive(PASS, b"s" * 16, backup_crypto.SCRYPT_N, backup_crypto.SCRYPT_R, backup_crypto.SCRYPT_P)
        out.append(f"scrypt key derivation (n=2^15, r=8, p=1): {(time.perf_counter() - t) * 1000:.0f} ms")
        t = time.perf_counter()
        path = autobackup.write_backup(desk, passphrase=PASS, kind="manual")
        took = time.perf_counter() - t
        size_db = desk.db.path.stat().st_size
        out.append(
            f"encrypted backup: {took:.2f} s ({size_db / 1e6 / took:.0f} MB/s of database), "
            f"file {mb(path.stat().st_size)} ({path.stat().st_size / size_db:.0%} of the database)"
        )
        desk.close()
        target = Path(tmp) / "new-pc"
        t = time.perf_counter()
        result = autobackup.restore_backup(target, path, PASS, "4512")
        took = time.perf_counter() - t
        out.append(
            f"restore (decrypt + verify + integrity check + copy): {took:.2f} s, {result.requests:,} requests back"
        )


def bench_logs(out: list[str], lines: int = 50_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        logs.setup_logging(tmp)
        log = logging.getLogger("desk_app.sync")
        t = time.perf_counter()
        for i in range(lines):
            log.info(
                "batch %d sent: 200 items for citizen %s, Bearer %s",
                i,
                "0012345679",
                "q8Zr2LkV0pXbN3mYt7Wd5sHa9CeFgJ1u",
            )
        took = time.perf_counter() - t
        logs.shutdown_logging()
        out.append(f"log lines with secrets, masked and written: {lines / took:,.0f} lines/s")


def bench_demo(out: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PYTHONPATH=str(ROOT), DESK_APP_HOME=tmp)
        for label in ("first start (set-up)", "second start (reuse)"):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "desk_app", "demo", "--no-gui", "--exit", "--json"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                timeout=300,
            )
            out.append(f"demo --no-gui --exit, {label}: {time.perf_counter() - t:.1f} s")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200_000)
    ap.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = ap.parse_args()
    out: list[str] = []
    bench_backup(args.requests, out)
    bench_logs(out)
    bench_demo(out)
    head = (
        f"## ops ({datetime.now(UTC):%Y-%m-%d %H:%M}Z, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()})"
    )
    print(head)
    for line in out:
        print("- " + line)
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write("\n" + head + "\n" + "".join(f"- {line}\n" for line in out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
