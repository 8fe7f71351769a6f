"""Shifts: open with the opening cash, close with the counted cash per payment method.

expected[cash] = opening cash + cash taken at intake in this shift - refunds of cash-paid requests
paid out in this shift; expected[card] likewise without the opening cash. A shift with unsaved
intake drafts cannot be closed (the UI keeps its drafts in the `drafts` table).

A clerk closes their own shift; a manager may count and close any clerk's open shift on this PC
(the clerk went home, the counter is handed over): the shift records who closed it
(`closed_by`), and so do the audit log and the reports. `close_preview` gives the same figures
without closing, for the confirmation the window shows first; `close_shift(..., expected=)`
refuses when the figures moved in between.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import format_utc, utc_now
from desk_app.domain.money import parse_rials
from desk_app.domain.text import normalize_text
from desk_app.services import audit
from desk_app.services.users import acting_user
from desk_app.store.models import Cancellation, Draft, Request, Shift, User

if TYPE_CHECKING:
    from desk_app.services.context import Desk

PAYMENT_METHODS = ("cash", "card")
_PARTS_RE = re.compile(r"[,،](?=\s*[A-Za-z_]+\s*=)")  # a comma before `name=`; others group digits
PAYMENT_LABELS_FA = {"cash": "نقدی", "card": "کارت"}


@dataclass(frozen=True)
class ShiftView:
    id: str
    clerk: str
    opened_at: str
    opening_cash: int
    closed_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ShiftCloseView:
    shift_id: str
    clerk: str
    opened_at: str
    closed_at: str
    opening_cash: int
    expected: dict[str, int]
    counted: dict[str, int]
    difference: dict[str, int]
    requests: int = 0
    cancellations: int = 0
    refunds: int = 0
    intake: dict[str, int] = field(default_factory=dict)
    closed_by: str | None = None  # the manager who counted and closed it; None = its own clerk
    clerk_name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "shift_id": self.shift_id,
            "clerk": self.clerk,
            "opened_at": self.opened_at,
            "closed_at": self.closed_at,
            "opening_cash": self.opening_cash,
            "expected": self.expected,
            "counted": self.counted,
            "difference": self.difference,
            "requests": self.requests,
            "cancellations": self.cancellations,
            "refunds": self.refunds,
            "closed_by": self.closed_by,
        }


@dataclass(frozen=True)
class OpenShiftView:
    """An open shift as the manager's list shows it: whose, since when, how much it holds."""

    shift_id: str
    clerk: str
    clerk_name: str
    opened_at: str
    opening_cash: int
    requests: int
    expected: dict[str, int]
    drafts: int = 0


def _view(shift: Shift, username: str) -> ShiftView:
    return ShiftView(shift.id, username, shift.opened_at, shift.opening_cash, shift.closed_at)


_OPEN_SHIFT = (  # built once: every intake looks for its clerk's open shift
    select(Shift)
    .where(Shift.user_id == bindparam("user_id"), Shift.closed_at.is_(None))
    .order_by(Shift.opened_at.desc())
    .limit(1)
)


def open_shift_row(session: Session, user: User) -> Shift | None:
    return session.scalars(_OPEN_SHIFT, {"user_id": user.id}).first()


def ensure_shift(session: Session, user: User) -> Shift:
    """The user's open shift, opened now with cash 0 when there is none (intake, cancel)."""
    shift = open_shift_row(session, user)
    return shift if shift is not None else _open(session, user, 0)


def _open(session: Session, user: User, cash: int) -> Shift:
    shift = Shift(id=str(uuid.uuid4()), user_id=user.id, opened_at=format_utc(utc_now()), opening_cash=cash)
    session.add(shift)
    session.flush()
    audit.record(session, user.username, "shift.open", shift.id, {"opening_cash": cash})
    return shift


def open_shift(desk: Desk, clerk: str, cash: int | str = 0) -> ShiftView:
    amount = parse_rials(cash, "cash")
    with desk.db.write() as s:
        user = acting_user(s, clerk, "register")
        if open_shift_row(s, user) is not None:
            raise InvalidInput(f"«{user.username}» شیفت باز دارد؛ ابتدا آن را ببندید.", "shift")
        return _view(_open(s, user, amount), user.username)


def current_shift(desk: Desk, clerk: str) -> ShiftView | None:
    with desk.db.read() as s:
        user = acting_user(s, clerk)
        shift = open_shift_row(s, user)
        return _view(shift, user.username) if shift else None


def parse_counted(text: str | dict[str, Any]) -> dict[str, int]:
    """`cash=1,200,000,card=350000` (Persian digits and separators fine) -> {"cash": ..., "card": ...}."""
    if isinstance(text, dict):
        items = list(text.items())
    else:
        items = []
        for part in _PARTS_RE.split(str(text or "")):
            if not part.strip():
                continue
            if "=" not in part:
                raise InvalidInput("مبلغ شمارش‌شده را به شکل cash=مبلغ,card=مبلغ بنویسید.", "counted")
            k, v = part.split("=", 1)
            items.append((k, v))
    counted: dict[str, int] = {}
    for key, value in items:
        method = str(key).strip().lower()
        if method not in PAYMENT_METHODS:
            raise InvalidInput(f"روش پرداخت «{method[:20]}» ناشناخته است؛ cash یا card.", "counted")
        if method in counted:
            raise InvalidInput(f"روش پرداخت «{method}» دو بار آمده است.", "counted")
        counted[method] = parse_rials(value, "counted")
    if not counted:
        raise InvalidInput("مبلغ شمارش‌شده را دست‌کم برای پول نقد (cash=...) وارد کنید.", "counted")
    return {m: counted.get(m, 0) for m in PAYMENT_METHODS}


def expected_amounts(session: Session, shift: Shift) -> tuple[dict[str, int], dict[str, int], int, int, int]:
    """(expected per method, intake per method, request count, cancellation count, refunds)."""
    intake = {m: 0 for m in PAYMENT_METHODS}
    count = 0
    for method, n, total in session.execute(
        select(Request.payment_method, func.count(), func.coalesce(func.sum(Request.total), 0))
        .where(Request.shift_id == shift.id)
        .group_by(Request.payment_method)
    ):
        intake[method] = intake.get(method, 0) + int(total)
        count += n
    refunds = {m: 0 for m in PAYMENT_METHODS}
    n_cancel = 0
    for method, n, total in session.execute(
        select(Request.payment_method, func.count(), func.coalesce(func.sum(Cancellation.refund), 0))
        .join(Request, Request.request_id == Cancellation.request_id)
        .where(Cancellation.shift_id == shift.id)
        .group_by(Request.payment_method)
    ):
        refunds[method] = refunds.get(method, 0) + int(total)
        n_cancel += n
    expected = {m: intake.get(m, 0) - refunds.get(m, 0) for m in PAYMENT_METHODS}
    expected["cash"] += shift.opening_cash
    return expected, intake, count, n_cancel, sum(refunds.values())


MSG_FIGURES_CHANGED = (
    "ارقام این شیفت از زمان پیش‌نمایش تغییر کرده است (درخواست یا لغو تازه)؛ دوباره شمارش را ببینید و تأیید کنید."
)


def _shift_to_close(s: Session, clerk: str, actor: str | None) -> tuple[User, User, Shift]:
    """(the shift's clerk, who closes it, the open shift). A clerk closes their own shift; closing
    another user's shift needs `close_any_shift` (a manager)."""
    if actor is None:
        user = closer = acting_user(s, clerk, "close_own_shift")
    else:
        closer = acting_user(s, actor, "close_own_shift")
        name = normalize_text(str(clerk or "")).lower()
        found = s.scalar(select(User).where(User.username == name)) if name else None
        if found is None:  # a deactivated clerk's shift can still be closed by the manager
            raise InvalidInput(f"کاربری با نام «{name[:40]}» وجود ندارد.", "clerk")
        user = found
        if closer.id != user.id:
            closer = acting_user(s, actor, "close_any_shift")
    shift = open_shift_row(s, user)
    if shift is None:
        raise InvalidInput(f"«{user.username}» شیفت بازی ندارد.", "shift")
    return user, closer, shift


def _draft_count(s: Session, shift: Shift) -> int:
    return s.scalar(select(func.count()).select_from(Draft).where(Draft.shift_id == shift.id)) or 0


def close_preview(desk: Desk, clerk: str, counted: str | dict[str, Any], *, actor: str | None = None) -> ShiftCloseView:
    """What `close_shift` would record now (expected, counted, difference per method), without
    closing: the figures the confirmation shows. Drafts are refused here already."""
    counted_ = parse_counted(counted)
    with desk.db.read() as s:
        user, closer, shift = _shift_to_close(s, clerk, actor)
        drafts = _draft_count(s, shift)
        if drafts:
            raise InvalidInput(_drafts_message(drafts, user, closer), "shift")
        expected, intake, n_req, n_cancel, refunds = expected_amounts(s, shift)
        return ShiftCloseView(
            shift.id,
            user.username,
            shift.opened_at,
            "",
            shift.opening_cash,
            expected,
            counted_,
            {m: counted_[m] - expected[m] for m in PAYMENT_METHODS},
            n_req,
            n_cancel,
            refunds,
            intake,
            closer.username if closer.id != user.id else None,
            user.full_name or user.username,
        )


def _drafts_message(drafts: int, user: User, closer: User) -> str:
    if closer.id == user.id:
        return f"این شیفت {drafts} پیش‌نویس ذخیره‌نشده دارد؛ ابتدا آن‌ها را ثبت یا حذف کنید."
    return (
        f"شیفت «{user.full_name or user.username}» {drafts} فرم نیمه‌کاره (پیش‌نویس) دارد؛ "
        "متصدی باید با ورود دوباره آن‌ها را ثبت یا حذف کند."
    )


def close_shift(
    desk: Desk,
    clerk: str,
    counted: str | dict[str, Any],
    *,
    actor: str | None = None,
    expected: dict[str, int] | None = None,
) -> ShiftCloseView:
    """Close `clerk`'s open shift with the counted amounts. `actor`: who counts and closes it
    (None = the clerk; a manager for another user's shift, recorded as `closed_by`). `expected`:
    the figures the user confirmed (`close_preview`); different figures now refuse the close."""
    counted_ = parse_counted(counted)
    with desk.db.write() as s:
        user, closer, shift = _shift_to_close(s, clerk, actor)
        drafts = _draft_count(s, shift)
        if drafts:
            raise InvalidInput(_drafts_message(drafts, user, closer), "shift")
        expected_, intake, n_req, n_cancel, refunds = expected_amounts(s, shift)
        if expected is not None and {m: int(expected.get(m, 0)) for m in PAYMENT_METHODS} != expected_:
            raise InvalidInput(MSG_FIGURES_CHANGED, "shift")
        difference = {m: counted_[m] - expected_[m] for m in PAYMENT_METHODS}
        by_other = closer.id != user.id
        shift.closed_at = format_utc(utc_now())
        shift.counted_json = json.dumps(counted_)
        shift.expected_json = json.dumps(expected_)
        shift.closed_by = closer.username if by_other else None
        details: dict[str, Any] = {"expected": expected_, "counted": counted_, "difference": difference}
        if by_other:
            details.update(clerk=user.username, closed_by=closer.username)
        audit.record(s, closer.username, "shift.close", shift.id, details)
        return ShiftCloseView(
            shift.id,
            user.username,
            shift.opened_at,
            shift.closed_at,
            shift.opening_cash,
            expected_,
            counted_,
            difference,
            n_req,
            n_cancel,
            refunds,
            intake,
            closer.username if by_other else None,
            user.full_name or user.username,
        )


def open_shifts(desk: Desk, actor: str) -> list[OpenShiftView]:
    """Every open shift on this PC, oldest first, for the manager (`close_any_shift`): whose, since
    when, requests so far, and the cash and card the drawer should hold now."""
    with desk.db.read() as s:
        acting_user(s, actor, "close_any_shift")
        out = []
        for shift, user in s.execute(
            select(Shift, User)
            .join(User, User.id == Shift.user_id)
            .where(Shift.closed_at.is_(None))
            .order_by(Shift.opened_at)
        ).all():
            expected, _intake, n_req, _n_cancel, _refunds = expected_amounts(s, shift)
            out.append(
                OpenShiftView(
                    shift.id,
                    user.username,
                    user.full_name or user.username,
                    shift.opened_at,
                    shift.opening_cash,
                    n_req,
                    expected,
                    _draft_count(s, shift),
                )
            )
        return out


# ---------------------------------------------------------------- drafts (set by the UI)


def save_draft(desk: Desk, clerk: str, data: dict[str, Any], draft_id: int | None = None) -> int:
    """Keep an unfinished intake form in the clerk's shift; returns the draft id."""
    now = format_utc(utc_now())
    with desk.db.write() as s:
        user = acting_user(s, clerk, "register")
        shift = ensure_shift(s, user)
        draft = s.get(Draft, draft_id) if draft_id is not None else None
        if draft is None:
            draft = Draft(
                shift_id=shift.id, clerk_username=user.username, created_at=now, updated_at=now, data_json="{}"
            )
            s.add(draft)
        draft.data_json = json.dumps(data, ensure_ascii=False)
        draft.updated_at = now
        s.flush()
        return draft.id


def discard_draft(desk: Desk, draft_id: int, session: Session | None = None) -> None:
    if session is None:
        with desk.db.write() as s:
            discard_draft(desk, draft_id, s)
        return
    draft = session.get(Draft, draft_id)
    if draft is not None:
        session.delete(draft)


def list_drafts(desk: Desk, clerk: str) -> list[tuple[int, dict[str, Any]]]:
    with desk.db.read() as s:
        rows = s.scalars(select(Draft).where(Draft.clerk_username == clerk).order_by(Draft.id))
        return [(d.id, json.loads(d.data_json)) for d in rows]
