"""A provincial server, a fault proxy and a counter PC's data folder wired together, for the
sync fault tests, the state machine, the chaos run and the sync benchmarks.

`Templates` builds the server database (office, catalog, device enrolled) and the data folder
(users, catalog, office, token) once; `Rig` copies them and starts the real server on loopback
behind an `AimedProxy`. `assert_converged` is the end state every fault test demands.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from desk_app.store.models import OutboxOp, Request
from desk_app.sync.engine import SyncEngine
from desk_app.sync.transport import HttpTransport
from tests.helpers.chaos import AimedProxy
from tests.helpers.deskdata import make_desk, register
from tests.helpers.server import CATALOG, ServerProcess
from tests.helpers.syncdata import outbox_states

ROOT = Path(__file__).resolve().parents[2]
OFFICE, DEVICE = "4512", 2


class Templates:
    """A server database (office, catalog, device enrolled) and a counter PC's data folder
    (users, catalog, office, token), built once per session and copied for each test: the
    admin commands and password hashing cost seconds, the copies milliseconds."""

    def __init__(self, base: Path):
        from desk_app.services import catalog as catalog_svc
        from desk_app.services import setup

        self.base = base
        base.mkdir(parents=True, exist_ok=True)
        srv = ServerProcess(f"sqlite:///{base / 'provincial.db'}", cwd=base)
        srv.add_office(OFFICE)
        srv.load_catalog(CATALOG)
        self.token = srv.enrol(OFFICE, DEVICE)
        desk = make_desk(base / "home", catalog=False)
        catalog_svc.import_catalog(desk, CATALOG)
        setup.init_office(
            desk, OFFICE, "دفتر پیشخوان آزمایشی", DEVICE, server_url="http://127.0.0.1:9", token=self.token
        )
        desk.close()

    def copy_to(self, tmp: Path) -> None:
        shutil.copy(self.base / "provincial.db", tmp / "provincial.db")
        shutil.copytree(self.base / "home", tmp / "home")


_templates: dict[str, Templates] = {}


def templates(tmp_path_factory) -> Templates:
    if "t" not in _templates:
        _templates["t"] = Templates(tmp_path_factory.mktemp("sync-templates"))
    return _templates["t"]


class Rig:
    """Server + proxy + one counter PC's data folder, wired as in an office."""

    def __init__(self, tmp: Path, tpl: Templates, serve_args=("--rate-limit", "0")):
        from desk_app.services.context import Desk

        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        tpl.copy_to(tmp)
        self.srv = ServerProcess(f"sqlite:///{tmp / 'provincial.db'}", cwd=tmp, serve_args=serve_args)
        self.token = tpl.token
        self.srv.start()
        self.proxy = AimedProxy(self.srv.url, keep_bytes=40).start()
        self.home = tmp / "home"
        self.desk = Desk.open(self.home)
        self.desk.settings.set("server_url", self.proxy.url)
        self.db = self.desk.db
        self.n = 0

    def register(self, count=1):
        out = []
        for _ in range(count):
            self.n += 1
            out.append(register(self.desk, n=self.n))
        return out

    def engine(self, timeout=(2.0, 5.0), token=None, **kw):
        transport = HttpTransport(self.proxy.url, token or self.token, timeout=timeout)
        return SyncEngine(self.db, transport, office=OFFICE, device=DEVICE, **kw), transport

    def sync(self, **kw):
        eng, transport = self.engine(**kw)
        with transport:
            return eng.run_once()

    def restart_server(self, kill=True):
        self.srv.kill() if kill else self.srv.stop()
        self.srv.start()
        self.proxy.set_upstream(self.srv.url)

    def server_rows(self) -> list[tuple]:
        con = sqlite3.connect(f"file:{self.tmp / 'provincial.db'}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute("SELECT request_id, receipt_no, server_ref, status FROM requests").fetchall()
        finally:
            con.close()

    def desk_app(self, *args, timeout=60, **kw):
        env = {**os.environ, "DESK_APP_HOME": str(self.home), "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [str(Path(sys.executable).parent / "desk-app"), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            **kw,
        )

    def popen_sync(self):
        env = {**os.environ, "DESK_APP_HOME": str(self.home), "PYTHONPATH": str(ROOT)}
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "desk-app"), "sync", "--once", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def close(self):
        self.proxy.stop()
        self.srv.kill()
        self.desk.close()


def assert_converged(rig: Rig, expect_local: int | None = None) -> dict:
    """Clean sync, then: every local request on the server exactly once, same ref and status."""
    report = rig.sync()
    assert report.online, report.error
    assert report.pending == 0 and outbox_states(rig.db).get("sending", 0) == 0
    with rig.db.read() as s:
        local = {r.request_id: (r.receipt_no, r.server_ref, r.status) for r in s.scalars(select(Request))}
        withdrawn = set(s.scalars(select(OutboxOp.request_id).where(OutboxOp.state == "withdrawn")))
    rows = rig.server_rows()
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids)) and len({r[1] for r in rows}) == len(rows)
    server = {r[0]: (r[1], r[2], r[3]) for r in rows}
    assert set(server) == set(local) - withdrawn
    for rid, (receipt_no, ref, status) in server.items():
        assert local[rid] == (receipt_no, ref, status), rid
    if expect_local is not None:
        assert len(local) == expect_local
    return server


# ---------------------------------------------------------------------------------- chaos run
def run_chaos(
    base: Path,
    tpl: Templates,
    *,
    requests: int,
    client_kills: int,
    server_kills: int,
    drop_rate: float = 0.2,
    seed: int = 1,
    log=None,
) -> dict:
    """Register `requests` requests while real `desk-app sync --once` processes run, SIGKILLing
    `client_kills` of them at random moments and the server `server_kills` times mid-sync, with
    `drop_rate` of batch answers dropped after the server committed. Then sync cleanly and count:
    lost (registered here, not on the server), duplicated (extra server rows for one request or
    receipt number), stuck (outbox ops still unsent or parked)."""
    import random
    import signal
    import threading
    import time

    rng = random.Random(seed)
    rig = Rig(base, tpl)
    rig.proxy.set_drop(drop_rate, seed)
    registered: list[str] = []
    kills = skills = runs = 0
    started = time.monotonic()
    say = log or (lambda *_: None)
    try:
        kill_plan = [True] * client_kills + [False] * max(6, client_kills // 3)
        per_run = max(1, requests // len(kill_plan))
        rng.shuffle(kill_plan)
        server_plan = set(rng.sample(range(len(kill_plan)), min(server_kills, len(kill_plan))))
        i = 0
        while len(registered) < requests or i < len(kill_plan) or kills < client_kills or skills < server_kills:
            want_kill = kill_plan[i] if i < len(kill_plan) else kills < client_kills
            want_server_kill = i in server_plan or (i >= len(kill_plan) and skills < server_kills)
            i += 1
            hello, batch = threading.Event(), threading.Event()
            rig.proxy.on_request = lambda path, hello=hello, batch=batch: (
                hello.set() if "/hello" in path else batch.set() if "/requests/batch" in path else None
            )
            proc = rig.popen_sync()
            runs += 1
            # the counter keeps working while the sync runs
            left = requests - len(registered)
            n = left if i >= len(kill_plan) else min(rng.randint(per_run // 2, per_run + per_run // 2), left)
            registered += [v.request_id for v in rig.register(n)]
            timer = None
            if want_server_kill:
                timer = threading.Timer(rng.uniform(0.3, 1.5), rig.srv.kill)
                timer.start()
            if want_kill:
                # between send and ack, just after hello, or anywhere (start-up included)
                moment = rng.choice(("batch", "batch", "hello", "any") if n else ("hello", "any"))
                if moment == "batch":
                    batch.wait(8)
                    time.sleep(rng.uniform(0.0, 0.05))
                elif moment == "hello":
                    hello.wait(8)
                    time.sleep(rng.uniform(0.0, 0.3))
                else:
                    time.sleep(rng.uniform(0.0, 2.0))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
            try:
                proc.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
            if timer is not None:
                timer.join()
                skills += 1
                rig.restart_server(kill=True)
            if runs % 10 == 0:
                say(f"runs {runs}: registered {len(registered)}, client kills {kills}, server kills {skills}")
            if runs > 20 * (requests + client_kills + server_kills):
                break  # never loop forever on a broken build
        rig.proxy.set_drop(0.0)
        rig.proxy.on_request = None
        final = None
        for _ in range(5):
            res = rig.desk_app("sync", "--once", "--json")
            final = res.stdout
            if res.returncode == 0 and '"pending": 0' in res.stdout:
                break
        with rig.db.read() as s:
            local = {r.request_id: (r.receipt_no, r.server_ref, r.status) for r in s.scalars(select(Request))}
            states = outbox_states(rig.db)
        rows = rig.server_rows()
        on_server: dict[str, int] = {}
        receipts: dict[str, int] = {}
        for rid, receipt_no, _ref, _status in rows:
            on_server[rid] = on_server.get(rid, 0) + 1
            receipts[receipt_no] = receipts.get(receipt_no, 0) + 1
        server_map = {r[0]: (r[1], r[2], r[3]) for r in rows}
        lost = sum(1 for rid in registered if rid not in on_server or rid not in local)
        duplicated = (
            sum(c - 1 for c in on_server.values())
            + sum(c - 1 for c in receipts.values())
            + sum(1 for rid in on_server if rid not in local)
        )
        stuck = states.get("pending", 0) + states.get("sending", 0) + states.get("attention", 0)
        mismatched = sum(1 for rid in registered if rid in server_map and server_map[rid] != local.get(rid))
        return {
            "requests": len(registered),
            "sync_runs": runs,
            "client_kills": kills,
            "server_kills": skills,
            "dropped_answers": rig.proxy.faults.get("drop", 0),
            "batch_calls": sum(c for p, c in rig.proxy.calls.items() if p.endswith("/requests/batch")),
            "lost": lost,
            "duplicated": duplicated,
            "stuck": stuck,
            "mismatched": mismatched,
            "server_rows": len(rows),
            "seconds": round(time.monotonic() - started, 1),
            "final_report": final,
        }
    finally:
        rig.close()
