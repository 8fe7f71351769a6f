"""A Hypothesis state machine of the sync engine against the REAL provincial server.

Rules: register requests, cancel one, sync, lose the answer of a batch after the server
committed, crash the client (before sending, or after the server committed but before the
answer is applied), SIGKILL and restart the server, back the server up and restore it (a new
feed epoch), and let the agency change a status on the server.
Invariants after every step: no outbox operation ever disappears; every request is on the
server at most once (request_id, receipt_no, server_ref all unique); the server holds nothing
this PC did not register; acked requests are on the server (unless a restore since then has not
yet been followed by a sync). At the end, after a clean sync: every request on the server
exactly once, the same server_ref, and the same status (a status the restored server forgot may
only be behind ours, never ahead).
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from desk_app.domain.errors import InvalidInput
from desk_app.domain.status import Status
from desk_app.store.models import OutboxOp, Request
from desk_app.sync.engine import SyncEngine
from desk_app.sync.transport import HttpTransport
from tests.helpers.syncdata import outbox_states
from tests.helpers.syncrig import DEVICE, OFFICE, Rig

RANK = {"registered": 0, "submitted": 1, "in_progress": 2, "completed": 3, "rejected": 3, "cancelled": 3}


class SimulatedCrash(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the engine catches it."""


class CrashingTransport:
    """Dies on the first batch: before it leaves, or after the server answered."""

    def __init__(self, inner: HttpTransport, after_send: bool):
        self.inner = inner
        self.after_send = after_send

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def post_batch(self, office, body):
        if self.after_send:
            self.inner.post_batch(office, body)
        raise SimulatedCrash()


class SyncMachine(RuleBasedStateMachine):
    rig: Rig = None  # set by the test before the run
    tpl = None
    base = None
    runs = 0
    fired: Counter = Counter()  # rule -> times run, to show the machine really explored

    @initialize()
    def start(self):
        SyncMachine.runs += 1
        self.rig = Rig(SyncMachine.base / f"run{SyncMachine.runs}", SyncMachine.tpl)
        self.op_ids: set[str] = set()
        self.registered: list = []
        self.backup = None
        self.restored_unsynced = False
        self.forgotten: set[str] = set()  # requests whose server status a restore rolled back
        self.server_db = None
        # every example starts with something to send, so the faults below always have work to hit
        SyncMachine.fired["register"] += 1
        self.registered += self.rig.register(2)

    def teardown(self):
        rig = getattr(self, "rig", None)
        if rig is None:
            return
        try:
            if rig.srv.proc is None or rig.srv.proc.poll() is not None:
                rig.restart_server(kill=True)
            self._final_check()
        finally:
            rig.close()

    # ------------------------------------------------------------------ helpers
    def _server_admin(self):
        from provincial_server.db import ServerDB

        return ServerDB(self.rig.srv.db_url)

    def _sync(self):
        report = self.rig.sync()
        if report.online:
            self.restored_unsynced = False
        return report

    # ------------------------------------------------------------------ rules
    @rule(n=st.integers(1, 3))
    def register(self, n):
        SyncMachine.fired["register"] += 1
        self.registered += self.rig.register(n)

    @precondition(lambda self: self.registered)
    @rule(data=st.data())
    def cancel(self, data):
        SyncMachine.fired["cancel"] += 1
        from desk_app.services.cancel import cancel_request

        req = data.draw(st.sampled_from(self.registered))
        try:
            cancel_request(self.rig.desk, req.receipt_no, reason="انصراف", clerk="ali")
        except InvalidInput:
            pass  # already cancelled, final, or a cancel is on its way: the service refuses

    @rule()
    def sync(self):
        SyncMachine.fired["sync"] += 1
        self._sync()

    @rule()
    def lose_batch_answer(self):
        SyncMachine.fired["lose_batch_answer"] += 1
        self.rig.proxy.aim("/requests/batch", "drop")
        self._sync()
        self.rig.proxy._aimed.clear()

    @rule(after_send=st.booleans())
    def crash_client(self, after_send):
        SyncMachine.fired["crash_client"] += 1
        transport = HttpTransport(self.rig.proxy.url, self.rig.token, timeout=(2.0, 5.0))
        engine = SyncEngine(self.rig.db, CrashingTransport(transport, after_send), office=OFFICE, device=DEVICE)
        try:
            engine.run_once()
        except SimulatedCrash:
            pass
        finally:
            transport.close()

    @rule()
    def crash_and_restart_server(self):
        SyncMachine.fired["crash_and_restart_server"] += 1
        self.rig.restart_server(kill=True)

    @rule()
    def back_up_server(self):
        SyncMachine.fired["back_up_server"] += 1
        from provincial_server import admin

        self.backup = self.rig.tmp / "server-backup.json"
        db = self._server_admin()
        try:
            admin.backup(db, self.backup)
        finally:
            db.dispose()

    @precondition(lambda self: self.backup is not None)
    @rule()
    def restore_server_from_backup(self):
        SyncMachine.fired["restore_server_from_backup"] += 1
        from provincial_server import admin

        self.forgotten |= {r[0] for r in self.rig.server_rows()}
        self.rig.srv.stop()
        db = self._server_admin()
        try:
            admin.restore(db, self.backup)
        finally:
            db.dispose()
        self.rig.srv.start()
        self.rig.proxy.set_upstream(self.rig.srv.url)
        self.restored_unsynced = True

    @rule(data=st.data(), status=st.sampled_from(["in_progress", "completed", "rejected"]))
    def agency_changes_status(self, data, status):
        SyncMachine.fired["agency_changes_status"] += 1
        from provincial_server import admin

        rows = [r for r in self.rig.server_rows() if r[3] in ("submitted", "in_progress") and r[3] != status]
        if not rows:
            return
        receipt_no = data.draw(st.sampled_from(sorted(r[1] for r in rows)))
        db = self._server_admin()
        try:
            try:
                admin.set_status(db, receipt_no, status, "اقدام دستگاه")
            except InvalidInput:
                pass  # the server refuses a backward step; that is its rule, not ours
        finally:
            db.dispose()

    # ------------------------------------------------------------------ invariants
    @invariant()
    def no_op_lost_and_nothing_twice(self):
        if not hasattr(self, "rig"):
            return
        with self.rig.db.read() as s:
            ops = set(s.scalars(select(OutboxOp.op_id)))
            acked = set(
                s.scalars(select(OutboxOp.request_id).where(OutboxOp.kind == "request", OutboxOp.state == "acked"))
            )
            local = set(s.scalars(select(Request.request_id)))
        assert self.op_ids <= ops, "an outbox operation disappeared"
        self.op_ids = ops
        assert {v.request_id for v in self.registered} <= local
        rows = self.rig.server_rows()
        for col in (0, 1, 2):
            values = [r[col] for r in rows]
            assert len(values) == len(set(values)), f"server column {col} has a duplicate"
        on_server = {r[0] for r in rows}
        assert on_server <= local, "the server holds a request this PC never registered"
        if not self.restored_unsynced:
            assert acked <= on_server, "an acked request is not on the server"

    def _final_check(self):
        rig = self.rig
        rig.proxy._aimed.clear()
        for _ in range(3):
            report = rig.sync()
            if report.online and report.pending == 0:
                break
        assert report.online and report.pending == 0, report
        assert outbox_states(rig.db).get("sending", 0) == 0
        with rig.db.read() as s:
            local = {r.request_id: (r.receipt_no, r.server_ref, r.status) for r in s.scalars(select(Request))}
            withdrawn = set(s.scalars(select(OutboxOp.request_id).where(OutboxOp.state == "withdrawn")))
        server = {r[0]: (r[1], r[2], r[3]) for r in rig.server_rows()}
        assert set(server) == set(local) - withdrawn
        for rid, (receipt_no, ref, status) in server.items():
            l_receipt, l_ref, l_status = local[rid]
            assert (l_receipt, l_ref) == (receipt_no, ref)
            if rid in self.forgotten:
                assert RANK[l_status] >= RANK[status], (rid, l_status, status)
            else:
                assert l_status == status, (rid, l_status, status)
        for rid in withdrawn:
            assert local[rid][2] == Status.CANCELLED


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sync_state_machine(tmp_path, tmp_path_factory):
    from tests.helpers.syncrig import templates

    SyncMachine.tpl = templates(tmp_path_factory)
    SyncMachine.base = tmp_path
    SyncMachine.TestCase.settings = settings(
        max_examples=6, stateful_step_count=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    wanted = {"register", "sync", "lose_batch_answer", "crash_client", "crash_and_restart_server"}
    # Rule choice depends on the real server's timing, so one seed does not always reach every
    # kind of step; run further seeded rounds (at most 4) until each kind has run at least once.
    for round_no in range(4):
        seed(20261129 + round_no)(SyncMachine.TestCase)().runTest()  # every round checks the invariants
        if set(SyncMachine.fired) >= wanted:
            break
    print(dict(SyncMachine.fired))
    assert set(SyncMachine.fired) >= wanted, SyncMachine.fired
