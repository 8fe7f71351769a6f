"""Reading requests: one by receipt no or id, filtered lists read in keyset windows, history.

Lists never load all rows: `count_requests` gives the size, `list_requests` / `ids_window` give
pages ordered by `seq` (newest first) that continue after the last `seq` seen. The search box
(`query`) is read and planned in `desk_app.services.search`; the other filters are built here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from desk_app.domain.errors import InvalidInput
from desk_app.domain.receipt import normalize_receipt_no
from desk_app.domain.status import OutboxState, parse_status
from desk_app.domain.text import normalize_digits, normalize_text
from desk_app.services import search
from desk_app.store.models import Attachment, OutboxOp, Request, RequestHistory

MAX_PAGE = 1000
COMMON_NAME_ROWS = 10_000  # from this many matches on, a name page walks seq order instead of sorting
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class RequestView:
    seq: int
    request_id: str
    receipt_no: str
    status: str
    status_note: str | None
    office: str
    device: str
    created_at: str
    tehran_day: str
    national_code: str
    first_name: str
    last_name: str
    mobile: str | None
    service: str
    service_title: str
    catalog_version: str
    fees_json: str
    total: int
    payment_method: str
    payment_ref: str | None
    clerk: str
    shift_id: str | None
    server_ref: str | None
    clock_skew_s: int | None
    reprint_count: int
    updated_at: str
    attachments: tuple[AttachmentRef, ...] = ()  # filled for lists and single reads (one query per page)
    fields_json: str | None = None  # the form's answers frozen at intake (canonical JSON), None before forms
    form_version: str | None = None  # the catalog version whose form checked them

    @property
    def fields(self) -> dict[str, Any]:
        """The form's answers as frozen in the payload (canonical values; {} when none)."""
        if not self.fields_json:
            return {}
        found: dict[str, Any] = json.loads(self.fields_json)
        return found

    @property
    def fees(self) -> list[dict]:
        """The fee lines snapshot at intake: [{"kind", "amount"}] (parsed when asked for)."""
        return json.loads(self.fees_json)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def to_json(self) -> dict:
        """The request object of DESIGN.md section 8 (and a few more fields)."""
        return {
            "request_id": self.request_id,
            "receipt_no": self.receipt_no,
            "status": self.status,
            "status_note": self.status_note,
            "national_code": self.national_code,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "mobile": self.mobile,
            "service": self.service,
            "service_title": self.service_title,
            "fees": self.fees,
            "total": self.total,
            "payment": {"method": self.payment_method, "ref": self.payment_ref},
            "server_ref": self.server_ref,
            "created_at": self.created_at,
            "tehran_day": self.tehran_day,
            "office": self.office,
            "device": self.device,
            "clerk": self.clerk,
            "shift_id": self.shift_id,
            "catalog_version": self.catalog_version,
            "reprint_count": self.reprint_count,
            "attachments": [a.to_json() for a in self.attachments],
            "fields": self.fields,
            "form_version": self.form_version,
        }


@dataclass(frozen=True)
class AttachmentRef:
    """A page of the request in its JSON object (DESIGN.md section 11)."""

    sha256: str
    bytes: int
    document: str | None
    state: str  # pending | sent

    def to_json(self) -> dict:
        return {"sha256": self.sha256, "bytes": self.bytes, "document": self.document, "state": self.state}


def attachment_refs(session: Session, request_ids: list[str]) -> dict[str, tuple[AttachmentRef, ...]]:
    """The pages of several requests in one query, each request's in the order they were added."""
    if not request_ids:
        return {}
    found: dict[str, list[AttachmentRef]] = {}
    rows = session.connection().execute(
        select(Attachment.request_id, Attachment.sha256, Attachment.bytes, Attachment.document, Attachment.state)
        .where(Attachment.request_id.in_(list(request_ids)))
        .order_by(Attachment.id)
    )
    for request_id, sha256, size, document, state in rows:
        found.setdefault(request_id, []).append(AttachmentRef(sha256, size, document, state))
    return {k: tuple(v) for k, v in found.items()}


def with_attachments(session: Session, views: list[RequestView]) -> list[RequestView]:
    refs = attachment_refs(session, [v.request_id for v in views])
    return [replace(v, attachments=refs[v.request_id]) if v.request_id in refs else v for v in views]


@dataclass(frozen=True)
class HistoryView:
    at: str
    from_status: str | None
    to_status: str
    actor: str
    note: str | None

    def to_json(self) -> dict:
        return dict(self.__dict__)


def view(r) -> RequestView:
    """From an ORM `Request` or a plain row of the requests table (same attribute names)."""
    return RequestView(
        r.seq,
        r.request_id,
        r.receipt_no,
        r.status,
        r.status_note,
        r.office,
        r.device,
        r.created_at,
        r.tehran_day,
        r.national_code,
        r.first_name,
        r.last_name,
        r.mobile,
        r.service_code,
        r.service_title,
        r.catalog_version,
        r.fees_json,
        r.total,
        r.payment_method,
        r.payment_ref,
        r.clerk_username,
        r.shift_id,
        r.server_ref,
        r.clock_skew_s,
        r.reprint_count,
        r.updated_at,
        fields_json=r.fields_json,
        form_version=r.form_version,
    )


def find_row(session: Session, receipt_no_or_request_id: str) -> Request:
    """The request row by receipt no (Persian digits fine) or request id, or InvalidInput."""
    key = normalize_digits(normalize_text(str(receipt_no_or_request_id or ""))).lower()
    if _UUID_RE.match(key):
        row = session.scalar(select(Request).where(Request.request_id == key))
    else:
        row = session.scalar(select(Request).where(Request.receipt_no == normalize_receipt_no(key)))
    if row is None:
        raise InvalidInput(f"درخواستی با شمارهٔ «{key[:40]}» پیدا نشد.", "receipt_no")
    return row


def get_request(desk, receipt_no_or_request_id: str) -> RequestView:
    with desk.db.read() as s:
        return with_attachments(s, [view(find_row(s, receipt_no_or_request_id))])[0]


def get_requests(desk, seqs: list[int]) -> list[RequestView]:
    """Rows for a window of seqs (the UI table model), in the order asked."""
    with desk.db.read() as s:
        return _rows_by_seq(s, list(seqs))


def history(desk, receipt_no_or_request_id: str) -> list[HistoryView]:
    with desk.db.read() as s:
        row = find_row(s, receipt_no_or_request_id)
        items = s.scalars(
            select(RequestHistory).where(RequestHistory.request_id == row.request_id).order_by(RequestHistory.id)
        )
        return [HistoryView(h.at, h.from_status, h.to_status, h.actor, h.note) for h in items]


def outbox_state(desk, request_id: str) -> str | None:
    """The state of the request's own `request` operation (None if there is none)."""
    with desk.db.read() as s:
        return s.scalar(select(OutboxOp.state).where(OutboxOp.request_id == request_id, OutboxOp.kind == "request"))


def outbox_states(desk, request_ids: list[str]) -> dict[str, str]:
    """Sync state per request for a page of the UI list, in one query: `attention` when any of
    its operations needs attention, else the state of its `request` operation."""
    if not request_ids:
        return {}
    with desk.db.read() as s:
        rows = s.execute(
            select(OutboxOp.request_id, OutboxOp.kind, OutboxOp.state).where(OutboxOp.request_id.in_(list(request_ids)))
        ).all()
    states: dict[str, str] = {}
    for request_id, kind, state in rows:
        if state == OutboxState.ATTENTION:
            states[request_id] = state
        elif kind == "request" and states.get(request_id) != OutboxState.ATTENTION:
            states[request_id] = state
    return states


def is_pending_sync(desk, request_id: str) -> bool:
    return outbox_state(desk, request_id) in (OutboxState.PENDING, OutboxState.SENDING, None)


def _iso_day(value: date | str, field: str) -> str:
    """A Tehran civil day as its ISO Gregorian date string (the form of `requests.tehran_day`)."""
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InvalidInput("تاریخ درست نیست.", field) from None


def _days(day=None, day_from=None, day_to=None) -> tuple[str | None, str | None]:
    """The inclusive (low, high) ISO days the day filters allow; (None, None) without any. `day`
    with a range is their intersection (low > high when they do not meet: nothing matches)."""
    low = _iso_day(day_from, "day_from") if day_from else None
    high = _iso_day(day_to, "day_to") if day_to else None
    if low and high and low > high:
        raise InvalidInput("تاریخ آغاز بازه پس از تاریخ پایان آن است.", "day_to")
    if day:
        one = _iso_day(day, "day")
        low, high = max(low or one, one), min(high or one, one)
    return low, high


def _day_range(low: str | None, high: str | None, long_range: bool):
    """Both ends are always written out, so the planner sees a bounded range and reads a short one
    through `ix_requests_tehran_day` (then sorts its few seqs); a long one must not: `tehran_day ||
    ''` hides the index, so the page walks seq downwards and stops after `limit` hits."""
    column = Request.tehran_day.concat("") if long_range else Request.tehran_day
    return (column >= (low or "0000-00-00")) & (column <= (high or "9999-99-99"))


def _conditions(
    *,
    status=None,
    day: date | str | None = None,
    day_from: date | str | None = None,
    day_to: date | str | None = None,
    service: str | None = None,
    clerk: str | None = None,
    long_range: bool = False,
) -> list:
    """The list filters (all but the search box) as conditions on requests."""
    conds = []
    if status:
        conds.append(Request.status == parse_status(status).value)
    low, high = _days(day, day_from, day_to)
    if low and low == high:
        conds.append(Request.tehran_day == low)  # one day: the index gives seq order, no sort
    elif low or high:
        conds.append(_day_range(low, high, long_range))
    if service:
        conds.append(Request.service_code == normalize_text(service))
    if clerk:
        conds.append(Request.clerk_username == normalize_text(clerk).lower())
    return conds


_DAY_BOUNDS_SQL = text(
    "WITH RECURSIVE d(day) AS ("
    " SELECT min(tehran_day) FROM requests WHERE tehran_day >= :low AND tehran_day <= :high"
    " UNION ALL SELECT (SELECT min(tehran_day) FROM requests WHERE tehran_day > d.day AND tehran_day <= :high)"
    " FROM d WHERE d.day IS NOT NULL)"
    " SELECT min((SELECT min(seq) FROM requests WHERE tehran_day = d.day)),"
    " max((SELECT max(seq) FROM requests WHERE tehran_day = d.day)) FROM d WHERE d.day IS NOT NULL"
)


class _Days:
    """The day filters of one read, and what the plans ask about them (the bounds at most once)."""

    def __init__(self, session: Session, filters: dict):
        self.session = session
        self.low, self.high = _days(filters.get("day"), filters.get("day_from"), filters.get("day_to"))
        self._bounds: tuple[int | None, int | None] | None = None

    @property
    def given(self) -> bool:
        return bool(self.low or self.high)

    def condition(self):
        if self.low and self.low == self.high:
            return Request.tehran_day == self.low
        return _day_range(self.low, self.high, False)

    def is_long(self) -> bool:
        """A range (not one day) of `COMMON_NAME_ROWS` rows or more, counted with that cap."""
        if not self.given or self.low == self.high:
            return False
        capped = select(Request.seq).where(self.condition()).limit(COMMON_NAME_ROWS).subquery()
        return self.session.connection().scalar(select(func.count()).select_from(capped)) >= COMMON_NAME_ROWS

    def bounds(self) -> tuple[int | None, int | None]:
        """The lowest and highest seq in the days: two index seeks per day that has requests (a
        year is ~1 ms), where min/max over the range would read every entry of it (~50 ms a year)."""
        if self._bounds is None:
            args = {"low": self.low or "0000-00-00", "high": self.high or "9999-99-99"}
            low, high = self.session.connection().execute(_DAY_BOUNDS_SQL, args).one()
            self._bounds = (low, high)
        return self._bounds


def _long_range_top(session: Session, filters: dict, after_seq: int | None = None, days: _Days | None = None):
    """For a day range with many rows: the seq below which the walk down seq starts (the range's
    newest + 1 on the first page, else `after_seq`), else None. Counted with a cap through the day
    index, so it stays cheap."""
    days = days or _Days(session, filters)
    if not days.is_long():
        return None
    if after_seq is not None:
        return after_seq
    return (days.bounds()[1] or 0) + 1


def _plan(session: Session, query, filters: dict, long_range: bool = False, days: _Days | None = None) -> search.Plan:
    """The search box and the filters as one plan (desk_app/services/search.py)."""
    days = days or _Days(session, filters)
    indexed = _conditions(**filters)
    conds = _conditions(**filters, long_range=long_range) if long_range else indexed

    def narrow() -> bool:
        capped = select(Request.seq).where(*indexed).limit(COMMON_NAME_ROWS).subquery()
        return session.connection().scalar(select(func.count()).select_from(capped)) < COMMON_NAME_ROWS

    return search.plan(
        session, query, conds, cap=COMMON_NAME_ROWS, narrow=narrow, seq_bounds=days.bounds if days.given else None
    )


def count_requests(desk, *, query=None, **filters) -> int:
    with desk.db.read() as s:
        stmt = _plan(s, query, filters).count()
        return 0 if stmt is None else s.connection().scalar(stmt)


def _page_seqs(session: Session, *, after_seq, limit, query=None, **filters) -> list[int]:
    days = _Days(session, filters)
    top = _long_range_top(session, filters, after_seq, days)
    stmt = _plan(session, query, filters, long_range=top is not None, days=days).seqs(
        top if top is not None else after_seq, max(1, min(int(limit), MAX_PAGE))
    )
    return [] if stmt is None else list(session.connection().scalars(stmt))


def list_requests(
    desk,
    *,
    status=None,
    day=None,
    day_from=None,
    day_to=None,
    query=None,
    service=None,
    clerk=None,
    after_seq: int | None = None,
    limit: int = 100,
) -> list[RequestView]:
    """One page, newest first; pass the last row's `seq` as `after_seq` for the next page.

    `day` is one Tehran civil day; `day_from`/`day_to` (either may be left out) an inclusive range
    of them, as Gregorian dates or ISO strings. The page's seqs come first (sorting index entries is
    cheap, sorting whole rows is not), then its rows, as plain rows rather than ORM objects, in the
    same read transaction."""
    with desk.db.read() as s:
        seqs = _page_seqs(
            s,
            status=status,
            day=day,
            day_from=day_from,
            day_to=day_to,
            query=query,
            service=service,
            clerk=clerk,
            after_seq=after_seq,
            limit=limit,
        )
        return _rows_by_seq(s, seqs)


def _rows_by_seq(session: Session, seqs: list[int]) -> list[RequestView]:
    if not seqs:
        return []
    rows = {
        r.seq: view(r)
        for r in session.connection().execute(select(*Request.__table__.columns).where(Request.seq.in_(seqs)))
    }
    return with_attachments(session, [rows[q] for q in seqs if q in rows])


def ids_window(
    desk,
    *,
    status=None,
    day=None,
    day_from=None,
    day_to=None,
    query=None,
    service=None,
    clerk=None,
    after_seq: int | None = None,
    limit: int = 500,
) -> list[int]:
    """Just the seqs of one page (the UI model keeps ids and fetches rows on demand)."""
    with desk.db.read() as s:
        return _page_seqs(
            s,
            status=status,
            day=day,
            day_from=day_from,
            day_to=day_to,
            query=query,
            service=service,
            clerk=clerk,
            after_seq=after_seq,
            limit=limit,
        )


def iter_requests(desk, page: int = 500, **filters) -> Iterator[RequestView]:
    """Every matching request, newest first, one keyset page in memory at a time."""
    after = None
    while True:
        rows = list_requests(desk, after_seq=after, limit=page, **filters)
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1].seq
