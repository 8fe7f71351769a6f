"""The citizen SMS outbox (DESIGN.md section 12) on SQLite and PostgreSQL, against a real HTTP sink
standing for the gateway: a message per outcome queued with the change, a mobile-less request
skipped and counted, and exactly one delivery per change however the gateway fails (accepts then
times out, answers 500, is down for a day), with one worker or two."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from desk_app.domain.errors import InvalidTransition
from desk_app.domain.jalali import as_utc
from provincial_server import admin, sms
from provincial_server.catalogs import load_catalog
from provincial_server.db import ServerDB, SmsMessage, utcnow
from provincial_server.ingest import Caller, apply_batch
from tests.helpers.server import CATALOG, make_request_op
from tests.helpers.smssink import SmsSink
from tests.helpers.syncdata import national_code

pytestmark = pytest.mark.timeout(180)
OFFICE = "4512"


@pytest.fixture
def db(server_db_url):
    d = ServerDB(server_db_url)
    d.init()
    with d.write() as s:
        load_catalog(s, CATALOG)
    admin.add_office(d, OFFICE, "دفتر پیشخوان آزمایشی")
    yield d
    d.dispose()


@pytest.fixture
def sink():
    s = SmsSink().start()
    yield s
    s.stop()


_gateways: list[sms.Gateway] = []


def gw(url: str, **kw) -> sms.Gateway:
    """A gateway client closed after the test (its keep-alive sockets too)."""
    g = sms.Gateway(url, **kw)
    _gateways.append(g)
    return g


@pytest.fixture(autouse=True)
def _close_gateways():
    yield
    while _gateways:
        _gateways.pop().close()


def submit(db, n=1, **overrides) -> list[dict]:
    """`n` requests as a desk uploads them; returns their views (receipt_no, server_ref, ...)."""
    ops = [make_request_op(OFFICE, 2, **overrides) for _ in range(n)]
    with db.write() as s:
        results = apply_batch(s, Caller(OFFICE, 2), ops)
    assert [r.result.value for r in results] == ["created"] * n
    by_receipt = {r["receipt_no"]: r for r in admin.list_requests(db, OFFICE)}
    return [by_receipt[op["receipt_no"]] for op in ops]


def messages(db) -> list[SmsMessage]:
    with db.read() as s:
        return list(s.scalars(select(SmsMessage).order_by(SmsMessage.seq)))


def fast_sender(db, gateway, **kw) -> sms.SmsSender:
    kw.setdefault("retry_base_s", 0.05)
    kw.setdefault("retry_cap_s", 0.2)
    if isinstance(gateway, str):
        gateway = gw(gateway, timeout_s=kw.pop("timeout_s", 0.5))
    return sms.SmsSender(db, gateway, **kw)


def drain(sender: sms.SmsSender, db, until, timeout=30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sender.step()
        if until(messages(db)):
            return
        time.sleep(0.02)
    raise AssertionError(f"outbox did not settle: {[(m.seq, m.state, m.attempts) for m in messages(db)]}")


def all_settled(rows) -> bool:
    return all(m.state in (sms.SENT, sms.DELIVERED, sms.SKIPPED, sms.FAILED) for m in rows)


# ---------------------------------------------------------------- the text


def test_text_is_persian_with_the_tracking_code_and_a_shortened_reason():
    done = sms.compose("completed", "1234567890", None, "صدور گذرنامه")
    assert done == "پیشخوان دولت: درخواست «صدور گذرنامه» شما با کد رهگیری 1234567890 انجام شد."
    reason = "مدرک شناسنامه ناخوانا است و " * 20 + "\u202e"  # long, with a bidi override
    no = sms.compose("rejected", "1234567890", reason, "صدور گذرنامه")
    assert "1234567890" in no and "رد شد. علت: مدرک شناسنامه ناخوانا است" in no
    assert len(no) <= sms.MAX_TEXT and no.endswith("…") and "\u202e" not in no
    assert "  " not in no
    bare = sms.compose("rejected", "1234567890", None)
    assert bare.startswith("پیشخوان دولت: درخواست شما با کد رهگیری 1234567890 رد شد") and len(bare) <= sms.MAX_TEXT
    long_title = sms.compose("rejected", "1234567890", "کمبود مدرک " * 10, "خدمت " * 30)
    assert len(long_title) <= sms.MAX_TEXT and "کمبود مدرک" in long_title


# ---------------------------------------------------------------- queueing with the change


def test_an_outcome_queues_one_message_in_the_change_transaction(db):
    done, no, busy = submit(db, 3)
    assert messages(db) == []  # submitted: nothing to tell yet
    admin.set_status(db, busy["receipt_no"], "in_progress")
    assert messages(db) == []
    seq = admin.set_status(db, done["receipt_no"], "completed")["seq"]
    admin.set_status(db, done["receipt_no"], "completed")  # applied again: no news, no second SMS
    admin.set_status(db, no["receipt_no"], "rejected", "تصویر\u200f شناسنامه   ناخواناست")
    with pytest.raises(InvalidTransition):
        admin.set_status(db, done["receipt_no"], "rejected")  # a final state stays; nothing queued

    rows = messages(db)
    assert [(m.server_ref, m.status, m.state) for m in rows] == [
        (done["server_ref"], "completed", "queued"),
        (no["server_ref"], "rejected", "queued"),
    ]
    first = rows[0]
    assert first.seq == seq and first.idempotency_key.startswith(f"{OFFICE}-{seq}-")
    assert first.to_number == "09121234567"
    assert done["server_ref"] in first.text and "انجام شد" in first.text and "صدور گذرنامه" in first.text
    assert "علت: تصویر شناسنامه ناخواناست" in rows[1].text  # normalised: no RLM, one space
    assert len({m.idempotency_key for m in rows}) == 2
    with db.read() as s:
        shown = sms.for_request(s, OFFICE, rows[1].request_id)
    assert [(r["status"], r["state"], r["to"]) for r in shown] == [("rejected", "queued", "0912***4567")]


def test_a_request_without_a_mobile_is_skipped_and_counted(db, sink):
    citizen = {"national_code": national_code(77), "first_name": "علی", "last_name": "رضایی", "mobile": None}
    (lone,) = submit(db, 1, citizen=citizen)
    (other,) = submit(db, 1)
    admin.set_status(db, lone["receipt_no"], "rejected", "مدرک ناقص")
    admin.set_status(db, other["receipt_no"], "completed")
    drain(fast_sender(db, sink.url), db, all_settled)
    states = {m.server_ref: m.state for m in messages(db)}
    assert states == {lone["server_ref"]: "skipped", other["server_ref"]: "sent"}
    assert sms.counts(db)["skipped"] == 1 and sms.counts(db)["sent"] == 1
    assert [p["to"] for p in sink.posts] == ["09121234567"]  # nothing went out for the mobile-less one
    listed = sms.list_messages(db, "skipped")
    assert [r["server_ref"] for r in listed] == [lone["server_ref"]] and listed[0]["to"] is None


# ---------------------------------------------------------------- sending, exactly once


def test_healthy_gateway_gets_each_change_once_with_the_text(db, sink):
    reqs = submit(db, 3)
    for r in reqs:
        admin.set_status(db, r["receipt_no"], "completed")
    sink.reply_status = "delivered"
    drain(fast_sender(db, sink.url), db, all_settled)
    rows = messages(db)
    assert {m.state for m in rows} == {"delivered"} and all(m.delivered_at for m in rows)
    assert len(sink.posts) == 3 and set(sink.deliveries.values()) == {1}
    texts = {p["idempotency_key"]: p["text"] for p in sink.posts}
    for m in rows:
        assert m.server_ref in texts[m.idempotency_key] and "انجام شد" in texts[m.idempotency_key]
        assert m.gateway_id == "gw-" + m.idempotency_key


def test_flaky_gateway_that_times_out_after_accepting_delivers_once(db):
    flaky = SmsSink(hang_s=3.0).start()
    try:
        reqs = submit(db, 4)
        for r in reqs:
            admin.set_status(db, r["receipt_no"], "completed")
        # the first POST is accepted and then hangs past the sender's 0.5 s timeout; then two 500s
        flaky.faults += ["accept_then_hang", "500", "500"]
        sender = fast_sender(db, flaky.url, timeout_s=0.5)
        drain(sender, db, all_settled)
    finally:
        flaky.stop()
    rows = messages(db)
    assert {m.state for m in rows} == {"sent"}
    keys = [m.idempotency_key for m in rows]
    assert sorted(flaky.deliveries) == sorted(keys) and set(flaky.deliveries.values()) == {1}  # once each
    assert len(flaky.posts) >= 4 + 3  # the retries did happen
    hung = flaky.posts[0]["idempotency_key"]
    assert flaky.posts_for(hung) >= 2  # re-sent with the same key after the timeout
    assert max(m.attempts for m in rows) >= 2


def test_gateway_refusing_a_message_marks_it_failed_and_goes_on(db, sink):
    a, b = submit(db, 2)
    admin.set_status(db, a["receipt_no"], "completed")
    admin.set_status(db, b["receipt_no"], "completed")
    sink.faults += ["400"]
    drain(fast_sender(db, sink.url), db, all_settled)
    states = sorted(m.state for m in messages(db))
    assert states == ["failed", "sent"]
    failed = next(m for m in messages(db) if m.state == "failed")
    assert "400" in failed.last_error and failed.next_attempt_at is None


def test_gateway_down_for_a_day_loses_nothing_and_sends_once_when_back(db, sink):
    reqs = submit(db, 5)
    for r in reqs:
        admin.set_status(db, r["receipt_no"], "completed")
    port = sink.port
    sink.stop()  # down: connection refused
    now = [utcnow()]
    sender = sms.SmsSender(db, gw(sink.url, timeout_s=0.5), clock=lambda: now[0])
    start = now[0]
    rounds = tries = 0
    while now[0] - start < timedelta(days=1):
        tries += sender.step()
        rounds += 1
        due = [as_utc(m.next_attempt_at) for m in messages(db) if m.next_attempt_at]
        now[0] = max(now[0], min(due)) + timedelta(milliseconds=1)  # jump to the next due time
    rows = messages(db)
    assert {m.state for m in rows} == {"failed-retrying"} and len(rows) == 5
    assert all("در دسترس نیست" in m.last_error for m in rows)
    # a down gateway is asked once a backoff (capped at 10 min), not once a message a round
    assert 24 * 6 <= tries <= 24 * 60, tries
    assert sum(m.attempts for m in rows) == tries

    sink.start(port)
    now[0] += timedelta(seconds=sms.DEFAULT_RETRY_CAP_S)
    for _ in range(5):
        sender.step()
    assert {m.state for m in messages(db)} == {"sent"}
    assert len(sink.posts) == 5 and set(sink.deliveries.values()) == {1}


def test_down_then_up_in_real_time(db, sink):
    reqs = submit(db, 3)
    port = sink.port
    sink.stop()
    for r in reqs:
        admin.set_status(db, r["receipt_no"], "completed")
    sender = fast_sender(db, f"http://127.0.0.1:{port}/send")
    for _ in range(5):
        sender.step()
        time.sleep(0.1)
    states = [m.state for m in messages(db)]  # the first one tried; the others wait as long as it does
    assert set(states) <= {"queued", "failed-retrying"} and "failed-retrying" in states and len(states) == 3
    sink.start(port)
    drain(sender, db, all_settled)
    assert len(sink.posts) == 3 and set(sink.deliveries.values()) == {1}


def test_two_workers_never_send_one_message_twice(db, sink):
    reqs = submit(db, 40)
    for r in reqs:
        admin.set_status(db, r["receipt_no"], "completed")
    senders = [fast_sender(db, sink.url, batch=3) for _ in range(2)]
    done = threading.Event()
    errors: list[BaseException] = []

    def work(sender):
        try:
            while not done.is_set():
                if sender.step() == 0 and all_settled(messages(db)):
                    return
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done.set()
    assert not errors
    assert {m.state for m in messages(db)} == {"sent"}
    keys = [p["idempotency_key"] for p in sink.posts]
    assert len(keys) == 40 and len(set(keys)) == 40  # every key POSTed exactly once: claims never overlap


def test_a_worker_that_died_mid_send_is_taken_over_after_its_lease(db, sink):
    (r,) = submit(db, 1)
    admin.set_status(db, r["receipt_no"], "completed")
    now = [utcnow()]
    dead = sms.SmsSender(db, gw(sink.url), clock=lambda: now[0], lease_s=30)
    (claim,) = dead.claim()  # ... and the process is killed before it sends
    assert messages(db)[0].state == "sending"
    alive = sms.SmsSender(db, gw(sink.url), clock=lambda: now[0], lease_s=30)
    assert alive.step() == 0  # the lease still holds
    now[0] += timedelta(seconds=31)
    assert alive.step() == 1
    assert messages(db)[0].state == "sent"
    assert not dead.record(claim, sms.Outcome(sms.RETRYING, "late"))  # the dead claim writes nothing
    assert messages(db)[0].state == "sent" and len(sink.posts) == 1


def test_the_message_commits_or_rolls_back_with_its_change(db):
    from provincial_server.db import ServerRequest
    from provincial_server.feed import transition

    (r,) = submit(db, 1)
    with pytest.raises(RuntimeError), db.write() as s:
        req = s.scalar(select(ServerRequest).where(ServerRequest.receipt_no == r["receipt_no"]))
        transition(s, req, "completed", actor="agency:zahra", note="تحویل شد")
        assert len(s.scalars(select(SmsMessage)).all()) == 1  # written with the change ...
        raise RuntimeError("the agency's transaction fails after the change")
    assert messages(db) == []  # ... and gone with it
    assert admin.list_requests(db, OFFICE)[0]["status"] == "submitted"
    with db.write() as s:
        req = s.scalar(select(ServerRequest).where(ServerRequest.receipt_no == r["receipt_no"]))
        seq = transition(s, req, "completed", actor="agency:zahra")
    assert [(m.seq, m.state) for m in messages(db)] == [(seq, "queued")]
