"""The sync engine against the REAL provincial server (subprocess on loopback) through a
fault-injecting TCP proxy, with real SQLite data folders and real `desk-app` subprocesses.

Every test ends the same way: after the faults stop, a clean sync leaves each local request on
the server exactly once, with the same server_ref and status, and nothing stuck in the outbox.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid

import pytest
from sqlalchemy import select

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.jalali import format_utc, utc_now
from desk_app.store.models import OutboxOp, Request, ServiceRow, SyncState
from desk_app.sync.engine import build_batch, build_item
from desk_app.sync.errors import SyncBusy
from desk_app.sync.lock import sync_lock
from desk_app.sync.transport import HttpTransport
from tests.helpers.server import CATALOG
from tests.helpers.syncdata import days_ago, outbox_states, queue_request, statuses
from tests.helpers.syncrig import DEVICE, OFFICE, Rig, assert_converged, templates

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def tpl(tmp_path_factory):
    return templates(tmp_path_factory)


@pytest.fixture
def rig(tmp_path, tpl):
    r = Rig(tmp_path, tpl)
    yield r
    r.close()


# ------------------------------------------------------------------------ lost / broken answers
def test_response_lost_after_server_committed(rig):
    rig.register(3)
    rig.proxy.aim("/requests/batch", "drop")
    r1 = rig.sync()
    assert not r1.online and r1.pending == 3
    assert len(rig.server_rows()) == 3  # the server did commit
    assert outbox_states(rig.db) == {"sending": 3}
    r2 = rig.sync()
    assert (r2.online, r2.acked, r2.duplicate, r2.pending) == (True, 3, 3, 0)
    assert set(statuses(rig.db).values()) == {"submitted"}
    assert_converged(rig, 3)


def test_reset_truncated_and_garbled_answers_are_retried(rig):
    for fault in ("reset-batch", "reset-hello", "truncate", "garble"):
        rig.register(2)
        if fault == "reset-batch":
            rig.proxy.aim("/requests/batch", "reset")  # 40 bytes of the answer, then RST
        elif fault == "reset-hello":
            rig.proxy.aim("/hello", "reset")
        else:
            rig.proxy.queue_modes(fault)  # the whole next connection
        r1 = rig.sync()
        assert not r1.online and r1.error and r1.pending == 2, fault
        assert rig.sync().pending == 0, fault
    assert_converged(rig, 8)


def test_blackholed_connection_times_out_and_batches_shrink(rig):
    # a sync with nothing queued first: a fresh server's first answers can take more than the
    # short timeout below on a loaded machine, and then `hello` times out instead of the batch
    assert rig.sync().online
    rig.register(6)
    rig.proxy.aim("/requests/batch", "hang")
    started = time.monotonic()
    r1 = rig.sync(timeout=(2.0, 2.0))
    assert not r1.online and time.monotonic() - started < 10
    with rig.db.read() as s:
        assert s.get(SyncState, "batch_limit").value == "3"
    rig.proxy.set_mode("blackhole")  # nothing answers at all now, not even hello
    r2 = rig.sync(timeout=(2.0, 2.0))
    assert not r2.online and r2.pending == 6
    rig.proxy.set_mode("pass")
    rig.proxy.reset_counts()
    r3 = rig.sync()
    assert r3.acked == 6 and r3.duplicate == 6  # the server had them all from the hung call
    assert_converged(rig, 6)


def test_5xx_burst_then_503_retry_after(rig):
    rig.register(2)
    eng, transport = rig.engine()
    delays = []
    for _ in range(4):
        rig.proxy.aim("/requests/batch", "status:500")
        report = eng.run_once()
        assert not report.online and report.pending == 2
        delays.append(eng.next_delay())
    assert all(0 <= d <= 2 ** (i + 1) for i, d in enumerate(delays))
    rig.proxy.aim("/requests/batch", "status:503:37")
    eng.run_once()
    assert eng.next_delay() >= 37
    assert eng.run_once().online
    transport.close()
    assert_converged(rig, 2)


def test_429_from_the_real_rate_limiter(tmp_path, tpl):
    # one call per 2 s, bursts of 4: a loaded machine cannot refill the bucket during the first run
    rig = Rig(tmp_path, tpl, serve_args=("--rate-limit", "0.5,4"))
    try:
        rig.register(3)
        eng, transport = rig.engine(changes_limit=1)  # hello, batch, 3+ feed pages: over the burst
        with transport:
            first = eng.run_once()
            assert not first.online and "محدود" in first.error
            assert first.pending == 0 or outbox_states(rig.db).get("sending", 0) == 3
            assert eng.next_delay() >= 1  # Retry-After is a floor
        eng, transport = rig.engine()  # one feed page now: hello, (batch), changes, catalog
        with transport:
            deadline = time.monotonic() + 80
            while True:
                time.sleep(8.5)  # the bucket refills to its burst
                report = eng.run_once()
                if report.online and report.pending == 0:
                    break
                assert time.monotonic() < deadline, report
        with rig.db.read() as s:
            local = {r.request_id: (r.server_ref, r.status) for r in s.scalars(select(Request))}
        assert {r[0]: (r[2], r[3]) for r in rig.server_rows()} == local
        assert set(statuses(rig.db).values()) == {"submitted"}
    finally:
        rig.close()


def test_413_halves_and_an_item_too_large_for_any_batch_needs_attention(tmp_path, tpl):
    rig = Rig(tmp_path, tpl, serve_args=("--rate-limit", "0", "--max-decompressed-bytes", "6000"))
    try:
        rig.register(12)  # ~1 KB each: 12 in one batch is refused, halves until it fits
        big = queue_request(rig.db, OFFICE, DEVICE, n=99)
        with rig.db.write() as s:  # pad the frozen payload of that one op past any batch
            op = s.scalars(select(OutboxOp).where(OutboxOp.request_id == big["request_id"])).one()
            payload = dict(big, note="ی" * 4000)
            op.payload = canonical_json(payload)
            op.payload_sha256 = payload_sha256(op.payload)
        rig.register(2)
        report = rig.sync()
        assert report.online and report.acked == 14 and report.attention == 1 and report.pending == 0
        with rig.db.read() as s:
            parked = s.scalars(select(OutboxOp).where(OutboxOp.state == "attention")).one()
        assert parked.request_id == big["request_id"] and parked.result_code == "too_large"
        assert len(rig.server_rows()) == 14
    finally:
        rig.close()


# ------------------------------------------------------------------------ idempotency
def test_duplicate_delivery_of_a_batch(rig):
    rig.register(3)
    with rig.db.read() as s:
        body = build_batch(build_item(op) for op in s.scalars(select(OutboxOp).order_by(OutboxOp.id)))
    with HttpTransport(rig.srv.url, rig.token) as t:
        first = t.post_batch(OFFICE, body)["results"]
        again = t.post_batch(OFFICE, body)["results"]
    assert [r["result"] for r in first] == ["created"] * 3
    assert [r["result"] for r in again] == ["duplicate"] * 3
    assert [r["server_ref"] for r in again] == [r["server_ref"] for r in first]
    report = rig.sync()
    assert report.duplicate == 3
    server = assert_converged(rig, 3)
    assert sorted(v[1] for v in server.values()) == sorted(r["server_ref"] for r in first)


def test_one_invalid_item_among_valid_ones_never_blocks_the_queue(rig):
    rig.register(2)
    bad = queue_request(rig.db, OFFICE, DEVICE, n=50, tamper_total=True)
    rig.register(2)
    report = rig.sync()
    assert (report.acked, report.invalid, report.attention) == (4, 1, 1)
    with rig.db.read() as s:
        op = s.scalars(select(OutboxOp).where(OutboxOp.state == "attention")).one()
    assert op.request_id == bad["request_id"] and op.result == "invalid"
    assert any("\u0600" <= ch <= "\u06ff" for ch in op.result_detail)  # a Persian reason
    rig.register(1)
    assert rig.sync().acked == 1
    server = {r[0] for r in rig.server_rows()}
    assert bad["request_id"] not in server and len(server) == 5


def test_same_op_id_or_receipt_no_with_another_payload_is_a_conflict(rig):
    rig.register(1)
    assert rig.sync().acked == 1
    with rig.db.read() as s:
        acked = s.scalars(select(OutboxOp)).one()
        req = s.scalars(select(Request)).one()
    clash = json.loads(bytes(acked.payload))
    clash["request_id"] = str(uuid.uuid4())  # a second request under the same receipt number
    data = canonical_json(clash)
    reuse = json.loads(bytes(acked.payload))
    reuse["total"] += 0
    reuse["clock_skew_s"] = 999  # same op_id, another payload
    data2 = canonical_json(reuse)
    now = format_utc(utc_now())
    with rig.db.write() as s:
        s.add(
            OutboxOp(
                op_id=str(uuid.uuid4()),
                kind="request",
                request_id=clash["request_id"],
                receipt_no=req.receipt_no,
                payload=data,
                payload_sha256=payload_sha256(data),
                state="pending",
                attempts=0,
                created_at=now,
            )
        )
    body = build_batch(
        [
            build_item(
                type(
                    "Op",
                    (),
                    dict(
                        op_id=acked.op_id,
                        kind="request",
                        request_id=acked.request_id,
                        receipt_no=acked.receipt_no,
                        payload_sha256=payload_sha256(data2),
                        payload=data2,
                    ),
                )()
            )
        ]
    )
    with HttpTransport(rig.srv.url, rig.token) as t:
        assert t.post_batch(OFFICE, body)["results"][0]["result"] == "conflict"
    rig.register(1)
    report = rig.sync()
    assert report.conflict == 1 and report.acked == 1 and report.attention == 1
    rows = rig.server_rows()
    assert len(rows) == 2 and clash["request_id"] not in {r[0] for r in rows}
    assert req.server_ref and req.server_ref in {r[2] for r in rows}


def test_cancel_racing_its_own_requests_lost_ack(rig):
    from desk_app.services.cancel import cancel_request

    [req] = rig.register(1)
    rig.proxy.aim("/requests/batch", "drop")
    assert not rig.sync().online  # the server holds it; we do not know
    cancel_request(rig.desk, req.receipt_no, reason="انصراف متقاضی", clerk="ali")
    report = rig.sync()
    assert report.online and report.acked == 2 and report.duplicate == 1
    assert statuses(rig.db)[req.request_id] == "cancelled"
    assert assert_converged(rig, 1)[req.request_id][2] == "cancelled"


# ------------------------------------------------------------------------ processes dying
def test_client_sigkilled_between_send_and_ack(rig):
    rig.register(5)
    committed = threading.Event()
    rig.proxy.aim("/requests/batch", "hang")
    rig.proxy.on_request = lambda path: "/requests/batch" in path and committed.set()
    proc = rig.popen_sync()
    try:
        assert committed.wait(30), proc.communicate(timeout=5)
        deadline = time.monotonic() + 20
        while len(rig.server_rows()) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(rig.server_rows()) == 5
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert outbox_states(rig.db) == {"sending": 5}
    rig.proxy.on_request = None
    res = rig.desk_app("sync", "--once", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert (out["acked"], out["duplicate"], out["pending"], out["online"]) == (5, 5, 0, True)
    assert_converged(rig, 5)


def test_server_killed_mid_batch_and_restarted(rig):
    rig.register(60)
    rig.proxy.on_request = lambda path: (
        "/requests/batch" in path
        and not killed.is_set()
        and (killed.set(), threading.Timer(0.02, rig.srv.kill).start())
    )
    killed = threading.Event()
    r1 = rig.sync()
    assert killed.is_set() and not r1.online
    rig.proxy.on_request = None
    time.sleep(0.2)
    rig.restart_server(kill=True)
    assert_converged(rig, 60)


def test_server_restored_from_older_backup(rig):
    rig.register(3)
    assert rig.sync().acked == 3
    backup = rig.tmp / "server-backup.json"
    rig.srv.admin("backup", str(backup))
    later = rig.register(3)
    assert rig.sync().acked == 3
    refs_before = {rid: ref for rid, ref in ((r.request_id, r.server_ref) for r in later)} or {}
    with rig.db.read() as s:
        refs_before = {r.request_id: r.server_ref for r in s.scalars(select(Request))}
    rig.srv.stop()
    rig.srv.admin("restore", str(backup))
    rig.restart_server(kill=False)
    assert len(rig.server_rows()) == 3
    report = rig.sync()
    assert report.online and report.resynced and report.reuploaded == 3
    server = assert_converged(rig, 6)
    assert {rid: v[1] for rid, v in server.items()} == refs_before  # the printed refs are kept


def test_token_revoked_then_reenrolled(rig, tmp_path):
    rig.register(1)
    assert rig.desk_app("sync", "--once").returncode == 0
    rig.srv.admin("device", "revoke", "--office", OFFICE, "--device", str(DEVICE))
    rig.register(2)
    res = rig.desk_app("sync", "--once", "--json")
    assert res.returncode == 3
    out = json.loads(res.stdout)
    assert out["pending"] == 2 and not out["online"] and "enrol" in out["stopped_reason"]
    assert outbox_states(rig.db) == {"acked": 1, "pending": 2}
    token_file = tmp_path / "new.token"
    token_file.write_text("not-a-token-the-server-knows")
    res = rig.desk_app("enrol", "--server", rig.proxy.url, "--token-file", str(token_file))
    assert res.returncode == 1 and "enrol" in res.stderr  # refused, nothing saved
    assert (rig.home / "device.token").read_text() == rig.token
    token_file.write_text(rig.srv.enrol(OFFICE, DEVICE))
    res = rig.desk_app("enrol", "--server", rig.proxy.url, "--token-file", str(token_file))
    assert res.returncode == 0, res.stderr
    res = rig.desk_app("sync", "--once", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["acked"] == 2
    assert rig.token not in (rig.home / "device.token").read_text()
    rig.token = token_file.read_text().strip()
    assert_converged(rig, 3)


def test_catalog_changed_while_old_requests_wait(rig):
    old = rig.register(2)  # fees of 1405-09-01, waiting offline
    new_catalog = json.loads(json.dumps(CATALOG))
    new_catalog["version"] = "1405-10-01"
    new_catalog["services"][0]["fees"][0]["amount"] = 15000000
    rig.srv.load_catalog(new_catalog)
    report = rig.sync()
    assert report.acked == 2 and report.invalid == 0 and report.catalog_version == "1405-10-01"
    with rig.db.read() as s:
        svc = s.get(ServiceRow, "2101")
        assert json.loads(svc.fees_json)[0]["amount"] == 15000000
        totals = {r.request_id: (r.total, r.catalog_version) for r in s.scalars(select(Request))}
    for r in old:
        assert totals[r.request_id] == (12850000, "1405-09-01")
    [fresh] = rig.register(1)
    assert fresh.total == 15850000
    assert rig.sync().acked == 1
    assert_converged(rig, 3)


def test_client_clock_wrong_by_days(rig):
    queue_request(rig.db, OFFICE, DEVICE, n=7, created_at=days_ago(3), skew_s=-259200)
    report = rig.sync(clock=lambda: days_ago(3))
    assert report.online and report.acked == 1
    assert report.clock_skew_s == pytest.approx(259200, abs=30) and "ساعت" in report.warning
    with rig.db.read() as s:
        assert float(s.get(SyncState, "server_time_offset_s").value) > 259000
    assert_converged(rig, 1)


def test_two_syncs_on_one_folder_and_a_killed_one_never_blocks(rig):
    rig.register(1)
    rig.proxy.set_mode("blackhole")
    first = rig.popen_sync()
    try:
        deadline = time.monotonic() + 30
        while rig.proxy.counts["blackhole"] == 0:  # connected, so it holds the lock
            assert time.monotonic() < deadline, "the first sync never reached the server"
            time.sleep(0.05)
        with pytest.raises(SyncBusy):
            with sync_lock(rig.home):
                pass
        second = rig.desk_app("sync", "--once", "--json")
        assert second.returncode == 3 and second.stdout == ""
        assert "همگام‌سازی دیگری" in second.stderr
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate()
    rig.proxy.set_mode("pass")
    third = rig.desk_app("sync", "--once", "--json")
    assert third.returncode == 0, third.stderr
    assert json.loads(third.stdout)["acked"] == 1


def test_unreachable_server_exits_3_and_keeps_the_queue(rig):
    rig.register(2)
    rig.srv.kill()
    res = rig.desk_app("sync", "--once", "--json")
    assert res.returncode == 3
    out = json.loads(res.stdout)
    assert out["online"] is False and out["pending"] == 2 and out["oldest_pending_s"] >= 0
    assert outbox_states(rig.db) == {"pending": 2}
