"""Intake: validation, the frozen payload, receipt numbering, citizens, shifts, atomicity."""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.errors import InvalidInput, PermissionDenied
from desk_app.services import intake, shifts, users
from desk_app.services.context import database_path
from desk_app.store.models import OutboxOp, Request, RequestHistory, Shift, SyncState
from tests.helpers.deskdata import national_code, register


def _counts(desk):
    con = sqlite3.connect(database_path(desk.home))
    try:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("requests", "outbox", "citizens", "request_history", "audit_log")
        )
    finally:
        con.close()


def test_payload_is_exactly_the_protocol_request(desk):
    from desk_app.sync.protocol import RequestPayload

    r = register(desk, 7, mobile="+98 912 345 6789", payment_method="card", payment_ref="۱۲۳۴۵۶")
    with desk.db.read() as s:
        op = s.scalar(select(OutboxOp).where(OutboxOp.request_id == r.request_id))
    payload = json.loads(op.payload)
    assert set(payload) == {
        "request_id",
        "receipt_no",
        "office",
        "device",
        "created_at",
        "clock_skew_s",
        "clerk",
        "shift_id",
        "citizen",
        "service_code",
        "catalog_version",
        "fees",
        "total",
        "payment",
        "fields",
        "form_version",
    }
    assert payload["fields"] == {} and payload["form_version"] == payload["catalog_version"]  # no form here
    assert payload["clerk"] == {"username": "ali", "full_name": "علی رضایی"}
    assert payload["citizen"] == {
        "national_code": national_code(7),
        "first_name": "محمد",
        "last_name": "کریمی",
        "mobile": "09123456789",
    }
    assert payload["fees"] == [{"kind": "government", "amount": 12000000}, {"kind": "office", "amount": 850000}]
    assert payload["total"] == 12850000 == r.total
    assert payload["payment"] == {"method": "card", "ref": "123456"}
    assert payload["office"] == "4512" and payload["device"] == 2
    assert payload["catalog_version"] == "1405-09-01" and payload["shift_id"] == r.shift_id
    assert payload["created_at"].endswith("Z") and uuid.UUID(payload["request_id"]).version == 4
    assert op.payload == canonical_json(payload)  # frozen canonical bytes
    assert op.payload_sha256 == payload_sha256(op.payload)
    assert (op.kind, op.state, op.attempts) == ("request", "pending", 0)
    RequestPayload.model_validate(payload)  # the server's own model accepts it


def test_receipt_numbers_follow_the_tehran_day(desk):
    # 20:29:59 UTC is 23:59:59 in Tehran on 1405/09/08; 20:30 UTC is the next Tehran day
    late = datetime(2026, 11, 29, 20, 29, 59, tzinfo=UTC)
    next_day = datetime(2026, 11, 29, 20, 30, 0, tzinfo=UTC)
    a = register(desk, 1, now=late)
    b = register(desk, 2, now=late)
    c = register(desk, 3, now=next_day)
    assert [a.receipt_no, b.receipt_no, c.receipt_no] == [
        "4512-2-050908-0001",
        "4512-2-050908-0002",
        "4512-2-050909-0001",
    ]
    assert (a.tehran_day, c.tehran_day) == ("2026-11-29", "2026-11-30")


def test_numbering_continues_after_the_servers_last_receipt(desk):
    now = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    with desk.db.write() as s:
        s.add(SyncState(key="server_last_receipt_no", value="4512-2-050908-0041"))
    assert register(desk, 1, now=now).receipt_no == "4512-2-050908-0042"
    assert register(desk, 2, now=now).receipt_no == "4512-2-050908-0043"  # local one is later now
    with desk.db.write() as s:
        s.get(SyncState, "server_last_receipt_no").value = "4512-2-050907-0099"  # another day: ignored
    assert register(desk, 3, now=now).receipt_no == "4512-2-050908-0044"


def test_citizen_is_found_and_updated(desk):
    assert intake.find_citizen(desk, national_code(5)) is None
    register(desk, 5, first_name="زهرا", last_name="احمدي", mobile="09121111111")
    c = intake.find_citizen(desk, national_code(5))
    assert (c.first_name, c.last_name, c.mobile) == ("زهرا", "احمدی", "09121111111")  # ي -> ی
    register(desk, 5, first_name="زهرا", last_name="احمدی‌نژاد")
    c = intake.find_citizen(desk, national_code(5))
    assert c.last_name == "احمدی‌نژاد" and c.mobile == "09121111111"
    assert _counts(desk)[2] == 1


def test_a_shift_is_opened_for_the_clerk_and_linked(desk):
    assert shifts.current_shift(desk, "ali") is None
    r = register(desk, 1)
    sh = shifts.current_shift(desk, "ali")
    assert sh is not None and sh.opening_cash == 0 and r.shift_id == sh.id
    assert register(desk, 2).shift_id == sh.id


@pytest.mark.parametrize(
    "field, value, needle",
    [
        ("national_code", "0013542418", "کد ملی"),
        ("national_code", "1111111111", "کد ملی"),
        ("national_code", "0013\u202e542419", "کنترل جهت"),
        ("national_code", "abc", "کد ملی"),
        ("first_name", "م" * 10_000, "۱۰۰"),
        ("last_name", "   ", "نام خانوادگی"),
        ("last_name", "\u202e\u2066", "نام خانوادگی"),
        ("mobile", "0912", "شماره همراه"),
        ("service_code", "9999", "9999"),
        ("service_code", "3001", "فعال نیست"),
        ("payment_method", "cheque", "روش پرداخت"),
        ("payment_ref", "12\u202e34", "کنترل جهت"),
    ],
)
def test_bad_input_is_refused_with_persian_message_and_nothing_written(desk, field, value, needle):
    register(desk, 1)
    before = _counts(desk)
    with pytest.raises(InvalidInput) as err:
        register(desk, 2, **{field: value, **({"payment_method": "card"} if field == "payment_ref" else {})})
    assert needle in err.value.message
    assert _counts(desk) == before


def test_bidi_controls_are_stripped_from_names(desk):
    r = register(desk, 1, first_name="\u202eمحمد\u202c", last_name="کر\u200fیمی")
    assert (r.first_name, r.last_name) == ("محمد", "کریمی")


def test_sql_fragments_are_plain_text(desk):
    evil = "x'); DROP TABLE requests; --"
    r = register(desk, 1, first_name=evil, last_name='Robert"; DELETE FROM outbox; --')
    assert r.first_name == evil
    register(desk, 2)
    assert _counts(desk)[:2] == (2, 2)


def test_unknown_or_inactive_clerk(desk):
    with pytest.raises(InvalidInput, match="کاربری"):
        register(desk, 1, clerk="nobody")
    users.set_active(desk, "sara", False)
    with pytest.raises(PermissionDenied, match="غیرفعال"):
        register(desk, 1, clerk="sara")
    assert register(desk, 1, clerk="boss").clerk == "boss"  # a manager may register too


def test_intake_is_one_transaction(desk, monkeypatch):
    from desk_app.services import audit

    register(desk, 1)
    before = _counts(desk)

    def broken(*a, **k):
        raise RuntimeError("simulated crash before commit")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        register(desk, 2, first_name="تازه")
    assert _counts(desk) == before
    assert intake.find_citizen(desk, national_code(2)) is None


def test_history_and_no_national_code_in_logs(desk, caplog):
    caplog.set_level(logging.DEBUG)
    r = register(desk, 9)
    with desk.db.read() as s:
        hist = s.scalars(select(RequestHistory).where(RequestHistory.request_id == r.request_id)).all()
        assert [(h.from_status, h.to_status, h.actor) for h in hist] == [(None, "registered", "ali")]
        assert s.scalar(select(Request.status)) == "registered"
    assert national_code(9) not in caplog.text
    with desk.db.read() as s:
        assert s.scalar(select(Shift.opening_cash)) == 0


def test_register_many_undoes_only_the_bad_rows(desk):
    def form(n, **kw):
        return {
            "national_code": national_code(n),
            "first_name": "محمد",
            "last_name": "کریمی",
            "mobile": None,
            "service_code": "2101",
            "payment_method": "cash",
            "payment_ref": None,
        } | kw

    forms = [
        form(1),
        form(2, service_code="9999"),
        form(3),
        form(4, national_code="1234567890"),
        form(5, service_code="3001"),
        form(6),
    ]
    results = list(intake.register_many(desk, "ali", forms, batch=2))
    assert [i for i, _ in results] == list(range(6))
    bad = {i: r.field for i, r in results if isinstance(r, InvalidInput)}
    assert bad == {1: "service", 3: "national_code", 4: "service"}
    good = [r for _, r in results if not isinstance(r, InvalidInput)]
    assert [r.receipt_no[-4:] for r in good] == ["0001", "0002", "0003"]  # no number used by a bad row
    assert _counts(desk)[:3] == (3, 3, 3)
    from desk_app.services import audit

    assert audit.verify(desk).ok
    with pytest.raises(InvalidInput):
        list(intake.register_many(desk, "nobody", [form(7)]))
