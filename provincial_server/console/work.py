"""The agency's worklist, a request's page and its three actions (take, complete, reject).

The worklist is a keyset page: one index range scan per service of the agency
(`ix_console_req_svc_status`), merged, so a page costs the same over a thousand or millions of
requests. Actions are a compare-and-set on the status the staff member saw, under the row's lock,
and go through `feed.transition`, which writes the history and the desk's change feed.
"""

from __future__ import annotations

import base64
import heapq
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from desk_app.domain.errors import InvalidTransition
from desk_app.domain.jalali import as_utc, day_bounds_utc, format_jalali_date
from desk_app.domain.status import Status
from desk_app.domain.text import normalize_text, to_persian_digits
from provincial_server import feed
from provincial_server.console.scope import Scope, services_of
from provincial_server.db import Attachment, Office, RequestText, ServerRequest, StatusHistory

R = ServerRequest
PAGE = 50
NOTE_MAX = 1000
STATUS_FILTERS = ("submitted", "in_progress", "completed", "rejected", "cancelled", "all")
REQUEST_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
OFFICE_RE = re.compile(r"^[0-9]{1,6}\Z")

ACTIONS = {
    "take": (Status.IN_PROGRESS, {Status.SUBMITTED}),
    "complete": (Status.COMPLETED, {Status.SUBMITTED, Status.IN_PROGRESS}),
    "reject": (Status.REJECTED, {Status.SUBMITTED, Status.IN_PROGRESS}),
}


@dataclass
class Filters:
    status: str = "submitted"
    office: str | None = None
    service: str | None = None
    day_from: date | None = None
    day_to: date | None = None


@dataclass
class Row:
    office: str
    request_id: str
    receipt_no: str
    server_ref: str
    service_code: str
    status: str
    received_at: datetime
    created_at: datetime
    name: str = ""


@dataclass
class Page:
    rows: list[Row]
    next_cursor: str | None


def encode_cursor(row: Row) -> str:
    raw = f"{as_utc(row.received_at).isoformat()}|{row.office}|{row.request_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str | None) -> tuple[datetime, str, str] | None:
    """None for no cursor; ValueError for one that is not ours."""
    if not text:
        return None
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    when, office, request_id = raw.split("|")
    if not OFFICE_RE.match(office) or not REQUEST_ID_RE.match(request_id):
        raise ValueError(text)
    return as_utc(datetime.fromisoformat(when)), office, request_id


def _as_db_time(s: Session, value: datetime) -> datetime:
    """SQLite keeps UTC wall time without an offset; PostgreSQL compares aware values."""
    if s.get_bind().dialect.name == "sqlite":
        return as_utc(value).replace(tzinfo=None)
    return as_utc(value)


def worklist(s: Session, scope: Scope, f: Filters, cursor: str | None, limit: int = PAGE) -> Page:
    after = decode_cursor(cursor)
    codes = [f.service] if f.service else scope.codes
    cols = (R.office, R.request_id, R.receipt_no, R.server_ref, R.service_code, R.status, R.received_at, R.created_at)
    heads: list[list[Row]] = []
    for code in codes:
        versions = scope.versions_of.get(code)
        if not versions:
            continue
        q = select(*cols).where(R.service_code == code)
        if len(versions) == 1:
            q = q.where(R.catalog_version == next(iter(versions)))
        else:
            q = q.where(R.catalog_version.in_(sorted(versions)))
        if f.status != "all":
            q = q.where(R.status == f.status)
        if f.office:
            q = q.where(R.office == f.office)
        if f.day_from:
            q = q.where(R.received_at >= _as_db_time(s, day_bounds_utc(f.day_from)[0]))
        if f.day_to:
            q = q.where(R.received_at < _as_db_time(s, day_bounds_utc(f.day_to)[1]))
        if after:
            q = q.where(tuple_(R.received_at, R.office, R.request_id) > tuple_(_as_db_time(s, after[0]), *after[1:]))
        q = q.order_by(R.received_at, R.office, R.request_id).limit(limit + 1)
        heads.append([Row(*r) for r in s.execute(q)])
    merged = list(heapq.merge(*heads, key=lambda r: (as_utc(r.received_at), r.office, r.request_id)))[: limit + 1]
    more = len(merged) > limit
    rows = merged[:limit]
    if rows:
        # two IN lists, not a row-value IN: SQLite scans the whole table for the latter
        T = RequestText
        got = s.execute(
            select(T.office, T.request_id, T.first_name, T.last_name).where(
                T.office.in_(sorted({r.office for r in rows})), T.request_id.in_([r.request_id for r in rows])
            )
        )
        names = {(o, i): f"{fn} {ln}".strip() for o, i, fn, ln in got}
        for r in rows:
            r.name = names.get((r.office, r.request_id), "")
    return Page(rows, encode_cursor(rows[-1]) if more else None)


# ---------------------------------------------------------------- one request


@dataclass
class FieldView:
    name: str
    title: str
    value: str
    ltr: bool = False


@dataclass
class Detail:
    req: ServerRequest
    office_name: str
    service_title: str
    citizen: dict
    clerk: str
    fields: list[FieldView]
    attachments: list[Attachment]
    history: list[StatusHistory]
    actions: list[str] = field(default_factory=list)


def find(s: Session, scope: Scope, office: str, request_id: str, *, lock: bool = False) -> ServerRequest | None:
    """The request if it exists and is the agency's; None otherwise (the caller answers 404 alike,
    so another agency's request id tells nothing)."""
    if not OFFICE_RE.match(office) or not REQUEST_ID_RE.match(request_id):
        return None
    q = select(R).where(R.office == office, R.request_id == request_id)
    if lock:
        q = q.with_for_update()
    req = s.scalars(q).first()
    if req is None or not scope.holds(req.service_code, req.catalog_version):
        return None
    return req


def detail(s: Session, scope: Scope, req: ServerRequest) -> Detail:
    payload = json.loads(req.payload_json)
    text = s.get(RequestText, (req.office, req.request_id))
    citizen = payload.get("citizen") or {}
    office = s.get(Office, req.office)
    svc = services_of(s, req.catalog_version).get(req.service_code) or {}
    return Detail(
        req=req,
        office_name=normalize_text(office.name) if office else req.office,
        service_title=normalize_text(str(svc.get("title") or scope.titles.get(req.service_code, req.service_code))),
        citizen={
            "name": f"{text.first_name} {text.last_name}".strip() if text else "",
            "national_code": str(citizen.get("national_code") or ""),
            "mobile": str(citizen.get("mobile") or ""),
        },
        clerk=(text.clerk_full_name if text and text.clerk_full_name else "") or "",
        fields=field_views(s, req, payload),
        attachments=list(
            s.scalars(
                select(Attachment)
                .where(Attachment.office == req.office, Attachment.request_id == req.request_id)
                .order_by(Attachment.linked_at, Attachment.sha256)
            )
        ),
        history=list(
            s.scalars(
                select(StatusHistory)
                .where(StatusHistory.office == req.office, StatusHistory.request_id == req.request_id)
                .order_by(StatusHistory.at, StatusHistory.id)
            )
        ),
        actions=[name for name, (_to, froms) in ACTIONS.items() if Status(req.status) in froms],
    )


def field_views(s: Session, req: ServerRequest, payload: dict) -> list[FieldView]:
    """The request's form fields in the form's order, with the form's titles and labels (of the
    catalog version the request was made under). No fields: nothing."""
    values = payload.get("fields")
    if not isinstance(values, dict) or not values:
        return []
    version = str(payload.get("form_version") or req.catalog_version)
    form = (services_of(s, version).get(req.service_code) or {}).get("form") or {}
    raw_props = form.get("properties")
    props: dict = raw_props if isinstance(raw_props, dict) else {}
    order = [n for n in form.get("x-order") or [] if n in values]
    order += [n for n in props if n in values and n not in order]
    order += sorted(n for n in values if n not in order)
    out = []
    for name in order:
        raw = props.get(name)
        out.append(_field_view(name, raw if isinstance(raw, dict) else {}, values[name]))
    return out


def _field_view(name: str, prop: dict, value) -> FieldView:
    title = normalize_text(str(prop.get("title") or name))
    raw_labels = prop.get("x-labels")
    labels: dict = raw_labels if isinstance(raw_labels, dict) else {}
    fmt = prop.get("format")
    if isinstance(value, bool):
        return FieldView(name, title, "بله" if value else "خیر")
    if isinstance(value, str) and value in labels:
        return FieldView(name, title, normalize_text(str(labels[value])))
    if fmt == "jalali-date" and isinstance(value, str):
        try:
            return FieldView(name, title, format_jalali_date(date.fromisoformat(value)))
        except ValueError:
            pass
    ltr = fmt in {"national-code", "legal-id", "mobile", "postal-code", "sheba", "card"} or isinstance(
        value, int | float
    )
    if isinstance(value, list):
        shown = "، ".join(normalize_text(str(labels.get(v, v))) for v in value)
    else:
        shown = normalize_text(str(value))
    return FieldView(name, title, shown, ltr=ltr)


# ---------------------------------------------------------------- actions


class ActionRefused(Exception):
    """The action did not happen; `message` is Persian, `status` the HTTP answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


class NotFound(Exception):
    pass


def clean_note(action: str, note: str | None) -> str | None:
    text = normalize_text(note or "") or None
    if text and len(text) > NOTE_MAX:
        raise ActionRefused(
            to_persian_digits(
                f"یادداشت حداکثر {NOTE_MAX:,} نویسه است و این یکی {len(text):,} نویسه است؛ کوتاهش کنید "
                "(متن شما در کادر مانده است).".replace(",", "٬")
            ),
            422,
        )
    if action == "reject" and not text:
        raise ActionRefused("برای رد درخواست دلیل را بنویسید؛ این دلیل به دفتر و شهروند می‌رسد.", 422)
    return text


def act(s: Session, scope: Scope, username: str, office: str, request_id: str, action: str, expected: str, note):
    """Compare-and-set: only if the request is still in `expected` (what the staff member saw)."""
    from provincial_server.console.web import status_label

    if action not in ACTIONS:
        raise NotFound()
    to, froms = ACTIONS[action]
    text = clean_note(action, note)
    req = find(s, scope, office, request_id, lock=True)
    if req is None:
        raise NotFound()
    if req.status != expected or Status(req.status) not in froms:
        raise ActionRefused(
            f"این درخواست اکنون «{status_label(req.status)}» است؛ کس دیگری پیش از شما به آن رسیدگی کرده "
            "یا وضعیتش عوض شده است. صفحه تازه شد؛ دوباره نگاه کنید.",
            409,
        )
    try:
        return feed.transition(s, req, to.value, actor=f"console:{username}"[:64], note=text)
    except InvalidTransition:
        raise ActionRefused("این تغییر وضعیت مجاز نیست.", 409) from None
