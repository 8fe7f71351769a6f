"""The province's figures (printed; appended to bench/RESULTS.md with --record):

1. `province.offices_overview` over N offices (default 675, two devices each) with a week of
   heartbeats (one a device every 5 minutes, as `record_heartbeat` keeps them);
2. `province.record_heartbeat` (what a hello with a report adds) on that history;
3. the SMS sender against a local HTTP sink: messages a second, each key POSTed once.

    .venv/bin/python bench/province.py [--offices 675] [--postgres] [--record]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from provincial_server import admin, province, sms  # noqa: E402
from provincial_server.catalogs import load_catalog  # noqa: E402
from provincial_server.db import (  # noqa: E402
    Device,
    DeviceStatus,
    FeedCounter,
    Heartbeat,
    Office,
    ServerDB,
    ServerRequest,
    utcnow,
)
from provincial_server.ingest import Caller, apply_batch  # noqa: E402
from tests.helpers.server import CATALOG, make_request_op  # noqa: E402
from tests.helpers.smssink import SmsSink  # noqa: E402


def build(db: ServerDB, offices: int, now: datetime) -> int:
    """Offices, two devices each, their status and a week of heartbeats; returns heartbeat rows."""
    week = int(timedelta(days=7) / province.HEARTBEAT_EVERY)
    rows = 0
    with db.write() as s:
        s.execute(insert(Office), [{"code": f"{1000 + i}", "name": f"دفتر {1000 + i}"} for i in range(offices)])
        s.execute(insert(FeedCounter), [{"office": f"{1000 + i}", "last_seq": 0} for i in range(offices)])
        devs = [{"office": f"{1000 + i}", "device": d, "token_sha256": None} for i in range(offices) for d in (1, 2)]
        for k, d in enumerate(devs):
            d["last_seen_at"] = now - timedelta(minutes=(k * 37) % (4 * 24 * 60))
        s.execute(insert(Device), devs)
        status = [
            {
                "office": d["office"],
                "device": d["device"],
                "reported_at": d["last_seen_at"],
                "app_version": "0.1.0" if k % 3 else "0.2.0",
                "pending": k % 40,
                "oldest_pending_s": (k % 40) * 90,
                "attachment_bytes_pending": (k % 7) * 50_000,
                "printer_state": "failed" if k % 11 == 0 else "ok",
                "last_error": None,
            }
            for k, d in enumerate(devs)
        ]
        s.execute(insert(DeviceStatus), status)
    for st in status:
        fields = {key: v for key, v in st.items() if key != "reported_at"}
        beats = [{**fields, "at": now - timedelta(days=7) + j * province.HEARTBEAT_EVERY} for j in range(week)]
        with db.write() as s:
            s.execute(insert(Heartbeat), beats)
        rows += len(beats)
    return rows


def timed(fn, n: int) -> tuple[float, float]:
    fn()
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs), max(runs)


def sms_rate(db: ServerDB, n: int) -> tuple[float, int, int]:
    with db.write() as s:
        load_catalog(s, CATALOG)
    admin.add_office(db, "9999", "دفتر سنجش")
    ops = [make_request_op("9999", 2) for _ in range(n)]
    with db.write() as s:
        apply_batch(s, Caller("9999", 2), ops)
    with db.write() as s:
        from provincial_server.feed import transition

        for req in s.scalars(select(ServerRequest).where(ServerRequest.office == "9999")):
            transition(s, req, "completed", actor="bench")
    sink = SmsSink().start()
    try:
        sender = sms.SmsSender(db, sms.Gateway(sink.url), batch=20)
        t = time.perf_counter()
        while sender.step():
            pass
        wall = time.perf_counter() - t
        sender.gateway.close()
        keys = [p["idempotency_key"] for p in sink.posts]
        return n / wall, len(keys), len(set(keys))
    finally:
        sink.stop()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--offices", type=int, default=675)
    ap.add_argument("--sms", type=int, default=500)
    ap.add_argument("--postgres", action="store_true", help="a throwaway cluster (tests.helpers.pg) instead of SQLite")
    ap.add_argument("--record", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-province-") as tmp:
        cluster = None
        if args.postgres:
            from tests.helpers.pg import start_cluster

            cluster = start_cluster(Path(tmp))
            url, backend = cluster.new_database(), "postgres"
        else:
            url, backend = f"sqlite:///{Path(tmp) / 'provincial.db'}", "sqlite"
        db = ServerDB(url)
        db.init()
        now = utcnow()
        t = time.perf_counter()
        beats = build(db, args.offices, now)
        build_s = time.perf_counter() - t

        def overview():
            with db.read() as s:
                return province.offices_overview(s, now)

        rows = overview()
        assert len(rows) == args.offices
        ov_med, ov_max = timed(overview, 10)
        k = [0]

        def beat():
            k[0] += 1
            with db.write() as s:
                province.record_heartbeat(s, "1000", 1, {"pending": k[0]}, now=now + timedelta(minutes=5 * k[0] + 1))

        hb_med, hb_max = timed(beat, 50)
        with db.read() as s:
            kept = s.scalar(select(func.count()).select_from(Heartbeat))
        rate, posts, keys = sms_rate(db, args.sms)
        db.dispose()
        if cluster:
            cluster.stop()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"## Province view and SMS ({stamp}, {backend})",
        "",
        f"Command: `.venv/bin/python bench/province.py --offices {args.offices} --sms {args.sms}"
        f"{' --postgres' if args.postgres else ''}` — {os.cpu_count()} CPUs, load average {load:.1f}, "
        f"{platform.python_version()}.",
        "",
        f"- data: {args.offices} offices, {2 * args.offices} devices, {beats:,} heartbeats (a week, one a "
        f"device every 5 min; built in {build_s:.0f} s)",
        f"- `offices_overview` (every office, stale first): median {ov_med:.0f} ms, max {ov_max:.0f} ms (n=10)",
        f"- `record_heartbeat` (status upsert + history append + prune) on that history: median {hb_med:.1f} ms, "
        f"max {hb_max:.1f} ms (n=50); {kept:,} rows after",
        f"- SMS sender, one worker, local HTTP sink: {rate:.0f} messages/s over {args.sms}; "
        f"{posts} POSTs, {keys} distinct keys",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
