"""Reading requests: one by receipt no or id, filtered lists read in keyset windows, history.

Lists never load all rows: `count_requests` gives the size, `list_requests` / `ids_window` give
pages ordered by `seq` (newest first) that continue after the last `seq` seen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from desk_app.domain.errors import InvalidInput
from desk_app.domain.identifiers import validate_national_code
from desk_app.domain.receipt import RECEIPT_NO_RE, normalize_receipt_no
from desk_app.domain.status import OutboxState, parse_status
from desk_app.domain.text import normalize_digits, normalize_text, search_key
from desk_app.store.models import OutboxOp, Request, RequestHistory

MAX_PAGE = 1000
COMMON_NAME_ROWS = 10_000  # from this many matches on, a name page walks seq order instead of sorting
_KEY_END = chr(0x10FFFF)
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CODE_LIKE_RE = re.compile(r"^[0-9\s-]{8,14}$")


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
        }


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
        return view(find_row(s, receipt_no_or_request_id))


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


def _prefix_range(column, prefix: str):
    return (column >= prefix) & (column < prefix + _KEY_END)


def _name_key(query: str | None) -> str | None:
    """The folded name prefix of a query, or None when the query is a receipt no / id / code."""
    text = normalize_text(query or "")
    digits = normalize_digits(text).strip()
    if not text or RECEIPT_NO_RE.match(digits) or _UUID_RE.match(digits.lower()) or _CODE_LIKE_RE.match(digits):
        return None
    return search_key(text) or None


def _is_common_name(session: Session, key: str) -> bool:
    """Whether a name prefix matches many rows; counted with a cap, so it stays cheap."""
    total = 0
    for column in (Request.first_key, Request.last_key):
        capped = select(Request.seq).where(_prefix_range(column, key)).limit(COMMON_NAME_ROWS).subquery()
        total += session.connection().scalar(select(func.count()).select_from(capped))
        if total >= COMMON_NAME_ROWS:
            return True
    return False


def _name_filter(key: str, common: bool):
    """A rare prefix uses the key indexes (then sorts a few rows by seq); a common one must not:
    `key || ''` hides the index, so the page walks seq downwards and stops after `limit` hits."""
    first, last = (
        (Request.first_key, Request.last_key)
        if not common
        else (Request.first_key.concat(""), Request.last_key.concat(""))
    )
    return or_(_prefix_range(first, key), _prefix_range(last, key))


def _query_filter(query: str, common: bool = False):
    """Receipt no, request id or national code match exactly; other text is a name prefix."""
    text = normalize_text(query)
    digits = normalize_digits(text).strip()
    if RECEIPT_NO_RE.match(digits):
        return Request.receipt_no == digits
    if _UUID_RE.match(digits.lower()):
        return Request.request_id == digits.lower()
    if _CODE_LIKE_RE.match(digits):
        try:
            return Request.national_code == validate_national_code(digits)
        except InvalidInput:
            return Request.national_code == digits
    key = search_key(text)
    if not key:
        return None
    return _name_filter(key, common)


def _iso_day(value: date | str, field: str) -> str:
    """A Tehran civil day as its ISO Gregorian date string (the form of `requests.tehran_day`)."""
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InvalidInput("تاریخ درست نیست.", field) from None


def _filtered(
    stmt: Select,
    *,
    status=None,
    day: date | str | None = None,
    day_from: date | str | None = None,
    day_to: date | str | None = None,
    query: str | None = None,
    service: str | None = None,
    clerk: str | None = None,
    common: bool = False,
    long_range: bool = False,
) -> Select:
    if status:
        stmt = stmt.where(Request.status == parse_status(status).value)
    if day:
        stmt = stmt.where(Request.tehran_day == _iso_day(day, "day"))
    low = _iso_day(day_from, "day_from") if day_from else None
    high = _iso_day(day_to, "day_to") if day_to else None
    if low and high and low > high:
        raise InvalidInput("تاریخ آغاز بازه پس از تاریخ پایان آن است.", "day_to")
    if low and low == high:
        stmt = stmt.where(Request.tehran_day == low)  # one day: the index gives seq order, no sort
    elif low or high:
        stmt = stmt.where(_day_range(low, high, long_range))
    if query and normalize_text(query):
        cond = _query_filter(query, common)
        if cond is not None:
            stmt = stmt.where(cond)
    if service:
        stmt = stmt.where(Request.service_code == normalize_text(service))
    if clerk:
        stmt = stmt.where(Request.clerk_username == normalize_text(clerk).lower())
    return stmt


def count_requests(desk, **filters) -> int:
    with desk.db.read() as s:
        return s.scalar(_filtered(select(func.count()).select_from(Request), **filters))


def _page(stmt: Select, after_seq: int | None, limit: int) -> Select:
    if after_seq is not None:
        stmt = stmt.where(Request.seq < after_seq)
    return stmt.order_by(Request.seq.desc()).limit(max(1, min(int(limit), MAX_PAGE)))


def _day_range(low: str | None, high: str | None, long_range: bool):
    """Both ends are always written out, so the planner sees a bounded range and reads a short one
    through `ix_requests_tehran_day` (then sorts its few seqs); a long one must not: `tehran_day ||
    ''` hides the index, so the page walks seq downwards and stops after `limit` hits."""
    column = Request.tehran_day.concat("") if long_range else Request.tehran_day
    return (column >= (low or "0000-00-00")) & (column <= (high or "9999-99-99"))


def _long_range_top(session: Session, filters: dict, after_seq: int | None = None) -> int | None:
    """For a day range with many rows: the seq below which the walk down seq starts (the range's
    newest + 1 on the first page, else `after_seq`), else None. Counted with a cap through the day
    index, so it stays cheap."""
    low, high = filters.get("day_from"), filters.get("day_to")
    if filters.get("day") or not (low or high) or (low and low == high):
        return None
    in_range = _filtered(select(Request.seq), day_from=low, day_to=high)
    capped = in_range.limit(COMMON_NAME_ROWS).subquery()
    if session.connection().scalar(select(func.count()).select_from(capped)) < COMMON_NAME_ROWS:
        return None
    if after_seq is not None:
        return after_seq
    return session.connection().scalar(_filtered(select(func.max(Request.seq)), day_from=low, day_to=high)) + 1


def _page_rows(session: Session, columns, *, after_seq, limit, query=None, **filters):
    key = _name_key(query)
    common = key is not None and _is_common_name(session, key)
    top = _long_range_top(session, filters, after_seq)
    stmt = _filtered(select(*columns), query=query, common=common, long_range=top is not None, **filters)
    return session.connection().execute(_page(stmt, top if top is not None else after_seq, limit))


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
        seqs = [
            r.seq
            for r in _page_rows(
                s,
                [Request.seq],
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
        ]
        return _rows_by_seq(s, seqs)


def _rows_by_seq(session: Session, seqs: list[int]) -> list[RequestView]:
    if not seqs:
        return []
    rows = {
        r.seq: view(r)
        for r in session.connection().execute(select(*Request.__table__.columns).where(Request.seq.in_(seqs)))
    }
    return [rows[q] for q in seqs if q in rows]


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
        return [
            r.seq
            for r in _page_rows(
                s,
                [Request.seq],
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
        ]


def iter_requests(desk, page: int = 500, **filters) -> Iterator[RequestView]:
    """Every matching request, newest first, one keyset page in memory at a time."""
    after = None
    while True:
        rows = list_requests(desk, after_seq=after, limit=page, **filters)
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1].seq
