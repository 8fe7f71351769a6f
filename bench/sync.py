"""Sync throughput and bytes on the wire, against the real provincial server on loopback.

1. 10,000 queued requests synced by the engine (batches as the server's hello allows) vs the
   same 10,000 sent one operation per HTTP call (a server started with --max-batch-items 1);
   bytes on the wire per request, both ways, counted at the proxy.
2. A rural link through the proxy: 64 kbit/s each way + 400 ms round trip; time to sync 100
   requests vs the floor that the bytes and the bandwidth alone impose.

    .venv/bin/python bench/sync.py [--count 10000] [--slow-count 100]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk_app.services.context import Desk  # noqa: E402
from desk_app.sync.engine import SyncEngine  # noqa: E402
from desk_app.sync.transport import HttpTransport  # noqa: E402
from tests.helpers.chaos import AimedProxy  # noqa: E402
from tests.helpers.server import ServerProcess  # noqa: E402
from tests.helpers.syncdata import outbox_states, queue_many  # noqa: E402
from tests.helpers.syncrig import DEVICE, OFFICE, Templates  # noqa: E402

RATE_BPS = 64_000 // 8  # 64 kbit/s in bytes per second, each way
RTT_S = 0.400


def one_run(
    base: Path, tpl: Templates, name: str, count: int, serve_args: tuple[str, ...], throttle: bool = False
) -> dict:
    """Copy the templates, queue `count` requests, sync them all; figures of that run."""
    tmp = base / name
    tmp.mkdir()
    tpl.copy_to(tmp)
    desk = Desk.open(tmp / "home")
    queue_many(desk.db, OFFICE, DEVICE, count)
    srv = ServerProcess(
        f"sqlite:///{tmp / 'provincial.db'}", cwd=tmp, serve_args=("--rate-limit", "0", *serve_args)
    ).start()
    proxy = AimedProxy(srv.url).start()
    if throttle:
        proxy.set_mode("throttle", rate_bps=RATE_BPS, latency_s=0.0)
        proxy.one_way_s = RTT_S / 2
    try:
        transport = HttpTransport(proxy.url, tpl.token, timeout=(10.0, 120.0))
        engine = SyncEngine(desk.db, transport, office=OFFICE, device=DEVICE)
        t0 = time.perf_counter()
        runs = 0
        while True:
            report = engine.run_once()
            runs += 1
            if report.pending == 0 and report.online or runs > 20:
                break
        elapsed = time.perf_counter() - t0
        transport.close()
        states = outbox_states(desk.db)
        return {
            "name": name,
            "count": count,
            "seconds": elapsed,
            "runs": runs,
            "acked": states.get("acked", 0),
            "http_requests": proxy.requests,
            "bytes_up": proxy.bytes_up,
            "bytes_down": proxy.bytes_down,
        }
    finally:
        proxy.stop()
        srv.stop()
        desk.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--slow-count", type=int, default=100)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        tpl = Templates(base / "templates")
        rows = [
            one_run(base, tpl, "engine-batches", args.count, ()),
            one_run(base, tpl, "one-per-call", args.count, ("--max-batch-items", "1")),
        ]
        print(f"loopback, {args.count} queued requests (sync includes hello, pull of the feed, catalog):")
        for r in rows:
            print(
                f"  {r['name']:15s} {r['seconds']:8.1f} s  {r['count'] / r['seconds']:8.0f} req/s  "
                f"{r['http_requests']:6d} HTTP calls  up {r['bytes_up'] / r['count']:7.0f} B/req  "
                f"down {r['bytes_down'] / r['count']:7.0f} B/req  acked {r['acked']}"
            )
        speedup = rows[1]["seconds"] / rows[0]["seconds"]
        print(f"  engine batches are {speedup:.1f}x faster than one operation per call")
        slow = one_run(base, tpl, "rural-link", args.slow_count, (), throttle=True)
        floor = slow["bytes_up"] / RATE_BPS + slow["bytes_down"] / RATE_BPS
        floor_rtt = floor + slow["http_requests"] * RTT_S
        print(
            f"64 kbit/s + {RTT_S * 1000:.0f} ms RTT, {slow['count']} requests: {slow['seconds']:.1f} s, "
            f"{slow['http_requests']} HTTP calls, up {slow['bytes_up']} B, down {slow['bytes_down']} B "
            f"({(slow['bytes_up'] + slow['bytes_down']) / slow['count']:.0f} B/req)"
        )
        print(
            f"  floor from bytes/bandwidth: {floor:.1f} s; with one RTT per call: {floor_rtt:.1f} s; "
            f"measured/floor = {slow['seconds'] / floor:.2f}"
        )
        ok = all(r["acked"] == r["count"] for r in rows + [slow])
        return 0 if ok else 1
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
