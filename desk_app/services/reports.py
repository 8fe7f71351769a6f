"""The daily report's figures for one Tehran civil day, as plain data (printing renders them).

Field names mirror `printing.data.DailyReportData` so that printjobs maps them one to one.
Amounts are gross: a cancelled request still counts where it was taken; refunds paid that day
are listed beside it (per row and in total).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select

from desk_app.domain.jalali import day_bounds_utc, format_utc, parse_utc, utc_now
from desk_app.domain.status import OutboxState
from desk_app.services.shifts import PAYMENT_LABELS_FA, PAYMENT_METHODS, expected_amounts
from desk_app.services.users import acting_user
from desk_app.store.models import Cancellation, OutboxOp, PrintJob, Request, Shift, User


@dataclass
class ReportRow:
    key: str
    label: str
    count: int
    amount: int
    refunds: int = 0


@dataclass
class ShiftSummary:
    shift_id: str
    clerk_name: str
    opened_at: datetime
    closed_at: datetime | None
    opening_cash: int
    expected: dict[str, int] = field(default_factory=dict)
    counted: dict[str, int] | None = None


@dataclass
class CancellationItem:
    receipt_no: str
    clerk_name: str
    reason: str
    refund: int
    at: datetime


@dataclass
class DailyReport:
    office_code: str
    office_name: str
    day: date
    generated_at: datetime
    requests_count: int
    total_amount: int
    per_service: list[ReportRow] = field(default_factory=list)
    per_clerk: list[ReportRow] = field(default_factory=list)
    per_payment: list[ReportRow] = field(default_factory=list)
    cancellations: list[CancellationItem] = field(default_factory=list)
    refunds_total: int = 0
    reprints: int = 0
    pending_sync: int = 0
    attention: int = 0
    shifts: list[ShiftSummary] = field(default_factory=list)
    unit: str = "rial"

    def to_json(self) -> dict:
        def conv(v):
            if isinstance(v, (datetime,)):
                return format_utc(v)
            if isinstance(v, date):
                return v.isoformat()
            if isinstance(v, list):
                return [conv(x) for x in v]
            if isinstance(v, dict):
                return {k: conv(x) for k, x in v.items()}
            if hasattr(v, "__dataclass_fields__"):
                return {k: conv(getattr(v, k)) for k in v.__dataclass_fields__}
            return v

        return conv(self)


def _grouped(s, day_iso: str, column, labels: dict[str, str], refunds: dict[str, int]) -> list[ReportRow]:
    rows = s.execute(select(column, func.count(), func.coalesce(func.sum(Request.total), 0))
                     .where(Request.tehran_day == day_iso).group_by(column).order_by(column))
    out = [ReportRow(k, labels.get(k, k), n, int(t), refunds.get(k, 0)) for k, n, t in rows]
    seen = {r.key for r in out}
    out += [ReportRow(k, labels.get(k, k), 0, 0, v) for k, v in refunds.items() if k not in seen]
    return out


def daily_report(desk, gdate: date, actor: str | None = None) -> DailyReport:
    """The day's figures; `actor` (the user asking, from the UI) must be a manager when given."""
    if actor is not None:
        with desk.db.read() as s:
            acting_user(s, actor, "daily_report")
    start, end = (format_utc(t) for t in day_bounds_utc(gdate))
    day_iso = gdate.isoformat()
    settings = desk.settings.all()
    with desk.db.read() as s:
        names = dict(s.execute(select(User.username, User.full_name)).all())
        count, total = s.execute(select(func.count(), func.coalesce(func.sum(Request.total), 0))
                                 .where(Request.tehran_day == day_iso)).one()
        cancel_rows = s.execute(
            select(Cancellation, Request.receipt_no, Request.service_code, Request.payment_method)
            .join(Request, Request.request_id == Cancellation.request_id)
            .where(Cancellation.at >= start, Cancellation.at < end).order_by(Cancellation.at)).all()
        by_service: dict[str, int] = {}
        by_clerk: dict[str, int] = {}
        by_method: dict[str, int] = {}
        cancellations = []
        for c, receipt_no, service_code, method in cancel_rows:
            for bucket, key in ((by_service, service_code), (by_clerk, c.clerk_username), (by_method, method)):
                bucket[key] = bucket.get(key, 0) + c.refund
            cancellations.append(CancellationItem(receipt_no, names.get(c.clerk_username, c.clerk_username),
                                                  c.reason, c.refund, parse_utc(c.at)))
        titles = dict(s.execute(select(Request.service_code, Request.service_title)
                                .where(Request.tehran_day == day_iso).distinct()).all())
        reprints = s.scalar(select(func.count()).select_from(PrintJob).where(
            PrintJob.kind == "receipt", PrintJob.copy_no > 0, PrintJob.state == "done", PrintJob.created_at >= start,
            PrintJob.created_at < end))
        pending = s.scalar(select(func.count()).select_from(OutboxOp).where(
            OutboxOp.state.in_([OutboxState.PENDING.value, OutboxState.SENDING.value])))
        attention = s.scalar(select(func.count()).select_from(OutboxOp).where(
            OutboxOp.state == OutboxState.ATTENTION.value))
        shift_rows = s.execute(select(Shift, User.username).join(User, User.id == Shift.user_id).where(
            Shift.opened_at < end, or_(Shift.closed_at.is_(None), Shift.closed_at >= start))
            .order_by(Shift.opened_at)).all()
        shifts = []
        for sh, username in shift_rows:
            expected = json.loads(sh.expected_json) if sh.expected_json else expected_amounts(s, sh)[0]
            shifts.append(ShiftSummary(sh.id, names.get(username, username), parse_utc(sh.opened_at),
                                       parse_utc(sh.closed_at) if sh.closed_at else None, sh.opening_cash,
                                       expected, json.loads(sh.counted_json) if sh.counted_json else None))
        return DailyReport(
            office_code=settings["office_code"] or "", office_name=settings["office_name"] or "",
            day=gdate, generated_at=utc_now(), requests_count=count, total_amount=int(total),
            per_service=_grouped(s, day_iso, Request.service_code, titles, by_service),
            per_clerk=_grouped(s, day_iso, Request.clerk_username, names, by_clerk),
            per_payment=_grouped(s, day_iso, Request.payment_method, PAYMENT_LABELS_FA, by_method),
            cancellations=cancellations, refunds_total=sum(c.refund for c in cancellations),
            reprints=reprints, pending_sync=pending, attention=attention, shifts=shifts,
            unit=settings["display_unit"])


__all__ = ["DailyReport", "ReportRow", "ShiftSummary", "CancellationItem", "daily_report", "PAYMENT_METHODS"]
