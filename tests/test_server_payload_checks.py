"""Every field of a batch item is checked into a per-item `invalid` (code = the field, Persian
detail) and the good items of the same batch commit: no value makes the server answer 5xx.
Against the real server on SQLite and PostgreSQL; the last tests run the real desk sync engine
against it and see the bad item go to attention while the rest of the queue drains."""

from __future__ import annotations

import json
import math
import uuid

import pytest
from sqlalchemy import select

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.store.models import OutboxOp
from desk_app.sync import protocol
from desk_app.sync.engine import SyncEngine
from desk_app.sync.transport import HttpTransport
from tests.helpers.deskdata import make_desk, register
from tests.helpers.server import CATALOG, make_cancel_op, make_request_op, wrap_op
from tests.helpers.syncdata import outbox_states

B = protocol.API_PREFIX
DROP = object()  # remove the field
PERSIAN = ("\u0600", "\u06ff")


@pytest.fixture
def office(live_server):
    """(server, office code, {device: client}) with devices 1 and 2 of one office."""
    code, tokens = live_server.new_office(devices=(1, 2))
    clients = {d: live_server.client(t) for d, t in tokens.items()}
    try:
        yield live_server, code, clients
    finally:
        for c in clients.values():
            c.close()


def post(c, code, items) -> list[dict]:
    """The batch as raw JSON (NaN and lone surrogates included), asserting a 200 with one result per item."""
    body = json.dumps({"items": items}, ensure_ascii=True, allow_nan=True).encode("ascii")
    r = c.post(f"{B}/offices/{code}/requests/batch", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text[:2000]
    results = r.json()["results"]
    assert len(results) == len(items)
    return results


def mutate(op: dict, path: str, value) -> dict:
    """`op` with the payload field at `path` (e.g. `citizen.first_name`, `fees.0.amount`) set, hash redone."""
    payload = json.loads(json.dumps(op["payload"]))
    *parents, last = path.split(".")
    target = payload
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if isinstance(target, list):
        target[int(last)] = value
    elif value is DROP:
        del target[last]
    else:
        target[last] = value
    try:
        return wrap_op(op["kind"], payload, op_id=op["op_id"])
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 bytes to hash: any hash will do
        return dict(op, payload=payload, payload_sha256="0" * 64)


def _persian(text: str | None) -> bool:
    return bool(text) and any(PERSIAN[0] <= ch <= PERSIAN[1] for ch in text)


def _nested(depth: int):
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def _receipt_parts(op):
    return op["payload"]["receipt_no"].split("-")


def _rn_newline(op):
    return op["payload"]["receipt_no"] + "\n"


def _rn_device_02(op):
    office, _, day, seq = _receipt_parts(op)
    return f"{office}-02-{day}-{seq}"


def _rn_seq_0(op):
    return "-".join(_receipt_parts(op)[:3] + ["0000"])


def _rn_seq_huge(op):  # a valid receipt number, only longer than 40 characters
    return "-".join(_receipt_parts(op)[:3] + ["1" * 30])


def _rn_persian_digits(op):
    return op["payload"]["receipt_no"].replace("0", "۰")


def _nc_nine_digits(op):  # the canonical form has ten digits (the client pads)
    return op["payload"]["citizen"]["national_code"][1:]


def _case_id(path, value) -> str:
    if value is DROP:
        return f"{path}=<absent>"
    return f"{path}={value.__name__ if callable(value) else repr(value)[:24]}"


REQUEST_CASES = [
    # created_at: out of range (these raised in the Tehran-day code), not UTC, naive, not a time
    ("created_at", "9999-12-31T23:59:59+00:00", "created_at"),
    ("created_at", "0001-01-01T00:00:00+00:00", "created_at"),
    ("created_at", "0001-01-01T00:00:00+14:00", "created_at"),
    ("created_at", "9999-12-31T23:00:00-12:00", "created_at"),
    ("created_at", "2026-11-29T10:00:00+14:00", "created_at"),
    ("created_at", "2026-11-29T10:00:00", "created_at"),
    ("created_at", "1999-12-31T23:59:59Z", "created_at"),
    ("created_at", "garbage", "created_at"),
    ("created_at", "", "created_at"),
    ("created_at", "2" * 5000, "created_at"),
    ("created_at", 1764410000, "created_at"),
    ("created_at", None, "created_at"),
    ("created_at", DROP, "created_at"),
    # clock_skew_s: NaN, infinities, huge, not a number
    ("clock_skew_s", math.nan, "clock_skew_s"),
    ("clock_skew_s", math.inf, "clock_skew_s"),
    ("clock_skew_s", -math.inf, "clock_skew_s"),
    ("clock_skew_s", 1e308, "clock_skew_s"),
    ("clock_skew_s", 10**30, "clock_skew_s"),
    ("clock_skew_s", "5", "clock_skew_s"),
    ("clock_skew_s", True, "clock_skew_s"),
    ("clock_skew_s", None, "clock_skew_s"),
    # identifiers of the office, device and receipt
    ("device", "2", "device"),
    ("device", True, "device"),
    ("device", 2.0, "device"),
    ("device", 0, "device"),
    ("device", 10**20, "device"),
    ("office", 4512, "office"),
    ("office", "۴۵۱۲", "office"),
    ("receipt_no", _rn_newline, "receipt_no"),
    ("receipt_no", _rn_device_02, "receipt_no"),
    ("receipt_no", _rn_seq_0, "receipt_no"),
    ("receipt_no", _rn_seq_huge, "receipt_no"),
    ("receipt_no", _rn_persian_digits, "receipt_no"),
    ("receipt_no", None, "receipt_no"),
    ("shift_id", 5, "shift_id"),
    ("shift_id", "not-a-uuid", "shift_id"),
    ("shift_id", "x" * 100, "shift_id"),
    # the clerk
    ("clerk", "sara", "clerk"),
    ("clerk.username", "", "clerk.username"),
    ("clerk.username", "a" * 65, "clerk.username"),
    ("clerk.username", "sa\u202era", "clerk.username"),
    ("clerk.username", "sara\n", "clerk.username"),
    ("clerk.full_name", "س" * 201, "clerk.full_name"),
    ("clerk.full_name", 5, "clerk.full_name"),
    # the citizen
    ("citizen", None, "citizen"),
    ("citizen.national_code", "1111111111", "citizen.national_code"),
    ("citizen.national_code", 12345678, "citizen.national_code"),
    ("citizen.national_code", _nc_nine_digits, "citizen.national_code"),
    ("citizen.first_name", "", "citizen.first_name"),
    ("citizen.first_name", "\u202e\u2066\u2069\u200f", "citizen.first_name"),
    ("citizen.first_name", "ع" * 101, "citizen.first_name"),
    ("citizen.first_name", 5, "citizen.first_name"),
    ("citizen.first_name", "عل\x00ی", "citizen.first_name"),
    ("citizen.first_name", "عل\ud800ی", "citizen.first_name"),
    ("citizen.last_name", None, "citizen.last_name"),
    ("citizen.mobile", "9121234567", "citizen.mobile"),
    ("citizen.mobile", 9121234567, "citizen.mobile"),
    # service, catalog version, fees and amounts
    ("service_code", "", "service_code"),
    ("service_code", "x" * 17, "service_code"),
    ("service_code", "21\u202e01", "service_code"),
    ("service_code", 2101, "service_code"),
    ("catalog_version", "", "catalog_version"),
    ("catalog_version", "v" * 65, "catalog_version"),
    ("catalog_version", "1405\u202e-09-01", "catalog_version"),
    ("catalog_version", None, "catalog_version"),
    ("fees", [], "fees"),
    ("fees", "12850000", "fees"),
    ("fees", [{"kind": "office", "amount": 1}] * 21, "fees"),
    ("fees.0", 5, "fees.0"),
    ("fees.0.kind", "tip", "fees.0.kind"),
    ("fees.0.amount", -1, "fees.0.amount"),
    ("fees.0.amount", 12000000.0, "fees.0.amount"),
    ("fees.0.amount", True, "fees.0.amount"),
    ("fees.0.amount", 10**14, "fees.0.amount"),
    ("fees.1.amount", math.nan, "fees.1.amount"),
    ("total", "12850000", "total"),
    ("total", 12850000.0, "total"),
    ("total", True, "total"),
    ("total", -1, "total"),
    ("total", 10**30, "total"),
    ("total", 12850001, "total"),
    ("payment", None, "payment"),
    ("payment.method", "bitcoin", "payment.method"),
    ("payment.ref", "r" * 65, "payment.ref"),
    ("payment.ref", "12\u202e34", "payment.ref"),
    ("server_ref", "123", "server_ref"),
    ("server_ref", "1234567890\n", "server_ref"),
    ("server_ref", 1234567890, "server_ref"),
    # anywhere in the item, a field the protocol does not name included
    ("extra", "a\x00b", "extra"),
    ("extra", {"deep": _nested(25)}, "malformed"),
    ("extra", -math.inf, "extra"),
]


def _known(c, code, ids) -> dict[str, dict]:
    r = c.post(f"{B}/offices/{code}/requests/lookup", json={"request_ids": list(ids)})
    assert r.status_code == 200, r.text
    return {k["request_id"]: k for k in r.json()["known"]}


@pytest.mark.parametrize(
    "created_at",
    ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00+14:00", "2026-11-29T10:00:00"],
)
def test_out_of_range_created_at_is_one_invalid_item_not_a_lost_batch(office, created_at):
    """The fault as found: these raised in the Tehran-day code and the whole batch got a 500."""
    _, code, clients = office
    good = [make_request_op(code, 2) for _ in range(3)]
    bad = mutate(make_request_op(code, 2), "created_at", created_at)
    res = post(clients[2], code, [good[0], bad, good[1], good[2]])
    assert [(r["result"], r["code"]) for r in res] == [("created", None), ("invalid", "created_at")] + [
        ("created", None)
    ] * 2
    assert _persian(res[1]["detail"])
    assert _known(clients[2], code, [o["request_id"] for o in [*good, bad]]).keys() == {o["request_id"] for o in good}


def test_every_bad_request_field_is_invalid_and_the_good_items_commit(office):
    """All the cases in one batch, each bad item between two good ones."""
    _, code, clients = office
    c = clients[2]
    items, expect, goods, bads = [], [], [], []
    for path, value, want in REQUEST_CASES:
        base = make_request_op(code, 2)
        bad = mutate(base, path, value(base) if callable(value) else value)
        good = make_request_op(code, 2)
        items += [bad, good]
        expect += [(_case_id(path, value), "invalid", want), (_case_id(path, value), "created", None)]
        goods.append(good)
        bads.append(bad)
    res = post(c, code, items)
    got = [(case, r["result"], r["code"]) for (case, _, _), r in zip(expect, res, strict=True)]
    assert got == expect
    assert all(_persian(r["detail"]) for r in res[::2])
    assert [r["op_id"] for r in res] == [o["op_id"] for o in items]
    known = _known(c, code, [o["request_id"] for o in goods + bads if isinstance(o["request_id"], str)])
    assert known.keys() == {o["request_id"] for o in goods}
    # the same batch again: the bad items are still invalid (nothing was stored), the good ones duplicates
    again = post(c, code, items)
    assert [r["result"] for r in again] == ["invalid", "duplicate"] * len(REQUEST_CASES)


def test_an_op_and_payload_request_id_must_agree_and_be_uuids(office):
    _, code, clients = office
    op = make_request_op(code, 2)
    upper = wrap_op("request", dict(op["payload"], request_id=op["request_id"].upper()))
    not_uuid = make_request_op(code, 2)
    not_uuid = wrap_op("request", dict(not_uuid["payload"], request_id="x" * 36))
    trailing = make_request_op(code, 2)
    trailing = wrap_op("request", dict(trailing["payload"], request_id=trailing["request_id"] + "\n"))
    op_id_newline = make_request_op(code, 2)
    op_id_newline["op_id"] += "\n"
    res = post(c := clients[2], code, [upper, not_uuid, trailing, op_id_newline, make_request_op(code, 2)])
    assert res[0]["result"] == "created" and res[0]["request_id"] == op["request_id"]
    assert [(r["result"], r["code"]) for r in res[1:4]] == [("invalid", "malformed")] * 3
    assert res[4]["result"] == "created"
    assert c.get(f"{B}/hello").status_code == 200


CANCEL_CASES = [
    ("reason", "", "reason"),
    ("reason", "\u202e\u2067\u2069", "reason"),
    ("reason", "ر" * 501, "reason"),
    ("reason", 5, "reason"),
    ("reason", DROP, "reason"),
    ("refund", -1, "refund"),
    ("refund", 1.5, "refund"),
    ("refund", True, "refund"),
    ("refund", "1000", "refund"),
    ("refund", 10**30, "refund"),
    ("refund", math.nan, "refund"),
    ("at", "9999-12-31T23:59:59+00:00", "at"),
    ("at", "0001-01-01T00:00:00+14:00", "at"),
    ("at", "2026-11-29T10:00:00", "at"),
    ("at", None, "at"),
    ("clerk", ["sara"], "clerk"),
    ("clerk.username", "", "clerk.username"),
]


def test_every_bad_cancel_field_is_invalid_and_the_good_cancels_apply(office):
    _, code, clients = office
    c = clients[2]
    requests = [make_request_op(code, 2) for _ in range(2 * len(CANCEL_CASES))]
    assert {r["result"] for r in post(c, code, requests)} == {"created"}
    items, expect = [], []
    for i, (path, value, want) in enumerate(CANCEL_CASES):
        items.append(mutate(make_cancel_op(requests[2 * i]["request_id"]), path, value))
        items.append(make_cancel_op(requests[2 * i + 1]["request_id"], refund=850000))
        expect += [(_case_id(path, value), "invalid", want), (_case_id(path, value), "cancelled", None)]
    res = post(c, code, items)
    assert [(case, r["result"], r["code"]) for (case, _, _), r in zip(expect, res, strict=True)] == expect
    assert all(_persian(r["detail"]) for r in res[::2])
    # the requests of the bad cancels are untouched and can still be cancelled properly
    retry = post(c, code, [make_cancel_op(r["request_id"]) for r in requests[::2]])
    assert {r["result"] for r in retry} == {"cancelled"}


def test_only_the_registering_device_may_cancel(office):
    """Fault 6: device 2's cancel of device 1's request would leave device 1's shift cash wrong."""
    _, code, clients = office
    mine = make_request_op(code, 1)
    assert post(clients[1], code, [mine])[0]["result"] == "created"
    day = _today(mine)
    foreign = make_cancel_op(mine["request_id"], refund=850000)
    res = post(clients[2], code, [foreign, make_request_op(code, 2)])
    assert (res[0]["result"], res[0]["code"]) == ("invalid", "not_request_device")
    assert _persian(res[0]["detail"]) and "1" in res[0]["detail"]
    assert res[1]["result"] == "created"
    assert _known(clients[1], code, [mine["request_id"]])[mine["request_id"]]["status"] == "submitted"
    assert _daily(clients[1], code, day)["refunds"] == 0
    # the same operation from device 1 itself (a new op id) applies
    own = wrap_op("cancel", foreign["payload"])
    assert post(clients[1], code, [own])[0]["result"] == "cancelled"
    assert _known(clients[1], code, [mine["request_id"]])[mine["request_id"]]["status"] == "cancelled"
    assert _daily(clients[1], code, day)["refunds"] == 850000
    # a cancel whose envelope names another receipt number is refused too
    other = make_request_op(code, 1)
    post(clients[1], code, [other])
    wrong_receipt = dict(make_cancel_op(other["request_id"]), receipt_no=mine["payload"]["receipt_no"])
    assert post(clients[1], code, [wrong_receipt])[0]["code"] == "receipt_no_mismatch"


def _today(op) -> str:
    from desk_app.domain.jalali import parse_utc, tehran_day

    return tehran_day(parse_utc(op["payload"]["created_at"])).isoformat()


def _daily(c, code, day) -> dict:
    r = c.get(f"{B}/offices/{code}/reports/daily", params={"date": day})
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- the desk's own sync engine


def _desk_for(srv, home):
    from desk_app.services import catalog as catalog_svc
    from desk_app.services import setup

    desk = make_desk(home, catalog=False)
    catalog_svc.import_catalog(desk, CATALOG)
    setup.init_office(desk, srv.office, "دفتر پیشخوان آزمایشی", srv.device, server_url=srv.url, token=srv.token)
    return desk


def _spoil(desk, request_id: str, **changes) -> str:
    """Rewrite a queued operation's frozen payload (as a buggy or hostile desk would have frozen it)."""
    with desk.db.write() as s:
        op = s.scalar(select(OutboxOp).where(OutboxOp.request_id == request_id, OutboxOp.kind == "request"))
        payload = json.loads(op.payload)
        payload.update(changes)
        op.payload = canonical_json(payload)
        op.payload_sha256 = payload_sha256(op.payload)
        return op.op_id


def _sync(desk, srv):
    transport = HttpTransport(srv.url, srv.token, timeout=(5.0, 30.0))
    with transport:
        return SyncEngine(desk.db, transport, office=srv.office, device=srv.device).run_once()


@pytest.mark.parametrize("created_at", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"])
def test_desk_engine_bad_item_goes_to_attention_and_the_queue_drains(server, tmp_path, created_at):
    desk = _desk_for(server, tmp_path / "home")
    try:
        views = [register(desk, n=i) for i in range(1, 6)]
        bad_op = _spoil(desk, views[2].request_id, created_at=created_at)
        report = _sync(desk, server)
        assert report.online, report.error
        assert (report.acked, report.invalid, report.pending) == (4, 1, 0), report
        assert outbox_states(desk.db) == {"acked": 4, "attention": 1}
        with desk.db.read() as s:
            op = s.scalar(select(OutboxOp).where(OutboxOp.op_id == bad_op))
            assert (op.state, op.result, op.result_code) == ("attention", "invalid", "created_at")
            assert _persian(op.result_detail)
        # the queue is not stalled: what comes next goes through, the bad item stays parked
        register(desk, n=6)
        again = _sync(desk, server)
        assert (again.online, again.acked, again.pending) == (True, 1, 0), again
        assert outbox_states(desk.db) == {"acked": 5, "attention": 1}
        with server.client(server.token) as c:
            on_server = _known(c, "4512", [v.request_id for v in views])
        assert len(on_server) == 4 and views[2].request_id not in on_server
    finally:
        desk.close()
    assert "Traceback" not in server.log_text()


def test_desk_engine_foreign_cancel_goes_to_attention(server, tmp_path):
    """A cancel for a request another device registered (a restored copy, a hostile desk)."""
    desk = _desk_for(server, tmp_path / "home")
    try:
        with server.client(server.enrol("4512", 3)) as c3:
            theirs = make_request_op("4512", 3)
            assert post(c3, "4512", [theirs])[0]["result"] == "created"
        view = register(desk, n=1)
        with desk.db.write() as s:  # a cancel op queued for device 3's request
            payload = {
                "request_id": theirs["request_id"],
                "reason": "انصراف",
                "clerk": {"username": "ali", "full_name": "علی"},
                "refund": 0,
                "at": theirs["payload"]["created_at"],
            }
            data = canonical_json(payload)
            s.add(
                OutboxOp(
                    op_id=str(uuid.uuid4()),
                    kind="cancel",
                    request_id=theirs["request_id"],
                    receipt_no=theirs["payload"]["receipt_no"],
                    payload=data,
                    payload_sha256=payload_sha256(data),
                    state="pending",
                    attempts=0,
                    created_at=theirs["payload"]["created_at"],
                )
            )
        report = _sync(desk, server)
        assert (report.online, report.acked, report.invalid, report.pending) == (True, 1, 1, 0), report
        with desk.db.read() as s:
            codes = dict(s.execute(select(OutboxOp.request_id, OutboxOp.result_code)).all())
        assert codes[theirs["request_id"]] == "not_request_device" and codes[view.request_id] is None
        with server.client(server.token) as c:
            assert _known(c, "4512", [theirs["request_id"]])[theirs["request_id"]]["status"] == "submitted"
    finally:
        desk.close()
