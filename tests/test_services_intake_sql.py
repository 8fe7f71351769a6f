"""Intake writes its rows with plain SQL: every column the ORM path wrote, one transaction, the chain."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import pytest

from desk_app.domain.canonical import payload_sha256
from desk_app.services import audit, intake, requests
from desk_app.services.context import database_path
from tests.helpers.deskdata import national_code, register

NOW = datetime(2026, 11, 29, 6, 30, tzinfo=UTC)  # 1405/09/08 10:00 in Tehran


def _rows(desk, sql, *args):
    con = sqlite3.connect(database_path(desk.home))
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql, args)]
    finally:
        con.close()


def test_every_column_of_citizen_request_history_and_outbox(desk):
    first = register(
        desk,
        7,
        first_name="علي",
        last_name="كريمي",
        mobile="+98 912 123 4567",
        now=NOW,
        payment_method="card",
        payment_ref="ab12",
    )
    second = register(desk, 7, first_name="علی", last_name="کریمی‌زاده", service_code="1101", now=NOW)

    # the same citizen, updated: new names and keys, the mobile kept when none is given
    citizens = _rows(desk, "SELECT * FROM citizens")
    assert len(citizens) == 1
    c = citizens[0]
    assert (c["national_code"], c["first_name"], c["last_name"], c["mobile"]) == (
        national_code(7),
        "علی",
        "کریمی‌زاده",
        "09121234567",
    )
    assert (c["first_key"], c["last_key"], c["updated_at"]) == ("علی", "کریمیزاده", "2026-11-29T06:30:00.000000Z")

    # the request rows are what the service returned and what a later read shows
    for v in (first, second):
        row = _rows(desk, "SELECT * FROM requests WHERE request_id = ?", v.request_id)[0]
        assert requests.get_request(desk, v.receipt_no) == v
        assert row["citizen_id"] == c["id"] and row["shift_id"] == v.shift_id and row["clerk_username"] == "ali"
        assert (row["status"], row["status_note"], row["server_ref"], row["reprint_count"]) == (
            "registered",
            None,
            None,
            0,
        )
        assert row["created_at"] == row["updated_at"] == "2026-11-29T06:30:00.000000Z"
        assert row["tehran_day"] == "2026-11-29" and row["device"] == "2" and row["office"] == "4512"
    assert [first.receipt_no, second.receipt_no] == ["4512-2-050908-0001", "4512-2-050908-0002"]
    assert (first.payment_method, first.payment_ref, first.mobile) == ("card", "ab12", "09121234567")
    assert (second.service, second.total, second.mobile) == ("1101", 4_150_000, None)
    assert second.fees == [{"kind": "government", "amount": 3500000}, {"kind": "office", "amount": 650000}]

    history = _rows(desk, "SELECT request_id, at, from_status, to_status, actor, note FROM request_history ORDER BY id")
    assert history == [
        {
            "request_id": v.request_id,
            "at": v.created_at,
            "from_status": None,
            "to_status": "registered",
            "actor": "ali",
            "note": None,
        }
        for v in (first, second)
    ]

    ops = _rows(desk, "SELECT * FROM outbox ORDER BY id")
    assert [op["request_id"] for op in ops] == [first.request_id, second.request_id]
    for op, v in zip(ops, (first, second)):
        assert (op["kind"], op["state"], op["attempts"], op["receipt_no"]) == ("request", "pending", 0, v.receipt_no)
        assert (op["last_error"], op["result"], op["sent_at"], op["acked_at"]) == (None, None, None, None)
        assert op["payload_sha256"] == payload_sha256(op["payload"])
        payload = json.loads(op["payload"])
        assert (payload["shift_id"], payload["total"], payload["citizen"]["mobile"]) == (v.shift_id, v.total, v.mobile)
        assert payload["clerk"] == {"username": "ali", "full_name": "علی رضایی"}
    assert len({op["op_id"] for op in ops}) == 2

    # the audit chain goes on from the ORM-written lines (users, catalog, shift) to intake's
    entries = _rows(desk, "SELECT action, subject, details_json FROM audit_log ORDER BY id")
    assert [e["action"] for e in entries[-3:]] == ["shift.open", "request.register", "request.register"]
    assert json.loads(entries[-1]["details_json"]) == {
        "payment": "cash",
        "service": "1101",
        "shift": second.shift_id,
        "total": 4_150_000,
    }
    assert audit.verify(desk).ok and audit.verify(desk).checked == len(entries)


def test_a_failure_after_the_first_insert_leaves_nothing_and_takes_no_number(desk):
    con = sqlite3.connect(database_path(desk.home))
    con.execute("CREATE TRIGGER break_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk gone'); END")
    con.commit()
    tables = ("requests", "citizens", "request_history", "outbox", "audit_log", "shifts")
    before = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]
    with pytest.raises(Exception, match="disk gone"):
        register(desk, 1, now=NOW)
    assert [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables] == before
    assert intake.find_citizen(desk, national_code(1)) is None
    con.execute("DROP TRIGGER break_outbox")
    con.commit()
    con.close()
    assert register(desk, 1, now=NOW).receipt_no == "4512-2-050908-0001"
    assert audit.verify(desk).ok


def test_register_many_a_refused_row_leaves_no_trace_the_others_are_written(desk):
    forms = [
        dict(
            national_code=national_code(n),
            first_name="رضا",
            last_name="نوری",
            mobile=None,
            service_code=code,
            payment_method="cash",
            payment_ref=None,
        )
        for n, code in ((1, "2101"), (2, "3001"), (3, "1101"))
    ]
    results = list(intake.register_many(desk, "ali", forms))
    assert [type(r).__name__ for _, r in results] == ["RequestView", "InvalidInput", "RequestView"]
    assert [r.receipt_no for _, r in results if hasattr(r, "receipt_no")] == [
        requests.get_request(desk, r.request_id).receipt_no for _, r in results if hasattr(r, "receipt_no")
    ]
    assert intake.find_citizen(desk, national_code(2)) is None  # the inactive service's row left no citizen
    assert len(_rows(desk, "SELECT id FROM outbox")) == 2
    assert audit.verify(desk).ok


@pytest.mark.parametrize("table", ["import_rows", "audit_log"])
def test_an_import_key_commits_with_its_request_or_not_at_all(desk, table):
    """The key of an imported row is written in the request's own transaction: a failure of either
    write leaves neither (so a re-run never takes a committed request for a new row, or the reverse)."""
    key = intake.ImportKey("f" * 64, 2, "a" * 64)
    form = dict(
        national_code=national_code(1),
        first_name="رضا",
        last_name="نوری",
        mobile=None,
        service_code="2101",
        payment_method="cash",
        payment_ref=None,
    )
    con = sqlite3.connect(database_path(desk.home))
    con.execute(f"CREATE TRIGGER broken BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'disk gone'); END")
    con.commit()
    with pytest.raises(Exception, match="disk gone"):
        list(intake.register_many(desk, "ali", [form], keys=[key]))
    counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("requests", "import_rows", "outbox")]
    assert counts == [0, 0, 0]
    con.execute("DROP TRIGGER broken")
    con.commit()
    con.close()
    [(_, first)] = intake.register_many(desk, "ali", [form], keys=[key])
    [(_, again)] = intake.register_many(desk, "ali", [form], keys=[key])
    assert isinstance(again, intake.AlreadyImported) and again.request.receipt_no == first.receipt_no
