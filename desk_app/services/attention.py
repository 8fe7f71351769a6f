"""Outbox operations that "need attention" (the server answered `invalid` or `conflict`).

They are never dropped and never block the queue (DESIGN.md section 4). A clerk sees them with
the server's Persian reason and, once the cause is fixed on the province's side (a catalog
loaded, a device renumbered), sends one again: its state goes back to `pending` with the same
`op_id` and frozen payload, so a repeat is still harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from desk_app.domain.errors import InvalidInput
from desk_app.domain.status import OutboxState
from desk_app.services import audit
from desk_app.services.users import acting_user
from desk_app.store.models import OutboxOp

if TYPE_CHECKING:
    from desk_app.services.context import Desk


@dataclass(frozen=True)
class AttentionItem:
    op_id: str
    kind: str  # "request" | "cancel"
    request_id: str
    receipt_no: str
    result: str | None  # "invalid" | "conflict" | ...
    code: str | None
    detail: str | None  # the server's Persian reason
    attempts: int


def count_attention(desk: Desk) -> int:
    with desk.db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(OutboxOp).where(OutboxOp.state == OutboxState.ATTENTION.value))
            or 0
        )


def list_attention(desk: Desk, limit: int = 500) -> list[AttentionItem]:
    """Oldest first (send order)."""
    with desk.db.read() as s:
        rows = s.scalars(
            select(OutboxOp).where(OutboxOp.state == OutboxState.ATTENTION.value).order_by(OutboxOp.id).limit(limit)
        )
        return [
            AttentionItem(
                o.op_id,
                o.kind,
                o.request_id,
                o.receipt_no,
                o.result,
                o.result_code,
                o.result_detail or o.last_error,
                o.attempts,
            )
            for o in rows
        ]


def retry_attention(desk: Desk, request_id: str, actor: str) -> int:
    """Queue the request's attention operations again; returns how many. Audited."""
    with desk.db.write() as s:
        user = acting_user(s, actor)
        ops = list(
            s.scalars(
                select(OutboxOp).where(OutboxOp.request_id == request_id, OutboxOp.state == OutboxState.ATTENTION.value)
            )
        )
        if not ops:
            raise InvalidInput("این درخواست موردی برای ارسال دوباره ندارد.", "request")
        for op in ops:
            op.state = OutboxState.PENDING.value
        audit.record(
            s,
            user.username,
            "outbox.retry",
            ops[0].receipt_no,
            {"ops": [op.op_id for op in ops], "results": [op.result for op in ops]},
        )
        return len(ops)
