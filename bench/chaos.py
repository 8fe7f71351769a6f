"""The full chaos run of the sync engine against the real provincial server.

>= 2,000 requests registered while real `desk-app sync --once` processes run; >= 100 of them
SIGKILLed at random moments (just after hello, between sending a batch and its answer, or
anywhere); the server SIGKILLed mid-sync >= 10 times and restarted; 20% of batch answers dropped
by the proxy after the server committed. Prints lost / duplicated / stuck (all must be 0).

    .venv/bin/python bench/chaos.py [--requests 2000] [--client-kills 100] [--server-kills 10]
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--client-kills", type=int, default=100)
    ap.add_argument("--server-kills", type=int, default=10)
    ap.add_argument("--drop-rate", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
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


if __name__ == "__main__":
    sys.exit(main())
