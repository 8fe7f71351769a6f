"""Requests per second the provincial server accepts from many devices at once.

50 simulated devices (threads, one keep-alive connection each) in 10 offices upload batches
of 50 `request` operations over real HTTP on loopback to `provincial-server serve --workers 2`,
on PostgreSQL (a throwaway cluster, or PISHKHAN_TEST_PG_URL) and on SQLite for comparison.
Prints the figures and appends a section to bench/RESULTS.md.

    .venv/bin/python bench/server_ingest.py [--devices 50] [--batches 8] [--batch-size 50]
                                            [--workers 2] [--backends postgres,sqlite] [--no-record]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.server import ServerProcess, make_request_op  # noqa: E402


def run(url: str, *, devices: int, batches: int, batch_size: int, workers: int, offices: int = 10) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    srv = ServerProcess(url, serve_args=("--workers", str(workers), "--rate-limit", "0"), cwd=tmp)
    layout: dict[str, tuple[int, ...]] = {}
    for i in range(devices):
        layout.setdefault(str(5000 + i % offices), ())
        code = str(5000 + i % offices)
        layout[code] = layout[code] + (1 + i // offices,)
    tokens = srv.quick_setup(layout)
    srv.start()
    try:
        # payloads built before the clock starts
        work = {
            key: [
                [make_request_op(key[0], key[1], n=b * batch_size + j) for j in range(batch_size)]
                for b in range(batches)
            ]
            for key in tokens
        }
        latencies: list[float] = []
        results: dict[str, int] = {}
        errors: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(len(tokens) + 1)

        def device(key):
            with srv.client(tokens[key], timeout=120) as c:
                c.get("/api/v1/hello")  # connection up, worker warm
                start.wait()
                for ops in work[key]:
                    t0 = time.perf_counter()
                    r = c.post(f"/api/v1/offices/{key[0]}/requests/batch", json={"items": ops})
                    dt = time.perf_counter() - t0
                    with lock:
                        latencies.append(dt)
                        if r.status_code != 200:
                            errors.append(f"{r.status_code} {r.text[:200]}")
                            continue
                        for x in r.json()["results"]:
                            results[x["result"]] = results.get(x["result"], 0) + 1

        threads = [threading.Thread(target=device, args=(k,)) for k in tokens]
        for t in threads:
            t.start()
        start.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        srv.stop()
    created = results.get("created", 0)
    lat = sorted(latencies)
    return {
        "devices": len(tokens),
        "offices": offices,
        "batches": len(latencies),
        "batch_size": batch_size,
        "workers": workers,
        "created": created,
        "other": {k: v for k, v in results.items() if k != "created"},
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "wall_s": wall,
        "rps": created / wall if wall else 0.0,
        "p50_ms": 1000 * statistics.median(lat),
        "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))],
        "max_ms": 1000 * lat[-1],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=50)
    ap.add_argument("--batches", type=int, default=8, help="batches per device")
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--backends", default="postgres,sqlite")
    ap.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args(argv)

    rows = []
    cluster = None
    for backend in args.backends.split(","):
        if backend == "postgres":
            from tests.helpers import pg

            try:
                cluster = pg.start_cluster()
            except BaseException as exc:  # pytest's skip/fail outcomes when PostgreSQL is absent
                print(f"postgres: skipped ({exc})")
                continue
            url = cluster.new_database()
        else:
            url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-sqlite-')}/provincial.db"
        print(
            f"== {backend}: {args.devices} devices x {args.batches} batches x {args.batch_size} ops, "
            f"{args.workers} workers",
            flush=True,
        )
        res = run(url, devices=args.devices, batches=args.batches, batch_size=args.batch_size, workers=args.workers)
        res["backend"] = backend
        rows.append(res)
        print(
            f"   accepted {res['created']} requests in {res['wall_s']:.1f} s = {res['rps']:.0f} requests/s; "
            f"batch latency p50 {res['p50_ms']:.0f} ms, p95 {res['p95_ms']:.0f} ms, max {res['max_ms']:.0f} ms; "
            f"other results {res['other']}, HTTP errors {res['errors']}"
            + (f" (first: {res['first_error']})" if res["first_error"] else ""),
            flush=True,
        )
    if cluster is not None:
        cluster.stop()
    if rows and not args.no_record:
        record(rows, argv if argv is not None else sys.argv[1:])
    return 0 if rows and all(r["errors"] == 0 for r in rows) else 1


def record(rows: list[dict], argv: list[str]) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    import os

    lines = [
        "",
        f"## Provincial server ingest ({when})",
        "",
        f"Command: `{' '.join(['.venv/bin/python bench/server_ingest.py', *argv])}` — {os.cpu_count()} CPUs "
        f"(load average {os.getloadavg()[0]:.1f} at the end), server and load generator on the same machine, "
        "loopback HTTP, `--rate-limit 0`.",
        "",
        "| backend | devices | offices | workers | batch | requests accepted | wall s | requests/s | p50 ms | p95 ms | max ms | errors |",  # noqa: E501
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['backend']} | {r['devices']} | {r['offices']} | {r['workers']} | {r['batch_size']} | "
            f"{r['created']} | {r['wall_s']:.1f} | {r['rps']:.0f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['max_ms']:.0f} | {r['errors']} |"
        )
    if not path.exists():
        lines = ["# Benchmark results", ""] + lines
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"recorded in {path}")


if __name__ == "__main__":
    sys.exit(main())
