"""The full chaos run of the sync engine against the real provincial server.

>= 2,000 requests registered while real `desk-app sync --once` processes run; >= 100 of them
SIGKILLed at random moments (just after hello, between sending a batch and its answer, or
anywhere); the server SIGKILLed mid-sync >= 10 times and restarted; 20% of batch answers dropped
by the proxy after the server committed. Prints lost / duplicated / stuck (all must be 0).

With `--attachments`: the scanned pages' run (DESIGN.md section 11): requests with 1-3 pages each
over the slow-link proxy (`--rate-bps`, `--rtt`), clients SIGKILLed mostly mid-upload, the server
SIGKILLed, 20% of every office API answer (batches, lookups, creations, chunks, links) dropped
after the server acted. Prints lost / duplicated / corrupted pages (SHA-256 of every stored file
checked) and the page bytes re-sent as a share of the bytes needed.

    .venv/bin/python bench/chaos.py [--requests 2000] [--client-kills 100] [--server-kills 10]
    .venv/bin/python bench/chaos.py --attachments [--requests 300] [--client-kills 30] [--server-kills 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.syncrig import Templates, run_chaos  # noqa: E402
from tests.helpers.uploadrig import run_attachment_chaos  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--client-kills", type=int, default=100)
    ap.add_argument("--server-kills", type=int, default=10)
    ap.add_argument("--drop-rate", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--attachments", action="store_true", help="the scanned pages' run (defaults 300/30/5)")
    ap.add_argument("--rate-bps", type=int, default=64_000, help="slow link, bytes/s each way (--attachments)")
    ap.add_argument("--rtt", type=float, default=0.1, help="round trip, seconds (--attachments)")
    ap.add_argument("--chunk", type=int, default=8192, help="starting upload chunk, bytes (--attachments)")
    args = ap.parse_args()
    if args.attachments:
        return attachments(args)
    with tempfile.TemporaryDirectory(prefix="chaos-") as tmp:
        base = Path(tmp)
        tpl = Templates(base / "templates")
        t0 = time.monotonic()
        result = run_chaos(
            base / "run",
            tpl,
            requests=args.requests,
            client_kills=args.client_kills,
            server_kills=args.server_kills,
            drop_rate=args.drop_rate,
            seed=args.seed,
            log=lambda line: print("  " + line, flush=True),
        )
        final = result.pop("final_report")
        print(json.dumps(result, indent=1))
        print(
            f"chaos: {result['requests']} requests, {result['sync_runs']} sync runs, "
            f"{result['client_kills']} client SIGKILLs, {result['server_kills']} server SIGKILLs, "
            f"{result['dropped_answers']} of {result['batch_calls']} batch answers dropped after commit -> "
            f"lost {result['lost']}, duplicated {result['duplicated']}, stuck {result['stuck']}, "
            f"mismatched {result['mismatched']} ({time.monotonic() - t0:.0f} s)"
        )
        if any(result[k] for k in ("lost", "duplicated", "stuck", "mismatched")):
            print("final sync report:", final)
            return 1
    return 0


def attachments(args) -> int:
    argv = sys.argv[1:]
    requests = args.requests if "--requests" in argv else 300
    kills = args.client_kills if "--client-kills" in argv else 30
    skills = args.server_kills if "--server-kills" in argv else 5
    with tempfile.TemporaryDirectory(prefix="chaos-att-") as tmp:
        base = Path(tmp)
        tpl = Templates(base / "templates")
        t0 = time.monotonic()
        result = run_attachment_chaos(
            base / "run",
            tpl,
            requests=requests,
            client_kills=kills,
            server_kills=skills,
            drop_rate=args.drop_rate,
            rate_bps=args.rate_bps,
            rtt_s=args.rtt,
            chunk=args.chunk,
            seed=args.seed,
            log=lambda line: print("  " + line, flush=True),
        )
        final = result.pop("final_report")
        print(json.dumps(result, indent=1))
        print(
            f"attachment chaos: {result['requests']} requests, {result['pages']} pages "
            f"({result['bytes_needed']} bytes), {result['sync_runs']} sync runs, {result['client_kills']} client "
            f"SIGKILLs, {result['server_kills']} server SIGKILLs, {result['dropped_answers']} answers dropped, "
            f"link {args.rate_bps} B/s, RTT {args.rtt * 1000:.0f} ms -> lost {result['lost']}, duplicated "
            f"{result['duplicated']}, corrupted {result['corrupted']}, unsent {result['unsent']}, re-sent "
            f"{result['bytes_sent'] - result['bytes_needed']} bytes = {100 * result['resent_share']:.1f}% of the "
            f"bytes needed ({time.monotonic() - t0:.0f} s)"
        )
        if any(result[k] for k in ("lost", "duplicated", "corrupted", "unsent")):
            print("final sync report:", final)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
