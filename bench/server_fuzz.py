"""A long fuzz run of the provincial server: payload fields, query parameters, bodies, headers.

The same Hypothesis strategies as tests/test_server_fuzz.py (tests/helpers/fuzz.py), with many
more cases and fresh random draws each run, against `provincial-server serve --rate-limit 0` on
SQLite and on PostgreSQL (a throwaway cluster, or PISHKHAN_TEST_PG_URL). Prints how many cases
ran and how many answers were 5xx (the goal: 0), and appends a section to bench/RESULTS.md.

    .venv/bin/python bench/server_fuzz.py [--batches 2000] [--queries 2000] [--backends sqlite,postgres]
                                          [--seed N] [--no-record]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests.helpers import fuzz  # noqa: E402
from tests.helpers.server import ServerProcess  # noqa: E402


def run(url: str, folder: Path, batches: int, queries: int, rng_seed: int) -> dict:
    srv = ServerProcess(url, serve_args=("--rate-limit", "0"), cwd=folder)
    tokens = srv.quick_setup({"4512": (2, 3)})
    srv.start()
    stats = fuzz.FuzzStats()
    answers: Counter = Counter()
    failures: list[str] = []
    started = time.monotonic()
    try:
        target = fuzz.prepare(srv, "4512", {2: tokens[("4512", 2)], 3: tokens[("4512", 3)]})
        common = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))

        @seed(rng_seed)
        @settings(max_examples=batches, **common)
        @given(fuzz.batch_case(target))
        def payloads(case):
            items, good_at = case
            try:
                fuzz.check_batch(target, items, good_at, stats)
            except AssertionError as exc:  # keep going: count, remember the first few
                if len(failures) < 5:
                    failures.append(str(exc)[:600])

        payloads()
        fuzz.check_stored(target, stats)
        c = target.clients[2]
        epoch = c.get("/api/v1/hello").json()["feed_epoch"]

        @seed(rng_seed)
        @settings(max_examples=queries, **common)
        @given(fuzz.query_case(epoch))
        def other_calls(case):
            method, suffix, params, headers, body = case
            r = c.request(
                method,
                f"/api/v1/offices/4512/{suffix}",
                params=params,
                headers={"X-Desk-Protocol": "1", **headers},
                content=body or None,
            )
            answers[r.status_code] += 1
            if r.status_code >= 500 and len(failures) < 5:
                failures.append(f"{r.status_code} {method} {suffix} {params} {headers} {body[:200]!r}")

        other_calls()
        for cl in target.clients.values():
            cl.close()
    finally:
        srv.stop()
    tracebacks = srv.log_text().count("Traceback")
    Path(srv._log_path).unlink(missing_ok=True)
    return {
        "stats": stats,
        "answers": answers,
        "failures": failures,
        "tracebacks": tracebacks,
        "wall_s": time.monotonic() - started,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=2000, help="fuzzed batches per backend")
    ap.add_argument("--queries", type=int, default=2000, help="fuzzed other calls per backend")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args(argv)
    rng_seed = args.seed if args.seed is not None else random.randrange(2**32)
    rows = []
    for backend in args.backends.split(","):
        folder = Path(tempfile.mkdtemp(prefix="bench-fuzz-"))
        cluster = None
        try:
            if backend == "postgres":
                from tests.helpers import pg

                try:
                    cluster = pg.start_cluster()
                except BaseException as exc:  # pytest's skip/fail outcomes when PostgreSQL is absent
                    print(f"postgres: skipped ({exc})")
                    continue
                url = cluster.new_database()
            else:
                url = f"sqlite:///{folder / 'provincial.db'}"
            print(
                f"== {backend}: {args.batches} fuzzed batches, {args.queries} other calls, seed {rng_seed}", flush=True
            )
            res = run(url, folder, args.batches, args.queries, rng_seed)
        finally:
            if cluster is not None:
                cluster.stop()
            shutil.rmtree(folder, ignore_errors=True)
        res["backend"] = backend
        rows.append(res)
        s = res["stats"]
        fivexx = s.server_errors + sum(n for code, n in res["answers"].items() if code >= 500)
        res["fivexx"] = fivexx
        print(f"   batches: {s.line()}", flush=True)
        print(
            f"   other calls: {sum(res['answers'].values())}, answers {dict(sorted(res['answers'].items()))}; "
            f"5xx in all: {fivexx}; tracebacks in the server log: {res['tracebacks']}; {res['wall_s']:.0f} s",
            flush=True,
        )
        for f in res["failures"]:
            print("   FAILURE:", f, flush=True)
    if rows and not args.no_record:
        record(rows, argv if argv is not None else sys.argv[1:], rng_seed)
    return 0 if rows and all(r["fivexx"] == 0 and not r["failures"] and not r["tracebacks"] for r in rows) else 1


def record(rows: list[dict], argv: list[str], rng_seed: int) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## Provincial server fuzz ({when})",
        "",
        f"Command: `{' '.join(['.venv/bin/python bench/server_fuzz.py', *argv])}` (seed {rng_seed}) — "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| backend | fuzzed batches | items | results | other calls | answers | 5xx | tracebacks | wall s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["stats"]
        lines.append(
            f"| {r['backend']} | {s.batches} | {s.items} | {dict(s.results)} | {sum(r['answers'].values())} | "
            f"{dict(sorted(r['answers'].items()))} | {r['fivexx']} | {r['tracebacks']} | {r['wall_s']:.0f} |"
        )
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"recorded in {path}")


if __name__ == "__main__":
    sys.exit(main())
