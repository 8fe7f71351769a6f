"""The daily report's figures for one Tehran civil day, as plain data (printing renders them).

The data are `printing.data`'s dataclasses, so the renderers take the report as it is.
Amounts are gross: a cancelled request still counts where it was taken; refunds paid that day
are listed beside it (per row and in total), and the net (`DailyReportData.net_amount`) is the
gross minus those refunds. Every shift that overlaps the day is listed, open ones as open, with
who closed it when a manager counted it for its clerk.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from desk_app.domain.jalali import day_bounds_utc, format_utc, parse_utc, utc_now
from desk_app.domain.status import OutboxState
from desk_app.services.shifts import PAYMENT_LABELS_FA, PAYMENT_METHODS, expected_amounts
from desk_app.services.users import acting_user
from desk_app.store.models import Cancellation, OutboxOp, PrintJob, Request, Shift, User
from printing.data import CancellationRow, DailyReportData, Row, ShiftRow

if TYPE_CHECKING:
    from desk_app.services.context import Desk

# The report's rows are printing's own dataclasses (services may import printing, not the other
# way round): the service builds what the renderers draw, with nothing to copy field by field.
ReportRow = Row
ShiftSummary = ShiftRow
CancellationItem = CancellationRow
DailyReport = DailyReportData


def _grouped(
    s: Session, day_iso: str, column: InstrumentedAttribute[str], labels: dict[str, str], refunds: dict[str, int]
) -> list[ReportRow]:
    rows = s.execute(
        select(column, func.count(), func.coalesce(func.sum(Request.total), 0))
        .where(Request.tehran_day == day_iso)
        .group_by(column)
        .order_by(column)
    )
    out = [ReportRow(k, labels.get(k, k), n, int(t), refunds.get(k, 0)) for k, n, t in rows]
    seen = {r.key for r in out}
    out += [ReportRow(k, labels.get(k, k), 0, 0, v) for k, v in refunds.items() if k not in seen]
    return out


def daily_report(desk: Desk, gdate: date, actor: str | None = None) -> DailyReport:
    """The day's figures; `actor` (the user asking, from the UI) must be a manager when given."""
    if actor is not None:
        with desk.db.read() as s:
            acting_user(s, actor, "daily_report")
    start, end = (format_utc(t) for t in day_bounds_utc(gdate))
    day_iso = gdate.isoformat()
    settings = desk.settings.all()
    with desk.db.read() as s:
        names = dict(s.execute(select(User.username, User.full_name)).all())
        count, total = s.execute(
            select(func.count(), func.coalesce(func.sum(Request.total), 0)).where(Request.tehran_day == day_iso)
        ).one()
        cancel_rows = s.execute(
            select(Cancellation, Request.receipt_no, Request.service_code, Request.payment_method)
            .join(Request, Request.request_id == Cancellation.request_id)
            .where(Cancellation.at >= start, Cancellation.at < end)
            .order_by(Cancellation.at)
        ).all()
        by_service: dict[str, int] = {}
        by_clerk: dict[str, int] = {}
        by_method: dict[str, int] = {}
        cancellations = []
        for c, receipt_no, service_code, method in cancel_rows:
            for bucket, key in ((by_service, service_code), (by_clerk, c.clerk_username), (by_method, method)):
                bucket[key] = bucket.get(key, 0) + c.refund
            cancellations.append(
                CancellationItem(
                    receipt_no, names.get(c.clerk_username, c.clerk_username), c.reason, c.refund, parse_utc(c.at)
                )
            )
        titles = dict(
            s.execute(
                select(Request.service_code, Request.service_title).where(Request.tehran_day == day_iso).distinct()
            ).all()
        )
        reprints = s.execute(
            select(func.count())
            .select_from(PrintJob)
            .where(
                PrintJob.kind == "receipt",
                PrintJob.copy_no > 0,
                PrintJob.state == "done",
                PrintJob.created_at >= start,
                PrintJob.created_at < end,
            )
        ).scalar_one()
        pending = s.execute(
            select(func.count())
            .select_from(OutboxOp)
            .where(OutboxOp.state.in_([OutboxState.PENDING.value, OutboxState.SENDING.value]))
        ).scalar_one()
        attention = s.execute(
            select(func.count()).select_from(OutboxOp).where(OutboxOp.state == OutboxState.ATTENTION.value)
        ).scalar_one()
        shift_rows = s.execute(
            select(Shift, User.username)
            .join(User, User.id == Shift.user_id)
            .where(Shift.opened_at < end, or_(Shift.closed_at.is_(None), Shift.closed_at >= start))
            .order_by(Shift.opened_at)
        ).all()
        shifts = []
        for sh, username in shift_rows:
            expected = json.loads(sh.expected_json) if sh.expected_json else expected_amounts(s, sh)[0]
            shifts.append(
                ShiftSummary(
                    sh.id,
                    names.get(username, username),
                    parse_utc(sh.opened_at),
                    parse_utc(sh.closed_at) if sh.closed_at else None,
                    sh.opening_cash,
                    expected,
                    json.loads(sh.counted_json) if sh.counted_json else None,
                    names.get(sh.closed_by, sh.closed_by) if sh.closed_by else None,
                )
            )
        return DailyReport(
            office_code=settings["office_code"] or "",
            office_name=settings["office_name"],
            day=gdate,
            generated_at=utc_now(),
            requests_count=count,
            total_amount=int(total),
            per_service=_grouped(s, day_iso, Request.service_code, titles, by_service),
            per_clerk=_grouped(s, day_iso, Request.clerk_username, names, by_clerk),
            per_payment=_grouped(s, day_iso, Request.payment_method, PAYMENT_LABELS_FA, by_method),
            cancellations=cancellations,
            refunds_total=sum(c.refund for c in cancellations),
            reprints=reprints,
            pending_sync=pending,
            attention=attention,
            shifts=shifts,
            unit=settings["display_unit"],
        )


__all__ = ["DailyReport", "ReportRow", "ShiftSummary", "CancellationItem", "daily_report", "PAYMENT_METHODS"]
