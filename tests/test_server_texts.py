"""Text the server stores or sends is normalised (DESIGN.md section 2), while the payload bytes a
desk froze stay as they came (hash, duplicate and conflict logic unchanged). The real server on
SQLite and PostgreSQL; the database read back through SQLAlchemy."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from desk_app.domain.canonical import payload_sha256
from desk_app.domain.text import BIDI_CONTROLS, normalize_text, search_key
from desk_app.sync import protocol
from provincial_server.db import Change, Meta, RequestText, ServerDB, ServerRequest, StatusHistory
from provincial_server.texts import BACKFILL_FLAG
from tests.helpers.server import make_cancel_op, make_request_op, wrap_op

B = protocol.API_PREFIX
# RLO ... PDF around a name, isolates, an RLM, Arabic ي/ك, a tatweel and a ZWJ
DIRTY_FIRST = "\u202e\u0639\u0644\u064a\u202c"  # ‮علي‬
DIRTY_LAST = "\u2067\u0643\u0640\u0631\u064a\u0645\u064a\u2069\u200f"
DIRTY_NOTE = "\u202e\u062a\u062d\u0648\u06cc\u0644 \u2066\u0634\u062f\u2069 \u200d1234\u202c"
INVISIBLE = BIDI_CONTROLS | {"\u0640", "\u200d"}


@pytest.fixture
def office(live_server):
    code, tokens = live_server.new_office()
    db = ServerDB(live_server.db_url)
    with live_server.client(tokens[2]) as c:
        yield live_server, code, c, db
    db.dispose()


def send(c, code, *items):
    r = c.post(f"{B}/offices/{code}/requests/batch", json={"items": list(items)})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def clean(s: str) -> bool:
    return not (set(s) & INVISIBLE) and "\u064a" not in s and "\u0643" not in s


def test_citizen_names_are_stored_normalised_beside_the_frozen_payload(office):
    _, code, c, db = office
    op = make_request_op(code, 2)
    op["payload"]["citizen"].update(first_name=DIRTY_FIRST, last_name=DIRTY_LAST)
    op["payload"]["clerk"]["full_name"] = "\u202eسارا احمدي"
    op = wrap_op("request", op["payload"])
    first = send(c, code, op)[0]
    assert first["result"] == "created"
    with db.read() as s:
        text = s.get(RequestText, (code, op["request_id"]))
        frozen = s.get(ServerRequest, (code, op["request_id"]))
    assert (text.first_name, text.last_name) == (normalize_text(DIRTY_FIRST), normalize_text(DIRTY_LAST))
    assert (text.first_name, text.last_name) == ("علی", "کریمی")
    assert (text.first_key, text.last_key) == (search_key("علی"), search_key("کریمی"))
    assert text.clerk_full_name == "سارا احمدی"
    # the payload stays exactly as the desk froze it: same bytes, same hash
    assert json.loads(frozen.payload_json) == op["payload"]
    assert frozen.payload_sha256 == payload_sha256(json.loads(frozen.payload_json)) == op["payload_sha256"]
    known = c.post(f"{B}/offices/{code}/requests/lookup", json={"request_ids": [op["request_id"]]}).json()["known"]
    assert known[0]["payload_sha256"] == op["payload_sha256"]
    # so the duplicate and conflict logic see the client's bytes
    assert send(c, code, op)[0]["result"] == "duplicate"
    assert send(c, code, wrap_op("request", op["payload"]))[0]["result"] == "duplicate"
    cleaned = dict(op["payload"], citizen=dict(op["payload"]["citizen"], first_name="علی", last_name="کریمی"))
    assert send(c, code, wrap_op("request", cleaned))[0]["code"] == "request_id_conflict"


def test_names_of_a_batch_item_by_item_are_normalised_too(office):
    """The slow path (a batch with a cancel in it goes item by item) writes the same rows."""
    _, code, c, db = office
    held = make_request_op(code, 2)
    send(c, code, held)
    op = make_request_op(code, 2)
    op["payload"]["citizen"]["first_name"] = DIRTY_FIRST
    op = wrap_op("request", op["payload"])
    assert [r["result"] for r in send(c, code, make_cancel_op(held["request_id"]), op)] == ["cancelled", "created"]
    with db.read() as s:
        assert s.get(RequestText, (code, op["request_id"])).first_name == "علی"


def test_status_note_from_the_cli_is_stored_and_sent_clean(office):
    srv, code, c, db = office
    op = make_request_op(code, 2)
    send(c, code, op)
    srv.admin("request", "set-status", op["payload"]["receipt_no"], "completed", "--note", DIRTY_NOTE)
    want = normalize_text(DIRTY_NOTE)
    assert want == "تحویل شد 1234" and clean(want)
    notes = [ch["note"] for ch in c.get(f"{B}/offices/{code}/changes").json()["changes"] if ch["note"]]
    assert notes == [want]
    with db.read() as s:
        assert s.get(ServerRequest, (code, op["request_id"])).status_note == want
        assert s.scalars(select(StatusHistory.note).where(StatusHistory.request_id == op["request_id"])).all() == [
            None,
            want,
        ]
    row = next(r for r in srv.list_requests(code) if r["request_id"] == op["request_id"])
    assert row["note"] == want


def test_cancel_reason_is_stored_and_sent_clean(office):
    _, code, c, db = office
    op = make_request_op(code, 2)
    send(c, code, op)
    assert send(c, code, make_cancel_op(op["request_id"], reason=DIRTY_NOTE))[0]["result"] == "cancelled"
    change = c.get(f"{B}/offices/{code}/changes").json()["changes"][-1]
    assert (change["status"], change["note"]) == ("cancelled", "تحویل شد 1234")


def test_a_note_stored_dirty_before_the_rule_still_leaves_clean(office):
    _, code, c, db = office
    op = make_request_op(code, 2)
    send(c, code, op)
    with db.write() as s:  # as a round-1 server stored it
        s.execute(Change.__table__.update().where(Change.office == code).values(note=DIRTY_NOTE))
    assert c.get(f"{B}/offices/{code}/changes").json()["changes"][0]["note"] == "تحویل شد 1234"


def test_office_name_is_stored_and_sent_clean(live_server, tmp_path):
    code = "7" + live_server.new_office()[0][1:]  # a code no other test uses
    live_server.admin("office", "add", "--code", code, "--name", "\u202eدفتر پيشخوان\u2069 ۱")
    token = live_server.enrol(code, 2)
    with live_server.client(token) as c:
        assert c.get(f"{B}/hello").json()["office_name"] == "دفتر پیشخوان ۱"
    empty = live_server.admin("office", "add", "--code", code[:-1] + "9", "--name", "\u202e\u2069", check=False)
    assert empty.returncode == 1 and "نام دفتر" in empty.stderr


def test_requests_stored_before_the_texts_table_get_their_texts_once(office):
    srv, code, c, db = office
    ops = [make_request_op(code, 2) for _ in range(3)]
    for op in ops:
        op["payload"]["citizen"]["last_name"] = DIRTY_LAST
    ops = [wrap_op("request", op["payload"]) for op in ops]
    send(c, code, *ops)
    with db.write() as s:  # what an older server left: no text rows, no flag
        s.execute(delete(RequestText))
        s.execute(delete(Meta).where(Meta.key == BACKFILL_FLAG))
    srv.admin("request", "list", "--office", code)  # any command opens (and initialises) the database
    with db.read() as s:
        names = s.scalars(
            select(RequestText.last_name).where(RequestText.request_id.in_([o["request_id"] for o in ops]))
        ).all()
        assert s.get(Meta, BACKFILL_FLAG) is not None
    assert names == ["کریمی"] * 3
