"""The request lifecycle and the outbox states, checked in one place.

registered -> submitted -> in_progress -> completed | rejected; cancelled from any non-final
state. The server's feed carries states, not deltas, so any *forward* jump is allowed
(registered -> completed); going backwards or leaving a final state is not. Re-applying the
same state is a harmless no-op (feed replays).
"""

from __future__ import annotations

from enum import StrEnum

from desk_app.domain.errors import InvalidInput, InvalidTransition


class Status(StrEnum):
    REGISTERED = "registered"
    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


FINAL_STATUSES: frozenset[Status] = frozenset({Status.COMPLETED, Status.REJECTED, Status.CANCELLED})

_RANK = {
    Status.REGISTERED: 0,
    Status.SUBMITTED: 1,
    Status.IN_PROGRESS: 2,
    Status.COMPLETED: 3,
    Status.REJECTED: 3,
    Status.CANCELLED: 3,
}

STATUS_LABELS_FA: dict[Status, str] = {
    Status.REGISTERED: "ثبت‌شده (در صف ارسال)",
    Status.SUBMITTED: "ارسال‌شده به استان",
    Status.IN_PROGRESS: "در دست اقدام",
    Status.COMPLETED: "انجام‌شده",
    Status.REJECTED: "ردشده",
    Status.CANCELLED: "لغوشده",
}


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    ACKED = "acked"
    ATTENTION = "attention"
    WITHDRAWN = "withdrawn"  # the never-sent request op of a request cancelled locally


OUTBOX_LABELS_FA: dict[OutboxState, str] = {
    OutboxState.PENDING: "در صف ارسال",
    OutboxState.SENDING: "در حال ارسال",
    OutboxState.ACKED: "تأییدشده",
    OutboxState.ATTENTION: "نیازمند بررسی",
    OutboxState.WITHDRAWN: "پس‌گرفته‌شده",
}


def parse_status(value: str) -> Status:
    """A `Status` from its English name (as in `--status`), or `InvalidInput`."""
    try:
        return Status(str(value).strip().lower())
    except ValueError:
        names = "، ".join(s.value for s in Status)
        raise InvalidInput(f"وضعیت ناشناخته است؛ یکی از این‌ها: {names}", "status") from None


def can_transition(old: Status | str, new: Status | str) -> bool:
    old, new = Status(old), Status(new)
    if old == new:
        return True
    if old in FINAL_STATUSES:
        return False
    if new is Status.CANCELLED:
        return True
    return _RANK[new] > _RANK[old]


def check_transition(old: Status | str, new: Status | str) -> None:
    """Raise `InvalidTransition` (Persian message) unless `old -> new` is allowed."""
    old_s, new_s = parse_status(old), parse_status(new)
    if can_transition(old_s, new_s):
        return
    if old_s in FINAL_STATUSES:
        msg = f"درخواست در وضعیت «{STATUS_LABELS_FA[old_s]}» است و دیگر تغییر نمی‌کند."
    else:
        msg = f"تغییر وضعیت از «{STATUS_LABELS_FA[old_s]}» به «{STATUS_LABELS_FA[new_s]}» مجاز نیست."
    raise InvalidTransition(msg, old=old_s.value, new=new_s.value)
