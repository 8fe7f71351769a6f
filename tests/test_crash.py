"""SIGKILL during intake: the database stays sound and every reported receipt is there with its outbox op.

A writer process registers requests in a loop and prints each receipt number only after
`register_request` returned (the commit happened). It is killed with SIGKILL at random moments,
25 times; after each kill the test opens the file itself and checks it. To keep the suite fast the
writers are forked from one helper process that has already imported the app (no database is
open in it); each writer is a separate process with its own connections, killed for real.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.helpers.deskdata import make_desk

ROOT = Path(__file__).resolve().parent.parent
KILLS = 25

ZYGOTE = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from desk_app.services import intake  # imported before the forks: a kill lands mid-intake
    from desk_app.services.context import Desk
    from tests.helpers.deskdata import register
    home, n = {home!r}, 0
    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            desk = Desk.open(home)
            while True:
                n += 1
                r = register(desk, int(line) * 100000 + n, first_name="محمد" * (n % 7 + 1))
                sys.stdout.write("ok " + r.receipt_no + "\\n")
                sys.stdout.flush()
        print("pid", pid, flush=True)
        os.waitpid(pid, 0)
        print("dead", pid, flush=True)
""")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_sigkill_during_intake_loses_nothing_reported(home):
    make_desk(home).close()
    db_file = home / "desk.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE.format(root=str(ROOT), home=str(home))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x.strip()) for x in proc.stdout], daemon=True).start()

    def expect(prefix: str, reported: list[str]) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                assert proc.poll() is None, proc.stderr.read()
                continue
            if line.startswith("ok "):
                reported.append(line[3:])
            elif line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} line from the writer")

    rng = random.Random(20261129)
    reported: list[str] = []
    mid_run_kills = 0
    try:
        for i in range(KILLS):
            proc.stdin.write(f"{i + 1}\n")
            proc.stdin.flush()
            pid = int(expect("pid", reported).split()[1])
            time.sleep(rng.uniform(0.05, 1.0))  # sometimes while opening, mostly mid-intake
            before = len(reported)
            os.kill(pid, signal.SIGKILL)
            expect("dead", reported)  # the writer is gone; anything it printed is in `reported`
            mid_run_kills += len(reported) > before
            con = sqlite3.connect(db_file)
            try:
                assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                in_db = {r[0] for r in con.execute("SELECT receipt_no FROM requests")}
                with_op = {r[0] for r in con.execute("SELECT receipt_no FROM outbox WHERE kind = 'request'")}
                orphans = con.execute(
                    "SELECT count(*) FROM requests r WHERE NOT EXISTS "
                    "(SELECT 1 FROM outbox o WHERE o.request_id = r.request_id)"
                ).fetchone()[0]
            finally:
                con.close()
            missing = [r for r in reported if r not in in_db or r not in with_op]
            assert not missing, f"kill {i + 1}: reported but lost: {missing[:5]}"
            assert orphans == 0 and in_db == with_op
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert len(reported) == len(set(reported)) > KILLS
    assert mid_run_kills >= KILLS // 3  # many kills landed while requests were being written
    print(f"{KILLS} SIGKILLs, {len(reported)} reported requests, all present with their outbox op")
