"""Cancel (withdrawn vs queued cancel op), refunds in the current shift, shift close arithmetic, drafts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from desk_app.domain.errors import InvalidInput, InvalidTransition, PermissionDenied
from desk_app.services import cancel, requests, shifts
from desk_app.store.models import Cancellation, OutboxOp, Request, RequestHistory
from tests.helpers.deskdata import register

TOTAL = 12_850_000  # service 2101


def _ops(desk, request_id):
    with desk.db.read() as s:
        return [
            (o.kind, o.state, json.loads(o.payload))
            for o in s.scalars(select(OutboxOp).where(OutboxOp.request_id == request_id).order_by(OutboxOp.id))
        ]


def _set_op(desk, request_id, **values):
    with desk.db.write() as s:
        op = s.scalar(select(OutboxOp).where(OutboxOp.request_id == request_id, OutboxOp.kind == "request"))
        for k, v in values.items():
            setattr(op, k, v)


def test_never_sent_request_is_cancelled_here_and_its_op_withdrawn(desk):
    r = register(desk, 1)
    v = cancel.cancel_request(desk, r.receipt_no, reason="  اشتباه در\u202e ثبت ", clerk="ali", refund="۱۲٬۸۵۰٬۰۰۰")
    assert v.status == "cancelled"
    assert [(k, st) for k, st, _ in _ops(desk, r.request_id)] == [("request", "withdrawn")]
    hist = requests.history(desk, r.receipt_no)
    assert [(h.from_status, h.to_status, h.actor, h.note) for h in hist][-1] == (
        "registered",
        "cancelled",
        "ali",
        "اشتباه در ثبت",
    )
    with desk.db.read() as s:
        c = s.scalar(select(Cancellation))
        assert (c.refund, c.reason, c.shift_id) == (TOTAL, "اشتباه در ثبت", shifts.current_shift(desk, "ali").id)


@pytest.mark.parametrize("state, attempts", [("pending", 1), ("sending", 1), ("acked", 1), ("attention", 1)])
def test_ever_attempted_request_gets_a_cancel_op(desk, state, attempts):
    r = register(desk, 1)
    _set_op(desk, r.request_id, state=state, attempts=attempts)
    v = cancel.cancel_request(desk, r.receipt_no, reason="انصراف متقاضی", clerk="sara", refund=850_000)
    assert v.status == "registered" and "صف ارسال" in v.status_note  # the server decides
    ops = _ops(desk, r.request_id)
    assert [(k, st) for k, st, _ in ops] == [("request", state), ("cancel", "pending")]
    payload = ops[1][2]
    assert set(payload) == {"request_id", "reason", "clerk", "refund", "at"}
    assert payload["request_id"] == r.request_id and payload["refund"] == 850_000
    assert payload["clerk"] == {"username": "sara", "full_name": "سارا محمدی"}
    from desk_app.sync.protocol import CancelPayload

    CancelPayload.model_validate(payload)
    with pytest.raises(InvalidInput, match="پیش‌تر ثبت شده"):
        cancel.cancel_request(desk, r.receipt_no, reason="دوباره", clerk="ali")


def test_cancel_refusals_leave_everything_as_it_was(desk):
    r = register(desk, 1)
    with pytest.raises(InvalidInput, match="بازپرداخت"):
        cancel.cancel_request(desk, r.receipt_no, reason="x", clerk="ali", refund=TOTAL + 1)
    with pytest.raises(InvalidInput, match="علت"):
        cancel.cancel_request(desk, r.receipt_no, reason=" \u200f ", clerk="ali")
    with pytest.raises(InvalidInput, match="۵۰۰"):
        cancel.cancel_request(desk, r.receipt_no, reason="ب" * 501, clerk="ali")
    with pytest.raises(InvalidInput, match="پیدا نشد"):
        cancel.cancel_request(desk, "4512-2-050908-9999", reason="x", clerk="ali")
    assert [(k, st) for k, st, _ in _ops(desk, r.request_id)] == [("request", "pending")]
    assert requests.get_request(desk, r.receipt_no).status == "registered"
    cancel.cancel_request(desk, r.receipt_no, reason="x", clerk="ali")
    with pytest.raises(InvalidInput, match="پیش‌تر لغو"):
        cancel.cancel_request(desk, r.receipt_no, reason="x", clerk="ali")


def test_final_request_cannot_be_cancelled(desk):
    r = register(desk, 1)
    with desk.db.write() as s:
        s.scalar(select(Request)).status = "completed"
    with pytest.raises(InvalidTransition):
        cancel.cancel_request(desk, r.receipt_no, reason="x", clerk="ali")


def test_shift_close_expected_versus_counted(desk):
    shifts.open_shift(desk, "ali", cash="1,000,000")
    a = register(desk, 1)  # cash 12,850,000
    register(desk, 2, service_code="1101")  # cash 4,150,000
    c = register(desk, 3, payment_method="card", payment_ref="991")  # card 12,850,000
    cancel.cancel_request(desk, a.receipt_no, reason="x", clerk="ali", refund=2_000_000)
    cancel.cancel_request(desk, c.receipt_no, reason="y", clerk="ali", refund=500_000)
    v = shifts.close_shift(desk, "ali", "cash=15,900,000,card=۱۲٬۳۵۰٬۰۰۰")
    assert v.expected == {"cash": 1_000_000 + 12_850_000 + 4_150_000 - 2_000_000, "card": 12_850_000 - 500_000}
    assert v.counted == {"cash": 15_900_000, "card": 12_350_000}
    assert v.difference == {"cash": 15_900_000 - 16_000_000, "card": 0}
    assert (v.requests, v.cancellations, v.refunds) == (3, 2, 2_500_000)
    assert shifts.current_shift(desk, "ali") is None
    with pytest.raises(InvalidInput, match="شیفت بازی ندارد"):
        shifts.close_shift(desk, "ali", "cash=0")


def test_refund_is_paid_in_the_cancelling_clerks_current_shift(desk):
    a = register(desk, 1)  # in ali's first shift
    first = shifts.close_shift(desk, "ali", {"cash": TOTAL})
    assert first.difference == {"cash": 0, "card": 0}
    shifts.open_shift(desk, "ali", 5_000_000)
    cancel.cancel_request(desk, a.receipt_no, reason="x", clerk="ali", refund=3_000_000)
    second = shifts.close_shift(desk, "ali", {"cash": 2_000_000})
    assert second.expected["cash"] == 5_000_000 - 3_000_000 and second.difference["cash"] == 0


def test_drafts_block_closing(desk):
    register(desk, 1)
    draft = shifts.save_draft(desk, "ali", {"national_code": "001"})
    with pytest.raises(InvalidInput, match="پیش‌نویس"):
        shifts.close_shift(desk, "ali", "cash=0")
    assert shifts.current_shift(desk, "ali") is not None
    register(desk, 2, draft_id=draft)  # saving the draft as a request removes it
    assert shifts.list_drafts(desk, "ali") == []
    shifts.close_shift(desk, "ali", "cash=0")


@pytest.mark.parametrize(
    "counted, needle",
    [
        ("cash", "cash=مبلغ"),
        ("cheque=5", "ناشناخته"),
        ("cash=-5", "منفی"),
        ("cash=1.5", "اعشار"),
        ("cash=1,cash=2", "دو بار"),
        ("", "دست‌کم"),
    ],
)
def test_counted_cash_is_parsed_strictly(desk, counted, needle):
    register(desk, 1)
    with pytest.raises(InvalidInput, match=needle):
        shifts.close_shift(desk, "ali", counted)


def test_one_open_shift_per_clerk_and_roles(desk):
    shifts.open_shift(desk, "ali")
    with pytest.raises(InvalidInput, match="شیفت باز"):
        shifts.open_shift(desk, "ali")
    from desk_app.services import users

    users.set_active(desk, "sara", False)
    with pytest.raises(PermissionDenied):
        shifts.open_shift(desk, "sara")
    with desk.db.read() as s:
        assert s.scalars(select(RequestHistory)).all() == []
