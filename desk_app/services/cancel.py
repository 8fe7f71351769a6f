"""Cancelling a request, with an optional refund paid in the clerk's current shift.

A request whose `request` operation is still `pending` with 0 attempts never left this PC: it
is cancelled here and that operation becomes `withdrawn` (never sent), in the same transaction.
Any other request was (or may have been) seen by the server: a `cancel` operation is queued and
the status changes when the server answers (`cancelled` / `already_final`, applied by the sync
engine); until then `status_note` says the cancellation is waiting.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import format_utc, utc_now
from desk_app.domain.money import parse_rials
from desk_app.domain.roles import require
from desk_app.domain.status import OutboxState, Status, check_transition
from desk_app.domain.text import normalize_text, to_persian_digits
from desk_app.services import audit
from desk_app.services.requests import RequestView, find_row, view
from desk_app.services.shifts import ensure_shift
from desk_app.services.users import acting_user
from desk_app.store.models import Cancellation, OutboxOp, RequestHistory

if TYPE_CHECKING:
    from desk_app.services.context import Desk

MAX_REASON = 500
NOTE_CANCEL_QUEUED = "درخواست لغو ثبت شد و در صف ارسال به استان است."


def clean_reason(reason: object) -> str:
    text = normalize_text(reason if isinstance(reason, str) else "")
    if not text:
        raise InvalidInput("علت لغو را بنویسید.", "reason")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"علت لغو بیش از {to_persian_digits(str(MAX_REASON))} نویسه است.", "reason")
    return text


def cancel_request(
    desk: Desk, receipt_no: str, *, reason: str, clerk: str, refund: int | str | None = None
) -> RequestView:
    why = clean_reason(reason)
    amount = parse_rials(refund, "refund") if refund not in (None, "") else 0
    now = format_utc(utc_now())
    with desk.db.write() as s:
        user = acting_user(s, clerk, "cancel")
        if amount:
            require(user.role, "refund")
        row = find_row(s, receipt_no)
        if row.status == Status.CANCELLED:
            raise InvalidInput(f"درخواست {row.receipt_no} پیش‌تر لغو شده است.", "receipt_no")
        check_transition(row.status, Status.CANCELLED)
        if amount > row.total:
            raise InvalidInput("مبلغ بازپرداخت از مبلغ دریافت‌شده بیشتر است.", "refund")
        ops = s.scalars(select(OutboxOp).where(OutboxOp.request_id == row.request_id)).all()
        if any(op.kind == "cancel" for op in ops):
            raise InvalidInput(f"لغو درخواست {row.receipt_no} پیش‌تر ثبت شده و در انتظار پاسخ استان است.", "receipt_no")
        request_op = next((op for op in ops if op.kind == "request"), None)
        shift = ensure_shift(s, user)
        s.add(
            Cancellation(
                request_id=row.request_id,
                shift_id=shift.id,
                clerk_username=user.username,
                reason=why,
                refund=amount,
                at=now,
            )
        )
        never_sent = request_op is not None and request_op.state == OutboxState.PENDING and request_op.attempts == 0
        if request_op is not None and never_sent:
            request_op.state = OutboxState.WITHDRAWN.value
            s.add(
                RequestHistory(
                    request_id=row.request_id,
                    at=now,
                    from_status=row.status,
                    to_status=Status.CANCELLED.value,
                    actor=user.username,
                    note=why,
                )
            )
            row.status = Status.CANCELLED.value
            row.status_note = why
        else:
            payload = {
                "request_id": row.request_id,
                "reason": why,
                "clerk": {"username": user.username, "full_name": user.full_name},
                "refund": amount,
                "at": now,
            }
            frozen = canonical_json(payload)
            s.add(
                OutboxOp(
                    op_id=str(uuid.uuid4()),
                    kind="cancel",
                    request_id=row.request_id,
                    receipt_no=row.receipt_no,
                    payload=frozen,
                    payload_sha256=payload_sha256(frozen),
                    state=OutboxState.PENDING.value,
                    attempts=0,
                    created_at=now,
                )
            )
            row.status_note = NOTE_CANCEL_QUEUED
        row.updated_at = now
        audit.record(
            s,
            user.username,
            "request.cancel",
            row.receipt_no,
            {"refund": amount, "local": never_sent, "shift": shift.id},
        )
        s.flush()
        return view(row)
