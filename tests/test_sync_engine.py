"""Unit tests of SyncEngine against a small in-memory fake of the server (narrow cases only;
the real server is exercised in test_sync_faults.py). A real SQLite store in a temp folder."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from desk_app.domain.jalali import format_utc, utc_now
from desk_app.store.engine import open_database
from desk_app.store.models import OutboxOp, Request, RequestHistory, SyncState
from desk_app.sync.engine import SyncEngine, build_batch, build_item
from desk_app.sync.errors import AuthError, ResyncRequired, RetryableError, TooLarge, Unreachable
from desk_app.sync.transport import CatalogAnswer
from tests.helpers.syncdata import CATALOG, outbox_states, queue_cancel, queue_request, server_refs, statuses

OFFICE, DEVICE = "4512", 2
EPOCH = "a" * 32


class FakeServer:
    """Just enough protocol for unit tests: op_id/request_id keys, a feed, scripted failures."""

    def __init__(self, db=None):
        self.db = db
        self.ops: dict[str, dict] = {}
        self.requests: dict[str, dict] = {}
        self.feed: list[dict] = []
        self.fail: list[Exception] = []  # raised by the next calls, in order
        self.bodies: list[bytes] = []
        self.hello_extra: dict = {}
        self.max_items = 200
        self.max_bytes = 256 * 1024
        self.too_large_bytes: int | None = None
        self.states_seen_during_call: list[dict] = []
        self.epoch = EPOCH
        self.lookups = 0

    def _maybe_fail(self):
        if self.fail:
            raise self.fail.pop(0)

    def hello(self, status=None):
        self._maybe_fail()
        h = {
            "server_time": format_utc(utc_now()),
            "protocol": {"min": 1, "latest": 1},
            "office": OFFICE,
            "device": DEVICE,
            "last_receipt_no": None,
            "catalog_etag": None,
            "feed_epoch": self.epoch,
            "max_batch_items": self.max_items,
            "max_batch_bytes": self.max_bytes,
        }
        h.update(self.hello_extra)
        return h

    def post_batch(self, office, body):
        if self.db is not None:
            self.states_seen_during_call.append(outbox_states(self.db))
        self.bodies.append(body)
        self._maybe_fail()
        if self.too_large_bytes is not None and len(body) > self.too_large_bytes:
            raise TooLarge("too large", status=413)
        results = []
        for item in json.loads(body)["items"]:
            op_id, rid = item["op_id"], item["request_id"]
            if op_id in self.ops:
                results.append(dict(self.ops[op_id], result="duplicate"))
                continue
            if item["kind"] == "request":
                if item["payload"].get("total") != sum(f["amount"] for f in item["payload"]["fees"]):
                    res = {
                        "op_id": op_id,
                        "request_id": rid,
                        "result": "invalid",
                        "code": "total",
                        "detail": "جمع نادرست",
                    }
                    results.append(res)
                    continue
                ref = item["payload"].get("server_ref") or f"{len(self.requests) + 1:010d}"
                self.requests[rid] = {"sha": item["payload_sha256"], "server_ref": ref, "status": "submitted"}
                self._change(rid, item["receipt_no"], "submitted", ref)
                res = {"op_id": op_id, "request_id": rid, "result": "created", "server_ref": ref}
            else:
                req = self.requests[rid]
                if req["status"] in ("completed", "rejected"):
                    res = {
                        "op_id": op_id,
                        "request_id": rid,
                        "result": "already_final",
                        "server_ref": req["server_ref"],
                        "detail": req["status"],
                    }
                else:
                    req["status"] = "cancelled"
                    self._change(rid, item["receipt_no"], "cancelled", req["server_ref"])
                    res = {"op_id": op_id, "request_id": rid, "result": "cancelled", "server_ref": req["server_ref"]}
            self.ops[op_id] = res
            results.append(res)
        return {"results": results}

    def _change(self, rid, receipt_no, status, ref, note=None):
        self.feed.append(
            {
                "seq": len(self.feed) + 1,
                "request_id": rid,
                "receipt_no": receipt_no,
                "status": status,
                "server_ref": ref,
                "note": note,
                "at": format_utc(utc_now()),
            }
        )

    def set_status(self, rid, status, note=None):
        self.requests[rid]["status"] = status
        self._change(rid, "x", status, self.requests[rid]["server_ref"], note)

    def changes(self, office, cursor, limit):
        self._maybe_fail()
        epoch, seq = cursor.split(":")
        if epoch != self.epoch or int(seq) > len(self.feed):
            raise ResyncRequired("resync", status=409)
        page = self.feed[int(seq) : int(seq) + limit]
        last = page[-1]["seq"] if page else int(seq)
        return {"changes": page, "cursor": f"{self.epoch}:{last}", "more": last < len(self.feed)}

    def lookup(self, office, ids):
        self.lookups += 1
        return {
            "known": [
                {
                    "request_id": i,
                    "payload_sha256": self.requests[i]["sha"],
                    "server_ref": self.requests[i]["server_ref"],
                    "status": self.requests[i]["status"],
                }
                for i in ids
                if i in self.requests
            ]
        }

    def catalog(self, etag=None):
        return CatalogAnswer(etag='"c1"', data=CATALOG)


@pytest.fixture
def db(tmp_path):
    d = open_database(tmp_path / "desk.sqlite3")
    yield d
    d.close()


def engine(db, server, **kw):
    return SyncEngine(db, server, office=OFFICE, device=DEVICE, rng=random.Random(3), **kw)


def test_batch_body_splices_frozen_payload_bytes(db):
    p = queue_request(db, OFFICE, DEVICE)
    with db.read() as s:
        op = s.scalars(select(OutboxOp)).one()
        frozen = bytes(op.payload)
    item = build_item(op)
    assert frozen in item and item.endswith(frozen + b"}")
    body = build_batch([item, item])
    assert json.loads(body)["items"][0]["payload"] == p
    assert json.loads(body)["items"][0]["payload_sha256"] == op.payload_sha256


def test_ops_are_sending_before_the_call_and_acked_after(db):
    srv = FakeServer(db)
    ids = [queue_request(db, OFFICE, DEVICE)["request_id"] for _ in range(3)]
    report = engine(db, srv).run_once()
    assert srv.states_seen_during_call == [{"sending": 3}]
    assert (report.sent, report.acked, report.pending, report.online) == (3, 3, 0, True)
    assert set(statuses(db).values()) == {"submitted"}
    assert all(server_refs(db)[i] for i in ids)
    with db.read() as s:
        hist = s.scalars(select(RequestHistory)).all()
    assert {(h.from_status, h.to_status) for h in hist} == {("registered", "submitted")}
    assert report.cursor == f"{EPOCH}:3"


def test_invalid_item_goes_to_attention_and_the_rest_commits(db):
    good1 = queue_request(db, OFFICE, DEVICE)["request_id"]
    bad = queue_request(db, OFFICE, DEVICE, tamper_total=True)["request_id"]
    good2 = queue_request(db, OFFICE, DEVICE)["request_id"]
    srv = FakeServer(db)
    report = engine(db, srv).run_once()
    assert (report.acked, report.invalid, report.attention, report.pending) == (2, 1, 1, 0)
    st = statuses(db)
    assert st[good1] == st[good2] == "submitted" and st[bad] == "registered"
    with db.read() as s:
        op = s.scalars(select(OutboxOp).where(OutboxOp.request_id == bad)).one()
    assert (op.state, op.result, op.result_code) == ("attention", "invalid", "total")
    queue_request(db, OFFICE, DEVICE)  # the parked op never blocks what comes after
    report = engine(db, srv).run_once()
    assert (report.sent, report.acked, report.attention) == (1, 1, 1)


def test_batches_respect_items_and_bytes_bounds(db):
    for _ in range(7):
        queue_request(db, OFFICE, DEVICE)
    srv = FakeServer(db)
    srv.max_items = 3
    engine(db, srv).run_once()
    assert [len(json.loads(b)["items"]) for b in srv.bodies] == [3, 3, 1]
    for _ in range(4):
        queue_request(db, OFFICE, DEVICE)
    srv.bodies.clear()
    srv.max_items, srv.max_bytes = 200, 2000  # about two items of ~900 bytes
    engine(db, srv).run_once()
    assert all(len(b) <= 2000 + 100 for b in srv.bodies) and len(srv.bodies) >= 2


def test_413_halves_and_a_single_too_large_item_needs_attention(db):
    for _ in range(8):
        queue_request(db, OFFICE, DEVICE)
    srv = FakeServer(db)
    srv.too_large_bytes = 2500  # fits two items, not three
    report = engine(db, srv).run_once()
    assert report.acked == 8 and report.pending == 0
    refused = [b for b in srv.bodies if len(b) > 2500]
    assert len(json.loads(srv.bodies[0])["items"]) == 8
    assert 1 <= len(refused) <= 3  # halving, then never the refused size again
    assert len(srv.bodies) - len(refused) <= 5
    srv.too_large_bytes = 100  # now nothing fits
    queue_request(db, OFFICE, DEVICE)
    queue_request(db, OFFICE, DEVICE)
    report = engine(db, srv).run_once()
    assert report.attention == 2 and report.pending == 0 and report.online
    with db.read() as s:
        codes = set(s.scalars(select(OutboxOp.result_code).where(OutboxOp.state == "attention")))
    assert codes == {"too_large"}


def test_network_failure_keeps_ops_for_the_next_run_with_backoff(db):
    queue_request(db, OFFICE, DEVICE)
    srv = FakeServer(db)
    srv.fail = [None]  # placeholder replaced below
    srv.fail = []
    eng = engine(db, srv)
    srv_fail_after_send = Unreachable("reset")
    orig = srv.post_batch

    def lost_response(office, body):
        orig(office, body)  # the server commits ...
        raise srv_fail_after_send  # ... and the answer is lost

    srv.post_batch = lost_response
    report = eng.run_once()
    assert not report.online and report.pending == 1 and report.error
    assert outbox_states(db) == {"sending": 1}
    assert 0 <= eng.next_delay() <= 2
    srv.post_batch = orig
    report = eng.run_once()
    assert (report.online, report.acked, report.duplicate, report.pending) == (True, 1, 1, 0)
    assert len(srv.requests) == 1


def test_retry_after_is_a_minimum_and_backoff_grows(db):
    queue_request(db, OFFICE, DEVICE)
    srv = FakeServer(db)
    eng = engine(db, srv, period_s=75)  # the setting sync_interval_s, passed in by services.sync
    srv.fail = [RetryableError("busy", status=429, retry_after=45)]
    eng.run_once()
    assert eng.next_delay() >= 45
    delays = []
    for _ in range(12):
        srv.fail = [Unreachable("down")]
        eng.run_once()
        delays.append(eng.next_delay())
    assert max(delays) <= 900 and max(delays) > 60
    with db.read() as s:
        assert int(s.get(SyncState, "consecutive_failures").value) == 13
    eng.run_once()
    assert eng.next_delay() == 75
    with db.read() as s:
        assert s.get(SyncState, "consecutive_failures").value == "0"


def test_timeouts_shrink_the_batch(db):
    for _ in range(20):
        queue_request(db, OFFICE, DEVICE)
    srv = FakeServer(db)
    eng = engine(db, srv)
    srv.fail = [None]
    srv.fail = []
    calls = []
    orig = srv.post_batch

    def slow(office, body):
        calls.append(len(json.loads(body)["items"]))
        if len(calls) <= 2:
            raise Unreachable("timeout", timeout=True)
        return orig(office, body)

    srv.post_batch = slow
    eng.run_once()
    eng.run_once()
    eng.run_once()
    assert calls[:3] == [20, 10, 5]
    assert outbox_states(db) == {"acked": 20}


def test_auth_error_stops_and_keeps_outbox(db):
    queue_request(db, OFFICE, DEVICE)
    srv = FakeServer(db)
    srv.fail = [AuthError("توکن لغو شده", status=401)]
    report = engine(db, srv).run_once()
    assert report.stopped_reason and not report.online and report.pending == 1
    assert outbox_states(db) == {"pending": 1}
    report = engine(db, srv).run_once()
    assert report.online and report.stopped_reason is None and report.pending == 0


def test_office_mismatch_stops_before_sending(db):
    queue_request(db, OFFICE, DEVICE)
    srv = FakeServer(db)
    srv.hello_extra = {"office": "9999"}
    report = engine(db, srv).run_once()
    assert "9999" in report.stopped_reason and "4512" in report.stopped_reason
    assert srv.bodies == [] and outbox_states(db) == {"pending": 1}


def test_clock_skew_warning_and_receipt_floor(db):
    srv = FakeServer(db)
    srv.hello_extra = {"last_receipt_no": "4512-2-050908-0042"}
    eng = engine(db, srv, clock=lambda: utc_now() - timedelta(days=3))
    report = eng.run_once()
    assert report.clock_skew_s == pytest.approx(3 * 86400, abs=5)
    assert "ساعت" in report.warning
    with db.read() as s:
        assert s.get(SyncState, "server_last_receipt_no").value == "4512-2-050908-0042"
        assert float(s.get(SyncState, "server_time_offset_s").value) > 3 * 86400 - 5


def test_pulled_statuses_cursor_and_replay(db):
    rid = queue_request(db, OFFICE, DEVICE)["request_id"]
    srv = FakeServer(db)
    eng = engine(db, srv, changes_limit=2)
    eng.run_once()
    srv.set_status(rid, "in_progress")
    srv.set_status(rid, "completed", note="تحویل شد")
    report = eng.run_once()
    assert report.pulled == 2 and statuses(db)[rid] == "completed"
    with db.read() as s:
        req = s.scalars(select(Request)).one()
        assert req.status_note == "تحویل شد"
        n_hist = len(s.scalars(select(RequestHistory)).all())
    with db.write() as s:  # replay the whole feed: states, not deltas
        s.get(SyncState, "cursor").value = f"{EPOCH}:0"
    report = eng.run_once()
    assert report.pulled == 3 and statuses(db)[rid] == "completed"
    with db.read() as s:
        assert len(s.scalars(select(RequestHistory)).all()) == n_hist


def test_cancel_answered_already_final_takes_server_status(db):
    rid = queue_request(db, OFFICE, DEVICE)["request_id"]
    srv = FakeServer(db)
    eng = engine(db, srv)
    eng.run_once()
    srv.requests[rid]["status"] = "completed"  # agency finished before the cancel arrives
    queue_cancel(db, rid)
    with db.write() as s:  # the cancel service shows it cancelled at once
        s.scalars(select(Request)).one().status = "cancelled"
    srv.feed.clear()
    report = eng.run_once()
    assert report.acked == 1 and statuses(db)[rid] == "completed"
    with db.read() as s:
        assert "دیر" in s.scalars(select(Request)).one().status_note


def test_epoch_change_reuploads_with_server_ref(db):
    ids = [queue_request(db, OFFICE, DEVICE)["request_id"] for _ in range(3)]
    srv = FakeServer(db)
    eng = engine(db, srv, lookup_chunk=2)
    eng.run_once()
    refs = server_refs(db)
    lost = ids[1:]
    restored = FakeServer(db)  # the server restored from a backup holding only the first one
    restored.requests = {ids[0]: srv.requests[ids[0]]}
    restored.epoch = "b" * 32
    report = engine(db, restored, lookup_chunk=2).run_once()
    assert report.resynced and report.reuploaded == 2 and report.online
    assert set(restored.requests) == set(ids)
    assert all(restored.requests[i]["server_ref"] == refs[i] for i in lost)
    assert server_refs(db) == refs and report.pending == 0
    assert report.cursor.startswith("b" * 32)
    # a second run does nothing more
    report = engine(db, restored).run_once()
    assert not report.resynced and report.sent == 0


def test_catalog_refresh_writes_services(db):
    srv = FakeServer(db)
    srv.hello_extra = {"catalog_etag": '"c1"'}
    report = engine(db, srv).run_once()
    assert report.catalog_version == "1405-09-01"
    from desk_app.store.models import ServiceRow

    with db.read() as s:
        assert {r.code for r in s.scalars(select(ServiceRow))} == {"2101", "3001"}
        assert s.get(SyncState, "catalog_etag").value == '"c1"'
    report = engine(db, srv).run_once()
    assert report.catalog_version is None


def test_resync_resends_a_cancel_the_restored_server_lost(db):
    rid = queue_request(db, OFFICE, DEVICE)["request_id"]
    srv = FakeServer(db)
    engine(db, srv).run_once()
    queue_cancel(db, rid)
    assert engine(db, srv).run_once().acked == 1 and statuses(db)[rid] == "cancelled"
    restored = FakeServer(db)  # backup taken before the cancel
    restored.requests = {rid: dict(srv.requests[rid], status="submitted")}
    restored.epoch = "c" * 32
    report = engine(db, restored).run_once()
    assert report.resynced and report.reuploaded == 1 and report.acked == 1
    assert restored.requests[rid]["status"] == "cancelled" and statuses(db)[rid] == "cancelled"
    assert len(restored.requests) == 1


def test_an_op_the_server_cannot_read_is_isolated_and_parked(db):
    from desk_app.sync.errors import ProtocolError

    ids = [queue_request(db, OFFICE, DEVICE)["request_id"] for _ in range(5)]
    with db.write() as s:  # a broken op_id: the server rejects any batch holding it with 400
        s.scalars(select(OutboxOp).where(OutboxOp.request_id == ids[2])).one().op_id = "not-a-uuid"
    srv = FakeServer(db)
    orig = srv.post_batch

    def strict(office, body):
        if b"not-a-uuid" in body:
            raise ProtocolError("bad request", status=400)
        return orig(office, body)

    srv.post_batch = strict
    report = engine(db, srv).run_once()
    assert report.online and report.acked == 4 and report.attention == 1 and report.pending == 0
    st = statuses(db)
    assert [st[i] for i in ids] == ["submitted", "submitted", "registered", "submitted", "submitted"]
